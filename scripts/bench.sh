#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark command: the plain kernel, both tipc.ko builds, one guest
# running bench/guest.sh (every workload for C, Rust and C again, several
# rounds, alternating the order), then a table of C, Rust, Rust/C and the
# C-vs-C noise floor, written with a plot to bench/results.md and
# bench/fanout.png.  ROUNDS (default 3) sets the number of rounds.
set -euo pipefail
export KERNEL=plain
. "$(dirname "$0")/env.sh"
export VARIANTS="c rust"
"$REPO/scripts/setup.sh"
python3 -c "import matplotlib" 2>/dev/null || pip install -q matplotlib
"$REPO/scripts/build-kernel.sh"
"$REPO/scripts/build-modules.sh"
"$REPO/scripts/build-tools.sh"
"$REPO/scripts/mkinitramfs.sh"
job=$BUILD_DIR/bench-job.sh
{ echo "ROUNDS=${ROUNDS:-3}"; cat "$REPO/bench/guest.sh"; } >"$job"
"$REPO/scripts/vm-run.sh" -t 3000 -n bench-plain "$job"
python3 "$REPO/scripts/bench_report.py" "$BUILD_DIR/runs/bench-plain/output.log" \
	"$REPO/bench/results.md" "$REPO/bench/fanout.png" "$(cat "$BUILD_DIR/kernel-version")"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The benchmark command: the plain kernel (BENCH_CONFIG=distro: the
# distribution-like one, configs/distro.fragment), both tipc.ko builds, and
# two guests running bench/guest.sh:
#   1. instruction-counted (ICOUNT=1: one vCPU at a time, guest time counts
#      executed instructions, host load drops out): the primary figures,
#      memory figures included;
#   2. wall clock, 2 vCPUs on 2 host threads (SMP): the secondary figures.
# Each runs ROUNDS rounds (default 4) in ABBA order: instruction-counted, a
# pass of every workload per build; wall clock, each workload in turn on
# each build (PAIRED=1 in bench/guest.sh), so that a pair is measured
# seconds apart, not a pass (bench/analysis.md, "Wall clock").
# scripts/bench_report.py then writes the per-round Rust/C ratios, their
# spread and the goals to bench/results.md (results-distro.md) with a plot.
# MS (default 2000) is the guest time of each measured figure.
set -euo pipefail
export KERNEL=${BENCH_CONFIG:-plain}
case $KERNEL in
plain) suffix= ;;
distro) suffix=-distro ;;
*) echo "bench: BENCH_CONFIG must be plain or distro" >&2; exit 2 ;;
esac
. "$(dirname "$0")/env.sh"
export VARIANTS="c rust"
begin=$(date +%s)
"$REPO/scripts/setup.sh"
python3 -c "import matplotlib" 2>/dev/null || pip install -q matplotlib
"$REPO/scripts/build-kernel.sh"
"$REPO/scripts/build-modules.sh"
"$REPO/scripts/build-tools.sh"
"$REPO/scripts/mkinitramfs.sh"

# The wall-clock guest's TSC is the host's: give the guest its frequency
# (scripts/host-tsc-khz.c) rather than let it calibrate on a busy host.
clang-19 -O2 -o "$BUILD_DIR/host-tsc-khz" "$REPO/scripts/host-tsc-khz.c"
tsc_khz=$("$BUILD_DIR/host-tsc-khz")

rounds=${ROUNDS:-4}
logs=()
for mode in icount wall; do
	job=$BUILD_DIR/bench-job-$mode.sh
	memory=1 paired=0
	[ $mode = wall ] && memory=0 paired=1
	{
		echo "ROUNDS=$rounds MS=${MS:-2000} WARM_MS=${WARM_MS:-250} MEMORY=$memory PAIRED=$paired"
		cat "$REPO/bench/guest.sh"
	} >"$job"
	icount=0 append="tsc_early_khz=$tsc_khz"
	[ $mode = icount ] && icount=1 append=
	t0=$(date +%s)
	ICOUNT=$icount KERNEL_ARGS=$append "$REPO/scripts/vm-run.sh" -t 3600 -n "bench-$KERNEL-$mode" "$job"
	echo "bench: $mode run took $(($(date +%s) - t0)) s"
	logs+=("$BUILD_DIR/runs/bench-$KERNEL-$mode/output.log")
done

BENCH_SECONDS=$(($(date +%s) - begin)) python3 "$REPO/scripts/bench_report.py" \
	"${logs[@]}" "$REPO/bench/results$suffix.md" "$REPO/bench/fanout$suffix.png" \
	"$(cat "$BUILD_DIR/kernel-version")" "$KERNEL"
echo "bench: done in $(($(date +%s) - begin)) s"

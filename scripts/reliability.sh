#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The full reliability suite (Documentation/tipc-rust/reliability.rst):
# on the debug kernel (KASAN, lockdep, kmemleak) every scenario at full
# size, then on the plain kernel subscribers that stall or read slowly
# under millions of events, with the kernel-log checks still on.  Ends
# with 'N passed, N failed' over both runs.
set -uo pipefail
. "$(dirname "$0")/env.sh"

step() {
	echo "== $*"
	if ! "$@"; then
		echo "reliability: '$*' failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

start=$(date +%s)
step "$REPO/scripts/setup.sh"
runs=
for k in debug plain; do
	export KERNEL=$k
	step "$REPO/scripts/build-kernel.sh"
	VARIANTS=rust step "$REPO/scripts/build-modules.sh"
	step "$REPO/scripts/build-tools.sh"
	VARIANTS=rust step "$REPO/scripts/mkinitramfs.sh"
	job=reliability-full
	[ $k = plain ] && job=reliability-stalled
	"$REPO/scripts/vm-run.sh" -t "${RELIABILITY_TIMEOUT:-7200}" -n "$job-$k" \
		"$REPO/tests/guest/$job.sh"
	runs="$runs $BUILD_DIR/runs/$job-$k"
done
echo "== reliability took $(($(date +%s) - start)) s"
exec python3 "$REPO/scripts/results.py" $runs

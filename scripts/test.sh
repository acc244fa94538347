#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test command: set-up, the debug kernel (KASAN, lockdep, kmemleak),
# tipc.ko per server variant, KUnit modules, tools, the patch series check,
# every test in one QEMU run, then the two-guest runs.  Ends with
# 'N passed, N failed' over everything that ran.
set -uo pipefail
export KERNEL=${KERNEL:-debug}
. "$(dirname "$0")/env.sh"

step() {
	echo "== $*"
	if ! "$@"; then
		echo "test: '$*' failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
}

start=$(date +%s)
step "$REPO/scripts/setup.sh"
step "$REPO/scripts/build-kernel.sh"
step "$REPO/scripts/build-modules.sh"
step "$REPO/scripts/build-tools.sh"
step "$REPO/scripts/mkinitramfs.sh"
echo "== build took $(($(date +%s) - start)) s"
# The patch series (scripts/series.py): made, applied with git am onto the
# pristine extract, compared with the tree above, checkpatch --strict.
series=$BUILD_DIR/runs/series
rm -rf "$series"
mkdir -p "$series"
: >"$series/host"
{
	echo "@@KTAP-BEGIN series"
	python3 "$REPO/scripts/series.py" verify
	echo "@@KTAP-END series $?"
} >"$series/output.log" 2>&1
echo "== series checked ($(grep -c '^    ok' "$series/output.log") ok, $(grep -c '^    not ok' "$series/output.log") not ok)"
"$REPO/scripts/vm-run.sh" -t "${TEST_TIMEOUT:-2400}" -n "tests-$KERNEL" "$REPO/tests/guest/all.sh"
# Two guests, each its own kernel and tipc.ko, one TIPC link between them:
# a Rust node with a C node both ways (the second to power off watched by
# the first), and two Rust nodes.
pairs=()
for p in "rust c b" "c rust b" "rust rust b"; do
	set -- $p
	"$REPO/scripts/pair-run.sh" "$@" || true
	pairs+=("$BUILD_DIR/runs/pair-$1-$2-a" "$BUILD_DIR/runs/pair-$1-$2-b")
done
echo "== results after $(($(date +%s) - start)) s (guest output: $BUILD_DIR/runs/tests-$KERNEL, pair-*)"
exec python3 "$REPO/scripts/results.py" "$series" "$BUILD_DIR/runs/tests-$KERNEL" "${pairs[@]}"

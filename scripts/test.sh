#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The test command: set-up, the debug kernel (KASAN, lockdep, kmemleak),
# tipc.ko per server variant, KUnit modules, tools, then every test in one
# QEMU run.  Ends with 'N passed, N failed' over everything that ran.
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
exec python3 "$REPO/scripts/results.py" "$BUILD_DIR/runs/tests-$KERNEL" "${pairs[@]}"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build tipc.ko once per server variant (VARIANTS, default "c"), and the
# project's KUnit modules, as external modules against the already-built
# kernel (KERNEL=plain|debug).  Only net/tipc is compiled: seconds.
set -euo pipefail
. "$(dirname "$0")/env.sh"

[ -f "$OBJ/vmlinux" ] || { echo "modules: build the $KERNEL kernel first" >&2; exit 1; }
python3 "$REPO/scripts/prepare-tree.py" >/dev/null

# Copies sources into an external-module folder, leaving build products.
sync_src() {
	mkdir -p "$2"
	rsync -a --delete --exclude='*.o' --exclude='.*.cmd' --exclude='*.ko' \
		--exclude='*.mod' --exclude='*.mod.c' --exclude='modules.order' \
		--exclude='Module.symvers' --exclude='*.rmeta' --exclude='.*.d' \
		"$1/" "$2/"
}

mods=$BUILD_DIR/mod-$KERNEL
for v in $VARIANTS; do
	# The debug kernel's Rust build carries the server's own KUnit suite.
	kunit=n
	case $v in
	c) rust=n ;;
	rust) rust=y; [ "$KERNEL" = debug ] && kunit=y ;;
	*) echo "modules: unknown variant '$v'" >&2; exit 2 ;;
	esac
	sync_src "$TREE/net/tipc" "$mods/tipc-$v"
	echo "modules: tipc.ko ($v server) for the $KERNEL kernel"
	make -s -C "$OBJ" M="$mods/tipc-$v" "${LLVM_FLAGS[@]}" -j"$JOBS" ${CLIPPY:+CLIPPY=1} \
		CONFIG_TIPC=m CONFIG_TIPC_SERVER_RUST=$rust \
		CONFIG_TIPC_SERVER_RUST_KUNIT_TEST=$kunit \
		CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION=$kunit modules
done

first=$(echo $VARIANTS | cut -d' ' -f1)
sync_src "$REPO/tests/kunit" "$mods/kunit"
echo "modules: KUnit suites for the $KERNEL kernel"
make -s -C "$OBJ" M="$mods/kunit" "${LLVM_FLAGS[@]}" -j"$JOBS" ${CLIPPY:+CLIPPY=1} \
	KBUILD_EXTRA_SYMBOLS="$mods/tipc-$first/Module.symvers" modules

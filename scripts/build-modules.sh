#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build tipc.ko once per server variant (VARIANTS, default "c rust"), and
# the project's KUnit modules, as external modules against the
# already-built kernel (KERNEL=plain|debug), into BUILD_DIR/mod-KERNEL.
# Only net/tipc is compiled: seconds.
set -euo pipefail
. "$(dirname "$0")/env.sh"

[ -f "$OBJ/vmlinux" ] || { echo "modules: build the $KERNEL kernel first" >&2; exit 1; }
python3 "$REPO/scripts/prepare-tree.py" >/dev/null

# tipc.ko and the KUnit modules come from this checkout's top-level Kbuild
# (make -C OBJ M=REPO), the way anyone builds them against a patched kernel:
# tipc's C files from the prepared tree, the Rust server from the checkout,
# objects in REPO/build/kmod-KERNEL.  One module build of a checkout at a
# time: the top of M is shared.
mods=$BUILD_DIR/mod-$KERNEL
kmod=build/kmod-$KERNEL
mkdir -p "$REPO/build"
exec 9>"$REPO/build/.kmod.lock"
flock 9
first=
for v in $VARIANTS; do
	# The debug kernel's Rust build carries the server's own KUnit suite.
	kunit=n
	case $v in
	c) rust=n ;;
	rust) rust=y; [ "$KERNEL" = debug ] && kunit=y ;;
	*) echo "modules: unknown variant '$v'" >&2; exit 2 ;;
	esac
	echo "modules: tipc.ko ($v server) and the KUnit suites for the $KERNEL kernel"
	make -s -C "$OBJ" M="$REPO" "${LLVM_FLAGS[@]}" -j"$JOBS" ${CLIPPY:+CLIPPY=1} \
		TIPC_KMOD_DIR="$kmod" CONFIG_TIPC_SERVER_RUST=$rust \
		CONFIG_TIPC_SERVER_RUST_KUNIT_TEST=$kunit \
		CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION=$kunit modules
	rm -rf "$mods/tipc-$v"
	mkdir -p "$mods/tipc-$v"
	install -m644 "$REPO/$kmod/tipc-$v/tipc.ko" "$REPO/Module.symvers" "$mods/tipc-$v/"
	if [ -z "$first" ]; then
		first=$v
		rm -rf "$mods/kunit"
		mkdir -p "$mods/kunit"
		install -m644 "$REPO/$kmod/tipc-$v"/kunit/*.ko "$mods/kunit/"
	fi
done

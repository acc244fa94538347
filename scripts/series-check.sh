#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make series-check: build the series patch by patch.  The series
# (scripts/series.py) is applied one patch at a time to a copy of the
# pristine extract; after each one the kernel (with the kernel crate) and
# tipc.ko are built: in the tree, with the Rust server once Kconfig offers
# it (and its KUnit suites once they are there), and then, as an external
# module from a copy of net/tipc, with the C server.  Too slow for the test
# command: the first run builds a kernel from scratch in
# BUILD_DIR/series-check/obj, later runs are incremental.
set -euo pipefail
. "$(dirname "$0")/env.sh"

work=$BUILD_DIR/series-check
tree=$work/linux
obj=$work/obj
rm -rf "$work/series" "$tree" "$work/mod-c"
mkdir -p "$work"
python3 "$REPO/scripts/series.py" make "$work/series"
cp -a "$BUILD_DIR/linux-pristine" "$tree"
extra=$work/series.fragment
cat >"$extra" <<EOF
CONFIG_TIPC_SERVER_RUST=y
CONFIG_TIPC_SERVER_RUST_KUNIT_TEST=y
CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION=y
CONFIG_TIPC_KUNIT_TEST=m
EOF
kmake=(make -s -C "$tree" O="$obj" "${LLVM_FLAGS[@]}" -j"$JOBS")

# The symbols a patch does not have yet are dropped by olddefconfig.
configure() {
	make -s -C "$tree" O="$obj" LLVM=-19 tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" \
		"$REPO/configs/base.fragment" "$extra" >/dev/null
	make -s -C "$tree" O="$obj" LLVM=-19 olddefconfig >/dev/null
}

n=0
fail=0
for p in "$work/series"/0*.patch; do
	case $(basename "$p") in 0000-*) continue ;; esac
	n=$((n + 1))
	subject=$(awk '/^Subject:/ { s = $0; while ((getline l) > 0 && l ~ /^ /) s = s l; print s; exit }' "$p" |
		sed 's/^Subject: \[PATCH [0-9]*\/[0-9]*\] //')
	start=$(date +%s)
	(cd "$tree" && git apply "$p") || { echo "series-check: patch $n does not apply: $subject"; exit 1; }
	configure
	what="kernel crate, tipc.ko"
	if ! "${kmake[@]}" bzImage modules >"$work/build-$n.log" 2>&1; then
		echo "series-check: patch $n ($subject) does not build (see $work/build-$n.log)"
		fail=1
		continue
	fi
	if grep -q '^CONFIG_TIPC_SERVER_RUST=y' "$obj/.config"; then
		what="$what (Rust server)"
		grep -q '^CONFIG_TIPC_KUNIT_TEST=m' "$obj/.config" && what="$what, KUnit suites"
		# And the C server of the same tree, as an external module.
		rm -rf "$work/mod-c"
		cp -r "$tree/net/tipc" "$work/mod-c"
		if ! make -s -C "$obj" M="$work/mod-c" "${LLVM_FLAGS[@]}" -j"$JOBS" \
			CONFIG_TIPC=m CONFIG_TIPC_SERVER_RUST=n CONFIG_TIPC_KUNIT_TEST= \
			modules >>"$work/build-$n.log" 2>&1; then
			echo "series-check: patch $n ($subject): the C server does not build (see $work/build-$n.log)"
			fail=1
			continue
		fi
		what="$what; tipc.ko (C server)"
	else
		what="$what (C server)"
	fi
	echo "series-check: patch $n builds: $what, $(($(date +%s) - start)) s: $subject"
done
[ $fail = 0 ] && echo "series-check: all $n patches build" || echo "series-check: some patches do not build"
exit $fail

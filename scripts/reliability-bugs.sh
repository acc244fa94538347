#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shows that the historical-bug scenarios catch their bugs: for each patch
# in tests/reliability/bugs/ (its first line names the scenario: a guest
# command, or "kunit SUITE CASE"), builds the Rust tipc.ko with that bug
# put back, boots the debug kernel, runs the scenario and expects it to
# FAIL.  Prints one line per bug; exits 1 if a scenario passed on a server
# with its bug.  BUGS="name ..." runs only those patches.
set -uo pipefail
export KERNEL=debug
. "$(dirname "$0")/env.sh"

for s in setup.sh build-kernel.sh build-modules.sh build-tools.sh; do
	VARIANTS=rust "$REPO/scripts/$s" >/dev/null || { echo "bugs: $s failed"; exit 1; }
done

mods=$BUILD_DIR/mod-$KERNEL
patches=()
for p in "$REPO"/tests/reliability/bugs/*.patch; do
	[ -z "${BUGS:-}" ] || [[ " $BUGS " == *" $(basename "$p" .patch) "* ]] && patches+=("$p")
done
variants=
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	dir=$mods/tipc-bug-$name
	rm -rf "$dir"
	cp -r "$TREE/net/tipc" "$dir"
	patch -s -p1 -d "$dir" <"$p" || { echo "bugs: $name does not apply"; exit 1; }
	make -s -C "$OBJ" M="$dir" "${LLVM_FLAGS[@]}" -j"$JOBS" CONFIG_TIPC=m \
		CONFIG_TIPC_SERVER_RUST=y CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION=y \
		CONFIG_TIPC_SERVER_RUST_KUNIT_TEST=y modules ||
		{ echo "bugs: $name does not build"; exit 1; }
	variants="$variants bug-$name"
done
VARIANTS="$variants" "$REPO/scripts/mkinitramfs.sh" >/dev/null || exit 1

missed=0
for p in "${patches[@]}"; do
	name=$(basename "$p" .patch)
	scenario=$(sed -n 's/^Scenario: //p' "$p")
	job=$BUILD_DIR/runs/bug-$name.sh
	mkdir -p "$BUILD_DIR/runs"
	cat >"$job" <<JOB
. /lib/guest/lib.sh
tipc_load bug-$name && \$TIPC node set addr 1.1.100 || exit 2
set -- $scenario
if [ "\$1" = cfg-spec ]; then
	# A case of the configuration service's suite: n1 asks n2.
	cluster_up 2 && timeout 600 \$IP netns exec n1 /bin/cfg-spec cluster n2=1.1.2 "\$2" >/tmp/out 2>&1
	if [ \$? = 0 ]; then r=missed; else r=caught; fi
elif [ "\$1" = kunit ]; then
	# Built into tipc.ko: the suite ran when it loaded.
	# Caught only if the case ran and failed (a missing case is no proof).
	cat /sys/kernel/debug/kunit/\$2/results >/tmp/out
	if grep -Eq "^ +not ok [0-9]+ \$3( |\$)" /tmp/out; then r=caught; else r=missed; fi
elif TIPC_SERVER=rust timeout 600 /bin/"\$@" >/tmp/out 2>&1; then
	r=missed
else
	r=caught
fi
cat /tmp/out
echo "@@BUG $name \$r"
JOB
	# The run may end with reports: the scenario's verdict comes first.
	"$REPO/scripts/vm-run.sh" -t 900 -n "bug-$name" "$job" >/dev/null 2>&1
	verdict=$(sed -n "s/^@@BUG $name //p" "$BUILD_DIR/runs/bug-$name/output.log" | tr -d '\r')
	# A crash (an oops, KASAN, a kCFI trap that panics the guest before
	# any verdict) is caught by the test command's kernel-log check even
	# where the scenario itself goes on.
	case $verdict in
	caught) ;;
	*)
		report=$(python3 "$REPO/scripts/check-guest-log.py" \
			"$BUILD_DIR/runs/bug-$name/console.log" | sed -n 2p)
		[ -z "$report" ] || verdict="caught (kernel log:${report#*|})"
		;;
	esac
	echo "bugs: $name ($scenario): ${verdict:-no verdict}"
	case $verdict in caught*) ;; *) missed=1 ;; esac
done
exit $missed

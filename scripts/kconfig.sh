#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kconfig.sh <objdir> <fragment>...
# tinyconfig + fragments + olddefconfig, then check that every symbol the
# fragments ask for is really what they say (olddefconfig drops unmet ones
# silently).  The merge is skipped when the fragments have not changed.
set -euo pipefail
tree=${TREE:?}
obj=$1; shift
mkdir -p "$obj"
stamp="$obj/.fragments.sha"
want=$(cat "$@" "$tree/Makefile" | sha256sum | cut -d' ' -f1)
if [ ! -f "$obj/.config" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	make -s -C "$tree" O="$obj" LLVM=-19 tinyconfig >/dev/null
	"$tree/scripts/kconfig/merge_config.sh" -m -O "$obj" "$obj/.config" "$@" >/dev/null
fi
# Always: symbols the project's Kconfig changes added get their defaults.
make -s -C "$tree" O="$obj" LLVM=-19 olddefconfig >/dev/null

bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		sym=${line%%=*}
		grep -qxF "$line" "$obj/.config" || {
			echo "kconfig: asked for '$line', got '$(grep -E "^(# )?$sym[= ]" "$obj/.config" || echo unset)'"
			bad=1
		} ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }; sym=${sym%% *}
		if grep -qE "^$sym=" "$obj/.config"; then
			echo "kconfig: asked for $sym off, got '$(grep -E "^$sym=" "$obj/.config")'"
			bad=1
		fi ;;
	esac
done < <(cat "$@")
if [ $bad -ne 0 ]; then
	rm -f "$stamp"
	echo "kconfig: the fragments are not met (see above); fix them" >&2
	exit 1
fi
echo "$want" >"$stamp"
echo "kconfig: $obj/.config matches $*"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kbuild-tree.sh SRCTREE REPO OUT
# Called by the top-level Kbuild: lays out OUT (under the ignored build/
# folder) as net/tipc/ of a patched tree, in symbolic links, so that an
# external-module build compiles this checkout's files next to the
# kernel's without copying any of them: SRCTREE/net/tipc's own files (C
# sources, headers, Kconfig, Makefile), this checkout's net/tipc/rust/ as
# rust/ and its tests/kunit/ as kunit/.  Links whose source went away are
# removed; build products stay.
set -euo pipefail
srctree=$1 repo=$2 out=$3
mkdir -p "$out"

# want SRC DEST: DEST/... links to every file under SRC.
want() {
	(cd "$1" && find . -type f ! -name '*.orig' ! -name '*.rej') | while read -r f; do
		echo "$2/${f#./} $1/${f#./}"
	done
}

{
	(cd "$srctree/net/tipc" && find . -maxdepth 1 -type f) | while read -r f; do
		echo "$out/${f#./} $srctree/net/tipc/${f#./}"
	done
	want "$repo/net/tipc/rust" "$out/rust"
	want "$repo/tests/kunit" "$out/kunit"
} >"$out/.links.new"

while read -r dest src; do
	[ "$(readlink "$dest" 2>/dev/null)" = "$src" ] && continue
	mkdir -p "$(dirname "$dest")"
	ln -sfn "$src" "$dest"
done <"$out/.links.new"
# Links no longer wanted (a file renamed or removed in the checkout).
find "$out" -type l | sort >"$out/.links.have"
cut -d' ' -f1 "$out/.links.new" | sort | comm -23 "$out/.links.have" - | xargs -r rm -f
rm -f "$out/.links.have"
mv "$out/.links.new" "$out/.links"

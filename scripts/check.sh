#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style checks on an already-built debug tree: rustfmtcheck over the
# prepared tree, clippy on the kernel crate and the modules, checkpatch on
# the project's C files and patches, rustfmt/clippy on the tools.
set -euo pipefail
. "$(dirname "$0")/env.sh"
python3 "$REPO/scripts/prepare-tree.py" >/dev/null
make -s -C "$TREE" O="$OBJ" LLVM=-19 rustfmtcheck
# rustfmt does not enter macro bodies: the KUnit cases' block is checked apart.
python3 "$REPO/scripts/rustfmt-kunit-cases.py" --check "$TREE/.rustfmt.toml" \
	"$REPO"/net/tipc/rust/*/tests.rs
echo "check: rustfmtcheck clean"
# A build that fails, or one that warns, fails the check.
clippy_clean() {
	local log out
	log=$("$@" 2>&1) || { echo "$log"; exit 1; }
	out=$(grep -E '^(warning|error)|objtool' <<<"$log" || true)
	[ -z "$out" ] || { echo "$out"; exit 1; }
}
clippy_clean "${KMAKE[@]}" CLIPPY=1 rust/
clippy_clean env CLIPPY=1 "$REPO/scripts/build-modules.sh"
echo "check: clippy clean (kernel crate, tipc.ko, KUnit modules)"
out=$(for f in $(cd "$REPO" && git ls-files '*.c' '*.h' 'patches/*.patch'); do
	perl "$TREE/scripts/checkpatch.pl" --no-tree --quiet --terse \
		$([ "${f%.patch}" = "$f" ] && echo -f) "$REPO/$f" |
		grep -v -e '^total:' || true
done)
[ -z "$out" ] || { echo "$out"; exit 1; }
echo "check: checkpatch clean"
(cd "$REPO/tools" && cargo fmt --check && cargo clippy -q --release -- -D warnings)
echo "check: tools clean"

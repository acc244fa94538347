#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Style checks on an already-built debug tree: rustfmtcheck over the
# prepared tree, clippy on the kernel crate and the modules, checkpatch on
# the project's C files and patches, rustfmt/clippy on the tools.
set -euo pipefail
. "$(dirname "$0")/env.sh"
python3 "$REPO/scripts/prepare-tree.py" >/dev/null
make -s -C "$TREE" O="$OBJ" LLVM=1 rustfmtcheck
echo "check: rustfmtcheck clean"
out=$("${KMAKE[@]}" CLIPPY=1 rust/ 2>&1 | grep -E '^(warning|error)' || true)
[ -z "$out" ] || { echo "$out"; exit 1; }
out=$(CLIPPY=1 "$REPO/scripts/build-modules.sh" 2>&1 | grep -E '^(warning|error)' || true)
[ -z "$out" ] || { echo "$out"; exit 1; }
echo "check: clippy clean (kernel crate, tipc.ko, KUnit modules)"
for f in $(cd "$REPO" && git ls-files '*.c' '*.h' 'patches/*.patch'); do
	perl "$TREE/scripts/checkpatch.pl" --no-tree --quiet --terse \
		$([ "${f%.patch}" = "$f" ] && echo -f) "$REPO/$f" |
		grep -v -e 'externs should be avoided' -e '^total:' || true
done
echo "check: checkpatch done (externs in the KUnit glue of Rust cases are expected)"
(cd "$REPO/tools" && cargo fmt --check && cargo clippy -q --release -- -D warnings)
echo "check: tools clean"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Configure and build the patched kernel (KERNEL=plain|debug): bzImage and
# the in-tree modules tipc.ko needs.  Incremental after the first run.
set -euo pipefail
. "$(dirname "$0")/env.sh"

python3 "$REPO/scripts/prepare-tree.py"
make -s -C "$TREE" LLVM=-19 rustavailable >/dev/null ||
	{ echo "build: Rust is not available to the kernel build (run scripts/setup.sh)" >&2; exit 1; }
"$REPO/scripts/kconfig.sh" "$OBJ" "${FRAGMENTS[@]}"
echo "build: $KERNEL kernel in $OBJ (make -j$JOBS)"
start=$(date +%s)
"${KMAKE[@]}" bzImage modules
echo "build: $KERNEL kernel done in $(($(date +%s) - start)) s"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the project's userspace tools as static binaries for the guest.
set -euo pipefail
. "$(dirname "$0")/env.sh"
export CARGO_TARGET_DIR=$BUILD_DIR/tools-target
RUSTFLAGS="-C target-feature=+crt-static" cargo build -q --release --locked \
	--manifest-path "$REPO/tools/Cargo.toml" --target x86_64-unknown-linux-gnu
echo "tools: built in $CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release"

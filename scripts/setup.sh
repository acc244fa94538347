#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build and the QEMU runs need on a Debian 12 machine, and
# nothing else.  Idempotent: a second run checks and returns in seconds.
set -euo pipefail

BINDGEN_VERSION=0.73.2
PACKAGES=(clang-19 lld-19 llvm-19 libclang-19-dev flex bison bc libelf-dev libssl-dev cpio
	  make rsync xz-utils kmod python3 qemu-system-x86 busybox-static
	  iproute2 ccache linux-source-6.12)

say() { echo "setup: $*"; }

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	say "installing Debian packages: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	say "Debian packages present"
fi

export PATH="$HOME/.cargo/bin:$PATH"
command -v rustc >/dev/null || { say "no rustc on PATH (expected rustup's)"; exit 1; }

sysroot=$(rustc --print sysroot)
if [ ! -d "$sysroot/lib/rustlib/src/rust/library/core" ]; then
	say "adding rust-src for $(rustc --version)"
	rustup component add rust-src
else
	say "rust-src present"
fi

if ! bindgen --version 2>/dev/null | grep -q " $BINDGEN_VERSION\$"; then
	say "installing bindgen-cli $BINDGEN_VERSION"
	cargo install --locked bindgen-cli --version "$BINDGEN_VERSION"
else
	say "bindgen $BINDGEN_VERSION present"
fi
say "toolchain ready"

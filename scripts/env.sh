# SPDX-License-Identifier: GPL-2.0
# Common settings, sourced by the scripts.  BUILD_DIR moves every build
# product (extracted kernel, objects, ccache, initramfs, VM logs) out of
# the checkout; CCACHE_DIR defaults to a folder inside it.
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=$(mkdir -p "${BUILD_DIR:-$REPO/build}" && cd "${BUILD_DIR:-$REPO/build}" && pwd)
export BUILD_DIR
export CCACHE_DIR=${CCACHE_DIR:-$BUILD_DIR/ccache}
export PATH="$HOME/.cargo/bin:$PATH"
TREE=$BUILD_DIR/linux
export TREE
KERNEL=${KERNEL:-debug}
OBJ=$BUILD_DIR/obj-$KERNEL
JOBS=${JOBS:-$(($(nproc) + 1))}
# One compiler for every kernel: clang 19 is what kCFI with Rust needs
# (6.12: clang >= 19.1.3), and bindgen must load the libclang of the
# compiler that builds the kernel.  CC names clang-19 so that ccache does
# not quietly bring back the default clang (Kconfig would drop CFI_CLANG).
LLVM_FLAGS=(LLVM=-19 CC="ccache clang-19")
export LIBCLANG_PATH=/usr/lib/llvm-19/lib
KMAKE=(make -s -C "$TREE" O="$OBJ" "${LLVM_FLAGS[@]}" -j"$JOBS")
# Server variants built as tipc.ko: c = upstream topsrv.c/subscr.c,
# rust = net/tipc/rust (CONFIG_TIPC_SERVER_RUST).
VARIANTS=${VARIANTS:-c rust}

case "$KERNEL" in
plain) FRAGMENTS=("$REPO/configs/base.fragment") ;;
debug) FRAGMENTS=("$REPO/configs/base.fragment" "$REPO/configs/debug.fragment") ;;
# Only for the benchmark (BENCH_CONFIG=distro): SLUB, -O2, overflow checks.
distro) FRAGMENTS=("$REPO/configs/base.fragment" "$REPO/configs/distro.fragment") ;;
*) echo "KERNEL must be plain, debug or distro, not '$KERNEL'" >&2; exit 2 ;;
esac

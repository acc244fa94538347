# SPDX-License-Identifier: GPL-2.0
#
# Top-level driver.  The two commands people need:
#   make run    set-up, plain kernel, tipc.ko, QEMU: live topology events
#   make test   set-up, debug kernel, every test in QEMU, 'N passed, N failed'
# BUILD_DIR (default ./build) holds every build product; CCACHE_DIR follows it.

BUILD_DIR ?= $(CURDIR)/build
export BUILD_DIR

.PHONY: run test reliability bench check series series-check setup kernel modules tools initramfs vm clean help

run:
	@scripts/run.sh

test:
	@scripts/test.sh

# The full reliability suite: debug kernel, then plain kernel (stalled subscribers).
reliability:
	@scripts/reliability.sh

# Rust against C in one guest on the plain kernel; writes bench/results.md.
bench:
	@scripts/bench.sh

# Style: rustfmtcheck, clippy, checkpatch (needs a built debug kernel).
check:
	@scripts/check.sh

# The project as a git format-patch series against the pristine 6.12
# extract, in series/ (ignored); series-check builds it patch by patch.
series:
	@scripts/series.py make

series-check:
	@scripts/series-check.sh

setup:
	@scripts/setup.sh

# Pieces, for development: KERNEL=plain|debug (default debug), VARIANTS="c rust".
kernel:
	@scripts/build-kernel.sh

modules:
	@scripts/build-modules.sh

tools:
	@scripts/build-tools.sh

initramfs: tools
	@scripts/mkinitramfs.sh

# make vm JOB=path/to/script.sh: run one guest job on the last built pieces.
vm:
	@scripts/vm-run.sh $(JOB)

clean:
	rm -rf $(BUILD_DIR)

help:
	@sed -n '3,7p' Makefile

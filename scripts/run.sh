#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The run command: set-up, the plain kernel, tipc.ko, tools, then a QEMU
# guest showing live topology events (demo/topology.sh, or DEMO=script).
set -euo pipefail
export KERNEL=${KERNEL:-plain}
. "$(dirname "$0")/env.sh"
"$REPO/scripts/setup.sh"
"$REPO/scripts/build-kernel.sh"
"$REPO/scripts/build-modules.sh"
"$REPO/scripts/build-tools.sh"
"$REPO/scripts/mkinitramfs.sh"
exec "$REPO/scripts/vm-run.sh" -t 600 -n demo-$KERNEL "${DEMO:-$REPO/demo/topology.sh}"

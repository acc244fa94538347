#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# pair-run.sh [-t SECONDS] VARIANT_A VARIANT_B LEAVER
# Two guests on this host, each its own QEMU and kernel (KERNEL=plain|debug)
# with the tipc.ko of its server variant, one vCPU each, joined by a
# virtio NIC on a QEMU socket network over 127.0.0.1: guest a listens and
# starts first, guest b connects.  Both run tests/guest/pair.sh (TIPC
# Ethernet bearer between them) and meet through a folder shared with the
# host over 9p.  LEAVER (a or b) powers off at the end while the other one
# watches; the host tells it when the leaver's QEMU has exited.  Logs: BUILD_DIR/runs/pair-A-B-{a,b}; exits non-zero if either
# guest's run failed.
set -euo pipefail
. "$(dirname "$0")/env.sh"

timeout=600
while getopts t: o; do
	case $o in
	t) timeout=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# = 3 ] || { echo "usage: pair-run.sh [-t SECONDS] VARIANT_A VARIANT_B LEAVER" >&2; exit 2; }
va=$1 vb=$2 leaver=$3
pair=$va-$vb
runs=$BUILD_DIR/runs
shared=$runs/pair-$pair-shared
rm -rf "$shared" "$runs/pair-$pair-a" "$runs/pair-$pair-b"
mkdir -p "$shared"
: >"$shared/pair"

# Under TCG a guest's TSC is the host's: its rate goes to the guest kernels,
# whose own calibration fails or goes wrong on a busy host.
tsc=$BUILD_DIR/host-tsc-khz
[ "$tsc" -nt "$REPO/scripts/host-tsc-khz.c" ] ||
	clang-19 -O2 -o "$tsc" "$REPO/scripts/host-tsc-khz.c"
export KERNEL_ARGS="tsc_early_khz=$("$tsc")"

# job ROLE: the guest job with its settings in front.
job() {
	local role=$1 peer v pv addr paddr
	if [ "$role" = a ]; then
		peer=b v=$va pv=$vb addr=1.1.1 paddr=1.1.2
	else
		peer=a v=$vb pv=$va addr=1.1.2 paddr=1.1.1
	fi
	cat <<-EOF
	#!/bin/sh
	PAIR=$pair ROLE=$role PEER_ROLE=$peer VARIANT=$v PEER_VARIANT=$pv
	ADDR=$addr PEER_ADDR=$paddr LEAVER=$leaver
	EOF
	sed 1d "$REPO/tests/guest/pair.sh"
}

# guest ROLE NETDEV MAC: one guest, its output prefixed with its role.
guest() {
	local role=$1
	job "$role" >"$runs/pair-$pair-$role.sh"
	CPUS=1 VM_ARGS="-netdev socket,id=n0,$2 -device virtio-net-pci,netdev=n0,mac=$3
		-fsdev local,id=f0,path=$shared,security_model=none
		-device virtio-9p-pci,fsdev=f0,mount_tag=pair" \
		"$REPO/scripts/vm-run.sh" -t "$timeout" -n "pair-$pair-$role" \
		"$runs/pair-$pair-$role.sh" 2>&1 | sed -u "s/^/[$role] /"
	return "${PIPESTATUS[0]}"
}

listening() {
	ss -Hltn "sport = :$port" | grep -q .
}

start=$(date +%s)
# Guest b can connect only once guest a's QEMU listens.  The port is a free
# one the kernel picks; should another process take it before QEMU, QEMU
# fails and the next attempt takes another.
for attempt in 1 2 3; do
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	echo "pair: $va (a, 1.1.1) listening on 127.0.0.1:$port, $vb (b, 1.1.2) connecting; $leaver powers off"
	guest a "listen=127.0.0.1:$port" 52:54:00:00:00:01 &
	a=$!
	for _ in $(seq 300); do
		listening && break
		kill -0 $a 2>/dev/null || break
		sleep 0.1
	done
	listening && break
	echo "pair: guest a never listened on 127.0.0.1:$port (attempt $attempt)" >&2
	kill $a 2>/dev/null || true
	wait $a || true
	[ $attempt = 3 ] && exit 1
done
guest b "connect=127.0.0.1:$port" 52:54:00:00:00:02 &
b=$!
# The leaver's QEMU has exited: the host says so to the other guest, which
# then expects the peer gone within its own link tolerance.
rc=0
if [ "$leaver" = a ]; then first=$a second=$b; else first=$b second=$a; fi
wait $first || rc=1
: >"$shared/host.$leaver-off"
wait $second || rc=1
echo "pair: $pair done in $(($(date +%s) - start)) s (logs: $runs/pair-$pair-{a,b})"
exit $rc

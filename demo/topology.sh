#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Demo job: a TIPC cluster in namespaces and subscribers on node n1
# printing topology events live while nodes and services come and go,
# then n1 managing n2 through the configuration service.
. /lib/guest/lib.sh
v=${DEMO_VARIANT:-rust}
grep -qw "$v" /etc/tipc-variants || v=$(cut -d' ' -f1 /etc/tipc-variants)
say() { echo; echo ">>> $*"; sleep 0.3; }

say "loading tipc.ko with the $v server; nodes n1 (1.1.1) and n2 (1.1.2) in namespaces"
tipc_load "$v" || exit 1
cluster_up 2 || exit 1

say "n1 subscribes to node state (type 0), link state (type 2) and service type 4711"
$IP netns exec n1 /bin/tipc-topo nodes --label "[n1 nodes]" &
$IP netns exec n1 /bin/tipc-topo links --label "[n1 links]" &
$IP netns exec n1 /bin/tipc-topo sub 4711 --label "[n1 4711]" &
sleep 2

say "n2 publishes {4711, 1} for 2 s and {4711, 10..19} for 1 s"
$IP netns exec n2 /bin/tipc-topo bind 4711 1 --hold-ms 2000 &
$IP netns exec n2 /bin/tipc-topo bind 4711 10 19 --hold-ms 1000
sleep 2

say "node n3 (1.1.3) joins and publishes {4711, 7} for 1 s"
node_up n3 1.1.3 && retry 20 peers_up n3 2
$IP netns exec n3 /bin/tipc-topo bind 4711 7 --hold-ms 1000
sleep 1

say "n3 disables its bearer and leaves"
$IP netns exec n3 $TIPC bearer disable media eth dev eth0
sleep 2
node_down n3

if [ "$v" = rust ]; then
	say "n1 manages n2 over TIPC: the configuration service at {0, 1.1.2}"
	cfg() { echo "n1\$ tipc-cfg -m 1.1.2 $*"; $IP netns exec n1 /bin/tipc-cfg -m 1.1.2 "$@"; }
	cfg nodes
	cfg links
	cfg nametable 0
	say "protected commands need n2's net.tipc.remote_management=2 (default 1); private ones are never accepted"
	cfg netid
	$IP netns exec n2 sh -c 'echo 2 >/proc/sys/net/tipc/remote_management'
	echo "n2\$ sysctl net.tipc.remote_management=2"
	cfg netid
	cfg raw 0x800B
fi

say "n1's name table, and its server statistics (/proc/net/tipc_server)"
$IP netns exec n1 $TIPC nametable show
$IP netns exec n1 cat /proc/net/tipc_server 2>/dev/null ||
	echo "(the $v server keeps no statistics file)"
kill $(jobs -p) 2>/dev/null
wait
cluster_down
tipc_unload
say "done"

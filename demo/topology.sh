#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Demo job: a TIPC cluster in namespaces and a subscriber on node n1
# printing topology events while nodes and services come and go.
. /lib/guest/lib.sh
v=$(cut -d' ' -f1 /etc/tipc-variants)
say() { echo; echo ">>> $*"; }

say "loading tipc.ko ($v server), starting nodes n1 (1.1.1) and n2 (1.1.2)"
tipc_load "$v" || exit 1
cluster_up 2 || exit 1
$IP netns exec n1 $TIPC node list

say "n1 subscribes to node state (type 0) and to service type 4711 (all instances)"
$IP netns exec n1 /bin/tipc-topo nodes | sed 's/^/[n1 nodes] /' &
$IP netns exec n1 /bin/tipc-topo sub 4711 | sed 's/^/[n1 4711]  /' &
sleep 1

say "n2 publishes {4711, 1} for 2 s and {4711, 10..19} for 1 s"
$IP netns exec n2 /bin/tipc-topo bind 4711 1 --hold-ms 2000 &
$IP netns exec n2 /bin/tipc-topo bind 4711 10 19 --hold-ms 1000
wait %3 2>/dev/null; sleep 2

say "node n3 (1.1.3) joins"
node_up n3 1.1.3 && retry 20 peers_up n3 2
$IP netns exec n3 /bin/tipc-topo bind 4711 7 --hold-ms 1000
sleep 1

say "n3 goes away"
node_down n3
sleep 4

say "name table as n1 sees it"
$IP netns exec n1 $TIPC nametable show
kill %1 %2 2>/dev/null
cluster_down
tipc_unload
say "done"

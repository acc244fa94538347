# SPDX-License-Identifier: GPL-2.0
# Helpers for guest jobs: results as KTAP between markers the host collects,
# tipc.ko loading per server variant, and TIPC nodes as network namespaces
# on one bridge.

IP=/sbin/ip
TIPC=/sbin/tipc
KUNIT_DEBUGFS=/sys/kernel/debug/kunit

log() { echo "# $*"; }

# ktap_run NAME CMD...: CMD prints one KTAP document; the host parses it as NAME.
ktap_run() {
	name=$1; shift
	echo "@@KTAP-BEGIN $name"
	"$@"
	rc=$?
	echo "@@KTAP-END $name $rc"
	return $rc
}

# kunit_results SUITE NAME: a KUnit suite's results from debugfs, as NAME.
kunit_results() {
	echo "@@KTAP-BEGIN $2"
	cat "$KUNIT_DEBUGFS/$1/results" 2>/dev/null || echo "# no results for KUnit suite $1"
	echo "@@KTAP-END $2 0"
}

# A shell-level KTAP suite: ktap_suite NAME N, then ktap_case NAME CMD... N times.
ktap_suite() {
	KTAP_N=0
	KTAP_FAILED=0
	KTAP_NAME=$1
	echo "@@KTAP-BEGIN $1"
	echo "KTAP version 1"
	echo "1..1"
	echo "    KTAP version 1"
	echo "    # Subtest: $1"
	echo "    1..$2"
}

ktap_case() {
	name=$1; shift
	KTAP_N=$((KTAP_N + 1))
	if out=$("$@" 2>&1); then
		echo "    ok $KTAP_N $name"
	else
		echo "$out" | sed "s/^/    # $name: /"
		echo "    not ok $KTAP_N $name"
		KTAP_FAILED=$((KTAP_FAILED + 1))
	fi
}

ktap_end() {
	if [ "$KTAP_FAILED" -eq 0 ]; then echo "ok 1 $KTAP_NAME"; else echo "not ok 1 $KTAP_NAME"; fi
	echo "@@KTAP-END $KTAP_NAME $KTAP_FAILED"
}

# retry SECONDS CMD...: until CMD succeeds, every 0.2 s.
retry() {
	end=$(($(date +%s) + $1)); shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# tipc_load VARIANT: the tipc.ko built with that server (c, rust).
tipc_load() {
	for m in udp_tunnel ip6_udp_tunnel; do
		grep -q "^$m " /proc/modules || insmod /lib/tipc/$m.ko || return 1
	done
	insmod /lib/tipc/$1/tipc.ko || return 1
	TIPC_VARIANT=$1
}

tipc_unload() {
	for m in $(ls /lib/tipc/kunit/ | sed 's/\.ko$//'); do
		grep -q "^$m " /proc/modules && rmmod "$m"
	done
	# Sockets may still be going away after the last workload.
	retry 10 rmmod tipc 2>/dev/null || { rmmod tipc; return 1; }
}

# kunit_load MODULE: run a KUnit module's suites (they run at load).
kunit_load() {
	insmod /lib/tipc/kunit/$1.ko
}

# node_up NAME ADDR: a TIPC node as namespace NAME with address ADDR (z.c.n),
# its eth0 on bridge tipcbr0 of the initial namespace.
node_up() {
	if ! $IP link show tipcbr0 >/dev/null 2>&1; then
		$IP link add tipcbr0 type bridge &&
		$IP link set tipcbr0 up || return 1
	fi
	$IP netns add "$1" 2>/dev/null
	$IP link add "v$1" type veth peer name eth0 netns "$1" &&
	$IP link set "v$1" master tipcbr0 up &&
	$IP -n "$1" link set lo up &&
	$IP -n "$1" link set eth0 up &&
	$IP netns exec "$1" $TIPC node set addr "$2" &&
	$IP netns exec "$1" $TIPC bearer enable media eth dev eth0
}

node_down() {
	$IP netns del "$1" 2>/dev/null
	$IP link del "v$1" 2>/dev/null
	true
}

# peers_up NAME N: node NAME has N peers with a working link.
peers_up() {
	[ "$($IP netns exec "$1" $TIPC node list | grep -c ' up')" -ge "$2" ]
}

# cluster_up N: nodes n1..nN at 1.1.1..1.1.N, every one seeing the others.
cluster_up() {
	i=1
	while [ $i -le "$1" ]; do
		node_up n$i 1.1.$i || return 1
		i=$((i + 1))
	done
	i=1
	while [ $i -le "$1" ]; do
		retry 20 peers_up n$i $(($1 - 1)) || {
			log "n$i sees: $($IP netns exec n$i $TIPC node list)"
			return 1
		}
		i=$((i + 1))
	done
}

cluster_down() {
	for ns in $(ls /run/netns 2>/dev/null); do
		node_down "$ns"
	done
	$IP link del tipcbr0 2>/dev/null
	true
}

# At the end of a run on a kernel with kmemleak: fails if anything leaked.
kmemleak_report() {
	f=/sys/kernel/debug/kmemleak
	[ -e $f ] || return 0
	# Objects younger than 5 s are never reported; scan twice to settle.
	sleep 6
	echo scan >$f
	echo scan >$f
	if [ -s $f ]; then
		echo "@@KMEMLEAK-SUSPECTS"
		cat $f
		return 1
	fi
	echo "@@KMEMLEAK-CLEAN"
}

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark job: the same workloads against each tipc.ko build, several
# rounds, alternating the order; "c2" is the C build again (noise floor).
# Prints "@@BENCH <variant> <round> <metric> <value>" lines.
. /lib/guest/lib.sh
ROUNDS=${ROUNDS:-3}

workloads() {
	for n in 1 8 64; do
		/bin/topo-bench throughput $n 20000
	done
	/bin/topo-bench subrate 20000 1
	/bin/topo-bench subrate 20000 100
	/bin/topo-bench latency 2000
	/bin/topo-bench submem 20000
	/bin/topo-bench stalled 2000000
}

run_variant() {
	module=$1
	[ "$module" = c2 ] && module=c
	tipc_load "$module" || return 1
	$TIPC node set addr 1.1.1
	workloads | sed -n "s/^BENCH /@@BENCH $1 $2 /p"
	tipc_unload
}

r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) -eq 1 ]; then order="c rust c2"; else order="rust c c2"; fi
	for v in $order; do
		log "round $r: $v"
		run_variant $v $r || exit 1
	done
	r=$((r + 1))
done

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark job. ROUNDS rounds, each one pass per tipc.ko build, in the
# order C Rust | Rust C | C Rust ... (ABBA), so that a drift over the run
# weighs on both builds alike. A pass loads the module, runs every timed
# workload once as a warm-up (WARM_MS each, discarded), then again for
# MS ms of guest time each (measured), then the memory figures (MEMORY=1),
# and unloads the module. Prints "@@BENCH <variant> <round> <metric>
# <value>" and "@@BENCHTIME <variant> <round> <workload> <seconds>".
. /lib/guest/lib.sh
ROUNDS=${ROUNDS:-4}
MS=${MS:-2000}
WARM_MS=${WARM_MS:-250}
MEMORY=${MEMORY:-1}

timed() {
	for n in 0 1 8 64; do
		/bin/topo-bench throughput $n "$1" || return 1
	done
	/bin/topo-bench subrate 1 "$1" || return 1
	/bin/topo-bench subrate 100 "$1" || return 1
	/bin/topo-bench latency "$1"
}

memory() {
	/bin/topo-bench submem 60000 || return 1
	/bin/topo-bench stalled 300000
}

run_pass() {
	tipc_load "$1" || return 1
	$TIPC node set addr 1.1.1
	out=/tmp/bench.out
	timed "$WARM_MS" >/dev/null || { log "warm-up failed"; return 1; }
	timed "$MS" >$out || { log "workload failed"; return 1; }
	if [ "$MEMORY" = 1 ]; then
		memory >>$out || { log "memory workload failed"; return 1; }
	fi
	sed -n -e "s/^BENCH /@@BENCH $1 $2 /p" -e "s/^BENCHTIME /@@BENCHTIME $1 $2 /p" $out
	tipc_unload
}

# Timings need a fine clock: a guest that fell back to jiffies is reported.
echo "@@BENCH-CLOCKSOURCE $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
# The wall-clock figure is an SMP one only if the guest brought both vCPUs up.
echo "@@BENCH-CPUS $(grep -c ^processor /proc/cpuinfo)"
start=$(cut -d' ' -f1 /proc/uptime)
r=1
while [ $r -le "$ROUNDS" ]; do
	if [ $((r % 2)) -eq 1 ]; then order="c rust"; else order="rust c"; fi
	for v in $order; do
		log "round $r: $v"
		run_pass $v $r || exit 1
	done
	r=$((r + 1))
done
echo "@@BENCH-GUEST-SECONDS $(awk -v s="$start" '{ printf "%.0f", $1 - s }' /proc/uptime)"

#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Benchmark job. ROUNDS rounds, each one pass per tipc.ko build, in the
# order C Rust | Rust C | C Rust ... (ABBA), so that a drift over the run
# weighs on both builds alike. A pass loads the module, runs every timed
# workload once as a warm-up (WARM_MS each, discarded), then again for
# MS ms of guest time each (measured), then the memory figures (MEMORY=1),
# and unloads the module. PAIRED=1 pairs per workload instead: a round
# runs each timed workload in turn, for each build (ABBA again) a load,
# that workload's warm-up and measurement and an unload, so that the two
# figures of a pair are seconds apart, not a pass. Prints "@@BENCH
# <variant> <round> <metric> <value>" and "@@BENCHTIME <variant> <round>
# <workload> <seconds>".
. /lib/guest/lib.sh
ROUNDS=${ROUNDS:-4}
MS=${MS:-2000}
WARM_MS=${WARM_MS:-250}
MEMORY=${MEMORY:-1}
PAIRED=${PAIRED:-0}
WORKLOADS="throughput:0 throughput:1 throughput:8 throughput:64 subrate:1
subrate:100 latency"

# timed MS [WORKLOAD...]: the workloads (all if none), MS ms each.
timed() {
	ms=$1
	shift
	for t in ${*:-$WORKLOADS}; do
		/bin/topo-bench $(echo "$t" | tr : ' ') "$ms" || return 1
	done
}

memory() {
	/bin/topo-bench submem 60000 || return 1
	/bin/topo-bench stalled 300000
}

# run_pass VARIANT ROUND [WORKLOAD...]: one pass of the workloads (all,
# then the memory figures, if none) on a freshly loaded build.
run_pass() {
	local variant=$1 round=$2
	shift 2
	tipc_load "$variant" || return 1
	$TIPC node set addr 1.1.1
	out=/tmp/bench.out
	timed "$WARM_MS" "$@" >/dev/null || { log "warm-up failed"; return 1; }
	timed "$MS" "$@" >$out || { log "workload failed"; return 1; }
	if [ "$MEMORY" = 1 ] && [ $# = 0 ]; then
		memory >>$out || { log "memory workload failed"; return 1; }
	fi
	sed -n -e "s/^BENCH /@@BENCH $variant $round /p" \
		-e "s/^BENCHTIME /@@BENCHTIME $variant $round /p" $out
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
	if [ "$PAIRED" = 1 ]; then
		log "round $r: $order, per workload"
		for w in $WORKLOADS; do
			for v in $order; do
				run_pass $v $r $w || exit 1
			done
		done
	else
		for v in $order; do
			log "round $r: $v"
			run_pass $v $r || exit 1
		done
	fi
	r=$((r + 1))
done
echo "@@BENCH-GUEST-SECONDS $(awk -v s="$start" '{ printf "%.0f", $1 - s }' /proc/uptime)"

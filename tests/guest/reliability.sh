#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The reliability suite (Documentation/tipc-rust/reliability.rst).
#
# Functions only: all.sh calls "reliability_run short" with the Rust
# tipc.ko loaded; reliability-full.sh (debug kernel) and
# reliability-stalled.sh (plain kernel, million-event subscribers) are the
# jobs of "make reliability".

# Some load on the server: a subscriber and bindings coming and going.
load_start() {
	/bin/tipc-topo sub 7001 >/dev/null 2>&1 &
	LOAD_SUB=$!
	(while :; do /bin/tipc-topo bind 7001 1 --hold-ms 20 >/dev/null 2>&1; done) &
	LOAD_BIND=$!
	sleep 1
}

load_stop() {
	kill $LOAD_BIND $LOAD_SUB 2>/dev/null
	wait $LOAD_BIND $LOAD_SUB 2>/dev/null
}

# unload_cycles N: N times, an unload under load must fail cleanly (busy)
# and leave TIPC serving; once idle the module unloads and loads again.
unload_cycles() {
	local i=0
	while [ $i -lt "$1" ]; do
		load_start
		if rmmod tipc 2>/dev/null; then
			log "cycle $i: tipc unloaded while sockets existed"
			load_stop
			return 1
		fi
		grep -q '^tipc ' /proc/modules && $TIPC node list >/dev/null || {
			log "cycle $i: TIPC broken after a refused unload"
			load_stop
			return 1
		}
		load_stop
		tipc_unload || { log "cycle $i: unload failed when idle"; return 1; }
		tipc_load rust && $TIPC node set addr 1.1.100 || return 1
		i=$((i + 1))
	done
}

# reliability_run short|full: everything but the million-event run.
# Its own status variable: the callers keep theirs in "fail".
reliability_run() {
	local rfail=0 churn cycles fuzz cfg_fuzz
	if [ "$1" = full ]; then
		churn=200 cycles=20 fuzz=full cfg_fuzz=100000
	else
		churn=20 cycles=3 fuzz= cfg_fuzz=5000
	fi
	CHURN=$churn ktap_run rust:reliability /bin/reliability || rfail=1
	if [ -n "$fuzz" ]; then
		# Every fault scenario 20 times: none may depend on timing.
		ktap_run rust:reliability_repeat /bin/reliability repeat 20 || rfail=1
		ktap_run rust:topology_stress_full /bin/topo-spec stress full || rfail=1
	fi
	ktap_run rust:config_fuzz /bin/cfg-spec fuzz $cfg_fuzz 1.1.100 || rfail=1
	ktap_suite rust:module_unload_cycles 1
	ktap_case "unload_refused_under_load_then_reload_x$cycles" unload_cycles $cycles
	ktap_end
	[ "$KTAP_FAILED" = 0 ] || rfail=1
	return $rfail
}

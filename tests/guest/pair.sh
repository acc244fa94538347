#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# One of the two guests of a two-guest run (scripts/pair-run.sh): a TIPC node
# on its own kernel, joined to the other guest over its virtio NIC.  The host
# puts these settings in front of the script:
#   PAIR     the run's name (e.g. rust-c), used in the suite names
#   ROLE     a or b; PEER_ROLE the other one
#   VARIANT  this node's server (c, rust); PEER_VARIANT the other node's
#   ADDR     this node's address (1.1.1 or 1.1.2); PEER_ADDR the other's
#   LEAVER   the role that powers off at the end; the other one watches
# The two jobs meet only through observed state: marks in the 9p folder
# both guests share (/shared/ROLE.NAME), and events their subscribers print.
. /lib/guest/lib.sh
fail=0
WAIT=120
SUITE_PREFIX="pair-$PAIR:$ROLE-$VARIANT"
PEER_N=${PEER_ADDR##*.}
OWN_N=${ADDR##*.}
LOGS=/tmp/pair
mkdir -p "$LOGS" /shared

# say NAME: tell the other guest that this one reached NAME.
say() {
	: >"/shared/$ROLE.$1"
}

# await NAME: until the other guest said NAME (or ended, or WAIT passed).
await() {
	[ -e "$LOGS/peer-lost" ] && return 1
	end=$(($(date +%s) + WAIT))
	until [ -e "/shared/$PEER_ROLE.$1" ]; do
		if [ -e "/shared/$PEER_ROLE.end" ] || [ "$(date +%s)" -ge "$end" ]; then
			log "the $PEER_ROLE guest never said '$1'"
			: >"$LOGS/peer-lost"
			return 1
		fi
		sleep 0.2
	done
}

# seen FILE N PATTERN: until FILE has at least N lines with PATTERN.
seen_now() {
	[ "$(grep -cF -- "$3" "$LOGS/$1" 2>/dev/null)" -ge "$2" ]
}

seen() {
	[ -e "$LOGS/peer-lost" ] && return 1
	retry "$WAIT" seen_now "$@" || {
		log "$1: wanted $2 lines with '$3', got:"
		sed 's/^/#   /' "$LOGS/$1"
		return 1
	}
}

# The peer's node (type 0) and link (type 2) events, Nth of each kind.
peer_down() {
	seen nodes "$1" "withdrawn 0 <$PEER_ADDR>" &&
		seen links "$1" "withdrawn 2 <$PEER_ADDR>"
}

peer_up() {
	seen nodes "$1" "published 0 <$PEER_ADDR>" &&
		seen links "$1" "published 2 <$PEER_ADDR>"
}

suite_end() {
	ktap_end
	[ "$KTAP_FAILED" = 0 ] || fail=1
}

finish() {
	say end
	exit $fail
}

shared_mounted() {
	mount -t 9p -o trans=virtio,version=9p2000.L pair /shared &&
		[ -e /shared/pair ]
}

one_vcpu() {
	[ "$(grep -c ^processor /proc/cpuinfo)" = 1 ]
}

node_ready() {
	tipc_load "$VARIANT" &&
		$IP link set eth0 up &&
		$TIPC node set addr "$ADDR"
}

# A link tolerance of 10 s (default 1.5 s): a guest whose vCPU a busy host
# starves for a moment must not lose its link; a peer that goes silent
# (powered off) is still seen gone within the waits.
bearer_on() {
	$TIPC bearer enable media eth dev eth0 &&
		$TIPC bearer set tolerance 10000 media eth dev eth0
}

bearer_off() {
	$TIPC bearer disable media eth dev eth0
}

# --- the node, its subscribers, the link to the other guest ---------------
ktap_suite "$SUITE_PREFIX:setup" 6
ktap_case one_vcpu one_vcpu
ktap_case shared_folder shared_mounted
ktap_case node_ready node_ready
/bin/tipc-topo nodes >"$LOGS/nodes" 2>&1 &
subs=$!
/bin/tipc-topo links >"$LOGS/links" 2>&1 &
subs="$subs $!"
/bin/tipc-topo sub 4711 >"$LOGS/svc" 2>&1 &
subs="$subs $!"
ktap_case bearer_on bearer_on
ktap_case peer_node_up seen nodes 1 "published 0 <$PEER_ADDR>"
ktap_case peer_link_up seen links 1 "published 2 <$PEER_ADDR>"
suite_end
[ "$fail" = 0 ] || finish

# --- bindings of one node seen by the other ---------------------------------
ktap_suite "$SUITE_PREFIX:bindings" 2
/bin/tipc-topo bind 4711 "$OWN_N" &
binder=$!
ktap_case peer_binding_published seen svc 1 "published {4711, $PEER_N, $PEER_N} port $PEER_ADDR:"
say bound
await bound
kill $binder
wait $binder 2>/dev/null
ktap_case peer_binding_withdrawn seen svc 1 "withdrawn {4711, $PEER_N, $PEER_N} port $PEER_ADDR:"
say unbound
await unbound
suite_end

# --- each node's bearer goes and comes back, b's first ----------------------
# bearer_round MOVER K: MOVER disables its bearer; both nodes see the other
# go for the Kth time, then come back.
bearer_round() {
	if [ "$ROLE" = "$1" ]; then
		ktap_case own_bearer_disabled bearer_off
		ktap_case "peer_down_as_own_bearer_goes_$2" peer_down "$2"
		await "down$2"
		ktap_case own_bearer_enabled bearer_on
	else
		ktap_case "peer_bearer_gone_node_and_link_down_$2" peer_down "$2"
		say "down$2"
	fi
	ktap_case "peer_up_$(($2 + 1))" peer_up $(($2 + 1))
	say "up$2"
	await "up$2"
}

ktap_suite "$SUITE_PREFIX:bearer" 6
bearer_round b 1
bearer_round a 2
suite_end

# --- configuration service across the two kernels ---------------------------
# Each node's own answers over genetlink, for the other to compare with what
# its service sends over the network.
for c in nodes links nametable; do
	/bin/tipc-cfg --local --hex $c >"/shared/$ROLE.local-$c"
done
say local
await local

same_as_peer_local() {
	/bin/tipc-cfg -m "$PEER_ADDR" --hex "$1" >"$LOGS/remote-$1" &&
		cmp "$LOGS/remote-$1" "/shared/$PEER_ROLE.local-$1"
}

# A node without the service (C server): it publishes {0, addr} with no
# socket behind it, so a request finds nobody to answer; the client gives
# up after its timeout (5 s) with exit status 2.
no_reply() {
	start=$(date +%s)
	/bin/tipc-cfg -m "$PEER_ADDR" nodes >"$LOGS/no-reply" 2>&1
	rc=$?
	took=$(($(date +%s) - start))
	cat "$LOGS/no-reply"
	[ $rc = 2 ] && grep -q 'no reply within the timeout' "$LOGS/no-reply" &&
		[ $took -le 7 ]
}

# The node that was asked is still whole: its link and subscribers are up.
unharmed() {
	$TIPC node list >/dev/null && kill -0 $subs &&
		[ "$(grep -cF "withdrawn 0 <$PEER_ADDR>" "$LOGS/nodes")" = 2 ] &&
		$TIPC link list | grep -q "$(printf '%x' $((0x01001000 + PEER_N))).*up"
}

if [ "$PEER_VARIANT" = rust ]; then
	ktap_suite "$SUITE_PREFIX:config_of_${PEER_VARIANT}_peer" 3
	for c in nodes links nametable; do
		ktap_case "${c}_equal_to_peer_local_answer" same_as_peer_local $c
	done
else
	ktap_suite "$SUITE_PREFIX:config_of_${PEER_VARIANT}_peer" 1
	ktap_case no_reply_from_node_without_service no_reply
fi
say asked
await asked
suite_end
[ -s "$LOGS/no-reply" ] && log "asking the C node: $(cat "$LOGS/no-reply")"
if [ "$VARIANT" = c ] && [ "$PEER_VARIANT" = rust ]; then
	ktap_suite "$SUITE_PREFIX:asked_by_${PEER_VARIANT}_peer" 1
	ktap_case unharmed unharmed
	suite_end
fi

# --- remote management levels, each Rust node's set by the node itself -------
level() {
	echo "$1" >/proc/sys/net/tipc/remote_management
}

# An error reply (exit status 1), not a timeout or a local failure (2).
refused() {
	/bin/tipc-cfg -m "$PEER_ADDR" "$@" >"$LOGS/refused" 2>&1
	rc=$?
	cat "$LOGS/refused"
	[ $rc = 1 ] && grep -q '^tipc-cfg: ' "$LOGS/refused"
}

answered() {
	/bin/tipc-cfg -m "$PEER_ADDR" "$@" >/dev/null
}

# policy_round ASKER: ASKER asks the other node under each level it sets.
policy_round() {
	if [ "$ROLE" = "$1" ]; then
		await "$1-level0"
		ktap_case public_refused_at_level_0 refused nodes
		say "$1-done0"
		await "$1-level1"
		ktap_case public_answered_at_level_1 answered nodes
		ktap_case protected_refused_at_level_1 refused reset-linkstats broadcast-link
		say "$1-done1"
		await "$1-level2"
		ktap_case protected_answered_at_level_2 answered reset-linkstats broadcast-link
		say "$1-done2"
	else
		for l in 0 1 2; do
			level $l
			say "$1-level$l"
			await "$1-done$l"
		done
		level 1
	fi
}

if [ "$VARIANT" = rust ] && [ "$PEER_VARIANT" = rust ]; then
	ktap_suite "$SUITE_PREFIX:policy" 4
	policy_round a
	policy_round b
	suite_end
	say policy
	await policy
fi

# --- one node powers off; the other sees it go --------------------------------
# The watching node's subscribers have been there all along: the peer's
# third withdrawal is its power-off.
if [ "$ROLE" = "$LEAVER" ]; then
	kill $subs
	wait
	say leaving
	finish
fi
# The host marks the leaver's QEMU gone; from then on the peer is silent and
# the link tolerance (10 s) is what the wait for the events depends on.
host_saw_peer_off() {
	end=$(($(date +%s) + 3 * WAIT))
	until [ -e "/shared/host.$PEER_ROLE-off" ]; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

ktap_suite "$SUITE_PREFIX:peer_power_off" 3
await leaving
ktap_case peer_guest_powered_off host_saw_peer_off
ktap_case peer_gone_node_and_link_down peer_down 3
kill $subs
wait
ktap_case unloads tipc_unload
suite_end
finish

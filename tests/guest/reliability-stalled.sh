#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make reliability, plain kernel: subscribers that stall or read slowly
# while millions of events are generated, with the default queue limit.
. /lib/guest/lib.sh
fail=0
tipc_load rust || exit 1
$TIPC node set addr 1.1.100 || fail=1
STALLED_EVENTS=${STALLED_EVENTS:-2000000} STALLED_LIMIT=65536 \
	ktap_run rust:reliability_stalled /bin/reliability stalled_and_slow_subscribers || fail=1
tipc_unload || fail=1
exit $fail

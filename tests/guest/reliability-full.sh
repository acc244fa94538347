#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make reliability, debug kernel: the full reliability suite on the Rust
# server, then the KUnit and protocol suites again to show it still serves.
. /lib/guest/lib.sh
. /lib/guest/reliability.sh
fail=0
ktap_suite rust:module 1
ktap_case loads tipc_load rust
ktap_end
$TIPC node set addr 1.1.100 || fail=1
reliability_run full || fail=1
TIPC_SERVER=rust ktap_run rust:topology_spec /bin/topo-spec || fail=1
ktap_run rust:rust_server /bin/topo-spec server || fail=1
tipc_unload || fail=1
exit $fail

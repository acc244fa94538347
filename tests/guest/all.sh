#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Every in-guest test, for every tipc.ko server variant in the initramfs.
. /lib/guest/lib.sh
. /lib/guest/reliability.sh
fail=0

# rmmod must fail cleanly (busy) and leave TIPC working.
unload_refused() {
	! rmmod tipc 2>/dev/null && grep -q '^tipc ' /proc/modules &&
		$TIPC node list >/dev/null
}

# Built-in suites (the kernel crate's Rust doctests) ran during boot.
for s in $(ls "$KUNIT_DEBUGFS" 2>/dev/null); do
	kunit_results "$s" "boot:$s"
done

for v in $(cat /etc/tipc-variants); do
	log "=== tipc.ko with the $v server ==="
	ktap_suite "$v:module" 1
	ktap_case loads tipc_load "$v"
	ktap_end
	grep -q "^tipc " /proc/modules || { fail=1; continue; }
	# The Rust server's runs it with the rest of the reliability suite.
	if [ "$v" = c ]; then
		ktap_run "$v:threads" /bin/reliability namespaces_add_no_threads || fail=1
	fi
	$TIPC node set addr 1.1.100 || fail=1

	if [ "$v" = rust ]; then
		# Built into tipc.ko; it ran when the module loaded.
		kunit_results tipc_rust_server "$v:tipc_rust_server"
	fi
	kunit_load tipc_topsrv_kunit || fail=1
	kunit_results tipc_topsrv_kernel_client "$v:tipc_topsrv_kernel_client"
	kunit_load tipc_rust_kunit || fail=1
	kunit_results rust_kernel_net_socket "$v:rust_kernel_net_socket"

	TIPC_SERVER=$v ktap_run "$v:topology_spec" /bin/topo-spec || fail=1
	ktap_run "$v:topology_stress" /bin/topo-spec stress || fail=1
	if [ "$v" = rust ]; then
		# After the stress run: its connections must all be gone.
		ktap_run "$v:rust_server" /bin/topo-spec server || fail=1
		# The short run of the reliability suite (fault injection, churn).
		reliability_run short || fail=1
	fi

	ktap_suite "$v:cluster" 1
	ktap_case three_nodes_see_each_other cluster_up 3
	ktap_end
	if [ "$v" = rust ]; then
		# The configuration service, n1 managing n2 (the C server has none).
		ktap_run "$v:config_cluster" \
			$IP netns exec n1 /bin/cfg-spec cluster n2=1.1.2 || fail=1
	fi
	ktap_run "$v:topology_cluster" \
		$IP netns exec n1 /bin/topo-spec cluster n2=1.1.2 n3=1.1.3 || fail=1
	cluster_down

	ktap_suite "$v:module_unload" 2
	/bin/tipc-topo sub 7777 >/dev/null 2>&1 &
	sleep 1
	ktap_case refused_while_a_socket_exists unload_refused
	kill $!
	wait
	ktap_case unloads_when_idle tipc_unload
	ktap_end
	[ "$KTAP_FAILED" = 0 ] || fail=1
done
exit $fail

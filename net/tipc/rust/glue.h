/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The C side of the FFI boundary between tipc.ko and its Rust server
 * (CONFIG_TIPC_SERVER_RUST): what Rust cannot reach by itself because it
 * lives in tipc.ko's private headers (name table subscriptions, binding of
 * reserved service types, internal messages) and what C calls in Rust.
 */
#ifndef _TIPC_RUST_GLUE_H
#define _TIPC_RUST_GLUE_H

#include <linux/types.h>

struct net;
struct sk_buff;
struct socket;
struct seq_file;
struct tipc_event;
struct tipc_subscription;

/* A name table change as a subscription sees it, in host byte order. */
struct tipc_rs_report {
	u32 lower;
	u32 upper;
	u32 ref;
	u32 node;
	u32 key;
	u32 event;
	int scope;
	bool must;
};

/* In glue.c. */
struct tipc_subscription *tipc_rs_sub_create(struct net *net, u32 type,
					     u32 lower, u32 upper, u32 filter,
					     u32 timeout, const void *owner);
void tipc_rs_sub_delete(struct tipc_subscription *sub);
int tipc_rs_sock_publish(struct socket *sock, u32 type, u32 lower, u32 upper,
			 int scope, int importance);
bool tipc_rs_kern_evt(struct net *net, const struct tipc_event *evt);
void *tipc_rs_net_servers(struct net *net);
void tipc_rs_set_net_servers(struct net *net, void *servers);
u32 tipc_rs_queue_limit(void);
u32 tipc_rs_reply_queue_limit(void);
u32 tipc_rs_own_addr(struct net *net);
u32 tipc_rs_remote_management(struct net *net);
int tipc_rs_sock_set_droppable(struct socket *sock);
const void *tipc_rs_skb_data(struct sk_buff *skb, u32 *len);
void tipc_rs_skb_free(struct sk_buff *skb);

/*
 * Fault-injection points (see fault.c); the Rust server names the same
 * values in core/fault.rs.
 */
enum tipc_rs_fault {
	TIPC_RS_FAULT_ACCEPT_BEFORE_START,
	TIPC_RS_FAULT_RECEIVE_BEFORE_HANDLE,
	TIPC_RS_FAULT_STOP_BEFORE_DRAIN,
	TIPC_RS_FAULT_SEND_BEFORE_SEND,
	TIPC_RS_FAULT_SEND_BEFORE_REQUEUE,
	TIPC_RS_FAULT_NODE_STATE,
	TIPC_RS_FAULT_EXIT_AFTER_STOP,
	TIPC_RS_FAULT_FINALIZE,
	TIPC_RS_FAULT_SEND_WORK_START,
	TIPC_RS_FAULT_NR
};

/* In fault.c, built with CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION. */
#ifdef TIPC_RS_FAULT_INJECTION
void tipc_rs_fault_point(struct net *net, u32 point);
#else
static inline void tipc_rs_fault_point(struct net *net, u32 point)
{
}
#endif

/*
 * In Rust (rust/ffi.rs). C calls these directly, never through a function
 * pointer: a kCFI kernel checks every indirect call's type, and these are
 * the only calls from C into the server.
 */
int tipc_rs_net_init(struct net *net);
void tipc_rs_net_exit(void *servers);
void tipc_rs_stats_show(struct net *net, struct seq_file *seq);
/*
 * A subscription's owner: @report for every name table change it sees
 * (softirq or process context, name table locks held), @expired when its
 * timer fires (softirq). Neither sleeps.
 */
void tipc_rs_sub_report(const void *owner, const struct tipc_rs_report *r);
void tipc_rs_sub_expired(const void *owner);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The boundary between tipc.ko's C code and its Rust server
 * (CONFIG_TIPC_SERVER_RUST). rust/bindings/bindings_helper.h includes this
 * header: the Rust side's declarations are generated from it, and the Rust
 * definitions of the functions C calls are checked against it, so both
 * sides compile against the same prototypes.
 *
 * tipc.ko's C code calls the server only directly, never through a function
 * pointer of its own: a kCFI kernel checks the type of every indirect call.
 * (The socket callbacks and work functions the kernel crate installs are
 * typed by construction.) Prototypes repeated here from topsrv.h and
 * netlink.h are checked against those by the compiler, since glue.c
 * includes both.
 */
#ifndef _TIPC_RUST_GLUE_H
#define _TIPC_RUST_GLUE_H

#include <linux/types.h>

struct net;
struct sk_buff;
struct socket;
struct kvec;
struct seq_file;
struct tipc_event;
struct kthread_worker;
struct workqueue_struct;
struct tipc_subscr;

/*
 * What the server needs and uapi/linux/tipc.h does not define: tipc.ko's
 * private values, which glue.c checks against their headers.
 */
#define TIPC_RS_MAX_SUBSCR		65535	/* TIPC_MAX_SUBSCR, subscr.h */
/* The largest text reply, ULTRA_STRING_MAX_LEN of netlink_compat.c. */
#define TIPC_RS_ULTRA_STRING_MAX_LEN	32768
/*
 * The most a subscription's owner may ask of tipc_rs_sub_alloc(): with it,
 * a subscription is one kmalloc-128 object (glue.c checks that, without
 * lockdep, which makes the timer larger).
 */
#define TIPC_RS_SUB_OWNER_MAX		32

/*
 * A name table change that passed the subscription's filter, in host byte
 * order.
 */
struct tipc_rs_report {
	u32 lower;
	u32 upper;
	u32 port;
	u32 node;
	u32 key;	/* the publication's key: with the socket, one binding */
	u32 event;	/* TIPC_PUBLISHED or TIPC_WITHDRAWN */
};

/* Fault-injection points (fault.c); the Rust server names them too. */
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
	TIPC_RS_FAULT_RECEIVE_HELD,
	TIPC_RS_FAULT_NR
};

/* In glue.c, for Rust. */
void *tipc_rs_sub_alloc(size_t size);
bool tipc_rs_sub_register(void *owner, struct net *net,
			  const struct tipc_subscr *s);
const struct tipc_subscr *tipc_rs_sub_request(const void *owner);
void tipc_rs_sub_withdraw(void *owner);
void tipc_rs_sub_free(void *owner);
int tipc_rs_sock_publish(struct socket *sock, u32 type, u32 lower, u32 upper,
			 int scope, int importance);
bool tipc_rs_kern_evt(struct net *net, const struct tipc_event *evt);
const void *tipc_rs_net_servers(struct net *net);
struct kthread_worker *tipc_rs_recv_worker(struct net *net);
struct workqueue_struct *tipc_rs_send_queue(struct net *net);
u32 tipc_rs_queue_limit(void);
u32 tipc_rs_reply_queue_limit(void);
u32 tipc_rs_own_addr(struct net *net);
u32 tipc_rs_remote_management(struct net *net);
int tipc_rs_sock_set_droppable(struct socket *sock);
bool tipc_rs_sock_poll_rx(struct socket *sock, struct kthread_worker *worker);
void tipc_rs_sock_lock(struct socket *sock);
void tipc_rs_sock_unlock(struct socket *sock);
const void *tipc_rs_skb_data(struct sk_buff *skb, u32 *len);
void tipc_rs_skb_free(struct sk_buff *skb);
/*
 * In socket.c (patch 0006), declared in socket.h too: sends @msgs, one
 * message each, on a connected SOCK_SEQPACKET socket under one lock;
 * returns how many went, or -EAGAIN (congested) or an error if none did.
 */
int tipc_sk_send_batch(struct socket *sock, const struct kvec *msgs, int cnt);
/*
 * In socket.c (patch 0010), declared in socket.h too: receives the queued
 * messages of a connected SOCK_SEQPACKET socket under one lock, at most
 * @cnt, message i into @buf + i * @size (truncated to @size) with its length
 * in @lens[i] (0: the peer shut down); returns how many, or -EAGAIN (none
 * queued) or an error if none.
 */
int tipc_sk_recv_batch(struct socket *sock, void *buf, size_t size, u32 *lens,
		       int cnt);
/* In netlink_compat.c (patch 0003), declared in netlink.h too. */
int tipc_nl_compat_serve(struct net *net, u16 cmd, const void *req,
			 int req_size, struct sk_buff **rep);

/* In fault.c, with CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION. */
void tipc_rs_fault_point(struct net *net, u32 point);
static inline void tipc_rs_fault(struct net *net, u32 point)
{
#ifdef TIPC_RS_FAULT_INJECTION
	tipc_rs_fault_point(net, point);
#endif
}

/*
 * In Rust (boundary/entry.rs). The pernet hooks: init starts the servers
 * of @net and stores what exit gets back in @servers.
 */
int tipc_rs_net_init(struct net *net, const void **servers);
void tipc_rs_net_exit(const void *servers);
void tipc_rs_stats_show(struct net *net, struct seq_file *seq);
/*
 * A subscription's owner: @report for every name table change it sees
 * (softirq or process context, name table locks held), @expired when its
 * timer fires (softirq). Neither sleeps. @s is the subscription's request
 * as the name table holds it, in host byte order.
 */
void tipc_rs_sub_report(const void *owner, const struct tipc_subscr *s,
			const struct tipc_rs_report *r);
void tipc_rs_sub_expired(const void *owner, const struct tipc_subscr *s);
/* Declared in topsrv.h: what net.c and group.c call. */
bool tipc_topsrv_publish_node_state(struct net *net, u32 addr);
bool tipc_topsrv_kern_subscr(struct net *net, u32 port, u32 type, u32 lower,
			     u32 upper, u32 filter, int *conid);
void tipc_topsrv_kern_unsubscr(struct net *net, int conid);
/* The KUnit cases (kunit.c), with CONFIG_TIPC_SERVER_RUST_KUNIT_TEST. */
u32 tipc_rs_kunit_cases(void);
const char *tipc_rs_kunit_name(u32 i);
int tipc_rs_kunit_run(u32 i);

#endif

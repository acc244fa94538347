// SPDX-License-Identifier: GPL-2.0
/*
 * C glue of the Rust TIPC server (see glue.h): the smallest set of calls
 * into tipc.ko internals that the Rust side needs, and the entry points
 * through which tipc.ko's C code reaches the Rust server.
 */
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/proc_fs.h>
#include <linux/rtnetlink.h>
#include <linux/sched/stat.h>
#include <linux/seq_file.h>
#include <linux/sysctl.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <uapi/linux/sched/types.h>

#include "../core.h"
#include "../addr.h"
#include "../bearer.h"
#include "../msg.h"
#include "../name_table.h"
#include "../socket.h"
#include "../subscr.h"
#include "../topsrv.h"
#include "glue.h"

static_assert(TIPC_RS_MAX_SUBSCR == TIPC_MAX_SUBSCR);

static unsigned int event_queue_limit = 65536;
module_param(event_queue_limit, uint, 0644);
MODULE_PARM_DESC(event_queue_limit,
		 "Events a topology connection may have waiting before it is closed (Rust server)");

u32 tipc_rs_queue_limit(void)
{
	return READ_ONCE(event_queue_limit);
}

static unsigned int reply_queue_limit = 262144;
module_param(reply_queue_limit, uint, 0644);
MODULE_PARM_DESC(reply_queue_limit,
		 "Bytes of replies the configuration service may have waiting (Rust server)");

u32 tipc_rs_reply_queue_limit(void)
{
	return READ_ONCE(reply_queue_limit);
}

#define RECV_POLL_MAX_US 1000U
static unsigned int recv_poll_us = 20;
module_param(recv_poll_us, uint, 0644);
MODULE_PARM_DESC(recv_poll_us,
		 "Microseconds a topology connection's receive that ran out of requests polls for more (Rust server; 0: never; above 1000: 1000)");

/*
 * What the Rust server keeps per namespace, where tipc_net keeps the C
 * server's pointer: the Rust servers and the configuration service's
 * sysctl.
 */
struct tipc_rs_net {
	struct net *net;
	const void *servers;
	struct kthread_worker *recv_worker;
	struct workqueue_struct *send_wq;
	int remote_management;
	struct ctl_table_header *sysctl;
};

/* tipc_net's server pointer is opaque outside topsrv.c: it holds ours. */
static struct tipc_rs_net *rs_net(struct net *net)
{
	return (struct tipc_rs_net *)READ_ONCE(tipc_net(net)->topsrv);
}

/*
 * name_table.c links subscriptions through struct tipc_subscription; the
 * Rust owner's state follows it in the same allocation (one per
 * subscription), at an offset only C knows.
 */
struct tipc_rs_sub {
	struct tipc_subscription sub;
	u64 owner[];
};

/* The Rust side places its state at 8-byte alignment. */
static_assert(offsetof(struct tipc_rs_sub, owner) % 8 == 0);
#ifndef CONFIG_LOCKDEP
/* One kmalloc-128 object per subscription (lockdep enlarges the timer). */
static_assert(sizeof(struct tipc_rs_sub) + TIPC_RS_SUB_OWNER_MAX <= 128);
#endif

static struct tipc_rs_sub *rs_sub(struct tipc_subscription *sub)
{
	return container_of(sub, struct tipc_rs_sub, sub);
}

static struct tipc_rs_sub *rs_owner_sub(const void *owner)
{
	return (struct tipc_rs_sub *)((const char *)owner -
				      offsetof(struct tipc_rs_sub, owner));
}

void tipc_sub_get(struct tipc_subscription *sub)
{
	kref_get(&sub->kref);
}

static void tipc_rs_sub_release(struct kref *kref)
{
	kfree(rs_sub(container_of(kref, struct tipc_subscription, kref)));
}

void tipc_sub_put(struct tipc_subscription *sub)
{
	kref_put(&sub->kref, tipc_rs_sub_release);
}

/*
 * Called by the name table, in softirq or process context, locks held. The
 * filter is upstream's (subscr.c): the Rust side sees only what it reports.
 */
void tipc_sub_report_overlap(struct tipc_subscription *sub,
			     struct publication *p, u32 event, bool must)
{
	struct tipc_service_range *sr = &sub->s.seq;
	u32 filter = sub->s.filter;
	struct tipc_rs_report r;

	if (max(sr->lower, p->sr.lower) > min(sr->upper, p->sr.upper))
		return;
	if (!must && !(filter & TIPC_SUB_PORTS))
		return;
	if (filter & TIPC_SUB_CLUSTER_SCOPE && p->scope == TIPC_NODE_SCOPE)
		return;
	if (filter & TIPC_SUB_NODE_SCOPE && p->scope != TIPC_NODE_SCOPE)
		return;
	r = (struct tipc_rs_report) {
		.lower = p->sr.lower,
		.upper = p->sr.upper,
		.port = p->sk.ref,
		.node = p->sk.node,
		.key = p->key,
		.event = event,
	};
	tipc_rs_sub_report(rs_sub(sub)->owner, &sub->s, &r);
}

static void tipc_rs_sub_timeout(struct timer_list *t)
{
	struct tipc_subscription *sub = from_timer(sub, t, timer);

	tipc_rs_sub_expired(rs_sub(sub)->owner, &sub->s);
}

/*
 * Allocates a subscription, not yet registered, with @size zeroed bytes
 * for its owner (8-byte aligned): returns the owner's area, or NULL.
 * tipc_rs_sub_free() frees it.
 */
void *tipc_rs_sub_alloc(size_t size)
{
	size_t words = DIV_ROUND_UP(size, sizeof(u64));
	struct tipc_rs_sub *rs;
	struct tipc_subscription *sub;

	if (WARN_ON_ONCE(size > TIPC_RS_SUB_OWNER_MAX))
		return NULL;
	rs = kzalloc(struct_size(rs, owner, words), GFP_KERNEL);
	if (!rs)
		return NULL;
	/* The C server's fields are left out of the struct (patch 0007) */
	sub = &rs->sub;
	INIT_LIST_HEAD(&sub->service_list);
	kref_init(&sub->kref);
	timer_setup(&sub->timer, tipc_rs_sub_timeout, 0);
	return rs->owner;
}

/*
 * Registers the subscription of @owner, for request @s (validated, in host
 * byte order, as the name table reads it), with the name table; the
 * bindings already in its range are reported to @owner before this
 * returns. False if the name table could not take it: then no callback
 * runs.
 */
bool tipc_rs_sub_register(void *owner, struct net *net,
			  const struct tipc_subscr *s)
{
	struct tipc_subscription *sub = &rs_owner_sub(owner)->sub;

	sub->net = net;
	sub->s = *s;
	if (!tipc_nametbl_subscribe(sub))
		return false;
	if (s->timeout != TIPC_WAIT_FOREVER)
		mod_timer(&sub->timer, jiffies + msecs_to_jiffies(s->timeout));
	return true;
}

/*
 * The request of @owner's subscription, in host byte order; it does not
 * change once registered.
 */
const struct tipc_subscr *tipc_rs_sub_request(const void *owner)
{
	return &rs_owner_sub(owner)->sub.s;
}

/*
 * Withdraws a registered subscription. Once this returns, its owner's
 * callbacks are neither running nor will run: the name table calls them
 * under locks that tipc_nametbl_unsubscribe() takes, and the timer is
 * shut down.
 */
void tipc_rs_sub_withdraw(void *owner)
{
	struct tipc_subscription *sub = &rs_owner_sub(owner)->sub;

	tipc_nametbl_unsubscribe(sub);
	timer_shutdown_sync(&sub->timer);
}

/*
 * Frees what tipc_rs_sub_alloc() returned, once it is withdrawn or was
 * never registered (the name table holds no reference then).
 */
void tipc_rs_sub_free(void *owner)
{
	tipc_sub_put(&rs_owner_sub(owner)->sub);
}

/*
 * Publishes a server socket's service address. tipc_sk_bind() rather than
 * kernel_bind(): the latter refuses the reserved types (< 64) servers use.
 */
int tipc_rs_sock_publish(struct socket *sock, u32 type, u32 lower, u32 upper,
			 int scope, int importance)
{
	struct sockaddr_tipc sa = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_RANGE,
		.scope = scope,
		.addr.nameseq = { type, lower, upper },
	};
	int rc;

	if (sock->sk->sk_family != AF_TIPC)
		return -EINVAL;
	lock_sock(sock->sk);
	rc = tsk_set_importance(sock->sk, importance);
	release_sock(sock->sk);
	if (rc)
		return rc;
	return tipc_sk_bind(sock, (struct sockaddr *)&sa, sizeof(sa));
}

/*
 * Delivers a topology event to the kernel subscriber (a group member
 * socket) whose port is in the first word of usr_handle; false if no
 * message could be allocated for it.
 */
bool tipc_rs_kern_evt(struct net *net, const struct tipc_event *evt)
{
	u32 node = tipc_own_addr(net);
	struct sk_buff_head queue;
	struct sk_buff *skb;
	u32 port;

	/* The member socket's port is the first word of the handle. */
	memcpy(&port, evt->s.usr_handle, sizeof(port));
	skb = tipc_msg_create(TOP_SRV, 0, INT_H_SIZE, sizeof(*evt),
			      node, node, port, port, 0);
	if (!skb)
		return false;
	/* Dropped rather than bounced if the member is gone meanwhile. */
	msg_set_dest_droppable(buf_msg(skb), true);
	memcpy(msg_data(buf_msg(skb)), evt, sizeof(*evt));
	/* tipc_sk_rcv() takes the queue's lock: a fully initialised list. */
	skb_queue_head_init(&queue);
	__skb_queue_tail(&queue, skb);
	tipc_loopback_trace(net, &queue);
	tipc_sk_rcv(net, &queue);
	return true;
}

/*
 * NULL once tipc_topsrv_exit_net() has begun: tipc_net_finalize() can still
 * run then (pernet exits run in reverse order, and tipc_exit_net(), which
 * stops the bearers and the finalize work, comes after ours). It calls in
 * under RTNL, the lock under which the exit clears the pointer.
 */
const void *tipc_rs_net_servers(struct net *net)
{
	struct tipc_rs_net *rs = rs_net(net);

	/* Pairs with the release in tipc_topsrv_init_net(). */
	return rs ? smp_load_acquire(&rs->servers) : NULL;
}

u32 tipc_rs_own_addr(struct net *net)
{
	return tipc_own_addr(net);
}

/* Undeliverable messages from @sock are dropped, not returned to it. */
int tipc_rs_sock_set_droppable(struct socket *sock)
{
	int one = 1;

	return sock->ops->setsockopt(sock, SOL_TIPC, TIPC_DEST_DROPPABLE,
				     KERNEL_SOCKPTR(&one), sizeof(one));
}

/*
 * Polls @sock's receive queue for at most recv_poll_us, and only while the
 * CPU would otherwise idle: nothing else is runnable on it or queued on
 * @worker, and the socket is not shut down. A client that pipelines
 * requests sends the next within microseconds; a worker that slept instead
 * costs that client a wakeup (an IPI if the worker's CPU went idle) every
 * few dozen requests.
 */
bool tipc_rs_sock_poll_rx(struct socket *sock, struct kthread_worker *worker)
{
	u64 us = min(READ_ONCE(recv_poll_us), RECV_POLL_MAX_US);
	u64 end = ktime_get_ns() + us * NSEC_PER_USEC;
	struct sock *sk = sock->sk;

	while (skb_queue_empty_lockless(&sk->sk_receive_queue)) {
		if (need_resched() || !single_task_running() ||
		    !list_empty(&worker->work_list) ||
		    READ_ONCE(sk->sk_shutdown) || ktime_get_ns() >= end)
			return false;
		cpu_relax();
	}
	return true;
}

/*
 * Owns @sock (lock_sock()) while the caller handles what it received:
 * what the peer sends meanwhile goes to the socket's backlog, which
 * tipc_rs_sock_unlock() processes.
 */
void tipc_rs_sock_lock(struct socket *sock)
{
	lock_sock(sock->sk);
}

void tipc_rs_sock_unlock(struct socket *sock)
{
	release_sock(sock->sk);
}

const void *tipc_rs_skb_data(struct sk_buff *skb, u32 *len)
{
	*len = skb->len;
	return skb->data;
}

void tipc_rs_skb_free(struct sk_buff *skb)
{
	kfree_skb(skb);
}

u32 tipc_rs_remote_management(struct net *net)
{
	struct tipc_rs_net *rs = rs_net(net);

	/* A namespace on its way out manages nothing remotely. */
	return rs ? READ_ONCE(rs->remote_management) : 0;
}

/*
 * net.tipc.remote_management: what other nodes may do through the
 * configuration service. Only a network admin of the namespace may change
 * it, whatever the file's mode lets through.
 */
static int tipc_rs_remote_management_handler(const struct ctl_table *table,
					     int write, void *buffer,
					     size_t *lenp, loff_t *ppos)
{
	struct tipc_rs_net *rs = container_of(table->data, struct tipc_rs_net,
					      remote_management);

	if (write && !ns_capable(rs->net->user_ns, CAP_NET_ADMIN))
		return -EPERM;
	return proc_dointvec_minmax(table, write, buffer, lenp, ppos);
}

static const struct ctl_table tipc_rs_sysctl_template[] = {
	{
		.procname	= "remote_management",
		.maxlen		= sizeof(int),
		.mode		= 0644,
		.proc_handler	= tipc_rs_remote_management_handler,
		.extra1		= SYSCTL_ZERO,
		.extra2		= SYSCTL_TWO,
	},
};

static int tipc_rs_sysctl_init(struct tipc_rs_net *rs)
{
	struct ctl_table *table;

	table = kmemdup(tipc_rs_sysctl_template,
			sizeof(tipc_rs_sysctl_template), GFP_KERNEL);
	if (!table)
		return -ENOMEM;
	table[0].data = &rs->remote_management;
	rs->sysctl = register_net_sysctl_sz(rs->net, "net/tipc", table,
					    ARRAY_SIZE(tipc_rs_sysctl_template));
	if (!rs->sysctl) {
		kfree(table);
		return -ENOMEM;
	}
	return 0;
}

static void tipc_rs_sysctl_exit(struct tipc_rs_net *rs)
{
	const struct ctl_table *table = rs->sysctl->ctl_table_arg;

	unregister_net_sysctl_table(rs->sysctl);
	kfree(table);
}

static int tipc_rs_stats_seq_show(struct seq_file *seq, void *v)
{
	tipc_rs_stats_show(seq_file_single_net(seq), seq);
	return 0;
}

/*
 * From here on tipc_rs_net_servers() finds nothing (see there): cleared
 * under RTNL, which tipc_net_finalize() holds when it calls in.
 */
static void tipc_rs_unlink(struct net *net)
{
	rtnl_lock();
	WRITE_ONCE(tipc_net(net)->topsrv, NULL);
	rtnl_unlock();
}

/*
 * The topology server's receive work (accepting, reading and handling
 * subscriptions) runs on kthread workers shared by every namespace, so a
 * namespace adds no thread: one per CPU online when the first namespace
 * starts, at most TIPC_RS_RECV_WORKERS, each namespace given one in turn.
 * Their threads are SCHED_BATCH: a request wakes its worker without
 * preempting the client that sent it, which keeps the CPU until it blocks
 * or its slice ends; the worker then handles every request queued
 * meanwhile in one run. A workqueue's worker preempted the client every few
 * requests (bench/analysis.md). The configuration service, whose commands
 * may wait for RTNL, stays on workqueues of its own.
 *
 * The topology server sends its events on one per-CPU workqueue, shared
 * the same way (a per-CPU queue costs a pool_workqueue per possible CPU):
 * an event goes out on the CPU that reported it, where an unbound worker
 * woke on another CPU and woke the reader back across. The default
 * max_active: the CPU's worker pool starts the next work item when the
 * running one sleeps, so a sleeping send work does not hold up the next
 * (up to 256 active per CPU, every namespace's together); it sleeps with
 * nothing but its own connection's (server.rst).
 */
#define TIPC_RS_RECV_WORKERS 8

static DEFINE_MUTEX(tipc_rs_workers_lock);
static struct kthread_worker **tipc_rs_workers;
static unsigned int tipc_rs_nr_workers;
static unsigned int tipc_rs_workers_users;
static unsigned int tipc_rs_next_worker;

static struct workqueue_struct *tipc_rs_send_wq;

/*
 * The receive workers first: a receive run may queue send work. Both are
 * idle by now (the last namespace's servers have stopped); the order only
 * keeps that true should a caller ever destroy them earlier.
 */
static void tipc_rs_workers_destroy(void)
{
	while (tipc_rs_nr_workers)
		kthread_destroy_worker(tipc_rs_workers[--tipc_rs_nr_workers]);
	kfree(tipc_rs_workers);
	tipc_rs_workers = NULL;
	if (tipc_rs_send_wq)
		destroy_workqueue(tipc_rs_send_wq);
	tipc_rs_send_wq = NULL;
}

static int tipc_rs_workers_create(void)
{
	struct sched_attr batch = {
		.size = sizeof(batch),
		.sched_policy = SCHED_BATCH,
	};
	unsigned int n = min(num_online_cpus(), TIPC_RS_RECV_WORKERS);
	struct kthread_worker *w;
	int rc;

	tipc_rs_workers = kcalloc(n, sizeof(*tipc_rs_workers), GFP_KERNEL);
	if (!tipc_rs_workers)
		return -ENOMEM;
	/* Not WQ_MEM_RECLAIM, as upstream's: the server frees no memory */
	tipc_rs_send_wq = alloc_workqueue("tipc_rs_send", 0, 0);
	if (!tipc_rs_send_wq) {
		tipc_rs_workers_destroy();
		return -ENOMEM;
	}
	while (tipc_rs_nr_workers < n) {
		w = kthread_create_worker(0, "tipc_rs_rcv/%u",
					  tipc_rs_nr_workers);
		if (IS_ERR(w)) {
			tipc_rs_workers_destroy();
			return PTR_ERR(w);
		}
		tipc_rs_workers[tipc_rs_nr_workers++] = w;
		rc = sched_setattr_nocheck(w->task, &batch);
		if (rc) {
			tipc_rs_workers_destroy();
			return rc;
		}
	}
	return 0;
}

/* Takes a reference on the workers for @rs's namespace and gives it one. */
static int tipc_rs_workers_get(struct tipc_rs_net *rs)
{
	int rc = 0;

	mutex_lock(&tipc_rs_workers_lock);
	if (!tipc_rs_workers_users)
		rc = tipc_rs_workers_create();
	if (!rc) {
		tipc_rs_workers_users++;
		rs->recv_worker = tipc_rs_workers[tipc_rs_next_worker++ %
						  tipc_rs_nr_workers];
		rs->send_wq = tipc_rs_send_wq;
	}
	mutex_unlock(&tipc_rs_workers_lock);
	return rc;
}

/* Runs what is queued, then stops the workers with their last user. */
static void tipc_rs_workers_put(void)
{
	mutex_lock(&tipc_rs_workers_lock);
	if (!--tipc_rs_workers_users)
		tipc_rs_workers_destroy();
	mutex_unlock(&tipc_rs_workers_lock);
}

/*
 * The receive worker of @net's servers: valid from before they start until
 * after the pernet exit has stopped them; NULL once that exit has begun.
 */
struct kthread_worker *tipc_rs_recv_worker(struct net *net)
{
	struct tipc_rs_net *rs = rs_net(net);

	return rs ? rs->recv_worker : NULL;
}

/*
 * The send workqueue of @net's connection-oriented servers (the topology
 * server, and the KUnit suites' own), valid as their receive worker.
 */
struct workqueue_struct *tipc_rs_send_queue(struct net *net)
{
	struct tipc_rs_net *rs = rs_net(net);

	return rs ? rs->send_wq : NULL;
}

/* Pernet hooks of the server, registered by core.c. */
int __net_init tipc_topsrv_init_net(struct net *net)
{
	struct tipc_rs_net *rs = kzalloc(sizeof(*rs), GFP_KERNEL);
	const void *servers;
	int rc;

	if (!rs)
		return -ENOMEM;
	rs->net = net;
	rs->remote_management = 1;
	tipc_net(net)->topsrv = (struct tipc_topsrv *)rs;
	rc = tipc_rs_workers_get(rs);
	if (rc)
		goto free;
	rc = tipc_rs_sysctl_init(rs);
	if (rc)
		goto workers;
	rc = tipc_rs_net_init(net, &servers);
	if (rc)
		goto sysctl;
	/* Group sockets may look for the servers from now on. */
	smp_store_release(&rs->servers, servers);
	if (!proc_create_net_single("tipc_server", 0444, net->proc_net,
				    tipc_rs_stats_seq_show, NULL)) {
		rc = -ENOMEM;
		goto servers;
	}
	return 0;
servers:
	tipc_rs_unlink(net);
	tipc_rs_net_exit(servers);
	tipc_rs_sysctl_exit(rs);
	tipc_rs_workers_put();
	kfree(rs);
	return rc;
sysctl:
	tipc_rs_sysctl_exit(rs);
workers:
	tipc_rs_workers_put();
free:
	tipc_rs_unlink(net);
	kfree(rs);
	return rc;
}

void __net_exit tipc_topsrv_exit_net(struct net *net)
{
	struct tipc_rs_net *rs = rs_net(net);

	/* Waits for the readers of the proc file. */
	remove_proc_entry("tipc_server", net->proc_net);
	tipc_rs_unlink(net);
	tipc_rs_net_exit(rs->servers);
	tipc_rs_sysctl_exit(rs);
	tipc_rs_workers_put();
	kfree(rs);
	/* Until tipc_exit_net() stops them, bearers may still finalize. */
	tipc_rs_fault(net, TIPC_RS_FAULT_EXIT_AFTER_STOP);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the Rust TIPC server
 * (CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION): tests stop the server at a
 * point of a race window (enum tipc_rs_fault in glue.h) and make the
 * other side of the race happen meanwhile.
 *
 * A point selected in fault_points, reached in the namespace fault_net
 * (the inode number of /proc/<pid>/ns/net; 0 for any), counts a hit in
 * fault_hits (one count per point). It then waits while its bit is set in
 * fault_hold, so that a test can release it once the state it needs is
 * there; a point not held sleeps fault_delay_ms instead (0: it only
 * counts). A hold ends after fault_hold_ms at the latest (counted in
 * fault_expired), so a test that dies never leaves the server stuck.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/sysfs.h>
#include <linux/wait.h>
#include <net/net_namespace.h>

#include "glue.h"

static unsigned int fault_points;
module_param(fault_points, uint, 0644);
MODULE_PARM_DESC(fault_points, "Mask of server fault-injection points to stop at");

static unsigned int fault_net;
module_param(fault_net, uint, 0644);
MODULE_PARM_DESC(fault_net, "Namespace (inode number) the points apply to; 0: any");

static unsigned int fault_delay_ms = 200;
module_param(fault_delay_ms, uint, 0644);
MODULE_PARM_DESC(fault_delay_ms, "Delay at a selected point that is not held (ms)");

static unsigned int fault_hold_ms = 10000;
module_param(fault_hold_ms, uint, 0644);
MODULE_PARM_DESC(fault_hold_ms, "Longest hold at a point (ms)");

static DECLARE_WAIT_QUEUE_HEAD(fault_released);
static unsigned int fault_hold;

static int fault_hold_set(const char *val, const struct kernel_param *kp)
{
	int rc = param_set_uint(val, kp);

	if (!rc)
		wake_up_all(&fault_released);
	return rc;
}

static const struct kernel_param_ops fault_hold_ops = {
	.set = fault_hold_set,
	.get = param_get_uint,
};
module_param_cb(fault_hold, &fault_hold_ops, &fault_hold, 0644);
MODULE_PARM_DESC(fault_hold, "Mask of points that wait until their bit is cleared");

static atomic_t fault_hits[TIPC_RS_FAULT_NR];
static atomic_t fault_expired = ATOMIC_INIT(0);
module_param_named(fault_expired, fault_expired.counter, int, 0444);
MODULE_PARM_DESC(fault_expired, "Holds that ended by time rather than release");

static int fault_hits_get(char *buf, const struct kernel_param *kp)
{
	int i, n = 0;

	for (i = 0; i < TIPC_RS_FAULT_NR; i++)
		n += sysfs_emit_at(buf, n, "%s%d", i ? "," : "",
				   atomic_read(&fault_hits[i]));
	return n + sysfs_emit_at(buf, n, "\n");
}

static int fault_hits_set(const char *val, const struct kernel_param *kp)
{
	return -EPERM;
}

static const struct kernel_param_ops fault_hits_ops = {
	.set = fault_hits_set,
	.get = fault_hits_get,
};
module_param_cb(fault_hits, &fault_hits_ops, NULL, 0444);
MODULE_PARM_DESC(fault_hits, "Hits so far, per point");

void tipc_rs_fault_point(struct net *net, u32 point)
{
	unsigned int want = READ_ONCE(fault_net);
	unsigned long timeout;
	u32 bit;

	if (point >= TIPC_RS_FAULT_NR)
		return;
	bit = BIT(point);
	if (!(READ_ONCE(fault_points) & bit) || (want && net->ns.inum != want))
		return;
	atomic_inc(&fault_hits[point]);
	if (!(READ_ONCE(fault_hold) & bit)) {
		msleep(READ_ONCE(fault_delay_ms));
		return;
	}
	timeout = msecs_to_jiffies(READ_ONCE(fault_hold_ms));
	if (!wait_event_timeout(fault_released,
				!(READ_ONCE(fault_hold) & bit), timeout))
		atomic_inc(&fault_expired);
}

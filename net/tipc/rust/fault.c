// SPDX-License-Identifier: GPL-2.0
/*
 * Fault injection for the Rust TIPC server
 * (CONFIG_TIPC_SERVER_RUST_FAULT_INJECTION): each point selected in
 * fault_points sleeps fault_delay_ms when the server passes it, so that
 * tests can land a close, stop or namespace exit inside a race window.
 * The points are listed in core/fault.rs.
 */
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/module.h>

#include "glue.h"

static unsigned int fault_points;
module_param(fault_points, uint, 0644);
MODULE_PARM_DESC(fault_points, "Mask of server fault-injection points to delay at");

static unsigned int fault_delay_ms = 200;
module_param(fault_delay_ms, uint, 0644);
MODULE_PARM_DESC(fault_delay_ms, "Delay at a selected fault-injection point (ms)");

static atomic_t fault_hits = ATOMIC_INIT(0);
module_param_named(fault_hits, fault_hits.counter, int, 0444);
MODULE_PARM_DESC(fault_hits, "Delays injected so far");

void tipc_rs_fault_point(u32 point)
{
	if (point >= 32 || !(READ_ONCE(fault_points) & BIT(point)))
		return;
	atomic_inc(&fault_hits);
	msleep(READ_ONCE(fault_delay_ms));
}

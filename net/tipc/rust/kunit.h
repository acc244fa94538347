/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cases of the KUnit suite tipc_rust_server (kunit.c), in tests.rs:
 * each returns 0 or the line of its failed check.
 */
#ifndef _TIPC_RUST_KUNIT_H
#define _TIPC_RUST_KUNIT_H

int tipc_rs_kunit_wire_decode(void);
int tipc_rs_kunit_wire_event_order(void);
int tipc_rs_kunit_wire_cancel(void);
int tipc_rs_kunit_wire_overlap(void);
int tipc_rs_kunit_wire_kernel_request(void);
int tipc_rs_kunit_outqueue_fifo(void);
int tipc_rs_kunit_outqueue_limit(void);
int tipc_rs_kunit_replyqueue_reuse(void);
int tipc_rs_kunit_replyqueue_congested(void);
int tipc_rs_kunit_replyqueue_reserve(void);
int tipc_rs_kunit_replyqueue_share(void);
int tipc_rs_kunit_feed_order(void);
int tipc_rs_kunit_feed_known(void);
int tipc_rs_kunit_feed_bounded(void);
int tipc_rs_kunit_cfg_header(void);
int tipc_rs_kunit_cfg_tlv(void);
int tipc_rs_kunit_cfg_args(void);
int tipc_rs_kunit_cfg_hostile(void);
int tipc_rs_kunit_cfg_policy(void);
int tipc_rs_kunit_cfg_replies(void);
int tipc_rs_kunit_lifecycle_echo(void);
int tipc_rs_kunit_lifecycle_bad_request(void);
int tipc_rs_kunit_lifecycle_stop(void);

#endif

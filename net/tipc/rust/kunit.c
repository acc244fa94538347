// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tipc_rust_server", built into tipc.ko with
 * CONFIG_TIPC_SERVER_RUST_KUNIT_TEST: the Rust server's wire formats,
 * outbound queue, configuration policy and connection lifecycle. The
 * cases are in tests.rs; each returns 0 or the line of its failed check.
 */
#include <kunit/test.h>

#include "kunit.h"

#define RUST_CASE(name)							\
static void name##_case(struct kunit *test)				\
{									\
	int line = tipc_rs_kunit_##name();				\
									\
	KUNIT_EXPECT_EQ_MSG(test, line, 0,				\
			    "check failed at tests.rs:%d", line);	\
}

RUST_CASE(wire_decode)
RUST_CASE(wire_event_order)
RUST_CASE(wire_cancel)
RUST_CASE(wire_overlap)
RUST_CASE(wire_kernel_request)
RUST_CASE(outqueue_fifo)
RUST_CASE(outqueue_limit)
RUST_CASE(replyqueue_reuse)
RUST_CASE(replyqueue_congested)
RUST_CASE(replyqueue_reserve)
RUST_CASE(replyqueue_share)
RUST_CASE(feed_order)
RUST_CASE(feed_known)
RUST_CASE(feed_bounded)
RUST_CASE(cfg_header)
RUST_CASE(cfg_tlv)
RUST_CASE(cfg_args)
RUST_CASE(cfg_hostile)
RUST_CASE(cfg_policy)
RUST_CASE(cfg_replies)
RUST_CASE(lifecycle_echo)
RUST_CASE(lifecycle_bad_request)
RUST_CASE(lifecycle_stop)

static struct kunit_case tipc_rust_server_cases[] = {
	KUNIT_CASE(wire_decode_case),
	KUNIT_CASE(wire_event_order_case),
	KUNIT_CASE(wire_cancel_case),
	KUNIT_CASE(wire_overlap_case),
	KUNIT_CASE(wire_kernel_request_case),
	KUNIT_CASE(outqueue_fifo_case),
	KUNIT_CASE(outqueue_limit_case),
	KUNIT_CASE(replyqueue_reuse_case),
	KUNIT_CASE(replyqueue_congested_case),
	KUNIT_CASE(replyqueue_reserve_case),
	KUNIT_CASE(replyqueue_share_case),
	KUNIT_CASE(feed_order_case),
	KUNIT_CASE(feed_known_case),
	KUNIT_CASE(feed_bounded_case),
	KUNIT_CASE(cfg_header_case),
	KUNIT_CASE(cfg_tlv_case),
	KUNIT_CASE(cfg_args_case),
	KUNIT_CASE(cfg_hostile_case),
	KUNIT_CASE(cfg_policy_case),
	KUNIT_CASE(cfg_replies_case),
	KUNIT_CASE(lifecycle_echo_case),
	KUNIT_CASE(lifecycle_bad_request_case),
	KUNIT_CASE(lifecycle_stop_case),
	{}
};

static struct kunit_suite tipc_rust_server_suite = {
	.name = "tipc_rust_server",
	.test_cases = tipc_rust_server_cases,
};

kunit_test_suite(tipc_rust_server_suite);

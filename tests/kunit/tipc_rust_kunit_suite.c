// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the kernel crate additions under rust/ (sockets, socket
 * events, SpinLockBh, OwnedQueue). The cases are Rust functions in
 * rust_abstractions.rs; each returns 0 or the line of its failed check.
 * Needs tipc.ko loaded (the sockets are AF_TIPC).
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "rust_abstractions.h"

#define RUST_CASE(name)							\
static void name##_case(struct kunit *test)				\
{									\
	int line = rust_kunit_##name();					\
									\
	KUNIT_EXPECT_EQ_MSG(test, line, 0,				\
			    "check failed at rust_abstractions.rs:%d", line); \
}

RUST_CASE(socket_exchange)
RUST_CASE(socket_events_and_detach)
RUST_CASE(socket_would_block_then_write_space)
RUST_CASE(owned_queue_order_and_destroy)

static struct kunit_case tipc_rust_cases[] = {
	KUNIT_CASE(socket_exchange_case),
	KUNIT_CASE(socket_events_and_detach_case),
	KUNIT_CASE(socket_would_block_then_write_space_case),
	KUNIT_CASE(owned_queue_order_and_destroy_case),
	{}
};

static struct kunit_suite tipc_rust_suite = {
	.name = "rust_kernel_net_socket",
	.test_cases = tipc_rust_cases,
};

kunit_test_suite(tipc_rust_suite);

MODULE_DESCRIPTION("KUnit: kernel crate sockets, SpinLockBh and OwnedQueue");
MODULE_LICENSE("GPL");

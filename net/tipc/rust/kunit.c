// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tipc_rust_server", built into tipc.ko with
 * CONFIG_TIPC_SERVER_RUST_KUNIT_TEST. The cases live in Rust, next to the
 * code they test, and are listed in one table (boundary/kunit.rs); this
 * file runs each entry of that table as one parameter of one case.
 */
#include <kunit/test.h>

#include "glue.h"

/* A parameter is a case's index plus one: NULL ends the list. */
static const void *tipc_rs_case_next(const void *prev, char *desc)
{
	uintptr_t next = (uintptr_t)prev;

	if (next >= tipc_rs_kunit_cases())
		return NULL;
	strscpy(desc, tipc_rs_kunit_name(next), KUNIT_PARAM_DESC_SIZE);
	return (const void *)(next + 1);
}

static void tipc_rs_case(struct kunit *test)
{
	u32 i = (uintptr_t)test->param_value - 1;
	int line = tipc_rs_kunit_run(i);

	KUNIT_EXPECT_EQ_MSG(test, line, 0, "%s: check failed at line %d",
			    tipc_rs_kunit_name(i), line);
}

static struct kunit_case tipc_rust_server_cases[] = {
	KUNIT_CASE_PARAM(tipc_rs_case, tipc_rs_case_next),
	{}
};

static struct kunit_suite tipc_rust_server_suite = {
	.name = "tipc_rust_server",
	.test_cases = tipc_rust_server_cases,
};

kunit_test_suite(tipc_rust_server_suite);

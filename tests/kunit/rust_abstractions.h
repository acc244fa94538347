/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The cases of rust_abstractions.rs, called from tipc_rust_kunit_suite.c:
 * each returns 0 or the line of its failed check.
 */
#ifndef _TIPC_KUNIT_RUST_ABSTRACTIONS_H
#define _TIPC_KUNIT_RUST_ABSTRACTIONS_H

int rust_kunit_socket_exchange(void);
int rust_kunit_socket_events_and_detach(void);
int rust_kunit_socket_would_block_then_write_space(void);
int rust_kunit_owned_queue_order_and_destroy(void);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite: the topology service seen from a kernel socket.
 *
 * Loaded after tipc.ko (whichever server variant it carries), it talks to
 * the service at {TIPC_TOP_SRV, TIPC_TOP_SRV} in init_net through ordinary
 * kernel sockets, so it checks the server without reaching into tipc.ko.
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/net.h>
#include <linux/tipc.h>
#include <net/net_namespace.h>
#include <net/sock.h>

#define TEST_TYPE	5000
#define RECV_TIMEOUT	(10 * HZ)

KUNIT_DEFINE_ACTION_WRAPPER(release_action, sock_release, struct socket *);

/* Creates a kernel socket released when the test case ends, however it ends. */
static struct socket *test_socket(struct kunit *test, int type)
{
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, AF_TIPC, type, 0, &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kunit_add_action_or_reset(test, release_action, sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	sock->sk->sk_rcvtimeo = RECV_TIMEOUT;
	return sock;
}

static void test_release(struct kunit *test, struct socket *sock)
{
	kunit_release_action(test, release_action, sock);
}

static struct socket *topsrv_connect(struct kunit *test)
{
	struct sockaddr_tipc sa = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_ADDR,
		.addr.name.name.type = TIPC_TOP_SRV,
		.addr.name.name.instance = TIPC_TOP_SRV,
	};
	struct socket *sock = test_socket(test, SOCK_SEQPACKET);

	KUNIT_ASSERT_EQ(test, kernel_connect(sock, (struct sockaddr *)&sa, sizeof(sa), 0), 0);
	return sock;
}

static int send_bytes(struct socket *sock, const void *buf, size_t len)
{
	struct kvec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_sendmsg(sock, &msg, &iov, 1, len);
}

static int recv_event(struct socket *sock, struct tipc_event *evt)
{
	struct kvec iov = { .iov_base = evt, .iov_len = sizeof(*evt) };
	struct msghdr msg = {};

	return kernel_recvmsg(sock, &msg, &iov, 1, sizeof(*evt), 0);
}

static void subscribe(struct kunit *test, struct socket *sock, u32 lower,
		      u32 upper, struct tipc_subscr *s)
{
	memset(s, 0, sizeof(*s));
	s->seq.type = htonl(TEST_TYPE);
	s->seq.lower = htonl(lower);
	s->seq.upper = htonl(upper);
	s->timeout = htonl(TIPC_WAIT_FOREVER);
	s->filter = htonl(TIPC_SUB_PORTS);
	memcpy(s->usr_handle, "kunit-ts", sizeof(s->usr_handle));
	KUNIT_ASSERT_EQ(test, send_bytes(sock, s, sizeof(*s)), (int)sizeof(*s));
}

static struct socket *bound_socket(struct kunit *test, u32 lower, u32 upper)
{
	struct sockaddr_tipc sa = {
		.family = AF_TIPC,
		.addrtype = TIPC_SERVICE_RANGE,
		.scope = TIPC_CLUSTER_SCOPE,
		.addr.nameseq = { TEST_TYPE, lower, upper },
	};
	struct socket *sock = test_socket(test, SOCK_RDM);

	KUNIT_ASSERT_EQ(test, kernel_bind(sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return sock;
}

static void expect_event(struct kunit *test, struct socket *sock, u32 event,
			 u32 lower, u32 upper, const struct tipc_subscr *s)
{
	struct tipc_event evt;

	KUNIT_ASSERT_EQ(test, recv_event(sock, &evt), (int)sizeof(evt));
	KUNIT_EXPECT_EQ(test, ntohl(evt.event), event);
	KUNIT_EXPECT_EQ(test, ntohl(evt.found_lower), lower);
	KUNIT_EXPECT_EQ(test, ntohl(evt.found_upper), upper);
	KUNIT_EXPECT_MEMEQ(test, &evt.s, s, sizeof(*s));
}

static void topsrv_publish_withdraw(struct kunit *test)
{
	struct socket *sub = topsrv_connect(test);
	struct socket *pub;
	struct tipc_subscr s;

	subscribe(test, sub, 0, 100, &s);
	pub = bound_socket(test, 10, 20);
	expect_event(test, sub, TIPC_PUBLISHED, 10, 20, &s);
	test_release(test, pub);
	expect_event(test, sub, TIPC_WITHDRAWN, 10, 20, &s);
}

static void topsrv_initial_status(struct kunit *test)
{
	struct socket *sub;
	struct tipc_subscr s;

	/* Bound before the subscription; released when the case ends. */
	bound_socket(test, 30, 30);
	sub = topsrv_connect(test);
	subscribe(test, sub, 0, 100, &s);
	expect_event(test, sub, TIPC_PUBLISHED, 30, 30, &s);
}

static void topsrv_malformed_closes(struct kunit *test)
{
	struct socket *sub = topsrv_connect(test);
	struct tipc_event evt;
	u8 junk[8] = {};
	int ret;

	KUNIT_ASSERT_EQ(test, send_bytes(sub, junk, sizeof(junk)), (int)sizeof(junk));
	/* The server closes: end of stream, or a reset connection; not a timeout. */
	ret = recv_event(sub, &evt);
	KUNIT_EXPECT_TRUE_MSG(test, ret == 0 || ret == -ECONNRESET, "recv gave %d", ret);
}

static struct kunit_case tipc_topsrv_cases[] = {
	KUNIT_CASE(topsrv_publish_withdraw),
	KUNIT_CASE(topsrv_initial_status),
	KUNIT_CASE(topsrv_malformed_closes),
	{}
};

static struct kunit_suite tipc_topsrv_suite = {
	.name = "tipc_topsrv_kernel_client",
	.test_cases = tipc_topsrv_cases,
};

kunit_test_suite(tipc_topsrv_suite);

MODULE_DESCRIPTION("KUnit: TIPC topology service through kernel sockets");
MODULE_LICENSE("GPL");

// SPDX-License-Identifier: GPL-2.0

//! KUnit cases of the server core: the outbound queue (order across
//! chunks, the limit), the reply queue, and the connection lifecycle, on a
//! test service in `init_net` (`tipc.ko` is initialised when the suite
//! runs).

use super::{
    connected::{Conn, Limit, Service},
    outqueue::{OutQueue, PushError, CHUNK},
    replyqueue::{Reply, ReplyQueue},
    service::ServiceInfo,
    ConnServer,
};
use crate::boundary::{
    kunit::{check, kunit_cases},
    tipc::{instance, sleep_ms, ServiceRange, TipcNet},
};
use core::ffi::c_int;
use core::sync::atomic::{AtomicU32, Ordering::Relaxed};
use kernel::{
    net::{
        namespace::NetNs,
        socket::{Received, Sent, SockType, Socket},
        tipc::{Scope, SockAddrTipc, AF_TIPC},
    },
    prelude::*,
    sync::Arc,
};

/// A reply of `len` bytes for node `node`.
fn reply_for(node: u32, len: usize) -> Option<Reply> {
    let mut bytes = KVec::new();
    bytes.extend_with(len, node as u8, GFP_KERNEL).ok()?;
    Some(Reply {
        to: SockAddrTipc::socket(1, node),
        node,
        bytes,
    })
}

/// Queues a reply of `len` bytes for `node` within `limit`.
fn queue_reply(q: &mut ReplyQueue, node: u32, len: usize, limit: usize) -> bool {
    let Some(room) = q.reserve(node, len, limit) else {
        return false;
    };
    match reply_for(node, len) {
        Some(r) => q.commit(room, r).is_ok(),
        None => {
            q.cancel(room);
            false
        }
    }
}

/// Service type of the lifecycle cases' echo service (node scope).
const ECHO_TYPE: u32 = 0x7e57_0001;

/// A message of the echo service.
#[derive(Clone, Copy, Default)]
struct Echoed {
    bytes: [u8; 16],
    len: usize,
}

/// A service that echoes each request; "bad" is a malformed request.
#[derive(Default)]
struct Echo {
    closed: AtomicU32,
}

impl ServiceInfo for Echo {
    const SOCK_TYPE: SockType = SockType::SeqPacket;
    const MAX_REQUEST: usize = 16;
    const NAME: &'static str = "echo";
}

impl Service for Echo {
    type ConnState = ();
    type Out = Echoed;

    fn address(&self) -> (ServiceRange, Scope) {
        (instance(ECHO_TYPE, 0), Scope::Node)
    }

    fn conn_state() -> impl PinInit<()> {}

    fn received(_server: &Arc<ConnServer<Self>>, conn: &Arc<Conn<Self>>, req: &[u8]) -> Result {
        if req == b"bad" {
            return Err(EINVAL);
        }
        let mut out = Echoed {
            bytes: [0; 16],
            len: req.len(),
        };
        out.bytes[..req.len()].copy_from_slice(req);
        Conn::queue(
            conn.as_arc_borrow(),
            Limit::Bounded,
            || true,
            |slot| *slot = out,
        );
        Ok(())
    }

    fn payload(out: &Echoed) -> &[u8] {
        &out.bytes[..out.len]
    }

    fn take_local(_conn: &Conn<Self>) -> Option<Echoed> {
        None
    }

    fn deliver_local(_server: &ConnServer<Self>, _out: &Echoed) {}

    fn sent(_server: &ConnServer<Self>, _conn: &Arc<Conn<Self>>, _out: &Echoed) {}

    fn closed(server: &ConnServer<Self>, _conn: &Conn<Self>) {
        server.service().closed.fetch_add(1, Relaxed);
    }
}

/// Polls `cond` every 10 ms for up to two seconds.
fn wait_until(mut cond: impl FnMut() -> bool) -> bool {
    // Up to 20 s: the debug kernel under TCG is slow, and a bound only
    // decides how long a failing case takes.
    for _ in 0..2000 {
        if cond() {
            return true;
        }
        sleep_ms(10);
    }
    cond()
}

fn echo_server() -> Result<Arc<ConnServer<Echo>>> {
    ConnServer::start(
        TipcNet::init_net(),
        Echo {
            closed: AtomicU32::new(0),
        },
    )
}

/// A client connected to the echo service, once the server accepted it.
fn echo_client() -> Result<Socket> {
    let c = Socket::new(NetNs::init_net(), AF_TIPC, SockType::SeqPacket, 0)?;
    c.connect_nonblocking(&SockAddrTipc::service(ECHO_TYPE, 0, 0))?;
    Ok(c)
}

/// Sends `msg` once the connection is up; reads the reply into `buf`.
fn exchange(c: &Socket, msg: &[u8], buf: &mut [u8]) -> Option<Received> {
    if !wait_until(|| matches!(c.send(msg), Ok(Sent::Done))) {
        return None;
    }
    let mut got = None;
    wait_until(|| {
        got = c.recv(buf).ok().filter(|r| *r != Received::WouldBlock);
        got.is_some()
    });
    got
}

fn open_conns(s: &ConnServer<Echo>) -> u64 {
    s.stats.conns_open.get()
}

/// Runs `case` on a fresh echo server, which is stopped afterwards.
fn with_echo_server(case: impl FnOnce(&Arc<ConnServer<Echo>>) -> c_int) -> c_int {
    let Ok(s) = echo_server() else {
        return line!() as c_int;
    };
    let result = case(&s);
    s.stop();
    result
}

/// The queue operations the cases use one message at a time.
trait Fifo<T> {
    fn push(&mut self, msg: T, limit: Option<usize>) -> Result<(), PushError>;
    fn pop(&mut self) -> Option<T>;
}

impl<T: Copy + Default> Fifo<T> for OutQueue<T> {
    fn push(&mut self, msg: T, limit: Option<usize>) -> Result<(), PushError> {
        self.push_with(limit, |slot| *slot = msg)
    }

    fn pop(&mut self) -> Option<T> {
        let m = self.front()?;
        self.drop_front(1);
        Some(m)
    }
}

kunit_cases! {
    fn outqueue_fifo_across_chunks() -> c_int {
        let mut q = OutQueue::<u32>::new();
        let n = (3 * CHUNK + 5) as u32;
        for i in 0..n {
            check!(q.push(i, None).is_ok());
        }
        check!(q.len() == n as usize);
        // Interleave: chunks drain at the front while others are added.
        let mut next_in = n;
        let mut next_out = 0;
        for round in 0..(8 * CHUNK) {
            check!(q.pop() == Some(next_out));
            next_out += 1;
            if round % 3 != 0 {
                check!(q.push(next_in, None).is_ok());
                next_in += 1;
            }
        }
        while let Some(v) = q.pop() {
            check!(v == next_out);
            next_out += 1;
        }
        check!(next_out == next_in && q.len() == 0 && q.front().is_none());
        // Drained, the queue is usable again.
        check!(q.push(7, None).is_ok() && q.front() == Some(7));
        0
    }

    fn outqueue_batches_across_chunks() -> c_int {
        let mut q = OutQueue::<u32>::new();
        let mut buf = [0u32; 40];
        check!(q.copy_front(&mut buf) == 0 && q.drop_front(5) == 0);
        let n = (2 * CHUNK + 7) as u32;
        for i in 0..n {
            check!(q.push(i, None).is_ok());
        }
        // Batches that straddle chunks, copied and then removed, some
        // only in part (a partial send); pushes go on meanwhile.
        let mut next_out = 0;
        let mut next_in = n;
        for (round, sent) in [40usize, 13, 40, 1, 40, 27]
            .iter()
            .cycle()
            .take(30)
            .enumerate()
        {
            let got = q.copy_front(&mut buf);
            check!(got == buf.len().min(q.len()));
            for (k, v) in buf.iter().take(got).enumerate() {
                check!(*v == next_out + k as u32);
            }
            let want = (*sent).min(got);
            check!(q.drop_front(want) == want);
            next_out += want as u32;
            if round % 2 == 0 {
                for _ in 0..20 {
                    check!(q.push(next_in, None).is_ok());
                    next_in += 1;
                }
            }
            check!(q.len() == (next_in - next_out) as usize);
            check!(q.front() == (q.len() > 0).then_some(next_out));
        }
        // Removing more than is queued removes what there is.
        let left = q.len();
        check!(q.drop_front(left + 3) == left && q.len() == 0 && q.front().is_none());
        check!(q.push(9, None).is_ok() && q.copy_front(&mut buf) == 1 && buf[0] == 9);
        0
    }

    fn outqueue_limit() -> c_int {
        let mut q = OutQueue::<u64>::new();
        for i in 0..10 {
            check!(q.push(i, Some(10)).is_ok());
        }
        check!(q.push(10, Some(10)) == Err(PushError::Full));
        check!(q.len() == 10);
        // Unbounded pushes (initial status, timeouts) go beyond it.
        check!(q.push(10, None).is_ok() && q.len() == 11);
        check!(q.pop() == Some(0));
        check!(q.push(11, Some(11)).is_ok());
        check!(q.clear() == 11 && q.len() == 0 && q.pop().is_none());
        0
    }

    fn outqueue_push_with_in_place() -> c_int {
        let mut q = OutQueue::<u64>::new();
        let n = (2 * CHUNK + 3) as u64;
        // Written in place, across chunk boundaries.
        for i in 0..n {
            let r = if i % 5 == 0 {
                q.push(i, None)
            } else {
                q.push_with(None, |slot| *slot = i)
            };
            check!(r.is_ok());
        }
        // The limit holds, and a refused write is not called.
        let mut called = false;
        check!(q.push_with(Some(n as usize), |_| called = true) == Err(PushError::Full));
        check!(!called && q.len() == n as usize);
        for i in 0..n {
            check!(q.pop() == Some(i));
        }
        // Drained: the kept chunk's slots are reused, each written again.
        check!(q.push_with(Some(1), |slot| *slot = 42).is_ok() && q.front() == Some(42));
        0
    }

    fn replyqueue_reuses_slots() -> c_int {
        // Steady load: replies keep coming while as many leave. The slots are
        // reused (the old queue grew until it drained completely).
        let mut q = ReplyQueue::new();
        for i in 0..4 {
            check!(queue_reply(&mut q, i, 8, 1 << 20));
        }
        let size = q.slots();
        for i in 0..2_000u32 {
            check!(queue_reply(&mut q, i % 7, 8, 1 << 20));
            let Some((at, _)) = q.next_sendable() else {
                return line!() as c_int;
            };
            q.remove(at);
            check!(q.len() == 4 && q.slots() <= size.max(8));
        }
        check!(q.clear() == 4 && q.len() == 0);
        0
    }

    fn replyqueue_bounded_behind_blocked_reply() -> c_int {
        // A reply for a congested node stays first while others come and go.
        let mut q = ReplyQueue::new();
        check!(queue_reply(&mut q, 1, 8, 1 << 20) && q.block(1).is_ok());
        for _ in 0..2_000 {
            check!(queue_reply(&mut q, 2, 8, 1 << 20));
            let Some((at, _)) = q.next_sendable() else {
                return line!() as c_int;
            };
            q.remove(at);
            check!(q.len() == 1 && q.slots() <= 8);
        }
        0
    }

    fn replyqueue_congested_node_waits_alone() -> c_int {
        let mut q = ReplyQueue::new();
        for (node, len) in [(1, 10), (2, 20), (1, 11), (2, 21)] {
            check!(queue_reply(&mut q, node, len, 1 << 20));
        }
        // Node 1's link is congested: node 2's replies go, in their order.
        check!(q.block(1).is_ok());
        for want in [20, 21] {
            let Some((at, r)) = q.next_sendable() else {
                return line!() as c_int;
            };
            check!(r.bytes.len() == want);
            q.remove(at);
        }
        check!(q.next_sendable().is_none() && q.len() == 2);
        // Write space: node 1's replies go, still in their order.
        q.unblock();
        for want in [10, 11] {
            let Some((at, r)) = q.next_sendable() else {
                return line!() as c_int;
            };
            check!(r.bytes.len() == want);
            q.remove(at);
        }
        check!(q.len() == 0 && q.next_sendable().is_none());
        0
    }

    fn replyqueue_room_reserved_first() -> c_int {
        let mut q = ReplyQueue::new();
        // Room for the largest reply is taken before the command runs.
        let Some(a) = q.reserve(1, 600, 1000) else {
            return line!() as c_int;
        };
        check!(q.reserve(2, 600, 1000).is_none());
        // The actual reply is smaller: the rest of the room comes back.
        let Some(r) = reply_for(1, 100) else {
            return line!() as c_int;
        };
        check!(q.commit(a, r).is_ok());
        let Some(b) = q.reserve(2, 600, 1000) else {
            return line!() as c_int;
        };
        q.cancel(b);
        check!(q.reserve(2, 901, 1000).is_none());
        let Some(c) = q.reserve(2, 900, 1000) else {
            return line!() as c_int;
        };
        q.cancel(c);
        0
    }

    fn replyqueue_node_share() -> c_int {
        // A node whose replies wait (its link congested) takes a quarter of
        // the bytes at most: the other nodes' requests still find room.
        let mut q = ReplyQueue::new();
        let limit = 4000;
        for _ in 0..10 {
            check!(queue_reply(&mut q, 1, 100, limit));
        }
        check!(!queue_reply(&mut q, 1, 100, limit));
        for _ in 0..10 {
            check!(queue_reply(&mut q, 2, 100, limit));
        }
        // A reply larger than a share still gets a queue of its own.
        let Some(big) = q.reserve(3, 1500, limit) else {
            return line!() as c_int;
        };
        q.cancel(big);
        0
    }

    fn lifecycle_echo_then_peer_close() -> c_int {
        with_echo_server(|s| {
            let Ok(c) = echo_client() else {
                return line!() as c_int;
            };
            let mut buf = [0u8; 16];
            check!(exchange(&c, b"ping", &mut buf) == Some(Received::Data(4)));
            check!(&buf[..4] == b"ping");
            check!(open_conns(s) == 1);
            // The client goes away: the server closes its side, once.
            drop(c);
            check!(wait_until(|| open_conns(s) == 0));
            check!(s.service().closed.load(Relaxed) == 1);
            check!(s.stats.sent.get() == 1 && s.stats.discarded.get() == 0);
            0
        })
    }

    fn batches_keep_order_past_the_window() -> c_int {
        // More replies than the client's receive window: the server's
        // batches stop at the window and go on as the client reads. Every
        // reply is one message, in order, of its request's length.
        const N: u32 = 1500;
        with_echo_server(|s| {
            let Ok(c) = echo_client() else {
                return line!() as c_int;
            };
            let mut buf = [0u8; 16];
            check!(exchange(&c, b"go", &mut buf) == Some(Received::Data(2)));
            let msg = |i: u32, b: &mut [u8; 16]| -> usize {
                b[..4].copy_from_slice(&i.to_le_bytes());
                4 + (i % 9) as usize
            };
            let mut req = [0xa5u8; 16];
            for i in 0..N {
                let len = msg(i, &mut req);
                check!(wait_until(|| matches!(c.send(&req[..len]), Ok(Sent::Done))));
            }
            for i in 0..N {
                let mut got = None;
                wait_until(|| {
                    got = c.recv(&mut buf).ok().filter(|r| *r != Received::WouldBlock);
                    got.is_some()
                });
                let len = msg(i, &mut req);
                check!(got == Some(Received::Data(len)) && buf[..len] == req[..len]);
            }
            drop(c);
            check!(wait_until(|| open_conns(s) == 0));
            check!(s.stats.sent.get() == u64::from(N) + 1 && s.stats.discarded.get() == 0);
            0
        })
    }

    fn lifecycle_bad_request_closes() -> c_int {
        with_echo_server(|s| {
            let Ok(c) = echo_client() else {
                return line!() as c_int;
            };
            let mut buf = [0u8; 16];
            // The server answers a malformed request by closing: end of stream.
            check!(exchange(&c, b"bad", &mut buf) == Some(Received::Closed));
            check!(wait_until(|| open_conns(s) == 0));
            check!(s.stats.rejected.get() == 1);
            check!(s.service().closed.load(Relaxed) == 1);
            0
        })
    }

    fn lifecycle_stop_closes_everything() -> c_int {
        let Ok(s) = echo_server() else {
            return line!() as c_int;
        };
        let mut clients = KVec::new();
        let mut buf = [0u8; 16];
        for _ in 0..3 {
            let Ok(c) = echo_client() else {
                s.stop();
                return line!() as c_int;
            };
            if exchange(&c, b"hi", &mut buf) != Some(Received::Data(2))
                || clients.push(c, GFP_KERNEL).is_err()
            {
                s.stop();
                return line!() as c_int;
            }
        }
        check!(open_conns(&s) == 3);
        // A kernel-side connection without a socket goes too.
        let Ok(local) = s.open(None) else {
            s.stop();
            return line!() as c_int;
        };
        check!(s.find(local.id()).is_some());
        s.stop();
        check!(open_conns(&s) == 0);
        check!(s.service().closed.load(Relaxed) == 4);
        check!(s.find(local.id()).is_none());
        // Closing again is a no-op; every client sees the end of its stream.
        local.close();
        check!(s.service().closed.load(Relaxed) == 4);
        for c in clients.iter() {
            check!(matches!(c.recv(&mut buf), Ok(Received::Closed) | Err(_)));
        }
        // Nothing is accepted after a stop.
        check!(s.open(None).is_err());
        0
    }
}

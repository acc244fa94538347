// SPDX-License-Identifier: GPL-2.0

//! Tests of the kernel crate additions the TIPC server is built on:
//! kernel sockets and their events, `SpinLockBh`, `OwnedQueue`. Each
//! `#[no_mangle]` function is one KUnit case of `tipc_rust_kunit.c`; it
//! returns 0, or the line of the first check that failed.

use core::ffi::c_int;
use core::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use kernel::{
    c_str, impl_has_work,
    net::{
        namespace::NetNs,
        socket::{Received, Sent, SockType, Socket, SocketEvents},
        tipc::{Scope, SockAddrTipc, AF_TIPC},
    },
    new_mutex, new_spinlock_bh, new_work,
    prelude::*,
    sync::{Arc, ArcBorrow, Mutex, SpinLockBh},
    workqueue::{OwnedQueue, QueueFlags, Work, WorkItem},
};

const __LOG_PREFIX: &[u8] = b"tipc_rust_kunit\0";

/// Service type of the test sockets.
const TYPE: u32 = 70_000;

macro_rules! check {
    ($c:expr) => {
        if !$c {
            pr_err!("check failed: {}\n", stringify!($c));
            return line!() as c_int;
        }
    };
}

macro_rules! ok {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(e) => {
                pr_err!("{} failed: {:?}\n", stringify!($e), e);
                return line!() as c_int;
            }
        }
    };
}

/// A listener, a client connected to it, and the accepted server side.
struct Pair {
    _listener: Socket,
    client: Socket,
    server: Socket,
}

fn pair(instance: u32) -> Result<Pair> {
    let net = NetNs::init_net();
    let listener = Socket::new(net, AF_TIPC, SockType::SeqPacket, 0)?;
    listener.bind(&SockAddrTipc::service_range(
        TYPE,
        instance,
        instance,
        Scope::Node,
    ))?;
    listener.listen(8)?;
    let client = Socket::new(net, AF_TIPC, SockType::SeqPacket, 0)?;
    // Local delivery is synchronous: the request is queued on return, and
    // the accept's answer completes the connection.
    client.connect_nonblocking(&SockAddrTipc::service(TYPE, instance, 0))?;
    let server = listener.accept()?.ok_or(EAGAIN)?;
    Ok(Pair {
        _listener: listener,
        client,
        server,
    })
}

/// Messages both ways on a connected pair; would-block, then the end of the stream.
#[no_mangle]
pub extern "C" fn rust_kunit_socket_exchange() -> c_int {
    let p = ok!(pair(1));
    check!(ok!(p.client.send(b"request")) == Sent::Done);
    let mut buf = [0u8; 16];
    check!(ok!(p.server.recv(&mut buf)) == Received::Data(7));
    check!(&buf[..7] == b"request");
    check!(ok!(p.server.send(b"reply!")) == Sent::Done);
    check!(ok!(p.client.recv(&mut buf)) == Received::Data(6));
    check!(&buf[..6] == b"reply!");
    // Nothing more: would block, not an error and not the end.
    check!(ok!(p.client.recv(&mut buf)) == Received::WouldBlock);
    // An orderly close is the end of the stream; a released peer would
    // show as ECONNRESET instead.
    ok!(p.server.shutdown());
    check!(ok!(p.client.recv(&mut buf)) == Received::Closed);
    0
}

/// Counts a socket's events; takes its `SpinLockBh` in the callbacks.
#[pin_data]
struct Counter {
    data: AtomicUsize,
    space: AtomicUsize,
    #[pin]
    last: SpinLockBh<u32>,
}

impl Counter {
    fn new() -> Result<Arc<Self>> {
        Arc::pin_init(
            pin_init!(Self {
                data: AtomicUsize::new(0),
                space: AtomicUsize::new(0),
                last <- new_spinlock_bh!(0, "tipc_kunit_counter"),
            }),
            GFP_KERNEL,
        )
    }
}

impl SocketEvents for Counter {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        *this.last.lock() = 1;
        this.data.fetch_add(1, Relaxed);
    }

    fn write_space(this: ArcBorrow<'_, Self>) {
        *this.last.lock() = 2;
        this.space.fetch_add(1, Relaxed);
    }
}

/// Events reach the attached owner, and never after `detach_events`.
#[no_mangle]
pub extern "C" fn rust_kunit_socket_events_and_detach() -> c_int {
    let p = ok!(pair(2));
    let counter = ok!(Counter::new());
    ok!(p.server.attach_events(counter.clone()));
    check!(p.server.attach_events(counter.clone()) == Err(EBUSY));
    check!(ok!(p.client.send(b"one")) == Sent::Done);
    check!(counter.data.load(Relaxed) >= 1);
    // Process context takes the lock the callbacks take (lockdep checks the pairing).
    check!(*counter.last.lock() == 1);
    let back = p.server.detach_events::<Counter>();
    check!(back.is_some());
    check!(p.server.detach_events::<Counter>().is_none());
    let before = counter.data.load(Relaxed);
    check!(ok!(p.client.send(b"two")) == Sent::Done);
    check!(counter.data.load(Relaxed) == before);
    // Only our two references are left: the socket gave its one back.
    drop(back);
    check!(counter.into_unique_or_drop().is_some());
    0
}

/// A full peer makes `send` would-block; reading wakes the sender.
#[no_mangle]
pub extern "C" fn rust_kunit_socket_would_block_then_write_space() -> c_int {
    let p = ok!(pair(3));
    let counter = ok!(Counter::new());
    ok!(p.client.attach_events(counter.clone()));
    let msg = [0x5au8; 1000];
    let mut sent = 0;
    while ok!(p.client.send(&msg)) == Sent::Done {
        sent += 1;
        check!(sent < 100_000);
    }
    check!(sent > 0);
    check!(counter.space.load(Relaxed) == 0);
    // Reading acknowledges the data; the acknowledgment wakes the sender.
    let mut buf = [0u8; 1000];
    let mut read = 0;
    while ok!(p.server.recv(&mut buf)) == Received::Data(1000) {
        read += 1;
    }
    check!(read == sent);
    check!(counter.space.load(Relaxed) >= 1);
    check!(ok!(p.client.send(&msg)) == Sent::Done);
    drop(p.client.detach_events::<Counter>());
    0
}

/// One work item: appends its number to a shared log.
#[pin_data]
struct Step {
    n: usize,
    log: Arc<Mutex<KVec<usize>>>,
    #[pin]
    work: Work<Step>,
}

impl_has_work! {
    impl HasWork<Step> for Step { self.work }
}

impl WorkItem for Step {
    type Pointer = Arc<Step>;

    fn run(this: Arc<Step>) {
        let _ = this.log.lock().push(this.n, GFP_KERNEL);
    }
}

/// An ordered `OwnedQueue` runs items in order; dropping it drains it.
#[no_mangle]
pub extern "C" fn rust_kunit_owned_queue_order_and_destroy() -> c_int {
    const STEPS: usize = 32;
    let log = ok!(Arc::pin_init(
        new_mutex!(KVec::new(), "tipc_kunit_log"),
        GFP_KERNEL
    ));
    let queue = ok!(OwnedQueue::new_ordered(
        c_str!("tipc_kunit_wq"),
        QueueFlags::MEM_RECLAIM
    ));
    let step = |n| {
        let log = log.clone();
        Arc::pin_init(
            pin_init!(Step { n, log, work <- new_work!("tipc_kunit_step") }),
            GFP_KERNEL,
        )
    };
    check!(queue.enqueue(ok!(step(0))).is_ok());
    queue.flush();
    check!(log.lock().len() == 1);
    for n in 1..STEPS {
        check!(queue.enqueue(ok!(step(n))).is_ok());
    }
    // Destroying drains: every queued item has run, in order, once it returns.
    drop(queue);
    let log = log.lock();
    check!(log.len() == STEPS);
    check!(log.iter().enumerate().all(|(i, n)| i == *n));
    0
}

// SPDX-License-Identifier: GPL-2.0

//! A service's server in one network namespace.

use super::base::ServerBase;
use super::conn::Conn;
use super::fault::{self, Point};
use super::service::Service;
use super::stats::{ConnCounters, Stats, TextBuf};
use crate::ffi::{self, TIPC_CRITICAL_IMPORTANCE};
use core::fmt::Write;
use kernel::{
    impl_has_work,
    net::{
        namespace::NetNs,
        socket::{Socket, SocketEvents},
    },
    new_mutex, new_work,
    prelude::*,
    rbtree::{RBTree, RBTreeNodeReservation},
    sync::{Arc, ArcBorrow, Mutex},
    workqueue::{Queue, Work, WorkItem},
};

/// The server's connections by id.
struct ConnTable<S: Service> {
    conns: RBTree<u32, Arc<Conn<S>>>,
    next_id: u32,
}

/// A server: the listener, the connections and the two workqueues of one
/// service in one namespace.
///
/// Lifetime: the namespace's `NetServers` holds the reference that
/// [`Server::stop`] is called on and drops last. Connections hold
/// references too, but `stop` closes them all and drains both queues first,
/// so the last reference never goes away inside one of the server's own work
/// items (which would destroy the queue the item runs on).
#[pin_data]
pub(crate) struct Server<S: Service> {
    base: ServerBase,
    service: S,
    pub(crate) stats: Stats,
    #[pin]
    listener: Mutex<Option<Socket>>,
    #[pin]
    table: Mutex<ConnTable<S>>,
    #[pin]
    accept_work: Work<Server<S>>,
}

impl_has_work! {
    impl{S: Service} HasWork<Server<S>> for Server<S> { self.accept_work }
}

impl<S: Service> Server<S> {
    /// Starts `service` in `net`: creates the queues, publishes the
    /// service's address and starts accepting.
    pub(crate) fn start(net: NetNs, service: S) -> Result<Arc<Self>> {
        let base = ServerBase::new(net, S::RECV_QUEUE, S::SEND_QUEUE)?;
        let server = Arc::pin_init(
            pin_init!(Self {
                base,
                service,
                stats: Stats::default(),
                listener <- new_mutex!(None, "tipc_server_listener"),
                table <- new_mutex!(
                    ConnTable { conns: RBTree::new(), next_id: 0 },
                    "tipc_server_conns"
                ),
                accept_work <- new_work!("tipc_server_accept"),
            }),
            GFP_KERNEL,
        )?;

        let sock = ffi::server_socket(net, S::SOCK_TYPE)?;
        let (range, scope) = server.service.address();
        ffi::publish(&sock, range, scope, TIPC_CRITICAL_IMPORTANCE)?;
        sock.listen(0)?;
        let mut listener = server.listener.lock();
        let sock = listener.insert(sock);
        sock.attach_events(server.clone())?;
        drop(listener);
        Ok(server)
    }

    /// Stops the server: no more connections, every connection closed, no
    /// work of it running or queued when this returns.
    pub(crate) fn stop(&self) {
        self.base.begin_stop();
        let listener = self.listener.lock().take();
        if let Some(sock) = listener {
            drop(sock.detach_events::<Self>());
            drop(sock);
        }
        // An accept in progress finishes, and sees `stopping` before adding a connection.
        self.base.flush_recv();
        while let Some(conn) = self.take_any_conn() {
            conn.close();
        }
        // Closed connections' work items return at once; let them drain.
        self.base.drain();
    }

    /// Removes some connection from the table (one a concurrent `close`
    /// is finishing included, so this loop always makes progress).
    fn take_any_conn(&self) -> Option<Arc<Conn<S>>> {
        let mut table = self.table.lock();
        let id = *table.conns.iter().next()?.0;
        table.conns.remove(&id)
    }

    pub(crate) fn net(&self) -> NetNs {
        self.base.net()
    }

    pub(crate) fn service(&self) -> &S {
        &self.service
    }

    pub(crate) fn recv_queue(&self) -> &Queue {
        self.base.recv_queue()
    }

    pub(crate) fn send_queue(&self) -> &Queue {
        self.base.send_queue()
    }

    /// Opens a connection on `sock`, or a socketless one for a kernel
    /// subscriber (`None`), and starts receiving on it.
    pub(crate) fn open(self: &Arc<Self>, sock: Option<Socket>) -> Result<Arc<Conn<S>>> {
        let accepted = sock.is_some();
        let reservation = RBTreeNodeReservation::new(GFP_KERNEL)?;
        let mut table = self.table.lock();
        if self.base.is_stopping() {
            // The namespace is going away.
            return Err(ENODEV);
        }
        let mut id = table.next_id;
        while table.conns.get(&id).is_some() {
            id = id.wrapping_add(1) & (i32::MAX as u32);
        }
        table.next_id = id.wrapping_add(1) & (i32::MAX as u32);
        let conn = Arc::pin_init(Conn::new(id, self.clone(), sock), GFP_KERNEL)?;
        table.conns.insert(reservation.into_node(id, conn.clone()));
        drop(table);
        Stats::inc(&self.stats.conns_opened);
        Stats::inc(&self.stats.conns_open);
        if accepted {
            fault::point(self.net(), Point::AcceptBeforeStart);
        }
        if let Err(e) = conn.start() {
            conn.close();
            return Err(e);
        }
        Ok(conn)
    }

    /// The connection with id `id`, if it is open.
    pub(crate) fn find(&self, id: u32) -> Option<Arc<Conn<S>>> {
        self.table.lock().conns.get(&id).cloned()
    }

    /// Removes a closing connection from the table.
    pub(crate) fn forget(&self, id: u32) {
        let conn = self.table.lock().conns.remove(&id);
        drop(conn);
    }

    fn accept(self: &Arc<Self>) {
        loop {
            let sock = match self.listener.lock().as_ref().map(|l| l.accept()) {
                Some(Ok(Some(sock))) => sock,
                _ => return,
            };
            if let Err(e) = self.open(Some(sock)) {
                pr_warn!("{}: connection refused: {:?}\n", S::NAME, e);
            }
        }
    }

    /// Appends this server's statistics, `NAME.counter value` per line.
    pub(crate) fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        let mut open = ConnCounters::default();
        for conn in self.table.lock().conns.values() {
            open.add(&conn.counters());
        }
        self.stats.write(w, S::NAME, &open)?;
        writeln!(w, "{}.queue_limit {}", S::NAME, ffi::queue_limit())?;
        self.service.write_stats(w)
    }
}

impl<S: Service> WorkItem for Server<S> {
    type Pointer = Arc<Self>;

    fn run(this: Arc<Self>) {
        this.accept();
    }
}

impl<S: Service> SocketEvents for Server<S> {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        let _ = this.recv_queue().enqueue::<Arc<Self>, 0>(this.into());
    }

    fn write_space(_this: ArcBorrow<'_, Self>) {}
}

// SPDX-License-Identifier: GPL-2.0

//! A connection-oriented service's server in one network namespace.

use super::base::{ServerBase, RECV};
use super::conn::Conn;
use super::service::Service;
use super::stats::{ConnCounters, Stats, TextBuf};
use super::Running;
use crate::boundary::tipc::{fault_point, publish, queue_limit, Point, ServiceRange};
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
    workqueue::{Work, WorkItem},
};

/// The server's connections by id.
struct ConnTable<S: Service> {
    conns: RBTree<u32, Arc<Conn<S>>>,
    next_id: u32,
}

/// A server: the listener, the connections and the two workqueues of one
/// service in one namespace.
///
/// Lifetime: the namespace's servers hold the reference that
/// [`Running::stop`] is called on and drop last. Connections hold
/// references too, but `stop` closes them all and drains both queues first,
/// so the last reference never goes away inside one of the server's own work
/// items (which would destroy the queue the item runs on).
#[pin_data]
pub(crate) struct ConnServer<S: Service> {
    #[pin]
    pub(crate) base: ServerBase,
    service: S,
    pub(crate) stats: Stats,
    #[pin]
    table: Mutex<ConnTable<S>>,
    #[pin]
    accept_work: Work<ConnServer<S>, RECV>,
}

impl_has_work! {
    impl{S: Service} HasWork<ConnServer<S>, RECV> for ConnServer<S> { self.accept_work }
}

impl<S: Service> ConnServer<S> {
    /// Starts `service` in `net`: creates the queues, publishes the
    /// service's address and starts accepting.
    pub(crate) fn start(net: NetNs, service: S) -> Result<Arc<Self>> {
        let server = Arc::pin_init(
            try_pin_init!(Self {
                base <- ServerBase::new(net, S::RECV_QUEUE, S::SEND_QUEUE),
                service,
                stats: Stats::default(),
                table <- new_mutex!(ConnTable { conns: RBTree::new(), next_id: 0 }, "tipc_server_conns"),
                accept_work <- new_work!("tipc_server_accept"),
            }? Error),
            GFP_KERNEL,
        )?;
        let (range, scope) = server.service.address();
        server
            .base
            .open_socket(S::SOCK_TYPE, server.clone(), |sock| {
                publish(sock, range, scope)?;
                sock.listen(0)
            })?;
        Ok(server)
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
        self.stats.conns_opened.inc();
        self.stats.conns_open.inc();
        if accepted {
            fault_point(self.net(), Point::AcceptBeforeStart);
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
        while let Some(Ok(Some(sock))) = self.base.with_socket(|l| l.accept()) {
            if let Err(e) = self.open(Some(sock)) {
                pr_warn!("{}: connection refused: {:?}\n", S::NAME, e);
            }
        }
    }
}

impl<S: Service> Running for ConnServer<S> {
    /// Stops the server: no more connections, every connection closed, no
    /// work of it running or queued when this returns.
    fn stop(&self) {
        self.base.begin_stop();
        self.base.detach_socket::<Self>();
        self.base.close_socket();
        // An accept in progress finishes, and sees `stopping` before adding a connection.
        self.base.flush_recv();
        while let Some(conn) = self.take_any_conn() {
            conn.close();
        }
        // Closed connections' work items return at once; let them drain.
        self.base.drain();
    }

    fn write_stats(&self, w: &mut TextBuf<'_>) -> core::fmt::Result {
        let mut open = ConnCounters::default();
        for conn in self.table.lock().conns.values() {
            open.add(&conn.counters());
        }
        self.stats.write(w, S::NAME, &open)?;
        writeln!(w, "{}.queue_limit {}", S::NAME, queue_limit())?;
        self.service.write_stats(w)
    }

    fn kernel_subscribe(
        self: &Arc<Self>,
        port: u32,
        range: ServiceRange,
        filter: u32,
    ) -> Option<Result<u32>> {
        S::kernel_subscribe(self, port, range, filter)
    }

    fn kernel_unsubscribe(&self, id: u32) {
        if let Some(conn) = self.find(id) {
            conn.close();
        }
    }
}

impl<S: Service> WorkItem<RECV> for ConnServer<S> {
    type Pointer = Arc<Self>;

    fn run(this: Arc<Self>) {
        this.accept();
    }
}

impl<S: Service> SocketEvents for ConnServer<S> {
    fn data_ready(this: ArcBorrow<'_, Self>) {
        this.base.kick_recv(this);
    }

    fn write_space(_this: ArcBorrow<'_, Self>) {}
}

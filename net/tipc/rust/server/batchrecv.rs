// SPDX-License-Identifier: GPL-2.0

//! A connection-oriented server's receive work (accept, reading and
//! handling requests) on its namespace's shared `SCHED_BATCH` worker
//! (`glue.c`; server.rst says why), counted so that a stop waits for the
//! server's own work items and not for other namespaces'.

use crate::boundary::tipc::{RecvWorker, TipcNet};
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::{
    net::socket::Socket,
    prelude::*,
    sync::ArcBorrow,
    workqueue::kthread::{HasWork, WorkItem, Worker},
};

pub(crate) struct BatchRecv {
    worker: RecvWorker,
    /// Work items queued or running: each successful [`BatchRecv::kick`]
    /// until its run calls [`BatchRecv::done`].
    pending: AtomicUsize,
}

impl BatchRecv {
    pub(crate) fn new(net: TipcNet) -> Result<Self> {
        Ok(Self {
            worker: RecvWorker::of(net)?,
            pending: AtomicUsize::new(0),
        })
    }

    /// The worker, to create the server's work items for.
    pub(crate) fn worker(&self) -> &Worker {
        self.worker.get()
    }

    /// Whether a message reached `sock` within a short poll, kept only
    /// while the CPU would otherwise idle (`glue.c`).
    pub(crate) fn poll(&self, sock: &Socket) -> bool {
        self.worker.poll_rx(sock)
    }

    /// Queues `this`'s receive work; one already queued will see what this
    /// one would have. Its run ends with [`BatchRecv::done`].
    pub(crate) fn kick<T>(&self, this: ArcBorrow<'_, T>)
    where
        T: WorkItem + HasWork<T> + Send + Sync + 'static,
    {
        self.pending.fetch_add(1, Ordering::Relaxed);
        if self.worker().enqueue(this.into()).is_err() {
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Ends a run that [`BatchRecv::kick`] queued.
    pub(crate) fn done(&self) {
        self.pending.fetch_sub(1, Ordering::Release);
    }

    /// Waits for the work queued so far (other servers' too).
    pub(crate) fn flush(&self) {
        self.worker().flush();
    }

    /// Waits until none of this server's work is queued or running, even
    /// work that queues itself again. Callers stop every other source first.
    pub(crate) fn drain(&self) {
        loop {
            // A run that has called `done` may still be returning (and
            // dropping its reference): one more flush waits for it.
            let idle = self.pending.load(Ordering::Acquire) == 0;
            self.flush();
            if idle {
                break;
            }
        }
    }
}

// SPDX-License-Identifier: GPL-2.0

//! A connection-oriented server's send work on the per-CPU workqueue that
//! `glue.c` shares between namespaces (server.rst says why), counted so
//! that a stop waits for the server's own work items and not for other
//! namespaces'.

use super::base::SEND;
use crate::boundary::tipc::{SendQueue, TipcNet};
use core::sync::atomic::{AtomicUsize, Ordering};
use kernel::{
    prelude::*,
    sync::{Arc, ArcBorrow},
    workqueue::RawWorkItem,
};

pub(crate) struct PerCpuSend {
    queue: SendQueue,
    /// Work items queued or running: each successful [`PerCpuSend::kick`]
    /// until its run calls [`PerCpuSend::done`].
    pending: AtomicUsize,
}

impl PerCpuSend {
    pub(crate) fn new(net: TipcNet) -> Result<Self> {
        Ok(Self {
            queue: SendQueue::of(net)?,
            pending: AtomicUsize::new(0),
        })
    }

    /// Queues `this`'s send work on this CPU; one already queued (or
    /// running, on any CPU) will see what this one would have. Every run
    /// of the work item ends with [`PerCpuSend::done`], once: a missing
    /// call would keep [`PerCpuSend::drain`] waiting for ever.
    pub(crate) fn kick<T: 'static>(&self, this: ArcBorrow<'_, T>)
    where
        Arc<T>: RawWorkItem<SEND, EnqueueOutput = Result<(), Arc<T>>> + Send,
    {
        self.pending.fetch_add(1, Ordering::Relaxed);
        if self
            .queue
            .get()
            .enqueue::<Arc<T>, SEND>(this.into())
            .is_err()
        {
            self.pending.fetch_sub(1, Ordering::Relaxed);
        }
    }

    /// Ends a run that [`PerCpuSend::kick`] queued.
    pub(crate) fn done(&self) {
        self.pending.fetch_sub(1, Ordering::Release);
    }

    /// Waits until none of this server's send work is queued or running,
    /// even work that queues itself again (a flush alone misses it, and
    /// its run could then hold the last reference to the server). Callers
    /// stop every other source first, receive work included.
    pub(crate) fn drain(&self) {
        loop {
            // A run that has called `done` may still be returning (and
            // dropping its reference): one more flush waits for it.
            let idle = self.pending.load(Ordering::Acquire) == 0;
            self.queue.flush();
            if idle {
                break;
            }
        }
    }
}

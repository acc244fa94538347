// SPDX-License-Identifier: GPL-2.0

//! Configuration commands, run by the kernel's own TLV command code
//! (`tipc_nl_compat_serve()`, `netlink_compat.c`).

use super::tipc::TipcNet;
use core::ptr::NonNull;
use kernel::{bindings, prelude::*};

/// What a configuration command replied: TLVs in an `sk_buff`.
///
/// # Invariants
///
/// `skb` is a linear `sk_buff` owned by this value.
pub(crate) struct CommandReply {
    skb: NonNull<bindings::sk_buff>,
}

impl CommandReply {
    /// The reply's TLVs.
    pub(crate) fn bytes(&self) -> &[u8] {
        let mut len = 0u32;
        // SAFETY: `skb` is a live linear `sk_buff` (type invariant).
        let data = unsafe { bindings::tipc_rs_skb_data(self.skb.as_ptr(), &mut len) };
        // SAFETY: `data` points at the `len` bytes of the buffer, which lives as long as `self`.
        unsafe { core::slice::from_raw_parts(data.cast::<u8>(), len as usize) }
    }
}

impl Drop for CommandReply {
    fn drop(&mut self) {
        // SAFETY: `skb` is owned by this value (type invariant) and used no more.
        unsafe { bindings::tipc_rs_skb_free(self.skb.as_ptr()) }
    }
}

/// Why a configuration command failed: its error code, and the reply the
/// kernel's command code made for it, if it made one.
pub(crate) struct CommandError {
    pub(crate) errno: Error,
    pub(crate) reply: Option<CommandReply>,
}

/// Runs configuration command `cmd` of `net` with the request TLVs `body`
/// (checked by the caller). Process context, no lock held: commands sleep
/// and take RTNL.
pub(crate) fn run(net: TipcNet, cmd: u16, body: &[u8]) -> Result<CommandReply, CommandError> {
    let len = i32::try_from(body.len()).map_err(|_| CommandError {
        errno: EINVAL,
        reply: None,
    })?;
    let mut skb = core::ptr::null_mut();
    // SAFETY: `net`'s TIPC state is live (`TipcNet` invariant); `body` is readable for `len`
    // bytes and the command code only reads it; `skb` is a valid out-pointer.
    let rc = unsafe {
        bindings::tipc_nl_compat_serve(net.ns().as_ptr(), cmd, body.as_ptr().cast(), len, &mut skb)
    };
    // INVARIANT: A returned buffer is ours and linear (built by `tipc_tlv_alloc()`).
    let reply = NonNull::new(skb).map(|skb| CommandReply { skb });
    match (rc, reply) {
        (0, Some(reply)) => Ok(reply),
        (0, None) => Err(CommandError {
            errno: ENOMEM,
            reply: None,
        }),
        (rc, reply) => Err(CommandError {
            errno: Error::from_errno(rc),
            reply,
        }),
    }
}

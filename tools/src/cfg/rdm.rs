// SPDX-License-Identifier: GPL-2.0
//! The configuration service over the network: requests to `{0, node}` on
//! an RDM socket, one reply each (none for a message the service drops).

use super::*;
use crate::sock::{Socket, SocketAddr};

/// Largest TIPC message, and so largest reply.
const MAX_MSG: usize = 66_000;

/// A client of one node's configuration service; keeps its socket, so many
/// requests can go through it.
pub struct RdmClient {
    sock: Socket,
    /// The node whose service answers.
    pub node: u32,
    /// How long to wait for each reply.
    pub timeout_ms: i32,
}

impl RdmClient {
    /// A client of `node`'s service, on a new RDM socket (created in the
    /// caller's network namespace).
    pub fn new(node: u32) -> Result<Self, Error> {
        Ok(RdmClient {
            sock: Socket::rdm()?,
            node,
            timeout_ms: DEFAULT_TIMEOUT_MS,
        })
    }

    /// Sends `msg` as it is and returns the whole reply message, which
    /// must come from `node`.
    pub fn exchange(&self, msg: &[u8]) -> Result<Vec<u8>, Error> {
        self.exchange_from(msg).map(|(reply, _)| reply)
    }

    /// As [`RdmClient::exchange`], also returning the port reference of
    /// the socket that answered.
    pub fn exchange_from(&self, msg: &[u8]) -> Result<(Vec<u8>, u32), Error> {
        self.send_raw(msg)?;
        self.recv_reply_from(self.timeout_ms)
    }

    /// Sends `msg` as it is to `node`'s service without waiting for a
    /// reply: for messages the service must drop unanswered.
    pub fn send_raw(&self, msg: &[u8]) -> Result<(), Error> {
        let to = SocketAddr::Service {
            ty: TIPC_CFG_SRV,
            instance: self.node,
            domain: self.node,
        };
        let n = self.sock.send_to(msg, to)?;
        if n != msg.len() {
            return Err(Error::Protocol(format!("sent {n} of {} bytes", msg.len())));
        }
        Ok(())
    }

    /// Waits up to `timeout_ms` for the next reply, which must come from
    /// `node`, and returns the whole message.
    pub fn recv_reply(&self, timeout_ms: i32) -> Result<Vec<u8>, Error> {
        self.recv_reply_from(timeout_ms).map(|(reply, _)| reply)
    }

    /// As [`RdmClient::recv_reply`], also returning the port reference of
    /// the socket that sent the reply.
    pub fn recv_reply_from(&self, timeout_ms: i32) -> Result<(Vec<u8>, u32), Error> {
        let mut buf = vec![0u8; MAX_MSG];
        let (n, from) = self
            .sock
            .recv_from(&mut buf, timeout_ms)?
            .ok_or(Error::Timeout)?;
        // A message TIPC could not deliver comes back without its data.
        if n == 0 {
            return Err(Error::Undelivered);
        }
        let port = match from {
            SocketAddr::Id { port, node } if node == self.node => port,
            other => {
                return Err(Error::Protocol(format!(
                    "reply from {other:?}, expected node {}",
                    crate::addr_string(self.node)
                )))
            }
        };
        buf.truncate(n);
        Ok((buf, port))
    }

    /// True if another message is already waiting (a reply too many).
    pub fn pending(&self) -> Result<bool, Error> {
        Ok(self.sock.wait_readable(0)?)
    }

    /// Waits up to `ms` for a message that should not come; returns it.
    pub fn unexpected(&self, ms: i32) -> Result<Option<Vec<u8>>, Error> {
        let mut buf = vec![0u8; MAX_MSG];
        Ok(self.sock.recv_from(&mut buf, ms)?.map(|(n, _)| {
            buf.truncate(n);
            buf
        }))
    }

    /// Sends command `cmd` with an optional TLV; returns the reply's TLV
    /// area once the header and the TLV list have been checked.
    pub fn request(&self, cmd: u16, tlv: Option<&Tlv>) -> Result<Vec<u8>, Error> {
        let req = encode_request(cmd, tlv);
        let rep = self.exchange(&req)?;
        tlv_area(&req, &rep).map_err(Error::Protocol)
    }
}

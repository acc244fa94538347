// SPDX-License-Identifier: GPL-2.0
//! The topology service's wire format and a client for it.

use crate::sock::{Socket, SocketAddr};
use crate::TIPC_TOP_SRV;
use std::io::Result;

/// Size of `struct tipc_subscr`.
pub const SUBSCR_LEN: usize = 28;
/// Size of `struct tipc_event`.
pub const EVENT_LEN: usize = 48;

/// A subscription request, `struct tipc_subscr`, in host values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Subscr {
    pub ty: u32,
    pub lower: u32,
    pub upper: u32,
    pub timeout: u32,
    pub filter: u32,
    pub handle: [u8; 8],
}

impl Subscr {
    /// A subscription on `{ty, lower, upper}` with `filter` and no timeout.
    pub fn new(ty: u32, lower: u32, upper: u32, filter: u32) -> Self {
        Subscr {
            ty,
            lower,
            upper,
            timeout: crate::TIPC_WAIT_FOREVER,
            filter,
            handle: [0; 8],
        }
    }

    /// Encodes the request in network byte order, or in host order
    /// (which the server must detect and answer in).
    pub fn encode(&self, network_order: bool) -> [u8; SUBSCR_LEN] {
        let put = |v: u32| {
            if network_order {
                v.to_be_bytes()
            } else {
                v.to_ne_bytes()
            }
        };
        let mut b = [0u8; SUBSCR_LEN];
        for (i, v) in [self.ty, self.lower, self.upper, self.timeout, self.filter]
            .into_iter()
            .enumerate()
        {
            b[i * 4..i * 4 + 4].copy_from_slice(&put(v));
        }
        b[20..28].copy_from_slice(&self.handle);
        b
    }
}

/// A topology event, `struct tipc_event`, decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub event: u32,
    pub found_lower: u32,
    pub found_upper: u32,
    pub port: u32,
    pub node: u32,
    /// The subscription the event belongs to, byte for byte as sent.
    pub s: [u8; SUBSCR_LEN],
}

impl Event {
    /// Decodes an event, reading integers in network or host order.
    pub fn decode(b: &[u8; EVENT_LEN], network_order: bool) -> Self {
        let get = |i: usize| {
            let w = [b[i * 4], b[i * 4 + 1], b[i * 4 + 2], b[i * 4 + 3]];
            if network_order {
                u32::from_be_bytes(w)
            } else {
                u32::from_ne_bytes(w)
            }
        };
        let mut s = [0u8; SUBSCR_LEN];
        s.copy_from_slice(&b[20..]);
        Event {
            event: get(0),
            found_lower: get(1),
            found_upper: get(2),
            port: get(3),
            node: get(4),
            s,
        }
    }
}

/// What reading from the topology service gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Recv {
    Event(Event),
    /// Nothing within the time asked for.
    Timeout,
    /// The server closed the connection.
    Closed,
    /// A message that is not 48 bytes long.
    Malformed(usize),
}

/// A connection to the topology service at `{1,1}`.
pub struct TopologyClient {
    pub sock: Socket,
    /// Byte order of the requests sent and so of the events expected.
    pub network_order: bool,
}

impl TopologyClient {
    /// Connects to the topology service; requests go in network order.
    pub fn connect() -> Result<Self> {
        let sock = Socket::seqpacket()?;
        sock.connect(SocketAddr::Service {
            ty: TIPC_TOP_SRV,
            instance: TIPC_TOP_SRV,
            domain: 0,
        })?;
        Ok(TopologyClient {
            sock,
            network_order: true,
        })
    }

    /// Sends a subscription request.
    pub fn subscribe(&self, s: &Subscr) -> Result<()> {
        self.send_raw(&s.encode(self.network_order))
    }

    /// Cancels `s`: the same bytes with `TIPC_SUB_CANCEL` added to the filter.
    pub fn cancel(&self, s: &Subscr) -> Result<()> {
        let mut c = *s;
        c.filter |= crate::TIPC_SUB_CANCEL;
        self.subscribe(&c)
    }

    /// Sends any bytes as one request.
    pub fn send_raw(&self, b: &[u8]) -> Result<()> {
        self.sock.send(b).map(drop)
    }

    /// Reads the next event, waiting up to `timeout_ms`.
    pub fn next(&self, timeout_ms: i32) -> Result<Recv> {
        let mut b = [0u8; 64];
        Ok(match self.sock.recv_timeout(&mut b, timeout_ms)? {
            None => Recv::Timeout,
            Some(0) => Recv::Closed,
            Some(EVENT_LEN) => {
                let mut e = [0u8; EVENT_LEN];
                e.copy_from_slice(&b[..EVENT_LEN]);
                Recv::Event(Event::decode(&e, self.network_order))
            }
            Some(n) => Recv::Malformed(n),
        })
    }
}

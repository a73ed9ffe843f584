//! What a session delivers: messages, and the events that say what happened to the connection.

use super::error::WsError;
use crate::DecodeError;
use bytes::Bytes;
use std::time::Duration;

/// A subscription's own id: stable for the life of the session, across reconnects, unlike
/// Kalshi's `sid`, which is new on every connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SubscriptionId(pub(crate) u64);

impl SubscriptionId {
    /// The number (1 for the session's first subscription).
    pub fn get(self) -> u64 {
        self.0
    }
}

impl std::fmt::Display for SubscriptionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "subscription #{}", self.0)
    }
}

/// A decoded message from the server.
#[derive(Debug)]
pub struct Received<M> {
    /// The subscription it belongs to, when its `sid` is one of the session's.
    pub subscription: Option<SubscriptionId>,
    /// Kalshi's `sid`.
    pub sid: Option<u64>,
    /// Its sequence number, when the channel numbers its messages.
    pub seq: Option<u64>,
    /// The message, decoded into its generated type (the catch-all variant for a `type` the
    /// spec does not list).
    pub message: M,
    /// The whole frame as it arrived (shared, not copied): fields the spec does not list are
    /// there.
    pub raw: Bytes,
}

/// One item of a session's stream. Events arrive in the order they happened, between the
/// messages they concern.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<M> {
    /// A message. Held as is: the generated messages box their payloads, so a message is a
    /// couple of words and moves cheaply on its way to you.
    Message(Received<M>),
    /// The connection was lost; the session reconnects. Messages sent meanwhile are missed: every
    /// subscription is resubscribed, and order books must be rebuilt from fresh snapshots.
    Disconnected {
        /// Why.
        reason: String,
    },
    /// A new connection is up (after `attempts` attempts, `downtime` after the loss).
    Reconnected {
        /// Connection attempts it took.
        attempts: u32,
        /// Time since the connection was lost.
        downtime: Duration,
    },
    /// A subscription is back after a reconnect, with its markets, under new `sid`s.
    Resubscribed {
        /// The subscription.
        subscription: SubscriptionId,
        /// Its channels and their new `sid`s.
        sids: Vec<(String, u64)>,
    },
    /// A subscription could not be restored after a reconnect; it is dropped.
    ResubscribeFailed {
        /// The subscription.
        subscription: SubscriptionId,
        /// Why.
        error: WsError,
    },
    /// Sequence numbers `expected..received` of `sid` never arrived.
    SequenceGap {
        /// The subscription, when known.
        subscription: Option<SubscriptionId>,
        /// Kalshi's `sid`.
        sid: u64,
        /// The first missing number.
        expected: u64,
        /// The number that arrived instead (the range's exclusive end).
        received: u64,
    },
    /// A sequence number of `sid` arrived again, or went backwards.
    SequenceRepeat {
        /// The subscription, when known.
        subscription: Option<SubscriptionId>,
        /// Kalshi's `sid`.
        sid: u64,
        /// The last number seen before.
        last: u64,
        /// The number that arrived.
        received: u64,
    },
    /// After a sequence gap or repeat, the session asked for fresh snapshots of these markets
    /// (`get_snapshot`); they arrive as messages.
    SnapshotRequested {
        /// The subscription.
        subscription: SubscriptionId,
        /// The markets.
        markets: Vec<String>,
    },
    /// Markets you removed from a subscription (`remove_markets`) are removed: the server
    /// confirmed it, and nothing more of theirs follows on it.
    MarketsRemoved {
        /// The subscription.
        subscription: SubscriptionId,
        /// The markets.
        markets: Vec<String>,
    },
    /// A subscription you ended (`unsubscribe`) is ended: the server confirmed it, and nothing more
    /// of it follows.
    Unsubscribed {
        /// The subscription.
        subscription: SubscriptionId,
    },
    /// A frame of a known `type` did not decode into its type. The stream goes on.
    DecodeFailed {
        /// The subscription, when the frame had a known `sid`.
        subscription: Option<SubscriptionId>,
        /// Its `type`.
        kind: String,
        /// Where and why it failed (the path is relative to `msg`).
        error: DecodeError,
        /// The whole frame.
        raw: Bytes,
    },
    /// A frame that is not a JSON object with an envelope. The stream goes on.
    Malformed {
        /// The parse error.
        error: String,
        /// The whole frame.
        raw: Bytes,
    },
    /// The server sent an `error` that answers no command of this session (code 25, the
    /// subscription's buffer overflowed because the reader was too slow, for instance).
    ServerError {
        /// The subscription, when the error carried a known `sid`.
        subscription: Option<SubscriptionId>,
        /// Kalshi's `sid`, when given.
        sid: Option<u64>,
        /// The code.
        code: i64,
        /// The message.
        message: String,
        /// The whole frame.
        raw: Bytes,
    },
    /// In drop-oldest delivery, this many messages were dropped since the last such event
    /// because the consumer fell behind.
    Dropped {
        /// Messages dropped.
        count: u64,
    },
    /// The session ended; the stream ends after this.
    Closed {
        /// Why: `None` after [`Session::close`](super::Session::close), else the error that
        /// ended it (a refused key, the reconnect limit).
        error: Option<WsError>,
    },
}

impl<M> Event<M> {
    /// The subscription the event concerns, when it concerns one.
    pub fn subscription(&self) -> Option<SubscriptionId> {
        match self {
            Event::Message(r) => r.subscription,
            Event::Resubscribed { subscription, .. }
            | Event::ResubscribeFailed { subscription, .. }
            | Event::SnapshotRequested { subscription, .. }
            | Event::MarketsRemoved { subscription, .. }
            | Event::Unsubscribed { subscription } => Some(*subscription),
            Event::SequenceGap { subscription, .. }
            | Event::SequenceRepeat { subscription, .. }
            | Event::DecodeFailed { subscription, .. }
            | Event::ServerError { subscription, .. } => *subscription,
            _ => None,
        }
    }
}

//! The real-time feed: a WebSocket session generated from Kalshi's AsyncAPI spec over a
//! hand-written runtime that heals itself.
//!
//! One connection carries every subscription. The session signs the handshake with the client's
//! key, matches each command's reply by its `id`, checks sequence numbers per `sid` (a gap or a
//! repeat is reported, and repaired with fresh snapshots where the channel allows it), pings and
//! watches for a dead connection, and on any loss reconnects with backoff and resubscribes every
//! subscription with its current markets. Everything arrives on one ordered stream of
//! [`Event`]s, connection events in place between the messages.
//!
//! Where a frame or a command goes, by file: `connect.rs` signs the handshake; `driver.rs`, the
//! connection task, reads the socket and writes to it, and applies what its leaf states decide:
//! `pending.rs` (commands awaiting replies), `subscriptions.rs` (subscriptions, their markets
//! and `sid`s), `repair.rs` (sequence numbers, through `sequence.rs`, and the one place that
//! decides a `get_snapshot`), `reconnect.rs` (backoff and limits) and `timers.rs` (idle timeout,
//! pings, late commands); `control.rs` is the trait through which the session reads replies and
//! writes commands (the generated messages implement it); `outbox.rs` queues commands;
//! `envelope.rs` reads a frame's envelope; `queue.rs` delivers events; `session.rs` is the
//! user's side ([`session::Session`], which the generated [`Session`] alias fills in with the
//! generated message and channel types).
//! [`protocol`] is the contract the generated messages, commands and channels implement.
//!
//! On top of the session, hand-written: [`orderbook`] keeps live order books that are never
//! readable while they may be wrong ([`OrderBooks`]; YES and NO bids, or for perps quoted bids
//! and asks, [`QuoteSide`]), reading the messages through
//! [`protocol::BookFeed`] (the generated [`BookKeeper`], [`BookUpdate`] and [`BookEvents`] aliases
//! fill in the message type), and [`orders`] routes your orders' `user_order` and `fill` messages
//! to them ([`OrderTracker`]), reading them through [`protocol::OrderFeed`].

mod ablate;
mod config;
mod connect;
mod control;
mod driver;
pub(crate) mod envelope;
mod error;
mod event;
mod hash;
mod observe;
pub mod orderbook;
pub mod orders;
mod outbox;
pub(crate) mod pending;
mod plain_json;
pub mod protocol;
mod queue;
mod reconnect;
mod repair;
pub(crate) mod sequence;
pub mod session;
mod subscriptions;
mod timers;

pub use config::SessionConfig;
pub use envelope::{decode_frame, FrameError};
pub use error::WsError;
pub use event::{Event, Received, SubscriptionId};
pub use orderbook::{
    BookError, BookStats, BookStatus, Level, Levels, OrderBook, OrderBooks, StaleReason,
};
pub use protocol::{QuoteSide, Side};
pub use queue::{Delivery, Events};

pub use crate::generated::ws::*;

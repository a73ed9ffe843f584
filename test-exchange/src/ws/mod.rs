//! The WebSocket side: `{prefix parent}/ws/v2` (event contracts) and `{prefix parent}/ws/v2/margin`
//! (perps) on the REST server's port, one [`Hub`] each, served by the same code over a
//! [`Product`].
//!
//! Every market event (scripted activity, REST orders, floods) is applied to the one
//! authoritative [`book::Book`] of its market and appended to a shared event log under the same
//! lock; each connection's session reads the log at its own pace, so a slow socket holds back
//! only itself and nothing is dropped (the log keeps what the slowest live reader has not read).

pub(crate) mod book;
mod commands;
mod control;
mod events;
pub(crate) mod feed;
pub(crate) mod handshake;
pub(crate) mod product;
mod session;
pub(crate) mod trading;

use crate::ledger::Ledger;
use book::Book;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, watch};

pub(crate) use events::EventContracts;
pub(crate) use handshake::route;
pub(crate) use product::Product;

/// The channels that carry data here, named as the spec names them; other channel names of the
/// spec ([`crate::spec::CHANNELS`]) are accepted and stay silent.
pub(crate) use crate::spec::channel::{
    FILL, ORDERBOOK_DELTA as ORDERBOOK, TICKER, TRADE, USER_ORDERS,
};

/// One thing that happened in a market, as the `msg` of the frame that reports it.
#[derive(Debug)]
pub(crate) struct Event {
    /// The channel it is sent on.
    pub(crate) channel: &'static str,
    /// The frame's `type`.
    pub(crate) kind: &'static str,
    /// The market it happened in; empty for an event of no market (an order group's), which
    /// every subscription of its channel covers.
    pub(crate) market: String,
    /// For `fill` and `user_orders`: the only key id that sees it. For a delta: the key id whose
    /// order caused it, which alone sees [`Event::owner_fields`].
    pub(crate) owner: Option<String>,
    pub(crate) owner_fields: Option<Value>,
    pub(crate) msg: Value,
}

/// A product's markets and the event log, behind one lock so that a snapshot and a log position
/// agree.
#[derive(Debug)]
pub(crate) struct World<M> {
    log: VecDeque<Arc<Event>>,
    /// The log index of `log[0]`.
    base: u64,
    pub(crate) rng: fastrand::Rng,
    pub(crate) trades: u64,
    /// The product's books (and whatever else must change with them).
    pub(crate) markets: M,
}

/// The event-contract books, and signed YES positions by (key id, ticker) for
/// `post_position_fp`.
#[derive(Debug, Default)]
pub(crate) struct Books {
    books: HashMap<String, Book>,
    pub(crate) positions: HashMap<(String, String), i64>,
}

impl<M> World<M> {
    fn new(seed: u64, markets: M) -> Self {
        Self {
            log: VecDeque::new(),
            base: 0,
            rng: fastrand::Rng::with_seed(seed),
            trades: 0,
            markets,
        }
    }

    /// The index the next event gets.
    pub(crate) fn head(&self) -> u64 {
        self.base + self.log.len() as u64
    }

    pub(crate) fn push(&mut self, event: Event) {
        self.log.push_back(Arc::new(event));
    }

    /// The events from index `from` on.
    pub(crate) fn since(&self, from: u64) -> Vec<Arc<Event>> {
        let skip = from.saturating_sub(self.base) as usize;
        self.log.iter().skip(skip).cloned().collect()
    }

    /// Forgets the events before index `upto`.
    fn trim(&mut self, upto: u64) {
        let n = (upto.saturating_sub(self.base) as usize).min(self.log.len());
        self.log.drain(..n);
        self.base += n as u64;
    }
}

impl World<Books> {
    /// The market's book, made from its listed quotes on first use; `None` for an unlisted ticker.
    pub(crate) fn book(&mut self, ledger: &Ledger, ticker: &str) -> Option<&mut Book> {
        if !self.markets.books.contains_key(ticker) {
            let index = *ledger.by_ticker.get(ticker)?;
            let market = &ledger.markets[index];
            let book = Book::new(
                market_id(index),
                market.yes_bid,
                market.yes_ask,
                &mut self.rng,
            );
            self.markets.books.insert(ticker.to_string(), book);
        }
        self.markets.books.get_mut(ticker)
    }
}

/// A stable id for the market at `index` of the list, shaped like Kalshi's UUIDs.
pub(crate) fn market_id(index: usize) -> String {
    format!("00000000-0000-4000-a000-{index:012x}")
}

/// What the control API asks a live session to do.
#[derive(Debug, Clone)]
pub(crate) enum Control {
    Stall(bool),
    SkipSeq,
    RepeatSeq,
    UnknownType,
    UnknownField,
    Malformed,
    Error(u32),
    Text(std::sync::Arc<str>),
}

/// A live connection, as the hub sees it.
#[derive(Debug)]
pub(crate) struct Conn {
    pub(crate) control: mpsc::UnboundedSender<Control>,
    pub(crate) abort: Option<tokio::task::AbortHandle>,
    /// The log index the session has read up to.
    pub(crate) cursor: Arc<AtomicU64>,
    /// The tickers its market-data subscriptions name, for the scripted feed.
    pub(crate) interest: Arc<Mutex<Vec<String>>>,
}

/// The state every connection of one endpoint shares.
#[derive(Debug)]
pub(crate) struct Hub<M> {
    pub(crate) world: Mutex<World<M>>,
    /// The log head, for waking sessions.
    pub(crate) head: watch::Sender<u64>,
    pub(crate) conns: Mutex<BTreeMap<u64, Conn>>,
    pub(crate) next_conn: AtomicU64,
}

/// The switches and counters tests drive, shared by both endpoints.
#[derive(Debug)]
pub(crate) struct Switchboard {
    pub(crate) handshake_attempts: AtomicUsize,
    pub(crate) commands: Mutex<Vec<Value>>,
    /// Upgrade attempts still to fail, and with which status.
    pub(crate) fail_handshakes: Mutex<(usize, u16)>,
    pub(crate) paused: AtomicBool,
}

impl Default for Switchboard {
    fn default() -> Self {
        Self {
            handshake_attempts: AtomicUsize::new(0),
            commands: Mutex::new(Vec::new()),
            fail_handshakes: Mutex::new((0, 503)),
            paused: AtomicBool::new(false),
        }
    }
}

impl<M> Hub<M> {
    pub(crate) fn new(seed: u64, markets: M) -> Self {
        Self {
            world: Mutex::new(World::new(seed, markets)),
            head: watch::channel(0).0,
            conns: Mutex::new(BTreeMap::new()),
            next_conn: AtomicU64::new(1),
        }
    }

    /// Wakes the sessions after events were pushed; call with the world still locked so heads
    /// are announced in order.
    pub(crate) fn announce(&self, world: &World<M>) {
        self.head.send_replace(world.head());
    }

    /// Forgets log entries every live session has read.
    pub(crate) fn trim(&self) {
        let min = self
            .conns
            .lock()
            .unwrap()
            .values()
            .map(|c| c.cursor.load(std::sync::atomic::Ordering::Acquire))
            .min();
        let mut world = self.world.lock().unwrap();
        let upto = min.unwrap_or_else(|| world.head());
        world.trim(upto);
    }

    /// Sends `control` to every live session.
    pub(crate) fn broadcast(&self, control: Control) {
        for conn in self.conns.lock().unwrap().values() {
            let _ = conn.control.send(control.clone());
        }
    }

    /// Aborts every live session, closing its TCP connection without a close frame.
    pub(crate) fn drop_all(&self) {
        let conns = std::mem::take(&mut *self.conns.lock().unwrap());
        for conn in conns.values() {
            if let Some(abort) = &conn.abort {
                abort.abort();
            }
        }
    }
}

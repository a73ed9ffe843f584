//! Live order books, built from a market's snapshot and kept current by its deltas.
//!
//! Hand-written runtime code: it reads the session's messages only through [`BookFeed`], which
//! `cargo xtask regen` implements for the two messages that `order_book` in a product's settings
//! (`spec/codegen.yaml`, `spec/perps/codegen.yaml`) names, so the dependency runs one way and
//! nothing here names a message of the spec. The message type is a parameter, `M`;
//! `kalshi_api::ws` and `kalshi_api::perps::ws` have aliases of [`BookKeeper`], [`BookUpdate`]
//! and [`BookEvents`] that fill it in. One keeper serves both products: what differs is the
//! book's sides, `M::Sides` ([`Side`]: YES and NO bids with implied asks; [`QuoteSide`]: bids and
//! asks, both quoted), which the settings choose.
//!
//! Three pieces:
//! - [`OrderBook`]: one market's two sides, exact ([`FixedPointDollars`] prices,
//!   [`FixedPointCount`] sizes), with the best bid and ask, spread and depth.
//! - [`BookKeeper`]: the writer. It consumes a session's [`Event`]s in order, applies snapshots
//!   and deltas, and marks books stale the moment their subscription has a sequence gap, a
//!   repeat, a decode failure or a lost connection; a stale book takes no deltas until a fresh
//!   snapshot rebuilds it.
//! - [`OrderBooks`]: the readers' handle, cheap to clone. A read is a short lock on one market
//!   and never waits for the socket; it returns the book only while it is valid.
//!
//! [`OrderBooks::spawn`] runs a keeper on its own task and hands back the books and a stream of
//! [`BookUpdate`]s: every book transition, and every other event of the session, in order.

use super::control::Control;
use super::event::{Event, SubscriptionId};
use super::hash::KeyHash;
use super::protocol::{BookDelta, BookFeed, BookMessage, BookSnapshot};
use super::queue::Events;
use super::session::{Session, WeakSession};
use crate::money::{FixedPointCount, FixedPointDollars};
use crate::sides::{Asks, BookSides};
use futures_util::{Stream, StreamExt};
use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::task::{Context, Poll};
use tokio::sync::mpsc;

/// One dollar: a YES ask is `ONE - best NO bid`.
const ONE: FixedPointDollars = FixedPointDollars::new(1, 0);

pub use super::protocol::{QuoteSide, Side};

/// One price level: a price and the contracts at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Level {
    /// The price in dollars.
    pub price: FixedPointDollars,
    /// The contracts at that price.
    pub size: FixedPointCount,
}

impl std::fmt::Display for Level {
    /// `size @ price`, each as the exchange writes it: `12.00 @ 0.4200`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} @ {}", self.size, self.price)
    }
}

/// Why a book could not take a message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidBookMessage {
    /// A price or size that is not a fixed-point number.
    #[error("{field} {text:?} is not a fixed-point number")]
    Number {
        /// Which field.
        field: &'static str,
        /// Its text.
        text: String,
    },
    /// A delta whose `side` is neither of the book's two (its wire text).
    #[error("unknown book side {0:?}")]
    Side(String),
    /// A size that overflows the fixed-point range.
    #[error("size at {0} overflows")]
    Overflow(FixedPointDollars),
    /// A price outside 0 to 1 dollar, which no level of a book of implied asks (YES and NO bids)
    /// can have (and whose implied ask, `1 - price`, could overflow).
    #[error("price {0} is outside 0 to 1 dollar")]
    Price(FixedPointDollars),
}

/// The levels of one side of a book, price to size.
type Ladder = BTreeMap<FixedPointDollars, FixedPointCount>;

/// One market's order book: its two sides, price to size, exact. `S` names the sides and says
/// where the asks come from:
///
/// - [`Side`] (event contracts; the default): the YES bids and the NO bids. Asks are implied: the
///   YES ask is one dollar minus the best NO bid, the NO ask one dollar minus the best YES bid.
///   `bids(side)`, `asks(side)`, `best_bid(side)`, `best_ask(side)` and `spread()` read them.
/// - [`QuoteSide`] (perps): the bids and the asks of one instrument, both quoted. `bids()`,
///   `asks()`, `best_bid()`, `best_ask()` and `spread()` read them.
///
/// Iterators and [`depth`](Self::depth) go best first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderBook<S = Side> {
    ticker: String,
    sides: [Ladder; 2],
    _sides: PhantomData<S>,
}

impl<S> Default for OrderBook<S> {
    fn default() -> Self {
        OrderBook {
            ticker: String::new(),
            sides: Default::default(),
            _sides: PhantomData,
        }
    }
}

impl<S: BookSides> OrderBook<S> {
    /// An empty book for `ticker`.
    pub fn new(ticker: impl Into<String>) -> Self {
        OrderBook {
            ticker: ticker.into(),
            ..Default::default()
        }
    }

    /// The book a snapshot describes. Lenient: sizes such as `"300.00"` and prices such as
    /// `"0.0800"` are taken as written, a level at zero or below is left out, and an absent side
    /// is empty. A price or size that is not a fixed-point number is an error.
    pub fn from_snapshot(snapshot: &BookSnapshot<'_>) -> Result<Self, InvalidBookMessage> {
        let mut book = OrderBook::new(snapshot.ticker);
        for (side, levels) in S::BOTH.into_iter().zip(snapshot.sides) {
            for (price, size) in levels {
                let price: FixedPointDollars =
                    price.parse().map_err(|_| InvalidBookMessage::Number {
                        field: "price",
                        text: price.clone(),
                    })?;
                let size: FixedPointCount =
                    size.parse().map_err(|_| InvalidBookMessage::Number {
                        field: "size",
                        text: size.clone(),
                    })?;
                book.apply_change(side, price, size)?;
            }
        }
        Ok(book)
    }

    /// Applies a delta (its side, price and signed change); returns the side it changed.
    pub fn apply(&mut self, delta: &BookDelta<'_, S>) -> Result<S, InvalidBookMessage> {
        let side = delta
            .side
            .map_err(|text| InvalidBookMessage::Side(text.to_string()))?;
        self.apply_change(side, delta.price, delta.delta)?;
        Ok(side)
    }

    /// Adds `delta` (signed) to the size at `price` on `side`; a level whose size reaches zero or
    /// below is removed. In a book of implied asks a price outside 0 to 1 dollar is refused, so
    /// that every implied ask and spread is in range.
    pub fn apply_change(
        &mut self,
        side: S,
        price: FixedPointDollars,
        delta: FixedPointCount,
    ) -> Result<(), InvalidBookMessage> {
        let implied = S::ASKS == Asks::Implied;
        change_level(&mut self.sides[side.index()], implied, price, delta)
    }

    /// The market's ticker.
    pub fn ticker(&self) -> &str {
        &self.ticker
    }

    /// The levels of `side`, best first: bids highest first, quoted asks lowest first.
    pub fn ladder(&self, side: S) -> Levels<'_> {
        Levels {
            levels: self.sides[side.index()].iter(),
            lowest_first: S::ASKS == Asks::Quoted && side.index() == 1,
        }
    }

    /// The best level of `side`.
    pub fn best(&self, side: S) -> Option<Level> {
        self.ladder(side).next()
    }

    /// The best `n` levels of `side`.
    pub fn depth(&self, side: S, n: usize) -> Vec<Level> {
        self.ladder(side).take(n).collect()
    }

    /// The size at `price` on `side` (`None`: no level there).
    pub fn size_at(&self, side: S, price: FixedPointDollars) -> Option<FixedPointCount> {
        self.sides[side.index()].get(&price).copied()
    }

    /// How many price levels `side` has.
    pub fn levels(&self, side: S) -> usize {
        self.sides[side.index()].len()
    }
}

/// Adds `delta` to the size at `price` in `ladder`, removing a level at zero or below; refuses a
/// price outside 0 to 1 dollar when the asks are `implied`. Not generic, so that it is compiled
/// here, with the money comparisons inlined, whatever crate instantiates the book.
fn change_level(
    ladder: &mut Ladder,
    implied: bool,
    price: FixedPointDollars,
    delta: FixedPointCount,
) -> Result<(), InvalidBookMessage> {
    if implied && (price.is_negative() || price > ONE) {
        return Err(InvalidBookMessage::Price(price));
    }
    // One search of the tree, whether the level is changed, removed or added.
    match ladder.entry(price) {
        Entry::Occupied(mut level) => {
            let new = level
                .get()
                .checked_add(delta)
                .ok_or(InvalidBookMessage::Overflow(price))?;
            if new.is_negative() || new.is_zero() {
                level.remove();
            } else {
                *level.get_mut() = new;
            }
        }
        Entry::Vacant(_) if delta.is_negative() || delta.is_zero() => {}
        Entry::Vacant(level) => {
            level.insert(delta);
        }
    }
    Ok(())
}

/// The levels of one side of a book, best first ([`OrderBook::ladder`]).
#[derive(Debug, Clone)]
pub struct Levels<'a> {
    levels: std::collections::btree_map::Iter<'a, FixedPointDollars, FixedPointCount>,
    lowest_first: bool,
}

impl Iterator for Levels<'_> {
    type Item = Level;

    fn next(&mut self) -> Option<Level> {
        let (&price, &size) = if self.lowest_first {
            self.levels.next()
        } else {
            self.levels.next_back()
        }?;
        Some(Level { price, size })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.levels.size_hint()
    }
}

impl ExactSizeIterator for Levels<'_> {}

/// A book of YES and NO bids, whose asks are implied.
impl OrderBook<Side> {
    /// The bids of `side`, best (highest) first.
    pub fn bids(&self, side: Side) -> impl ExactSizeIterator<Item = Level> + '_ {
        self.sides[side.index()]
            .iter()
            .rev()
            .map(|(&price, &size)| Level { price, size })
    }

    /// The implied asks of `side`, best (lowest) first: each bid of the other side at `p` is an
    /// ask here at `1 - p`, with its size.
    pub fn asks(&self, side: Side) -> impl ExactSizeIterator<Item = Level> + '_ {
        // No overflow: `apply_change` keeps every price within 0 to 1.
        self.bids(side.opposite()).map(|l| Level {
            price: ONE - l.price,
            size: l.size,
        })
    }

    /// The best bid of `side`.
    pub fn best_bid(&self, side: Side) -> Option<Level> {
        self.bids(side).next()
    }

    /// The best implied ask of `side` (for YES: one dollar minus the best NO bid).
    pub fn best_ask(&self, side: Side) -> Option<Level> {
        self.asks(side).next()
    }

    /// The YES spread: best YES ask minus best YES bid (the NO spread is the same number).
    /// `None` when a side is empty.
    pub fn spread(&self) -> Option<FixedPointDollars> {
        // Both within 0 to 1 (see `asks`): the difference cannot overflow.
        Some(self.best_ask(Side::Yes)?.price - self.best_bid(Side::Yes)?.price)
    }
}

/// A book of quoted bids and asks (perps).
impl OrderBook<QuoteSide> {
    /// The bids, best (highest) first.
    pub fn bids(&self) -> Levels<'_> {
        self.ladder(QuoteSide::Bid)
    }

    /// The asks, best (lowest) first.
    pub fn asks(&self) -> Levels<'_> {
        self.ladder(QuoteSide::Ask)
    }

    /// The best bid.
    pub fn best_bid(&self) -> Option<Level> {
        self.best(QuoteSide::Bid)
    }

    /// The best ask.
    pub fn best_ask(&self) -> Option<Level> {
        self.best(QuoteSide::Ask)
    }

    /// The best ask minus the best bid (negative when the book is crossed). `None` when a side is
    /// empty or the difference overflows.
    pub fn spread(&self) -> Option<FixedPointDollars> {
        self.best_ask()?.price.checked_sub(self.best_bid()?.price)
    }
}

/// Why a book is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StaleReason {
    /// Its first snapshot has not arrived.
    AwaitingSnapshot,
    /// Its subscription skipped sequence numbers.
    SequenceGap,
    /// A sequence number of its subscription arrived again or went backwards.
    SequenceRepeat,
    /// The connection was lost; the resubscription brings a new snapshot.
    Disconnected,
    /// A book frame of its subscription did not decode, or did not apply (the text says why).
    Invalid(String),
    /// The server reported an error on its subscription (a buffer overflow drops messages).
    ServerError(i64),
    /// Events were dropped before the keeper saw them (drop-oldest delivery).
    Dropped,
    /// Its subscription could not be restored after a reconnect.
    ResubscribeFailed,
    /// The session is closed.
    Closed,
    /// The market is no longer followed: you removed it from its subscription or ended the
    /// subscription (the session's [`Event::MarketsRemoved`] and [`Event::Unsubscribed`]), or
    /// said so with [`OrderBooks::unfollow`].
    Unfollowed,
}

impl std::fmt::Display for StaleReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StaleReason::AwaitingSnapshot => f.write_str("awaiting its first snapshot"),
            StaleReason::SequenceGap => f.write_str("sequence gap"),
            StaleReason::SequenceRepeat => f.write_str("sequence repeat"),
            StaleReason::Disconnected => f.write_str("disconnected"),
            StaleReason::Invalid(why) => write!(f, "invalid book message: {why}"),
            StaleReason::ServerError(code) => write!(f, "server error {code}"),
            StaleReason::Dropped => f.write_str("events dropped"),
            StaleReason::ResubscribeFailed => f.write_str("resubscription failed"),
            StaleReason::Closed => f.write_str("session closed"),
            StaleReason::Unfollowed => f.write_str("no longer followed"),
        }
    }
}

/// Whether a book can be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BookStatus {
    /// Built from a snapshot, with every delta since applied.
    Valid,
    /// Not to be trusted until a fresh snapshot; deltas meanwhile are discarded.
    Stale(StaleReason),
}

/// Why a book cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BookError {
    /// No book message for this market has been seen.
    #[error("no order book for {0}")]
    Unknown(String),
    /// The book is stale.
    #[error("the order book of {ticker} is stale: {reason}")]
    Stale {
        /// The market.
        ticker: String,
        /// Why.
        reason: StaleReason,
    },
}

/// Counters of a keeper's work since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BookStats {
    /// Snapshots applied.
    pub snapshots: u64,
    /// Deltas applied to valid books.
    pub deltas_applied: u64,
    /// Deltas discarded: their book was stale or had no snapshot yet.
    pub deltas_discarded: u64,
    /// Sequence gaps seen on book subscriptions.
    pub gaps: u64,
    /// Sequence repeats seen on book subscriptions.
    pub repeats: u64,
    /// Connections lost.
    pub disconnects: u64,
    /// Stale books rebuilt by a snapshot (first snapshots not counted).
    pub resyncs: u64,
    /// Book frames that did not decode or apply.
    pub invalid: u64,
    /// Snapshot requests the keeper sent itself (after decode failures, server errors, drops).
    pub snapshot_requests: u64,
}

/// One item of [`BookEvents`]: a book's transition, or any other event of the session. `M` is the
/// session's message type.
#[derive(Debug)]
#[non_exhaustive]
pub enum BookUpdate<M: BookFeed> {
    /// The first snapshot of a market arrived; its book is valid.
    Ready {
        /// The market.
        ticker: String,
    },
    /// A delta was applied to a valid book.
    Updated {
        /// The market.
        ticker: String,
        /// The side it changed.
        side: M::Sides,
        /// The price level.
        price: FixedPointDollars,
        /// The signed change.
        delta: FixedPointCount,
        /// The frame's `seq`.
        seq: Option<u64>,
        /// Your order's `client_order_id`, when your order caused the change.
        client_order_id: Option<String>,
        /// Your subaccount, when your order caused the change and you use subaccounts.
        subaccount: Option<i64>,
    },
    /// The book may no longer match the exchange's; reads fail until it is resynced.
    Stale {
        /// The market.
        ticker: String,
        /// Why.
        reason: StaleReason,
    },
    /// A stale book was rebuilt from a fresh snapshot and is valid again (or a valid book was
    /// replaced by a snapshot you asked for).
    Resynced {
        /// The market.
        ticker: String,
    },
    /// Any other event of the session (messages of other channels, connection events, sequence
    /// events after the books they concern were marked), in order.
    Event(Event<M>),
}

/// One market as the readers see it.
#[derive(Debug)]
struct Slot<S> {
    status: BookStatus,
    book: Arc<OrderBook<S>>,
}

#[derive(Debug, Default)]
struct Counters {
    snapshots: AtomicU64,
    deltas_applied: AtomicU64,
    deltas_discarded: AtomicU64,
    gaps: AtomicU64,
    repeats: AtomicU64,
    disconnects: AtomicU64,
    resyncs: AtomicU64,
    invalid: AtomicU64,
    snapshot_requests: AtomicU64,
}

/// Counts one. The keeper is the counters' only writer (readers only load them), so a plain
/// load and store is enough: no locked read-modify-write per delta.
fn bump(counter: &AtomicU64) {
    let count = counter.load(Ordering::Relaxed);
    counter.store(count.saturating_add(1), Ordering::Relaxed);
}

/// One market's slot, shared by the keeper and the readers.
type SharedSlot<S> = Arc<RwLock<Slot<S>>>;

#[derive(Debug)]
struct Shared<S> {
    markets: RwLock<HashMap<String, SharedSlot<S>, KeyHash>>,
    counters: Counters,
}

impl<S> Default for Shared<S> {
    fn default() -> Self {
        Shared {
            markets: RwLock::default(),
            counters: Counters::default(),
        }
    }
}

/// The readers' handle on a keeper's books, keyed by market ticker. Cheap to clone; reads take a
/// short lock on one market and never wait for the socket. `S` names the books' sides, as in
/// [`OrderBook`].
#[derive(Debug)]
pub struct OrderBooks<S = Side> {
    shared: Arc<Shared<S>>,
}

impl<S> Clone for OrderBooks<S> {
    fn clone(&self) -> Self {
        OrderBooks {
            shared: self.shared.clone(),
        }
    }
}

impl<S> Default for OrderBooks<S> {
    fn default() -> Self {
        OrderBooks {
            shared: Arc::default(),
        }
    }
}

impl<S: BookSides> OrderBooks<S> {
    /// Runs a [`BookKeeper`] over `events` on a new task of the current Tokio runtime, and returns
    /// the books and the stream of [`BookUpdate`]s (at most `capacity` wait; when the stream is not
    /// read, the keeper waits, and a lossless session then stops reading the socket: read it, or
    /// drop it to let the keeper run free). The keeper uses `session` (without keeping it open) to
    /// ask for fresh snapshots where the session does not ask itself.
    pub fn spawn<M: BookFeed<Sides = S> + Control, C>(
        session: &Session<M, C>,
        events: Events<M>,
        capacity: usize,
    ) -> (OrderBooks<S>, BookEvents<M>) {
        let mut keeper = BookKeeper::new().with_session(session);
        let books = keeper.books();
        let (tx, rx) = mpsc::channel(capacity.max(1));
        tokio::spawn(async move {
            let mut events = events;
            let mut out = Vec::new();
            let mut open = true;
            while let Some(event) = events.next().await {
                keeper.handle(event, &mut out);
                for update in out.drain(..) {
                    if open && tx.send(update).await.is_err() {
                        open = false;
                    }
                }
            }
        });
        (books, BookEvents { rx })
    }

    fn slot(&self, ticker: &str) -> Option<SharedSlot<S>> {
        self.shared
            .markets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(ticker)
            .cloned()
    }

    /// Runs `f` on the book of `ticker` while it is valid, under a read lock (nothing is copied;
    /// keep `f` short, the keeper waits for it).
    pub fn read<R>(
        &self,
        ticker: &str,
        f: impl FnOnce(&OrderBook<S>) -> R,
    ) -> Result<R, BookError> {
        let slot = self
            .slot(ticker)
            .ok_or_else(|| BookError::Unknown(ticker.to_string()))?;
        let slot = slot.read().unwrap_or_else(PoisonError::into_inner);
        match &slot.status {
            BookStatus::Valid => Ok(f(&slot.book)),
            BookStatus::Stale(reason) => Err(BookError::Stale {
                ticker: ticker.to_string(),
                reason: reason.clone(),
            }),
        }
    }

    /// The book of `ticker` as it stands, while it is valid: an immutable copy that later deltas
    /// do not change (taking it costs a reference count; the keeper copies the levels on its next
    /// change while you hold it).
    pub fn get(&self, ticker: &str) -> Result<Arc<OrderBook<S>>, BookError> {
        let slot = self
            .slot(ticker)
            .ok_or_else(|| BookError::Unknown(ticker.to_string()))?;
        let slot = slot.read().unwrap_or_else(PoisonError::into_inner);
        match &slot.status {
            BookStatus::Valid => Ok(slot.book.clone()),
            BookStatus::Stale(reason) => Err(BookError::Stale {
                ticker: ticker.to_string(),
                reason: reason.clone(),
            }),
        }
    }

    /// Whether the book of `ticker` is valid; `None` for a market never seen.
    pub fn status(&self, ticker: &str) -> Option<BookStatus> {
        let slot = self.slot(ticker)?;
        let status = slot
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .status
            .clone();
        Some(status)
    }

    /// Marks the books of `tickers` stale ([`StaleReason::Unfollowed`]) now. Removing markets or
    /// unsubscribing through the session does this by itself (the keeper reads
    /// [`Event::MarketsRemoved`] and [`Event::Unsubscribed`]); this is for markets you stop
    /// following otherwise. A later snapshot (adding the market again) makes a book valid again.
    pub fn unfollow<T: AsRef<str>>(&self, tickers: &[T]) {
        for ticker in tickers {
            if let Some(slot) = self.slot(ticker.as_ref()) {
                slot.write().unwrap_or_else(PoisonError::into_inner).status =
                    BookStatus::Stale(StaleReason::Unfollowed);
            }
        }
    }

    /// The markets with a book (valid or not), sorted.
    pub fn tickers(&self) -> Vec<String> {
        let mut tickers: Vec<String> = self
            .shared
            .markets
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect();
        tickers.sort();
        tickers
    }

    /// The keeper's counters.
    pub fn stats(&self) -> BookStats {
        let c = &self.shared.counters;
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        BookStats {
            snapshots: get(&c.snapshots),
            deltas_applied: get(&c.deltas_applied),
            deltas_discarded: get(&c.deltas_discarded),
            gaps: get(&c.gaps),
            repeats: get(&c.repeats),
            disconnects: get(&c.disconnects),
            resyncs: get(&c.resyncs),
            invalid: get(&c.invalid),
            snapshot_requests: get(&c.snapshot_requests),
        }
    }
}

/// The stream of [`BookUpdate`]s from [`OrderBooks::spawn`]. Ends when the session's events end.
#[derive(Debug)]
pub struct BookEvents<M: BookFeed> {
    rx: mpsc::Receiver<BookUpdate<M>>,
}

impl<M: BookFeed> Stream for BookEvents<M> {
    type Item = BookUpdate<M>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<BookUpdate<M>>> {
        self.rx.poll_recv(cx)
    }
}

/// One market as the keeper holds it.
#[derive(Debug)]
struct Market<S> {
    slot: SharedSlot<S>,
    subscription: Option<SubscriptionId>,
    valid: bool,
    /// Whether a snapshot has ever been applied.
    seen: bool,
}

/// The writer of a set of books: feed it a session's events in order with
/// [`handle`](Self::handle). [`OrderBooks::spawn`] runs one on a task; run one yourself to drive
/// it from your own loop.
///
/// A book is valid from its snapshot until anything puts its consistency in doubt: a sequence
/// gap or repeat in its subscription, a book frame of its subscription that does not decode or
/// apply, a server error or dropped events on it, a lost connection, its market removed from the
/// subscription or the subscription ended. It is then marked stale at
/// once, deltas are discarded, and the next snapshot of the market rebuilds it (the session asks
/// for snapshots after gaps and repeats, and the resubscription after a reconnect brings them;
/// for the other cases the keeper asks itself, when it has the session). A frame that is not
/// JSON at all ([`Event::Malformed`]) marks nothing: if it was a sequenced message, the next
/// frame of its subscription shows the gap.
///
/// `M` is the session's message type.
#[derive(Debug)]
pub struct BookKeeper<M: BookFeed> {
    shared: Arc<Shared<M::Sides>>,
    markets: HashMap<String, Market<M::Sides>, KeyHash>,
    session: Option<WeakSession>,
    _messages: PhantomData<fn(M)>,
}

impl<M: BookFeed> Default for BookKeeper<M> {
    fn default() -> Self {
        BookKeeper {
            shared: Arc::default(),
            markets: HashMap::default(),
            session: None,
            _messages: PhantomData,
        }
    }
}

impl<M: BookFeed> BookKeeper<M> {
    /// A keeper with no books, that asks for no snapshots itself.
    pub fn new() -> Self {
        Self::default()
    }

    /// Lets the keeper ask `session` for fresh snapshots (without keeping the session open).
    pub fn with_session<C>(mut self, session: &Session<M, C>) -> Self
    where
        M: Control,
    {
        self.session = Some(session.downgrade());
        self
    }

    /// The readers' handle on this keeper's books.
    pub fn books(&self) -> OrderBooks<M::Sides> {
        OrderBooks {
            shared: self.shared.clone(),
        }
    }

    /// Handles one event: book messages update the books and become [`BookUpdate`]s; every other
    /// event is passed on as [`BookUpdate::Event`], after the books it concerns were marked.
    pub fn handle(&mut self, mut event: Event<M>, out: &mut Vec<BookUpdate<M>>) {
        // Book messages are worked on where they lie: nothing is moved out of the event.
        if let Event::Message(received) = &mut event {
            let (subscription, seq) = (received.subscription, received.seq);
            match received.message.book() {
                Some(BookMessage::Snapshot(snapshot)) => {
                    return self.snapshot(subscription, &snapshot, out);
                }
                Some(BookMessage::Delta(delta)) => {
                    return self.delta(subscription, seq, delta, out);
                }
                None => {}
            }
        }
        self.mark_for(&event, out);
        out.push(BookUpdate::Event(event));
    }

    /// Marks the books an event of the session puts in doubt, and asks for the snapshots the
    /// session does not ask for itself.
    fn mark_for(&mut self, event: &Event<M>, out: &mut Vec<BookUpdate<M>>) {
        match *event {
            Event::SequenceGap {
                subscription: Some(sub),
                ..
            } => {
                if self.stale_subscription(sub, &StaleReason::SequenceGap, out) {
                    bump(&self.shared.counters.gaps);
                }
            }
            Event::SequenceRepeat {
                subscription: Some(sub),
                ..
            } => {
                if self.stale_subscription(sub, &StaleReason::SequenceRepeat, out) {
                    bump(&self.shared.counters.repeats);
                }
            }
            Event::DecodeFailed {
                subscription: Some(sub),
                ref kind,
                ref error,
                ..
            } if M::is_book(kind) => {
                bump(&self.shared.counters.invalid);
                let reason = StaleReason::Invalid(error.to_string());
                self.stale_subscription(sub, &reason, out);
                self.request_snapshots(Some(sub));
            }
            Event::ServerError {
                subscription: Some(sub),
                code,
                ..
            } => {
                if self.stale_subscription(sub, &StaleReason::ServerError(code), out) {
                    self.request_snapshots(Some(sub));
                }
            }
            _ => self.mark_for_session(event, out),
        }
    }

    /// Marks the books of an ended subscription, removed markets, or the whole session.
    fn mark_for_session(&mut self, event: &Event<M>, out: &mut Vec<BookUpdate<M>>) {
        match *event {
            Event::MarketsRemoved {
                subscription,
                ref markets,
            } => self.unfollow(subscription, markets, out),
            Event::Unsubscribed { subscription } => {
                self.stale_subscription(subscription, &StaleReason::Unfollowed, out);
            }
            Event::ResubscribeFailed { subscription, .. } => {
                self.stale_subscription(subscription, &StaleReason::ResubscribeFailed, out);
            }
            Event::Dropped { .. } => {
                self.stale_all(&StaleReason::Dropped, out);
                self.request_snapshots(None);
            }
            Event::Disconnected { .. } => {
                bump(&self.shared.counters.disconnects);
                self.stale_all(&StaleReason::Disconnected, out);
            }
            Event::Closed { .. } => self.stale_all(&StaleReason::Closed, out),
            _ => {}
        }
    }

    /// Markets removed from `subscription`: their books go stale.
    fn unfollow(
        &mut self,
        subscription: SubscriptionId,
        markets: &[String],
        out: &mut Vec<BookUpdate<M>>,
    ) {
        for ticker in markets {
            if let Some(market) = self.markets.get_mut(ticker.as_str()) {
                if market.subscription == Some(subscription) {
                    Self::mark(market, ticker, &StaleReason::Unfollowed, out);
                }
            }
        }
    }

    fn market(&mut self, ticker: &str) -> &mut Market<M::Sides> {
        if !self.markets.contains_key(ticker) {
            let slot = Arc::new(RwLock::new(Slot {
                status: BookStatus::Stale(StaleReason::AwaitingSnapshot),
                book: Arc::new(OrderBook::new(ticker)),
            }));
            self.shared
                .markets
                .write()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(ticker.to_string(), slot.clone());
            self.markets.insert(
                ticker.to_string(),
                Market {
                    slot,
                    subscription: None,
                    valid: false,
                    seen: false,
                },
            );
        }
        self.markets.get_mut(ticker).expect("inserted")
    }

    fn snapshot(
        &mut self,
        subscription: Option<SubscriptionId>,
        snapshot: &BookSnapshot<'_>,
        out: &mut Vec<BookUpdate<M>>,
    ) {
        let ticker = snapshot.ticker;
        let shared = self.shared.clone();
        let counters = &shared.counters;
        let built = OrderBook::from_snapshot(snapshot);
        let market = self.market(ticker);
        market.subscription = subscription.or(market.subscription);
        match built {
            Ok(book) => {
                let first = !market.seen;
                let resync = !first && !market.valid;
                market.seen = true;
                market.valid = true;
                {
                    let mut slot = market.slot.write().unwrap_or_else(PoisonError::into_inner);
                    slot.book = Arc::new(book);
                    slot.status = BookStatus::Valid;
                }
                bump(&counters.snapshots);
                let ticker = ticker.to_string();
                if first {
                    out.push(BookUpdate::Ready { ticker });
                } else if resync {
                    bump(&counters.resyncs);
                    out.push(BookUpdate::Resynced { ticker });
                } else {
                    // A snapshot for a valid book (one asked for by the user, say): it replaces
                    // the book, which stays valid.
                    out.push(BookUpdate::Resynced { ticker });
                }
            }
            Err(e) => {
                bump(&counters.invalid);
                let reason = StaleReason::Invalid(e.to_string());
                Self::mark(market, ticker, &reason, out);
                let sub = market.subscription;
                if let Some(sub) = sub {
                    self.request(sub, vec![ticker.to_string()]);
                }
            }
        }
    }

    fn delta(
        &mut self,
        subscription: Option<SubscriptionId>,
        seq: Option<u64>,
        delta: BookDelta<'_, M::Sides>,
        out: &mut Vec<BookUpdate<M>>,
    ) {
        let counters = &self.shared.counters;
        let Some(market) = self.markets.get_mut(delta.ticker.as_str()) else {
            // Before its snapshot: nothing to apply it to.
            bump(&counters.deltas_discarded);
            self.market(delta.ticker);
            return;
        };
        if !market.valid || (subscription.is_some() && subscription != market.subscription) {
            bump(&counters.deltas_discarded);
            return;
        }
        let applied = {
            let mut slot = market.slot.write().unwrap_or_else(PoisonError::into_inner);
            Arc::make_mut(&mut slot.book).apply(&delta)
        };
        match applied {
            Ok(side) => {
                bump(&counters.deltas_applied);
                out.push(BookUpdate::Updated {
                    ticker: std::mem::take(delta.ticker),
                    side,
                    price: delta.price,
                    delta: delta.delta,
                    seq,
                    client_order_id: delta.client_order_id.take(),
                    subaccount: delta.subaccount,
                });
            }
            Err(e) => {
                bump(&counters.invalid);
                let reason = StaleReason::Invalid(e.to_string());
                Self::mark(market, delta.ticker, &reason, out);
                if let Some(sub) = market.subscription {
                    self.request(sub, vec![std::mem::take(delta.ticker)]);
                }
            }
        }
    }

    fn mark(
        market: &mut Market<M::Sides>,
        ticker: &str,
        reason: &StaleReason,
        out: &mut Vec<BookUpdate<M>>,
    ) {
        let mut slot = market.slot.write().unwrap_or_else(PoisonError::into_inner);
        slot.status = BookStatus::Stale(reason.clone());
        if std::mem::replace(&mut market.valid, false) {
            out.push(BookUpdate::Stale {
                ticker: ticker.to_string(),
                reason: reason.clone(),
            });
        }
    }

    /// Marks every book of `sub` stale; returns whether `sub` has books.
    fn stale_subscription(
        &mut self,
        sub: SubscriptionId,
        reason: &StaleReason,
        out: &mut Vec<BookUpdate<M>>,
    ) -> bool {
        let mut any = false;
        let mut tickers: Vec<&String> = self
            .markets
            .iter()
            .filter(|(_, m)| m.subscription == Some(sub))
            .map(|(t, _)| t)
            .collect();
        tickers.sort();
        let tickers: Vec<String> = tickers.into_iter().cloned().collect();
        for ticker in tickers {
            any = true;
            let market = self.markets.get_mut(&ticker).expect("listed");
            Self::mark(market, &ticker, reason, out);
        }
        any
    }

    fn stale_all(&mut self, reason: &StaleReason, out: &mut Vec<BookUpdate<M>>) {
        let mut tickers: Vec<String> = self.markets.keys().cloned().collect();
        tickers.sort();
        for ticker in tickers {
            let market = self.markets.get_mut(&ticker).expect("listed");
            Self::mark(market, &ticker, reason, out);
        }
    }

    /// Asks for snapshots of the books of `sub` (`None`: of every subscription).
    fn request_snapshots(&mut self, sub: Option<SubscriptionId>) {
        let mut by_sub: BTreeMap<SubscriptionId, Vec<String>> = BTreeMap::new();
        for (ticker, market) in &self.markets {
            if let Some(s) = market.subscription {
                if sub.is_none_or(|want| want == s) {
                    by_sub.entry(s).or_default().push(ticker.clone());
                }
            }
        }
        for (s, mut tickers) in by_sub {
            tickers.sort();
            self.request(s, tickers);
        }
    }

    fn request(&self, sub: SubscriptionId, tickers: Vec<String>) {
        let Some(session) = &self.session else {
            return;
        };
        bump(&self.shared.counters.snapshot_requests);
        session.get_snapshot(sub, tickers);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dollars(text: &str) -> FixedPointDollars {
        text.parse().unwrap()
    }

    fn count(text: &str) -> FixedPointCount {
        text.parse().unwrap()
    }

    #[test]
    fn prices_outside_zero_to_one_dollar_are_refused_and_leave_the_book_as_it_was() {
        let mut book = OrderBook::new("T");
        book.apply_change(Side::Yes, dollars("0.40"), count("5"))
            .unwrap();
        for price in [
            "1.0001",
            "-0.01",
            "9223372036854775807",
            "-9223372036854775808",
            "-0.000000001",
        ] {
            let refused = book.apply_change(Side::No, dollars(price), count("1"));
            assert_eq!(
                refused,
                Err(InvalidBookMessage::Price(dollars(price))),
                "{price}"
            );
        }
        assert_eq!(book.bids(Side::No).len(), 0);
        assert_eq!(book.bids(Side::Yes).len(), 1);
    }

    #[test]
    fn asks_and_spread_at_the_edge_prices_do_not_overflow() {
        let mut book = OrderBook::new("T");
        book.apply_change(Side::Yes, dollars("1"), count("1"))
            .unwrap();
        book.apply_change(Side::No, dollars("0.000000000"), count("1"))
            .unwrap();
        assert_eq!(book.best_ask(Side::Yes).unwrap().price, dollars("1"));
        assert_eq!(book.best_ask(Side::No).unwrap().price, dollars("0"));
        assert_eq!(book.spread(), Some(dollars("0")));
        book.apply_change(Side::Yes, dollars("0.000000001"), count("1"))
            .unwrap();
        book.apply_change(Side::Yes, dollars("1"), count("-1"))
            .unwrap();
        assert_eq!(book.spread(), Some(dollars("0.999999999")));
    }

    #[test]
    fn a_quoted_book_lists_bids_highest_first_and_asks_lowest_first_at_any_price() {
        let mut book = OrderBook::<QuoteSide>::new("KXBTCPERP");
        for (side, price, size) in [
            (QuoteSide::Bid, "94.9900", "3.00"),
            (QuoteSide::Bid, "94.9800", "5.00"),
            (QuoteSide::Ask, "95.0200", "7.00"),
            (QuoteSide::Ask, "95.0100", "2.50"),
        ] {
            book.apply_change(side, dollars(price), count(size))
                .unwrap();
        }
        let texts = |levels: Levels<'_>| -> Vec<String> { levels.map(|l| l.to_string()).collect() };
        assert_eq!(texts(book.bids()), ["3.00 @ 94.9900", "5.00 @ 94.9800"]);
        assert_eq!(texts(book.asks()), ["2.50 @ 95.0100", "7.00 @ 95.0200"]);
        assert_eq!(book.best_ask(), book.best(QuoteSide::Ask));
        assert_eq!(book.spread(), Some(dollars("0.0200")));
        assert_eq!(book.depth(QuoteSide::Ask, 1), [book.best_ask().unwrap()]);
        book.apply_change(QuoteSide::Ask, dollars("95.0100"), count("-2.50"))
            .unwrap();
        assert_eq!(book.levels(QuoteSide::Ask), 1);
        assert_eq!(book.size_at(QuoteSide::Ask, dollars("95.0100")), None);
    }

    #[test]
    fn a_quoted_spread_that_overflows_is_none() {
        let mut book = OrderBook::<QuoteSide>::new("T");
        book.apply_change(QuoteSide::Bid, dollars("-9223372036854775808"), count("1"))
            .unwrap();
        book.apply_change(QuoteSide::Ask, dollars("9223372036854775807"), count("1"))
            .unwrap();
        assert_eq!(book.spread(), None);
    }

    #[test]
    fn a_counter_at_its_largest_value_stays_there() {
        let counter = AtomicU64::new(u64::MAX);
        bump(&counter);
        assert_eq!(counter.load(Ordering::Relaxed), u64::MAX);
    }
}

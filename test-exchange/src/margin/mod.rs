//! The perps (margin) side of the exchange: the listed perpetual futures, their books, and the
//! margin ledger (accounts, orders, fills, trades, order groups, exit triggers), all held in the
//! margin WebSocket hub's world so that a REST order, the book and the frames it causes change
//! under one lock.
//!
//! The rules, kept simple and deterministic:
//! - Matching: price-time priority. An order trades at once with the resting quantities it
//!   crosses, best price first, oldest first within a level, at the resting price; what is left
//!   rests (good-till-canceled) or is dropped (immediate-or-cancel, fill-or-kill; a fill-or-kill
//!   that cannot fill whole fills nothing; a post-only order that would cross is cancelled).
//!   Self-trade prevention: `taker_at_cross` stops the incoming order where it would meet its own
//!   key's order; `maker` cancels that resting order and carries on.
//! - Margin ([`account`]): every key starts with $10,000 of settled funds. A fill moves the
//!   position (average entry price; reducing realizes profit and loss into settled funds) and
//!   charges the taker a fee of 5 bps of the notional (makers pay none). The mark is the book's
//!   mid. Initial margin is 10% of the position's notional at the mark, maintenance 5%, resting
//!   orders reserve 10% of their notional at their price; an order whose reserve exceeds the
//!   available balance is refused (400 `insufficient_balance`).
//! - Exit triggers are stored and listed, never fired; funding rates are a seeded series and
//!   funding is never charged.
//! - Numbered subaccounts hold settled funds only ([`subaccounts`]); transfers move funds between
//!   them and to and from the event-contract balance. Every key acts as an FCM member ([`fcm`]):
//!   its subtraders' caps and its own notional limit are stored and reported, never enforced.

pub(crate) mod account;
pub(crate) mod book;
mod control;
pub(crate) mod fcm;
pub(crate) mod feed;
mod flow;
pub(crate) mod groups;
pub(crate) mod markets;
pub(crate) mod orders;
pub(crate) mod rest;
pub(crate) mod subaccounts;
pub(crate) mod triggers;

pub(crate) use feed::Perps;

use account::Account;
use book::MarginBook;
use orders::{Fill, MarginOrder, Trade};
use std::collections::{BTreeMap, HashMap, VecDeque};

/// The most public trades `GET /margin/trades` keeps (the scripted feed adds them forever).
const KEPT_TRADES: usize = 10_000;

/// Everything that changes when perps trade.
#[derive(Debug)]
pub(crate) struct Margin {
    pub(crate) books: HashMap<String, MarginBook>,
    pub(crate) accounts: HashMap<String, Account>,
    pub(crate) orders: BTreeMap<String, MarginOrder>,
    /// Every user fill, oldest first; a fill's index is its place here.
    pub(crate) fills: Vec<Fill>,
    /// The latest public trades, oldest first.
    pub(crate) trades: VecDeque<Trade>,
    /// How many public trades there have been (the next trade's number).
    pub(crate) trade_count: u64,
    pub(crate) groups: BTreeMap<String, groups::OrderGroup>,
    pub(crate) triggers: Vec<triggers::ExitTrigger>,
    /// What each key has set as an FCM member.
    pub(crate) fcm: HashMap<String, fcm::Fcm>,
    /// The last id handed out (orders, groups, triggers).
    next_id: u64,
}

impl Margin {
    /// The listed markets' books, seeded from `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut rng = fastrand::Rng::with_seed(seed);
        let books = markets::MARKETS
            .iter()
            .map(|m| (m.ticker.to_string(), markets::seeded_book(m, &mut rng)))
            .collect();
        Self {
            books,
            accounts: HashMap::new(),
            orders: BTreeMap::new(),
            fills: Vec::new(),
            trades: VecDeque::new(),
            trade_count: 0,
            groups: BTreeMap::new(),
            triggers: Vec::new(),
            fcm: HashMap::new(),
            next_id: 0,
        }
    }

    /// A fresh UUID-shaped id; `kind` tells orders, groups and triggers apart.
    pub(crate) fn new_id(&mut self, kind: u16) -> String {
        self.next_id += 1;
        format!("00000000-0000-4000-{kind:04x}-{:012x}", self.next_id)
    }

    /// `key_id`'s account, opened on first use.
    pub(crate) fn account(&mut self, key_id: &str) -> &mut Account {
        self.accounts.entry(key_id.to_string()).or_default()
    }

    /// Records a public trade, forgetting the oldest beyond [`KEPT_TRADES`].
    pub(crate) fn record_trade(&mut self, trade: Trade) {
        self.trades.push_back(trade);
        if self.trades.len() > KEPT_TRADES {
            self.trades.pop_front();
        }
    }

    /// `key_id`'s balance figures (its resting orders' reserve included) and settled funds.
    pub(crate) fn balance(&self, key_id: &str) -> (account::Balance, i64) {
        let resting: i64 = self
            .orders
            .values()
            .filter(|o| o.key_id == key_id && o.remaining > 0)
            .map(|o| account::order_reserve(o.price, o.remaining))
            .sum();
        let account = self.accounts.get(key_id).cloned().unwrap_or_default();
        (account.balance(&self.marks(), resting), account.cash)
    }

    /// The marks of every market, for valuing positions.
    pub(crate) fn marks(&self) -> HashMap<&str, i64> {
        self.books
            .iter()
            .map(|(ticker, book)| (ticker.as_str(), book.mark()))
            .collect()
    }
}

//! The WebSocket control API tests drive: faults to inject into live connections, the feed
//! switch and counters. Every method is safe to call while connections are live, and acts on
//! both endpoints (event contracts and perps) alike.

use super::book::Side;
use super::product::Product;
use super::{Control, EventContracts};
use crate::{Levels, TestExchange};
use serde_json::Value;
use std::sync::atomic::Ordering;

impl TestExchange {
    /// The WebSocket URL: `ws://127.0.0.1:PORT/trade-api/ws/v2` (the REST prefix's parent plus
    /// `/ws/v2`). Upgrades must be signed over `timestamp + "GET" + path`, like REST.
    pub fn ws_url(&self) -> String {
        format!(
            "ws://{}{}",
            self.addr,
            EventContracts::path(&self.state.config.prefix)
        )
    }

    /// Aborts every live connection at once: its TCP connection closes with no close frame.
    pub fn ws_drop_connections(&self) {
        self.state.drop_connections();
    }

    /// `true`: every live connection stops reading and writing (no frames, pings or pongs) until
    /// `ws_stall(false)`. Connections made later are not stalled.
    pub fn ws_stall(&self, stalled: bool) {
        self.state.broadcast(Control::Stall(stalled));
    }

    /// The next sequenced frame on each live sid skips one `seq` number.
    pub fn ws_skip_seq(&self) {
        self.state.broadcast(Control::SkipSeq);
    }

    /// The next sequenced frame on each live sid repeats the previous `seq` number.
    pub fn ws_repeat_seq(&self) {
        self.state.broadcast(Control::RepeatSeq);
    }

    /// Each live sid gets a frame of type `test_exchange_unknown`, with its `sid` and the next
    /// `seq` (as a new sequenced message type would).
    pub fn ws_send_unknown_type(&self) {
        self.state.broadcast(Control::UnknownType);
    }

    /// The next data frame on each live connection carries an extra field
    /// `x_test_exchange_unknown` inside `msg`.
    pub fn ws_send_unknown_field(&self) {
        self.state.broadcast(Control::UnknownField);
    }

    /// Each live connection gets a text frame that is not JSON.
    pub fn ws_send_malformed(&self) {
        self.state.broadcast(Control::Malformed);
    }

    /// Each live connection gets `text` as one text frame, as it is (a frame of a known type
    /// that does not match its schema, say).
    pub fn ws_send_text(&self, text: &str) {
        self.state.broadcast(Control::Text(text.into()));
    }

    /// Each live connection with a subscription gets
    /// `{"type":"error","sid":S,"msg":{"code":code,"msg":...}}` for its first live sid, with the
    /// spec's text for `code` (25: `Subscription buffer overflow`).
    pub fn ws_send_error(&self, code: u32) {
        self.state.broadcast(Control::Error(code));
    }

    /// The next `n` upgrade attempts are answered `status` with an `ErrorResponse` body, without
    /// upgrading (they still count in [`TestExchange::ws_handshake_attempts`]).
    pub fn ws_fail_handshakes(&self, n: usize, status: u16) {
        *self.state.ws_switch.fail_handshakes.lock().unwrap() = (n, status);
    }

    /// `n` more rounds of activity in each market a live market-data subscription names, sent
    /// as fast as each socket takes them: per round, one `orderbook_delta` (one contract added
    /// to, then taken from, the best YES bid, applied to the book) and one `trade` whose
    /// `trade_id` ends in a counter. So a subscription on one market gets `n` sequenced frames.
    pub fn ws_flood(&self, n: usize) {
        super::feed::flood(&self.state, n);
    }

    /// `n` steps of seeded random order flow (adds, cancels, trades) over `tickers`, one
    /// `orderbook_delta` per step, each applied to the authoritative book before it is published;
    /// sent as fast as each socket takes them, paused feed or not. Returns the deltas published
    /// (a step that would cross the book publishes none).
    pub fn ws_order_flow(&self, tickers: &[String], n: usize) -> usize {
        super::feed::order_flow(&self.state, tickers, n)
    }

    /// `true` stops the scripted activity (orders and floods still publish), for quiet points;
    /// `false` resumes it.
    pub fn ws_pause_feed(&self, paused: bool) {
        self.state.ws_switch.paused.store(paused, Ordering::SeqCst);
    }

    /// How many upgrade requests arrived, failed ones included.
    pub fn ws_handshake_attempts(&self) -> usize {
        self.state
            .ws_switch
            .handshake_attempts
            .load(Ordering::SeqCst)
    }

    /// How many connections are live, on both endpoints.
    pub fn ws_connections(&self) -> usize {
        self.state.ws.conns.lock().unwrap().len() + self.state.margin_ws.conns.lock().unwrap().len()
    }

    /// Every command received on any connection, in order; text that is not JSON is kept as a
    /// JSON string.
    pub fn ws_commands(&self) -> Vec<Value> {
        self.state.ws_switch.commands.lock().unwrap().clone()
    }

    /// The authoritative order book of `ticker` as `(yes, no)` bids, best first, each level
    /// `(price, count)` as Kalshi writes them (`("0.5600", "120.00")`); `None` for an unlisted
    /// ticker. Every published delta has been applied to it, so at a quiet point (see
    /// [`TestExchange::ws_pause_feed`]) it equals a client's book built from the frames.
    pub fn order_book(&self, ticker: &str) -> Option<(Levels, Levels)> {
        let mut world = self.state.ws.world.lock().unwrap();
        let book = world.book(&self.state.ledger, ticker)?;
        Some((book.levels(Side::Yes), book.levels(Side::No)))
    }
}

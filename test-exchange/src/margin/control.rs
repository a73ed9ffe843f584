//! What tests read and drive of the perps side: the margin WebSocket URL, the authoritative books
//! and seeded order flow on them.

use super::book::Side;
use super::Perps;
use crate::ws::product::Product;
use crate::{Levels, TestExchange};

impl TestExchange {
    /// The margin WebSocket URL: `ws://127.0.0.1:PORT/trade-api/ws/v2/margin`. Upgrades are signed
    /// over `timestamp + "GET" + path`, like REST; the `ws_*` fault methods act on it too.
    pub fn margin_ws_url(&self) -> String {
        format!(
            "ws://{}{}",
            self.addr,
            Perps::path(&self.state.config.prefix)
        )
    }

    /// The tickers of the perps markets the exchange lists.
    pub fn margin_market_tickers(&self) -> Vec<String> {
        super::markets::MARKETS
            .iter()
            .map(|m| m.ticker.to_string())
            .collect()
    }

    /// The authoritative book of perps market `ticker` as `(bids, asks)`, best first, each level
    /// `(price, count)` as Kalshi writes them; `None` for an unlisted ticker. Every published
    /// delta has been applied to it.
    pub fn margin_order_book(&self, ticker: &str) -> Option<(Levels, Levels)> {
        let world = self.state.margin_ws.world.lock().unwrap();
        let book = world.markets.books.get(ticker)?;
        Some((book.level_texts(Side::Bid), book.level_texts(Side::Ask)))
    }

    /// `n` steps of seeded random order flow over the perps markets `tickers` (unlisted ones are
    /// skipped), one `orderbook_delta` per step: an add up to ten ticks behind the touch (never
    /// crossing), a cancel of part or all of a level's seeded liquidity, or a trade with the
    /// seeded liquidity at the touch (with its `trade` and `ticker` frames); counts in
    /// hundredths, fractional ones included. Each is applied to the authoritative book
    /// ([`TestExchange::margin_order_book`]) before it is published, as fast as each socket
    /// takes them, paused feed or not; orders placed over REST are never touched. Returns the
    /// deltas published (a step with nothing to take publishes none).
    pub fn margin_ws_order_flow(&self, tickers: &[String], n: usize) -> usize {
        super::flow::order_flow(&self.state, tickers, n)
    }
}

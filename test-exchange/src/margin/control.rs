//! What tests read of the perps side: the margin WebSocket URL and the authoritative books.

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
}

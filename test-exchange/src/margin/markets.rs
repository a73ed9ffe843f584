//! The perpetual futures the exchange lists, their seeded books and their `MarginMarket` JSON.

use super::book::{MarginBook, Side};
use crate::fixed::{count_text, price_text};
use serde_json::{json, Value};

/// A listed perps market.
#[derive(Debug)]
pub(crate) struct MarketDef {
    pub(crate) ticker: &'static str,
    pub(crate) title: &'static str,
    /// The underlying amount one contract is worth.
    pub(crate) contract_size: &'static str,
    /// The seeded mid price, in ten-thousandths of a dollar.
    pub(crate) mid: i64,
    /// The price step, in ten-thousandths of a dollar.
    pub(crate) tick: i64,
}

/// The listed markets.
pub(crate) const MARKETS: [MarketDef; 2] = [
    MarketDef {
        ticker: "KXBTCPERP",
        title: "Bitcoin perpetual (0.001 BTC)",
        contract_size: "0.001",
        mid: 950_000,
        tick: 100,
    },
    MarketDef {
        ticker: "KXETHPERP",
        title: "Ether perpetual (0.01 ETH)",
        contract_size: "0.01",
        mid: 350_000,
        tick: 100,
    },
];

/// The definition of a listed ticker.
pub(crate) fn find(ticker: &str) -> Option<&'static MarketDef> {
    MARKETS.iter().find(|m| m.ticker == ticker)
}

/// Five levels a tick apart on each side of the mid, one tick of spread each way, seeded sizes.
pub(crate) fn seeded_book(market: &MarketDef, rng: &mut fastrand::Rng) -> MarginBook {
    let mut book = MarginBook::default();
    book.last_price = market.mid;
    for k in 1..=5 {
        book.add(
            Side::Bid,
            market.mid - k * market.tick,
            None,
            rng.i64(1..=50) * 100,
        );
        book.add(
            Side::Ask,
            market.mid + k * market.tick,
            None,
            rng.i64(1..=50) * 100,
        );
    }
    book
}

/// The `MarginMarket` of `market` as its book stands.
pub(crate) fn market_json(market: &MarketDef, book: &MarginBook) -> Value {
    let bid = book.best(Side::Bid).map_or(0, |(p, _)| p);
    let ask = book.best(Side::Ask).map_or(0, |(p, _)| p);
    json!({
        "ticker": market.ticker,
        "title": market.title,
        "exchange_index": 0,
        "contract_size": market.contract_size,
        "underlying_multiplier": "1",
        "tick_size": price_text(market.tick),
        "status": "active",
        "fractional_trading_enabled": true,
        "price": price_text(book.last_price),
        "bid": price_text(bid),
        "ask": price_text(ask),
        "volume": count_text(book.volume),
        "volume_notional_value_dollars": super::account::money_text(book.volume_notional),
        "open_interest": count_text(book.open_interest().0),
        "volume_24h": count_text(book.volume),
        "asset_class": "crypto",
        "schedule": null,
    })
}

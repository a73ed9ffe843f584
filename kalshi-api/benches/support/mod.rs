//! The realistic bodies the decode and throughput benches share.

// Each bench uses only part of this module.
#![allow(dead_code)]

use serde_json::{json, Value};

/// One production-shaped market with every property the spec lists, shared with the decoding tests.
pub const MARKET_JSON: &str = include_str!("../../tests/data/market.json");

/// Markets in a full `GetMarkets` page (the API's maximum `limit`).
pub const PAGE_SIZE: usize = 1000;

/// The fixture's ticker.
pub const TICKER: &str = "KXHIGHNY-26NOV21-B45.5";

/// A `GET /markets/{ticker}` body: `{"market": <fixture>}`.
pub fn market_body() -> Vec<u8> {
    let market: Value = serde_json::from_str(MARKET_JSON).expect("market.json is JSON");
    serde_json::to_vec(&json!({ "market": market })).unwrap()
}

/// A `GetMarkets` page of [`PAGE_SIZE`] markets cloned from the fixture, with distinct tickers,
/// prices, volumes and strikes so no two markets are the same text.
pub fn page_body() -> Vec<u8> {
    let base: Value = serde_json::from_str(MARKET_JSON).expect("market.json is JSON");
    let markets: Vec<Value> = (0..PAGE_SIZE)
        .map(|i| {
            let mut m = base.clone();
            let bid = 100 + (i * 37) % 9700;
            m["ticker"] = json!(format!("KXHIGHNY-26NOV21-B{}.5", 45 + i));
            m["yes_bid_dollars"] = json!(format!("0.{bid:04}"));
            m["yes_ask_dollars"] = json!(format!("0.{:04}", bid + 200));
            m["no_bid_dollars"] = json!(format!("0.{:04}", 9800 - bid));
            m["no_ask_dollars"] = json!(format!("0.{:04}", 10_000 - bid));
            m["volume_fp"] = json!(format!("{}.00", 1000 + i * 131));
            m["floor_strike"] = json!(45 + i);
            m["cap_strike"] = json!(46 + i);
            m
        })
        .collect();
    let page = json!({
        "markets": markets,
        "cursor": "CgwI8K3ZvwYQgNvN5gISHEtYSElHSE5ZLTI2Tk9WMjEtQjEwNDIuNQ",
    });
    serde_json::to_vec(&page).unwrap()
}

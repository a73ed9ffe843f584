//! `kalshi replay DIR --book TICKER [--at TIME]`: one book, as one JSON line in the form the
//! `ws_orderbook` example prints.

use crate::Failure;
use kalshi_api::record::book_at;
use kalshi_api::ws::{OrderBook, ServerMessage, Side};
use std::path::Path;

/// Prints the book of `ticker` at `at` (the end of the recording when `None`).
pub fn print(dir: &Path, ticker: &str, at: Option<&str>) -> Result<(), Failure> {
    let at_ns = at.map(parse_time).transpose()?;
    let book = book_at::<ServerMessage>(dir, ticker, at_ns)??;
    println!("{}", book_json(&book));
    Ok(())
}

/// `{"ticker", "yes", "no"}`: each side's bids, best first, as `[price, size]` decimal strings.
pub fn book_json(book: &OrderBook) -> serde_json::Value {
    let side = |side| {
        book.bids(side)
            .map(|l| serde_json::json!([l.price.to_string(), l.size.to_string()]))
            .collect::<Vec<_>>()
    };
    serde_json::json!({"ticker": book.ticker(), "yes": side(Side::Yes), "no": side(Side::No)})
}

/// A time as RFC 3339 (`2026-12-07T22:45:00Z`) or nanoseconds since the Unix epoch.
fn parse_time(text: &str) -> Result<u64, Failure> {
    if let Ok(ns) = text.parse::<u64>() {
        return Ok(ns);
    }
    let time = chrono::DateTime::parse_from_rfc3339(text)
        .map_err(|e| format!("`{text}` is neither RFC 3339 nor nanoseconds: {e}"))?;
    time.timestamp_nanos_opt()
        .and_then(|ns| u64::try_from(ns).ok())
        .ok_or_else(|| format!("`{text}` is out of range").into())
}

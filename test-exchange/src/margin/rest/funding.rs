//! Funding rates: a seeded hourly series per market (a rate within ±0.01%, the same for an
//! hour whoever asks), its history and the current estimate.

use super::{market_not_found, ApiError};
use crate::clock::{now_ms, rfc3339};
use crate::fixed::price_text;
use crate::margin::markets::{self, MarketDef};
use crate::rest::Shared;
use axum::extract::Query;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

const HOUR_MS: u64 = 3_600_000;
/// How far back the history goes when `start_ts` is absent.
const DEFAULT_HISTORY_HOURS: u64 = 24;

/// The rate applied at the hour starting `hour_ms` in `market`.
fn rate(market: &str, hour_ms: u64) -> f64 {
    let seed = market
        .bytes()
        .fold(hour_ms, |h, b| h.rotate_left(5) ^ u64::from(b));
    let mut rng = fastrand::Rng::with_seed(seed);
    f64::from(rng.i32(-100..=100)) / 1_000_000.0
}

/// The ticker frame's `funding_rate` at `ts`: the running hour's rate and the next funding time.
pub(crate) fn current(market: &str, ts: u64) -> Value {
    let hour = ts / HOUR_MS * HOUR_MS;
    json!({ "rate": rate(market, hour), "next_funding_time_ms": hour + HOUR_MS, "ts_ms": ts })
}

fn funding_rate(market: &MarketDef, hour_ms: u64) -> Value {
    json!({
        "market_ticker": market.ticker,
        "funding_time": rfc3339(hour_ms),
        "funding_rate": rate(market.ticker, hour_ms),
        "mark_price": price_text(market.mid),
    })
}

#[derive(Deserialize)]
pub(crate) struct HistoryQuery {
    ticker: Option<String>,
    start_ts: Option<u64>,
    end_ts: Option<u64>,
}

/// Every hourly funding between `start_ts` and `end_ts` (seconds), for one market or all.
pub(crate) async fn historical(Query(q): Query<HistoryQuery>) -> Result<Json<Value>, ApiError> {
    let chosen: Vec<&MarketDef> = match q.ticker.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => vec![markets::find(t).ok_or_else(|| market_not_found(t))?],
        None => markets::MARKETS.iter().collect(),
    };
    let end = q.end_ts.map_or_else(now_ms, |s| s * 1000);
    let start = q
        .start_ts
        .map_or(end.saturating_sub(DEFAULT_HISTORY_HOURS * HOUR_MS), |s| {
            s * 1000
        });
    let hours = (start.div_ceil(HOUR_MS)..=end / HOUR_MS).take(10_000);
    let rates: Vec<Value> = hours
        .flat_map(|h| chosen.iter().map(move |m| funding_rate(m, h * HOUR_MS)))
        .collect();
    Ok(Json(json!({ "funding_rates": rates })))
}

#[derive(Deserialize)]
pub(crate) struct EstimateQuery {
    ticker: Option<String>,
}

/// The running hour's rate and when it is next applied.
pub(crate) async fn estimate(
    axum::extract::State(state): Shared,
    Query(q): Query<EstimateQuery>,
) -> Result<Json<Value>, ApiError> {
    let ticker = q
        .ticker
        .ok_or_else(|| ApiError::invalid("missing required parameter `ticker`"))?;
    let market = markets::find(&ticker).ok_or_else(|| market_not_found(&ticker))?;
    let ts = now_ms();
    let hour = ts / HOUR_MS * HOUR_MS;
    let mark = state.margin_ws.world.lock().unwrap().markets.books[market.ticker].mark();
    Ok(Json(json!({
        "market_ticker": market.ticker,
        "computed_time": rfc3339(ts),
        "funding_rate": rate(market.ticker, hour),
        "mark_price": price_text(mark),
        "next_funding_time": rfc3339(hour + HOUR_MS),
    })))
}

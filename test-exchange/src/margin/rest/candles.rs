//! Candlesticks of a perps market, made from the public trades the exchange keeps: a candle for
//! each period with trades, its prices from the trades and its bid, ask and open interest from
//! the book just after each trade.

use super::{market_not_found, ApiError};
use crate::fixed::{count_text, price_text};
use crate::margin::account::{money_text, notional};
use crate::margin::markets;
use crate::margin::orders::Trade;
use crate::rest::Shared;
use axum::extract::{Path, Query};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(Deserialize)]
pub(crate) struct CandleQuery {
    start_ts: Option<u64>,
    end_ts: Option<u64>,
    period_interval: Option<u64>,
}

/// Open, low, high and close of `values` (in order, not empty).
fn ohlc(values: &[i64]) -> Value {
    let low = values.iter().min().copied().unwrap_or_default();
    let high = values.iter().max().copied().unwrap_or_default();
    json!({
        "open": price_text(values[0]),
        "low": price_text(low),
        "high": price_text(high),
        "close": price_text(values[values.len() - 1]),
    })
}

/// The candle ending at `end` (seconds) of `trades` (in order, not empty), after a candle that
/// closed at `previous`.
fn candle(end: u64, trades: &[&Trade], previous: Option<i64>) -> Value {
    let column = |f: fn(&Trade) -> i64| trades.iter().map(|t| f(t)).collect::<Vec<_>>();
    let volume: i64 = trades.iter().map(|t| t.count).sum();
    let paid: i64 = trades.iter().map(|t| notional(t.price, t.count)).sum();
    let mut price = ohlc(&column(|t| t.price));
    price["mean"] = json!(price_text(paid / volume.max(1)));
    price["previous"] = json!(previous.map(price_text));
    let (interest, interest_notional) = trades[trades.len() - 1].after.open_interest;
    json!({
        "end_period_ts": end,
        "bid": ohlc(&column(|t| t.after.bid)),
        "ask": ohlc(&column(|t| t.after.ask)),
        "price": price,
        "volume": count_text(volume),
        "volume_notional_value_dollars": money_text(paid),
        "open_interest": count_text(interest),
        "open_interest_notional_value_dollars": money_text(interest_notional),
    })
}

/// `GET /margin/markets/{ticker}/candlesticks`: `start_ts`, `end_ts` (seconds) and
/// `period_interval` (1, 60 or 1440 minutes) required.
pub(crate) async fn candlesticks(
    axum::extract::State(state): Shared,
    Path(ticker): Path<String>,
    Query(q): Query<CandleQuery>,
) -> Result<Json<Value>, ApiError> {
    let market = markets::find(&ticker).ok_or_else(|| market_not_found(&ticker))?;
    let (Some(start), Some(end), Some(minutes)) = (q.start_ts, q.end_ts, q.period_interval) else {
        return Err(ApiError::invalid(
            "`start_ts`, `end_ts` and `period_interval` are required",
        ));
    };
    if ![1, 60, 1440].contains(&minutes) {
        return Err(ApiError::invalid("`period_interval` must be 1, 60 or 1440"));
    }
    let period = minutes * 60;
    let world = state.margin_ws.world.lock().unwrap();
    let mut periods: BTreeMap<u64, Vec<&Trade>> = BTreeMap::new();
    for trade in world
        .markets
        .trades
        .iter()
        .filter(|t| t.ticker == market.ticker)
    {
        // A period's end is inclusive: a trade on a boundary closes the period ending there.
        let ends = (trade.ts_ms / 1000).div_ceil(period) * period;
        periods.entry(ends).or_default().push(trade);
    }
    let mut previous = None;
    let mut candles = Vec::new();
    for (ends, trades) in &periods {
        if (start..=end).contains(ends) {
            candles.push(candle(*ends, trades, previous));
        }
        previous = trades.last().map(|t| t.price);
    }
    Ok(Json(
        json!({ "ticker": market.ticker, "candlesticks": candles }),
    ))
}

//! Risk and fees as the margin rules of [`crate::margin`] make them: risk parameters, a key's
//! risk, fee rates, notional usage, and its funding history (empty: funding is never charged).

use crate::auth::key_id;
use crate::fixed::{count_text, price_text};
use crate::margin::account::{money_text, notional, INITIAL_PCT, MAINTENANCE_PCT, TAKER_FEE_BPS};
use crate::margin::book::Side;
use crate::margin::fcm::effective_notional_limit;
use crate::margin::{markets, Margin};
use crate::rest::Shared;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Map, Value};

/// A value for each listed market.
fn per_market(value: impl Fn(&str) -> Value) -> Map<String, Value> {
    markets::MARKETS
        .iter()
        .map(|m| (m.ticker.to_string(), value(m.ticker)))
        .collect()
}

/// Liquidation at a margin ratio of 1 (equity at the maintenance margin), the initial margin
/// twice the maintenance margin.
pub(crate) async fn parameters() -> Json<Value> {
    let multiplier = INITIAL_PCT as f64 / MAINTENANCE_PCT as f64;
    Json(json!({
        "liquidation_margin_ratio_threshold": 1.0,
        "queue_entry_margin_ratio_threshold": 1.1,
        "initial_margin_multiplier": per_market(|_| json!(multiplier)),
    }))
}

/// The key's positions at the marks, their notional and maintenance margin.
pub(crate) async fn risk(axum::extract::State(state): Shared, headers: HeaderMap) -> Json<Value> {
    let world = state.margin_ws.world.lock().unwrap();
    let margin = &world.markets;
    let key = key_id(&headers);
    let marks = margin.marks();
    let account = margin.accounts.get(key).cloned().unwrap_or_default();
    let (mut total, mut maintenance) = (0, 0);
    let positions: Vec<Value> = account
        .positions
        .iter()
        .filter(|(_, p)| p.count != 0)
        .map(|(ticker, p)| {
            let mark = marks.get(ticker.as_str()).copied().unwrap_or(p.entry_price);
            let value = notional(mark, p.count);
            total += value;
            maintenance += value * MAINTENANCE_PCT / 100;
            json!({
                "subaccount": 0,
                "market_ticker": ticker,
                "position": count_text(p.count),
                "mark_price": price_text(mark),
                "position_notional": money_text(value),
                "maintenance_margin_required": money_text(value * MAINTENANCE_PCT / 100),
                "position_leverage": 100.0 / MAINTENANCE_PCT as f64,
                "is_portfolio": false,
            })
        })
        .collect();
    let equity = margin.balance(key).0.account_equity;
    let mut answer = json!({
        "total_position_notional": money_text(total),
        "total_maintenance_margin": money_text(maintenance),
        "positions": positions,
    });
    if equity > 0 {
        answer["account_leverage"] = json!(total as f64 / equity as f64);
    }
    Json(answer)
}

/// Makers pay nothing, takers 5 bps, in every market.
pub(crate) async fn fee_tiers() -> Json<Value> {
    let taker = TAKER_FEE_BPS as f64 / 10_000.0;
    Json(json!({
        "maker_fee_rates": per_market(|_| json!(0.0)),
        "taker_fee_rates": per_market(|_| json!(taker)),
    }))
}

/// Every fee schedule the spec names, all at the same rates.
pub(crate) async fn fee_tier_rates() -> Json<Value> {
    let taker = TAKER_FEE_BPS as f64 / 10_000.0;
    let rates: Vec<Value> = ["self_clearing_members", "kalshi_prime", "fcm"]
        .into_iter()
        .map(|schedule| {
            json!({ "fee_schedule": schedule, "tier": 1, "maker_fee_rate": 0.0, "taker_fee_rate": taker })
        })
        .collect();
    Json(json!({ "fee_tier_rates": rates }))
}

/// No funding is ever charged here, so the history is empty.
pub(crate) async fn funding_history() -> Json<Value> {
    Json(json!({ "funding_history": [] }))
}

/// Per market, the larger of the long side (long position plus resting bids) and the short side
/// (short position plus resting asks), positions at the mark and orders at their price, as the
/// spec describes; the limit is reported, never enforced.
fn usage(margin: &Margin, key_id: &str) -> Vec<(String, i64)> {
    let marks = margin.marks();
    let account = margin.accounts.get(key_id).cloned().unwrap_or_default();
    let mut sides: std::collections::BTreeMap<&str, (i64, i64)> = Default::default();
    for (ticker, p) in &account.positions {
        let mark = marks.get(ticker.as_str()).copied().unwrap_or(p.entry_price);
        let entry = sides.entry(ticker.as_str()).or_default();
        if p.count > 0 {
            entry.0 += notional(mark, p.count);
        } else {
            entry.1 += notional(mark, p.count);
        }
    }
    for o in margin
        .orders
        .values()
        .filter(|o| o.key_id == key_id && o.remaining > 0)
    {
        let entry = sides.entry(o.ticker.as_str()).or_default();
        match o.side {
            Side::Bid => entry.0 += notional(o.price, o.remaining),
            Side::Ask => entry.1 += notional(o.price, o.remaining),
        }
    }
    sides
        .into_iter()
        .filter(|(_, (long, short))| *long + *short > 0)
        .map(|(t, (long, short))| (t.to_string(), long.max(short)))
        .collect()
}

/// `NotionalRiskLimitResponse`: the limit that governs (Kalshi's $1,000,000, or the member's own
/// when lower) and the key's usage.
pub(crate) async fn notional_risk_limit(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
) -> Json<Value> {
    let world = state.margin_ws.world.lock().unwrap();
    let key = key_id(&headers);
    let limit = effective_notional_limit(world.markets.fcm.get(key));
    let by_market = usage(&world.markets, key);
    let total: i64 = by_market.iter().map(|(_, usage)| usage).sum();
    let by_market: Map<String, Value> = by_market
        .into_iter()
        .map(|(ticker, usage)| (ticker, json!(money_text(usage))))
        .collect();
    Json(json!({
        "default_notional_value_risk_limit": price_text(limit),
        "notional_value_risk_limits_by_market_ticker": {},
        "total_current_usage": money_text(total),
        "current_usage_by_market_ticker": by_market,
    }))
}

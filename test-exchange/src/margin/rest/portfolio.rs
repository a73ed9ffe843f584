//! A key's margin portfolio: positions, balance, fills, whether margin is enabled, and its perps
//! rate limits.

use super::market_data::PageQuery;
use super::{page, ApiError, LISTS};
use crate::auth::key_id;
use crate::fixed::{count_text, price_text};
use crate::margin::account::{money_text, notional, Account, Balance};
use crate::rest::Shared;
use axum::extract::Query;
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub(crate) struct PositionsQuery {
    ticker: Option<String>,
}

/// The key's open positions (a flat position is not listed), valued at the marks.
pub(crate) async fn positions(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<PositionsQuery>,
) -> Json<Value> {
    let world = state.margin_ws.world.lock().unwrap();
    let margin = &world.markets;
    let marks = margin.marks();
    let account = margin
        .accounts
        .get(key_id(&headers))
        .cloned()
        .unwrap_or_default();
    let list: Vec<Value> = account
        .positions
        .iter()
        .filter(|(t, p)| p.count != 0 && q.ticker.as_deref().is_none_or(|q| q == t.as_str()))
        .map(|(ticker, p)| {
            let mark = marks.get(ticker.as_str()).copied().unwrap_or(p.entry_price);
            json!({
                "subaccount": 0,
                "market_ticker": ticker,
                "position": count_text(p.count),
                "entry_price": price_text(p.entry_price),
                "unrealized_pnl": money_text(Account::unrealized(p, mark)),
                "margin_used": money_text(notional(mark, p.count) / 10),
                "fees": money_text(p.fees),
                "is_portfolio": false,
            })
        })
        .collect();
    Json(json!({ "positions": list }))
}

/// `GetMarginBalanceResponse`: the primary subaccount's figures, then each numbered
/// subaccount's (settled funds only), and the settled funds of them all.
pub(crate) async fn balance(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
) -> Json<Value> {
    let world = state.margin_ws.world.lock().unwrap();
    let key = key_id(&headers);
    let (b, cash) = world.markets.balance(key);
    let numbered = world
        .markets
        .accounts
        .get(key)
        .map(|a| a.subaccounts.clone())
        .unwrap_or_default();
    let mut balances = vec![subaccount_balance(0, &b)];
    for (i, funds) in numbered.iter().enumerate() {
        let only_funds = Balance {
            account_equity: *funds,
            available_balance: *funds,
            ..Balance::default()
        };
        balances.push(subaccount_balance(i as i64 + 1, &only_funds));
    }
    Json(json!({
        "subaccount_balances": balances,
        "settled_funds": money_text(cash + numbered.iter().sum::<i64>()),
    }))
}

/// One `MarginSubaccountBalance`.
fn subaccount_balance(subaccount: i64, b: &Balance) -> Value {
    json!({
        "subaccount": subaccount,
        "position_value": money_text(b.position_value),
        "account_equity": money_text(b.account_equity),
        "maintenance_margin": money_text(b.maintenance_margin),
        "initial_margin": money_text(b.initial_margin),
        "resting_orders_margin": money_text(b.resting_orders_margin),
        "available_balance": money_text(b.available_balance),
    })
}

/// The key's fills, newest first, with cursor pagination.
pub(crate) async fn fills(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let key = key_id(&headers);
    let world = state.margin_ws.world.lock().unwrap();
    let items: Vec<(u64, Value)> = world
        .markets
        .fills
        .iter()
        .enumerate()
        .filter(|(_, f)| f.key_id == key && q.keeps(&f.ticker, f.ts_ms))
        .map(|(i, f)| (i as u64, f.json()))
        .collect();
    let (fills, cursor) = page(items.into_iter(), q.limit, LISTS, q.cursor.as_deref())?;
    Ok(Json(json!({ "fills": fills, "cursor": cursor })))
}

pub(crate) async fn enabled() -> Json<Value> {
    Json(json!({ "enabled": true }))
}

/// `GetAccountApiLimitsResponse` for perps: the configured buckets (Kalshi's basic tier when the
/// exchange does not limit perps).
pub(crate) async fn limits(axum::extract::State(state): Shared) -> Json<Value> {
    let (read, write) = state.config.perps_buckets();
    let bucket = |b: crate::Bucket| json!({ "refill_rate": b.refill_per_sec, "bucket_capacity": b.capacity });
    Json(json!({
        "usage_tier": "basic",
        "read": bucket(read),
        "write": bucket(write),
        "grants": [],
    }))
}

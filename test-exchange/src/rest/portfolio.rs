//! Portfolio reads: the balance.

use super::Shared;
use crate::clock::now_ms;
use axum::Json;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

pub(crate) async fn get_balance(axum::extract::State(state): Shared) -> Json<Value> {
    let cents = state.ledger.balance_cents.load(Ordering::Relaxed);
    Json(json!({
        "balance": cents,
        "balance_dollars": format!("{}.{:02}00", cents / 100, cents % 100),
        "portfolio_value": 25_000,
        "updated_ts": now_ms() / 1000,
    }))
}

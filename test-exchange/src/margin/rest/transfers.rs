//! Margin subaccounts and transfers: open a numbered subaccount, move funds between a key's
//! subaccounts, and move funds between the event-contract exchange and the margined one, over
//! [`crate::margin::subaccounts`]. The event-contract balance is in cents, so an intra-exchange
//! amount (in centi-cents) must be whole cents here.

use super::{object, ApiError};
use crate::auth::key_id;
use crate::margin::subaccounts::insufficient;
use crate::rest::Shared;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

/// Money units (millionths of a dollar) in a cent and in a centi-cent.
const PER_CENT: i64 = 10_000;
const PER_CENTI_CENT: i64 = 100;

/// An integer field of `req`, or a 400.
fn integer(req: &Value, field: &str) -> Result<i64, ApiError> {
    req.get(field)
        .and_then(Value::as_i64)
        .ok_or_else(|| ApiError::invalid(format!("`{field}` must be an integer")))
}

/// `POST /portfolio/margin/subaccounts`: 201 with the new subaccount's number.
pub(crate) async fn create_subaccount(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mut world = state.margin_ws.world.lock().unwrap();
    let number = world.markets.open_subaccount(key_id(&headers))?;
    let answer = json!({ "subaccount_number": number });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `POST /portfolio/margin/subaccounts/transfer`: moves `amount_cents` between two of the key's
/// subaccounts, once per `client_transfer_id` (a UUID).
pub(crate) async fn between_subaccounts(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let id = req
        .get("client_transfer_id")
        .and_then(Value::as_str)
        .filter(|id| uuid_shaped(id))
        .ok_or_else(|| ApiError::invalid("`client_transfer_id` must be a UUID"))?;
    let route = (
        integer(&req, "from_subaccount")?,
        integer(&req, "to_subaccount")?,
    );
    let amount = integer(&req, "amount_cents")?.saturating_mul(PER_CENT);
    let mut world = state.margin_ws.world.lock().unwrap();
    let margin = &mut world.markets;
    margin.transfer_between_subaccounts(key_id(&headers), id, route, amount)?;
    Ok(Json(json!({})))
}

/// Whether `id` is written as a UUID: 8-4-4-4-12 hexadecimal digits.
fn uuid_shaped(id: &str) -> bool {
    let groups: Vec<&str> = id.split('-').collect();
    let lengths = groups.iter().map(|g| g.len()).collect::<Vec<_>>();
    lengths == [8, 4, 4, 4, 12]
        && groups
            .iter()
            .all(|g| g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Which exchange instance a transfer names: `true` for the margined one.
fn instance(req: &Value, field: &str) -> Result<bool, ApiError> {
    match req.get(field).and_then(Value::as_str) {
        Some("margined") => Ok(true),
        Some("event_contract") => Ok(false),
        _ => Err(ApiError::invalid(format!(
            "`{field}` must be `event_contract` or `margined`"
        ))),
    }
}

/// The amount of an intra-exchange transfer, in cents: positive whole cents, and shards 0 to 100.
fn transfer_cents(req: &Value) -> Result<i64, ApiError> {
    for shard in ["source_exchange_shard", "destination_exchange_shard"] {
        if let Some(v) = req.get(shard) {
            if !v.as_i64().is_some_and(|n| (0..=100).contains(&n)) {
                return Err(ApiError::invalid(format!("`{shard}` must be 0 to 100")));
            }
        }
    }
    let amount = integer(req, "amount")?;
    if amount <= 0 || amount % (PER_CENT / PER_CENTI_CENT) != 0 {
        return Err(ApiError::invalid(
            "`amount` (centi-cents) must be a positive number of whole cents",
        ));
    }
    Ok(amount / (PER_CENT / PER_CENTI_CENT))
}

/// `POST /portfolio/intra_exchange_instance_transfer`: moves `amount` between the event-contract
/// balance and the key's primary margin subaccount, at once; 200 with a transfer id.
pub(crate) async fn between_instances(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let (from_margin, to_margin) = (instance(&req, "source")?, instance(&req, "destination")?);
    if from_margin == to_margin {
        return Err(ApiError::invalid("the source and destination must differ"));
    }
    let cents = transfer_cents(&req)?;
    let key = key_id(&headers);
    let mut world = state.margin_ws.world.lock().unwrap();
    let margin = &mut world.markets;
    let event_balance = &state.ledger.balance_cents;
    if from_margin {
        margin.withdraw(key, cents * PER_CENT)?;
        event_balance.fetch_add(cents, Ordering::Relaxed);
    } else {
        let take = |b: i64| (b >= cents).then_some(b - cents);
        event_balance
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, take)
            .map_err(|have| insufficient(cents * PER_CENT, have * PER_CENT))?;
        margin.deposit(key, cents * PER_CENT);
    }
    Ok(Json(json!({ "transfer_id": margin.new_id(0xf000) })))
}

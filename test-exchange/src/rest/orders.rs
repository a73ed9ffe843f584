//! Orders: V2 create and cancel, single and batched, and the order read.

use super::{ApiError, Shared};
use crate::auth::key_id;
use crate::clock::now_ms;
use crate::fixed::{count_text, parse_fixed, DOLLAR};
use crate::ledger::complement;
use crate::ws::trading::{self, NewOrder, Outcome};
use crate::State;
use axum::extract::Path;
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::sync::atomic::Ordering;

/// The fields a `CreateOrderV2Request` must have.
const REQUIRED_ORDER_FIELDS: [&str; 6] = [
    "ticker",
    "side",
    "count",
    "price",
    "time_in_force",
    "self_trade_prevention_type",
];

/// A `CreateOrderV2Request` that passed validation.
struct OrderRequest<'a> {
    ticker: &'a str,
    /// `side` is `bid` (buys YES) rather than `ask` (buys NO).
    bid: bool,
    /// The YES price as given.
    price_text: &'a str,
    /// The YES price in ten-thousandths of a dollar.
    price: i64,
    /// The count in hundredths of a contract.
    count: i64,
    client_order_id: String,
    /// `immediate_or_cancel` or `fill_or_kill`: nothing rests.
    ioc: bool,
}

/// Checks one `CreateOrderV2Request` as Kalshi does: the error a single create answers, or the
/// order to place.
fn validate<'a>(state: &State, req: &'a Value) -> Result<OrderRequest<'a>, ApiError> {
    if !req.is_object() {
        return Err(ApiError::invalid("an order must be a JSON object"));
    }
    if let Some(field) = REQUIRED_ORDER_FIELDS
        .into_iter()
        .find(|field| req.get(field).is_none_or(Value::is_null))
    {
        return Err(ApiError::invalid(format!(
            "missing required field `{field}`"
        )));
    }
    let ticker = req["ticker"].as_str().unwrap_or_default();
    if !state.ledger.by_ticker.contains_key(ticker) {
        return Err(ApiError {
            status: StatusCode::NOT_FOUND,
            code: "market_not_found",
            message: "market not found",
            details: format!("no market `{ticker}`"),
        });
    }
    let side = req["side"].as_str().unwrap_or_default();
    if side != "bid" && side != "ask" {
        return Err(ApiError::invalid("`side` must be `bid` or `ask`"));
    }
    let (Some(count_text), Some(price_text)) = (req["count"].as_str(), req["price"].as_str())
    else {
        return Err(ApiError::invalid(
            "`count` and `price` must be fixed-point strings",
        ));
    };
    let (Some(price), Some(count)) = (parse_fixed(price_text, 4), parse_fixed(count_text, 2))
    else {
        return Err(ApiError::invalid(
            "`price` needs at most 4 decimals and `count` at most 2",
        ));
    };
    if !(1..DOLLAR).contains(&price) || count <= 0 {
        return Err(ApiError::invalid(
            "`price` must be within (0, 1) and `count` positive",
        ));
    }
    Ok(OrderRequest {
        ticker,
        bid: side == "bid",
        price_text,
        price,
        count,
        client_order_id: req["client_order_id"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ioc: matches!(
            req["time_in_force"].as_str(),
            Some("immediate_or_cancel" | "fill_or_kill")
        ),
    })
}

/// Validates one `CreateOrderV2Request` and places the order against the book: the
/// `CreateOrderV2Response`, or the error a single create answers. Shared by the single and the
/// batch create.
fn place_order(state: &State, key_id: &str, req: &Value) -> Result<Value, ApiError> {
    let new = validate(state, req)?;
    let n = state.ledger.next_order.fetch_add(1, Ordering::Relaxed);
    let order_id = format!("00000000-0000-4000-8000-{n:012x}");
    // The book, the order and its frames change under one lock, so every reader sees them in
    // one order.
    let mut world = state.ws.world.lock().unwrap();
    let done = trading::execute(
        &mut world,
        &state.ledger,
        &NewOrder {
            key_id,
            order_id: &order_id,
            client_order_id: &new.client_order_id,
            ticker: new.ticker,
            bid: new.bid,
            price: new.price,
            count: new.count,
            ioc: new.ioc,
        },
    );
    let order = order_record(&order_id, &new, &done, req);
    trading::publish_order(&mut world, key_id, &order);
    state.ws.announce(&world);
    drop(world);
    state
        .ledger
        .orders
        .lock()
        .unwrap()
        .insert(order_id.clone(), order);
    Ok(json!({
        "order_id": order_id,
        "client_order_id": new.client_order_id,
        "fill_count": count_text(done.filled),
        "remaining_count": count_text(done.resting),
        "ts_ms": now_ms(),
    }))
}

/// The `Order` the order read answers and `user_orders` frames carry, after `done`.
fn order_record(order_id: &str, new: &OrderRequest, done: &Outcome, req: &Value) -> Value {
    let status = if done.resting > 0 {
        "resting"
    } else if done.filled == new.count {
        "executed"
    } else {
        "canceled"
    };
    let yes_price = normalize_price(new.price_text);
    let outcome = if new.bid { "yes" } else { "no" };
    json!({
        "order_id": order_id,
        "user_id": "00000000-0000-4000-c000-000000000001",
        "client_order_id": new.client_order_id,
        "ticker": new.ticker,
        "side": outcome,
        "action": "buy",
        "outcome_side": outcome,
        "book_side": if new.bid { "bid" } else { "ask" },
        "type": "limit",
        "status": status,
        "yes_price_dollars": yes_price,
        "no_price_dollars": complement(&yes_price),
        "fill_count_fp": count_text(done.filled),
        "remaining_count_fp": count_text(done.resting),
        "initial_count_fp": count_text(new.count),
        "taker_fill_cost_dollars": "0.0000",
        "maker_fill_cost_dollars": "0.0000",
        "taker_fees_dollars": "0.0000",
        "maker_fees_dollars": "0.0000",
        "expiration_time": null,
        "created_time": "2026-01-01T00:00:00Z",
        "last_update_time": null,
        "self_trade_prevention_type": req["self_trade_prevention_type"],
        "order_group_id": null,
        "cancel_order_on_pause": req.get("cancel_order_on_pause").and_then(Value::as_bool).unwrap_or(false),
        "subaccount_number": 0,
        "exchange_index": 0,
    })
}

/// `POST /portfolio/events/orders`: one order, 201 with a `CreateOrderV2Response`.
pub(crate) async fn create_order_v2(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let req = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let created = place_order(&state, key_id(&headers), &req)?;
    Ok((StatusCode::CREATED, Json(created)).into_response())
}

/// The `orders` array of a batch request: present, not empty and at most
/// [`Config::max_batch_size`](crate::Config::max_batch_size) long.
fn batch_orders(state: &State, body: &[u8]) -> Result<Vec<Value>, ApiError> {
    let mut req: Value = serde_json::from_slice(body)
        .map_err(|_| ApiError::invalid("the body must be JSON with an `orders` array"))?;
    let Some(Value::Array(orders)) = req.get_mut("orders").map(Value::take) else {
        return Err(ApiError::invalid("missing required array `orders`"));
    };
    let max = state.config.max_batch_size;
    if orders.is_empty() {
        return Err(ApiError::invalid("`orders` must not be empty"));
    }
    if orders.len() > max {
        return Err(ApiError::invalid(format!(
            "a batch holds at most {max} orders, got {}",
            orders.len()
        )));
    }
    Ok(orders)
}

/// `POST /portfolio/events/orders/batched`: each order as the single create would place it; one
/// result per order, in order, with `error` set on the ones it would reject.
pub(crate) async fn batch_create_orders_v2(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let results: Vec<Value> = batch_orders(&state, &body)?
        .iter()
        .map(|req| match place_order(&state, key_id(&headers), req) {
            Ok(mut created) => {
                for field in ["average_fill_price", "average_fee_paid", "error"] {
                    created[field] = Value::Null;
                }
                created
            }
            Err(e) => json!({
                "order_id": "",
                "client_order_id": req.get("client_order_id"),
                "fill_count": null,
                "remaining_count": null,
                "average_fill_price": null,
                "average_fee_paid": null,
                "ts_ms": null,
                "error": e.body(),
            }),
        })
        .collect();
    Ok((StatusCode::CREATED, Json(json!({ "orders": results }))).into_response())
}

/// Pads a dollar string to four decimals (`"0.56"` gives `"0.5600"`).
pub(crate) fn normalize_price(price: &str) -> String {
    match price.split_once('.') {
        Some((whole, frac)) if frac.len() <= 4 => format!("{whole}.{frac:0<4}"),
        _ => price.to_string(),
    }
}

pub(crate) async fn get_order(
    axum::extract::State(state): Shared,
    Path(order_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match state.ledger.orders.lock().unwrap().get(&order_id) {
        Some(order) => Ok(Json(json!({ "order": order }))),
        None => Err(ApiError::order_not_found(&order_id)),
    }
}

/// Cancels a resting order: a `CancelOrderV2Response`, or why it cannot (404 unknown order, 409
/// not resting). Shared by the single and the batch cancel.
fn cancel(state: &State, key_id: &str, order_id: &str) -> Result<Value, ApiError> {
    let mut world = state.ws.world.lock().unwrap();
    let mut orders = state.ledger.orders.lock().unwrap();
    let order = orders
        .get_mut(order_id)
        .ok_or_else(|| ApiError::order_not_found(order_id))?;
    if order["status"] != "resting" {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "order_not_resting",
            message: "order is not resting",
            details: format!(
                "order `{order_id}` is {}",
                order["status"].as_str().unwrap_or_default()
            ),
        });
    }
    let reduced_by = order["remaining_count_fp"].take();
    order["status"] = json!("canceled");
    order["remaining_count_fp"] = json!("0.00");
    let remaining = reduced_by
        .as_str()
        .and_then(|c| parse_fixed(c, 2))
        .unwrap_or(0);
    trading::cancel(&mut world, &state.ledger, key_id, order, remaining);
    trading::publish_order(&mut world, key_id, order);
    state.ws.announce(&world);
    Ok(json!({
        "order_id": order_id,
        "client_order_id": order["client_order_id"],
        "reduced_by": reduced_by,
        "ts_ms": now_ms(),
    }))
}

pub(crate) async fn cancel_order_v2(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    cancel(&state, key_id(&headers), &order_id).map(Json)
}

/// `DELETE /portfolio/events/orders/batched`: a DELETE with a JSON body; one result per order, in
/// order, with `error` set on the ones that could not be cancelled.
pub(crate) async fn batch_cancel_orders_v2(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let orders = batch_orders(&state, &body)?;
    let ids = orders
        .iter()
        .map(|o| o.get("order_id").and_then(Value::as_str))
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| ApiError::invalid("each order needs an `order_id`"))?;
    let results: Vec<Value> = ids
        .into_iter()
        .map(|order_id| {
            cancel(&state, key_id(&headers), order_id).unwrap_or_else(|e| {
                json!({
                    "order_id": order_id,
                    "client_order_id": null,
                    "reduced_by": "0.00",
                    "ts_ms": null,
                    "error": e.body(),
                })
            })
        })
        .collect();
    Ok(Json(json!({ "orders": results })))
}

//! Margin orders: create, read, list, amend, decrease, cancel and cancel all, over the matching
//! of [`crate::margin::orders`].

use super::{fixed_field, market_not_found, not_found, object, page, ApiError, Limits};
use crate::auth::key_id;
use crate::clock::now_ms;
use crate::fixed::count_text;
use crate::margin::book::Side;
use crate::margin::orders::{
    cancel_resting, check_margin, execute, id_number, lift, reduce, Execution, MarginOrder, Terms,
    TimeInForce,
};
use crate::margin::{markets, Margin};
use crate::rest::Shared;
use crate::ws::World;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// The fields a `CreateMarginOrderRequest` must have.
const REQUIRED: [&str; 7] = [
    "ticker",
    "client_order_id",
    "side",
    "count",
    "price",
    "time_in_force",
    "self_trade_prevention_type",
];

/// `GET /margin/orders`: 1 to 10,000, 10,000 by default.
const ORDER_LIST: Limits = Limits {
    default: 10_000,
    max: 10_000,
};

/// A `CreateMarginOrderRequest` that passed validation: the order, not yet placed, and its terms.
fn validate(key_id: &str, req: &Value) -> Result<(MarginOrder, Terms), ApiError> {
    if let Some(field) = REQUIRED
        .iter()
        .find(|f| req.get(**f).is_none_or(Value::is_null))
    {
        return Err(ApiError::invalid(format!(
            "missing required field `{field}`"
        )));
    }
    let text = |field: &str| req[field].as_str().unwrap_or_default().to_string();
    let ticker = text("ticker");
    let side = Side::parse(&text("side"))
        .ok_or_else(|| ApiError::invalid("`side` must be `bid` or `ask`"))?;
    let (price, count) = price_and_count(&ticker, req)?;
    let time_in_force = match req["time_in_force"].as_str() {
        Some("good_till_canceled") => TimeInForce::GoodTillCanceled,
        Some("immediate_or_cancel") => TimeInForce::ImmediateOrCancel,
        Some("fill_or_kill") => TimeInForce::FillOrKill,
        _ => return Err(ApiError::invalid("unknown `time_in_force`")),
    };
    let stp = text("self_trade_prevention_type");
    if !matches!(stp.as_str(), "taker_at_cross" | "maker") {
        return Err(ApiError::invalid("unknown `self_trade_prevention_type`"));
    }
    let flag = |field: &str| req.get(field).and_then(Value::as_bool).unwrap_or(false);
    let now = now_ms();
    let order = MarginOrder {
        order_id: String::new(),
        key_id: key_id.to_string(),
        client_order_id: text("client_order_id"),
        ticker,
        side,
        price,
        fill_count: 0,
        remaining: count,
        created_ms: now,
        updated_ms: now,
        last_update_reason: "",
        self_trade_prevention: stp,
        cancel_order_on_pause: flag("cancel_order_on_pause"),
        order_group_id: req
            .get("order_group_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        canceled: false,
    };
    let terms = Terms {
        time_in_force,
        post_only: flag("post_only"),
    };
    Ok((order, terms))
}

/// The `price` and `count` of an order for `ticker`: positive, the price on the market's ticks.
fn price_and_count(ticker: &str, req: &Value) -> Result<(i64, i64), ApiError> {
    let market = markets::find(ticker).ok_or_else(|| market_not_found(ticker))?;
    let price = fixed_field(req, "price", 4)?.unwrap_or(0);
    let count = fixed_field(req, "count", 2)?.unwrap_or(0);
    if price <= 0 || count <= 0 {
        return Err(ApiError::invalid("`price` and `count` must be positive"));
    }
    if price % market.tick != 0 {
        return Err(ApiError::invalid(format!(
            "`price` must be a multiple of the tick size {}",
            crate::fixed::price_text(market.tick)
        )));
    }
    Ok((price, count))
}

/// Refuses an order for a group that is not the key's, or that is triggered.
fn check_group(margin: &Margin, order: &MarginOrder) -> Result<(), ApiError> {
    let Some(id) = &order.order_group_id else {
        return Ok(());
    };
    match margin.groups.get(id) {
        Some(g) if g.key_id == order.key_id && g.triggered => Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "order_group_triggered",
            message: "order group is triggered",
            details: format!("order group `{id}` takes no orders until it is reset"),
        }),
        Some(g) if g.key_id == order.key_id => Ok(()),
        _ => Err(not_found("order group", id)),
    }
}

/// The fields an order's execution adds to a create or amend answer.
fn with_averages(mut answer: Value, done: &Execution) -> Value {
    let (price, fee) = done.averages();
    if let Some(price) = price {
        answer["average_fill_price"] = json!(price);
    }
    if let Some(fee) = fee {
        answer["average_fee_paid"] = json!(fee);
    }
    answer
}

/// `POST /margin/orders`: 201 with a `CreateMarginOrderResponse`.
pub(crate) async fn create(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let (mut order, terms) = validate(key_id(&headers), &object(&body)?)?;
    let mut world = state.margin_ws.world.lock().unwrap();
    check_group(&world.markets, &order)?;
    check_margin(&world.markets, &order.key_id, order.price, order.remaining)?;
    order.order_id = world.markets.new_id(0x8000);
    let order_id = order.order_id.clone();
    let done = execute(&mut world, order, terms);
    state.margin_ws.announce(&world);
    let order = &world.markets.orders[&order_id];
    let answer = json!({
        "order_id": order_id,
        "client_order_id": order.client_order_id,
        "fill_count": count_text(order.fill_count),
        "remaining_count": count_text(order.remaining),
    });
    Ok((StatusCode::CREATED, Json(with_averages(answer, &done))).into_response())
}

/// `key_id`'s order `order_id`, or a 404.
fn owned(world: &World<Margin>, key_id: &str, order_id: &str) -> Result<MarginOrder, ApiError> {
    world
        .markets
        .orders
        .get(order_id)
        .filter(|o| o.key_id == key_id)
        .cloned()
        .ok_or_else(|| not_found("order", order_id))
}

/// `key_id`'s resting order `order_id`, or a 404 (unknown) or 409 (not resting).
fn resting(world: &World<Margin>, key_id: &str, order_id: &str) -> Result<MarginOrder, ApiError> {
    let order = owned(world, key_id, order_id)?;
    if order.remaining == 0 {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "order_not_resting",
            message: "order is not resting",
            details: format!("order `{order_id}` is {}", order.status()),
        });
    }
    Ok(order)
}

pub(crate) async fn get(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let world = state.margin_ws.world.lock().unwrap();
    let order = owned(&world, key_id(&headers), &order_id)?;
    Ok(Json(json!({ "order": order.json() })))
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    ticker: Option<String>,
    status: Option<String>,
    min_ts: Option<u64>,
    max_ts: Option<u64>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The key's orders, newest first, filtered by ticker, status and creation time (seconds).
pub(crate) async fn list(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<ListQuery>,
) -> Result<Json<Value>, ApiError> {
    let key = key_id(&headers);
    let world = state.margin_ws.world.lock().unwrap();
    let items: Vec<(u64, Value)> = world
        .markets
        .orders
        .values()
        .filter(|o| o.key_id == key && q.ticker.as_deref().is_none_or(|t| t == o.ticker))
        .filter(|o| q.status.as_deref().is_none_or(|s| s == o.status()))
        .filter(|o| q.min_ts.is_none_or(|t| o.created_ms / 1000 >= t))
        .filter(|o| q.max_ts.is_none_or(|t| o.created_ms / 1000 <= t))
        .map(|o| (id_number(&o.order_id), o.json()))
        .collect();
    let (orders, cursor) = page(items.into_iter(), q.limit, ORDER_LIST, q.cursor.as_deref())?;
    Ok(Json(json!({ "orders": orders, "cursor": cursor })))
}

/// `DELETE /margin/orders/{order_id}`: what rested is cancelled.
pub(crate) async fn cancel(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(order_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let mut world = state.margin_ws.world.lock().unwrap();
    let order = resting(&world, key_id(&headers), &order_id)?;
    let reduced_by = cancel_resting(&mut world, &order_id, "MarginCancel");
    state.margin_ws.announce(&world);
    Ok(Json(json!({
        "order_id": order_id,
        "client_order_id": order.client_order_id,
        "reduced_by": count_text(reduced_by),
    })))
}

/// `DELETE /margin/orders`: every resting order of the key is cancelled; 204.
pub(crate) async fn cancel_all(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
) -> StatusCode {
    let key = key_id(&headers);
    let mut world = state.margin_ws.world.lock().unwrap();
    let ids: Vec<String> = world
        .markets
        .orders
        .values()
        .filter(|o| o.key_id == key && o.remaining > 0)
        .map(|o| o.order_id.clone())
        .collect();
    for id in ids {
        cancel_resting(&mut world, &id, "MarginCancel");
    }
    state.margin_ws.announce(&world);
    StatusCode::NO_CONTENT
}

/// `POST /margin/orders/{order_id}/decrease`: `reduce_by` or `reduce_to` (exactly one), keeping
/// the order's place in its queue.
pub(crate) async fn decrease(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let mut world = state.margin_ws.world.lock().unwrap();
    let order = resting(&world, key_id(&headers), &order_id)?;
    let by = match (
        fixed_field(&req, "reduce_by", 2)?,
        fixed_field(&req, "reduce_to", 2)?,
    ) {
        (Some(by), None) => by,
        (None, Some(to)) if to <= order.remaining => order.remaining - to,
        (None, Some(_)) => {
            return Err(ApiError::invalid(
                "`reduce_to` is above the remaining count",
            ))
        }
        _ => {
            return Err(ApiError::invalid(
                "exactly one of `reduce_by` and `reduce_to` is required",
            ))
        }
    };
    reduce(&mut world, &order_id, by, "Decrease");
    state.margin_ws.announce(&world);
    let order = &world.markets.orders[&order_id];
    Ok(Json(json!({
        "order_id": order_id,
        "client_order_id": order.client_order_id,
        "remaining_count": count_text(order.remaining),
    })))
}

/// `POST /margin/orders/{order_id}/amend`: a new price and total count (filled plus remaining).
/// A smaller count at the same price keeps the order's place; anything else takes it off the
/// book and places it again, where it may trade.
pub(crate) async fn amend(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(order_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let mut world = state.margin_ws.world.lock().unwrap();
    let mut order = resting(&world, key_id(&headers), &order_id)?;
    let ticker = req
        .get("ticker")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let side = req
        .get("side")
        .and_then(Value::as_str)
        .and_then(Side::parse);
    if ticker != order.ticker || side != Some(order.side) {
        return Err(ApiError::invalid("`ticker` and `side` must be the order's"));
    }
    let (price, count) = price_and_count(ticker, &req)?;
    if count <= order.fill_count {
        return Err(ApiError::invalid("`count` must exceed the filled count"));
    }
    let remaining = count - order.fill_count;
    let mut done = Execution::default();
    if price == order.price && remaining <= order.remaining {
        reduce(&mut world, &order_id, order.remaining - remaining, "Amend");
    } else {
        lift(&mut world, &order, order.remaining, "Amend");
        order.price = price;
        order.remaining = remaining;
        order.touch("Amend");
        if let Some(id) = req.get("updated_client_order_id").and_then(Value::as_str) {
            order.client_order_id = id.to_string();
        }
        let terms = Terms {
            time_in_force: TimeInForce::GoodTillCanceled,
            post_only: false,
        };
        done = execute(&mut world, order, terms);
    }
    state.margin_ws.announce(&world);
    let order = &world.markets.orders[&order_id];
    let answer = json!({
        "order_id": order_id,
        "client_order_id": order.client_order_id,
        "remaining_count": count_text(order.remaining),
        "fill_count": count_text(order.fill_count),
    });
    Ok(Json(with_averages(answer, &done)))
}

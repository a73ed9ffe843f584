//! The routing table and the handlers: Kalshi-shaped JSON for the operations tests and examples use.
//!
//! To serve another operation, add a handler and one line to [`PUBLIC`] or [`PRIVATE`] via
//! [`router`]; authenticated routes are checked by the signature middleware automatically.

use crate::{RecordedRequest, State};
use axum::extract::{Path, Query, Request};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

type Shared = axum::extract::State<Arc<State>>;

/// A route: its path relative to the prefix and its handlers.
pub type Route = (&'static str, fn() -> MethodRouter<Arc<State>>);

/// Public routes (no signature needed).
pub const PUBLIC: &[Route] = &[
    ("/exchange/status", || get(exchange_status)),
    ("/markets", || get(get_markets)),
    ("/markets/{ticker}", || get(get_market)),
];

/// Authenticated routes (signature checked before the handler runs).
pub const PRIVATE: &[Route] = &[
    ("/portfolio/balance", || get(get_balance)),
    ("/portfolio/orders/{order_id}", || get(get_order)),
    ("/portfolio/events/orders", || post(create_order_v2)),
    ("/portfolio/events/orders/batched", || {
        delete(batch_cancel_orders_v2)
    }),
    ("/portfolio/events/orders/{order_id}", || {
        delete(cancel_order_v2)
    }),
];

/// Builds the app: public and authenticated routes under the prefix, a 404 `ErrorResponse` for
/// anything else, and the recorder around everything.
pub fn router(state: Arc<State>) -> Router {
    let prefix = state.config.prefix.clone();
    let mut public = Router::new();
    for (path, handler) in PUBLIC {
        public = public.route(&format!("{prefix}{path}"), handler());
    }
    let mut private = Router::new();
    for (path, handler) in PRIVATE {
        private = private.route(&format!("{prefix}{path}"), handler());
    }
    let private = private.route_layer(middleware::from_fn_with_state(
        state.clone(),
        crate::auth::require_signature,
    ));
    public
        .merge(private)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

/// An `ErrorResponse` body (`{code, message, details, service}`) with `status`.
pub fn error(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    let body = json!({
        "code": code,
        "message": message,
        "details": details,
        "service": "test-exchange",
    });
    (status, Json(body)).into_response()
}

async fn not_found(req: Request) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "not found",
        &format!("no route for {} {}", req.method(), req.uri().path()),
    )
}

async fn method_not_allowed(req: Request) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "method not allowed",
        &format!("{} is not allowed on {}", req.method(), req.uri().path()),
    )
}

/// Records each request and the status it got.
async fn record(axum::extract::State(state): Shared, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, 16 << 20).await {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "bad_request",
                "unreadable body",
                &e.to_string(),
            )
        }
    };
    let index = {
        let mut requests = state.requests.lock().unwrap();
        requests.push(RecordedRequest {
            method: parts.method.clone(),
            path: parts.uri.path().to_string(),
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers.clone(),
            body: body.to_vec(),
            status: 0,
        });
        requests.len() - 1
    };
    let response = next.run(Request::from_parts(parts, body.into())).await;
    if let Some(r) = state.requests.lock().unwrap().get_mut(index) {
        r.status = response.status().as_u16();
    }
    response
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// The exchange's mutable world: markets, orders and a balance.
#[derive(Debug)]
pub struct Book {
    markets: Vec<Value>,
    orders: Mutex<BTreeMap<String, Value>>,
    next_order: AtomicU64,
    balance_cents: i64,
}

impl Book {
    pub(crate) fn new() -> Self {
        let markets = [
            (
                "KXHIGHNY-26JAN01-T60",
                "KXHIGHNY-26JAN01",
                "0.5600",
                "0.5800",
            ),
            (
                "KXHIGHNY-26JAN01-T65",
                "KXHIGHNY-26JAN01",
                "0.3100",
                "0.3300",
            ),
            ("KXBTC-26DEC31-B100000", "KXBTC-26DEC31", "0.1200", "0.1500"),
        ]
        .into_iter()
        .map(|(ticker, event, bid, ask)| market(ticker, event, bid, ask))
        .collect();
        Self {
            markets,
            orders: Mutex::new(BTreeMap::new()),
            next_order: AtomicU64::new(1),
            balance_cents: 1_000_000,
        }
    }
}

fn market(ticker: &str, event: &str, yes_bid: &str, yes_ask: &str) -> Value {
    let no_bid = complement(yes_ask);
    let no_ask = complement(yes_bid);
    json!({
        "ticker": ticker,
        "event_ticker": event,
        "market_type": "binary",
        "title": format!("Test market {ticker}"),
        "subtitle": "",
        "yes_sub_title": "Yes",
        "no_sub_title": "No",
        "created_time": "2025-12-01T00:00:00Z",
        "updated_time": "2025-12-15T12:00:00Z",
        "open_time": "2025-12-01T15:00:00Z",
        "close_time": "2026-12-31T23:59:00Z",
        "expected_expiration_time": "2027-01-01T15:00:00Z",
        "latest_expiration_time": "2027-01-08T15:00:00Z",
        "settlement_timer_seconds": 300,
        "status": "active",
        "notional_value_dollars": "1.0000",
        "yes_bid_dollars": yes_bid,
        "yes_ask_dollars": yes_ask,
        "no_bid_dollars": no_bid,
        "no_ask_dollars": no_ask,
        "yes_bid_size_fp": "250.00",
        "yes_ask_size_fp": "125.00",
        "last_price_dollars": yes_bid,
        "previous_yes_bid_dollars": yes_bid,
        "previous_yes_ask_dollars": yes_ask,
        "previous_price_dollars": yes_bid,
        "volume_fp": "10432.00",
        "volume_24h_fp": "812.00",
        "open_interest_fp": "5120.00",
        "result": "",
        "can_close_early": true,
        "expiration_value": "",
        "rules_primary": "If the outcome happens, the market resolves to Yes.",
        "rules_secondary": "",
        "price_level_structure": "linear_cent",
        "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}],
        "settlement_bounds_type": "default",
        "strike_type": "greater",
        "floor_strike": 60.0,
        "exchange_index": 0,
    })
}

/// `1 - price` for four-decimal dollar strings.
fn complement(price: &str) -> String {
    let ten_thousandths: i64 = price.replace('.', "").parse().unwrap_or(0);
    let c = 10_000 - ten_thousandths;
    format!("{}.{:04}", c / 10_000, c % 10_000)
}

async fn exchange_status() -> Json<Value> {
    Json(json!({
        "exchange_active": true,
        "trading_active": true,
        "intra_exchange_transfers_active": true,
        "exchange_estimated_resume_time": null,
    }))
}

#[derive(Deserialize)]
struct MarketsQuery {
    limit: Option<usize>,
    cursor: Option<String>,
    event_ticker: Option<String>,
}

/// Cursor pagination over the market list: the cursor is the index of the next market.
async fn get_markets(
    axum::extract::State(state): Shared,
    Query(q): Query<MarketsQuery>,
) -> Response {
    let limit = q.limit.unwrap_or(100);
    if limit > 1000 {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_parameters",
            "invalid parameters",
            "limit must be at most 1000",
        );
    }
    let start: usize = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        None => 0,
        Some(c) => match c.parse() {
            Ok(n) => n,
            Err(_) => {
                return error(
                    StatusCode::BAD_REQUEST,
                    "invalid_parameters",
                    "invalid parameters",
                    "bad cursor",
                )
            }
        },
    };
    let matching: Vec<&Value> = state
        .book
        .markets
        .iter()
        .filter(|m| {
            q.event_ticker
                .as_deref()
                .is_none_or(|e| m["event_ticker"] == e)
        })
        .collect();
    let limit = if limit == 0 { 100 } else { limit };
    let end = (start + limit).min(matching.len());
    let page: Vec<&Value> = matching.get(start..end).unwrap_or_default().to_vec();
    let cursor = if end < matching.len() {
        end.to_string()
    } else {
        String::new()
    };
    Json(json!({ "markets": page, "cursor": cursor })).into_response()
}

async fn get_market(axum::extract::State(state): Shared, Path(ticker): Path<String>) -> Response {
    match state
        .book
        .markets
        .iter()
        .find(|m| m["ticker"] == ticker.as_str())
    {
        Some(m) => Json(json!({ "market": m })).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "not_found",
            "market not found",
            &format!("no market `{ticker}`"),
        ),
    }
}

async fn get_balance(axum::extract::State(state): Shared) -> Json<Value> {
    let cents = state.book.balance_cents;
    Json(json!({
        "balance": cents,
        "balance_dollars": format!("{}.{:02}00", cents / 100, cents % 100),
        "portfolio_value": 25_000,
        "updated_ts": now_ms() / 1000,
    }))
}

fn bad_request(details: &str) -> Response {
    error(
        StatusCode::BAD_REQUEST,
        "invalid_parameters",
        "invalid parameters",
        details,
    )
}

/// `POST /portfolio/events/orders`: validates the V2 body and rests the order (nothing fills).
async fn create_order_v2(axum::extract::State(state): Shared, body: axum::body::Bytes) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return bad_request("the body must be a JSON object"),
    };
    for field in [
        "ticker",
        "side",
        "count",
        "price",
        "time_in_force",
        "self_trade_prevention_type",
    ] {
        if req.get(field).is_none_or(Value::is_null) {
            return bad_request(&format!("missing required field `{field}`"));
        }
    }
    let ticker = req["ticker"].as_str().unwrap_or_default();
    if !state.book.markets.iter().any(|m| m["ticker"] == ticker) {
        return error(
            StatusCode::NOT_FOUND,
            "market_not_found",
            "market not found",
            &format!("no market `{ticker}`"),
        );
    }
    let side = req["side"].as_str().unwrap_or_default();
    if side != "bid" && side != "ask" {
        return bad_request("`side` must be `bid` or `ask`");
    }
    let (Some(count), Some(price)) = (req["count"].as_str(), req["price"].as_str()) else {
        return bad_request("`count` and `price` must be fixed-point strings");
    };
    let n = state.book.next_order.fetch_add(1, Ordering::Relaxed);
    let order_id = format!("00000000-0000-4000-8000-{n:012x}");
    let client_order_id = req["client_order_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let ts = now_ms();
    let yes_price = normalize_price(price);
    let order = json!({
        "order_id": order_id,
        "user_id": "test-user",
        "client_order_id": client_order_id,
        "ticker": ticker,
        "side": if side == "bid" { "yes" } else { "no" },
        "action": "buy",
        "outcome_side": if side == "bid" { "yes" } else { "no" },
        "book_side": side,
        "type": "limit",
        "status": "resting",
        "yes_price_dollars": yes_price,
        "no_price_dollars": complement(&yes_price),
        "fill_count_fp": "0.00",
        "remaining_count_fp": count,
        "initial_count_fp": count,
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
    });
    state
        .book
        .orders
        .lock()
        .unwrap()
        .insert(order_id.clone(), order);
    (
        StatusCode::CREATED,
        Json(json!({
            "order_id": order_id,
            "client_order_id": client_order_id,
            "fill_count": "0.00",
            "remaining_count": count,
            "ts_ms": ts,
        })),
    )
        .into_response()
}

/// Pads a dollar string to four decimals (`"0.56"` gives `"0.5600"`).
fn normalize_price(price: &str) -> String {
    match price.split_once('.') {
        Some((whole, frac)) if frac.len() <= 4 => format!("{whole}.{frac:0<4}"),
        _ => price.to_string(),
    }
}

async fn get_order(axum::extract::State(state): Shared, Path(order_id): Path<String>) -> Response {
    match state.book.orders.lock().unwrap().get(&order_id) {
        Some(order) => Json(json!({ "order": order })).into_response(),
        None => order_not_found(&order_id),
    }
}

fn order_not_found(order_id: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "not_found",
        "order not found",
        &format!("no order `{order_id}`"),
    )
}

/// Cancels a resting order; `Err` with an `ErrorResponse`-shaped object when it cannot.
fn cancel(state: &State, order_id: &str) -> Result<Value, Value> {
    let mut orders = state.book.orders.lock().unwrap();
    let Some(order) = orders.get_mut(order_id) else {
        return Err(json!({"code": "not_found", "message": "order not found"}));
    };
    if order["status"] != "resting" {
        return Err(json!({"code": "order_not_resting", "message": "order is not resting"}));
    }
    let reduced_by = order["remaining_count_fp"].clone();
    order["status"] = json!("canceled");
    order["remaining_count_fp"] = json!("0.00");
    Ok(json!({
        "order_id": order_id,
        "client_order_id": order["client_order_id"],
        "reduced_by": reduced_by,
        "ts_ms": now_ms(),
    }))
}

async fn cancel_order_v2(
    axum::extract::State(state): Shared,
    Path(order_id): Path<String>,
) -> Response {
    match cancel(&state, &order_id) {
        Ok(v) => Json(v).into_response(),
        Err(e) if e["code"] == "not_found" => order_not_found(&order_id),
        Err(e) => error(
            StatusCode::CONFLICT,
            e["code"].as_str().unwrap_or_default(),
            e["message"].as_str().unwrap_or_default(),
            "",
        ),
    }
}

/// `DELETE /portfolio/events/orders/batched`: a DELETE with a JSON body; per-order results.
async fn batch_cancel_orders_v2(
    axum::extract::State(state): Shared,
    body: axum::body::Bytes,
) -> Response {
    let req: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(_) => return bad_request("the body must be JSON with an `orders` array"),
    };
    let Some(items) = req["orders"].as_array() else {
        return bad_request("missing required field `orders`");
    };
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let Some(order_id) = item["order_id"].as_str() else {
            return bad_request("each order needs an `order_id`");
        };
        results.push(match cancel(&state, order_id) {
            Ok(v) => v,
            Err(e) => json!({
                "order_id": order_id,
                "client_order_id": null,
                "reduced_by": "0.00",
                "ts_ms": null,
                "error": e,
            }),
        });
    }
    Json(json!({ "orders": results })).into_response()
}

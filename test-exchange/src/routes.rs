//! The routing table and the handlers: Kalshi-shaped JSON for the operations tests and examples use.
//!
//! To serve another operation, add a handler and one line to [`PUBLIC`] or [`PRIVATE`] via
//! [`router`]; authenticated routes are checked by the signature middleware automatically, and
//! every route is rate limited (see [`crate::rate_limit`]).

use crate::{RecordedRequest, State};
use axum::extract::{Path, Query, Request};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

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
        post(batch_create_orders_v2).delete(batch_cancel_orders_v2)
    }),
    ("/portfolio/events/orders/{order_id}", || {
        delete(cancel_order_v2)
    }),
];

/// Builds the app: public and authenticated routes under the prefix, a 404 `ErrorResponse` for
/// anything else, the rate limit on every route, and fault injection and the recorder around
/// everything.
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
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::rate_limit::limit,
        ))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

/// An `ErrorResponse` body (`{code, message, details, service}`) with `status`.
pub fn error(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    (status, Json(error_body(code, message, details))).into_response()
}

fn error_body(code: &str, message: &str, details: &str) -> Value {
    json!({
        "code": code,
        "message": message,
        "details": details,
        "service": "test-exchange",
    })
}

/// An error the handlers answer: a status and the fields of its `ErrorResponse`. Batch endpoints
/// put its [`body`](ApiError::body) into the failed item instead.
#[derive(Debug)]
struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: &'static str,
    details: String,
}

impl ApiError {
    /// A 400 `invalid_parameters`.
    fn invalid(details: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameters",
            message: "invalid parameters",
            details: details.into(),
        }
    }

    fn order_not_found(order_id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "order not found",
            details: format!("no order `{order_id}`"),
        }
    }

    fn body(&self) -> Value {
        error_body(self.code, self.message, &self.details)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body())).into_response()
    }
}

/// A response whose body is already JSON text.
fn json_text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
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
    let received = Instant::now();
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
            received,
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

/// The named markets: ticker, event ticker, yes bid, yes ask.
const NAMED: [(&str, &str, &str, &str); NAMED_MARKETS] = [
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
];

/// How many named markets there are: the default market count.
pub(crate) const NAMED_MARKETS: usize = 3;

/// The event all synthetic markets belong to.
const SYNTHETIC_EVENT: &str = "KXTEST-26DEC31";

/// A listed market, serialized once so that pages are built by concatenation.
#[derive(Debug)]
struct Market {
    event_ticker: String,
    json: String,
}

/// The exchange's mutable world: markets, orders and a balance.
#[derive(Debug)]
pub struct Book {
    markets: Vec<Market>,
    by_ticker: HashMap<String, usize>,
    orders: Mutex<BTreeMap<String, Value>>,
    next_order: AtomicU64,
    balance_cents: i64,
}

impl Book {
    /// The first `market_count` of: the named markets, then synthetic ones (see
    /// [`Config::market_count`](crate::Config::market_count)).
    pub(crate) fn new(market_count: usize) -> Self {
        let named = NAMED.map(|(ticker, event, bid, ask)| {
            (ticker.to_string(), event, bid.to_string(), ask.to_string())
        });
        // Deterministic quotes between 0.01/0.03 and 0.97/0.99.
        let synthetic = (NAMED_MARKETS..).map(|i| {
            let bid = 1 + i % 97;
            (
                format!("{SYNTHETIC_EVENT}-M{i:05}"),
                SYNTHETIC_EVENT,
                format!("0.{bid:02}00"),
                format!("0.{:02}00", bid + 2),
            )
        });
        let mut markets = Vec::with_capacity(market_count);
        let mut by_ticker = HashMap::with_capacity(market_count);
        for (ticker, event, bid, ask) in named.into_iter().chain(synthetic).take(market_count) {
            by_ticker.insert(ticker.clone(), markets.len());
            markets.push(Market {
                event_ticker: event.to_string(),
                json: market(&ticker, event, &bid, &ask).to_string(),
            });
        }
        Self {
            markets,
            by_ticker,
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

/// A `GetMarkets` cursor, `NEXT-PAGE`: the index of the next market to consider and the number
/// of pages served before the one it asks for.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    next: usize,
    page: usize,
}

impl Cursor {
    fn parse(text: &str) -> Option<Self> {
        let (next, page) = text.split_once('-')?;
        Some(Self {
            next: next.parse().ok()?,
            page: page.parse().ok()?,
        })
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.next, self.page)
    }
}

/// Cursor pagination over the market list (limit 1-1000, default 100, 0 meaning the default).
/// The cursor is empty on the last page, or repeated once
/// [`Config::repeat_cursor_after`](crate::Config::repeat_cursor_after) applies.
async fn get_markets(
    axum::extract::State(state): Shared,
    Query(q): Query<MarketsQuery>,
) -> Result<Response, ApiError> {
    let limit = match q.limit {
        None | Some(0) => 100,
        Some(n @ 1..=1000) => n,
        Some(_) => return Err(ApiError::invalid("limit must be at most 1000")),
    };
    let given = q.cursor.as_deref().filter(|c| !c.is_empty());
    let cursor = match given {
        None => Cursor::default(),
        Some(c) => Cursor::parse(c).ok_or_else(|| ApiError::invalid("bad cursor"))?,
    };
    let mut matching = state
        .book
        .markets
        .iter()
        .enumerate()
        .skip(cursor.next)
        .filter(|(_, m)| {
            q.event_ticker
                .as_deref()
                .is_none_or(|e| m.event_ticker == e)
        });
    let mut body = String::from(r#"{"markets":["#);
    for (n, (_, m)) in matching.by_ref().take(limit).enumerate() {
        if n > 0 {
            body.push(',');
        }
        body.push_str(&m.json);
    }
    let next = match (given, state.config.repeat_cursor_after) {
        (Some(given), Some(after)) if cursor.page >= after => given.to_string(),
        _ => matching.next().map_or_else(String::new, |(next, _)| {
            Cursor {
                next,
                page: cursor.page + 1,
            }
            .to_string()
        }),
    };
    body.push_str(r#"],"cursor":""#);
    body.push_str(&next);
    body.push_str(r#""}"#);
    Ok(json_text(StatusCode::OK, body))
}

async fn get_market(
    axum::extract::State(state): Shared,
    Path(ticker): Path<String>,
) -> Result<Response, ApiError> {
    let index = state.book.by_ticker.get(&ticker).ok_or_else(|| ApiError {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "market not found",
        details: format!("no market `{ticker}`"),
    })?;
    let json = &state.book.markets[*index].json;
    Ok(json_text(StatusCode::OK, format!(r#"{{"market":{json}}}"#)))
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

/// The fields a `CreateOrderV2Request` must have.
const REQUIRED_ORDER_FIELDS: [&str; 6] = [
    "ticker",
    "side",
    "count",
    "price",
    "time_in_force",
    "self_trade_prevention_type",
];

/// Validates one `CreateOrderV2Request` and rests the order (nothing fills): the
/// `CreateOrderV2Response`, or the error a single create answers. Shared by the single and the
/// batch create.
fn place_order(state: &State, req: &Value) -> Result<Value, ApiError> {
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
    if !state.book.by_ticker.contains_key(ticker) {
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
    let (Some(count), Some(price)) = (req["count"].as_str(), req["price"].as_str()) else {
        return Err(ApiError::invalid(
            "`count` and `price` must be fixed-point strings",
        ));
    };
    let n = state.book.next_order.fetch_add(1, Ordering::Relaxed);
    let order_id = format!("00000000-0000-4000-8000-{n:012x}");
    let client_order_id = req["client_order_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let yes_price = normalize_price(price);
    let outcome = if side == "bid" { "yes" } else { "no" };
    let order = json!({
        "order_id": order_id,
        "user_id": "test-user",
        "client_order_id": client_order_id,
        "ticker": ticker,
        "side": outcome,
        "action": "buy",
        "outcome_side": outcome,
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
    Ok(json!({
        "order_id": order_id,
        "client_order_id": client_order_id,
        "fill_count": "0.00",
        "remaining_count": count,
        "ts_ms": now_ms(),
    }))
}

/// `POST /portfolio/events/orders`: one order, 201 with a `CreateOrderV2Response`.
async fn create_order_v2(
    axum::extract::State(state): Shared,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let req = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let created = place_order(&state, &req)?;
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
async fn batch_create_orders_v2(
    axum::extract::State(state): Shared,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let results: Vec<Value> = batch_orders(&state, &body)?
        .iter()
        .map(|req| match place_order(&state, req) {
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
fn normalize_price(price: &str) -> String {
    match price.split_once('.') {
        Some((whole, frac)) if frac.len() <= 4 => format!("{whole}.{frac:0<4}"),
        _ => price.to_string(),
    }
}

async fn get_order(
    axum::extract::State(state): Shared,
    Path(order_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    match state.book.orders.lock().unwrap().get(&order_id) {
        Some(order) => Ok(Json(json!({ "order": order }))),
        None => Err(ApiError::order_not_found(&order_id)),
    }
}

/// Cancels a resting order: a `CancelOrderV2Response`, or why it cannot (404 unknown order, 409
/// not resting). Shared by the single and the batch cancel.
fn cancel(state: &State, order_id: &str) -> Result<Value, ApiError> {
    let mut orders = state.book.orders.lock().unwrap();
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
) -> Result<Json<Value>, ApiError> {
    cancel(&state, &order_id).map(Json)
}

/// `DELETE /portfolio/events/orders/batched`: a DELETE with a JSON body; one result per order, in
/// order, with `error` set on the ones that could not be cancelled.
async fn batch_cancel_orders_v2(
    axum::extract::State(state): Shared,
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
            cancel(&state, order_id).unwrap_or_else(|e| {
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

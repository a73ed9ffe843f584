//! The REST side: the routing table, the shared error shapes and the recorder; the handlers live
//! in `markets`, `portfolio` and `orders`.
//!
//! To serve another operation, add a handler and one line to [`PUBLIC`] or [`PRIVATE`] via
//! [`router`]; authenticated routes are checked by the signature middleware automatically, and
//! every route is rate limited (see [`crate::rate_limit`]).

mod markets;
mod orders;
mod portfolio;

use crate::{RecordedRequest, State};
use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use axum::{Json, Router};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub(crate) type Shared = axum::extract::State<Arc<State>>;

/// A route: its path relative to the prefix and its handlers.
pub type Route = (&'static str, fn() -> MethodRouter<Arc<State>>);

/// Public routes (no signature needed).
pub const PUBLIC: &[Route] = &[
    ("/exchange/status", || get(markets::exchange_status)),
    ("/markets", || get(markets::get_markets)),
    ("/markets/{ticker}", || get(markets::get_market)),
];

/// Authenticated routes (signature checked before the handler runs).
pub const PRIVATE: &[Route] = &[
    ("/portfolio/balance", || get(portfolio::get_balance)),
    ("/portfolio/orders/{order_id}", || get(orders::get_order)),
    ("/portfolio/events/orders", || post(orders::create_order_v2)),
    ("/portfolio/events/orders/batched", || {
        post(orders::batch_create_orders_v2).delete(orders::batch_cancel_orders_v2)
    }),
    ("/portfolio/events/orders/{order_id}", || {
        delete(orders::cancel_order_v2)
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
        // The WebSocket upgrade: recorded and faultable like REST, not rate limited.
        .route(&crate::ws::handshake::path(&prefix), crate::ws::route())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::faults::inject,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), record))
        .with_state(state)
}

/// An error answer with `status`, shaped as Kalshi's servers send it: the `ErrorResponse` fields
/// nested under `error` (`{"error": {code, message, details, service}}`), not flat as the spec
/// declares it.
pub fn error(status: StatusCode, code: &str, message: &str, details: &str) -> Response {
    (
        status,
        Json(json!({ "error": error_body(code, message, details) })),
    )
        .into_response()
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
pub(crate) struct ApiError {
    pub(crate) status: StatusCode,
    pub(crate) code: &'static str,
    pub(crate) message: &'static str,
    pub(crate) details: String,
}

impl ApiError {
    /// A 400 `invalid_parameters`.
    pub(crate) fn invalid(details: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "invalid_parameters",
            message: "invalid parameters",
            details: details.into(),
        }
    }

    pub(crate) fn order_not_found(order_id: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "order not found",
            details: format!("no order `{order_id}`"),
        }
    }

    pub(crate) fn body(&self) -> Value {
        error_body(self.code, self.message, &self.details)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(json!({ "error": self.body() }))).into_response()
    }
}

/// A response whose body is already JSON text.
pub(crate) fn json_text(status: StatusCode, body: String) -> Response {
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
    let mut response = next.run(Request::from_parts(parts, body.into())).await;
    if let Some(r) = state.requests.lock().unwrap().get_mut(index) {
        r.status = response.status().as_u16();
    }
    // Kalshi names every answer with a request id; here it is the request's place in the record.
    response.headers_mut().insert(
        REQUEST_ID,
        header::HeaderValue::from_str(&request_id(index)).expect("ASCII"),
    );
    response
}

const REQUEST_ID: header::HeaderName = header::HeaderName::from_static("x-request-id");

/// The `x-request-id` the exchange answers the `index`th recorded request (from 0) with.
pub fn request_id(index: usize) -> String {
    format!("test-req-{:06}", index + 1)
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

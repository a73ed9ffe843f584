//! The REST side: the routing table and the handlers (in `markets`, `portfolio` and `orders`).
//!
//! To serve another operation, add a handler and one line to [`PUBLIC`] or [`PRIVATE`]; the app
//! (`crate::app`) mounts them, checks the signature of authenticated routes automatically, and
//! rate limits every route (see [`crate::rate_limit`]).

mod markets;
mod orders;
mod portfolio;

pub use crate::error::error;
pub(crate) use crate::error::ApiError;
pub use crate::recorder::request_id;

use crate::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, MethodRouter};
use std::sync::Arc;

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

/// A response whose body is already JSON text.
pub(crate) fn json_text(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

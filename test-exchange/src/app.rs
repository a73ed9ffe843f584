//! The whole app on one port: the REST routes (public, and authenticated behind the signature
//! check), the WebSocket upgrade, the fallbacks, and the layers every request passes: the
//! recorder, fault injection and the rate limit.

use crate::error::error;
use crate::{auth, faults, rate_limit, recorder, rest, ws, State};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::Router;
use std::sync::Arc;

/// Builds the app: public and authenticated routes under the prefix, a 404 `ErrorResponse` for
/// anything else, the rate limit on every route, and fault injection and the recorder around
/// everything.
pub(crate) fn router(state: Arc<State>) -> Router {
    let prefix = state.config.prefix.clone();
    let mut public = Router::new();
    for (path, handler) in rest::PUBLIC {
        public = public.route(&format!("{prefix}{path}"), handler());
    }
    let mut private = Router::new();
    for (path, handler) in rest::PRIVATE {
        private = private.route(&format!("{prefix}{path}"), handler());
    }
    let private = private.route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_signature,
    ));
    public
        .merge(private)
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            rate_limit::limit,
        ))
        // The WebSocket upgrade: recorded and faultable like REST, not rate limited.
        .route(&ws::handshake::path(&prefix), ws::route())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            faults::inject,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            recorder::record,
        ))
        .with_state(state)
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

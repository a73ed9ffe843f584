//! The whole app on one port: the REST routes (public, and authenticated behind the signature
//! check), the WebSocket upgrade, the fallbacks, and the layers every request passes: the
//! recorder, fault injection and the rate limit.

use crate::error::error;
use crate::ws::{EventContracts, Product};
use crate::{auth, faults, margin, rate_limit, recorder, rest, ws, State};
use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::Response;
use axum::Router;
use std::sync::Arc;

/// Builds the app: public and authenticated routes under the prefix (event contracts and perps,
/// each product with its own rate limit), a 404 `ErrorResponse` for anything else, and fault
/// injection and the recorder around everything.
pub(crate) fn router(state: Arc<State>) -> Router {
    let prefix = state.config.prefix.clone();
    let events = routes(&state, rest::PUBLIC, rest::PRIVATE).route_layer(
        middleware::from_fn_with_state(state.clone(), rate_limit::limit),
    );
    let perps = routes(&state, margin::rest::PUBLIC, margin::rest::PRIVATE).route_layer(
        middleware::from_fn_with_state(state.clone(), rate_limit::limit_perps),
    );
    events
        .merge(perps)
        // The WebSocket upgrades: recorded and faultable like REST, not rate limited.
        .route(
            &EventContracts::path(&prefix),
            ws::route::<EventContracts>(),
        )
        .route(&margin::Perps::path(&prefix), ws::route::<margin::Perps>())
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

/// The `public` routes and, behind the signature check, the `private` ones, under the prefix.
fn routes(
    state: &Arc<State>,
    public: &[rest::Route],
    private: &[rest::Route],
) -> Router<Arc<State>> {
    let prefix = &state.config.prefix;
    let mount = |routes: &[rest::Route]| {
        routes
            .iter()
            .fold(Router::new(), |router, (path, handler)| {
                router.route(&format!("{prefix}{path}"), handler())
            })
    };
    let private = mount(private).route_layer(middleware::from_fn_with_state(
        state.clone(),
        auth::require_signature,
    ));
    mount(public).merge(private)
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

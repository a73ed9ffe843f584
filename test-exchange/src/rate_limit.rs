//! Kalshi's rate limits: a read and a write token bucket, and what each request costs.
//!
//! Buckets start full and refill continuously at `refill_per_sec` up to `capacity`. A request
//! costs [`DEFAULT_COST`] tokens unless [`COSTS`] says otherwise; `GET` requests pay from the read
//! bucket, every other method from the write bucket. A request the bucket cannot pay for takes
//! nothing and is answered 429 with body `{"error":"too many requests"}` and no `Retry-After`
//! header, as Kalshi does.

use crate::State;
use axum::extract::{MatchedPath, Request};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// One token bucket, in tokens (Kalshi's units: most requests cost 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bucket {
    /// Tokens added per second.
    pub refill_per_sec: u32,
    /// The most tokens the bucket holds (and holds at start).
    pub capacity: u32,
}

/// What a request costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// This many tokens per request.
    PerRequest(u32),
    /// This many tokens per element of the body's `orders` array; a body without one (or not
    /// JSON) costs [`DEFAULT_COST`].
    PerOrder(u32),
}

/// The cost of a request not in [`COSTS`].
pub const DEFAULT_COST: u32 = 10;

/// The requests that do not cost [`DEFAULT_COST`]: method, route (relative to the prefix, as in
/// [`rest::PUBLIC`](crate::rest::PUBLIC) and [`rest::PRIVATE`](crate::rest::PRIVATE)) and
/// cost, from the "Rate limit" notes of Kalshi's 3.31.0 spec.
pub const COSTS: &[(Method, &str, Cost)] = &[
    (
        Method::GET,
        "/portfolio/orders/{order_id}",
        Cost::PerRequest(2),
    ),
    (
        Method::DELETE,
        "/portfolio/events/orders/{order_id}",
        Cost::PerRequest(2),
    ),
    (
        Method::POST,
        "/portfolio/events/orders/batched",
        Cost::PerOrder(10),
    ),
    (
        Method::DELETE,
        "/portfolio/events/orders/batched",
        Cost::PerOrder(2),
    ),
];

/// Kalshi's answer when a bucket is short: 429, `{"error":"too many requests"}`, no `Retry-After`.
pub(crate) fn too_many_requests() -> Response {
    (
        StatusCode::TOO_MANY_REQUESTS,
        Json(serde_json::json!({ "error": "too many requests" })),
    )
        .into_response()
}

/// The read and write buckets of a running exchange.
#[derive(Debug)]
pub(crate) struct Limiter {
    read: Mutex<Level>,
    write: Mutex<Level>,
}

/// A bucket and how full it was at a moment.
#[derive(Debug)]
struct Level {
    bucket: Bucket,
    tokens: f64,
    at: Instant,
}

impl Level {
    fn full(bucket: Bucket) -> Self {
        Self {
            bucket,
            tokens: f64::from(bucket.capacity),
            at: Instant::now(),
        }
    }

    /// Refills up to now, then takes `cost` tokens if there are that many.
    fn take(&mut self, cost: u32) -> bool {
        let now = Instant::now();
        let refill =
            now.duration_since(self.at).as_secs_f64() * f64::from(self.bucket.refill_per_sec);
        self.tokens = (self.tokens + refill).min(f64::from(self.bucket.capacity));
        self.at = now;
        let cost = f64::from(cost);
        let enough = self.tokens >= cost;
        if enough {
            self.tokens -= cost;
        }
        enough
    }
}

impl Limiter {
    pub(crate) fn new(read: Bucket, write: Bucket) -> Self {
        Self {
            read: Mutex::new(Level::full(read)),
            write: Mutex::new(Level::full(write)),
        }
    }
}

/// The number of elements of the body's `orders` array, if it has one.
fn order_count(body: &[u8]) -> Option<usize> {
    let body: serde_json::Value = serde_json::from_slice(body).ok()?;
    Some(body.get("orders")?.as_array()?.len())
}

/// Route middleware for the event-contract routes: charges the request to its bucket, or
/// answers 429.
pub(crate) async fn limit(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    route: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &state.limiter else {
        return next.run(req).await;
    };
    let route = route
        .as_str()
        .strip_prefix(&state.config.prefix)
        .unwrap_or(route.as_str());
    let cost = COSTS
        .iter()
        .find(|(method, path, _)| method == req.method() && *path == route)
        .map_or(Cost::PerRequest(DEFAULT_COST), |(_, _, cost)| *cost);
    let (tokens, req) = match cost {
        Cost::PerRequest(tokens) => (tokens, req),
        Cost::PerOrder(per_order) => {
            // The recorder has buffered the body already: this only moves bytes.
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default();
            let tokens = order_count(&body).map_or(DEFAULT_COST, |n| {
                u32::try_from(n)
                    .unwrap_or(u32::MAX)
                    .saturating_mul(per_order)
            });
            (tokens, Request::from_parts(parts, body.into()))
        }
    };
    charge(limiter, tokens, req, next).await
}

/// Route middleware for the perps routes: their own buckets
/// ([`Config::perps_rate_limit`](crate::Config::perps_rate_limit)), at the costs of the perps
/// spec's "Rate limit" notes ([`perps_cost`]).
pub(crate) async fn limit_perps(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    route: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    let Some(limiter) = &state.perps_limiter else {
        return next.run(req).await;
    };
    let route = route
        .as_str()
        .strip_prefix(&state.config.prefix)
        .unwrap_or(route.as_str());
    let tokens = perps_cost(req.method(), route, req.uri().query());
    charge(limiter, tokens, req, next).await
}

/// What a perps request costs: the tokens its operation's "Rate limit" note in
/// `spec/perps/openapi.yaml` names (the other figure when its query has the note's
/// `param=value`), else [`DEFAULT_COST`].
pub fn perps_cost(method: &Method, route: &str, query: Option<&str>) -> u32 {
    let Some((_, _, cost, when)) = crate::spec::perps::RATE_LIMIT_NOTES
        .iter()
        .find(|(m, path, _, _)| *m == method.as_str() && *path == route)
    else {
        return DEFAULT_COST;
    };
    let pairs = query.unwrap_or_default().split('&');
    match when {
        Some((param, value, other)) if pairs.clone().any(|p| p == format!("{param}={value}")) => {
            *other
        }
        _ => *cost,
    }
}

/// Takes `tokens` from the request's bucket (`GET`: read, others: write) and runs it, or answers
/// 429.
async fn charge(limiter: &Limiter, tokens: u32, req: Request, next: Next) -> Response {
    let level = if req.method() == Method::GET {
        &limiter.read
    } else {
        &limiter.write
    };
    if level.lock().unwrap().take(tokens) {
        next.run(req).await
    } else {
        too_many_requests()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perps_costs_follow_the_spec_notes() {
        assert_eq!(perps_cost(&Method::GET, "/margin/balance", None), 5);
        let query = Some("compute_available_balance=true");
        assert_eq!(perps_cost(&Method::GET, "/margin/balance", query), 50);
        assert_eq!(perps_cost(&Method::DELETE, "/margin/orders", None), 10);
        assert_eq!(
            perps_cost(&Method::GET, "/margin/markets", None),
            DEFAULT_COST
        );
    }
}

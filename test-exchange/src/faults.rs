//! Fault injection: make chosen requests fail, stall or lose their connection.

use crate::State;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;

/// A fault to inject with [`TestExchange::inject`](crate::TestExchange::inject): what happens, to
/// which requests, how many times.
///
/// ```
/// use kalshi_test_exchange::{Fault, FaultKind, Method};
/// // The next two `GET /markets` are answered 503.
/// let fault = Fault::new(FaultKind::Status(503))
///     .method(Method::GET)
///     .path("/markets")
///     .times(2);
/// ```
#[derive(Debug, Clone)]
pub struct Fault {
    method: Option<Method>,
    path: Option<String>,
    times: usize,
    kind: FaultKind,
}

/// What an injected fault does to a request.
#[derive(Debug, Clone)]
pub enum FaultKind {
    /// Answers this status at once, with an `ErrorResponse` body (`code` is the status's reason in
    /// snake case, e.g. `service_unavailable` for 503). A 429 gets Kalshi's rate-limit answer
    /// instead, exactly as the rate limiter sends it. Panics in the server if not in 100..=999.
    Status(u16),
    /// Waits this long, then lets the request through as usual.
    Delay(Duration),
    /// Closes the connection without sending any response bytes. The request is recorded with
    /// status 0.
    Drop,
}

impl Fault {
    /// A fault of `kind` for any method and any path, used once.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            method: None,
            path: None,
            times: 1,
            kind,
        }
    }

    /// Only requests with this method.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Only requests for this exact path, relative to the prefix (e.g. `"/markets"` or
    /// `"/portfolio/events/orders"`; no query string, no route patterns).
    pub fn path(mut self, path: impl Into<String>) -> Self {
        self.path = Some(path.into());
        self
    }

    /// Used by the next `n` matching requests instead of one (`0`: never).
    pub fn times(mut self, n: usize) -> Self {
        self.times = n;
        self
    }

    fn matches(&self, method: &Method, path: Option<&str>) -> bool {
        self.times > 0
            && self.method.as_ref().is_none_or(|m| m == method)
            && self.path.as_deref().is_none_or(|p| Some(p) == path)
    }
}

/// Takes the first queued fault matching the request, using it up once.
fn take(state: &State, req: &Request) -> Option<FaultKind> {
    let path = req.uri().path().strip_prefix(&state.config.prefix);
    let mut faults = state.faults.lock().unwrap();
    let index = faults.iter().position(|f| f.matches(req.method(), path))?;
    let fault = &mut faults[index];
    fault.times -= 1;
    let kind = fault.kind.clone();
    if fault.times == 0 {
        faults.remove(index);
    }
    Some(kind)
}

/// Middleware: applies the first matching fault, if any, before routing.
pub(crate) async fn inject(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    req: Request,
    next: Next,
) -> Response {
    match take(&state, &req) {
        None => next.run(req).await,
        Some(FaultKind::Status(code)) => {
            let status = StatusCode::from_u16(code).expect("an injected status in 100..=999");
            if status == StatusCode::TOO_MANY_REQUESTS {
                return crate::rate_limit::too_many_requests();
            }
            let reason = status.canonical_reason().unwrap_or("injected fault");
            crate::error::error(
                status,
                &reason.to_lowercase().replace([' ', '-'], "_"),
                &reason.to_lowercase(),
                "injected by the test exchange",
            )
        }
        Some(FaultKind::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(req).await
        }
        // Unwinding ends the connection's task, which drops the socket before hyper writes
        // anything; `resume_unwind` skips the panic hook, so nothing is printed.
        Some(FaultKind::Drop) => std::panic::resume_unwind(Box::new("injected connection drop")),
    }
}

//! Signature checks for authenticated routes, as Kalshi does them.

use crate::State;
use axum::extract::{MatchedPath, Request};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// A secret (a bearer token): compared, never shown.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// Middleware for authenticated routes: a 401 unless the request is signed by a registered key
/// over its own method and path, with a fresh timestamp, or carries a registered bearer token
/// for an operation that accepts one.
pub(crate) async fn require_signature(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    route: MatchedPath,
    mut req: Request,
    next: Next,
) -> Response {
    let checked = match bearer(req.headers()) {
        Some(token) => check_bearer(&state, &req, route.as_str(), token).map(|key_id| {
            // The handlers find the account by the key id, as for a signed request.
            let key_id = HeaderValue::from_str(&key_id).expect("a key id is header text");
            req.headers_mut().insert("KALSHI-ACCESS-KEY", key_id);
        }),
        None => check(&state, &req),
    };
    match checked {
        Ok(()) => next.run(req).await,
        Err(reason) => crate::error::error(
            axum::http::StatusCode::UNAUTHORIZED,
            "authentication_error",
            "authentication failed",
            &reason,
        )
        .into_response(),
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Result<&'a str, String> {
    headers
        .get(name)
        .ok_or_else(|| format!("missing {name} header"))?
        .to_str()
        .map_err(|_| format!("{name} is not text"))
}

/// The token of an `Authorization: Bearer` header, on a request without a signature.
fn bearer(headers: &HeaderMap) -> Option<String> {
    if headers.contains_key("KALSHI-ACCESS-SIGNATURE") {
        return None;
    }
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(str::to_string)
}

/// The key id a bearer `token` acts for, if the route accepts tokens and knows this one.
fn check_bearer(
    state: &State,
    req: &Request,
    route: &str,
    token: String,
) -> Result<String, String> {
    let route = route.strip_prefix(&state.config.prefix).unwrap_or(route);
    let accepted = crate::spec::perps::BEARER_OPERATIONS
        .iter()
        .any(|(method, path)| *method == req.method().as_str() && *path == route);
    if !accepted {
        return Err("this operation takes a signed API key, not a bearer token".into());
    }
    let token = Secret(token);
    state
        .config
        .bearer_tokens
        .iter()
        .find(|(t, _)| *t == token)
        .map(|(_, key_id)| key_id.clone())
        .ok_or_else(|| "unknown bearer token".into())
}

fn check(state: &State, req: &Request) -> Result<(), String> {
    verify(
        state,
        req.method().as_str(),
        req.uri().path(),
        req.headers(),
    )
}

/// Checks the `KALSHI-ACCESS-*` headers of a request for `method` and `path` (as sent, prefix
/// included, no query); the error says why they do not verify. The WebSocket handshake uses it
/// too.
pub(crate) fn verify(
    state: &State,
    method: &str,
    path: &str,
    headers: &HeaderMap,
) -> Result<(), String> {
    let key_id = header(headers, "KALSHI-ACCESS-KEY")?;
    let timestamp = header(headers, "KALSHI-ACCESS-TIMESTAMP")?;
    let signature = header(headers, "KALSHI-ACCESS-SIGNATURE")?;

    let ts: u64 = timestamp
        .parse()
        .map_err(|_| "KALSHI-ACCESS-TIMESTAMP is not an integer".to_string())?;
    if timestamp.len() < 13 {
        return Err("KALSHI-ACCESS-TIMESTAMP must be Unix time in milliseconds".into());
    }
    let now = crate::clock::now_ms();
    let skew = state.config.max_clock_skew.as_millis() as u64;
    if ts.abs_diff(now) > skew {
        return Err(format!(
            "stale timestamp: {} ms from the server clock, {skew} ms allowed",
            ts as i128 - now as i128
        ));
    }

    let candidates: Vec<_> = state
        .config
        .keys
        .iter()
        .filter(|(id, _)| id.as_deref().is_none_or(|id| id == key_id))
        .map(|(_, key)| key)
        .collect();
    if candidates.is_empty() {
        return Err(format!("unknown API key id `{key_id}`"));
    }
    // Kalshi signs the path as sent, prefix included, query excluded.
    let message = format!("{timestamp}{method}{path}");
    let mut last = String::new();
    for key in candidates {
        match key.verify(message.as_bytes(), signature) {
            Ok(()) => return Ok(()),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The API key id a request was signed with (checked by the auth middleware).
pub(crate) fn key_id(headers: &HeaderMap) -> &str {
    headers
        .get("KALSHI-ACCESS-KEY")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

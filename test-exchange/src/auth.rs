//! Signature checks for authenticated routes, as Kalshi does them.

use crate::State;
use axum::extract::Request;
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// Middleware for authenticated routes: a 401 unless the request is signed by a registered key
/// over its own method and path, with a fresh timestamp.
pub(crate) async fn require_signature(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    req: Request,
    next: Next,
) -> Response {
    match check(&state, &req) {
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

//! Market data: exchange status, the market list and single markets.

use super::{json_text, ApiError, Shared};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::fmt;

pub(crate) async fn exchange_status() -> Json<Value> {
    Json(json!({
        "exchange_active": true,
        "trading_active": true,
        "intra_exchange_transfers_active": true,
        "exchange_estimated_resume_time": null,
    }))
}

#[derive(Deserialize)]
pub(crate) struct MarketsQuery {
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
pub(crate) async fn get_markets(
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
        .ledger
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

pub(crate) async fn get_market(
    axum::extract::State(state): Shared,
    Path(ticker): Path<String>,
) -> Result<Response, ApiError> {
    let index = state
        .ledger
        .by_ticker
        .get(&ticker)
        .ok_or_else(|| ApiError {
            status: StatusCode::NOT_FOUND,
            code: "not_found",
            message: "market not found",
            details: format!("no market `{ticker}`"),
        })?;
    let json = &state.ledger.markets[*index].json;
    Ok(json_text(StatusCode::OK, format!(r#"{{"market":{json}}}"#)))
}

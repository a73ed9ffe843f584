//! Public perps data: the exchange status, the markets, an order book and the public trades.

use super::{market_not_found, page, ApiError, LISTS};
use crate::margin::book::Side;
use crate::margin::markets::{self, market_json};
use crate::rest::Shared;
use axum::extract::{Path, Query};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

pub(crate) async fn exchange_status() -> Json<Value> {
    Json(json!({ "exchange_active": true, "trading_active": true }))
}

#[derive(Deserialize)]
pub(crate) struct MarketsQuery {
    status: Option<String>,
}

/// Every listed market (all `active`), or none for another `status`.
pub(crate) async fn markets(
    axum::extract::State(state): Shared,
    Query(q): Query<MarketsQuery>,
) -> Json<Value> {
    let world = state.margin_ws.world.lock().unwrap();
    let list: Vec<Value> = markets::MARKETS
        .iter()
        .filter(|_| q.status.as_deref().is_none_or(|s| s == "active"))
        .filter_map(|m| Some(market_json(m, world.markets.books.get(m.ticker)?)))
        .collect();
    Json(json!({ "markets": list }))
}

pub(crate) async fn market(
    axum::extract::State(state): Shared,
    Path(ticker): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let world = state.margin_ws.world.lock().unwrap();
    let def = markets::find(&ticker).ok_or_else(|| market_not_found(&ticker))?;
    let book = &world.markets.books[def.ticker];
    Ok(Json(json!({ "market": market_json(def, book) })))
}

#[derive(Deserialize)]
pub(crate) struct BookQuery {
    depth: Option<usize>,
}

/// `MarginOrderbookResponse`: bids and asks, best first, `depth` levels a side (0: all).
pub(crate) async fn orderbook(
    axum::extract::State(state): Shared,
    Path(ticker): Path<String>,
    Query(q): Query<BookQuery>,
) -> Result<Json<Value>, ApiError> {
    let world = state.margin_ws.world.lock().unwrap();
    let book = world
        .markets
        .books
        .get(&ticker)
        .ok_or_else(|| market_not_found(&ticker))?;
    let depth = q.depth.filter(|d| *d > 0).unwrap_or(usize::MAX);
    let side = |s| {
        book.level_texts(s)
            .into_iter()
            .take(depth)
            .map(|(p, c)| [p, c])
            .collect::<Vec<_>>()
    };
    Ok(Json(
        json!({ "orderbook": { "bids": side(Side::Bid), "asks": side(Side::Ask) } }),
    ))
}

/// The query of the paginated lists (trades and fills).
#[derive(Deserialize)]
pub(crate) struct PageQuery {
    pub(super) ticker: Option<String>,
    pub(super) limit: Option<i64>,
    pub(super) cursor: Option<String>,
    pub(super) min_ts: Option<u64>,
    pub(super) max_ts: Option<u64>,
}

impl PageQuery {
    /// Whether `ticker` and `ts_ms` pass the filters (`min_ts` and `max_ts` in seconds).
    pub(super) fn keeps(&self, ticker: &str, ts_ms: u64) -> bool {
        let s = ts_ms / 1000;
        self.ticker.as_deref().is_none_or(|t| t == ticker)
            && self.min_ts.is_none_or(|min| s >= min)
            && self.max_ts.is_none_or(|max| s <= max)
    }
}

/// The public trades, newest first, with cursor pagination.
pub(crate) async fn trades(
    axum::extract::State(state): Shared,
    Query(q): Query<PageQuery>,
) -> Result<Json<Value>, ApiError> {
    let world = state.margin_ws.world.lock().unwrap();
    let items = world
        .markets
        .trades
        .iter()
        .filter(|t| q.keeps(&t.ticker, t.ts_ms))
        .map(|t| (t.number, t.json()))
        .collect::<Vec<_>>();
    let (trades, cursor) = page(items.into_iter(), q.limit, LISTS, q.cursor.as_deref())?;
    Ok(Json(json!({ "trades": trades, "cursor": cursor })))
}

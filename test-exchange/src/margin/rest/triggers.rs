//! Exit triggers on isolated and cross positions: set, list, update and delete, over
//! [`crate::margin::triggers`] (stored, never fired).

use super::{fixed_field, market_not_found, not_found, object, ApiError};
use crate::auth::key_id;
use crate::clock::now_ms;
use crate::margin::triggers::{ExitTrigger, Prices};
use crate::margin::{markets, Margin};
use crate::rest::Shared;
use axum::extract::{Path, Query};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
pub(crate) struct KindQuery {
    kind: Option<String>,
}

/// Which triggers a request is about: the key's, of one market, isolated or cross.
struct Scope<'a> {
    key_id: &'a str,
    ticker: &'a str,
    cross: bool,
}

impl Scope<'_> {
    fn holds(&self, t: &ExitTrigger) -> bool {
        t.key_id == self.key_id && t.ticker == self.ticker && t.cross == self.cross
    }
}

/// The `kind` (default `bracket`) and levels of a set request, checked for its kind.
fn kind_and_prices(req: &Value) -> Result<(String, Prices), ApiError> {
    let kind = req
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or("bracket")
        .to_string();
    let prices = Prices {
        stop_loss: fixed_field(req, "stop_loss_price", 4)?,
        take_profit: fixed_field(req, "take_profit_price", 4)?,
        trail_amount: fixed_field(req, "trail_amount", 4)?,
        trail_bps: req.get("trail_bps").and_then(Value::as_i64),
    };
    let complete = match kind.as_str() {
        "bracket" => prices.stop_loss.is_some() || prices.take_profit.is_some(),
        "trailing" => prices.trail_amount.is_some() || prices.trail_bps.is_some(),
        _ => return Err(ApiError::invalid("`kind` must be `bracket` or `trailing`")),
    };
    if !complete {
        return Err(ApiError::invalid(format!(
            "a `{kind}` trigger needs its price levels"
        )));
    }
    Ok((kind, prices))
}

/// The key's position in `ticker`, for a trigger's status.
fn position(margin: &Margin, key_id: &str, ticker: &str) -> i64 {
    margin
        .accounts
        .get(key_id)
        .and_then(|a| a.positions.get(ticker))
        .map_or(0, |p| p.count)
}

/// Stores `trigger` (replacing the key's isolated trigger of the same market and kind): its JSON.
fn store(state: &crate::State, trigger: ExitTrigger) -> Json<Value> {
    let mut world = state.margin_ws.world.lock().unwrap();
    let margin = &mut world.markets;
    if !trigger.cross {
        margin.triggers.retain(|t| {
            t.cross
                || t.key_id != trigger.key_id
                || t.ticker != trigger.ticker
                || t.kind != trigger.kind
        });
    }
    let json = trigger.json(position(margin, &trigger.key_id, &trigger.ticker));
    margin.triggers.push(trigger);
    Json(json)
}

/// A new trigger for `scope` from a set request.
fn new_trigger(state: &crate::State, scope: &Scope, req: &Value) -> Result<ExitTrigger, ApiError> {
    markets::find(scope.ticker).ok_or_else(|| market_not_found(scope.ticker))?;
    let (kind, prices) = kind_and_prices(req)?;
    let text = |field: &str| req.get(field).and_then(Value::as_str).map(str::to_string);
    let now = now_ms();
    Ok(ExitTrigger {
        id: state.margin_ws.world.lock().unwrap().markets.new_id(0xe000),
        key_id: scope.key_id.to_string(),
        ticker: scope.ticker.to_string(),
        cross: scope.cross,
        kind,
        prices,
        count: fixed_field(req, "count", 2)?.unwrap_or(0),
        anchor_order_id: text("anchor_order_id"),
        client_trigger_id: text("client_trigger_id"),
        created_ms: now,
        updated_ms: now,
    })
}

fn listed(state: &crate::State, scope: &Scope, kind: Option<&str>) -> Json<Value> {
    let world = state.margin_ws.world.lock().unwrap();
    let position = position(&world.markets, scope.key_id, scope.ticker);
    let list: Vec<Value> = world
        .markets
        .triggers
        .iter()
        .filter(|t| scope.holds(t) && kind.is_none_or(|k| k == t.kind))
        .map(|t| t.json(position))
        .collect();
    Json(json!({ "exit_triggers": list }))
}

/// Deletes the scope's triggers of `kind` (all kinds when `None`), or the one `id`: 204, or 404
/// when `id` names none.
fn remove(
    state: &crate::State,
    scope: &Scope,
    kind: Option<&str>,
    id: Option<&str>,
) -> Result<StatusCode, ApiError> {
    let mut world = state.margin_ws.world.lock().unwrap();
    let triggers = &mut world.markets.triggers;
    let before = triggers.len();
    triggers.retain(|t| {
        !(scope.holds(t) && kind.is_none_or(|k| k == t.kind) && id.is_none_or(|id| id == t.id))
    });
    match id {
        Some(id) if triggers.len() == before => Err(not_found("exit trigger", id)),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

/// `PUT .../exit_trigger`: isolated (at most one per market and kind) or `CROSS`.
pub(crate) async fn set<const CROSS: bool>(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(ticker): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let scope = Scope {
        key_id: key_id(&headers),
        ticker: &ticker,
        cross: CROSS,
    };
    let trigger = new_trigger(&state, &scope, &object(&body)?)?;
    Ok(store(&state, trigger))
}

/// `GET .../exit_trigger`: the isolated or `CROSS` triggers of the market, of `kind` if given.
pub(crate) async fn list<const CROSS: bool>(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(ticker): Path<String>,
    Query(q): Query<KindQuery>,
) -> Json<Value> {
    let scope = Scope {
        key_id: key_id(&headers),
        ticker: &ticker,
        cross: CROSS,
    };
    listed(&state, &scope, q.kind.as_deref())
}

/// `DELETE .../exit_trigger`: the isolated or `CROSS` triggers of the market, of `kind` if given.
pub(crate) async fn delete<const CROSS: bool>(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(ticker): Path<String>,
    Query(q): Query<KindQuery>,
) -> Result<StatusCode, ApiError> {
    let scope = Scope {
        key_id: key_id(&headers),
        ticker: &ticker,
        cross: CROSS,
    };
    remove(&state, &scope, q.kind.as_deref(), None)
}

pub(crate) async fn delete_cross_by_id(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path((ticker, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let scope = Scope {
        key_id: key_id(&headers),
        ticker: &ticker,
        cross: true,
    };
    remove(&state, &scope, None, Some(&id))
}

/// `PUT .../exit_trigger/{trigger_id}`: new stop-loss and take-profit levels.
pub(crate) async fn update_cross(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path((ticker, id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let scope = Scope {
        key_id: key_id(&headers),
        ticker: &ticker,
        cross: true,
    };
    let (stop_loss, take_profit) = (
        fixed_field(&req, "stop_loss_price", 4)?,
        fixed_field(&req, "take_profit_price", 4)?,
    );
    let mut world = state.margin_ws.world.lock().unwrap();
    let position = position(&world.markets, scope.key_id, &ticker);
    let trigger = world
        .markets
        .triggers
        .iter_mut()
        .find(|t| scope.holds(t) && t.id == id)
        .ok_or_else(|| not_found("exit trigger", &id))?;
    trigger.prices.stop_loss = stop_loss.or(trigger.prices.stop_loss);
    trigger.prices.take_profit = take_profit.or(trigger.prices.take_profit);
    trigger.touch();
    Ok(Json(trigger.json(position)))
}

//! The FCM routes: create a subtrader, read, set and remove its initial margin caps, and set or
//! clear the member's own notional value risk limit, over [`crate::margin::fcm`].

use super::{fixed_field, market_not_found, not_found, object, ApiError};
use crate::auth::key_id;
use crate::margin::fcm::{Cap, Scope, ASSET_CLASSES, KALSHI_NOTIONAL_LIMIT};
use crate::margin::{markets, Margin};
use crate::rest::Shared;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// The query of the risk-control reads and removals.
#[derive(Deserialize)]
pub(crate) struct CapQuery {
    subtrader_id: Option<String>,
    market_ticker: Option<String>,
    asset_class: Option<String>,
}

/// The scope a request names: a listed market, an asset class of the spec's enum, or neither.
fn scope(market: Option<&str>, class: Option<&str>) -> Result<Scope, ApiError> {
    match (
        market.filter(|m| !m.is_empty()),
        class.filter(|c| !c.is_empty()),
    ) {
        (Some(_), Some(_)) => Err(ApiError::invalid(
            "`market_ticker` and `asset_class` are mutually exclusive",
        )),
        (Some(ticker), None) => markets::find(ticker)
            .map(|_| Scope::Market(ticker.to_string()))
            .ok_or_else(|| market_not_found(ticker)),
        (None, Some(class)) if ASSET_CLASSES.contains(&class) => {
            Ok(Scope::AssetClass(class.to_string()))
        }
        (None, Some(class)) => Err(ApiError::invalid(format!("unknown `asset_class` {class}"))),
        (None, None) => Ok(Scope::All),
    }
}

/// The subtrader a query names, which must be one of `key_id`'s.
fn subtrader<'a>(margin: &Margin, key_id: &str, id: Option<&'a str>) -> Result<&'a str, ApiError> {
    let id = id.ok_or_else(|| ApiError::invalid("`subtrader_id` is required"))?;
    let known = margin
        .fcm
        .get(key_id)
        .is_some_and(|f| f.subtraders.contains_key(id));
    known
        .then_some(id)
        .ok_or_else(|| not_found("subtrader", id))
}

/// `POST /margin/fcm/subtraders`: 201 with the id `{user_id}_{subtrader_suffix}`; 409 when the key
/// has that subtrader already.
pub(crate) async fn create_subtrader(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let req = object(&body)?;
    let suffix = req
        .get("subtrader_suffix")
        .and_then(Value::as_str)
        .filter(|s| (1..=16).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()))
        .ok_or_else(|| ApiError::invalid("`subtrader_suffix` must be 1 to 16 letters or digits"))?;
    let id = format!("{}_{suffix}", crate::margin::orders::USER_ID);
    let mut world = state.margin_ws.world.lock().unwrap();
    let fcm = world
        .markets
        .fcm
        .entry(key_id(&headers).to_string())
        .or_default();
    if fcm.subtraders.contains_key(&id) {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            code: "conflict",
            message: "subtrader exists",
            details: format!("subtrader `{id}` exists"),
        });
    }
    fcm.subtraders.insert(id.clone(), Vec::new());
    Ok((StatusCode::CREATED, Json(json!({ "subtrader_id": id }))).into_response())
}

/// `GetFCMSubtraderRiskControlsResponse`: the subtrader's caps (those of one market or asset class
/// when the query names one) and its admin-set notional limits (none here).
pub(crate) async fn risk_controls(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<CapQuery>,
) -> Result<Json<Value>, ApiError> {
    let world = state.margin_ws.world.lock().unwrap();
    let key = key_id(&headers);
    let id = subtrader(&world.markets, key, q.subtrader_id.as_deref())?;
    let only = scope(q.market_ticker.as_deref(), q.asset_class.as_deref())?;
    let caps = &world.markets.fcm[key].subtraders[id];
    let list: Vec<Value> = caps
        .iter()
        .filter(|c| only == Scope::All || c.scope == only)
        .map(|c| c.json(id))
        .collect();
    Ok(Json(
        json!({ "risk_controls": list, "notional_limits": [] }),
    ))
}

/// `PUT /margin/fcm/subtraders/risk_controls`: sets the cap of the body's scope.
pub(crate) async fn set_risk_control(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let text = |field: &str| req.get(field).and_then(Value::as_str);
    let scope = scope(text("market_ticker"), text("asset_class"))?;
    let im_cap =
        fixed_field(&req, "im_cap", 4)?.ok_or_else(|| ApiError::invalid("`im_cap` is required"))?;
    let mut world = state.margin_ws.world.lock().unwrap();
    let key = key_id(&headers);
    let id = subtrader(&world.markets, key, text("subtrader_id"))?;
    let fcm = world.markets.fcm.get_mut(key).expect("the subtrader's FCM");
    fcm.set_cap(id, Cap { scope, im_cap });
    Ok(Json(json!({})))
}

/// `DELETE /margin/fcm/subtraders/risk_controls`: removes the cap of the query's scope; 404 when
/// there is none.
pub(crate) async fn delete_risk_control(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Query(q): Query<CapQuery>,
) -> Result<Json<Value>, ApiError> {
    let scope = scope(q.market_ticker.as_deref(), q.asset_class.as_deref())?;
    let mut world = state.margin_ws.world.lock().unwrap();
    let key = key_id(&headers);
    let id = subtrader(&world.markets, key, q.subtrader_id.as_deref())?;
    let fcm = world.markets.fcm.get_mut(key).expect("the subtrader's FCM");
    if !fcm.remove_cap(id, &scope) {
        return Err(not_found("initial margin cap of subtrader", id));
    }
    Ok(Json(json!({})))
}

/// `PUT /margin/fcm/notional_risk_limit`: sets the member's limit; a value above Kalshi's gets the
/// spec's courtesy 400 naming that ceiling.
pub(crate) async fn set_notional_limit(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let req = object(&body)?;
    let limit = fixed_field(&req, "notional_value_risk_limit", 4)?
        .ok_or_else(|| ApiError::invalid("`notional_value_risk_limit` is required"))?;
    if limit > KALSHI_NOTIONAL_LIMIT {
        return Err(ApiError::invalid(format!(
            "the Kalshi-set limit is {}: a larger value would never govern",
            crate::fixed::price_text(KALSHI_NOTIONAL_LIMIT)
        )));
    }
    let mut world = state.margin_ws.world.lock().unwrap();
    let fcm = world
        .markets
        .fcm
        .entry(key_id(&headers).to_string())
        .or_default();
    fcm.notional_limit = Some(limit);
    Ok(Json(json!({})))
}

/// `DELETE /margin/fcm/notional_risk_limit`: clears the member's limit.
pub(crate) async fn clear_notional_limit(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
) -> Json<Value> {
    let mut world = state.margin_ws.world.lock().unwrap();
    if let Some(fcm) = world.markets.fcm.get_mut(key_id(&headers)) {
        fcm.notional_limit = None;
    }
    Json(json!({}))
}

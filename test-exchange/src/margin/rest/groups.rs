//! Margin order groups: list, create, read, delete, reset, trigger and set the limit, over
//! [`crate::margin::groups`].

use super::{fixed_field, not_found, object, ApiError};
use crate::auth::key_id;
use crate::fixed::count_text;
use crate::margin::groups::{self, OrderGroup};
use crate::margin::Margin;
use crate::rest::Shared;
use crate::ws::World;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// A contracts limit: `contracts_limit_fp`, else the whole `contracts_limit`.
fn limit_of(req: &Value) -> Result<Option<i64>, ApiError> {
    if let Some(limit) = fixed_field(req, "contracts_limit_fp", 2)? {
        return Ok(Some(limit));
    }
    match req.get("contracts_limit") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .filter(|n| *n >= 0)
            .map(|n| Some(n * 100))
            .ok_or_else(|| ApiError::invalid("`contracts_limit` must be a whole number")),
    }
}

/// `key_id`'s group `id`, or a 404.
fn owned<'a>(world: &'a World<Margin>, key_id: &str, id: &str) -> Result<&'a OrderGroup, ApiError> {
    world
        .markets
        .groups
        .get(id)
        .filter(|g| g.key_id == key_id)
        .ok_or_else(|| not_found("order group", id))
}

pub(crate) async fn list(axum::extract::State(state): Shared, headers: HeaderMap) -> Json<Value> {
    let key = key_id(&headers);
    let world = state.margin_ws.world.lock().unwrap();
    let list: Vec<Value> = world
        .markets
        .groups
        .iter()
        .filter(|(_, g)| g.key_id == key)
        .map(|(id, g)| g.json(id))
        .collect();
    Json(json!({ "order_groups": list }))
}

/// `POST /margin/order_groups/create`: 201 with the new group's id.
pub(crate) async fn create(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let limit = limit_of(&object(&body)?)?;
    let mut world = state.margin_ws.world.lock().unwrap();
    let id = groups::create(&mut world, key_id(&headers), limit);
    state.margin_ws.announce(&world);
    let answer = json!({ "order_group_id": id, "subaccount": 0, "exchange_index": 0 });
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}

/// `GetOrderGroupResponse`: the group and the ids of every order placed in it.
pub(crate) async fn get(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let world = state.margin_ws.world.lock().unwrap();
    let group = owned(&world, key_id(&headers), &id)?;
    let mut answer = json!({
        "is_auto_cancel_enabled": group.limit.is_some(),
        "orders": groups::members(&world.markets, &id, false),
        "exchange_index": 0,
    });
    if let Some(limit) = group.limit {
        answer["contracts_limit_fp"] = json!(count_text(limit));
    }
    Ok(Json(answer))
}

/// Runs `change` on `key_id`'s group `id` under the lock, then wakes the sessions: `{}`.
fn change(
    state: &crate::State,
    headers: &HeaderMap,
    id: &str,
    change: impl FnOnce(&mut World<Margin>),
) -> Result<Json<Value>, ApiError> {
    let mut world = state.margin_ws.world.lock().unwrap();
    owned(&world, key_id(headers), id)?;
    change(&mut world);
    state.margin_ws.announce(&world);
    Ok(Json(json!({})))
}

pub(crate) async fn delete(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    change(&state, &headers, &id, |world| groups::delete(world, &id))
}

pub(crate) async fn reset(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    change(&state, &headers, &id, |world| groups::reset(world, &id))
}

pub(crate) async fn trigger(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    change(&state, &headers, &id, |world| groups::trigger(world, &id))
}

pub(crate) async fn limit(
    axum::extract::State(state): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Value>, ApiError> {
    let limit = limit_of(&object(&body)?)?;
    change(&state, &headers, &id, |world| {
        groups::set_limit(world, &id, limit)
    })
}

//! Order groups: a contracts limit over the fills of the orders placed in the group. When the
//! group's fills reach the limit, or on `trigger`, the group cancels its resting orders and
//! refuses new ones until `reset`. Each change is an `order_group_updates` frame for its owner.

use super::feed::group_event;
use super::orders::{cancel_resting, MarginOrder};
use super::Margin;
use crate::fixed::count_text;
use crate::ws::World;
use serde_json::{json, Value};

/// One key's order group.
#[derive(Debug, Clone)]
pub(crate) struct OrderGroup {
    pub(crate) key_id: String,
    /// In hundredths of a contract; `None`: no limit.
    pub(crate) limit: Option<i64>,
    /// Contracts filled since the last reset.
    pub(crate) filled: i64,
    pub(crate) triggered: bool,
}

impl OrderGroup {
    /// The `OrderGroup` JSON of the group list.
    pub(crate) fn json(&self, id: &str) -> Value {
        let mut group = json!({
            "id": id,
            "is_auto_cancel_enabled": self.limit.is_some(),
            "exchange_index": 0,
        });
        if let Some(limit) = self.limit {
            group["contracts_limit_fp"] = json!(count_text(limit));
        }
        group
    }
}

/// Whether `group_id` names a triggered group.
pub(crate) fn is_triggered(margin: &Margin, group_id: Option<&str>) -> bool {
    group_id
        .and_then(|id| margin.groups.get(id))
        .is_some_and(|g| g.triggered)
}

/// Creates a group for `key_id`: its id.
pub(crate) fn create(world: &mut World<Margin>, key_id: &str, limit: Option<i64>) -> String {
    let id = world.markets.new_id(0xd000);
    let group = OrderGroup {
        key_id: key_id.to_string(),
        limit,
        filled: 0,
        triggered: false,
    };
    world.markets.groups.insert(id.clone(), group);
    world.push(group_event(key_id, "created", &id, limit));
    id
}

/// Counts `qty` filled by `order` against its group, triggering it at the limit.
pub(crate) fn count_fill(world: &mut World<Margin>, order: &MarginOrder, qty: i64) {
    let Some(id) = &order.order_group_id else {
        return;
    };
    let Some(group) = world.markets.groups.get_mut(id) else {
        return;
    };
    group.filled += qty;
    if !group.triggered && group.limit.is_some_and(|limit| group.filled >= limit) {
        trigger(world, id);
    }
}

/// Triggers `group_id`: cancels its resting orders, refuses new ones until reset.
pub(crate) fn trigger(world: &mut World<Margin>, group_id: &str) {
    let Some(group) = world.markets.groups.get_mut(group_id) else {
        return;
    };
    group.triggered = true;
    let key_id = group.key_id.clone();
    cancel_members(world, group_id);
    world.push(group_event(&key_id, "triggered", group_id, None));
}

/// Cancels the resting orders of `group_id`.
pub(crate) fn cancel_members(world: &mut World<Margin>, group_id: &str) {
    for order_id in members(&world.markets, group_id, true) {
        cancel_resting(world, &order_id, "MarginCancel");
    }
}

/// The ids of the orders placed in `group_id` (only those still resting, if `resting`).
pub(crate) fn members(margin: &Margin, group_id: &str, resting: bool) -> Vec<String> {
    margin
        .orders
        .values()
        .filter(|o| o.order_group_id.as_deref() == Some(group_id))
        .filter(|o| !resting || o.remaining > 0)
        .map(|o| o.order_id.clone())
        .collect()
}

/// Resets `group_id`: its fill count to zero, new orders accepted again.
pub(crate) fn reset(world: &mut World<Margin>, group_id: &str) {
    if let Some(group) = world.markets.groups.get_mut(group_id) {
        group.triggered = false;
        group.filled = 0;
        let key_id = group.key_id.clone();
        world.push(group_event(&key_id, "reset", group_id, None));
    }
}

/// Deletes `group_id`, cancelling its resting orders.
pub(crate) fn delete(world: &mut World<Margin>, group_id: &str) {
    cancel_members(world, group_id);
    if let Some(group) = world.markets.groups.remove(group_id) {
        world.push(group_event(&group.key_id, "deleted", group_id, None));
    }
}

/// Sets `group_id`'s limit.
pub(crate) fn set_limit(world: &mut World<Margin>, group_id: &str, limit: Option<i64>) {
    if let Some(group) = world.markets.groups.get_mut(group_id) {
        group.limit = limit;
        let key_id = group.key_id.clone();
        world.push(group_event(&key_id, "limit_updated", group_id, limit));
    }
}

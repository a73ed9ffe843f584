//! Shapes read off a lowered operation: cursor pagination, the batch item array, batches.

use crate::ir::{
    struct_fields, BatchKey, BatchShape, Field, Location, Model, OpDef, Pagination, Ty,
};
use crate::settings::Settings;

/// The request body's array of items: its only required field, when that is a non-nullable array.
pub fn items_field(model: &Model, op: &OpDef) -> Option<String> {
    let body = op.body.as_ref().filter(|b| b.required)?;
    let fields = struct_fields(model, &body.ty)?;
    let mut required = fields.iter().filter(|f| f.required);
    match (required.next(), required.next()) {
        (Some(f), None) if matches!(f.ty, Ty::Vec(_)) && !f.is_option() && !f.boxed => {
            Some(f.name.clone())
        }
        _ => None,
    }
}

/// Whether a field of type `ty` can key a batch: a `String`, or a runtime id type that
/// `field_types` maps strings to (each has `as_str`).
fn is_key_text(settings: &Settings, ty: &Ty) -> bool {
    match ty {
        Ty::String => true,
        Ty::Runtime(path) => settings.field_types.values().any(|p| p == path),
        _ => false,
    }
}

/// Detects a batch operation from its shape (see [`BatchShape`]).
pub fn batch(model: &Model, op: &OpDef, settings: &Settings) -> Option<BatchShape> {
    let items_name = op.items_field.as_ref()?;
    let body = struct_fields(model, &op.body.as_ref()?.ty)?;
    let items = body.iter().find(|f| &f.name == items_name)?;
    let Ty::Vec(item) = &items.ty else {
        return None;
    };
    let answer = struct_fields(model, op.output.as_ref()?)?;
    let outcomes = answer.iter().find(|f| f.wire == items.wire && !f.boxed)?;
    let Ty::Vec(outcome) = &outcomes.ty else {
        return None;
    };
    let outcome_fields = struct_fields(model, outcome)?;
    let error = outcome_fields
        .iter()
        .find(|f| f.is_option() && matches!(f.ty, Ty::Named(id) if op.error_types.contains(&id)))?;
    // Required item fields first: a key the caller must set matches every item.
    let item_fields = struct_fields(model, item)?;
    let mut candidates: Vec<&Field> = item_fields
        .iter()
        .filter(|f| is_key_text(settings, &f.ty))
        .collect();
    candidates.sort_by_key(|f| f.is_option());
    let key = candidates.into_iter().find_map(|f| {
        let o = outcome_fields
            .iter()
            .find(|o| o.wire == f.wire && o.ty == f.ty)?;
        Some(BatchKey {
            item: (f.name.clone(), f.is_option()),
            outcome: (o.name.clone(), o.is_option()),
            runtime: f.ty != Ty::String,
        })
    });
    Some(BatchShape {
        item: (**item).clone(),
        outcomes_field: (outcomes.name.clone(), outcomes.is_option()),
        outcome: (**outcome).clone(),
        error_field: error.name.clone(),
        key,
    })
}

/// Detects cursor pagination from the operation's shape (see [`Pagination`]).
pub fn pagination(model: &Model, op: &OpDef) -> Option<Pagination> {
    let cursor_param = op
        .params
        .iter()
        .position(|p| p.location == Location::Query && p.wire == "cursor" && p.ty == Ty::String)?;
    let fields = struct_fields(model, op.output.as_ref()?)?;
    let cursor = fields
        .iter()
        .find(|f| (f.wire == "cursor" || f.wire == "next_cursor") && f.ty == Ty::String)?;
    let arrays: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.ty, Ty::Vec(_)))
        .collect();
    let items = match arrays.as_slice() {
        [one] => match &one.ty {
            Ty::Vec(item) => Some((one.name.clone(), one.is_option(), (**item).clone())),
            _ => None,
        },
        _ => None,
    };
    Some(Pagination {
        cursor_param,
        cursor_field: (cursor.name.clone(), cursor.is_option()),
        items,
    })
}

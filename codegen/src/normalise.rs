//! The schema rewrites both front ends apply to their YAML tree before typed parsing, so that
//! every schema position reads as an `openapiv3::Schema` and one lowering serves both specs.
//!
//! OpenAPI 3.0 ignores siblings of `$ref`, and `openapiv3` drops them, but Kalshi writes
//! `nullable`, `description` and `default` beside `$ref` on purpose: `{$ref, siblings...}` becomes
//! `{allOf: [{$ref}], siblings...}`, which the model reads as "the referenced type, with these
//! facts". AsyncAPI payloads are JSON Schema (draft-07 style), which needs a few more rewrites
//! (see [`Dialect::JsonSchema`]).

use serde_yaml::{Mapping, Value};

/// The schema language of a spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// OpenAPI 3.0 schemas: only `$ref` siblings are rewritten.
    OpenApi30,
    /// JSON Schema, as AsyncAPI 3 payloads use it; besides `$ref` siblings:
    ///
    /// - `const: x` becomes the one-value enum `enum: [x]` (with `type` inferred from `x` when
    ///   absent);
    /// - `type: [T, "null"]` becomes `type: T` with `nullable: true`; several non-null types drop
    ///   `type` (a free-form value);
    /// - `examples` (an array in JSON Schema, a map in OpenAPI) is dropped.
    JsonSchema,
}

/// Rewrites one schema and everything nested in it.
pub fn schema(v: &mut Value, dialect: Dialect) {
    let Value::Mapping(m) = v else { return };
    ref_siblings(m);
    if dialect == Dialect::JsonSchema {
        m.remove("examples");
        type_list(m);
        constant(m);
    }
    if let Some(Value::Mapping(props)) = m.get_mut("properties") {
        props.iter_mut().for_each(|(_, s)| schema(s, dialect));
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(s) = m.get_mut(key) {
            schema(s, dialect);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Sequence(items)) = m.get_mut(key) {
            items.iter_mut().for_each(|s| schema(s, dialect));
        }
    }
}

/// `{$ref, siblings...}` to `{allOf: [{$ref}], siblings...}`.
fn ref_siblings(m: &mut Mapping) {
    if m.len() > 1 {
        if let Some(reference) = m.remove("$ref") {
            let mut inner = Mapping::new();
            inner.insert("$ref".into(), reference);
            m.insert("allOf".into(), Value::Sequence(vec![Value::Mapping(inner)]));
        }
    }
}

/// `type: [T, "null"]` to `type: T, nullable: true`.
fn type_list(m: &mut Mapping) {
    let Some(Value::Sequence(types)) = m.get("type") else {
        return;
    };
    let nullable = types.iter().any(|t| t.as_str() == Some("null"));
    let rest: Vec<Value> = types
        .iter()
        .filter(|t| t.as_str() != Some("null"))
        .cloned()
        .collect();
    match rest.as_slice() {
        [one] => {
            m.insert("type".into(), one.clone());
        }
        _ => {
            m.remove("type");
        }
    }
    if nullable {
        m.insert("nullable".into(), Value::Bool(true));
    }
}

/// `const: x` to `enum: [x]`, with the `type` of `x` when none is given.
fn constant(m: &mut Mapping) {
    let Some(value) = m.remove("const") else {
        return;
    };
    if !m.contains_key("type") {
        let ty = match &value {
            Value::String(_) => Some("string"),
            Value::Bool(_) => Some("boolean"),
            Value::Number(n) if n.is_i64() || n.is_u64() => Some("integer"),
            Value::Number(_) => Some("number"),
            _ => None,
        };
        if let Some(ty) = ty {
            m.insert("type".into(), Value::String(ty.into()));
        }
    }
    m.insert("enum".into(), Value::Sequence(vec![value]));
}

//! Load: AsyncAPI YAML to a JSON document whose schemas the shared lowering can read.
//!
//! AsyncAPI 3 payloads are JSON Schema (draft-07 style), which `openapiv3::Schema` almost covers.
//! Every schema position is rewritten in place so that it parses as one, instead of keeping a
//! second type system:
//!
//! - `const: x` becomes the one-value enum `enum: [x]` (with `type` inferred from `x` when absent);
//! - `type: [T, "null"]` becomes `type: T` with `nullable: true`; several non-null types drop
//!   `type` (a free-form value);
//! - `$ref` with siblings becomes `allOf: [{$ref}]` plus the siblings, as on the OpenAPI side;
//! - `examples` (an array in JSON Schema, a map in OpenAPI) is dropped.

use crate::error::Error;
use serde_yaml::{Mapping, Value};

/// Parses, checks the version of, and normalises an AsyncAPI document.
pub fn load(text: &str) -> Result<Value, Error> {
    let mut doc: Value = serde_yaml::from_str(text).map_err(|e| Error::AsyncApi(e.to_string()))?;
    match doc.get("asyncapi") {
        Some(Value::String(v)) if v.starts_with("3.") => {}
        Some(v) => {
            let v = serde_yaml::to_string(v).unwrap_or_default();
            return Err(Error::AsyncApi(format!(
                "`asyncapi: {}`: only 3.x is supported",
                v.trim()
            )));
        }
        None => return Err(Error::AsyncApi("no `asyncapi` version field".into())),
    }
    if let Some(components) = doc.get_mut("components") {
        if let Some(Value::Mapping(schemas)) = components.get_mut("schemas") {
            schemas.iter_mut().for_each(|(_, s)| schema(s));
        }
        if let Some(Value::Mapping(messages)) = components.get_mut("messages") {
            messages.iter_mut().for_each(|(_, m)| message(m));
        }
    }
    if let Some(Value::Mapping(channels)) = doc.get_mut("channels") {
        for (_, channel) in channels.iter_mut() {
            if let Some(Value::Mapping(messages)) = channel.get_mut("messages") {
                messages.iter_mut().for_each(|(_, m)| message(m));
            }
        }
    }
    Ok(doc)
}

fn message(m: &mut Value) {
    if let Some(p) = m.get_mut("payload") {
        schema(p);
    }
}

/// Rewrites one schema and everything nested in it.
pub fn schema(v: &mut Value) {
    let Value::Mapping(m) = v else { return };
    if m.contains_key("$ref") && m.len() > 1 {
        let reference = m.remove("$ref").unwrap_or(Value::Null);
        let mut inner = Mapping::new();
        inner.insert("$ref".into(), reference);
        m.insert("allOf".into(), Value::Sequence(vec![Value::Mapping(inner)]));
    }
    m.remove("examples");
    if let Some(Value::Sequence(types)) = m.get("type") {
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
    if let Some(value) = m.remove("const") {
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
    if let Some(Value::Mapping(props)) = m.get_mut("properties") {
        props.iter_mut().for_each(|(_, s)| schema(s));
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(s) = m.get_mut(key) {
            schema(s);
        }
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        if let Some(Value::Sequence(items)) = m.get_mut(key) {
            items.iter_mut().for_each(schema);
        }
    }
}

/// The value at a JSON pointer (RFC 6901) in a YAML document.
pub fn pointer<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(v);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(v, |v, token| {
        let token = token.replace("~1", "/").replace("~0", "~");
        match v {
            Value::Mapping(m) => m.get(token.as_str()),
            Value::Sequence(s) => token.parse::<usize>().ok().and_then(|i| s.get(i)),
            _ => None,
        }
    })
}

/// The one value of a `const` (normalised into a one-value `enum`), as text.
pub fn const_str(schema: &Value) -> Option<&str> {
    match schema.get("enum") {
        Some(Value::Sequence(values)) if values.len() == 1 => values[0].as_str(),
        _ => None,
    }
}

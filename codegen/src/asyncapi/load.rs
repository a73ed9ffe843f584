//! Load: AsyncAPI YAML to a YAML tree whose schemas the shared lowering can read.
//!
//! AsyncAPI 3 payloads are JSON Schema (draft-07 style), which `openapiv3::Schema` almost covers:
//! every schema position is rewritten in place by the shared [`normalise`] so
//! that it parses as one, instead of keeping a second type system.

use crate::error::Error;
use crate::normalise::{self, Dialect};
use serde_yaml::Value;

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

fn schema(v: &mut Value) {
    normalise::schema(v, Dialect::JsonSchema);
}

/// The one value of a `const` (normalised into a one-value `enum`), as text.
pub fn const_str(schema: &Value) -> Option<&str> {
    match schema.get("enum") {
        Some(Value::Sequence(values)) if values.len() == 1 => values[0].as_str(),
        _ => None,
    }
}

//! Load: YAML text to an `openapiv3` document, keeping what `openapiv3` would drop.
//!
//! OpenAPI 3.0 ignores siblings of `$ref`, and `openapiv3` drops them, but Kalshi writes
//! `nullable`, `description` and `default` beside `$ref` on purpose. Every schema position is
//! rewritten from `{$ref, siblings...}` to `{allOf: [{$ref}], siblings...}` before typed parsing,
//! which `openapiv3` keeps and the model reads as "the referenced type, with these facts".

use crate::error::Error;
use serde_yaml::{Mapping, Value};

/// Parses and normalises a spec.
pub fn load(text: &str) -> Result<openapiv3::OpenAPI, Error> {
    let mut doc: Value = serde_yaml::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
    match doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0") => {}
        Some(v) => {
            return Err(Error::Parse(format!(
                "`openapi: {v}`: only 3.0.x is supported"
            )))
        }
        None => return Err(Error::Parse("no `openapi` version field".into())),
    }
    normalise(&mut doc);
    serde_yaml::from_value(doc).map_err(|e| Error::Parse(e.to_string()))
}

fn normalise(doc: &mut Value) {
    if let Some(components) = doc.get_mut("components") {
        for section in ["schemas"] {
            if let Some(Value::Mapping(m)) = components.get_mut(section) {
                m.iter_mut().for_each(|(_, s)| schema(s));
            }
        }
        if let Some(Value::Mapping(m)) = components.get_mut("parameters") {
            m.iter_mut().for_each(|(_, p)| parameter(p));
        }
        if let Some(Value::Mapping(m)) = components.get_mut("responses") {
            m.iter_mut().for_each(|(_, r)| content_holder(r));
        }
        if let Some(Value::Mapping(m)) = components.get_mut("requestBodies") {
            m.iter_mut().for_each(|(_, r)| content_holder(r));
        }
    }
    if let Some(Value::Mapping(paths)) = doc.get_mut("paths") {
        for (_, item) in paths.iter_mut() {
            let Value::Mapping(item) = item else { continue };
            for (key, op) in item.iter_mut() {
                if key.as_str() == Some("parameters") {
                    each(op, parameter);
                    continue;
                }
                if let Some(Value::Sequence(ps)) = op.get_mut("parameters") {
                    ps.iter_mut().for_each(parameter);
                }
                if let Some(body) = op.get_mut("requestBody") {
                    content_holder(body);
                }
                if let Some(Value::Mapping(rs)) = op.get_mut("responses") {
                    rs.iter_mut().for_each(|(_, r)| content_holder(r));
                }
            }
        }
    }
}

fn each(v: &mut Value, f: fn(&mut Value)) {
    if let Value::Sequence(items) = v {
        items.iter_mut().for_each(f);
    }
}

fn parameter(p: &mut Value) {
    if let Some(s) = p.get_mut("schema") {
        schema(s);
    }
    content_holder(p);
}

/// A response, request body or parameter: its `content.*.schema`.
fn content_holder(v: &mut Value) {
    if let Some(Value::Mapping(content)) = v.get_mut("content") {
        for (_, media) in content.iter_mut() {
            if let Some(s) = media.get_mut("schema") {
                schema(s);
            }
        }
    }
}

/// Rewrites one schema and everything nested in it.
fn schema(v: &mut Value) {
    let Value::Mapping(m) = v else { return };
    if m.contains_key("$ref") && m.len() > 1 {
        let reference = m.remove("$ref").expect("checked above");
        let mut inner = Mapping::new();
        inner.insert("$ref".into(), reference);
        m.insert("allOf".into(), Value::Sequence(vec![Value::Mapping(inner)]));
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
        if let Some(s) = m.get_mut(key) {
            each(s, schema);
        }
    }
}

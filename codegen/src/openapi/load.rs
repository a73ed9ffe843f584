//! Load: YAML text to an `openapiv3` document, keeping what `openapiv3` would drop (every schema
//! position goes through the shared [`normalise`] first), and naming the place
//! of a document `openapiv3` cannot read.

use crate::error::Error;
use crate::normalise::{self, Dialect};
use crate::pointer::{key_text, of_path, ptr, push_token};
use serde_yaml::Value;

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
    let mut at = String::new();
    if too_deep(&doc, &mut at, 0) {
        return Err(Error::Parse(format!(
            "at #{at}: nested more than {MAX_NESTING} levels deep: expected `$ref`s to named schemas"
        )));
    }
    normalise(&mut doc);
    // Read from the tree in place: a copy of the whole spec would cost as much as the reading.
    match serde_path_to_error::deserialize(&doc) {
        Ok(api) => Ok(api),
        Err(e) => {
            // `openapiv3` reads maps of paths and `$ref`-or-item positions through buffering
            // (flatten, untagged enums), below which the path is lost: read the parts one by one
            // to find the innermost place that fails.
            let (at, message) = locate(&doc)
                .unwrap_or_else(|| (of_path(e.path()), e.inner().to_string().trim().to_string()));
            Err(Error::Parse(format!("at #{at}: {message}")))
        }
    }
}

/// How deep a document may nest (Kalshi's is 11 levels deep). `openapiv3` reads schemas through
/// buffered untagged enums whose cost grows steeply with depth: past this, a spec would take
/// minutes to read, not fail.
const MAX_NESTING: usize = 32;

/// The pointer of the first value nested deeper than [`MAX_NESTING`]. `at` is `v`'s pointer,
/// extended in place for each child and cut back after it (no pointer is built per node).
fn too_deep(v: &Value, at: &mut String, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return true;
    }
    let len = at.len();
    let mut child_too_deep = |token: &str, child: &Value| {
        push_token(at, token);
        let deep = too_deep(child, at, depth + 1);
        if !deep {
            at.truncate(len);
        }
        deep
    };
    match v {
        Value::Mapping(m) => m.iter().any(|(k, child)| match k {
            Value::String(k) => child_too_deep(k, child),
            k => child_too_deep(&key_text(k), child),
        }),
        Value::Sequence(s) => s
            .iter()
            .enumerate()
            .any(|(i, child)| child_too_deep(&i.to_string(), child)),
        Value::Tagged(t) => too_deep(&t.value, at, depth + 1),
        _ => false,
    }
}

/// The innermost part of the document that does not read as its `openapiv3` type: its pointer
/// and the reason.
fn locate(doc: &Value) -> Option<(String, String)> {
    locate_in_paths(doc).or_else(|| locate_in_components(doc))
}

/// Where a failure is: its pointer and the reason.
type Found = Option<(String, String)>;

/// Reads `v` as a `T`: the pointer (below `at`) and reason of the failure, if it fails.
fn check<T: serde::de::DeserializeOwned>(v: &Value, at: &str) -> Found {
    serde_path_to_error::deserialize::<_, T>(v.clone())
        .err()
        .map(|e| {
            (
                format!("{at}{}", of_path(e.path())),
                e.inner().to_string().trim().to_string(),
            )
        })
}

/// The entries of a mapping or sequence, keyed by their pointer token.
fn entries(v: Option<&Value>) -> Vec<(String, &Value)> {
    match v {
        Some(Value::Mapping(m)) => m.iter().map(|(k, v)| (key_text(k), v)).collect(),
        Some(Value::Sequence(s)) => s
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    }
}

/// The entries of a list or map that are not `$ref`s.
fn items(v: Option<&Value>) -> impl Iterator<Item = (String, &Value)> {
    entries(v)
        .into_iter()
        .filter(|(_, v)| v.get("$ref").is_none())
}

fn locate_in_paths(doc: &Value) -> Found {
    use openapiv3 as o;
    for (path, item) in entries(doc.get("paths")) {
        let item_at = ptr("/paths", &[&path]);
        for (method, op) in entries(Some(item)) {
            let op_at = ptr(&item_at, &[&method]);
            if method == "parameters" {
                for (i, param) in items(Some(op)) {
                    if let Some(found) = check::<o::Parameter>(param, &ptr(&op_at, &[&i])) {
                        return Some(found);
                    }
                }
                continue;
            }
            if !matches!(
                method.as_str(),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" | "trace"
            ) {
                continue;
            }
            if let Some(found) = locate_in_operation(op, &op_at) {
                return Some(found);
            }
        }
        if let Some(found) = check::<o::PathItem>(item, &item_at) {
            return Some(found);
        }
    }
    None
}

/// An operation's parameters, request body and responses, then the operation itself.
fn locate_in_operation(op: &Value, op_at: &str) -> Found {
    use openapiv3 as o;
    for (i, param) in items(op.get("parameters")) {
        if let Some(found) = check::<o::Parameter>(param, &ptr(op_at, &["parameters", &i])) {
            return Some(found);
        }
    }
    if let Some(body) = op.get("requestBody").filter(|v| v.get("$ref").is_none()) {
        if let Some(found) = check::<o::RequestBody>(body, &ptr(op_at, &["requestBody"])) {
            return Some(found);
        }
    }
    for (code, r) in items(op.get("responses")) {
        if let Some(found) = check::<o::Response>(r, &ptr(op_at, &["responses", &code])) {
            return Some(found);
        }
    }
    check::<o::Operation>(op, op_at)
}

fn locate_in_components(doc: &Value) -> Found {
    use openapiv3 as o;
    for (section, map) in entries(doc.get("components")) {
        let at = ptr("/components", &[&section]);
        for (key, v) in items(Some(map)) {
            let at = ptr(&at, &[&key]);
            let found = match section.as_str() {
                "schemas" => check::<o::Schema>(v, &at),
                "responses" => check::<o::Response>(v, &at),
                "parameters" => check::<o::Parameter>(v, &at),
                "requestBodies" => check::<o::RequestBody>(v, &at),
                _ => None,
            };
            if found.is_some() {
                return found;
            }
        }
    }
    None
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

fn schema(v: &mut Value) {
    normalise::schema(v, Dialect::OpenApi30);
}

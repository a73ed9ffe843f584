//! Validate: document-level checks, every problem collected with its JSON pointer.
//!
//! Type-level constructs that cannot be mapped are reported by the model as it meets them.

use crate::error::Problem;
use crate::pointer::{ptr, push_token};
use openapiv3::{OpenAPI, ReferenceOr};
use std::collections::HashMap;

/// Checks that every `$ref` resolves and every operation has a unique `operationId`.
pub fn validate(api: &OpenAPI) -> Vec<Problem> {
    let mut problems = Vec::new();
    match serde_json::to_value(api) {
        Ok(doc) => refs(&doc, &doc, &mut String::new(), &mut problems),
        Err(e) => problems.push(Problem {
            pointer: String::new(),
            message: format!("spec cannot be re-encoded for checking: {e}"),
        }),
    }
    let mut ids: HashMap<&str, String> = HashMap::new();
    for (path, item) in &api.paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, op) in item.iter() {
            let pointer = ptr("/paths", &[path, method]);
            match op.operation_id.as_deref() {
                None => problems.push(Problem {
                    pointer,
                    message: "no `operationId`: every operation needs one to name its function"
                        .into(),
                }),
                Some(id) => {
                    if let Some(first) = ids.insert(id, pointer.clone()) {
                        problems.push(Problem {
                            pointer,
                            message: format!(
                                "`operationId: {id}` is also used at #{first}: expected unique ids"
                            ),
                        });
                    }
                }
            }
        }
    }
    problems
}

/// Reports every `$ref` below `v` that does not resolve. `at` is `v`'s pointer, extended in place
/// for each child and cut back after it, so a walk of the whole spec allocates no pointer per node.
fn refs(
    doc: &serde_json::Value,
    v: &serde_json::Value,
    at: &mut String,
    problems: &mut Vec<Problem>,
) {
    let len = at.len();
    match v {
        serde_json::Value::Object(m) => {
            if let Some(serde_json::Value::String(r)) = m.get("$ref") {
                let ok = r
                    .strip_prefix('#')
                    .is_some_and(|p| doc.pointer(p).is_some());
                if !ok {
                    problems.push(Problem {
                        pointer: at.clone(),
                        message: format!("`$ref: {r}` does not resolve: expected a local reference (`#/components/...`) to an existing entry"),
                    });
                }
            }
            for (k, child) in m {
                push_token(at, k);
                refs(doc, child, at, problems);
                at.truncate(len);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                push_token(at, &i.to_string());
                refs(doc, child, at, problems);
                at.truncate(len);
            }
        }
        _ => {}
    }
}

//! The check of the settings' `ws_field_types` against the AsyncAPI spec they serve: a rule must
//! name a plain string property (`type: string`, no `format`, no `enum`, not a `$ref`) of it, so
//! that a renamed field in a new spec version is an error, not a price that silently reads as
//! text.

use crate::error::Error;
use crate::settings::Settings;
use serde_yaml::Value;

/// Fails naming every `ws_field_types` key that no plain string property of `specs` carries.
pub fn check(settings: &Settings, specs: &[&str]) -> Result<(), Error> {
    if settings.ws_field_types.is_empty() {
        return Ok(());
    }
    let mut found = vec![false; settings.ws_field_types.len()];
    for text in specs {
        let doc: Value = serde_yaml::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        mark_plain_strings(&doc, settings, &mut found);
    }
    let missing: Vec<&str> = settings
        .ws_field_types
        .keys()
        .zip(&found)
        .filter(|(_, found)| !**found)
        .map(|(name, _)| name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::Settings(format!(
        "ws_field_types: no plain string property (`type: string`, no format, no enum) is named \
         {} in the AsyncAPI spec",
        missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// Marks in `found` the rules whose name a plain string property under `value` carries.
fn mark_plain_strings(value: &Value, settings: &Settings, found: &mut [bool]) {
    match value {
        Value::Mapping(map) => {
            if let Some(Value::Mapping(props)) = map.get("properties") {
                for (name, schema) in props {
                    let Some(name) = name.as_str() else { continue };
                    if let Some(i) = settings.ws_field_types.get_index_of(name) {
                        found[i] |= is_plain_string(schema);
                    }
                }
            }
            for v in map.values() {
                mark_plain_strings(v, settings, found);
            }
        }
        Value::Sequence(items) => {
            for v in items {
                mark_plain_strings(v, settings, found);
            }
        }
        _ => {}
    }
}

fn is_plain_string(schema: &Value) -> bool {
    let Value::Mapping(map) = schema else {
        return false;
    };
    map.get("type").and_then(Value::as_str) == Some("string")
        && ["format", "enum", "const", "$ref"]
            .iter()
            .all(|k| !map.contains_key(*k))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "components:
  schemas:
    Tick:
      type: object
      properties:
        price: { type: string }
        at: { type: string, format: date-time }
";

    fn settings(rules: &str) -> Settings {
        Settings::from_yaml(&format!("ws_field_types: {{ {rules} }}")).unwrap()
    }

    #[test]
    fn a_rule_must_name_a_plain_string_of_the_specs() {
        check(&settings("price: crate::money::FixedPointDollars"), &[SPEC]).unwrap();
        let e = check(
            &settings("at: crate::money::FixedPointDollars, bid: a::B"),
            &["{}", SPEC],
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("`at`, `bid`"), "{e}");
        check(&Settings::default(), &[]).unwrap();
    }
}

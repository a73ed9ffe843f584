//! Generator settings the spec cannot express, read from `spec/codegen.yaml`.

use crate::error::Error;
use indexmap::IndexMap;
use serde::Deserialize;

/// What `spec/codegen.yaml` holds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Component schemas mapped to hand-written runtime types (by Rust path) instead of a generated
    /// alias, e.g. `FixedPointDollars: crate::money::FixedPointDollars`. Names absent from a spec are
    /// ignored, so one settings file serves old and new specs.
    #[serde(default)]
    pub runtime_types: IndexMap<String, String>,
}

impl Settings {
    /// Parses the settings YAML.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let settings: Settings =
            serde_yaml::from_str(text).map_err(|e| Error::Settings(e.to_string()))?;
        for (schema, path) in &settings.runtime_types {
            if syn::parse_str::<syn::Path>(path).is_err() {
                return Err(Error::Settings(format!(
                    "runtime_types.{schema}: `{path}` is not a Rust path"
                )));
            }
        }
        Ok(settings)
    }
}

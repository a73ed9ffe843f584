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
    /// Plain string properties (`type: string`, no `format`, no `enum`) whose wire names end with a
    /// suffix map to a runtime type, e.g. `_dollars: crate::money::FixedPointDollars`: Kalshi names
    /// its fixed-point fields by suffix where the spec does not reference a money schema. The
    /// longest matching suffix wins.
    #[serde(default)]
    pub field_suffix_types: IndexMap<String, String>,
}

impl Settings {
    /// Parses the settings YAML.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let settings: Settings =
            serde_yaml::from_str(text).map_err(|e| Error::Settings(e.to_string()))?;
        let entries = (settings.runtime_types.iter().map(|e| ("runtime_types", e))).chain(
            settings
                .field_suffix_types
                .iter()
                .map(|e| ("field_suffix_types", e)),
        );
        for (section, (key, path)) in entries {
            if syn::parse_str::<syn::Path>(path).is_err() {
                return Err(Error::Settings(format!(
                    "{section}.{key}: `{path}` is not a Rust path"
                )));
            }
        }
        Ok(settings)
    }

    /// The runtime type for a plain string property named `wire`, by [`Self::field_suffix_types`].
    pub fn suffix_type(&self, wire: &str) -> Option<&str> {
        self.field_suffix_types
            .iter()
            .filter(|(suffix, _)| wire.ends_with(suffix.as_str()) && wire.len() > suffix.len())
            .max_by_key(|(suffix, _)| suffix.len())
            .map(|(_, path)| path.as_str())
    }
}

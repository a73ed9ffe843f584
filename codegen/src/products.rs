//! The products the SDK carries, read from `spec/products.yaml`: one spec pair each, with its
//! settings and its place in the crate. `cargo xtask regen`, `diff` and the contract tests loop
//! over them, so a new product is a new entry, not new code.

use crate::error::Error;
use crate::ir::Target;
use serde::Deserialize;

/// What `spec/products.yaml` holds.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Products {
    /// Every product, the event-contract API first.
    pub products: Vec<Product>,
}

/// One product: its specs and settings (paths relative to the workspace) and where its code goes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// A short name, e.g. `perps`: how commands and reports name the product.
    pub name: String,
    /// The OpenAPI spec of its REST API.
    pub openapi: String,
    /// The AsyncAPI spec of its WebSocket API, when it has one.
    #[serde(default)]
    pub asyncapi: Option<String>,
    /// Its generator settings.
    pub settings: String,
    /// The folder its generated files go to (nothing else may live there).
    pub out: String,
    /// Rust path of the generated root module, e.g. `crate::perps`.
    pub module: String,
    /// Rust path of the public namespace holding its `ops` and `types`, e.g. `crate::perps`.
    pub namespace: String,
    /// The handle type whose methods send its operations (`client.perps()`); without one they are
    /// methods of `Client`.
    #[serde(default)]
    pub handle: Option<String>,
    /// The rate-limit bucket set its operations draw from; without one, the account's main one.
    #[serde(default)]
    pub buckets: Option<String>,
    /// The cargo feature of `kalshi-api` its namespace sits behind.
    #[serde(default)]
    pub feature: Option<String>,
    /// One cargo feature of `kalshi-api` per API area (the operations' first tag), which
    /// `cargo xtask regen` writes into `kalshi-api/Cargo.toml`.
    #[serde(default)]
    pub areas: bool,
    /// Its Prism contract suite, which `cargo xtask contract` runs against a mock of `openapi`.
    #[serde(default)]
    pub contract: Option<Contract>,
}

/// `contract`: a test target of `kalshi-api` and the variable that tells it the mock's URL.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contract {
    /// The test target, e.g. `contract_perps` (`kalshi-api/tests/contract_perps.rs`).
    pub test: String,
    /// The environment variable the suite reads the mock's base URL from.
    pub env: String,
}

impl Products {
    /// Parses `spec/products.yaml`, checking that names, folders and Rust paths are usable and
    /// distinct.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let products: Products =
            serde_yaml::from_str(text).map_err(|e| Error::Settings(e.to_string()))?;
        if products.products.is_empty() {
            return Err(Error::Settings("products: expected at least one".into()));
        }
        for (i, p) in products.products.iter().enumerate() {
            p.check()?;
            let earlier = &products.products[..i];
            if let Some(q) = earlier.iter().find(|q| {
                q.name == p.name
                    || q.out == p.out
                    || q.module == p.module
                    || q.namespace == p.namespace
            }) {
                return Err(Error::Settings(format!(
                    "products: `{}` and `{}` share a name, an output folder or a module",
                    q.name, p.name
                )));
            }
        }
        Ok(products)
    }

    /// The product named `name`.
    pub fn get(&self, name: &str) -> Option<&Product> {
        self.products.iter().find(|p| p.name == name)
    }
}

impl Product {
    /// Where its code goes, for the generator.
    pub fn target(&self) -> Target {
        Target {
            module: self.module.clone(),
            namespace: self.namespace.clone(),
            handle: self.handle.clone(),
            buckets: self.buckets.clone(),
            feature: self.feature.clone(),
            areas: self.areas,
        }
    }

    fn check(&self) -> Result<(), Error> {
        let bad = |field: &str, what: &str| {
            Err(Error::Settings(format!(
                "products.{}.{field}: expected {what}",
                self.name
            )))
        };
        let is_word = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        if !is_word(&self.name) {
            return bad("name", "letters, digits, `_` or `-`");
        }
        for (field, path) in [("module", &self.module), ("namespace", &self.namespace)] {
            if !path.starts_with("crate") || syn::parse_str::<syn::Path>(path).is_err() {
                return bad(field, "a Rust path starting with `crate`");
            }
        }
        if let Some(handle) = &self.handle {
            if syn::parse_str::<syn::Ident>(handle).is_err() {
                return bad("handle", "a Rust type name");
            }
        }
        if self.buckets.as_deref().is_some_and(|b| !is_word(b)) {
            return bad("buckets", "letters, digits, `_` or `-`");
        }
        if self.feature.as_deref().is_some_and(|f| !is_word(f)) {
            return bad("feature", "a cargo feature name");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = "products:
  - { name: trade, openapi: a.yaml, settings: s.yaml, out: gen, module: crate::generated, namespace: crate }
  - { name: perps, openapi: b.yaml, asyncapi: c.yaml, settings: t.yaml, out: perps, module: crate::perps, namespace: crate::perps, handle: Perps, buckets: perps, feature: perps }
";

    #[test]
    fn reads_products_and_their_targets() {
        let p = Products::from_yaml(TWO).unwrap();
        assert_eq!(p.products.len(), 2);
        let perps = p.get("perps").unwrap();
        assert_eq!(perps.asyncapi.as_deref(), Some("c.yaml"));
        let t = perps.target();
        assert_eq!(t.handle.as_deref(), Some("Perps"));
        assert_eq!(t.buckets.as_deref(), Some("perps"));
        assert_eq!(p.get("trade").unwrap().target(), Target::default());
    }

    #[test]
    fn rejects_clashes_and_bad_paths() {
        let clash = TWO.replace("out: perps", "out: gen");
        let e = Products::from_yaml(&clash).unwrap_err().to_string();
        assert!(e.contains("share"), "{e}");
        let path = TWO.replace("module: crate::perps", "module: perps mod");
        let e = Products::from_yaml(&path).unwrap_err().to_string();
        assert!(e.contains("products.perps.module"), "{e}");
        let e = Products::from_yaml("products: []").unwrap_err().to_string();
        assert!(e.contains("at least one"), "{e}");
    }
}

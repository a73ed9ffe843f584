//! The API areas' cargo features in `kalshi-api/Cargo.toml`: one per area the generator found (a
//! product with `areas: true` in `spec/products.yaml`), and `all-areas` enabling every one. They
//! live between two marker lines in `[features]`, written by `cargo xtask regen` and compared by
//! `regen --check` like the generated files, so the list follows the spec's tags.

use std::path::Path;

/// The umbrella feature that enables every area.
pub const ALL_AREAS: &str = "all-areas";

fn begin(product: &str) -> String {
    format!("# API areas of `{product}`, written by `cargo xtask regen` from the spec's tags: do not edit.")
}

fn end(product: &str) -> String {
    format!("# End of the API areas of `{product}`.")
}

/// The block for `features` (empty when the product has no areas).
fn block(product: &str, spec: &str, features: &[String]) -> String {
    if features.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "{}\n# One feature per tag of {spec}: the tag's operations, and the types only they use.\n",
        begin(product)
    );
    for f in features {
        out.push_str(&format!("{f} = []\n"));
    }
    let all: Vec<String> = features.iter().map(|f| format!("\"{f}\"")).collect();
    out.push_str(&format!(
        "# Every API area of `{product}`.\n{ALL_AREAS} = [{}]\n{}\n",
        all.join(", "),
        end(product)
    ));
    out
}

/// Makes `kalshi-api/Cargo.toml` under `root` hold the product's area features (none: no block).
/// Returns whether it differed; in check mode nothing is written. An area named like a feature
/// declared by hand is an error.
pub fn sync(
    root: &Path,
    product: &str,
    spec: &str,
    features: &[String],
    check: bool,
) -> Result<bool, String> {
    let path = root.join("kalshi-api/Cargo.toml");
    let text = crate::workspace::read(&path)?;
    let (before, old, after) = split(&text, product);
    let others = format!("{before}{after}");
    let all_areas = ALL_AREAS.to_string();
    let declared = features
        .iter()
        .chain((!features.is_empty()).then_some(&all_areas));
    if let Some(f) = declared.into_iter().find(|f| declares(&others, f)) {
        return Err(format!(
            "{}: the API area feature `{f}` is also declared by hand; rename one",
            path.display()
        ));
    }
    let new = block(product, spec, features);
    if old == new {
        return Ok(false);
    }
    if !check {
        let text = if old.is_empty() && !new.is_empty() {
            insert_in_features(&text, &new)
                .ok_or_else(|| format!("{}: no [features] table", path.display()))?
        } else {
            format!("{before}{new}{after}")
        };
        std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(true)
}

/// The text before the product's block, the block (marker lines included; empty when absent) and
/// the text after it.
fn split<'a>(text: &'a str, product: &str) -> (&'a str, &'a str, &'a str) {
    let (begin, end) = (begin(product), end(product));
    let Some(start) = text.find(&begin) else {
        return (text, "", "");
    };
    let stop = text[start..]
        .find(&end)
        .map(|i| start + i + end.len())
        .map(|i| text[i..].find('\n').map_or(text.len(), |n| i + n + 1))
        .unwrap_or(text.len());
    (&text[..start], &text[start..stop], &text[stop..])
}

/// Whether `text` has a line declaring the feature `name`.
fn declares(text: &str, name: &str) -> bool {
    text.lines().any(|l| {
        l.split_once('=')
            .is_some_and(|(key, _)| key.trim() == name && !l.trim_start().starts_with('#'))
    })
}

/// `text` with `block` at the end of its `[features]` table.
fn insert_in_features(text: &str, block: &str) -> Option<String> {
    let table = text.find("\n[features]\n")? + 1;
    let after_header = table + "[features]\n".len();
    let next = text[after_header..]
        .find("\n[")
        .map_or(text.len(), |i| after_header + i + 1);
    // After the table's last line, so the blank line before the next table stays after the block.
    let at = text[..next].trim_end_matches('\n').len() + 1;
    Some(format!("{}{block}{}", &text[..at], &text[at..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::TempDir;

    const MANIFEST: &str = "[package]\nname = \"x\"\n\n[features]\ndefault = [\"ws\"]\nws = []\n\n[dependencies]\nserde = \"1\"\n";

    fn features(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn workspace(manifest: &str) -> TempDir {
        let dir = TempDir::new("areas");
        std::fs::create_dir_all(dir.path().join("kalshi-api")).unwrap();
        std::fs::write(dir.path().join("kalshi-api/Cargo.toml"), manifest).unwrap();
        dir
    }

    fn manifest(dir: &TempDir) -> String {
        std::fs::read_to_string(dir.path().join("kalshi-api/Cargo.toml")).unwrap()
    }

    #[test]
    fn areas_are_written_into_features_then_follow_the_spec() {
        let dir = workspace(MANIFEST);
        let root = dir.path();
        let two = features(&["market", "orders"]);
        assert!(sync(root, "trade", "spec/openapi.yaml", &two, true).unwrap());
        assert_eq!(manifest(&dir), MANIFEST, "--check writes nothing");
        assert!(sync(root, "trade", "spec/openapi.yaml", &two, false).unwrap());
        let text = manifest(&dir);
        let features_table =
            &text[text.find("[features]").unwrap()..text.find("[dependencies]").unwrap()];
        assert!(features_table.contains("market = []\norders = []\n"));
        assert!(features_table.contains("all-areas = [\"market\", \"orders\"]"));
        assert!(!sync(root, "trade", "spec/openapi.yaml", &two, true).unwrap());

        let three = features(&["market", "orders", "search"]);
        assert!(sync(root, "trade", "spec/openapi.yaml", &three, false).unwrap());
        assert!(manifest(&dir).contains("search = []\n"));
        assert_eq!(manifest(&dir).matches("# End of the API areas").count(), 1);

        assert!(sync(root, "trade", "spec/openapi.yaml", &[], false).unwrap());
        assert_eq!(manifest(&dir), MANIFEST);
    }

    #[test]
    fn an_area_named_like_a_hand_written_feature_is_an_error() {
        let dir = workspace(MANIFEST);
        let err = sync(
            dir.path(),
            "trade",
            "spec/openapi.yaml",
            &features(&["ws"]),
            false,
        )
        .unwrap_err();
        assert!(err.contains("`ws`"), "{err}");
    }
}

//! `cargo xtask diff OLD NEW`: what changed for users between two versions of the specs, with the
//! semver bump kalshi-api needs, as Markdown or JSON.

use crate::workspace::{crate_version, project_root, read};
use kalshi_codegen::diff::Specs;
use std::path::PathBuf;

/// The two versions to compare and how to print the report.
pub struct Diff {
    /// The old and new OpenAPI specs.
    pub openapi: [PathBuf; 2],
    /// The old and new AsyncAPI specs, when the WebSocket side is compared too.
    pub asyncapi: Option<[PathBuf; 2]>,
    /// The generator's settings.
    pub settings: PathBuf,
    /// JSON for tools instead of Markdown.
    pub json: bool,
}

/// Prints the report on the two versions.
pub fn diff(opts: &Diff) -> Result<(), String> {
    let settings = kalshi_codegen::Settings::from_yaml(&read(&opts.settings)?)
        .map_err(|e| format!("{}: {e}", opts.settings.display()))?;
    let [old, new] = &opts.openapi;
    let (old_text, new_text) = (read(old)?, read(new)?);
    let (ws_old, ws_new) = match &opts.asyncapi {
        Some([old, new]) => (Some(read(old)?), Some(read(new)?)),
        None => (None, None),
    };
    let specs = |openapi, asyncapi| Specs { openapi, asyncapi };
    let mut report = kalshi_codegen::diff::diff(
        specs(&old_text, ws_old.as_deref()),
        specs(&new_text, ws_new.as_deref()),
        &settings,
    )
    .map_err(|e| format!("{} → {}: {e}", old.display(), new.display()))?;
    report.suggest_version(crate_version(&project_root()).as_deref());
    if opts.json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_markdown());
    }
    Ok(())
}

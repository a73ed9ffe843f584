//! `cargo xtask diff OLD NEW`: what changed for users between two versions of the specs, with the
//! semver bump kalshi-api needs, as Markdown or JSON.

use crate::workspace::{crate_version, project_root, read};
use kalshi_codegen::diff::Specs;
use kalshi_codegen::Target;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The two versions to compare and how to print the report.
pub struct Diff {
    /// The old and new OpenAPI specs.
    pub openapi: [PathBuf; 2],
    /// The old and new AsyncAPI specs, when the WebSocket side is compared too.
    pub asyncapi: Option<[PathBuf; 2]>,
    /// The generator's settings.
    pub settings: PathBuf,
    /// Where the product's code sits: how the report names its items.
    pub target: Target,
    /// JSON for tools instead of Markdown.
    pub json: bool,
}

/// Prints the report on the two versions.
pub fn diff(opts: &Diff) -> Result<(), String> {
    let [old, new] = &opts.openapi;
    let (old_text, new_text) = (read(old)?, read(new)?);
    let (ws_old, ws_new) = match &opts.asyncapi {
        Some([old, new]) => (Some(read(old)?), Some(read(new)?)),
        None => (None, None),
    };
    let label = format!("{} → {}", old.display(), new.display());
    let pair = |openapi, asyncapi| Specs { openapi, asyncapi };
    print_report(
        pair(&old_text, ws_old.as_deref()),
        pair(&new_text, ws_new.as_deref()),
        (&opts.settings, &opts.target),
        &label,
        opts.json,
    )
}

/// For every product of `spec/products.yaml` (or only `only`): prints the report on its spec pair
/// at git revision `rev` against the files in the working tree. A spec the product did not have at
/// `rev` is compared as absent: an AsyncAPI spec is then left out, a missing OpenAPI spec is an
/// error naming the product.
pub fn since(rev: &str, only: Option<&str>, json: bool) -> Result<(), String> {
    let root = project_root();
    let products = crate::regen::products(&root)?;
    for product in &products.products {
        if only.is_some_and(|n| n != product.name) {
            continue;
        }
        let old = git_show(&root, rev, &product.openapi).ok_or_else(|| {
            format!(
                "{}: {} is not in git at {rev}",
                product.name, product.openapi
            )
        })?;
        let new = read(&root.join(&product.openapi))?;
        let ws = product.asyncapi.as_ref().and_then(|path| {
            let old = git_show(&root, rev, path)?;
            Some((old, read(&root.join(path)).ok()?))
        });
        let (ws_old, ws_new) = match &ws {
            Some((old, new)) => (Some(old.as_str()), Some(new.as_str())),
            None => (None, None),
        };
        if !json {
            println!("# {}\n", product.name);
        }
        print_report(
            Specs {
                openapi: &old,
                asyncapi: ws_old,
            },
            Specs {
                openapi: &new,
                asyncapi: ws_new,
            },
            (&root.join(&product.settings), &product.target()),
            &format!("{}: {rev} → working tree", product.name),
            json,
        )?;
    }
    Ok(())
}

/// Compares `old` and `new` read with the settings at `settings`, and prints the report.
fn print_report(
    old: Specs<'_>,
    new: Specs<'_>,
    (settings, target): (&Path, &Target),
    label: &str,
    json: bool,
) -> Result<(), String> {
    let settings = kalshi_codegen::Settings::from_yaml(&read(settings)?)
        .map_err(|e| format!("{}: {e}", settings.display()))?;
    let mut report = kalshi_codegen::diff::diff_at(old, new, &settings, target)
        .map_err(|e| format!("{label}: {e}"))?;
    report.suggest_version(crate_version(&project_root()).as_deref());
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_markdown());
    }
    Ok(())
}

/// The text of `path` (relative to `root`) at git revision `rev`, when git has it.
fn git_show(root: &Path, rev: &str, path: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["show", &format!("{rev}:./{path}")])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

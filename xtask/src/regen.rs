//! `cargo xtask regen`: generates the SDK from each product's specs (`spec/products.yaml`) and
//! writes (or, with `--check`, compares) the committed files; when a spec changed, records what
//! changed for users in the changelog, finding the spec the committed code came from in git.

use crate::workspace::{crate_version, read};
use kalshi_codegen::diff::{recorded_sha256, sha256_hex, Report};
use kalshi_codegen::products::{Product, Products};
use kalshi_codegen::{Generated, Settings, Target};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// What `regen` works on: one product.
pub struct Regen {
    /// The product's name in `spec/products.yaml`.
    pub product: String,
    /// The OpenAPI spec.
    pub spec: PathBuf,
    /// The AsyncAPI spec of the WebSocket API, when the product has one.
    pub asyncapi: Option<PathBuf>,
    /// The generator's settings.
    pub settings: PathBuf,
    /// Where generated files go.
    pub out: PathBuf,
    /// Where the generated code sits in the crate.
    pub target: Target,
    /// The product's own OpenAPI and AsyncAPI files (`spec` and `asyncapi` unless overridden on
    /// the command line): where the spec the committed code came from is looked for first.
    pub home: (PathBuf, Option<PathBuf>),
    /// Write nothing; fail when a generated file differs from the one on disk.
    pub check: bool,
    /// The workspace: where git finds earlier specs and `kalshi-api/Cargo.toml` the version.
    pub root: PathBuf,
    /// Where a regeneration from a new spec records what changed.
    pub changelog: PathBuf,
}

impl Regen {
    /// The event-contract API's specs, settings, generated folder and changelog under `root`,
    /// as they were before `spec/products.yaml` (a workspace without that file).
    pub fn defaults(root: &Path) -> Self {
        Self {
            product: "trade".into(),
            spec: root.join("spec/openapi.yaml"),
            asyncapi: Some(root.join("spec/asyncapi.yaml")),
            settings: root.join("spec/codegen.yaml"),
            out: root.join("kalshi-api/src/generated"),
            target: Target::default(),
            home: (
                root.join("spec/openapi.yaml"),
                Some(root.join("spec/asyncapi.yaml")),
            ),
            check: false,
            changelog: root.join("kalshi-api/CHANGELOG.md"),
            root: root.to_path_buf(),
        }
    }

    /// The files of `product` under `root`.
    pub fn for_product(root: &Path, product: &Product) -> Self {
        Self {
            product: product.name.clone(),
            spec: root.join(&product.openapi),
            asyncapi: product.asyncapi.as_ref().map(|p| root.join(p)),
            settings: root.join(&product.settings),
            out: root.join(&product.out),
            target: product.target(),
            home: (
                root.join(&product.openapi),
                product.asyncapi.as_ref().map(|p| root.join(p)),
            ),
            ..Self::defaults(root)
        }
    }
}

/// The products of `root/spec/products.yaml`.
pub fn products(root: &Path) -> Result<Products, String> {
    let path = root.join("spec/products.yaml");
    Products::from_yaml(&read(&path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// [`regen`] for every product in turn (or only the one named `only`): one summary line each.
/// Every product runs even when one fails, so one report lists them all.
pub fn regen_products(root: &Path, check: bool, only: Option<&str>) -> Result<String, String> {
    let products = products(root)?;
    if let Some(name) = only.filter(|n| products.get(n).is_none()) {
        return Err(format!("no product `{name}` in spec/products.yaml"));
    }
    let (mut lines, mut errors) = (Vec::new(), Vec::new());
    for product in &products.products {
        if only.is_some_and(|n| n != product.name) {
            continue;
        }
        let opts = Regen {
            check,
            ..Regen::for_product(root, product)
        };
        match regen(&opts) {
            Ok(summary) => lines.push(format!("{}: {summary}", product.name)),
            Err(e) => errors.push(format!("{}: {e}", product.name)),
        }
    }
    if errors.is_empty() {
        Ok(lines.join("\n"))
    } else {
        Err(errors.join("\n"))
    }
}

/// Generates, then writes (or in check mode compares) every file, and removes (or reports) stale
/// generated files. Returns a one-line summary, after what changed for users if the spec did.
pub fn regen(opts: &Regen) -> Result<String, String> {
    let started = Instant::now();
    let spec = read(&opts.spec)?;
    let asyncapi = opts.asyncapi.as_deref().map(read).transpose()?;
    let settings = Settings::from_yaml(&read(&opts.settings)?)
        .map_err(|e| format!("{}: {e}", opts.settings.display()))?;
    let generated = generate(opts, &spec, asyncapi.as_deref(), &settings)?;
    let asyncapi = asyncapi.unwrap_or_default();
    // Before any file is written: the old root files name the spec the committed code came from.
    let changes = if opts.check {
        None
    } else {
        spec_changes(opts, &spec, &asyncapi, &settings)?
    };
    let stale = sync_files(opts, &generated)? + sync_area_features(opts, &generated)?;
    let changelog_note = match changes {
        Some(report) => record_changes(opts, &report)?,
        None => String::new(),
    };
    let lines: usize = generated
        .files
        .iter()
        .map(|f| f.contents.lines().count())
        .sum();
    Ok(format!(
        "{changelog_note}{} {}: {} operations, {} types, {} WebSocket message types on {} channels, {} files, {} lines, {} {} in {:.0?}",
        if opts.check { "checked" } else { "generated" },
        generated.version,
        generated.operations,
        generated.types,
        generated.ws_kinds,
        generated.ws_channels,
        generated.files.len(),
        lines,
        stale,
        if opts.check { "stale" } else { "changed" },
        started.elapsed(),
    ))
}

/// Generates the product's files and prints the warnings met. An error names the file it comes
/// from: only when generation fails is the AsyncAPI spec generated on its own to tell which (so a
/// successful run lowers and renders the WebSocket side once, not twice).
fn generate(
    opts: &Regen,
    spec: &str,
    asyncapi: Option<&str>,
    settings: &Settings,
) -> Result<Generated, String> {
    let generated = kalshi_codegen::generate_product(spec, asyncapi, settings, &opts.target)
        .map_err(|e| {
            if let (Some(text), Some(path)) = (asyncapi, &opts.asyncapi) {
                if let Err(ws) = kalshi_codegen::generate_ws(text, settings) {
                    return format!("{}: {ws}", path.display());
                }
            }
            format!("{}: {e}", opts.spec.display())
        })?;
    for w in &generated.warnings {
        eprintln!("warning: {}: {w}", opts.spec.display());
    }
    if let Some(path) = &opts.asyncapi {
        for w in &generated.ws_warnings {
            eprintln!("warning: {}: {w}", path.display());
        }
    }
    Ok(generated)
}

/// Writes (or compares) every generated file and removes (or reports) generated files the specs
/// no longer produce. Returns how many differed; in check mode any difference is an error that
/// lists them and says what to run.
fn sync_files(opts: &Regen, generated: &Generated) -> Result<usize, String> {
    let mut stale = Vec::new();
    for file in &generated.files {
        let path = opts.out.join(&file.path);
        if ensure_file_contents(&path, &file.contents, opts.check)? {
            stale.push(path);
        }
    }
    let expected: Vec<PathBuf> = generated
        .files
        .iter()
        .map(|f| opts.out.join(&f.path))
        .collect();
    for existing in rust_files(&opts.out)? {
        if !expected.contains(&existing) {
            if !opts.check {
                std::fs::remove_file(&existing)
                    .map_err(|e| format!("removing {}: {e}", existing.display()))?;
            }
            stale.push(existing);
        }
    }
    if opts.check && !stale.is_empty() {
        let list: Vec<String> = stale.iter().map(|p| format!("  {}", p.display())).collect();
        let specs = std::iter::once(&opts.spec)
            .chain(&opts.asyncapi)
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(" and ");
        return Err(format!(
            "generated code is out of date with {specs}:\n{}\nrun `cargo xtask regen` and commit the result",
            list.join("\n")
        ));
    }
    Ok(stale.len())
}

/// Writes (or compares) the product's API area features in `kalshi-api/Cargo.toml`. Returns 1
/// when they differed; in check mode a difference is an error.
fn sync_area_features(opts: &Regen, generated: &Generated) -> Result<usize, String> {
    let spec = opts.spec.strip_prefix(&opts.root).unwrap_or(&opts.spec);
    let spec = spec.display().to_string();
    let differs = crate::areas::sync(
        &opts.root,
        &opts.product,
        &spec,
        &generated.areas,
        opts.check,
    )?;
    if opts.check && differs {
        return Err(format!(
            "the API area features in kalshi-api/Cargo.toml are out of date with {spec}: run `cargo xtask regen` and commit the result"
        ));
    }
    Ok(usize::from(differs))
}

/// Adds an entry for `report` at the top of the changelog (unless it is there already). Returns
/// what to print before the summary: what changed, and where it was recorded.
fn record_changes(opts: &Regen, report: &Report) -> Result<String, String> {
    let entry = kalshi_codegen::diff::changelog_entry(report, &today());
    let old = std::fs::read_to_string(&opts.changelog).unwrap_or_default();
    let mut note = String::new();
    if let Some(text) = kalshi_codegen::diff::insert_changelog_entry(&old, &entry) {
        std::fs::write(&opts.changelog, text)
            .map_err(|e| format!("writing {}: {e}", opts.changelog.display()))?;
        note = format!("\nadded an entry to {}", opts.changelog.display());
    }
    Ok(format!("{}{note}\n", report.summary_text(15)))
}

/// What changed for users since the spec the committed code came from, when the spec differs;
/// `None` when it does not, or when there is no committed code. The old spec text comes from git:
/// the version of the spec file whose sha256 the generated root file records (a warning when none
/// is found, and then no changelog entry).
fn spec_changes(
    opts: &Regen,
    spec: &str,
    asyncapi: &str,
    settings: &Settings,
) -> Result<Option<Report>, String> {
    let recorded = |file: &str| {
        std::fs::read_to_string(opts.out.join(file))
            .ok()
            .and_then(|t| recorded_sha256(&t))
    };
    let (Some(old_sha), old_ws_sha) = (recorded("mod.rs"), recorded("ws/mod.rs")) else {
        return Ok(None);
    };
    let ws_same = old_ws_sha
        .as_deref()
        .is_none_or(|s| s == sha256_hex(asyncapi));
    if old_sha == sha256_hex(spec) && ws_same {
        return Ok(None);
    }
    let Some(old_spec) = committed_spec(&opts.root, &[&opts.spec, &opts.home.0], &old_sha) else {
        eprintln!(
            "warning: the spec the committed code came from (sha256 {old_sha}) is not in git; \
             no changelog entry"
        );
        return Ok(None);
    };
    let old_ws = old_ws_sha.as_deref().and_then(|sha| {
        let paths: Vec<&Path> = opts
            .asyncapi
            .iter()
            .chain(&opts.home.1)
            .map(PathBuf::as_path)
            .collect();
        committed_spec(&opts.root, &paths, sha)
    });
    if old_ws_sha.is_some() && old_ws.is_none() {
        eprintln!("warning: the AsyncAPI spec the committed code came from is not in git; the WebSocket side is not compared");
    }
    let new_ws = old_ws.as_ref().map(|_| asyncapi);
    let mut report = kalshi_codegen::diff::diff_at(
        kalshi_codegen::diff::Specs {
            openapi: &old_spec,
            asyncapi: old_ws.as_deref(),
        },
        kalshi_codegen::diff::Specs {
            openapi: spec,
            asyncapi: new_ws,
        },
        settings,
        &opts.target,
    )
    .map_err(|e| format!("comparing with the previous spec: {e}"))?;
    report.suggest_version(crate_version(&opts.root).as_deref());
    Ok(Some(report))
}

/// The text of the spec whose sha256 is `sha`: one of the files on disk at `paths` (the product's
/// own file is there even when `--spec` named another), else the newest committed version of one
/// of them that matches. Git keeps every version already, so no copy of the spec is kept beside
/// the generated code.
fn committed_spec(root: &Path, paths: &[&Path], sha: &str) -> Option<String> {
    for path in paths {
        if let Ok(text) = std::fs::read_to_string(path) {
            if sha256_hex(&text) == sha {
                return Some(text);
            }
        }
    }
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    };
    let rels = paths.iter().filter_map(|path| {
        let rel = path.strip_prefix(root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    });
    for rel in rels {
        let rel = rel.as_str();
        let log = git(&["log", "--format=%H", "-n", "200", "--", rel])?;
        for commit in String::from_utf8_lossy(&log).lines() {
            let Some(bytes) = git(&["show", &format!("{commit}:./{rel}")]) else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            if sha256_hex(&text) == sha {
                return Some(text.into_owned());
            }
        }
    }
    None
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    chrono::Utc::now().date_naive().to_string()
}

/// Makes `path` hold `contents` (line endings normalised). Returns whether it differed; in check
/// mode nothing is written.
fn ensure_file_contents(path: &Path, contents: &str, check: bool) -> Result<bool, String> {
    let normalise = |s: &str| s.replace("\r\n", "\n");
    if let Ok(old) = std::fs::read_to_string(path) {
        if normalise(&old) == normalise(contents) {
            return Ok(false);
        }
    }
    if !check {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        }
        std::fs::write(path, contents).map_err(|e| format!("writing {}: {e}", path.display()))?;
    }
    Ok(true)
}

/// Every `.rs` file under `dir`, recursively; none when it does not exist.
fn rust_files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    for entry in entries {
        let path = entry
            .map_err(|e| format!("listing {}: {e}", dir.display()))?
            .path();
        if path.is_dir() {
            out.extend(rust_files(&path)?);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::{project_root, TempDir};

    /// `cargo test` catches drift too: every product's committed code must be what its specs
    /// produce.
    #[test]
    fn generated_code_is_up_to_date() {
        if let Err(e) = regen_products(&project_root(), true, None) {
            panic!("{e}");
        }
    }

    /// A failing generation names the spec file at fault: the AsyncAPI file when it is that one
    /// (found by generating it alone, only once generation has failed), else the OpenAPI file.
    #[test]
    fn an_error_names_the_spec_file_at_fault() {
        let real = project_root();
        let dir = TempDir::new("blame");
        let write = |name: &str, from: &str, edit: (&str, &str)| {
            let text = read(&real.join(from)).unwrap().replacen(edit.0, edit.1, 1);
            let path = dir.0.join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let good_rest = write("openapi.yaml", "spec/openapi.yaml", ("", ""));
        let bad_rest = write(
            "bad-openapi.yaml",
            "spec/openapi.yaml",
            ("openapi: 3.0.0", "openapi: 2.0"),
        );
        let good_ws = write("asyncapi.yaml", "spec/asyncapi.yaml", ("", ""));
        let bad_ws = write(
            "bad-asyncapi.yaml",
            "spec/asyncapi.yaml",
            ("asyncapi: 3.0.0", "asyncapi: 2.6.0"),
        );
        let run = |spec: &PathBuf, ws: &PathBuf| {
            let opts = Regen {
                spec: spec.clone(),
                asyncapi: Some(ws.clone()),
                out: dir.0.join("out"),
                check: true,
                ..Regen::defaults(&real)
            };
            regen(&opts).unwrap_err()
        };
        let e = run(&good_rest, &bad_ws);
        assert!(e.starts_with(&bad_ws.display().to_string()), "{e}");
        let e = run(&bad_rest, &good_ws);
        assert!(e.starts_with(&bad_rest.display().to_string()), "{e}");
    }

    fn git(dir: &Path, args: &[&str]) {
        let status = Command::new("git")
            .args([
                "-c",
                "user.name=xtask",
                "-c",
                "user.email=xtask@example.com",
            ])
            .args(args)
            .current_dir(dir)
            .stdout(Stdio::null())
            .status()
            .expect("git");
        assert!(status.success(), "git {args:?}");
    }

    /// In a temporary copy of the workspace's spec files (the SDK is never built): regenerating
    /// from a changed spec adds one changelog entry, breaking changes first; `--check` writes
    /// nothing; regenerating again from the same spec adds nothing.
    #[test]
    fn a_new_spec_adds_one_changelog_entry() {
        let real = project_root();
        let dir = TempDir::new("changelog");
        let root = dir.0.clone();
        std::fs::create_dir_all(root.join("spec")).unwrap();
        std::fs::create_dir_all(root.join("kalshi-api")).unwrap();
        let copy = |from: &str, to: &str| {
            std::fs::copy(real.join(from), root.join(to)).unwrap();
        };
        copy("codegen/tests/fixtures/diff/base.yaml", "spec/openapi.yaml");
        copy("spec/asyncapi.yaml", "spec/asyncapi.yaml");
        copy("spec/codegen.yaml", "spec/codegen.yaml");
        copy("kalshi-api/Cargo.toml", "kalshi-api/Cargo.toml");
        let opts = |check: bool| Regen {
            check,
            ..Regen::defaults(&root)
        };
        git(&root, &["init", "-q"]);
        regen(&opts(false)).unwrap();
        assert!(
            !opts(false).changelog.exists(),
            "a first generation has nothing to compare with"
        );
        git(&root, &["add", "-A"]);
        git(&root, &["commit", "-q", "-m", "old spec"]);

        // Kalshi publishes 1.1.0: a type removed, a field added. Committed before regenerating,
        // so the spec the code came from is found further back in history.
        let new = read(&root.join("spec/openapi.yaml"))
            .unwrap()
            .replace("version: 1.0.0", "version: 1.1.0")
            .replace(
                "    Legacy:\n      type: object\n      properties:\n        id: { type: string }\n",
                "",
            )
            .replace(
                "        note: { type: string }\n",
                "        note: { type: string }\n        no_bid: { type: integer }\n",
            );
        std::fs::write(root.join("spec/openapi.yaml"), new).unwrap();
        git(&root, &["commit", "-q", "-am", "new spec"]);

        assert!(regen(&opts(true)).is_err(), "the drift check fails");
        assert!(!opts(true).changelog.exists(), "--check writes nothing");

        let printed = regen(&opts(false)).unwrap();
        assert!(
            printed.contains("1 breaking, 1 additive"),
            "the summary is printed: {printed}"
        );
        let changelog = read(&opts(false).changelog).unwrap();
        let at = |needle: &str| {
            changelog
                .find(needle)
                .unwrap_or_else(|| panic!("`{needle}` missing:\n{changelog}"))
        };
        at("# Changelog");
        at("## [Unreleased] - ");
        at("Diff fixture 1.0.0 → 1.1.0");
        assert!(at("### Breaking") < at("### Added"));
        at("- Removed `types::Legacy` — Legacy");
        at("- Added `types::Market::no_bid` — Market.no_bid");
        at("suggested kalshi-api version 0.2.0");

        let again = regen(&opts(false)).unwrap();
        assert!(!again.contains("spec changes"), "{again}");
        assert_eq!(read(&opts(false).changelog).unwrap(), changelog);
        regen(&opts(true)).unwrap();
    }
}

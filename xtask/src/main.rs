//! Project automation. `cargo xtask regen` regenerates the SDK from every product's spec pair
//! (`spec/products.yaml`: the event-contract API, perps);
//! `cargo xtask regen --check` fails when the committed code differs from what the specs produce;
//! `cargo xtask diff OLD NEW` reports what changed for users between two versions of the specs;
//! `cargo xtask contract` runs the contract suites against Stoplight Prism mocks of the specs.
//!
//! This file is the command line only: each command lives in its own module.

#![forbid(unsafe_code)]

mod areas;
mod ci;
mod contract;
mod diff;
mod regen;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask regen [--check] [--product NAME] [--spec FILE] [--asyncapi FILE] [--settings FILE] [--out DIR]
       cargo xtask diff OLD NEW [--asyncapi-old FILE --asyncapi-new FILE] [--json] [--product NAME] [--settings FILE]
       cargo xtask diff --since REV [--json] [--product NAME]
       cargo xtask test
       cargo xtask contract

regen: every product of spec/products.yaml in turn (its specs, settings and output folder).
  --check          write nothing; fail if the generated files differ from the committed ones
  --product NAME   only this product
  --spec FILE      the OpenAPI spec (default: the product's)
  --asyncapi FILE  the AsyncAPI spec of the WebSocket API (default: the product's)
  --settings FILE  generator settings (default: the product's)
  --out DIR        where generated files go (default: the product's)
With --spec, --asyncapi, --settings or --out, one product only: --product's, else the first.
When a spec differs from the one the committed code came from (found in git by the sha256 the
generated files record), regen prints what changed for users and adds an entry at the top of
kalshi-api/CHANGELOG.md; regenerating from the same spec again adds nothing.

diff: compares two OpenAPI specs (and, given both, two AsyncAPI specs) on the generator's model:
operations, types and fields, WebSocket channels, commands and messages, each classified as
breaking, additive or documentation only, with the semver bump kalshi-api needs.
  --json           JSON for tools instead of Markdown
  --product NAME   read with this product's settings (default: the first product's)
  --since REV      for every product (or --product's), its spec pair at git revision REV against
                   the files in the working tree

test: every check CI runs, in order: rustfmt, the drift check, clippy (-D warnings), rustdoc
(-D warnings), the whole test suite, clippy and the signing tests with the `ring` feature (beside
RustCrypto, then alone), then the contract tests.

contract: installs Stoplight Prism (npm, into target/prism), mocks each product's OpenAPI spec
(spec/products.yaml) on a free loopback port and runs kalshi-api's contract suites (tests/contract.rs,
tests/contract_perps.rs) against them in one cargo run.";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// What the command line asks for.
enum Task {
    Help,
    Regen(RegenTask),
    Diff(DiffTask),
    Test,
    Contract,
}

fn run(args: &[String]) -> Result<(), String> {
    match parse(args).map_err(|e| format!("{e}\n{USAGE}"))? {
        Task::Help => println!("{USAGE}"),
        Task::Regen(opts) => println!("{}", opts.run()?),
        Task::Diff(opts) => opts.run()?,
        Task::Test => ci::test()?,
        Task::Contract => contract::contract()?,
    }
    Ok(())
}

/// Reads the command and its options; an error is printed with the usage.
fn parse(args: &[String]) -> Result<Task, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err("no command given".into());
    };
    match cmd.as_str() {
        "regen" => regen_options(rest),
        "diff" => diff_options(rest),
        "test" | "contract" if !rest.is_empty() => Err(format!("`{cmd}` takes no options")),
        "test" => Ok(Task::Test),
        "contract" => Ok(Task::Contract),
        "-h" | "--help" => Ok(Task::Help),
        _ => Err(format!("unknown command `{cmd}`")),
    }
}

/// The value after option `name`.
fn value<'a>(it: &mut impl Iterator<Item = &'a String>, name: &str) -> Result<PathBuf, String> {
    it.next()
        .map(PathBuf::from)
        .ok_or_else(|| format!("{name} needs a value"))
}

/// `regen`: every product, or one with its files overridden.
enum RegenTask {
    All { check: bool, only: Option<String> },
    One(Box<regen::Regen>),
}

impl RegenTask {
    fn run(&self) -> Result<String, String> {
        match self {
            RegenTask::All { check, only } => {
                regen::regen_products(&workspace::project_root(), *check, only.as_deref())
            }
            RegenTask::One(opts) => regen::regen(opts),
        }
    }
}

/// The product named `name`, else the first of `spec/products.yaml`.
fn product(name: Option<&str>) -> Result<kalshi_codegen::products::Product, String> {
    let products = regen::products(&workspace::project_root())?;
    match name {
        Some(name) => products
            .get(name)
            .cloned()
            .ok_or_else(|| format!("no product `{name}` in spec/products.yaml")),
        None => Ok(products.products[0].clone()),
    }
}

fn regen_options(args: &[String]) -> Result<Task, String> {
    let (mut check, mut only) = (false, None);
    let mut overrides: Vec<(&str, PathBuf)> = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--product" => only = Some(value(&mut it, "--product")?.display().to_string()),
            flag @ ("--spec" | "--asyncapi" | "--settings" | "--out") => {
                overrides.push((flag, value(&mut it, flag)?));
            }
            "-h" | "--help" => return Ok(Task::Help),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    if overrides.is_empty() {
        return Ok(Task::Regen(RegenTask::All { check, only }));
    }
    let root = workspace::project_root();
    let mut opts = regen::Regen::for_product(&root, &product(only.as_deref())?);
    opts.check = check;
    for (flag, path) in overrides {
        match flag {
            "--spec" => opts.spec = path,
            "--asyncapi" => opts.asyncapi = Some(path),
            "--settings" => opts.settings = path,
            _ => opts.out = path,
        }
    }
    Ok(Task::Regen(RegenTask::One(Box::new(opts))))
}

/// `diff`: two given versions, or every product's specs since a git revision.
enum DiffTask {
    Files(Box<diff::Diff>),
    Since {
        rev: String,
        only: Option<String>,
        json: bool,
    },
}

impl DiffTask {
    fn run(&self) -> Result<(), String> {
        match self {
            DiffTask::Files(opts) => diff::diff(opts),
            DiffTask::Since { rev, only, json } => diff::since(rev, only.as_deref(), *json),
        }
    }
}

fn diff_options(args: &[String]) -> Result<Task, String> {
    let mut files = Vec::new();
    let (mut ws_old, mut ws_new, mut json) = (None, None, false);
    let (mut settings, mut only, mut since) = (None, None, None);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--asyncapi-old" => ws_old = Some(value(&mut it, "--asyncapi-old")?),
            "--asyncapi-new" => ws_new = Some(value(&mut it, "--asyncapi-new")?),
            "--settings" => settings = Some(value(&mut it, "--settings")?),
            "--product" => only = Some(value(&mut it, "--product")?.display().to_string()),
            "--since" => since = Some(value(&mut it, "--since")?.display().to_string()),
            "-h" | "--help" => return Ok(Task::Help),
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            file => files.push(PathBuf::from(file)),
        }
    }
    if let Some(rev) = since {
        if !files.is_empty() || ws_old.is_some() || ws_new.is_some() || settings.is_some() {
            return Err("`--since` takes no files and no --settings".into());
        }
        return Ok(Task::Diff(DiffTask::Since { rev, only, json }));
    }
    let Ok(openapi) = <[PathBuf; 2]>::try_from(files) else {
        return Err("`diff` takes two OpenAPI files, OLD and NEW".into());
    };
    let asyncapi = match (ws_old, ws_new) {
        (Some(old), Some(new)) => Some([old, new]),
        (None, None) => None,
        _ => return Err("give both --asyncapi-old and --asyncapi-new, or neither".into()),
    };
    let product = product(only.as_deref())?;
    let settings = match settings {
        Some(path) => path,
        None => workspace::project_root().join(&product.settings),
    };
    Ok(Task::Diff(DiffTask::Files(Box::new(diff::Diff {
        openapi,
        asyncapi,
        settings,
        target: product.target(),
        json,
    }))))
}

//! Project automation. `cargo xtask regen` regenerates the SDK from `spec/openapi.yaml` and
//! `spec/asyncapi.yaml`;
//! `cargo xtask regen --check` fails when the committed code differs from what the spec produces;
//! `cargo xtask diff OLD NEW` reports what changed for users between two versions of the specs;
//! `cargo xtask contract` runs the contract suite against a Stoplight Prism mock of the spec.
//!
//! This file is the command line only: each command lives in its own module.

#![forbid(unsafe_code)]

mod ci;
mod contract;
mod diff;
mod regen;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask regen [--check] [--spec FILE] [--asyncapi FILE] [--settings FILE] [--out DIR]
       cargo xtask diff OLD NEW [--asyncapi-old FILE --asyncapi-new FILE] [--json] [--settings FILE]
       cargo xtask test
       cargo xtask contract

regen:
  --check          write nothing; fail if the generated files differ from the committed ones
  --spec FILE      the OpenAPI spec (default: spec/openapi.yaml)
  --asyncapi FILE  the AsyncAPI spec of the WebSocket API (default: spec/asyncapi.yaml)
  --settings FILE  generator settings (default: spec/codegen.yaml)
  --out DIR        where generated files go (default: kalshi-api/src/generated)
When the spec differs from the one the committed code came from (found in git by the sha256 the
generated files record), regen prints what changed for users and adds an entry at the top of
kalshi-api/CHANGELOG.md; regenerating from the same spec again adds nothing.

diff: compares two OpenAPI specs (and, given both, two AsyncAPI specs) on the generator's model:
operations, types and fields, WebSocket channels, commands and messages, each classified as
breaking, additive or documentation only, with the semver bump kalshi-api needs.
  --json           JSON for tools instead of Markdown

test: every check CI runs, in order: rustfmt, the drift check, clippy (-D warnings), rustdoc
(-D warnings), the whole test suite, clippy and the signing tests with the `ring` feature (beside
RustCrypto, then alone), then the contract tests.

contract: installs Stoplight Prism (npm, into target/prism), mocks spec/openapi.yaml on a free
loopback port and runs kalshi-api's contract suite (tests/contract.rs) against it.";

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
    Regen(regen::Regen),
    Diff(diff::Diff),
    Test,
    Contract,
}

fn run(args: &[String]) -> Result<(), String> {
    match parse(args).map_err(|e| format!("{e}\n{USAGE}"))? {
        Task::Help => println!("{USAGE}"),
        Task::Regen(opts) => println!("{}", regen::regen(&opts)?),
        Task::Diff(opts) => diff::diff(&opts)?,
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

fn regen_options(args: &[String]) -> Result<Task, String> {
    let mut opts = regen::Regen::defaults(&workspace::project_root());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => opts.check = true,
            "--spec" => opts.spec = value(&mut it, "--spec")?,
            "--asyncapi" => opts.asyncapi = value(&mut it, "--asyncapi")?,
            "--settings" => opts.settings = value(&mut it, "--settings")?,
            "--out" => opts.out = value(&mut it, "--out")?,
            "-h" | "--help" => return Ok(Task::Help),
            other => return Err(format!("unknown option `{other}`")),
        }
    }
    Ok(Task::Regen(opts))
}

fn diff_options(args: &[String]) -> Result<Task, String> {
    let mut files = Vec::new();
    let (mut ws_old, mut ws_new, mut json) = (None, None, false);
    let mut settings = workspace::project_root().join("spec/codegen.yaml");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--json" => json = true,
            "--asyncapi-old" => ws_old = Some(value(&mut it, "--asyncapi-old")?),
            "--asyncapi-new" => ws_new = Some(value(&mut it, "--asyncapi-new")?),
            "--settings" => settings = value(&mut it, "--settings")?,
            "-h" | "--help" => return Ok(Task::Help),
            other if other.starts_with("--") => return Err(format!("unknown option `{other}`")),
            file => files.push(PathBuf::from(file)),
        }
    }
    let Ok(openapi) = <[PathBuf; 2]>::try_from(files) else {
        return Err("`diff` takes two OpenAPI files, OLD and NEW".into());
    };
    let asyncapi = match (ws_old, ws_new) {
        (Some(old), Some(new)) => Some([old, new]),
        (None, None) => None,
        _ => return Err("give both --asyncapi-old and --asyncapi-new, or neither".into()),
    };
    Ok(Task::Diff(diff::Diff {
        openapi,
        asyncapi,
        settings,
        json,
    }))
}

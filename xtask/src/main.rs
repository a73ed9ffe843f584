//! Project automation. `cargo xtask regen` regenerates the SDK from `spec/openapi.yaml`;
//! `cargo xtask regen --check` fails when the committed code differs from what the spec produces.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
usage: cargo xtask regen [--check] [--spec FILE] [--settings FILE] [--out DIR]
       cargo xtask test

regen:
  --check          write nothing; fail if the generated files differ from the committed ones
  --spec FILE      the OpenAPI spec (default: spec/openapi.yaml)
  --settings FILE  generator settings (default: spec/codegen.yaml)
  --out DIR        where generated files go (default: kalshi-api/src/generated)

test: every check CI runs, in order: rustfmt, the drift check, clippy (-D warnings), rustdoc
(-D warnings), the whole test suite, then clippy and the signing tests with the `ring` backend.";

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

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(format!("no command given\n{USAGE}"));
    };
    match cmd.as_str() {
        "regen" => {}
        "test" => return test(),
        "-h" | "--help" => {
            println!("{USAGE}");
            return Ok(());
        }
        _ => return Err(format!("unknown command `{cmd}`\n{USAGE}")),
    }
    let root = project_root();
    let mut opts = Regen {
        spec: root.join("spec/openapi.yaml"),
        settings: root.join("spec/codegen.yaml"),
        out: root.join("kalshi-api/src/generated"),
        check: false,
    };
    let mut it = rest.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--check" => opts.check = true,
            "--spec" => opts.spec = value("--spec")?,
            "--settings" => opts.settings = value("--settings")?,
            "--out" => opts.out = value("--out")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other => return Err(format!("unknown option `{other}`\n{USAGE}")),
        }
    }
    let report = regen(&opts)?;
    println!("{report}");
    Ok(())
}

/// Runs every check CI runs; stops at the first that fails.
fn test() -> Result<(), String> {
    let root = project_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    /// A step: its name, cargo's arguments, extra environment.
    type Step<'a> = (&'a str, &'a [&'a str], &'a [(&'a str, &'a str)]);
    let steps: &[Step] = &[
        ("rustfmt", &["fmt", "--all", "--check"], &[]),
        ("drift check", &["xtask", "regen", "--check"], &[]),
        (
            "clippy",
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        (
            "rustdoc",
            &["doc", "--workspace", "--no-deps"],
            &[("RUSTDOCFLAGS", "-D warnings")],
        ),
        ("tests", &["test", "--workspace"], &[]),
        (
            "clippy, ring backend",
            &[
                "clippy",
                "-p",
                "kalshi-api",
                "--features",
                "ring",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        (
            "tests, ring backend",
            &[
                "test",
                "-p",
                "kalshi-api",
                "--features",
                "ring",
                "--test",
                "signing",
                "--test",
                "keys",
            ],
            &[],
        ),
    ];
    for (name, args, env) in steps {
        println!("==> {name}: cargo {}", args.join(" "));
        let status = std::process::Command::new(&cargo)
            .args(*args)
            .envs(env.iter().copied())
            .current_dir(&root)
            .status()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err(format!("{name} failed (cargo {})", args.join(" ")));
        }
    }
    Ok(())
}

/// What `regen` works on.
struct Regen {
    spec: PathBuf,
    settings: PathBuf,
    out: PathBuf,
    check: bool,
}

fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives one level below the workspace root")
        .to_path_buf()
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Generates, then writes (or in check mode compares) every file, and removes (or reports) stale
/// generated files. Returns a one-line summary.
fn regen(opts: &Regen) -> Result<String, String> {
    let started = Instant::now();
    let spec = read(&opts.spec)?;
    let settings = kalshi_codegen::Settings::from_yaml(&read(&opts.settings)?)
        .map_err(|e| format!("{}: {e}", opts.settings.display()))?;
    let generated = kalshi_codegen::generate(&spec, &settings)
        .map_err(|e| format!("{}: {e}", opts.spec.display()))?;

    let mut stale = Vec::new();
    let mut lines = 0;
    for file in &generated.files {
        lines += file.contents.lines().count();
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
        return Err(format!(
            "generated code is out of date with {}:\n{}\nrun `cargo xtask regen` and commit the result",
            opts.spec.display(),
            list.join("\n")
        ));
    }
    Ok(format!(
        "{} {}: {} operations, {} types, {} files, {} lines, {} {} in {:.0?}",
        if opts.check { "checked" } else { "generated" },
        generated.version,
        generated.operations,
        generated.types,
        generated.files.len(),
        lines,
        stale.len(),
        if opts.check { "stale" } else { "changed" },
        started.elapsed(),
    ))
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

    /// `cargo test` catches drift too: the committed code must be what the spec produces.
    #[test]
    fn generated_code_is_up_to_date() {
        let root = project_root();
        let opts = Regen {
            spec: root.join("spec/openapi.yaml"),
            settings: root.join("spec/codegen.yaml"),
            out: root.join("kalshi-api/src/generated"),
            check: true,
        };
        if let Err(e) = regen(&opts) {
            panic!("{e}");
        }
    }
}

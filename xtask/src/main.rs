//! Project automation. `cargo xtask regen` regenerates the SDK from `spec/openapi.yaml` and
//! `spec/asyncapi.yaml`;
//! `cargo xtask regen --check` fails when the committed code differs from what the spec produces;
//! `cargo xtask diff OLD NEW` reports what changed for users between two versions of the specs;
//! `cargo xtask contract` runs the contract suite against a Stoplight Prism mock of the spec.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

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

fn run(args: &[String]) -> Result<(), String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(format!("no command given\n{USAGE}"));
    };
    match cmd.as_str() {
        "regen" => {}
        "diff" => return diff(rest),
        "test" | "contract" if !rest.is_empty() => {
            return Err(format!("`{cmd}` takes no options\n{USAGE}"));
        }
        "test" => return test(),
        "contract" => return contract(),
        "-h" | "--help" => {
            println!("{USAGE}");
            return Ok(());
        }
        _ => return Err(format!("unknown command `{cmd}`\n{USAGE}")),
    }
    let root = project_root();
    let mut opts = Regen {
        spec: root.join("spec/openapi.yaml"),
        asyncapi: root.join("spec/asyncapi.yaml"),
        settings: root.join("spec/codegen.yaml"),
        out: root.join("kalshi-api/src/generated"),
        check: false,
        changelog: root.join("kalshi-api/CHANGELOG.md"),
        root: root.clone(),
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
            "--asyncapi" => opts.asyncapi = value("--asyncapi")?,
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
            "clippy, ring backend and HTTP/2",
            &[
                "clippy",
                "-p",
                "kalshi-api",
                "--features",
                "ring,http2",
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
        (
            "clippy, ring alone (no RustCrypto)",
            &[
                "clippy",
                "-p",
                "kalshi-api",
                "--no-default-features",
                "--features",
                "rustls,ring",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
            &[],
        ),
        (
            "tests, ring alone (no RustCrypto)",
            &[
                "test",
                "-p",
                "kalshi-api",
                "--no-default-features",
                "--features",
                "rustls,ring",
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
    println!("==> contract tests: cargo xtask contract");
    contract()
}

/// The Prism the contract suite runs against: the newest 5.x whose `engines` accepts Node 20
/// (5.15 and later want Node 24).
const PRISM_VERSION: &str = "5.14.2";

/// Installs Prism when needed, mocks the spec with it on a free loopback port, runs the contract
/// suite against it, and stops it whatever happens. Prism's log is printed when the suite fails.
fn contract() -> Result<(), String> {
    let started = Instant::now();
    let root = project_root();
    let dir = root.join("target/prism");
    install_prism(&dir)?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("finding a free port: {e}"))?
        .port();
    let log_path = dir.join("prism.log");
    let log = std::fs::File::create(&log_path)
        .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
    let log_err = log
        .try_clone()
        .map_err(|e| format!("opening {}: {e}", log_path.display()))?;
    // Static examples (no `--dynamic`): the same answer every run. No `--errors`: Prism answers a
    // request that breaks the spec as usual and names every violation in the `sl-violations`
    // header, which the suite checks on each response.
    let child = Command::new("node")
        .arg(prism_cli(&dir).join("dist/index.js"))
        .args(["mock", "--host", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .arg(root.join("spec/openapi.yaml"))
        .current_dir(&root)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .map_err(|e| format!("starting Prism (node): {e}"))?;
    let mut prism = Prism {
        child,
        log: log_path,
    };
    let url = format!("http://127.0.0.1:{port}");
    if let Err(e) = prism.wait_ready(port, Duration::from_secs(60)) {
        prism.print_log();
        return Err(e);
    }
    println!(
        "contract: Prism {PRISM_VERSION} mocking spec/openapi.yaml at {url} (ready after {:.1?})",
        started.elapsed()
    );

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    // `--workspace`, not `-p kalshi-api`: the same feature resolution as `cargo test --workspace`,
    // so after `cargo xtask test`'s test step the suite's binary is already built.
    let args = [
        "test",
        "--workspace",
        "--test",
        "contract",
        "--",
        "--ignored",
        "--nocapture",
    ];
    println!("==> contract suite: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .env("KALSHI_CONTRACT_BASE_URL", &url)
        .current_dir(&root)
        .status()
        .map_err(|e| format!("running cargo: {e}"))?;
    let exited = prism.child.try_wait().ok().flatten();
    if !status.success() || exited.is_some() {
        prism.print_log();
        if let Some(code) = exited {
            return Err(format!(
                "Prism exited ({code}) during the contract suite; its log is above"
            ));
        }
        return Err(format!(
            "the contract suite failed (cargo {}); Prism's log is above",
            args.join(" ")
        ));
    }
    println!("contract: passed in {:.1?} in all", started.elapsed());
    Ok(())
}

/// `@stoplight/prism-cli` inside the install directory.
fn prism_cli(dir: &Path) -> PathBuf {
    dir.join("node_modules/@stoplight/prism-cli")
}

/// Installs `@stoplight/prism-cli@PRISM_VERSION` into `dir` with npm, unless a finished install of
/// that version is there (a stamp file is written only after npm succeeds, so an interrupted
/// install is redone).
fn install_prism(dir: &Path) -> Result<(), String> {
    let stamp = dir.join(format!(".installed-{PRISM_VERSION}"));
    if stamp.exists() && prism_cli(dir).join("dist/index.js").exists() {
        println!(
            "contract: Prism {PRISM_VERSION} already installed in {}",
            dir.display()
        );
        return Ok(());
    }
    let needs = "the contract tests need Node.js (18.20 or later) and npm on the PATH";
    let node = Command::new("node")
        .arg("--version")
        .output()
        .map_err(|e| format!("{needs}: node: {e}"))?;
    let started = Instant::now();
    println!(
        "contract: installing @stoplight/prism-cli@{PRISM_VERSION} into {} (node {})",
        dir.display(),
        String::from_utf8_lossy(&node.stdout).trim()
    );
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    for entry in std::fs::read_dir(dir).map_err(|e| format!("listing {}: {e}", dir.display()))? {
        let path = entry
            .map_err(|e| format!("listing {}: {e}", dir.display()))?
            .path();
        if path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".installed-"))
        {
            let _ = std::fs::remove_file(path);
        }
    }
    let package = format!(
        "{{\n  \"name\": \"kalshi-api-contract-prism\",\n  \"private\": true,\n  \
         \"dependencies\": {{ \"@stoplight/prism-cli\": \"{PRISM_VERSION}\" }}\n}}\n"
    );
    let package_path = dir.join("package.json");
    std::fs::write(&package_path, package)
        .map_err(|e| format!("writing {}: {e}", package_path.display()))?;
    let status = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-update-notifier",
            "--prefer-offline",
            "--loglevel=error",
        ])
        .current_dir(dir)
        .stdin(Stdio::null())
        .status()
        .map_err(|e| format!("{needs}: npm: {e}"))?;
    if !status.success() {
        return Err(format!(
            "npm install @stoplight/prism-cli@{PRISM_VERSION} failed ({status})"
        ));
    }
    std::fs::write(&stamp, PRISM_VERSION)
        .map_err(|e| format!("writing {}: {e}", stamp.display()))?;
    println!("contract: installed Prism in {:.1?}", started.elapsed());
    Ok(())
}

/// The running Prism: killed when dropped, so no path out of `contract` leaves it behind.
struct Prism {
    child: Child,
    log: PathBuf,
}

impl Prism {
    /// Polls `GET /exchange/status` until Prism answers 200; fails if it exits or `limit` passes.
    fn wait_ready(&mut self, port: u16, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("Prism exited ({status}) before it answered"));
            }
            if http_status(port, "/exchange/status").is_some_and(|s| s == 200) {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(format!(
                    "Prism did not answer on 127.0.0.1:{port} within {limit:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Prints Prism's log: its last 300 lines, with where the whole file is.
    fn print_log(&self) {
        const TAIL: usize = 300;
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let skip = lines.len().saturating_sub(TAIL);
        eprintln!(
            "---- Prism's log ({}, {} lines{}) ----",
            self.log.display(),
            lines.len(),
            if skip > 0 { ", the last 300" } else { "" }
        );
        for line in &lines[skip..] {
            eprintln!("{line}");
        }
        eprintln!("---- end of Prism's log ----");
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The status code of a plain `GET path` on 127.0.0.1:`port`, or `None` when nothing answers.
fn http_status(port: u16, path: &str) -> Option<u16> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut stream =
        std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    // "HTTP/1.1 200"
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// What `regen` works on.
struct Regen {
    spec: PathBuf,
    asyncapi: PathBuf,
    settings: PathBuf,
    out: PathBuf,
    check: bool,
    /// The workspace: where git finds earlier specs and `kalshi-api/Cargo.toml` the version.
    root: PathBuf,
    /// Where a regeneration from a new spec records what changed.
    changelog: PathBuf,
}

/// The workspace this run works on, found at run time: never a path compiled into the binary, so
/// that with a shared `CARGO_TARGET_DIR` a second checkout regenerates and checks itself, not the
/// checkout that built the binary first. `cargo run` (and so `cargo xtask`) sets
/// `CARGO_MANIFEST_DIR` to this checkout's `xtask`; run directly, the binary takes the nearest
/// directory above the current one whose `Cargo.toml` declares a `[workspace]`.
fn project_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let dir = PathBuf::from(dir);
        let root = dir.parent().unwrap_or(&dir).to_path_buf();
        if is_workspace(&root) {
            return root;
        }
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    cwd.ancestors()
        .find(|d| is_workspace(d))
        .map(Path::to_path_buf)
        .unwrap_or(cwd)
}

fn is_workspace(dir: &Path) -> bool {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .is_ok_and(|t| t.lines().any(|l| l.trim() == "[workspace]"))
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// Generates, then writes (or in check mode compares) every file, and removes (or reports) stale
/// generated files. Returns a one-line summary.
fn regen(opts: &Regen) -> Result<String, String> {
    let started = Instant::now();
    let spec = read(&opts.spec)?;
    let asyncapi = read(&opts.asyncapi)?;
    let settings = kalshi_codegen::Settings::from_yaml(&read(&opts.settings)?)
        .map_err(|e| format!("{}: {e}", opts.settings.display()))?;
    // Each spec on its own first, so an error names the file it comes from.
    kalshi_codegen::generate_ws(&asyncapi, &settings)
        .map_err(|e| format!("{}: {e}", opts.asyncapi.display()))?;
    let generated = kalshi_codegen::generate_all(&spec, Some(&asyncapi), &settings)
        .map_err(|e| format!("{}: {e}", opts.spec.display()))?;
    for w in &generated.warnings {
        eprintln!("warning: {}: {w}", opts.spec.display());
    }
    // Before any file is written: the old root files name the spec the committed code came from.
    let changes = if opts.check {
        None
    } else {
        spec_changes(opts, &spec, &asyncapi, &settings)?
    };

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
            "generated code is out of date with {} and {}:\n{}\nrun `cargo xtask regen` and commit the result",
            opts.spec.display(),
            opts.asyncapi.display(),
            list.join("\n")
        ));
    }
    let mut changelog_note = String::new();
    if let Some(report) = changes {
        let entry = kalshi_codegen::diff::changelog_entry(&report, &today());
        let old = std::fs::read_to_string(&opts.changelog).unwrap_or_default();
        if let Some(text) = kalshi_codegen::diff::insert_changelog_entry(&old, &entry) {
            std::fs::write(&opts.changelog, text)
                .map_err(|e| format!("writing {}: {e}", opts.changelog.display()))?;
            changelog_note = format!("\nadded an entry to {}", opts.changelog.display());
        }
        changelog_note = format!("{}{changelog_note}\n", report.summary_text(15));
    }
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
        stale.len(),
        if opts.check { "stale" } else { "changed" },
        started.elapsed(),
    ))
}

/// What changed for users since the spec the committed code came from, when the spec differs;
/// `None` when it does not, or when there is no committed code. The old spec text comes from git:
/// the version of the spec file whose sha256 the generated root file records (a warning when none
/// is found, and then no changelog entry).
fn spec_changes(
    opts: &Regen,
    spec: &str,
    asyncapi: &str,
    settings: &kalshi_codegen::Settings,
) -> Result<Option<kalshi_codegen::diff::Report>, String> {
    use kalshi_codegen::diff::{recorded_sha256, sha256_hex};
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
    let Some(old_spec) = committed_spec(&opts.root, &opts.spec, "spec/openapi.yaml", &old_sha)
    else {
        eprintln!(
            "warning: the spec the committed code came from (sha256 {old_sha}) is not in git; \
             no changelog entry"
        );
        return Ok(None);
    };
    let old_ws = old_ws_sha
        .as_deref()
        .and_then(|sha| committed_spec(&opts.root, &opts.asyncapi, "spec/asyncapi.yaml", sha));
    if old_ws_sha.is_some() && old_ws.is_none() {
        eprintln!("warning: the AsyncAPI spec the committed code came from is not in git; the WebSocket side is not compared");
    }
    let new_ws = old_ws.as_ref().map(|_| asyncapi);
    let mut report = kalshi_codegen::diff::diff(
        kalshi_codegen::diff::Specs {
            openapi: &old_spec,
            asyncapi: old_ws.as_deref(),
        },
        kalshi_codegen::diff::Specs {
            openapi: spec,
            asyncapi: new_ws,
        },
        settings,
    )
    .map_err(|e| format!("comparing with the previous spec: {e}"))?;
    report.suggest_version(crate_version(&opts.root).as_deref());
    Ok(Some(report))
}

/// The text of the spec whose sha256 is `sha`: the file on disk at `default` (regenerating with
/// `--spec` elsewhere leaves it as it was), else the newest committed version of `path` or of
/// `default` that matches. Git keeps every version already, so no copy of the spec is kept beside
/// the generated code.
fn committed_spec(root: &Path, path: &Path, default: &str, sha: &str) -> Option<String> {
    use kalshi_codegen::diff::sha256_hex;
    if let Ok(text) = std::fs::read_to_string(root.join(default)) {
        if sha256_hex(&text) == sha {
            return Some(text);
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
    let rel = path
        .strip_prefix(root)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    for rel in rel.iter().map(String::as_str).chain([default]) {
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

/// `version` of `kalshi-api/Cargo.toml`.
fn crate_version(root: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root.join("kalshi-api/Cargo.toml")).ok()?;
    text.lines()
        .find_map(|l| l.trim().strip_prefix("version = \""))
        .map(|v| v.trim_end_matches('"').to_string())
}

/// Today's date (UTC), `YYYY-MM-DD`.
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date((secs / 86_400) as i64)
}

/// The calendar date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `cargo xtask diff OLD NEW`: prints the report on the two versions, as Markdown or JSON.
fn diff(args: &[String]) -> Result<(), String> {
    let root = project_root();
    let mut files = Vec::new();
    let (mut ws_old, mut ws_new, mut json) = (None, None, false);
    let mut settings = root.join("spec/codegen.yaml");
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .map(PathBuf::from)
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--json" => json = true,
            "--asyncapi-old" => ws_old = Some(value("--asyncapi-old")?),
            "--asyncapi-new" => ws_new = Some(value("--asyncapi-new")?),
            "--settings" => settings = value("--settings")?,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            other if other.starts_with("--") => {
                return Err(format!("unknown option `{other}`\n{USAGE}"))
            }
            file => files.push(PathBuf::from(file)),
        }
    }
    let [old, new] = files.as_slice() else {
        return Err(format!(
            "`diff` takes two OpenAPI files, OLD and NEW\n{USAGE}"
        ));
    };
    if ws_old.is_some() != ws_new.is_some() {
        return Err(format!(
            "give both --asyncapi-old and --asyncapi-new, or neither\n{USAGE}"
        ));
    }
    let settings = kalshi_codegen::Settings::from_yaml(&read(&settings)?)
        .map_err(|e| format!("{}: {e}", settings.display()))?;
    let texts = [old, new].map(|p| read(p));
    let ws = [&ws_old, &ws_new].map(|p| p.as_ref().map(|p| read(p)).transpose());
    let [old_text, new_text] = texts;
    let [ws_old_text, ws_new_text] = ws;
    let (old_text, new_text) = (old_text?, new_text?);
    let (ws_old_text, ws_new_text) = (ws_old_text?, ws_new_text?);
    let specs = |openapi, asyncapi| kalshi_codegen::diff::Specs { openapi, asyncapi };
    let mut report = kalshi_codegen::diff::diff(
        specs(&old_text, ws_old_text.as_deref()),
        specs(&new_text, ws_new_text.as_deref()),
        &settings,
    )
    .map_err(|e| format!("{} → {}: {e}", old.display(), new.display()))?;
    report.suggest_version(crate_version(&root).as_deref());
    if json {
        println!("{}", report.to_json());
    } else {
        print!("{}", report.to_markdown());
    }
    Ok(())
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
            asyncapi: root.join("spec/asyncapi.yaml"),
            settings: root.join("spec/codegen.yaml"),
            out: root.join("kalshi-api/src/generated"),
            check: true,
            changelog: root.join("kalshi-api/CHANGELOG.md"),
            root: root.clone(),
        };
        if let Err(e) = regen(&opts) {
            panic!("{e}");
        }
    }

    /// A temporary directory, removed when dropped.
    struct TempDir(PathBuf);

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
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
        let dir = TempDir(std::env::temp_dir().join(format!(
            "xtask-changelog-{}-{:?}",
            std::process::id(),
            Instant::now()
        )));
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
            spec: root.join("spec/openapi.yaml"),
            asyncapi: root.join("spec/asyncapi.yaml"),
            settings: root.join("spec/codegen.yaml"),
            out: root.join("kalshi-api/src/generated"),
            check,
            changelog: root.join("kalshi-api/CHANGELOG.md"),
            root: root.clone(),
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

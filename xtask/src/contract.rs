//! `cargo xtask contract`: installs Stoplight Prism with npm, mocks every product's OpenAPI spec
//! (`spec/products.yaml`) with it, each on a free loopback port, and runs kalshi-api's contract
//! suites against them in one cargo run, stopping every Prism whatever happens.

use crate::workspace::{cargo, project_root};
use kalshi_codegen::products::Contract;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The Prism the contract suite runs against: the newest 5.x whose `engines` accepts Node 20
/// (5.15 and later want Node 24).
const PRISM_VERSION: &str = "5.14.2";

/// How long Prism may take to load the spec and listen.
const READY_WITHIN: Duration = Duration::from_secs(60);

/// Installs Prism when needed, mocks each product's spec with it, runs the contract suites against
/// them, and stops every Prism whatever happens. Prism's logs are printed when a suite fails.
pub fn contract() -> Result<(), String> {
    let started = Instant::now();
    let root = project_root();
    let dir = root.join("target/prism");
    install_prism(&dir)?;
    let products = crate::regen::products(&root)?;
    let mut mocks = Vec::new();
    for product in &products.products {
        let Some(suite) = &product.contract else {
            continue;
        };
        let log = dir.join(format!("prism-{}.log", product.name));
        let prism = Prism::start(&root, &dir, &product.openapi, log)?;
        mocks.push((product.openapi.clone(), suite.clone(), prism));
    }
    // Started together, waited for together: the specs load in parallel.
    for (spec, _, prism) in &mut mocks {
        if let Err(e) = prism.wait_ready(READY_WITHIN) {
            prism.print_log();
            return Err(format!("{spec}: {e}"));
        }
        println!(
            "contract: Prism {PRISM_VERSION} mocking {spec} at http://{} (ready after {:.1?})",
            prism.addr,
            started.elapsed()
        );
    }
    run_suites(&root, &mut mocks)?;
    println!("contract: passed in {:.1?} in all", started.elapsed());
    Ok(())
}

/// Runs every product's suite in one cargo run, each told its mock's URL; on failure, or if a
/// Prism died meanwhile, prints the Prisms' logs.
fn run_suites(root: &Path, mocks: &mut [(String, Contract, Prism)]) -> Result<(), String> {
    // `--workspace` and the features of `cargo xtask test`'s test step, so that the
    // suites' binaries are already built.
    let features = crate::ci::checked_features(root)?;
    let mut args: Vec<&str> = vec!["test", "--workspace"];
    for (_, suite, _) in mocks.iter() {
        args.extend(["--test", suite.test.as_str()]);
    }
    args.extend(["--", "--ignored", "--nocapture"]);
    let args = crate::ci::with_features(&args, &features);
    println!("==> contract suites: cargo {}", args.join(" "));
    let mut cmd = Command::new(cargo());
    cmd.args(&args).current_dir(root);
    for (_, suite, prism) in mocks.iter() {
        cmd.env(&suite.env, format!("http://{}", prism.addr));
    }
    let status = cmd.status().map_err(|e| format!("running cargo: {e}"))?;
    let mut died = Vec::new();
    for (spec, _, prism) in mocks.iter_mut() {
        if let Some(code) = prism.child.try_wait().ok().flatten() {
            died.push(format!("the Prism of {spec} exited ({code})"));
        }
    }
    if status.success() && died.is_empty() {
        return Ok(());
    }
    for (_, _, prism) in mocks.iter() {
        prism.print_log();
    }
    if died.is_empty() {
        Err(format!(
            "the contract suites failed (cargo {}); Prism's logs are above",
            args.join(" ")
        ))
    } else {
        Err(format!(
            "{} during the contract suites; the logs are above",
            died.join(", ")
        ))
    }
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
    prepare_install_dir(dir)?;
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

/// Creates `dir`, removes the stamps of earlier installs and writes the `package.json` npm
/// installs from.
fn prepare_install_dir(dir: &Path) -> Result<(), String> {
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
        .map_err(|e| format!("writing {}: {e}", package_path.display()))
}

/// The running Prism: killed when dropped, so no path out of `contract` leaves it behind.
struct Prism {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Prism {
    /// Starts Prism from the install in `dir`, mocking `root/spec` on a free loopback port, its
    /// output going to `log_path`.
    fn start(root: &Path, dir: &Path, spec: &str, log_path: PathBuf) -> Result<Self, String> {
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("finding a free port: {e}"))?;
        let log = std::fs::File::create(&log_path)
            .map_err(|e| format!("creating {}: {e}", log_path.display()))?;
        let log_err = log
            .try_clone()
            .map_err(|e| format!("opening {}: {e}", log_path.display()))?;
        // Static examples (no `--dynamic`): the same answer every run. No `--errors`: Prism answers
        // a request that breaks the spec as usual and names every violation in the
        // `sl-violations` header, which the suite checks on each response.
        let child = Command::new("node")
            .arg(prism_cli(dir).join("dist/index.js"))
            .args(["mock", "--host", "127.0.0.1", "--port"])
            .arg(addr.port().to_string())
            .arg(root.join(spec))
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .spawn()
            .map_err(|e| format!("starting Prism (node): {e}"))?;
        Ok(Self {
            child,
            addr,
            log: log_path,
        })
    }

    /// Waits until Prism accepts a TCP connection on its port; fails if it exits or `limit`
    /// passes. A connection is enough: Prism reads and resolves the whole spec into operations
    /// before it starts listening, so once the port accepts, every operation is served.
    fn wait_ready(&mut self, limit: Duration) -> Result<(), String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("Prism exited ({status}) before it listened"));
            }
            if TcpStream::connect_timeout(&self.addr, Duration::from_millis(500)).is_ok() {
                return Ok(());
            }
            if started.elapsed() > limit {
                return Err(format!(
                    "Prism did not listen on {} within {limit:?}",
                    self.addr
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

//! `cargo xtask test`: every check CI runs, in order, stopping at the first that fails.

use crate::workspace::{cargo, project_root};
use std::path::Path;
use std::process::Command;

/// One CI step: its name, cargo's arguments and extra environment, and whether it builds every
/// product (the cargo features of `spec/products.yaml` added, so the products behind a feature
/// are checked and tested too, and the contract suites find their binaries built) and every
/// optional part ([`OPTIONAL_PARTS`]), in one build rather than one per feature.
struct Step {
    name: &'static str,
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    products: bool,
}

const fn step(name: &'static str, args: &'static [&'static str]) -> Step {
    Step {
        name,
        args,
        env: &[],
        products: false,
    }
}

/// A step that builds every product.
const fn all_products(name: &'static str, args: &'static [&'static str]) -> Step {
    Step {
        products: true,
        ..step(name, args)
    }
}

/// The library's optional parts, off by default, checked and tested with the products: the
/// recorder and its NATS fan-out (whose test starts a real nats-server, which `.ci/run`
/// installs), and HTTP/2.
const OPTIONAL_PARTS: &str = "kalshi-api/record,kalshi-api/nats,kalshi-api/http2";

/// The minimal build's features: one API area (a generated feature, see `spec/products.yaml`) and
/// signing with ring alone.
const MINIMAL: &str = "rustls,ring,orders";

/// The cargo steps, in the order they run; the contract tests follow them.
const STEPS: &[Step] = &[
    step("rustfmt", &["fmt", "--all", "--check"]),
    step("drift check", &["xtask", "regen", "--check"]),
    // Without the products' features first: the default build must stand on its own.
    step(
        "clippy, default features",
        &["clippy", "--workspace", "--lib", "--", "-D", "warnings"],
    ),
    all_products(
        "clippy",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    ),
    Step {
        name: "rustdoc",
        args: &["doc", "--workspace", "--no-deps"],
        env: &[("RUSTDOCFLAGS", "-D warnings")],
        products: true,
    },
    all_products("tests", &["test", "--workspace"]),
    // `ring` signs RSA by default: the RustCrypto backend must still build and sign on its own.
    step(
        "clippy, RustCrypto alone (no ring)",
        &[
            "clippy",
            "-p",
            "kalshi-api",
            "--no-default-features",
            "--features",
            "rustls,rustcrypto,ws,tracing",
            "--lib",
            "--test",
            "signing",
            "--test",
            "keys",
            "--",
            "-D",
            "warnings",
        ],
    ),
    step(
        "tests, RustCrypto alone (no ring)",
        &[
            "test",
            "-p",
            "kalshi-api",
            "--no-default-features",
            "--features",
            "rustls,rustcrypto,ws,tracing",
            "--test",
            "signing",
            "--test",
            "keys",
        ],
    ),
    // The smallest useful build: one API area and signing with ring alone (no RustCrypto).
    step(
        "clippy, minimal (one API area, ring alone)",
        &[
            "clippy",
            "-p",
            "kalshi-api",
            "--no-default-features",
            "--features",
            MINIMAL,
            "--lib",
            "--test",
            "signing",
            "--test",
            "keys",
            "--",
            "-D",
            "warnings",
        ],
    ),
    step(
        "tests, minimal (one API area, ring alone)",
        &[
            "test",
            "-p",
            "kalshi-api",
            "--no-default-features",
            "--features",
            MINIMAL,
            "--test",
            "signing",
            "--test",
            "keys",
        ],
    ),
];

/// Runs every check CI runs; stops at the first that fails.
pub fn test() -> Result<(), String> {
    let root = project_root();
    let cargo = cargo();
    let features = checked_features(&root)?;
    for Step {
        name,
        args,
        env,
        products,
    } in STEPS
    {
        let args = if *products {
            with_features(args, &features)
        } else {
            args.iter().map(|a| a.to_string()).collect()
        };
        println!("==> {name}: cargo {}", args.join(" "));
        let status = Command::new(&cargo)
            .args(&args)
            .envs(env.iter().copied())
            .current_dir(&root)
            .status()
            .map_err(|e| format!("running cargo: {e}"))?;
        if !status.success() {
            return Err(format!("{name} failed (cargo {})", args.join(" ")));
        }
    }
    println!("==> contract tests: cargo xtask contract");
    crate::contract::contract()
}

/// The features the products' steps and the contract tests build with: every product's and the
/// optional parts, comma-separated.
pub fn checked_features(root: &Path) -> Result<String, String> {
    let products = product_features(root)?;
    Ok(if products.is_empty() {
        OPTIONAL_PARTS.to_string()
    } else {
        format!("{products},{OPTIONAL_PARTS}")
    })
}

/// `kalshi-api/FEATURE` for every product behind a feature, comma-separated (empty when none).
fn product_features(root: &Path) -> Result<String, String> {
    let products = crate::regen::products(root)?;
    let features: Vec<String> = products
        .products
        .iter()
        .filter_map(|p| p.feature.as_ref())
        .map(|f| format!("kalshi-api/{f}"))
        .collect();
    Ok(features.join(","))
}

/// `args` with `--features FEATURES` before the `--` that starts the tool's own arguments.
pub fn with_features(args: &[&str], features: &str) -> Vec<String> {
    let mut out: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if !features.is_empty() {
        let at = args.iter().position(|a| *a == "--").unwrap_or(args.len());
        out.splice(at..at, ["--features".to_string(), features.to_string()]);
    }
    out
}

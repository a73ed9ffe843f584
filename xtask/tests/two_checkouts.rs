//! One xtask binary, two checkouts: each is judged on its own spec. With a shared
//! `CARGO_TARGET_DIR` the binary one checkout built runs in the other, so the workspace must be
//! found at run time, not from a path compiled in.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).unwrap();
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let to = dst.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &to);
        } else {
            std::fs::copy(&path, &to).unwrap();
        }
    }
}

/// A checkout as far as `regen` reads it: the workspace manifest, the SDK's manifest (which holds
/// the API area features), the specs and every product's generated code.
fn checkout(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("xtask")).unwrap();
    std::fs::create_dir_all(dir.join("kalshi-api")).unwrap();
    std::fs::copy(root().join("Cargo.toml"), dir.join("Cargo.toml")).unwrap();
    let manifest = "kalshi-api/Cargo.toml";
    std::fs::copy(root().join(manifest), dir.join(manifest)).unwrap();
    copy_dir(&root().join("spec"), &dir.join("spec"));
    let products = std::fs::read_to_string(root().join("spec/products.yaml")).unwrap();
    let products = kalshi_codegen::products::Products::from_yaml(&products).unwrap();
    for product in &products.products {
        copy_dir(&root().join(&product.out), &dir.join(&product.out));
    }
}

/// Runs the xtask binary in `dir` the way `cargo xtask` does (`CARGO_MANIFEST_DIR` set to the
/// checkout's `xtask`) or directly from a subdirectory (no such variable).
fn xtask(dir: &Path, via_cargo: bool, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    cmd.args(args).env_remove("CARGO_MANIFEST_DIR");
    if via_cargo {
        cmd.current_dir(dir)
            .env("CARGO_MANIFEST_DIR", dir.join("xtask"));
    } else {
        cmd.current_dir(dir.join("kalshi-api/src"));
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn each_checkout_is_judged_on_its_own_spec() {
    let base = std::env::temp_dir().join(format!("xtask-two-checkouts-{}", std::process::id()));
    let (a, b) = (base.join("a"), base.join("b"));
    checkout(&a);
    checkout(&b);
    // B's spec changes one operation's summary.
    let spec_path = b.join("spec/openapi.yaml");
    let spec = std::fs::read_to_string(&spec_path).unwrap();
    let edited = spec.replacen(
        "summary: Get Exchange Status\n",
        "summary: Exchange status, edited in checkout B\n",
        1,
    );
    assert_ne!(spec, edited, "the spec has GetExchangeStatus");
    std::fs::write(&spec_path, edited).unwrap();

    for via_cargo in [true, false] {
        let out = xtask(&a, via_cargo, &["regen", "--check"]);
        assert!(out.status.success(), "A is up to date:\n{}", text(&out));
        let out = xtask(&b, via_cargo, &["regen", "--check"]);
        let msg = text(&out);
        assert!(!out.status.success(), "B's spec changed:\n{msg}");
        let b_gen = b.join("kalshi-api/src/generated");
        let stale: Vec<&str> = msg.lines().filter(|l| l.starts_with("  ")).collect();
        // Only the file with the operation and the one recording the spec's hash.
        assert_eq!(
            stale,
            [
                format!("  {}", b_gen.join("mod.rs").display()),
                format!("  {}", b_gen.join("ops/exchange.rs").display()),
            ],
            "{msg}"
        );
    }
    // Regenerating B writes B only.
    let out = xtask(&b, false, &["regen"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(xtask(&b, true, &["regen", "--check"]).status.success());
    assert!(xtask(&a, true, &["regen", "--check"]).status.success());
    let _ = std::fs::remove_dir_all(&base);
}

/// The drift check covers every product: a changed perps spec fails it, naming the perps files
/// (the one with the operation and the one recording the spec's hash), and regen fixes it.
#[test]
fn a_changed_perps_spec_fails_the_drift_check() {
    let dir = std::env::temp_dir().join(format!("xtask-perps-drift-{}", std::process::id()));
    checkout(&dir);
    let spec_path = dir.join("spec/perps/openapi.yaml");
    let spec = std::fs::read_to_string(&spec_path).unwrap();
    let edited = spec.replacen(
        "summary: Get Exchange Status\n",
        "summary: Margin exchange status, edited\n",
        1,
    );
    assert_ne!(spec, edited, "the perps spec has GetMarginExchangeStatus");
    std::fs::write(&spec_path, edited).unwrap();
    let out = xtask(&dir, true, &["regen", "--check"]);
    let msg = text(&out);
    assert!(!out.status.success(), "the perps spec changed:\n{msg}");
    let perps = dir.join("kalshi-api/src/perps");
    let stale: Vec<&str> = msg.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(
        stale,
        [
            format!("  {}", perps.join("mod.rs").display()),
            format!("  {}", perps.join("ops/exchange.rs").display()),
        ],
        "{msg}"
    );
    assert!(
        msg.contains("perps: generated code is out of date"),
        "{msg}"
    );
    assert!(xtask(&dir, true, &["regen", "--product", "perps"])
        .status
        .success());
    assert!(xtask(&dir, true, &["regen", "--check"]).status.success());
    let _ = std::fs::remove_dir_all(&dir);
}

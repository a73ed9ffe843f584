//! Where this run works: the workspace root found at run time, its manifests read with `toml`, and
//! the small file and process helpers every command shares.

use std::path::{Path, PathBuf};

/// The workspace this run works on, found at run time: never a path compiled into the binary, so
/// that with a shared `CARGO_TARGET_DIR` a second checkout regenerates and checks itself, not the
/// checkout that built the binary first. `cargo run` (and so `cargo xtask`) sets
/// `CARGO_MANIFEST_DIR` to this checkout's `xtask`; run directly, the binary takes the nearest
/// directory above the current one whose `Cargo.toml` declares a `[workspace]`.
pub fn project_root() -> PathBuf {
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

/// `dir/Cargo.toml`, parsed; `None` when it is missing or not TOML.
fn manifest(dir: &Path) -> Option<toml::Table> {
    std::fs::read_to_string(dir.join("Cargo.toml"))
        .ok()?
        .parse()
        .ok()
}

/// Whether `dir/Cargo.toml` declares a `[workspace]`.
fn is_workspace(dir: &Path) -> bool {
    manifest(dir).is_some_and(|m| m.contains_key("workspace"))
}

/// `package.version` of `kalshi-api/Cargo.toml`.
pub fn crate_version(root: &Path) -> Option<String> {
    let manifest = manifest(&root.join("kalshi-api"))?;
    let version = manifest.get("package")?.get("version")?.as_str()?;
    Some(version.to_string())
}

/// The text of `path`; the error names the file.
pub fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))
}

/// The cargo that runs this xtask (`$CARGO`), else the one on the `PATH`.
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// A temporary directory for tests, created empty and removed when dropped.
#[cfg(test)]
pub struct TempDir(pub std::path::PathBuf);

#[cfg(test)]
impl TempDir {
    /// A new directory under the system's temporary folder, named after `label`.
    pub fn new(label: &str) -> Self {
        let path = std::env::temp_dir().join(format!(
            "xtask-{label}-{}-{:?}",
            std::process::id(),
            std::time::Instant::now()
        ));
        std::fs::create_dir_all(&path).expect("creating a temporary directory");
        TempDir(path)
    }

    /// Its path.
    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

#[cfg(test)]
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_and_the_sdk_version_are_read_from_the_manifests() {
        let root = project_root();
        assert!(is_workspace(&root), "{}", root.display());
        assert!(!is_workspace(&root.join("xtask")));
        let version = crate_version(&root).expect("kalshi-api has a version");
        assert!(
            version.split('.').count() == 3 && version.split('.').all(|p| p.parse::<u64>().is_ok()),
            "{version}"
        );
    }
}

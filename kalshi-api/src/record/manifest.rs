//! A recording's manifest: what was recorded, by which SDK, its files and their time spans and
//! counts. Written beside the files when each file starts and when the recorder finishes
//! (atomically: a new copy, then a rename).

use super::RecordError;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// One file of a recording.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileEntry {
    /// The file's name (in the manifest's folder).
    pub name: String,
    /// Receive time of its first record, nanoseconds since the Unix epoch.
    pub first_ns: u64,
    /// Receive time of its last record.
    pub last_ns: u64,
    /// Records in it.
    pub records: u64,
    /// Frames in it.
    pub frames: u64,
    /// Its compressed size.
    pub bytes: u64,
}

/// A recording's manifest.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// `kalshi-api` and its version.
    pub sdk: String,
    /// The spec version the session's types come from, when the recorder was told.
    pub spec: Option<String>,
    /// The channels recorded.
    pub channels: Vec<String>,
    /// The markets recorded.
    pub markets: Vec<String>,
    /// Its files, in order.
    pub files: Vec<FileEntry>,
    /// Records lost because the disk was behind ([`Overflow::Count`](super::Overflow::Count)).
    pub lost: u64,
    /// Times the buffer filled up.
    pub stalls: u64,
}

impl Manifest {
    /// Receive time of the first record.
    pub fn first_ns(&self) -> Option<u64> {
        self.files.first().map(|f| f.first_ns)
    }

    /// Receive time of the last record.
    pub fn last_ns(&self) -> Option<u64> {
        self.files.iter().map(|f| f.last_ns).max()
    }

    /// Records in all files.
    pub fn records(&self) -> u64 {
        self.files.iter().map(|f| f.records).sum()
    }

    /// Frames in all files.
    pub fn frames(&self) -> u64 {
        self.files.iter().map(|f| f.frames).sum()
    }

    fn to_json(&self) -> Value {
        let files: Vec<Value> = self
            .files
            .iter()
            .map(|f| {
                json!({"name": f.name, "first_ns": f.first_ns, "last_ns": f.last_ns,
                       "records": f.records, "frames": f.frames, "bytes": f.bytes})
            })
            .collect();
        json!({
            "sdk": self.sdk, "spec": self.spec, "channels": self.channels, "markets": self.markets,
            "first_ns": self.first_ns(), "last_ns": self.last_ns(), "records": self.records(),
            "frames": self.frames(), "lost": self.lost, "stalls": self.stalls, "files": files,
        })
    }

    /// Writes the manifest to `path`, replacing the old one at once.
    pub(crate) fn write(&self, path: &Path) -> Result<(), RecordError> {
        let io = |source| RecordError::Io {
            path: path.to_path_buf(),
            source,
        };
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_vec_pretty(&self.to_json()).expect("JSON values serialize");
        std::fs::write(&tmp, text).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads a manifest.
    pub fn read(path: &Path) -> Result<Manifest, RecordError> {
        let text = std::fs::read(path).map_err(|source| RecordError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let v: Value = serde_json::from_slice(&text).map_err(|source| RecordError::Manifest {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Manifest::from_json(&v))
    }

    fn from_json(v: &Value) -> Manifest {
        let text = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
        let list = |k: &str| -> Vec<String> {
            v.get(k)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        let files = v.get("files").and_then(Value::as_array);
        Manifest {
            sdk: text(v, "sdk").unwrap_or_default(),
            spec: text(v, "spec"),
            channels: list("channels"),
            markets: list("markets"),
            lost: num(v, "lost"),
            stalls: num(v, "stalls"),
            files: files
                .into_iter()
                .flatten()
                .map(|f| FileEntry {
                    name: text(f, "name").unwrap_or_default(),
                    first_ns: num(f, "first_ns"),
                    last_ns: num(f, "last_ns"),
                    records: num(f, "records"),
                    frames: num(f, "frames"),
                    bytes: num(f, "bytes"),
                })
                .collect(),
        }
    }
}

/// The manifest's path for a recording whose files start with `stem`.
pub(crate) fn path_for(dir: &Path, stem: &str) -> PathBuf {
    dir.join(format!("{stem}.manifest.json"))
}

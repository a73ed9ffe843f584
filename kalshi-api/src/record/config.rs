//! How a recorder writes: where, how files are cut, how much it buffers, and what it does when
//! the disk falls behind.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// What the recorder does when its buffer is full because the disk is slower than the feed.
/// Either way the session never waits for the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Overflow {
    /// Loses nothing: records beyond the buffer's capacity are held in memory until the writer
    /// catches up. Each time the buffer fills, a warning is logged and
    /// [`RecordStats::stalls`](super::RecordStats::stalls) counts it.
    #[default]
    Lossless,
    /// Keeps memory bounded: records beyond the capacity are not written. They are counted
    /// ([`RecordStats::lost`](super::RecordStats::lost)), logged, and a `lost` record in the file
    /// says how many went missing where.
    Count,
}

/// Where a recorder's files go. [`Files`] writes them to disk; another implementation can send
/// them elsewhere (or, in a test, stall).
pub trait Storage: Send + Sync + 'static {
    /// Creates the file at `path`; records are appended to it in compressed blocks.
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn Write + Send>>;
}

/// Files on disk.
#[derive(Debug, Clone, Copy, Default)]
pub struct Files;

impl Storage for Files {
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn Write + Send>> {
        Ok(Box::new(std::fs::File::create(path)?))
    }
}

/// Settings of a [`Recorder`](super::Recorder). [`new`](Self::new): files rotated every hour
/// and at 256 MiB, blocks of records compressed at zstd level 1 and written at least every
/// second, a buffer of 65,536 records, lossless.
#[derive(Clone)]
pub struct RecordConfig {
    /// The folder the files go to (created if missing).
    pub dir: PathBuf,
    /// The channels recorded: the files are named after them.
    pub channels: Vec<String>,
    /// The markets recorded, for the manifest.
    pub markets: Vec<String>,
    /// A file is closed and a new one started when it reaches this many compressed bytes.
    pub max_file_bytes: u64,
    /// A new file is started when the hour (UTC) changes.
    pub rotate_hourly: bool,
    /// A block of records is compressed and written when it holds this many bytes ...
    pub block_bytes: usize,
    /// ... or when its first record is this old: a crash loses at most this much.
    pub flush_interval: Duration,
    /// zstd's compression level.
    pub level: i32,
    /// Records held between the session and the writer before [`overflow`](Self::overflow) applies.
    pub capacity: usize,
    /// What to do when the buffer is full.
    pub overflow: Overflow,
    /// The spec the session's types come from, for the manifest (when `None`: the title, version
    /// and sha256 the session's generated messages give).
    pub spec_version: Option<String>,
    /// Where the files are written.
    pub storage: Arc<dyn Storage>,
    /// A JetStream stream each record is published to as well.
    #[cfg(feature = "nats")]
    pub nats: Option<super::NatsTarget>,
}

impl std::fmt::Debug for RecordConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordConfig")
            .field("dir", &self.dir)
            .field("channels", &self.channels)
            .field("markets", &self.markets)
            .field("max_file_bytes", &self.max_file_bytes)
            .field("capacity", &self.capacity)
            .field("overflow", &self.overflow)
            .finish_non_exhaustive()
    }
}

impl RecordConfig {
    /// The default settings, writing to `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        RecordConfig {
            dir: dir.into(),
            channels: Vec::new(),
            markets: Vec::new(),
            max_file_bytes: 256 << 20,
            rotate_hourly: true,
            block_bytes: 256 << 10,
            flush_interval: Duration::from_secs(1),
            level: 1,
            capacity: 65_536,
            overflow: Overflow::Lossless,
            spec_version: None,
            storage: Arc::new(Files),
            #[cfg(feature = "nats")]
            nats: None,
        }
    }

    /// Sets [`channels`](Self::channels).
    pub fn channels<T: Into<String>>(mut self, channels: impl IntoIterator<Item = T>) -> Self {
        self.channels = channels.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`markets`](Self::markets).
    pub fn markets<T: Into<String>>(mut self, markets: impl IntoIterator<Item = T>) -> Self {
        self.markets = markets.into_iter().map(Into::into).collect();
        self
    }

    /// Sets [`max_file_bytes`](Self::max_file_bytes).
    pub fn max_file_bytes(mut self, bytes: u64) -> Self {
        self.max_file_bytes = bytes;
        self
    }

    /// Sets [`rotate_hourly`](Self::rotate_hourly).
    pub fn rotate_hourly(mut self, rotate: bool) -> Self {
        self.rotate_hourly = rotate;
        self
    }

    /// Sets [`block_bytes`](Self::block_bytes).
    pub fn block_bytes(mut self, bytes: usize) -> Self {
        self.block_bytes = bytes;
        self
    }

    /// Sets [`flush_interval`](Self::flush_interval).
    pub fn flush_interval(mut self, interval: Duration) -> Self {
        self.flush_interval = interval;
        self
    }

    /// Sets [`level`](Self::level).
    pub fn level(mut self, level: i32) -> Self {
        self.level = level;
        self
    }

    /// Sets [`capacity`](Self::capacity).
    pub fn capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Sets [`overflow`](Self::overflow).
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.overflow = overflow;
        self
    }

    /// Sets [`spec_version`](Self::spec_version).
    pub fn spec_version(mut self, version: impl Into<String>) -> Self {
        self.spec_version = Some(version.into());
        self
    }

    /// Publishes each record to `target` too (see [`nats`](Self::nats)).
    #[cfg(feature = "nats")]
    pub fn nats(mut self, target: super::NatsTarget) -> Self {
        self.nats = Some(target);
        self
    }

    /// Sets [`storage`](Self::storage).
    pub fn storage(mut self, storage: impl Storage) -> Self {
        self.storage = Arc::new(storage);
        self
    }

    /// The channel set as it appears in file names: sorted, joined by `+` (`all` when none).
    pub(crate) fn channel_set(&self) -> String {
        let mut channels: Vec<&str> = self.channels.iter().map(String::as_str).collect();
        channels.sort_unstable();
        channels.dedup();
        if channels.is_empty() {
            return "all".into();
        }
        channels
            .iter()
            .map(|c| c.replace(|ch: char| !ch.is_ascii_alphanumeric() && ch != '_', "-"))
            .collect::<Vec<_>>()
            .join("+")
    }
}

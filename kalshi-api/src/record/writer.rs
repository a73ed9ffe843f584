//! The recorder: a handle for the user and a writer thread that compresses blocks of records and
//! writes them, each block one zstd frame, so that a file cut short decodes up to its last whole
//! block. Files are rotated by hour and by size and listed in the manifest.

use super::buffer::{add, Batch, Buffer, Page, RecordStats};
use super::config::RecordConfig;
use super::manifest::{self, FileEntry, Manifest};
use super::tap::Tap;
use super::{format, RecordError};
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::oneshot;

/// Records a session: attach it with [`SessionConfig::record`](crate::ws::SessionConfig::record),
/// read its counters with [`stats`](Self::stats), and end it with [`finish`](Self::finish).
/// Cheap to clone. Writing happens on a thread of its own: a slow disk never holds up the session.
#[derive(Debug, Clone)]
pub struct Recorder {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    buffer: Arc<Buffer>,
    epoch: Instant,
    done: Mutex<Option<oneshot::Receiver<RecordStats>>>,
    /// The NATS publisher's end: it answers once every record is acknowledged.
    published: Mutex<Option<oneshot::Receiver<()>>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is gone: the writer writes what is queued and stops.
        self.buffer.close();
    }
}

impl Recorder {
    /// Creates the folder and starts the writer thread.
    pub fn start(config: RecordConfig) -> Result<Recorder, RecordError> {
        std::fs::create_dir_all(&config.dir).map_err(|source| RecordError::Io {
            path: config.dir.clone(),
            source,
        })?;
        let buffer = Arc::new(Buffer::new(
            config.capacity,
            config.block_bytes,
            config.overflow,
        ));
        let (tx, rx) = oneshot::channel();
        #[cfg_attr(not(feature = "nats"), allow(unused_mut))]
        let mut writer = Writer::new(config, buffer.clone());
        #[cfg_attr(not(feature = "nats"), allow(unused_mut))]
        let mut published = None;
        #[cfg(feature = "nats")]
        if let Some(target) = writer.config.nats.clone() {
            let (outbox, done) = super::nats::start(target.clone(), buffer.clone())?;
            writer.nats = Some((target, outbox));
            published = Some(done);
        }
        std::thread::Builder::new()
            .name("kalshi-recorder".into())
            .spawn(move || {
                let _ = tx.send(writer.run());
            })
            .map_err(|source| RecordError::Io {
                path: PathBuf::from("<recorder thread>"),
                source,
            })?;
        Ok(Recorder {
            inner: Arc::new(Inner {
                buffer,
                epoch: Instant::now(),
                done: Mutex::new(Some(rx)),
                published: Mutex::new(published),
            }),
        })
    }

    /// What the recorder has written so far, and what it could not.
    pub fn stats(&self) -> RecordStats {
        self.inner.buffer.counters.snapshot()
    }

    /// Stops recording: what is queued is written, the files are closed and the manifest
    /// finished. Close the session first; what it sends afterwards is not recorded.
    pub async fn finish(self) -> Result<RecordStats, RecordError> {
        self.inner.buffer.close();
        let done = self
            .inner
            .done
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        let stats = match done {
            Some(rx) => rx.await.map_err(|_| RecordError::WriterGone)?,
            None => return Err(RecordError::WriterGone),
        };
        let published = self
            .inner
            .published
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        match published {
            // The writer is done, so is its end of the publisher: every record is settled then.
            Some(rx) => {
                let _ = rx.await;
                Ok(self.stats())
            }
            None => Ok(stats),
        }
    }

    /// The session's end of the recorder, for a session on messages of `spec` (which the
    /// manifest names unless [`RecordConfig::spec_version`] does).
    pub(crate) fn tap(&self, spec: &'static str) -> Tap {
        let _ = self.inner.buffer.spec.set(spec);
        Tap::new(self.inner.buffer.clone(), self.inner.epoch)
    }
}

/// The file being written.
struct Open {
    out: Box<dyn Write + Send>,
    /// Its entry in the manifest.
    entry: usize,
    /// The UTC hour it started in (hours since the epoch).
    hour: u64,
}

/// The block of records being gathered.
#[derive(Default)]
struct Block {
    page: Page,
    started: Option<Instant>,
}

struct Writer {
    config: RecordConfig,
    buffer: Arc<Buffer>,
    channel_set: String,
    manifest: Manifest,
    manifest_path: PathBuf,
    file: Option<Open>,
    block: Block,
    compressor: Option<zstd::bulk::Compressor<'static>>,
    /// The compressed block, its memory reused block after block.
    compressed: Vec<u8>,
    /// Where each record is published too.
    #[cfg(feature = "nats")]
    nats: Option<(super::NatsTarget, super::nats::Outbox)>,
}

const HOUR_NS: u64 = 3_600_000_000_000;

impl Writer {
    fn new(config: RecordConfig, buffer: Arc<Buffer>) -> Self {
        let channel_set = config.channel_set();
        let stem = format!("{channel_set}.{}", stamp(now_ns()));
        let manifest = Manifest {
            sdk: concat!("kalshi-api ", env!("CARGO_PKG_VERSION")).into(),
            spec: config.spec_version.clone(),
            channels: config.channels.clone(),
            markets: config.markets.clone(),
            ..Manifest::default()
        };
        let mut compressor = zstd::bulk::Compressor::new(config.level).ok();
        if let Some(c) = compressor.as_mut() {
            // A checksum per block: a torn block is never read as records.
            let _ = c.include_checksum(true);
        }
        Writer {
            manifest_path: manifest::path_for(&config.dir, &stem),
            config,
            buffer,
            channel_set,
            manifest,
            file: None,
            block: Block::default(),
            compressor,
            compressed: Vec::new(),
            #[cfg(feature = "nats")]
            nats: None,
        }
    }

    /// Writes until the recorder is closed; returns its counters.
    fn run(mut self) -> RecordStats {
        loop {
            let batch = self.buffer.take(self.wait());
            let closing = batch.closing;
            self.gather(batch);
            let due = self
                .block
                .started
                .is_some_and(|t| t.elapsed() >= self.config.flush_interval);
            if due || closing || self.block.page.bytes.len() >= self.config.block_bytes {
                self.write_block();
            }
            if closing {
                self.finish_manifest();
                return self.buffer.counters.snapshot();
            }
        }
    }

    /// How long to wait for records before the open block is due.
    fn wait(&self) -> Duration {
        match self.block.started {
            Some(t) => self.config.flush_interval.saturating_sub(t.elapsed()),
            None => self.config.flush_interval,
        }
        .max(Duration::from_millis(1))
    }

    /// Adds the lines of what the session queued to the block, and the `lost` record after them.
    fn gather(&mut self, batch: Batch) {
        let Batch { page, lost, .. } = batch;
        if page.records > 0 {
            let block = &mut self.block.page;
            let start = block.bytes.len();
            format::render(&page.bytes, &mut block.bytes);
            block.count(&page);
            self.publish(start);
            self.buffer.recycle(page.bytes);
            self.block.started.get_or_insert_with(Instant::now);
        }
        if lost > 0 {
            self.lost_record(lost);
        }
    }

    /// Publishes each record of the block from `start` on to NATS, when configured.
    #[cfg_attr(not(feature = "nats"), allow(unused_variables))]
    fn publish(&self, start: usize) {
        #[cfg(feature = "nats")]
        if let Some((target, outbox)) = &self.nats {
            let lines = &self.block.page.bytes[start..];
            // Each line without its newline: one record per message.
            for line in lines.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let _ = outbox.send((target.subject(line), bytes::Bytes::copy_from_slice(line)));
            }
        }
    }

    /// A `lost` record: how many records before it were not written.
    fn lost_record(&mut self, count: u64) {
        let stamps = format::Stamps {
            wall: now_ns(),
            mono: 0,
            conn: 0,
        };
        let fields = format!(r#""k":"lost","count":{count}"#);
        let line = |out: &mut Vec<u8>| format::write_event(out, stamps, &fields);
        let mut page = Page::default();
        page.append(stamps.wall, false, line);
        let start = self.block.page.bytes.len();
        self.block.page.extend(&page);
        self.publish(start);
        self.block.started.get_or_insert_with(Instant::now);
    }

    /// Compresses the block into one zstd frame and appends it to the current file (a new one
    /// when the hour changed or the file is full).
    fn write_block(&mut self) {
        if self.block.page.records == 0 {
            return;
        }
        self.block.started = None;
        let block = std::mem::take(&mut self.block.page);
        self.write_page(&block);
        // The memory serves the next block.
        let mut bytes = block.bytes;
        bytes.clear();
        self.block.page.bytes = bytes;
    }

    fn write_page(&mut self, block: &Page) {
        let bound = zstd::zstd_safe::compress_bound(block.bytes.len());
        self.compressed.clear();
        self.compressed.reserve(bound);
        let compressed = self
            .compressor
            .as_mut()
            .map(|c| c.compress_to_buffer(&block.bytes, &mut self.compressed));
        if !matches!(compressed, Some(Ok(_))) {
            return self.failed(block, "compressing a block failed");
        }
        let compressed = std::mem::take(&mut self.compressed);
        let written = self.write_compressed(block, &compressed);
        let size = compressed.len() as u64;
        self.compressed = compressed;
        if let Err(e) = written {
            self.file = None;
            return self.failed(block, &e.to_string());
        }
        let c = &self.buffer.counters;
        add(&c.records, block.records);
        add(&c.frames, block.frames);
        add(&c.bytes, size);
    }

    fn write_compressed(&mut self, block: &Page, compressed: &[u8]) -> std::io::Result<()> {
        self.rotate(block.first)?;
        let open = self.file.as_mut().expect("rotate opens a file");
        let started = Instant::now();
        open.out.write_all(compressed)?;
        open.out.flush()?;
        let took = started.elapsed();
        if took >= Duration::from_secs(1) {
            add(&self.buffer.counters.slow_writes, 1);
            crate::trace::warn!(ms = took.as_millis() as u64, "recorder: a write was slow");
        }
        let entry = &mut self.manifest.files[open.entry];
        entry.last_ns = entry.last_ns.max(block.last);
        entry.records += block.records;
        entry.frames += block.frames;
        entry.bytes += compressed.len() as u64;
        Ok(())
    }

    /// A block that could not be written: counted as lost, and said.
    fn failed(&mut self, block: &Page, error: &str) {
        add(&self.buffer.counters.lost, block.records);
        crate::trace::error!(
            error = %error,
            records = block.records,
            "recorder: a block could not be written"
        );
    }

    /// Makes sure a file is open for a block starting at `wall`: a new one when none is, when
    /// the hour changed, or when the current one is full.
    fn rotate(&mut self, wall: u64) -> std::io::Result<()> {
        if let Some(open) = &self.file {
            let size = self.manifest.files[open.entry].bytes;
            let new_hour = self.config.rotate_hourly && wall / HOUR_NS != open.hour;
            if !new_hour && size < self.config.max_file_bytes {
                return Ok(());
            }
        }
        self.file = None;
        let name = self.file_name(wall);
        let out = self.config.storage.create(&self.config.dir.join(&name))?;
        self.manifest.files.push(FileEntry {
            name,
            first_ns: wall,
            ..FileEntry::default()
        });
        self.file = Some(Open {
            out,
            entry: self.manifest.files.len() - 1,
            hour: wall / HOUR_NS,
        });
        add(&self.buffer.counters.files, 1);
        self.save_manifest();
        Ok(())
    }

    /// `CHANNELS.YYYYMMDDTHHMMSSmmmZ.jsonl.zst`, with a counter when that name is taken.
    fn file_name(&self, wall: u64) -> String {
        let base = format!("{}.{}", self.channel_set, stamp(wall));
        let taken = |name: &str| self.manifest.files.iter().any(|f| f.name == name);
        let mut name = format!("{base}.jsonl.zst");
        let mut n = 1;
        while taken(&name) || self.config.dir.join(&name).exists() {
            n += 1;
            name = format!("{base}-{n}.jsonl.zst");
        }
        name
    }

    fn finish_manifest(&mut self) {
        self.file = None;
        self.save_manifest();
    }

    fn save_manifest(&mut self) {
        if self.manifest.spec.is_none() {
            self.manifest.spec = self.buffer.spec.get().map(|s| s.to_string());
        }
        let stats = self.buffer.counters.snapshot();
        self.manifest.lost = stats.lost;
        self.manifest.stalls = stats.stalls;
        if let Err(e) = self.manifest.write(&self.manifest_path) {
            crate::trace::error!(error = %e, "recorder: the manifest could not be written");
        }
    }
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// A receive time as it appears in file names: `20261207T224512123Z` (UTC, milliseconds).
fn stamp(wall_ns: u64) -> String {
    chrono::DateTime::from_timestamp_nanos(wall_ns as i64)
        .format("%Y%m%dT%H%M%S%3fZ")
        .to_string()
}

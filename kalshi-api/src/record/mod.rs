//! Recording the WebSocket feed to disk and replaying it into the same events (the `record`
//! feature): every frame's bytes as received, stamped, with the session's own events in place, in
//! zstd-compressed JSON lines that `zstdcat | jq` reads.
//!
//! By file: `tap.rs` is the recorder's end inside the session (it sees each frame and each event
//! and puts them in order); `buffer.rs` is the bounded hand-over to the writer thread and the
//! counters a user reads; `writer.rs` compresses blocks of records, rotates files by hour and
//! size, and keeps `manifest.rs` up to date; `format.rs` writes the line format and `line.rs` reads it;
//! `reader.rs` reads files back frame by frame, stopping cleanly at a truncated tail; `decode.rs`
//! turns records into the [`Event`](crate::ws::Event)s a live session gives, through the session's
//! own decoder and sequence checks, and `replay.rs` feeds it a recording's files; `pace.rs` replays at the recorded pace; `seek.rs` rebuilds a
//! book at a past moment; `nats.rs` (the `nats` feature) publishes records to NATS JetStream and
//! replays a stream.
//!
//! ```no_run
//! # async fn run(client: kalshi_api::Client) -> kalshi_api::Result<()> {
//! use kalshi_api::record::{RecordConfig, Recorder};
//! use kalshi_api::ws::{Session, SessionConfig};
//! let recorder = Recorder::start(RecordConfig::new("rec").channels(["orderbook_delta"]))?;
//! let (session, events) = Session::connect(&client, SessionConfig::new().record(&recorder)).await?;
//! // ... subscribe and read `events` as usual ...
//! session.close().await;
//! let stats = recorder.finish().await?;
//! println!("{} frames recorded", stats.frames);
//! # Ok(()) }
//! ```

mod buffer;
mod config;
mod decode;
mod format;
mod line;
mod manifest;
#[cfg(feature = "nats")]
mod nats;
mod pace;
mod reader;
mod replay;
mod seek;
mod tap;
mod writer;

pub use buffer::RecordStats;
pub use config::{Files, Overflow, RecordConfig, Storage};
pub use manifest::{FileEntry, Manifest};
#[cfg(feature = "nats")]
pub use nats::{escape as nats_token, nats_replay, NatsStart, NatsTarget};
pub use pace::Pace;
pub use reader::{recording_files, RecordReader};
pub use replay::{Replay, ReplayStats, Replayed};
pub use seek::{book_at, seek_book, BookThen, SeekedBook, SnapshotAt, SnapshotIndex};
pub(crate) use tap::Tap;
pub use writer::Recorder;

/// What can go wrong recording or replaying.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecordError {
    /// Reading or writing a file.
    #[error("recording i/o on {path}: {source}")]
    Io {
        /// The file or folder.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A manifest that is not the JSON the recorder writes.
    #[error("manifest {path}: {source}")]
    Manifest {
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: serde_json::Error,
    },
    /// The recorder's writer thread is gone (it panicked or could not start).
    #[error("the recorder's writer stopped")]
    WriterGone,
    /// A folder with no recording in it.
    #[error("no recording in {0}")]
    Empty(std::path::PathBuf),
    /// NATS refused or failed (connecting, the stream, a consumer).
    #[cfg(feature = "nats")]
    #[error("nats: {0}")]
    Nats(String),
}

impl From<RecordError> for crate::Error {
    fn from(e: RecordError) -> Self {
        crate::Error::Record(Box::new(e))
    }
}

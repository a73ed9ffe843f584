//! A book at a past moment, rebuilt from its market's last snapshot before that time and the
//! deltas that followed. An index of where each market's snapshots lie (file, block, receive
//! time) is built by scanning the records' headers, decoding only the snapshot frames; the replay
//! then starts at the block that holds the last one before the time.

use super::line::Line;
use super::reader::{recording_files, RecordReader};
use super::replay::Replay;
use super::RecordError;
use crate::ws::envelope;
use crate::ws::orderbook::{BookError, BookKeeper, OrderBook};
use crate::ws::protocol::{BookFeed, BookMessage, Control};
use crate::ws::Event;
use bytes::Bytes;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where a market's snapshot lies in a recording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SnapshotAt {
    /// The file, by its place among the recording's files (oldest first).
    pub file: usize,
    /// The offset of the block that holds it in that file.
    pub block: usize,
    /// Its receive time, nanoseconds since the Unix epoch.
    pub wall_ns: u64,
}

/// The snapshots of each market in a recording, in order.
#[derive(Debug, Default)]
pub struct SnapshotIndex {
    files: Vec<PathBuf>,
    markets: HashMap<String, Vec<SnapshotAt>>,
}

impl SnapshotIndex {
    /// Scans the recording at `path` up to `until_ns` (its end when `None`). `M` is the session's
    /// message type, the generated `ServerMessage`.
    pub fn build<M: BookFeed + Control>(
        path: &Path,
        until_ns: Option<u64>,
    ) -> Result<Self, RecordError> {
        let files = recording_files(path)?;
        let mut index = SnapshotIndex {
            files: files.clone(),
            markets: HashMap::new(),
        };
        for (file, path) in files.iter().enumerate() {
            let mut reader = RecordReader::open(path)?;
            loop {
                let block = reader.offset();
                let Some(lines) = reader.next_block() else {
                    break;
                };
                let at = SnapshotAt {
                    file,
                    block,
                    wall_ns: 0,
                };
                if index.scan::<M>(&lines, at, until_ns) {
                    return Ok(index);
                }
            }
        }
        Ok(index)
    }

    /// Indexes the snapshots among one block's `lines`; `true` once past `until_ns`.
    fn scan<M: BookFeed + Control>(
        &mut self,
        lines: &[u8],
        at: SnapshotAt,
        until_ns: Option<u64>,
    ) -> bool {
        for line in lines.split(|b| *b == b'\n') {
            let Some(line) = std::str::from_utf8(line).ok().and_then(Line::parse) else {
                continue;
            };
            if until_ns.is_some_and(|t| line.wall > t) {
                return true;
            }
            let ticker = match line.frame_text() {
                Some(text) if line.kind == "frame" => snapshot_ticker::<M>(text),
                _ => None,
            };
            if let Some(ticker) = ticker {
                let at = SnapshotAt {
                    wall_ns: line.wall,
                    ..at
                };
                self.markets.entry(ticker).or_default().push(at);
            }
        }
        false
    }

    /// The last snapshot of `ticker` indexed.
    pub fn last(&self, ticker: &str) -> Option<SnapshotAt> {
        self.markets.get(ticker)?.last().copied()
    }

    /// The markets with a snapshot, and their snapshots.
    pub fn markets(&self) -> impl Iterator<Item = (&str, &[SnapshotAt])> {
        self.markets.iter().map(|(t, s)| (t.as_str(), s.as_slice()))
    }
}

/// The market of a frame when it is a book snapshot. Its `type` is read first, from the layout
/// Kalshi writes (`{"type":"...`) or else from the envelope; only a snapshot is decoded.
fn snapshot_ticker<M: BookFeed + Control>(text: &str) -> Option<String> {
    let plain = text
        .strip_prefix(r#"{"type":""#)
        .and_then(|rest| rest.split_once('"'))
        .map(|(kind, _)| kind)
        .filter(|kind| !kind.contains('\\'));
    let is_snapshot = match plain {
        Some(kind) => M::is_snapshot(kind),
        None => envelope::parse(text).is_ok_and(|env| M::is_snapshot(&env.kind)),
    };
    if !is_snapshot {
        return None;
    }
    let raw = Bytes::copy_from_slice(text.as_bytes());
    let frame = envelope::read::<M>(text, &raw).ok()?;
    let mut message = match frame.message {
        Some(message) => message,
        None => M::decode(&frame.envelope, &raw).ok()?,
    };
    match message.book()? {
        BookMessage::Snapshot(snapshot) => Some(snapshot.ticker.to_string()),
        BookMessage::Delta(_) => None,
    }
}

/// A book at a past moment, or why there is none.
pub type BookThen<M> = Result<Arc<OrderBook<<M as BookFeed>::Sides>>, BookError>;

/// A book rebuilt at a past moment, and what it took.
#[derive(Debug)]
pub struct SeekedBook<M: BookFeed> {
    /// The book, or why there is no valid book then (see [`book_at`]).
    pub book: BookThen<M>,
    /// The snapshot the replay started from (`None`: the recording's start).
    pub from: Option<SnapshotAt>,
    /// Frames decoded to rebuild it.
    pub frames: u64,
}

/// The book of `ticker` as it stood at `at_ns` (nanoseconds since the Unix epoch; `None`: the
/// end of the recording) in the recording at `path`. The inner error says why there is no valid
/// book then: the market is not in the recording, or its book was stale (a gap not yet repaired,
/// a lost connection).
pub fn book_at<M: BookFeed + Control>(
    path: &Path,
    ticker: &str,
    at_ns: Option<u64>,
) -> Result<BookThen<M>, RecordError> {
    Ok(seek_book::<M>(path, ticker, at_ns)?.book)
}

/// [`book_at`], with where the replay started and how many frames it read.
pub fn seek_book<M: BookFeed + Control>(
    path: &Path,
    ticker: &str,
    at_ns: Option<u64>,
) -> Result<SeekedBook<M>, RecordError> {
    let index = SnapshotIndex::build::<M>(path, at_ns)?;
    let from = index.last(ticker);
    let replay = match from {
        Some(at) => Replay::<M>::from_block(index.files[at.file..].to_vec(), at.block)?,
        None => Replay::from_files(index.files),
    };
    let (book, frames) = replay_until(replay, ticker, at_ns);
    Ok(SeekedBook { book, from, frames })
}

/// Replays into a book keeper up to `at_ns`: the book of `ticker` then, and the frames read.
fn replay_until<M: BookFeed + Control>(
    mut replay: Replay<M>,
    ticker: &str,
    at_ns: Option<u64>,
) -> (BookThen<M>, u64) {
    let mut keeper = BookKeeper::<M>::new();
    let books = keeper.books();
    let mut out = Vec::new();
    for replayed in replay.by_ref() {
        if at_ns.is_some_and(|at| replayed.wall_ns > at) {
            break;
        }
        // The recording's end is not the market's: a book valid at the end stays readable.
        if let Event::Closed { .. } = replayed.event {
            continue;
        }
        keeper.handle(replayed.event, &mut out);
        out.clear();
    }
    (books.get(ticker), replay.stats().frames)
}

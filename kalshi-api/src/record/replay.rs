//! A recording's files played back as the [`Event`]s the live session gave (see `decode.rs`
//! for how a record becomes an event): the files in order, each block by block, each block line
//! by line.

use super::decode::Decoder;
use super::reader::{recording_files, RecordReader};
use super::RecordError;
use crate::ws::protocol::Control;
use crate::ws::Event;
use bytes::Bytes;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// One event of a replay, with the time it was received.
#[derive(Debug)]
pub struct Replayed<M> {
    /// Receive time, nanoseconds since the Unix epoch.
    pub wall_ns: u64,
    /// Receive time on the recorder's monotonic clock, nanoseconds.
    pub mono_ns: u64,
    /// The connection it came on (1 for the session's first).
    pub connection: u64,
    /// The event, as the live session gave it.
    pub event: Event<M>,
}

/// What a replay has read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayStats {
    /// Records read.
    pub records: u64,
    /// Frames among them.
    pub frames: u64,
    /// Events given.
    pub events: u64,
    /// Lines that were not records, or of a kind this version does not know (skipped).
    pub skipped: u64,
    /// Records the recorder reported it could not write.
    pub lost: u64,
    /// Sequence checks whose result differs from the gap or repeat the live session recorded.
    pub mismatches: u64,
    /// A file cut short: its path and the offset of its torn block.
    pub truncated: Option<(PathBuf, usize)>,
}

/// A recording, read as a session's events: an [`Iterator`] of [`Replayed`] (or a paced
/// stream, see [`into_stream`](Self::into_stream)). `M` is the session's message type, the
/// generated `ServerMessage`.
pub struct Replay<M> {
    files: VecDeque<PathBuf>,
    reader: Option<(PathBuf, RecordReader)>,
    block: Bytes,
    at: usize,
    decoder: Decoder<M>,
}

impl<M> std::fmt::Debug for Replay<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay")
            .field("files_left", &self.files.len())
            .field("stats", &self.decoder.stats)
            .finish_non_exhaustive()
    }
}

impl<M: Control> Replay<M> {
    /// Opens the recording in folder `path` (every recording file in it, oldest first), or one
    /// recording file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, RecordError> {
        Ok(Self::from_files(recording_files(path.as_ref())?))
    }

    /// Replays `files` in the order given.
    pub fn from_files(files: Vec<PathBuf>) -> Self {
        Replay {
            files: files.into(),
            reader: None,
            block: Bytes::new(),
            at: 0,
            decoder: Decoder::default(),
        }
    }

    /// Replays `files` from the block at `offset` of the first one.
    pub(crate) fn from_block(files: Vec<PathBuf>, offset: usize) -> Result<Self, RecordError> {
        let mut replay = Self::from_files(files);
        if let Some(path) = replay.files.pop_front() {
            let mut reader = RecordReader::open(&path)?;
            reader.seek(offset);
            replay.reader = Some((path, reader));
        }
        Ok(replay)
    }

    /// What has been read so far.
    pub fn stats(&self) -> &ReplayStats {
        &self.decoder.stats
    }

    /// The next line's bytes (its range in `self.block`), reading the next block or file when
    /// needed; `None` at the end.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        loop {
            if let Some(len) = memchr::memchr(b'\n', &self.block[self.at..]) {
                let line = (self.at, self.at + len);
                self.at += len + 1;
                return Some(line);
            }
            self.block = self.next_block()?;
            self.at = 0;
        }
    }

    fn next_block(&mut self) -> Option<Bytes> {
        loop {
            if let Some((path, reader)) = &mut self.reader {
                if let Some(block) = reader.next_block() {
                    return Some(Bytes::from(block));
                }
                if let Some(at) = reader.truncated_at() {
                    self.decoder.stats.truncated = Some((path.clone(), at));
                }
                self.reader = None;
            }
            let path = self.files.pop_front()?;
            match RecordReader::open(&path) {
                Ok(reader) => self.reader = Some((path, reader)),
                Err(_) => self.decoder.stats.skipped += 1,
            }
        }
    }
}

impl<M: Control> Iterator for Replay<M> {
    type Item = Replayed<M>;

    fn next(&mut self) -> Option<Replayed<M>> {
        loop {
            if let Some(replayed) = self.decoder.pop() {
                return Some(replayed);
            }
            let (start, end) = self.next_line()?;
            // A handle on the block (not a copy): frames are slices of it.
            let block = self.block.clone();
            self.decoder.line(&block[start..end], &block);
        }
    }
}

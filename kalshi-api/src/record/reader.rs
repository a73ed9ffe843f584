//! Reading recordings back: the files of a folder in time order, each decoded one zstd frame (one
//! block of whole records) at a time. A file cut short ends at its last whole block, without an
//! error: that is what a crash or a full disk leaves.

use super::RecordError;
use std::path::{Path, PathBuf};

/// The recording files of `dir` (or `dir` itself, when it is a file), oldest first.
pub fn recording_files(dir: &Path) -> Result<Vec<PathBuf>, RecordError> {
    if dir.is_file() {
        return Ok(vec![dir.to_path_buf()]);
    }
    let io = |source| RecordError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_str().is_some_and(|s| s.ends_with(".jsonl.zst")))
        .collect();
    // Names are `CHANNELS.START.jsonl.zst`: order by start time, then by name.
    files.sort_by(|a, b| (start_of(a), a).cmp(&(start_of(b), b)));
    if files.is_empty() {
        return Err(RecordError::Empty(dir.to_path_buf()));
    }
    Ok(files)
}

fn start_of(path: &Path) -> String {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    name.split('.').nth(1).unwrap_or_default().to_string()
}

/// The records of one file, block by block.
pub struct RecordReader {
    data: Vec<u8>,
    /// One decompression context for all the file's blocks.
    decompressor: Option<zstd::bulk::Decompressor<'static>>,
    at: usize,
    /// Where the file stopped being readable, when it did before its end.
    truncated_at: Option<usize>,
}

impl RecordReader {
    /// Reads the file at `path` into memory.
    pub fn open(path: &Path) -> Result<Self, RecordError> {
        let data = std::fs::read(path).map_err(|source| RecordError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(Self::from_bytes(data))
    }

    /// A reader over a file's bytes.
    pub fn from_bytes(data: Vec<u8>) -> Self {
        RecordReader {
            data,
            decompressor: zstd::bulk::Decompressor::new().ok(),
            at: 0,
            truncated_at: None,
        }
    }

    /// Moves to the block at `offset` (one [`next_block`](Self::next_block) gave, by
    /// [`offset`](Self::offset)).
    pub(crate) fn seek(&mut self, offset: usize) {
        self.at = offset;
    }

    /// Where the next block starts.
    pub(crate) fn offset(&self) -> usize {
        self.at
    }

    /// The next block's lines, decompressed (`None` at the end, or at a block cut short).
    pub fn next_block(&mut self) -> Option<Vec<u8>> {
        if self.at >= self.data.len() || self.truncated_at.is_some() {
            return None;
        }
        let rest = &self.data[self.at..];
        let block = zstd::zstd_safe::find_frame_compressed_size(rest)
            .ok()
            .filter(|n| *n <= rest.len())
            .and_then(|n| Some((n, decompress(self.decompressor.as_mut(), &rest[..n])?)));
        match block {
            Some((n, lines)) => {
                self.at += n;
                Some(lines)
            }
            None => {
                self.truncated_at = Some(self.at);
                None
            }
        }
    }

    /// Where the file stopped being readable (the offset of its torn block), if it did.
    pub fn truncated_at(&self) -> Option<usize> {
        self.truncated_at
    }
}

impl std::fmt::Debug for RecordReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordReader")
            .field("len", &self.data.len())
            .field("at", &self.at)
            .field("truncated_at", &self.truncated_at)
            .finish_non_exhaustive()
    }
}

/// Blocks that say they are larger are decompressed as a stream, not into memory of that size.
const LARGEST_BLOCK: u64 = 256 << 20;

/// One zstd frame, decompressed in one call into memory of the size its header gives (the
/// recorder's frames say it), or as a stream when the header does not.
fn decompress(
    decompressor: Option<&mut zstd::bulk::Decompressor<'static>>,
    frame: &[u8],
) -> Option<Vec<u8>> {
    let size = zstd::zstd_safe::get_frame_content_size(frame)
        .ok()
        .flatten()
        .filter(|n| *n <= LARGEST_BLOCK);
    match (decompressor, size) {
        (Some(d), Some(size)) => d.decompress(frame, usize::try_from(size).ok()?).ok(),
        _ => zstd::stream::decode_all(frame).ok(),
    }
}

//! A recording played back as the [`Event`]s the live session gave: each frame goes through the
//! session's own decoder and sequence checks, and the session's recorded events come in place.
//! The sequence checks are run again and compared with the gaps and repeats the live session
//! recorded; a difference is counted in [`ReplayStats::mismatches`].

use super::format::Line;
use super::reader::{recording_files, RecordReader};
use super::RecordError;
use crate::ws::envelope::{self, is_reply};
use crate::ws::protocol::Incoming;
use crate::ws::sequence::{Check, Sequences};
use crate::ws::{Event, Received, SubscriptionId, WsError};
use bytes::Bytes;
use std::collections::VecDeque;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::time::Duration;

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

/// A gap or repeat, as recorded or as found again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    Gap(u64, u64, u64),
    Repeat(u64, u64, u64),
}

/// A recording, read as a session's events: an [`Iterator`] of [`Replayed`] (or a paced
/// stream, see [`into_stream`](Self::into_stream)). `M` is the session's message type, the
/// generated `ServerMessage`.
pub struct Replay<M> {
    files: VecDeque<PathBuf>,
    reader: Option<(PathBuf, RecordReader)>,
    block: Bytes,
    at: usize,
    seqs: Sequences,
    /// Gaps and repeats recorded, awaiting the frame that caused them.
    recorded: VecDeque<Judged>,
    out: VecDeque<Replayed<M>>,
    stats: ReplayStats,
    _message: PhantomData<fn() -> M>,
}

impl<M> std::fmt::Debug for Replay<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Replay")
            .field("files_left", &self.files.len())
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

impl<M: Incoming> Replay<M> {
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
            seqs: Sequences::default(),
            recorded: VecDeque::new(),
            out: VecDeque::new(),
            stats: ReplayStats::default(),
            _message: PhantomData,
        }
    }

    /// What has been read so far.
    pub fn stats(&self) -> &ReplayStats {
        &self.stats
    }

    /// The next line's bytes (its range in `self.block`), reading the next block or file when
    /// needed; `None` at the end.
    fn next_line(&mut self) -> Option<(usize, usize)> {
        loop {
            if let Some(len) = self.block[self.at..].iter().position(|b| *b == b'\n') {
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
                    self.stats.truncated = Some((path.clone(), at));
                }
                self.reader = None;
            }
            let path = self.files.pop_front()?;
            match RecordReader::open(&path) {
                Ok(reader) => self.reader = Some((path, reader)),
                Err(_) => self.stats.skipped += 1,
            }
        }
    }

    /// Reads one record, read from `block`; its events go to `self.out`.
    fn record(&mut self, line: &Line<'_>, block: &Bytes) {
        self.stats.records += 1;
        match line.kind {
            "frame" => self.frame(line, block),
            "gap" | "repeat" => self.judged(line),
            "lost" => self.stats.lost += line.get::<u64>("count").unwrap_or(0),
            "connected" => {
                if line.conn == 1 {
                    // A session's first connection: a new recording starts.
                    self.seqs.clear();
                    self.recorded.clear();
                }
            }
            _ => match session_event(line) {
                Some(event) => {
                    if let Event::Disconnected { .. } = event {
                        self.seqs.clear();
                    }
                    self.emit(line, event);
                }
                None => self.stats.skipped += 1,
            },
        }
    }

    fn emit(&mut self, line: &Line<'_>, event: Event<M>) {
        self.stats.events += 1;
        self.out.push_back(Replayed {
            wall_ns: line.wall,
            mono_ns: line.mono,
            connection: line.conn,
            event,
        });
    }

    /// A recorded gap or repeat: given in place, and kept to compare with what the sequence
    /// checks find when its frame comes.
    fn judged(&mut self, line: &Line<'_>) {
        let subscription = line.get::<u64>("sub").map(SubscriptionId);
        let (sid, received) = (line.get("sid"), line.get("received"));
        let event = match (line.kind, sid, received) {
            ("gap", Some(sid), Some(received)) => line.get("expected").map(|expected| {
                self.recorded
                    .push_back(Judged::Gap(sid, expected, received));
                Event::SequenceGap {
                    subscription,
                    sid,
                    expected,
                    received,
                }
            }),
            ("repeat", Some(sid), Some(received)) => line.get("last").map(|last| {
                self.recorded.push_back(Judged::Repeat(sid, last, received));
                Event::SequenceRepeat {
                    subscription,
                    sid,
                    last,
                    received,
                }
            }),
            _ => None,
        };
        match event {
            Some(event) => self.emit(line, event),
            None => self.stats.skipped += 1,
        }
    }

    /// A frame: read as the session reads it, and given as the event it became.
    fn frame(&mut self, line: &Line<'_>, block: &Bytes) {
        let Some(raw) = line.frame(block) else {
            self.stats.skipped += 1;
            return;
        };
        self.stats.frames += 1;
        let delivered = line.get::<bool>("d").unwrap_or(true);
        let sub = line.get::<u64>("sub").map(SubscriptionId);
        let bytes = raw.clone();
        let text = match std::str::from_utf8(&bytes) {
            Ok(text) => text,
            Err(e) => {
                let error = format!("the frame is not UTF-8: {e}");
                if delivered {
                    self.emit(line, Event::Malformed { error, raw });
                }
                return;
            }
        };
        let frame = match envelope::read::<M>(text, &raw) {
            Ok(frame) => frame,
            Err(e) => {
                if delivered {
                    let error = e.to_string();
                    self.emit(line, Event::Malformed { error, raw });
                }
                return;
            }
        };
        let env = frame.envelope;
        if let (Some(sid), Some(seq)) = (env.sid, env.seq) {
            self.check(sid, seq, is_reply(&env.kind));
        }
        if !delivered {
            return;
        }
        if let Some(event) = self.unsolicited(&env, sub, &raw) {
            return self.emit(line, event);
        }
        let decoded = match frame.message {
            Some(message) => Ok(message),
            None => M::decode(&env, &raw),
        };
        let event = match decoded {
            Ok(message) => Event::Message(Received {
                subscription: sub,
                sid: env.sid,
                seq: env.seq,
                message,
                raw,
            }),
            Err(error) => Event::DecodeFailed {
                subscription: sub,
                kind: env.kind.to_string(),
                error,
                raw,
            },
        };
        self.emit(line, event);
    }

    /// As the session does for a frame that answers no command: the server's `error` is an
    /// event of its own; its `unsubscribed` ends the `sid`'s numbering.
    fn unsolicited(
        &mut self,
        env: &crate::ws::protocol::Envelope<'_>,
        sub: Option<SubscriptionId>,
        raw: &Bytes,
    ) -> Option<Event<M>> {
        match env.kind.as_ref() {
            "error" => {
                let (code, message) = crate::ws::pending::error_fields(env);
                Some(Event::ServerError {
                    subscription: sub,
                    sid: env.sid,
                    code,
                    message,
                    raw: raw.clone(),
                })
            }
            "unsubscribed" => {
                if let Some(sid) = env.sid {
                    self.seqs.forget(sid);
                }
                None
            }
            _ => None,
        }
    }

    /// The session's sequence check, again, compared with what the live session recorded.
    fn check(&mut self, sid: u64, seq: u64, is_reply: bool) {
        if is_reply {
            self.seqs.observe(sid, seq);
            return;
        }
        let found = match self.seqs.check(sid, seq) {
            Check::InOrder => None,
            Check::Gap { expected, received } => Some(Judged::Gap(sid, expected, received)),
            Check::Repeat { last, received } => Some(Judged::Repeat(sid, last, received)),
        };
        let recorded = if found.is_some() || !self.recorded.is_empty() {
            self.recorded.pop_front()
        } else {
            None
        };
        if found != recorded {
            self.stats.mismatches += 1;
        }
    }
}

/// A recorded session event as the live session gave it (`None`: not one this version knows).
fn session_event<M>(line: &Line<'_>) -> Option<Event<M>> {
    let sub = || line.get::<u64>("sub").map(SubscriptionId);
    let recorded = |key: &str| line.get::<String>(key).map(WsError::Recorded);
    Some(match line.kind {
        "disconnected" => Event::Disconnected {
            reason: line.get("reason")?,
        },
        "reconnected" => Event::Reconnected {
            attempts: line.get("attempts")?,
            downtime: Duration::from_nanos(line.get("downtime_ns")?),
        },
        "resubscribed" => Event::Resubscribed {
            subscription: sub()?,
            sids: line.get("sids")?,
        },
        "resubscribe_failed" => Event::ResubscribeFailed {
            subscription: sub()?,
            error: recorded("error")?,
        },
        "snapshot_requested" => Event::SnapshotRequested {
            subscription: sub()?,
            markets: line.get("markets")?,
        },
        "markets_removed" => Event::MarketsRemoved {
            subscription: sub()?,
            markets: line.get("markets")?,
        },
        "unsubscribed" => Event::Unsubscribed {
            subscription: sub()?,
        },
        "closed" => Event::Closed {
            error: recorded("error"),
        },
        _ => return None,
    })
}

impl<M: Incoming> Iterator for Replay<M> {
    type Item = Replayed<M>;

    fn next(&mut self) -> Option<Replayed<M>> {
        loop {
            if let Some(replayed) = self.out.pop_front() {
                return Some(replayed);
            }
            let (start, end) = self.next_line()?;
            // A handle on the block (not a copy): frames are slices of it.
            let block = self.block.clone();
            match std::str::from_utf8(&block[start..end])
                .ok()
                .and_then(Line::parse)
            {
                Some(line) => self.record(&line, &block),
                None => self.stats.skipped += 1,
            }
        }
    }
}

//! Records back into the [`Event`]s the live session gave: each frame through the session's own
//! decoder and sequence checks, the session's recorded events in place. The sequence checks are
//! run again and compared with the gaps and repeats the live session recorded; a difference is
//! counted in [`ReplayStats::mismatches`]. Whatever the records come from (files, a stream).

use super::line::Line;
use super::replay::{ReplayStats, Replayed};
use crate::ws::envelope;
use crate::ws::protocol::{Control, ControlReply};
use crate::ws::sequence::{Check, Sequences};
use crate::ws::{Event, Received, SubscriptionId, WsError};
use bytes::Bytes;
use std::collections::VecDeque;
use std::time::Duration;

/// A gap or repeat, as recorded or as found again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Judged {
    Gap(u64, u64, u64),
    Repeat(u64, u64, u64),
}

/// The session's reading of frames, applied to records.
#[derive(Debug)]
pub(crate) struct Decoder<M> {
    seqs: Sequences,
    /// Gaps and repeats recorded, awaiting the frame that caused them.
    recorded: VecDeque<Judged>,
    out: VecDeque<Replayed<M>>,
    pub(crate) stats: ReplayStats,
}

impl<M> Default for Decoder<M> {
    fn default() -> Self {
        Decoder {
            seqs: Sequences::default(),
            recorded: VecDeque::new(),
            out: VecDeque::new(),
            stats: ReplayStats::default(),
        }
    }
}

impl<M: Control> Decoder<M> {
    /// The next event decoded, if any is waiting.
    pub(crate) fn pop(&mut self) -> Option<Replayed<M>> {
        self.out.pop_front()
    }

    /// Reads one line of `block` (a record, or something skipped).
    pub(crate) fn line(&mut self, text: &[u8], block: &Bytes) {
        match std::str::from_utf8(text).ok().and_then(Line::parse) {
            Some(line) => self.record(&line, block),
            None => self.stats.skipped += 1,
        }
    }

    /// Reads one record, read from `block`; its events go to `self.out`.
    pub(crate) fn record(&mut self, line: &Line<'_>, block: &Bytes) {
        self.stats.records += 1;
        self.by_kind(line, block);
    }

    fn by_kind(&mut self, line: &Line<'_>, block: &Bytes) {
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
        let subscription = line.sub().map(SubscriptionId);
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
        let delivered = line.delivered();
        let sub = line.sub().map(SubscriptionId);
        let bytes = raw.clone();
        let text = match line.frame_text().map_or(std::str::from_utf8(&bytes), Ok) {
            Ok(text) => text,
            Err(e) => {
                self.stats.frames += 1;
                let error = format!("the frame is not UTF-8: {e}");
                if delivered {
                    self.emit(line, Event::Malformed { error, raw });
                }
                return;
            }
        };
        let read = envelope::read::<M>(text, &raw);
        if read.is_err() && line.is_plain() {
            // Read by hand on the layout's word: the line read as JSON decides.
            match Line::parse_json(line.text) {
                Some(json) => return self.by_kind(&json, block),
                None => return self.stats.skipped += 1,
            }
        }
        self.stats.frames += 1;
        let frame = match read {
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
        let is_reply = M::is_reply(&env.kind);
        if let (Some(sid), Some(seq)) = (env.sid, env.seq) {
            self.check(sid, seq, is_reply);
        }
        if !delivered {
            return;
        }
        let decoded = match frame.message {
            Some(message) => Ok(message),
            None => M::decode(&env, &raw),
        };
        let reply = decoded
            .as_ref()
            .ok()
            .filter(|_| is_reply)
            .and_then(M::reply);
        if let Some(event) = self.unsolicited(&env, reply.as_ref(), sub, &raw) {
            return self.emit(line, event);
        }
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
        reply: Option<&ControlReply<'_>>,
        sub: Option<SubscriptionId>,
        raw: &Bytes,
    ) -> Option<Event<M>> {
        match reply {
            Some(ControlReply::Error { code, message }) => Some(Event::ServerError {
                subscription: sub,
                sid: env.sid,
                code: *code,
                message: message.to_string(),
                raw: raw.clone(),
            }),
            Some(ControlReply::Unsubscribed) => {
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

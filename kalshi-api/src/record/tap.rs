//! The recorder's end inside the session. It sees each frame as it is received and each event as
//! it is queued for the user, and writes them in the order the user sees them: a frame that
//! becomes an event is written where that event stands (after the gap and snapshot request it
//! caused), a reply the session consumes after whatever it caused, before anything that happens
//! later.

use super::buffer::Buffer;
use super::format::{self, FrameRecord, Stamps};
use crate::ws::Event;
use bytes::Bytes;
use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How long a wall-clock reading stands for the stamps that follow it (see [`Clock`]).
const REANCHOR: Duration = Duration::from_millis(100);

/// The recorder's clocks, read once per record: the monotonic clock is read for each record, the
/// wall clock is its reading plus the offset last measured between the two, measured again every
/// [`REANCHOR`]. A step of the wall clock (NTP setting it) shows in the stamps within that time;
/// between readings the two clocks drift apart by less than NTP's slew (0.05%, 50 µs in 100 ms).
#[derive(Debug)]
struct Clock {
    /// The recorder's monotonic clock starts here.
    epoch: Instant,
    /// Wall-clock nanoseconds at monotonic nanosecond 0, last measured at `anchored`.
    offset: u64,
    anchored: u64,
}

impl Clock {
    fn new(epoch: Instant) -> Self {
        let mut clock = Clock {
            epoch,
            offset: 0,
            anchored: 0,
        };
        clock.anchor(clock.mono());
        clock
    }

    fn mono(&self) -> u64 {
        self.epoch.elapsed().as_nanos() as u64
    }

    fn anchor(&mut self, mono: u64) {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        self.offset = wall.saturating_sub(mono);
        self.anchored = mono;
    }

    /// Now: wall-clock and monotonic nanoseconds.
    fn now(&mut self) -> (u64, u64) {
        let mono = self.mono();
        if mono.saturating_sub(self.anchored) >= REANCHOR.as_nanos() as u64 {
            self.anchor(mono);
        }
        (self.offset + mono, mono)
    }
}

/// A frame received and not yet written: it waits for the event it becomes, if any.
#[derive(Debug, Default)]
struct Held {
    wall: u64,
    mono: u64,
    /// A copy of its bytes (the memory is reused frame after frame).
    raw: Vec<u8>,
    waiting: bool,
}

/// The session's side of a [`Recorder`](super::Recorder).
#[derive(Debug)]
pub(crate) struct Tap {
    buffer: Arc<Buffer>,
    clock: Clock,
    conn: u64,
    held: Held,
}

impl Tap {
    /// A tap for a session whose first connection is up: says so in the recording.
    pub(crate) fn new(buffer: Arc<Buffer>, epoch: Instant) -> Self {
        let mut tap = Tap {
            buffer,
            clock: Clock::new(epoch),
            conn: 1,
            held: Held::default(),
        };
        tap.write_event(json!({"k": "connected"}));
        tap
    }

    /// A frame as received: stamped now, written when its event comes.
    pub(crate) fn frame(&mut self, raw: &Bytes) {
        self.release(None, false, false);
        let (wall, mono) = self.clock.now();
        let held = &mut self.held;
        (held.wall, held.mono, held.waiting) = (wall, mono, true);
        held.raw.clear();
        held.raw.extend_from_slice(raw);
    }

    /// An event queued for the user.
    pub(crate) fn event<M>(&mut self, event: &Event<M>) {
        // A message, a decode failure and a server error come of frames whose envelope the
        // session read: one JSON value.
        match event {
            Event::Message(received) => self.release(received.subscription, true, true),
            Event::DecodeFailed { subscription, .. } | Event::ServerError { subscription, .. } => {
                self.release(*subscription, true, true)
            }
            Event::Malformed { .. } => self.release(None, true, false),
            _ => self.session_event(event),
        }
    }

    /// Writes the held frame, if any.
    fn release(&mut self, sub: Option<crate::ws::SubscriptionId>, delivered: bool, json: bool) {
        let held = &mut self.held;
        if !std::mem::take(&mut held.waiting) {
            return;
        }
        let stamps = Stamps {
            wall: held.wall,
            mono: held.mono,
            conn: self.conn,
        };
        let frame = FrameRecord {
            raw: &held.raw,
            sub: sub.map(|s| s.get()),
            delivered,
            read_as_json: json,
        };
        self.buffer.push(stamps.wall, true, |out| {
            format::queue_frame(out, stamps, frame)
        });
    }

    /// A session event: written in place; one that no frame causes first writes the frame that
    /// came before it.
    fn session_event<M>(&mut self, event: &Event<M>) {
        if !caused_by_a_frame(event) {
            self.release(None, false, false);
        }
        if let Event::Reconnected { .. } = event {
            self.conn += 1;
        }
        if let Some(fields) = fields(event) {
            self.write_event(fields);
        }
    }

    fn write_event(&mut self, fields: serde_json::Value) {
        let text = fields.to_string();
        // The object's fields, without its braces: they follow the stamps in the line.
        let inner = &text[1..text.len() - 1];
        let (wall, mono) = self.clock.now();
        let stamps = Stamps {
            wall,
            mono,
            conn: self.conn,
        };
        self.buffer
            .push(wall, false, |out| format::queue_event(out, stamps, inner));
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.release(None, false, false);
    }
}

/// Whether the session pushes `event` while it handles a frame (a gap, a repair, the end of a
/// command): the frame is then written after it, where the user sees the frame's own event.
fn caused_by_a_frame<M>(event: &Event<M>) -> bool {
    matches!(
        event,
        Event::SequenceGap { .. }
            | Event::SequenceRepeat { .. }
            | Event::SnapshotRequested { .. }
            | Event::Resubscribed { .. }
            | Event::ResubscribeFailed { .. }
            | Event::MarketsRemoved { .. }
            | Event::Unsubscribed { .. }
    )
}

/// A session event's record fields (`None` for what is not recorded).
fn fields<M>(event: &Event<M>) -> Option<serde_json::Value> {
    let sub = |s: &crate::ws::SubscriptionId| s.get();
    Some(match event {
        Event::Disconnected { reason } => json!({"k": "disconnected", "reason": reason}),
        Event::Reconnected { attempts, downtime } => json!({
            "k": "reconnected", "attempts": attempts, "downtime_ns": downtime.as_nanos() as u64
        }),
        Event::Resubscribed { subscription, sids } => {
            json!({"k": "resubscribed", "sub": sub(subscription), "sids": sids})
        }
        Event::ResubscribeFailed {
            subscription,
            error,
        } => {
            json!({"k": "resubscribe_failed", "sub": sub(subscription), "error": error.to_string()})
        }
        Event::SequenceGap {
            subscription,
            sid,
            expected,
            received,
        } => json!({
            "k": "gap", "sub": subscription.as_ref().map(sub), "sid": sid,
            "expected": expected, "received": received
        }),
        Event::SequenceRepeat {
            subscription,
            sid,
            last,
            received,
        } => json!({
            "k": "repeat", "sub": subscription.as_ref().map(sub), "sid": sid,
            "last": last, "received": received
        }),
        Event::SnapshotRequested {
            subscription,
            markets,
        } => json!({"k": "snapshot_requested", "sub": sub(subscription), "markets": markets}),
        Event::MarketsRemoved {
            subscription,
            markets,
        } => json!({"k": "markets_removed", "sub": sub(subscription), "markets": markets}),
        Event::Unsubscribed { subscription } => {
            json!({"k": "unsubscribed", "sub": sub(subscription)})
        }
        Event::Closed { error } => {
            json!({"k": "closed", "error": error.as_ref().map(|e| e.to_string())})
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wall_now() -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64
    }

    #[test]
    fn stamps_follow_the_wall_clock_with_one_monotonic_reading_each() {
        let mut clock = Clock::new(Instant::now());
        let first_anchor = clock.anchored;
        let mut last_mono = 0;
        for _ in 0..3 {
            let before = wall_now();
            let (wall, mono) = clock.now();
            let after = wall_now();
            // Within the re-anchoring's drift of the wall clock read around it.
            let slack = 1_000_000;
            assert!(
                wall + slack >= before && wall <= after + slack,
                "{before} {wall} {after}"
            );
            assert!(mono >= last_mono);
            last_mono = mono;
            std::thread::sleep(REANCHOR / 2);
        }
        // The offset was measured again once a reading came `REANCHOR` after the last.
        assert!(clock.anchored > first_anchor);
    }
}

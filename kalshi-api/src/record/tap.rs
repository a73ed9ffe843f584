//! The recorder's end inside the session. It sees each frame as it is received and each event as
//! it is queued for the user, and writes them in the order the user sees them: a frame that
//! becomes an event is written where that event stands (after the gap and snapshot request it
//! caused), a reply the session consumes after whatever it caused, before anything that happens
//! later.

use super::buffer::{Body, Buffer, Item};
use crate::ws::Event;
use bytes::Bytes;
use serde_json::json;
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// A frame received and not yet written: it waits for the event it becomes, if any.
#[derive(Debug)]
struct Held {
    wall: u64,
    mono: u64,
    raw: Bytes,
}

/// The session's side of a [`Recorder`](super::Recorder).
#[derive(Debug)]
pub(crate) struct Tap {
    buffer: Arc<Buffer>,
    /// The recorder's monotonic clock starts here.
    epoch: Instant,
    conn: u64,
    held: Option<Held>,
}

impl Tap {
    /// A tap for a session whose first connection is up: says so in the recording.
    pub(crate) fn new(buffer: Arc<Buffer>, epoch: Instant) -> Self {
        let mut tap = Tap {
            buffer,
            epoch,
            conn: 1,
            held: None,
        };
        tap.write_event(json!({"k": "connected"}));
        tap
    }

    fn now(&self) -> (u64, u64) {
        let wall = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64);
        (wall, self.epoch.elapsed().as_nanos() as u64)
    }

    /// A frame as received (the bytes are shared, not copied).
    pub(crate) fn frame(&mut self, raw: &Bytes) {
        self.release(None, false);
        let (wall, mono) = self.now();
        self.held = Some(Held {
            wall,
            mono,
            raw: raw.clone(),
        });
    }

    /// An event queued for the user.
    pub(crate) fn event<M>(&mut self, event: &Event<M>) {
        match event {
            Event::Message(received) => self.release(received.subscription, true),
            Event::DecodeFailed { subscription, .. } | Event::ServerError { subscription, .. } => {
                self.release(*subscription, true)
            }
            Event::Malformed { .. } => self.release(None, true),
            _ => self.session_event(event),
        }
    }

    /// Writes the held frame, if any.
    fn release(&mut self, sub: Option<crate::ws::SubscriptionId>, delivered: bool) {
        let Some(held) = self.held.take() else {
            return;
        };
        self.buffer.push(Item {
            wall: held.wall,
            mono: held.mono,
            conn: self.conn,
            body: Body::Frame {
                raw: held.raw,
                sub: sub.map(|s| s.get()),
                delivered,
            },
        });
    }

    /// A session event: written in place; one that no frame causes first writes the frame that
    /// came before it.
    fn session_event<M>(&mut self, event: &Event<M>) {
        if !caused_by_a_frame(event) {
            self.release(None, false);
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
        let inner = text[1..text.len() - 1].to_string();
        let (wall, mono) = self.now();
        self.buffer.push(Item {
            wall,
            mono,
            conn: self.conn,
            body: Body::Event(inner),
        });
    }
}

impl Drop for Tap {
    fn drop(&mut self) {
        self.release(None, false);
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

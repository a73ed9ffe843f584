//! The hand-over from the session to the writer thread: a queue the session pushes to without
//! waiting, bounded as [`Overflow`] says, and the counters a user reads.

use super::config::Overflow;
use bytes::Bytes;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// One record on its way to disk.
#[derive(Debug)]
pub(crate) struct Item {
    /// Receive time, nanoseconds since the Unix epoch.
    pub(crate) wall: u64,
    /// Receive time, nanoseconds on the recorder's monotonic clock.
    pub(crate) mono: u64,
    /// The connection number (1 for the session's first).
    pub(crate) conn: u64,
    pub(crate) body: Body,
}

/// What a record holds.
#[derive(Debug)]
pub(crate) enum Body {
    /// A frame as received.
    Frame {
        raw: Bytes,
        /// The subscription of the event it became, when it became one with a subscription.
        sub: Option<u64>,
        /// Whether it reached the user as an event (`false`: a reply the session consumed).
        delivered: bool,
    },
    /// A session event: its record's fields after the stamps, as JSON (`"k":"gap",...`).
    Event(String),
}

/// What a recorder has done so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordStats {
    /// Records written (frames and events).
    pub records: u64,
    /// Frames written.
    pub frames: u64,
    /// Compressed bytes written.
    pub bytes: u64,
    /// Files started.
    pub files: u64,
    /// Times the buffer filled up because the disk was behind.
    pub stalls: u64,
    /// Records held beyond the buffer's capacity ([`Overflow::Lossless`]).
    pub held: u64,
    /// Records not written because the buffer was full ([`Overflow::Count`]).
    pub lost: u64,
    /// Writes that took a second or more.
    pub slow_writes: u64,
    /// The most records that ever waited for the writer.
    pub max_backlog: u64,
    /// Records published to NATS and acknowledged (the `nats` feature).
    pub published: u64,
    /// Records NATS did not take (logged).
    pub publish_failed: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) records: AtomicU64,
    pub(crate) frames: AtomicU64,
    pub(crate) bytes: AtomicU64,
    pub(crate) files: AtomicU64,
    pub(crate) stalls: AtomicU64,
    pub(crate) held: AtomicU64,
    pub(crate) lost: AtomicU64,
    pub(crate) slow_writes: AtomicU64,
    pub(crate) max_backlog: AtomicU64,
    pub(crate) published: AtomicU64,
    pub(crate) publish_failed: AtomicU64,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> RecordStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        RecordStats {
            records: get(&self.records),
            frames: get(&self.frames),
            bytes: get(&self.bytes),
            files: get(&self.files),
            stalls: get(&self.stalls),
            held: get(&self.held),
            lost: get(&self.lost),
            slow_writes: get(&self.slow_writes),
            max_backlog: get(&self.max_backlog),
            published: get(&self.published),
            publish_failed: get(&self.publish_failed),
        }
    }
}

/// Adds `n` to a counter.
pub(crate) fn add(counter: &AtomicU64, n: u64) {
    counter.fetch_add(n, Ordering::Relaxed);
}

#[derive(Debug, Default)]
struct Queue {
    items: VecDeque<Item>,
    /// Records lost since the last `lost` record.
    unreported: u64,
    /// The buffer is full: the warning was given for this episode.
    full: bool,
    /// No more records will come: the writer drains and stops.
    closing: bool,
}

/// What the writer takes in one go.
#[derive(Debug, Default)]
pub(crate) struct Batch {
    pub(crate) items: VecDeque<Item>,
    /// Records lost before these.
    pub(crate) lost: u64,
    /// The last batch: the writer finishes after it.
    pub(crate) closing: bool,
}

#[derive(Debug)]
pub(crate) struct Buffer {
    queue: Mutex<Queue>,
    ready: Condvar,
    capacity: usize,
    overflow: Overflow,
    pub(crate) counters: Counters,
}

impl Buffer {
    pub(crate) fn new(capacity: usize, overflow: Overflow) -> Self {
        Buffer {
            queue: Mutex::default(),
            ready: Condvar::new(),
            capacity: capacity.max(1),
            overflow,
            counters: Counters::default(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a record without waiting (the session's side).
    pub(crate) fn push(&self, item: Item) {
        let mut q = self.lock();
        if q.closing {
            return;
        }
        if q.items.len() >= self.capacity && !self.overflowed(&mut q) {
            return;
        }
        q.items.push_back(item);
        let len = q.items.len() as u64;
        if len > self.counters.max_backlog.load(Ordering::Relaxed) {
            self.counters.max_backlog.store(len, Ordering::Relaxed);
        }
        drop(q);
        self.ready.notify_one();
    }

    /// The buffer is full: says so once per episode, and counts. Returns whether to keep the
    /// record anyway.
    fn overflowed(&self, q: &mut Queue) -> bool {
        if !q.full {
            q.full = true;
            add(&self.counters.stalls, 1);
            match self.overflow {
                Overflow::Lossless => crate::trace::warn!(
                    capacity = self.capacity,
                    "recorder behind the feed: holding records in memory until the disk catches up"
                ),
                Overflow::Count => crate::trace::warn!(
                    capacity = self.capacity,
                    "recorder behind the feed: records are not written (counted)"
                ),
            }
        }
        match self.overflow {
            Overflow::Lossless => {
                add(&self.counters.held, 1);
                true
            }
            Overflow::Count => {
                add(&self.counters.lost, 1);
                q.unreported += 1;
                false
            }
        }
    }

    /// Takes everything queued (the writer's side), waiting up to `wait` for something.
    pub(crate) fn take(&self, wait: Duration) -> Batch {
        let mut q = self.lock();
        if q.items.is_empty() && !q.closing {
            q = self
                .ready
                .wait_timeout(q, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        q.full = false;
        Batch {
            items: std::mem::take(&mut q.items),
            lost: std::mem::take(&mut q.unreported),
            closing: q.closing,
        }
    }

    /// No more records: the writer writes what is queued and stops.
    pub(crate) fn close(&self) {
        self.lock().closing = true;
        self.ready.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(n: u64) -> Item {
        Item {
            wall: n,
            mono: n,
            conn: 1,
            body: Body::Event(String::new()),
        }
    }

    #[test]
    fn counting_mode_counts_what_it_cannot_hold_and_tells_the_writer() {
        let buffer = Buffer::new(2, Overflow::Count);
        for n in 0..5 {
            buffer.push(item(n));
        }
        let stats = buffer.counters.snapshot();
        assert_eq!((stats.lost, stats.stalls, stats.held), (3, 1, 0));
        let batch = buffer.take(Duration::ZERO);
        assert_eq!((batch.items.len(), batch.lost), (2, 3));
        // Room again: a new episode is a new stall.
        for n in 0..3 {
            buffer.push(item(n));
        }
        assert_eq!(buffer.counters.snapshot().stalls, 2);
    }

    #[test]
    fn lossless_mode_holds_everything_and_counts_the_stall() {
        let buffer = Buffer::new(2, Overflow::Lossless);
        for n in 0..5 {
            buffer.push(item(n));
        }
        let stats = buffer.counters.snapshot();
        assert_eq!((stats.lost, stats.stalls, stats.held), (0, 1, 3));
        assert_eq!(buffer.take(Duration::ZERO).items.len(), 5);
        buffer.close();
        buffer.push(item(9));
        let last = buffer.take(Duration::ZERO);
        assert!(last.closing && last.items.is_empty());
    }
}

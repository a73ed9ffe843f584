//! The hand-over from the session to the writer thread: a queue the session pushes to without
//! waiting, bounded as [`Overflow`] says, and the counters a user reads.

use super::config::Overflow;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

/// Records on their way to disk, and what the writer needs to know about them without reading
/// them again.
#[derive(Debug, Default)]
pub(crate) struct Page {
    /// In the buffer, the records as the session's tap queued them (`format::queue_frame`); in
    /// the writer's block, their lines.
    pub(crate) bytes: Vec<u8>,
    pub(crate) records: u64,
    pub(crate) frames: u64,
    /// Receive time of the first record (nanoseconds since the Unix epoch).
    pub(crate) first: u64,
    /// The latest receive time among them.
    pub(crate) last: u64,
}

impl Page {
    /// Appends one record, which `write` formats; `frame` says whether it is a frame.
    pub(crate) fn append(&mut self, wall: u64, frame: bool, write: impl FnOnce(&mut Vec<u8>)) {
        if self.records == 0 {
            self.first = wall;
        }
        self.last = self.last.max(wall);
        self.records += 1;
        self.frames += u64::from(frame);
        write(&mut self.bytes);
    }

    /// Appends `other`'s records after these.
    pub(crate) fn extend(&mut self, other: &Page) {
        self.count(other);
        self.bytes.extend_from_slice(&other.bytes);
    }

    /// Counts `other`'s records in these (their bytes are added by the caller).
    pub(crate) fn count(&mut self, other: &Page) {
        if other.records == 0 {
            return;
        }
        if self.records == 0 {
            self.first = other.first;
        }
        self.last = self.last.max(other.last);
        self.records += other.records;
        self.frames += other.frames;
    }
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
    page: Page,
    /// An emptied page's memory, handed back by the writer for the next page.
    spare: Vec<u8>,
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
    pub(crate) page: Page,
    /// Records lost after these.
    pub(crate) lost: u64,
    /// The last batch: the writer finishes after it.
    pub(crate) closing: bool,
}

/// The page the session writes to and the writer takes. The session holds the lock only to
/// append a line; the writer only to swap the page for an empty one. The writer is woken only
/// when a page has grown to a block (`wake_bytes`) or the recorder closes, not per record: it
/// otherwise sleeps until its flush interval is due.
#[derive(Debug)]
pub(crate) struct Buffer {
    queue: Mutex<Queue>,
    ready: Condvar,
    capacity: u64,
    wake_bytes: usize,
    overflow: Overflow,
    pub(crate) counters: Counters,
    /// The spec of the recorded session's messages, from the session.
    pub(crate) spec: OnceLock<&'static str>,
}

impl Buffer {
    /// A buffer holding `capacity` records before `overflow` applies, waking the writer when
    /// `wake_bytes` are waiting.
    pub(crate) fn new(capacity: usize, wake_bytes: usize, overflow: Overflow) -> Self {
        Buffer {
            queue: Mutex::default(),
            ready: Condvar::new(),
            capacity: capacity.max(1) as u64,
            wake_bytes: wake_bytes.max(1),
            overflow,
            counters: Counters::default(),
            spec: OnceLock::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Queues a record without waiting (the session's side): `write` appends its line.
    pub(crate) fn push(&self, wall: u64, frame: bool, write: impl FnOnce(&mut Vec<u8>)) {
        let mut q = self.lock();
        if q.closing {
            return;
        }
        if q.page.records >= self.capacity && !self.overflowed(&mut q) {
            return;
        }
        let before = q.page.bytes.len();
        q.page.append(wall, frame, write);
        let wake = before < self.wake_bytes && q.page.bytes.len() >= self.wake_bytes;
        drop(q);
        if wake {
            self.ready.notify_one();
        }
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

    /// Takes everything queued (the writer's side), waiting up to `wait` for a block's worth.
    pub(crate) fn take(&self, wait: Duration) -> Batch {
        let mut q = self.lock();
        if q.page.bytes.len() < self.wake_bytes && !q.closing {
            q = self
                .ready
                .wait_timeout(q, wait)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        q.full = false;
        let backlog = q.page.records;
        if backlog > self.counters.max_backlog.load(Ordering::Relaxed) {
            self.counters.max_backlog.store(backlog, Ordering::Relaxed);
        }
        let bytes = std::mem::take(&mut q.spare);
        let page = std::mem::replace(
            &mut q.page,
            Page {
                bytes,
                ..Page::default()
            },
        );
        Batch {
            page,
            lost: std::mem::take(&mut q.unreported),
            closing: q.closing,
        }
    }

    /// Gives an emptied page's memory back, for the next page.
    pub(crate) fn recycle(&self, mut bytes: Vec<u8>) {
        bytes.clear();
        let mut q = self.lock();
        if q.spare.capacity() < bytes.capacity() {
            q.spare = bytes;
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

    fn push(buffer: &Buffer, n: u64) {
        buffer.push(n, false, |out| out.extend_from_slice(b"{}\n"));
    }

    #[test]
    fn counting_mode_counts_what_it_cannot_hold_and_tells_the_writer() {
        let buffer = Buffer::new(2, 1 << 20, Overflow::Count);
        for n in 0..5 {
            push(&buffer, n);
        }
        let stats = buffer.counters.snapshot();
        assert_eq!((stats.lost, stats.stalls, stats.held), (3, 1, 0));
        let batch = buffer.take(Duration::ZERO);
        assert_eq!((batch.page.records, batch.lost), (2, 3));
        // Room again: a new episode is a new stall.
        for n in 0..3 {
            push(&buffer, n);
        }
        assert_eq!(buffer.counters.snapshot().stalls, 2);
    }

    #[test]
    fn lossless_mode_holds_everything_and_counts_the_stall() {
        let buffer = Buffer::new(2, 1 << 20, Overflow::Lossless);
        for n in 0..5 {
            push(&buffer, n);
        }
        let stats = buffer.counters.snapshot();
        assert_eq!((stats.lost, stats.stalls, stats.held), (0, 1, 3));
        assert_eq!(buffer.take(Duration::ZERO).page.records, 5);
        buffer.close();
        push(&buffer, 9);
        let last = buffer.take(Duration::ZERO);
        assert!(last.closing && last.page.records == 0);
    }
}

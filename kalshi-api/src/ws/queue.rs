//! Delivery from the socket reader to the user: a bounded queue that either holds the reader back
//! (lossless: tokio's unbounded channel, read with `recv_many`, bounded by a count the reader
//! waits on) or drops the oldest messages and counts them (drop-oldest: a deque under a lock,
//! since a channel cannot take back what it holds). A hand-written burst staging for the lossless
//! path measured under the 10% the project asks of a hand-written part (`BENCHMARKS.md`), and
//! was replaced by the channel.

use super::event::Event;
use futures_util::task::AtomicWaker;
use futures_util::Stream;
use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::sync::{mpsc, Notify};

/// How messages reach the user when the user reads slower than Kalshi sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// At most `capacity` events wait; when they are all unread, the session stops reading the
    /// socket, so the server's buffer takes the strain and nothing is lost here (Kalshi may then
    /// report its own buffer overflow, code 25, as an [`Event::ServerError`]). While a command
    /// awaits its reply the session reads on, so the queue may then also hold what arrives
    /// during that round trip (bounded by the command timeout).
    Lossless {
        /// Events held before the reader waits.
        capacity: usize,
    },
    /// At most `capacity` events wait; a new message beyond that drops the oldest waiting
    /// message, and [`Event::Dropped`] reports how many went. Connection events are never dropped.
    DropOldest {
        /// Events held before messages are dropped.
        capacity: usize,
    },
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery::Lossless { capacity: 1024 }
    }
}

impl Delivery {
    fn capacity(&self) -> usize {
        match *self {
            Delivery::Lossless { capacity } | Delivery::DropOldest { capacity } => capacity.max(1),
        }
    }
}

/// Events a lossless stream takes from the channel at once.
const BATCH: usize = 256;

struct State<M> {
    items: VecDeque<Event<M>>,
    /// Drops not yet reported by an [`Event::Dropped`].
    unreported: u64,
    /// The producer is done: the stream ends once every item has been read.
    finished: bool,
}

pub(crate) struct Shared<M> {
    state: Mutex<State<M>>,
    delivery: Delivery,
    capacity: usize,
    /// Events pushed and not yet yielded to the consumer (whether still in `state.items` or in
    /// the consumer's local batch): what the lossless bound counts.
    len: AtomicUsize,
    /// The consumer dropped its stream: pushes are discarded.
    abandoned: AtomicBool,
    dropped: AtomicU64,
    consumer: AtomicWaker,
    room: Notify,
}

impl<M> Shared<M> {
    fn lock(&self) -> std::sync::MutexGuard<'_, State<M>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The producing end, held by the session's connection task.
pub(crate) struct Sender<M> {
    shared: Arc<Shared<M>>,
    /// Lossless delivery's channel (`None` for drop-oldest, and once finished).
    lossless: Option<mpsc::UnboundedSender<Event<M>>>,
    /// The recorder's end in the session, when one is attached: it sees each frame as received
    /// and each event as it is queued.
    #[cfg(feature = "record")]
    tap: Option<crate::record::Tap>,
}

/// The stream of a session's events: messages, and what happened to the connection, in order.
/// Ends after [`Event::Closed`].
///
/// In lossless delivery the stream takes what has queued up with one `recv_many` and hands it out
/// from its own batch.
pub struct Events<M> {
    shared: Arc<Shared<M>>,
    local: VecDeque<Event<M>>,
    /// The receiving end of [`Sender`]'s `lossless`, read with `recv_many` into `batch`.
    lossless: Option<mpsc::UnboundedReceiver<Event<M>>>,
    batch: Vec<Event<M>>,
}

impl<M> std::fmt::Debug for Events<M> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events")
            .field("delivery", &self.shared.delivery)
            .field("waiting", &self.waiting())
            .finish()
    }
}

/// The queue a session with `config` delivers through, with its recorder attached.
pub(crate) fn channel_for<M: super::protocol::Incoming>(
    config: &super::SessionConfig,
) -> (Sender<M>, Events<M>) {
    #[cfg_attr(not(feature = "record"), allow(unused_mut))]
    let (mut tx, rx) = channel(config.delivery);
    #[cfg(feature = "record")]
    {
        tx.tap = config.recorder.as_ref().map(|r| r.tap(M::SPEC));
    }
    (tx, rx)
}

pub(crate) fn channel<M>(delivery: Delivery) -> (Sender<M>, Events<M>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            items: VecDeque::with_capacity(delivery.capacity().min(4096)),
            unreported: 0,
            finished: false,
        }),
        capacity: delivery.capacity(),
        delivery,
        len: AtomicUsize::new(0),
        abandoned: AtomicBool::new(false),
        dropped: AtomicU64::new(0),
        consumer: AtomicWaker::new(),
        room: Notify::new(),
    });
    let (tx, rx) = match delivery {
        Delivery::Lossless { .. } => {
            let (tx, rx) = mpsc::unbounded_channel();
            (Some(tx), Some(rx))
        }
        Delivery::DropOldest { .. } => (None, None),
    };
    (
        Sender {
            shared: shared.clone(),
            lossless: tx,
            #[cfg(feature = "record")]
            tap: None,
        },
        Events {
            shared,
            local: VecDeque::new(),
            lossless: rx,
            batch: Vec::new(),
        },
    )
}

impl<M> Sender<M> {
    /// Whether a lossless queue can take another event without waiting.
    pub(crate) fn has_room(&self) -> bool {
        match self.shared.delivery {
            Delivery::DropOldest { .. } => true,
            Delivery::Lossless { .. } => {
                self.shared.len.load(Ordering::Acquire) < self.shared.capacity
                    || self.shared.abandoned.load(Ordering::Acquire)
            }
        }
    }

    /// Waits until [`has_room`](Self::has_room). The future holds the shared queue, not the
    /// sender (whose recorder tap need not be `Sync`).
    pub(crate) fn room(&self) -> impl std::future::Future<Output = ()> + Send + 'static
    where
        M: Send + 'static,
    {
        let shared = self.shared.clone();
        async move {
            loop {
                let notified = shared.room.notified();
                let room = match shared.delivery {
                    Delivery::DropOldest { .. } => true,
                    Delivery::Lossless { .. } => {
                        shared.len.load(Ordering::Acquire) < shared.capacity
                            || shared.abandoned.load(Ordering::Acquire)
                    }
                };
                if room {
                    return;
                }
                notified.await;
            }
        }
    }

    /// Queues an event without waiting. A lossless queue may go over its capacity by the events
    /// the reader pushes for what it has read; the reader waits for [`room`](Self::room) before
    /// reading more. A drop-oldest queue drops its oldest message instead.
    pub(crate) fn push(&mut self, event: Event<M>) {
        super::observe::event(&event);
        #[cfg(feature = "record")]
        if let Some(tap) = &mut self.tap {
            tap.event(&event);
        }
        if self.shared.abandoned.load(Ordering::Acquire) {
            return;
        }
        if let Some(lossless) = &self.lossless {
            self.shared.len.fetch_add(1, Ordering::AcqRel);
            let _ = lossless.send(event);
            return;
        }
        if let Delivery::Lossless { .. } = self.shared.delivery {
            // Finished: nothing more is delivered.
            return;
        }
        let mut state = self.shared.lock();
        if state.items.len() >= self.shared.capacity {
            if let Some(i) = state
                .items
                .iter()
                .position(|e| matches!(e, Event::Message(_)))
            {
                state.items.remove(i);
                if state.unreported == 0 {
                    crate::trace::warn!("websocket consumer behind: dropping oldest messages");
                }
                state.unreported = state.unreported.saturating_add(1);
                self.shared.dropped.fetch_add(1, Ordering::Relaxed);
                self.shared.len.fetch_sub(1, Ordering::AcqRel);
            }
        }
        state.items.push_back(event);
        self.shared.len.fetch_add(1, Ordering::AcqRel);
        drop(state);
        self.shared.consumer.wake();
    }

    /// Shows a frame, as received, to the recorder (nothing without one, or without the `record`
    /// feature).
    #[inline]
    pub(crate) fn tap_frame(&mut self, raw: &bytes::Bytes) {
        #[cfg(feature = "record")]
        if let Some(tap) = &mut self.tap {
            tap.frame(raw);
        }
        #[cfg(not(feature = "record"))]
        let _ = raw;
    }

    /// Ends the stream once what is queued has been read.
    pub(crate) fn finish(&mut self) {
        self.lossless = None;
        self.shared.lock().finished = true;
        self.shared.consumer.wake();
    }

    /// Whether the consumer still listens.
    #[cfg(test)]
    pub(crate) fn is_abandoned(&self) -> bool {
        self.shared.abandoned.load(Ordering::Acquire)
    }
}

impl<M> Events<M> {
    /// Messages dropped so far because the consumer fell behind (always 0 in lossless delivery).
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Relaxed)
    }

    /// Events waiting to be read.
    pub fn waiting(&self) -> usize {
        self.shared.len.load(Ordering::Acquire)
    }

    /// The next event: `Some(Some(_))`, the end `Some(None)`, or `None` when nothing is there yet.
    fn pop(&mut self) -> Option<Option<Event<M>>> {
        if let Some(event) = self.local.pop_front() {
            return Some(Some(self.yielded(event)));
        }
        let mut state = self.shared.lock();
        if state.unreported > 0 {
            let count = std::mem::take(&mut state.unreported);
            let event = Event::Dropped { count };
            drop(state);
            super::observe::event(&event);
            return Some(Some(event));
        }
        // One at a time: the oldest messages must stay where a new one can drop them.
        match state.items.pop_front() {
            Some(event) => {
                drop(state);
                Some(Some(self.yielded(event)))
            }
            None if state.finished => Some(None),
            None => None,
        }
    }

    /// The next lossless event: a batch taken with `recv_many`, then handed out one by one.
    fn poll_lossless(&mut self, cx: &mut Context<'_>) -> Poll<Option<Event<M>>> {
        if self.local.is_empty() {
            let Some(lossless) = self.lossless.as_mut() else {
                return Poll::Ready(None);
            };
            match lossless.poll_recv_many(cx, &mut self.batch, BATCH) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(0) => return Poll::Ready(None),
                Poll::Ready(_) => self.local.extend(self.batch.drain(..)),
            }
        }
        Poll::Ready(self.local.pop_front().map(|event| self.yielded(event)))
    }

    /// Counts `event` as read, and wakes a reader waiting for room.
    fn yielded(&self, event: Event<M>) -> Event<M> {
        let before = self.shared.len.fetch_sub(1, Ordering::AcqRel);
        if before >= self.shared.capacity {
            self.shared.room.notify_one();
        }
        event
    }
}

impl<M> Stream for Events<M> {
    type Item = Event<M>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event<M>>> {
        let this = self.get_mut();
        if this.lossless.is_some() {
            return this.poll_lossless(cx);
        }
        if let Some(item) = this.pop() {
            return Poll::Ready(item);
        }
        this.shared.consumer.register(cx.waker());
        match this.pop() {
            Some(item) => Poll::Ready(item),
            None => Poll::Pending,
        }
    }
}

impl<M> Unpin for Events<M> {}

impl<M> Drop for Events<M> {
    fn drop(&mut self) {
        self.shared.abandoned.store(true, Ordering::Release);
        self.shared.lock().items.clear();
        if let Some(lossless) = self.lossless.as_mut() {
            lossless.close();
        }
        self.shared.room.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn msg(n: u64) -> Event<u64> {
        Event::Message(super::super::event::Received {
            subscription: None,
            sid: Some(1),
            seq: Some(n),
            message: n,
            raw: bytes::Bytes::new(),
        })
    }

    fn seq(e: &Event<u64>) -> Option<u64> {
        match e {
            Event::Message(r) => Some(r.message),
            _ => None,
        }
    }

    #[tokio::test]
    async fn lossless_holds_the_producer_back_and_loses_nothing() {
        let (mut tx, mut rx) = channel::<u64>(Delivery::Lossless { capacity: 4 });
        let producer = tokio::spawn(async move {
            for n in 0..1000 {
                tx.room().await;
                tx.push(msg(n));
                assert!(tx.shared.len.load(Ordering::Acquire) <= 4);
            }
            tx.finish();
        });
        let mut got = Vec::new();
        while let Some(e) = rx.next().await {
            got.push(seq(&e).unwrap());
            if got.len() % 7 == 0 {
                tokio::task::yield_now().await;
            }
        }
        producer.await.unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
        assert_eq!(rx.dropped(), 0);
    }

    #[tokio::test]
    async fn drop_oldest_counts_and_reports_drops_and_keeps_connection_events() {
        let (mut tx, mut rx) = channel::<u64>(Delivery::DropOldest { capacity: 3 });
        tx.push(Event::Disconnected { reason: "x".into() });
        for n in 0..10 {
            tx.push(msg(n));
        }
        tx.finish();
        let mut got = Vec::new();
        while let Some(e) = rx.next().await {
            got.push(e);
        }
        assert!(matches!(got[0], Event::Dropped { count: 8 }), "{got:?}");
        assert!(matches!(got[1], Event::Disconnected { .. }));
        assert_eq!(seq(&got[2]), Some(8));
        assert_eq!(seq(&got[3]), Some(9));
        assert_eq!(rx.dropped(), 8);
    }

    #[tokio::test]
    async fn a_dropped_stream_releases_the_producer() {
        let (mut tx, rx) = channel::<u64>(Delivery::Lossless { capacity: 1 });
        tx.push(msg(0));
        assert!(!tx.has_room());
        drop(rx);
        tx.room().await;
        assert!(tx.is_abandoned());
        assert!(tx.has_room());
    }
}

//! Following your own orders: the order updates and fills of the private channels, routed to
//! the order they concern.
//!
//! Hand-written runtime code, like [`orderbook`](super::orderbook): it reads the session's
//! messages only through [`OrderFeed`], which `cargo xtask regen` implements for the two messages
//! that `orders` in `spec/codegen.yaml` names (and which also defines the typed update each
//! order's stream receives), so nothing here names a message of the spec. The message type is a
//! parameter, `M`; `kalshi_api::ws` has aliases of [`OrderTracker`] and [`OrderUpdates`] that
//! fill it in.

use super::event::Event;
use super::protocol::{OrderFeed, OrderMessage};
use crate::OrderId;
use futures_util::Stream;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::sync::mpsc;

#[derive(Debug)]
struct State<U> {
    /// Senders by `client_order_id`.
    by_client: HashMap<String, mpsc::UnboundedSender<U>>,
    /// Senders by `order_id`, learned from messages carrying both ids or registered directly.
    by_order: HashMap<OrderId, mpsc::UnboundedSender<U>>,
    /// Fills without a `client_order_id` for an `order_id` not learned yet, kept until it is
    /// (Kalshi may send a fill before the order update that links the two ids).
    pending: HashMap<OrderId, Vec<U>>,
}

impl<U> Default for State<U> {
    fn default() -> Self {
        State {
            by_client: HashMap::new(),
            by_order: HashMap::new(),
            pending: HashMap::new(),
        }
    }
}

/// Most updates kept for an `order_id` nobody tracks (yet); older ones are dropped.
const PENDING_PER_ORDER: usize = 64;
/// Most unknown `order_id`s with kept updates.
const PENDING_ORDERS: usize = 1024;

/// Routes order updates and fills (Kalshi's `user_order` and `fill` messages) to the orders you
/// placed, matched by `client_order_id` or by `order_id`. Cheap to clone. `M` is the session's
/// message type; each order's stream receives `M::Update` (`kalshi_api::ws::OrderUpdate`).
///
/// Register an order with [`track`](Self::track) *before* submitting it (so nothing it causes can
/// arrive first), subscribe to `user_orders` and `fill`, and pass the session's events (or
/// [`BookUpdate::Event`](super::orderbook::BookUpdate::Event)s) to [`handle`](Self::handle). Each
/// tracked order gets its own stream of updates.
///
/// ```no_run
/// # async fn run(session: kalshi_api::ws::Session,
/// #              mut events: kalshi_api::ws::Events<kalshi_api::ws::ServerMessage>) {
/// use futures_util::StreamExt;
/// use kalshi_api::ws::OrderTracker;
///
/// let tracker = OrderTracker::new();
/// let mut updates = tracker.track("my-order-1");
/// // ... submit the order over REST with client_order_id "my-order-1" ...
/// tokio::spawn({
///     let tracker = tracker.clone();
///     async move {
///         while let Some(event) = events.next().await {
///             tracker.handle(&event);
///         }
///     }
/// });
/// while let Some(update) = updates.next().await {
///     println!("{update:?}");
/// }
/// # }
/// ```
#[derive(Debug)]
pub struct OrderTracker<M: OrderFeed> {
    state: Arc<Mutex<State<M::Update>>>,
}

impl<M: OrderFeed> Clone for OrderTracker<M> {
    fn clone(&self) -> Self {
        OrderTracker {
            state: self.state.clone(),
        }
    }
}

impl<M: OrderFeed> Default for OrderTracker<M> {
    fn default() -> Self {
        OrderTracker {
            state: Arc::default(),
        }
    }
}

/// The updates of one tracked order; ends when the tracker and its clones are dropped or the
/// order is [untracked](OrderTracker::untrack).
#[derive(Debug)]
pub struct OrderUpdates<M: OrderFeed> {
    rx: mpsc::UnboundedReceiver<M::Update>,
}

impl<M: OrderFeed> Stream for OrderUpdates<M> {
    type Item = M::Update;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<M::Update>> {
        self.rx.poll_recv(cx)
    }
}

impl<M: OrderFeed> OrderUpdates<M> {
    /// The next update already received, without waiting.
    pub fn try_next(&mut self) -> Option<M::Update> {
        self.rx.try_recv().ok()
    }
}

impl<M: OrderFeed> OrderTracker<M> {
    /// A tracker following no orders.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State<M::Update>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows the order submitted with `client_order_id`. Tracking the same id again replaces
    /// the earlier stream.
    pub fn track(&self, client_order_id: impl Into<String>) -> OrderUpdates<M> {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().by_client.insert(client_order_id.into(), tx);
        OrderUpdates { rx }
    }

    /// Follows the order the exchange knows as `order_id` (one placed without a
    /// `client_order_id`); updates already received for it are delivered first. Takes the
    /// `order_id` of a REST answer as it is (`placed.order_id`), or a [`Uuid`](crate::Uuid).
    pub fn track_order_id(&self, order_id: impl Into<OrderId>) -> OrderUpdates<M> {
        let order_id = order_id.into();
        let (tx, rx) = mpsc::unbounded_channel();
        let mut state = self.lock();
        for update in state.pending.remove(&order_id).into_iter().flatten() {
            let _ = tx.send(update);
        }
        state.by_order.insert(order_id, tx);
        OrderUpdates { rx }
    }

    /// Stops following `client_order_id` (and the `order_id` learned for it).
    pub fn untrack(&self, client_order_id: &str) {
        let mut state = self.lock();
        if let Some(tx) = state.by_client.remove(client_order_id) {
            state.by_order.retain(|_, t| !t.same_channel(&tx));
        }
    }

    /// Routes `event` when it is an order update or a fill; returns whether it matched a tracked
    /// order.
    pub fn handle(&self, event: &Event<M>) -> bool {
        match event {
            Event::Message(received) => self.handle_message(&received.message),
            _ => false,
        }
    }

    /// Routes one message; returns whether it matched a tracked order.
    pub fn handle_message(&self, message: &M) -> bool {
        let Some(OrderMessage {
            order_id,
            client_order_id,
            update,
        }) = message.order()
        else {
            return false;
        };
        let client_order_id = client_order_id.filter(|c| !c.is_empty());
        let mut state = self.lock();
        let tx = match client_order_id
            .and_then(|c| state.by_client.get(c))
            .cloned()
        {
            Some(tx) => {
                // Learn the order id, and hand over what arrived for it before.
                if !state.by_order.contains_key(order_id) {
                    for pending in state.pending.remove(order_id).into_iter().flatten() {
                        let _ = tx.send(pending);
                    }
                    state.by_order.insert(order_id.clone(), tx.clone());
                }
                tx
            }
            None => match state.by_order.get(order_id) {
                Some(tx) => tx.clone(),
                None => {
                    if client_order_id.is_none() && state.pending.len() < PENDING_ORDERS
                        || state.pending.contains_key(order_id)
                    {
                        let kept = state.pending.entry(order_id.clone()).or_default();
                        if kept.len() == PENDING_PER_ORDER {
                            kept.remove(0);
                        }
                        kept.push(update);
                    }
                    return false;
                }
            },
        };
        tx.send(update).is_ok()
    }
}

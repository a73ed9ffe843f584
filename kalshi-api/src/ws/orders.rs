//! Following your own orders: the `user_order` and `fill` messages of the private channels,
//! routed to the order they concern.
//!
//! Hand-written runtime code over the generated messages, like [`orderbook`](super::orderbook):
//! it matches on [`ServerMessage::UserOrder`] and [`ServerMessage::Fill`] only.

use super::event::Event;
use crate::generated::ws::{Fill, ServerMessage, UserOrder};
use futures_util::Stream;
use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use uuid::Uuid;

/// What happened to a tracked order.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum OrderUpdate {
    /// Its state from the `user_orders` channel (status, filled and remaining counts, costs).
    Order(Box<UserOrder>),
    /// A fill of it from the `fill` channel.
    Fill(Box<Fill>),
}

impl OrderUpdate {
    /// The exchange's order id.
    pub fn order_id(&self) -> Uuid {
        match self {
            OrderUpdate::Order(o) => o.order_id,
            OrderUpdate::Fill(f) => f.order_id,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    /// Senders by `client_order_id`.
    by_client: HashMap<String, mpsc::UnboundedSender<OrderUpdate>>,
    /// Senders by `order_id`, learned from messages carrying both ids or registered directly.
    by_order: HashMap<Uuid, mpsc::UnboundedSender<OrderUpdate>>,
    /// Fills without a `client_order_id` for an `order_id` not learned yet, kept until it is
    /// (Kalshi may send a fill before the `user_order` that links the two ids).
    pending: HashMap<Uuid, Vec<OrderUpdate>>,
}

/// Most updates kept for an `order_id` nobody tracks (yet); older ones are dropped.
const PENDING_PER_ORDER: usize = 64;
/// Most unknown `order_id`s with kept updates.
const PENDING_ORDERS: usize = 1024;

/// Routes `user_order` and `fill` messages to the orders you placed, matched by
/// `client_order_id` or by `order_id`. Cheap to clone.
///
/// Register an order with [`track`](Self::track) *before* submitting it (so nothing it causes can
/// arrive first), subscribe to `user_orders` and `fill`, and pass the session's events (or
/// [`BookUpdate::Event`](super::BookUpdate::Event)s) to [`handle`](Self::handle). Each tracked
/// order gets its own stream of [`OrderUpdate`]s.
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
#[derive(Debug, Clone, Default)]
pub struct OrderTracker {
    state: Arc<Mutex<State>>,
}

/// The updates of one tracked order; ends when the tracker and its clones are dropped or the
/// order is [untracked](OrderTracker::untrack).
#[derive(Debug)]
pub struct OrderUpdates {
    rx: mpsc::UnboundedReceiver<OrderUpdate>,
}

impl Stream for OrderUpdates {
    type Item = OrderUpdate;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<OrderUpdate>> {
        self.rx.poll_recv(cx)
    }
}

impl OrderUpdates {
    /// The next update already received, without waiting.
    pub fn try_next(&mut self) -> Option<OrderUpdate> {
        self.rx.try_recv().ok()
    }
}

impl OrderTracker {
    /// A tracker following no orders.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows the order submitted with `client_order_id`. Tracking the same id again replaces
    /// the earlier stream.
    pub fn track(&self, client_order_id: impl Into<String>) -> OrderUpdates {
        let (tx, rx) = mpsc::unbounded_channel();
        self.lock().by_client.insert(client_order_id.into(), tx);
        OrderUpdates { rx }
    }

    /// Follows the order the exchange knows as `order_id` (one placed without a
    /// `client_order_id`); updates already received for it are delivered first.
    pub fn track_order_id(&self, order_id: Uuid) -> OrderUpdates {
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

    /// Routes `event` when it is a `user_order` or `fill` message; returns whether it matched a
    /// tracked order.
    pub fn handle(&self, event: &Event<ServerMessage>) -> bool {
        match event {
            Event::Message(received) => self.handle_message(&received.message),
            _ => false,
        }
    }

    /// Routes one message; returns whether it matched a tracked order.
    pub fn handle_message(&self, message: &ServerMessage) -> bool {
        let (order_id, client_order_id, update) = match message {
            ServerMessage::UserOrder(o) => (
                o.order_id,
                Some(o.client_order_id.as_str()).filter(|c| !c.is_empty()),
                OrderUpdate::Order(o.clone()),
            ),
            ServerMessage::Fill(f) => (
                f.order_id,
                f.client_order_id.as_deref().filter(|c| !c.is_empty()),
                OrderUpdate::Fill(f.clone()),
            ),
            _ => return false,
        };
        let mut state = self.lock();
        let tx = match client_order_id
            .and_then(|c| state.by_client.get(c))
            .cloned()
        {
            Some(tx) => {
                // Learn the order id, and hand over what arrived for it before.
                if !state.by_order.contains_key(&order_id) {
                    for pending in state.pending.remove(&order_id).into_iter().flatten() {
                        let _ = tx.send(pending);
                    }
                    state.by_order.insert(order_id, tx.clone());
                }
                tx
            }
            None => match state.by_order.get(&order_id) {
                Some(tx) => tx.clone(),
                None => {
                    if client_order_id.is_none() && state.pending.len() < PENDING_ORDERS
                        || state.pending.contains_key(&order_id)
                    {
                        let kept = state.pending.entry(order_id).or_default();
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

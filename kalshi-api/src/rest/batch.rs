//! Batch helpers: send any number of items through a batch operation, in requests of a bounded
//! size, and get back exactly one result per item, in input order.
//!
//! The generator implements [`Batch`] for every operation of batch shape: a request body whose
//! only required field is an array of items, and an answer with an array of the same name whose
//! elements carry an error field of the operation's error type, one per item. On Kalshi's spec
//! these are `BatchCreateOrdersV2` and `BatchCancelOrdersV2`.
//!
//! ```no_run
//! # async fn demo(client: kalshi_api::Client, orders: Vec<kalshi_api::types::CreateOrderV2Request>) {
//! use kalshi_api::ops::BatchCreateOrdersV2;
//! use kalshi_api::types::BatchCreateOrdersV2Request;
//!
//! // 45 orders go out as requests of 20, 20 and 5.
//! let request = BatchCreateOrdersV2::new(BatchCreateOrdersV2Request::new(orders));
//! for (i, result) in client.batch(request).await.into_iter().enumerate() {
//!     match result {
//!         Ok(placed) => println!("order {i}: placed as {:?}", placed.order_id),
//!         Err(e) => println!("order {i}: {e}"),
//!     }
//! }
//! # }
//! ```
//!
//! # What a result means
//!
//! - `Ok(outcome)`: the server answered the request carrying the item and reported no error for it.
//! - [`ItemError::Rejected`]: the server answered and reported this item's own error; the other
//!   items of the same request are unaffected.
//! - [`ItemError::Request`]: the whole request carrying the item failed (an HTTP error, a timeout,
//!   a lost connection). For a timeout or a lost connection the server may still have acted on the
//!   item: check before sending it again. Every item of that request shares the error.
//! - [`ItemError::Missing`]: the server answered but gave no outcome for the item.
//!
//! Requests are sent one after another, in input order, each through [`Client::execute`], so the
//! client's rate limiter charges each request for its items and its retry policy applies (batch
//! creation is a POST and is not retried unless the policy retries writes). A failed request does
//! not stop the ones after it.

use crate::error::{Error, ErrorBody};
use crate::operation::Operation;
use crate::rest::client::Client;
use std::collections::HashMap;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;

/// The batch size Kalshi's batch documentation caps requests at.
pub const DEFAULT_CHUNK_SIZE: usize = 20;

/// An operation that carries a list of items and answers with one outcome per item (implemented
/// by generated code).
pub trait Batch: Operation + Clone + 'static {
    /// One item of the request (an order to create, an order to cancel).
    type Item: Send + 'static;
    /// One item's outcome in the answer.
    type Outcome: Send + 'static;

    /// The request's items.
    fn items_mut(&mut self) -> &mut Vec<Self::Item>;

    /// The answer's outcomes.
    fn into_outcomes(output: Self::Output) -> Vec<Self::Outcome>;

    /// The error the server reported for one item, if any.
    fn outcome_error(outcome: &Self::Outcome) -> Option<ErrorBody>;

    /// A text an item shares with its outcome (an order id, a client order id), used to match
    /// outcomes to items when the answer is not in request order. `None` when it has none.
    fn item_key(item: &Self::Item) -> Option<&str> {
        let _ = item;
        None
    }

    /// The outcome's side of [`item_key`](Self::item_key).
    fn outcome_key(outcome: &Self::Outcome) -> Option<&str> {
        let _ = outcome;
        None
    }
}

/// Why one item of a batch has no successful outcome.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum ItemError {
    /// The server answered the request and reported this error for this item.
    #[error("rejected: {0}")]
    Rejected(ErrorBody),
    /// The request carrying this item failed as a whole; every item of that request shares the
    /// error.
    #[error("the request carrying this item failed: {0}")]
    Request(Arc<Error>),
    /// The server answered the request but gave no outcome for this item.
    #[error("the answer has no outcome for this item")]
    Missing,
}

/// The result for one item of a batch.
pub type ItemResult<T> = std::result::Result<T, ItemError>;

/// A batch ready to send; made by [`Client::batch`]. Await it (or call [`send`](Self::send)).
#[derive(Debug, Clone)]
#[must_use = "a batch does nothing until it is awaited"]
pub struct BatchCall<B> {
    client: Client,
    request: B,
    chunk_size: usize,
}

impl<B: Batch> BatchCall<B> {
    /// Sends at most `n` items per request (default [`DEFAULT_CHUNK_SIZE`]; 0 counts as 1).
    pub fn chunk_size(mut self, n: usize) -> Self {
        self.chunk_size = n.max(1);
        self
    }

    /// Sends every item and returns one result per item, in input order.
    pub async fn send(mut self) -> Vec<ItemResult<B::Outcome>> {
        let items = std::mem::take(self.request.items_mut());
        let total = items.len();
        let mut results = Vec::with_capacity(total);
        let mut items = items.into_iter();
        while results.len() < total {
            let mut request = self.request.clone();
            *request.items_mut() = items.by_ref().take(self.chunk_size).collect();
            match self.client.execute(&request).await {
                Ok(output) => {
                    results.extend(assign::<B>(request.items_mut(), B::into_outcomes(output)))
                }
                Err(err) => {
                    let err = Arc::new(err);
                    let n = request.items_mut().len();
                    results.extend((0..n).map(|_| Err(ItemError::Request(err.clone()))));
                }
            }
        }
        results
    }
}

impl<B: Batch> IntoFuture for BatchCall<B>
where
    B::Output: 'static,
{
    type Output = Vec<ItemResult<B::Outcome>>;
    type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// Pairs each item of one request with its outcome.
///
/// In request order when the answer has one outcome per item and no keys disagree; otherwise by
/// key when every item has a distinct one; otherwise in order as far as the outcomes go. Items
/// left without an outcome are [`ItemError::Missing`]; outcomes matching no item are dropped.
fn assign<B: Batch>(items: &[B::Item], outcomes: Vec<B::Outcome>) -> Vec<ItemResult<B::Outcome>> {
    let in_order = outcomes.len() == items.len()
        && items
            .iter()
            .zip(&outcomes)
            .all(|(i, o)| match (B::item_key(i), B::outcome_key(o)) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            });
    let mut slots: Vec<Option<B::Outcome>> = (0..items.len()).map(|_| None).collect();
    let keys: Option<HashMap<&str, usize>> = if in_order {
        None
    } else {
        let keys: HashMap<&str, usize> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| Some((B::item_key(item)?, i)))
            .collect();
        (keys.len() == items.len()).then_some(keys)
    };
    match keys {
        Some(keys) => {
            for outcome in outcomes {
                let slot = B::outcome_key(&outcome).and_then(|k| keys.get(k));
                if let Some(&i) = slot {
                    slots[i].get_or_insert(outcome);
                }
            }
        }
        None => {
            for (slot, outcome) in slots.iter_mut().zip(outcomes) {
                *slot = Some(outcome);
            }
        }
    }
    slots
        .into_iter()
        .map(|slot| match slot {
            None => Err(ItemError::Missing),
            Some(outcome) => match B::outcome_error(&outcome) {
                Some(error) => Err(ItemError::Rejected(error)),
                None => Ok(outcome),
            },
        })
        .collect()
}

impl Client {
    /// Sends the items of a batch request in requests of at most [`DEFAULT_CHUNK_SIZE`] items
    /// (change it with [`BatchCall::chunk_size`]); see the [module docs](crate::batch).
    ///
    /// Every field of `request` other than its items is copied to each request.
    pub fn batch<B: Batch>(&self, request: B) -> BatchCall<B> {
        BatchCall {
            client: self.clone(),
            request,
            chunk_size: DEFAULT_CHUNK_SIZE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DecodeError;
    use crate::operation::{Auth, Method, OperationInfo};
    use crate::ratelimit::Cost;

    /// A batch whose items are `(key, fail)` and whose outcomes echo the key.
    #[derive(Debug, Clone)]
    struct Fake(Vec<(Option<String>, bool)>);

    impl Operation for Fake {
        type Output = Vec<(Option<String>, bool)>;
        const INFO: OperationInfo = OperationInfo {
            id: "Fake",
            method: Method::POST,
            path: "/fake",
            auth: Auth::None,
            cost: Cost::PerItem(1),
            bearer: false,
            buckets: None,
        };
        fn write_path(&self, out: &mut String) {
            out.push_str("/fake");
        }
        fn decode(_: &[u8]) -> Result<Self::Output, DecodeError> {
            unreachable!("not sent")
        }
    }

    impl Batch for Fake {
        type Item = (Option<String>, bool);
        type Outcome = (Option<String>, bool);
        fn items_mut(&mut self) -> &mut Vec<Self::Item> {
            &mut self.0
        }
        fn into_outcomes(output: Self::Output) -> Vec<Self::Outcome> {
            output
        }
        fn outcome_error(outcome: &Self::Outcome) -> Option<ErrorBody> {
            outcome.1.then(|| ErrorBody {
                code: outcome.0.clone(),
                ..ErrorBody::default()
            })
        }
        fn item_key(item: &Self::Item) -> Option<&str> {
            item.0.as_deref()
        }
        fn outcome_key(outcome: &Self::Outcome) -> Option<&str> {
            outcome.0.as_deref()
        }
    }

    fn item(key: Option<&str>, fail: bool) -> (Option<String>, bool) {
        (key.map(str::to_owned), fail)
    }

    /// Each result as `Ok(key)`, `Err(key of the rejection)` or `Err("missing")`.
    fn summary(results: Vec<ItemResult<(Option<String>, bool)>>) -> Vec<Result<String, String>> {
        results
            .into_iter()
            .map(|r| match r {
                Ok((k, _)) => Ok(k.unwrap_or_default()),
                Err(ItemError::Rejected(e)) => Err(e.code.unwrap_or_default()),
                Err(ItemError::Missing) => Err("missing".into()),
                Err(e) => Err(e.to_string()),
            })
            .collect()
    }

    #[test]
    fn in_order_answers_pair_by_position_with_per_item_errors() {
        let items = [
            item(Some("a"), false),
            item(None, false),
            item(Some("c"), false),
        ];
        let outcomes = vec![
            item(Some("a"), false),
            item(None, true),
            item(Some("c"), false),
        ];
        assert_eq!(
            summary(assign::<Fake>(&items, outcomes)),
            [Ok("a".into()), Err(String::new()), Ok("c".into())]
        );
    }

    #[test]
    fn reordered_answers_pair_by_key() {
        let items = [
            item(Some("a"), false),
            item(Some("b"), false),
            item(Some("c"), false),
        ];
        let outcomes = vec![
            item(Some("c"), false),
            item(Some("a"), true),
            item(Some("b"), false),
        ];
        assert_eq!(
            summary(assign::<Fake>(&items, outcomes)),
            [Err("a".into()), Ok("b".into()), Ok("c".into())]
        );
    }

    #[test]
    fn a_short_answer_leaves_the_unanswered_items_missing() {
        // Keyed: whichever items the answer names get their outcomes.
        let items = [
            item(Some("a"), false),
            item(Some("b"), false),
            item(Some("c"), false),
        ];
        let outcomes = vec![item(Some("c"), false), item(Some("zz"), false)];
        assert_eq!(
            summary(assign::<Fake>(&items, outcomes)),
            [Err("missing".into()), Err("missing".into()), Ok("c".into())]
        );
        // Unkeyed: in order as far as the outcomes go.
        let items = [item(None, false), item(None, false)];
        let outcomes = vec![item(Some("x"), false)];
        assert_eq!(
            summary(assign::<Fake>(&items, outcomes)),
            [Ok("x".into()), Err("missing".into())]
        );
    }

    #[test]
    fn duplicate_keys_fall_back_to_order() {
        let items = [item(Some("a"), false), item(Some("a"), false)];
        let outcomes = vec![item(Some("a"), false), item(Some("b"), false)];
        assert_eq!(
            summary(assign::<Fake>(&items, outcomes)),
            [Ok("a".into()), Ok("b".into())]
        );
    }
}

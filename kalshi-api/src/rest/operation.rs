//! The contract between generated operations and the client that sends them.
//!
//! Each generated request type in [`crate::ops`] implements [`Operation`]: it knows its method, its
//! path, how to write its query and body, and how to decode its success response. The client owns
//! everything else (base URL, signing, transport, errors).

use crate::error::DecodeError;
pub use crate::value::{push_path, QueryWriter};
pub use reqwest::Method;

/// Whether an operation must be signed, from the spec's `security` requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Public: sent without the `KALSHI-ACCESS-*` headers.
    None,
    /// Authenticated: sent signed; fails before sending when the client has no credentials.
    Required,
    /// Either works (the spec lists an empty security requirement beside a real one): signed when the
    /// client has credentials.
    Optional,
}

/// Static facts about one operation, taken from the spec.
#[derive(Debug, Clone)]
pub struct OperationInfo {
    /// The spec's `operationId`, e.g. `GetMarkets`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: Method,
    /// The path template relative to the base URL, e.g. `/markets/{ticker}`.
    pub path: &'static str,
    /// Whether the request is signed.
    pub auth: Auth,
    /// Whether the spec accepts an OAuth bearer token instead of the signature (a `security`
    /// requirement of an HTTP `bearer` scheme alone): a client built with a token sends only these.
    pub bearer: bool,
    /// What one request costs against the account's rate limit, from the spec's documentation
    /// (Kalshi's default, 10 tokens, where it states none).
    pub cost: Cost,
    /// The rate-limit bucket set the request draws from, e.g. `Some("perps")` for the margin API,
    /// which Kalshi limits apart; `None` for the account's main buckets (see
    /// [`RateLimiter::with_buckets`](crate::RateLimiter::with_buckets)).
    pub buckets: Option<&'static str>,
}

/// A request the client can send: implemented by every generated type in [`crate::ops`].
pub trait Operation: Send + Sync {
    /// What a successful response decodes to (`()` for body-less responses).
    type Output: Send;

    /// Static facts about the operation.
    const INFO: OperationInfo;

    /// Appends the path (relative to the base URL, path parameters percent-encoded) to `out`.
    fn write_path(&self, out: &mut String);

    /// Appends the query parameters that are set.
    fn write_query(&self, query: &mut QueryWriter<'_>) {
        let _ = query;
    }

    /// Serializes the JSON body into `buf`; returns `false` when the request has no body.
    fn write_body(&self, buf: &mut Vec<u8>) -> std::result::Result<bool, serde_json::Error> {
        let _ = buf;
        Ok(false)
    }

    /// Decodes a success response body.
    fn decode(body: &[u8]) -> std::result::Result<Self::Output, DecodeError>;

    /// The number of items a per-item [`Cost`] is charged for: the length of a batch request's
    /// item array. Ignored for per-request costs.
    fn cost_items(&self) -> usize {
        1
    }
}

/// Decodes JSON into `T`; on failure, the error names the path of the field that failed.
///
/// Plain `serde_json` decoding, so a success costs nothing extra; a failure's position is turned
/// into a path by walking the body's bytes up to it (trailing garbage after the value is a failure
/// at the root).
pub fn decode_json<T: serde::de::DeserializeOwned>(
    operation: &'static str,
    body: &[u8],
) -> std::result::Result<T, DecodeError> {
    serde_json::from_slice(body).map_err(|e| decode_error(operation, body, e))
}

#[cold]
fn decode_error(operation: &'static str, body: &[u8], e: serde_json::Error) -> DecodeError {
    let path = crate::json_path::path_of_error(body, &e);
    DecodeError::new(operation, path, e, body)
}

/// What one operation costs, in tokens.
///
/// Most operations cost 10 tokens per request; single-order reads and cancels cost 2; batch
/// create costs 10 per order and batch cancel 2 per order. The live non-default costs are listed
/// by `GET /account/endpoint_costs` (`GetAccountEndpointCostsResponse`: `default_cost`, and one
/// `cost` per `method` and `path` in `endpoint_costs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Cost {
    /// A fixed number of tokens per request.
    PerRequest(u32),
    /// This many tokens per item of a batch (per order in a batch create or cancel).
    PerItem(u32),
}

impl Cost {
    /// Kalshi's default: 10 tokens per request.
    pub const DEFAULT: Cost = Cost::PerRequest(10);

    /// The tokens a request with `items` batch items costs (ignored for [`Cost::PerRequest`]),
    /// saturating at `u32::MAX`.
    pub fn tokens(&self, items: usize) -> u32 {
        match *self {
            Cost::PerRequest(tokens) => tokens,
            Cost::PerItem(tokens) => {
                tokens.saturating_mul(u32::try_from(items).unwrap_or(u32::MAX))
            }
        }
    }
}

impl Default for Cost {
    fn default() -> Self {
        Cost::DEFAULT
    }
}

//! The contract between generated operations and the client that sends them.
//!
//! Each generated request type in [`crate::ops`] implements [`Operation`]: it knows its method, its
//! path, how to write its query and body, and how to decode its success response. The client owns
//! everything else (base URL, signing, transport, errors).

use crate::error::DecodeError;
use crate::ratelimit::Cost;
use crate::value::{PathParam, QueryValue};
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
    /// What one request costs against the account's rate limit, from the spec's documentation
    /// (Kalshi's default, 10 tokens, where it states none).
    pub cost: Cost,
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

/// Writes `key=value` pairs of a query string, percent-encoded.
#[derive(Debug)]
pub struct QueryWriter<'a> {
    out: &'a mut String,
    first: bool,
}

impl<'a> QueryWriter<'a> {
    /// Starts a query string at the end of `out` (the `?` is written before the first pair).
    pub fn new(out: &'a mut String) -> Self {
        let first = !out.contains('?');
        Self { out, first }
    }

    /// Writes one `key=value` pair; `value` is percent-encoded.
    pub fn pair(&mut self, key: &str, value: &str) {
        self.out.push(if self.first { '?' } else { '&' });
        self.first = false;
        self.out
            .extend(percent_encoding::utf8_percent_encode(key, QUERY));
        self.out.push('=');
        self.out
            .extend(percent_encoding::utf8_percent_encode(value, QUERY));
    }

    /// Writes a parameter (`style: form, explode: true`: arrays repeat the key; `None` writes nothing).
    pub fn push<V: QueryValue + ?Sized>(&mut self, key: &str, value: &V) {
        value.write_query(key, self);
    }

    /// Writes an array parameter as one comma-separated value (`style: form, explode: false`).
    pub fn push_csv<V: QueryValue>(&mut self, key: &str, values: &[V]) {
        if values.is_empty() {
            return;
        }
        let mut joined = String::new();
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                joined.push(',');
            }
            v.write_text(&mut joined);
        }
        self.pair(key, &joined);
    }
}

/// Appends one path parameter, percent-encoded as a single segment.
pub fn push_path<P: PathParam + ?Sized>(out: &mut String, value: &P) {
    value.write_path(out);
}

/// Characters escaped in a query key or value: everything but RFC 3986 unreserved characters.
pub(crate) const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Characters escaped in a path segment: as in a query, so `/`, `?` and `#` cannot break the path.
pub(crate) const SEGMENT: &percent_encoding::AsciiSet = QUERY;

//! The one error type of the crate.

use bytes::Bytes;
use reqwest::StatusCode;
use serde::Deserialize;
use std::fmt;

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong with a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Kalshi answered with a non-2xx status other than 429.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Kalshi answered 429: the account's token bucket is empty.
    #[error("rate limited: {0}")]
    RateLimited(Box<ApiError>),
    /// The operation needs credentials and the client has none, or signing failed.
    #[error("{operation}: {message}")]
    Auth {
        /// The operation id.
        operation: &'static str,
        /// What is missing or failed.
        message: String,
    },
    /// The client holds an OAuth bearer token and no API key, and the spec does not accept a
    /// bearer token for this operation: refused before sending.
    #[error("{operation}: this operation does not accept a bearer token; build the client with an API key")]
    BearerNotAccepted {
        /// The operation id.
        operation: &'static str,
    },
    /// The client is misconfigured (a bad base URL, a bad environment variable).
    #[error("configuration: {0}")]
    Config(String),
    /// The private key could not be loaded: a configuration error, kept typed so a caller can tell
    /// an encrypted key from a missing file ([`KeyError::kind`](crate::auth::KeyError::kind)).
    #[error("configuration: {0}")]
    Key(#[from] crate::auth::KeyError),
    /// The request did not finish within the configured timeout.
    #[error("{operation}: timed out")]
    Timeout {
        /// The operation id.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request could not be sent or the response not read (connection refused, reset, TLS).
    #[error("{operation}: transport: {source}")]
    Transport {
        /// The operation id.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request body could not be serialized.
    #[error("{operation}: encoding request body: {source}")]
    Encode {
        /// The operation id.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: serde_json::Error,
    },
    /// A success response did not match the declared type.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// A WebSocket session failed: the handshake, the connection, or a command.
    #[cfg(feature = "ws")]
    #[error(transparent)]
    WebSocket(Box<crate::ws::WsError>),
    /// Recording or replaying the feed failed.
    #[cfg(feature = "record")]
    #[error(transparent)]
    Record(Box<crate::record::RecordError>),
    /// Pagination stopped: the server sent a cursor it had already sent (following it would loop).
    #[error("{operation}: pagination cursor `{cursor}` repeated after {pages} pages; stopping instead of looping")]
    RepeatedCursor {
        /// The operation id.
        operation: &'static str,
        /// The repeated cursor.
        cursor: String,
        /// Pages read before the repeat.
        pages: usize,
    },
}

impl Error {
    /// The HTTP status, when Kalshi answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e.status),
            _ => None,
        }
    }

    /// The API error, when Kalshi answered with a non-2xx status (429 included).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) | Error::RateLimited(e) => Some(e),
            _ => None,
        }
    }
}

/// A non-2xx answer from Kalshi.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The operation id.
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The body, when it parses as Kalshi's error object.
    pub body: Option<ErrorBody>,
    /// The raw body, always kept.
    pub raw: Bytes,
    /// The request id header, when the server sent one.
    pub request_id: Option<String>,
}

impl ApiError {
    /// Builds the error from a response's parts; the body is parsed leniently.
    pub fn new(
        operation: &'static str,
        status: StatusCode,
        raw: Bytes,
        request_id: Option<String>,
    ) -> Self {
        let body = ErrorBody::parse(&raw);
        Self {
            operation,
            status,
            body,
            raw,
            request_id,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: HTTP {}", self.operation, self.status)?;
        match &self.body {
            Some(body) => write!(f, ": {body}")?,
            None if !self.raw.is_empty() => {
                write!(f, ": {}", excerpt(&self.raw, 200))?;
            }
            None => {}
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Kalshi's error object (`ErrorResponse` in the spec), read leniently: every field is optional and
/// any JSON scalar is accepted as text, because error bodies are declared inconsistently. Three
/// shapes are read, as Kalshi sends them:
///
/// - flat, as the spec declares it: `{"code": "...", "message": "...", "details": "..."}`;
/// - nested under `error`, as the live API answers 401 and 403:
///   `{"error": {"code": "permission_denied", "message": "permission denied"}}`;
/// - `{"error": "text"}` (the 429 answer): the text lands in `error`, and in `message` when there
///   is no other message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorBody {
    /// Machine-readable error code.
    pub code: Option<String>,
    /// Human-readable message.
    pub message: Option<String>,
    /// Additional details.
    pub details: Option<String>,
    /// The Kalshi service that answered.
    pub service: Option<String>,
    /// The `error` field of bodies such as the 429 answer.
    pub error: Option<String>,
}

impl crate::wire::Object for ErrorBody {
    const NAME: &'static str = "ErrorBody";

    fn from_map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        fn field(key: &str) -> usize {
            ["code", "message", "details", "service", "error"]
                .iter()
                .position(|k| *k == key)
                .unwrap_or(usize::MAX)
        }
        let mut body = ErrorBody::default();
        let mut nested = None;
        while let Some(i) = crate::wire::next_key(&mut map, field)? {
            let slot = match i {
                0 => &mut body.code,
                1 => &mut body.message,
                2 => &mut body.details,
                3 => &mut body.service,
                4 => {
                    match map.next_value::<serde_json::Value>()? {
                        serde_json::Value::Object(inner) => {
                            nested = serde_json::from_value::<ErrorBody>(inner.into()).ok();
                        }
                        other => body.error = LenientText::from_value(other),
                    }
                    continue;
                }
                _ => {
                    crate::wire::skip(&mut map)?;
                    continue;
                }
            };
            *slot = map.next_value::<LenientText>()?.0;
        }
        // Fields beside `error` win over the nested object's.
        if let Some(inner) = nested {
            body.code = body.code.or(inner.code);
            body.message = body.message.or(inner.message);
            body.details = body.details.or(inner.details);
            body.service = body.service.or(inner.service);
            body.error = body.error.or(inner.error);
        }
        if body.message.is_none() {
            body.message = body.error.clone();
        }
        Ok(body)
    }
}

impl<'de> Deserialize<'de> for ErrorBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::wire::deserialize(d)
    }
}

impl ErrorBody {
    /// Parses an error body; `None` unless it is a JSON object with at least one known field.
    pub fn parse(raw: &[u8]) -> Option<Self> {
        let body: ErrorBody = serde_json::from_slice(raw).ok()?;
        (body != ErrorBody::default()).then_some(body)
    }

    /// Reads any serializable error object (such as a generated `ErrorResponse`) the way
    /// [`parse`](Self::parse) reads raw bytes: known fields are kept, others ignored.
    pub fn from_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Self {
        serde_json::to_value(value)
            .and_then(serde_json::from_value)
            .unwrap_or_default()
    }
}

impl fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut sep = "";
        let error = self
            .error
            .as_ref()
            .filter(|e| Some(*e) != self.message.as_ref());
        for part in [&self.code, &self.message, &self.details]
            .into_iter()
            .flatten()
            .chain(error)
        {
            write!(f, "{sep}{part}")?;
            sep = ": ";
        }
        Ok(())
    }
}

/// Any JSON value as text: `null` is none, a string is itself, anything else its JSON.
struct LenientText(Option<String>);

impl LenientText {
    fn from_value(value: serde_json::Value) -> Option<String> {
        match value {
            serde_json::Value::Null => None,
            serde_json::Value::String(s) => Some(s),
            other => Some(other.to_string()),
        }
    }
}

impl<'de> Deserialize<'de> for LenientText {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(LenientText(Self::from_value(
            serde_json::Value::deserialize(d)?,
        )))
    }
}

/// A success response that did not match the declared type.
#[derive(Debug)]
pub struct DecodeError {
    /// The operation id.
    pub operation: &'static str,
    /// Where in the JSON the mismatch is (`markets[3].status`), `.` for the root.
    pub path: String,
    /// The serde error.
    pub source: serde_json::Error,
    /// The start of the body (at most 512 bytes, cut on a character boundary).
    pub excerpt: String,
}

impl DecodeError {
    /// Builds the error, keeping a bounded excerpt of the body.
    pub fn new(
        operation: &'static str,
        path: String,
        source: serde_json::Error,
        body: &[u8],
    ) -> Self {
        Self {
            operation,
            path,
            source,
            excerpt: excerpt(body, 512),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: decoding response at `{}`: {}; body starts: {}",
            self.operation, self.path, self.source, self.excerpt
        )
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(Box::new(e))
    }
}

/// The first `max` bytes of `bytes` as text, cut on a character boundary.
fn excerpt(bytes: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(max)]);
    let mut s = text.trim_end_matches('\u{FFFD}').to_string();
    if bytes.len() > max {
        s.push('…');
    }
    s
}

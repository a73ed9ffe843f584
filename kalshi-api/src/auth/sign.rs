//! The `KALSHI-ACCESS-*` headers: the one place the pre-sign text `timestamp_ms + METHOD + path` is
//! assembled, for REST requests and the WebSocket handshake alike.

use super::{SignError, Signer};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// `KALSHI-ACCESS-KEY`: the API key id.
pub const ACCESS_KEY: HeaderName = HeaderName::from_static("kalshi-access-key");
/// `KALSHI-ACCESS-TIMESTAMP`: the signed timestamp, in milliseconds.
pub const ACCESS_TIMESTAMP: HeaderName = HeaderName::from_static("kalshi-access-timestamp");
/// `KALSHI-ACCESS-SIGNATURE`: the base64 signature.
pub const ACCESS_SIGNATURE: HeaderName = HeaderName::from_static("kalshi-access-signature");

/// A signer with its key id ready as a header value (built once, marked sensitive).
#[derive(Clone)]
pub(crate) struct Credentials {
    signer: Arc<dyn Signer>,
    key_id: HeaderValue,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("signer", &self.signer)
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// Fails when the key id cannot be a header value.
    pub(crate) fn new(signer: Arc<dyn Signer>) -> Result<Self, SignError> {
        let mut key_id = HeaderValue::from_str(signer.key_id())
            .map_err(|_| SignError("the API key id is not a valid header value".into()))?;
        key_id.set_sensitive(true);
        Ok(Self { signer, key_id })
    }

    /// Signs `timestamp_ms + method + path` with a timestamp taken now. `path` is the URL path as
    /// sent, prefix included, query excluded.
    pub(crate) fn sign(&self, method: &str, path: &str) -> Result<SignedHeaders, SignError> {
        let ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_err(|_| SignError("system clock is before 1970".into()))?
            .as_millis();
        let mut ts_buf = itoa::Buffer::new();
        let ts = ts_buf.format(ms as u64);
        let mut message = String::with_capacity(ts.len() + method.len() + path.len());
        message.push_str(ts);
        message.push_str(method);
        message.push_str(path);
        let signature = self.signer.sign(message.as_bytes())?;
        let mut signature = HeaderValue::from_str(&signature).map_err(|_| {
            SignError("the signer returned a signature that is not a valid header value".into())
        })?;
        signature.set_sensitive(true);
        Ok(SignedHeaders {
            key: self.key_id.clone(),
            timestamp: HeaderValue::from_str(ts).expect("digits are a valid header value"),
            signature,
        })
    }
}

/// The three `KALSHI-ACCESS-*` headers of one signed request. `Debug` shows the timestamp only.
pub(crate) struct SignedHeaders {
    key: HeaderValue,
    timestamp: HeaderValue,
    signature: HeaderValue,
}

impl fmt::Debug for SignedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedHeaders")
            .field("timestamp", &self.timestamp)
            .finish_non_exhaustive()
    }
}

impl SignedHeaders {
    /// Inserts the headers, replacing any already there.
    pub(crate) fn apply(self, headers: &mut HeaderMap) {
        headers.insert(ACCESS_KEY, self.key);
        headers.insert(ACCESS_TIMESTAMP, self.timestamp);
        headers.insert(ACCESS_SIGNATURE, self.signature);
    }
}

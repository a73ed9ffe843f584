//! The `KALSHI-ACCESS-*` headers: the one place the pre-sign text `timestamp_ms + METHOD + path` is
//! assembled, for REST requests and the WebSocket handshake alike.

use super::waiting::DynAsyncSigner;
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

/// The signer of a client: one that signs at once, or one that waits.
#[derive(Clone)]
pub(crate) enum SignerKind {
    /// A [`Signer`] (the built-in [`KeyPairSigner`](super::KeyPairSigner) among them): called on
    /// the request's own task, nothing awaited, nothing boxed.
    Now(Arc<dyn Signer>),
    /// An [`AsyncSigner`](super::AsyncSigner): awaited.
    Waits(Arc<dyn DynAsyncSigner>),
}

impl SignerKind {
    fn key_id(&self) -> &str {
        match self {
            SignerKind::Now(signer) => signer.key_id(),
            SignerKind::Waits(signer) => signer.key_id(),
        }
    }
}

impl fmt::Debug for SignerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignerKind::Now(signer) => signer.fmt(f),
            SignerKind::Waits(signer) => signer.fmt(f),
        }
    }
}

/// A signer with its key id ready as a header value (built once, marked sensitive).
#[derive(Clone)]
pub(crate) struct Credentials {
    signer: SignerKind,
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
    pub(crate) fn new(signer: SignerKind) -> Result<Self, SignError> {
        let mut key_id = HeaderValue::from_str(signer.key_id())
            .map_err(|_| SignError("the API key id is not a valid header value".into()))?;
        key_id.set_sensitive(true);
        Ok(Self { signer, key_id })
    }

    /// Signs `timestamp_ms + method + path` with a timestamp taken now. `path` is the URL path as
    /// sent, prefix included, query excluded. A synchronous signer signs here; an asynchronous one
    /// is left [`Signing::Pending`] for the caller to await.
    pub(crate) fn sign(&self, method: &str, path: &str) -> Signing<'_> {
        let (ts_len, message) = match presign(method, path) {
            Ok(presigned) => presigned,
            Err(e) => return Signing::Ready(Err(e)),
        };
        match &self.signer {
            SignerKind::Now(signer) => Signing::Ready(
                signer
                    .sign(message.as_bytes())
                    .and_then(|signature| signed(&self.key_id, &message[..ts_len], &signature)),
            ),
            SignerKind::Waits(signer) => Signing::Pending(PendingSignature {
                signer: &**signer,
                key_id: &self.key_id,
                ts_len,
                message,
            }),
        }
    }
}

/// The outcome of [`Credentials::sign`]: the headers, or a signature still to be awaited.
pub(crate) enum Signing<'a> {
    /// Signed (or failed) at once.
    Ready(Result<SignedHeaders, SignError>),
    /// An asynchronous signer's signature, to await with [`PendingSignature::finish`].
    Pending(PendingSignature<'a>),
}

/// An asynchronous signer's work, not yet started: the timestamp is already taken (the first
/// `ts_len` bytes of `message`).
pub(crate) struct PendingSignature<'a> {
    signer: &'a dyn DynAsyncSigner,
    key_id: &'a HeaderValue,
    ts_len: usize,
    message: String,
}

impl PendingSignature<'_> {
    /// Awaits the signer and builds the headers.
    pub(crate) async fn finish(self) -> Result<SignedHeaders, SignError> {
        let signature = self.signer.sign_boxed(self.message.as_bytes()).await?;
        signed(self.key_id, &self.message[..self.ts_len], &signature)
    }
}

/// The pre-sign text `timestamp_ms + method + path`, with a timestamp (Unix milliseconds) taken
/// now, and the length of its timestamp prefix.
fn presign(method: &str, path: &str) -> Result<(usize, String), SignError> {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| SignError("system clock is before 1970".into()))?
        .as_millis();
    let mut ts_buf = itoa::Buffer::new();
    let ts = ts_buf.format(ms);
    let mut message = String::with_capacity(ts.len() + method.len() + path.len());
    message.push_str(ts);
    message.push_str(method);
    message.push_str(path);
    Ok((ts.len(), message))
}

/// The three headers of a signature over a message that began with `timestamp`.
fn signed(
    key_id: &HeaderValue,
    timestamp: &str,
    signature: &str,
) -> Result<SignedHeaders, SignError> {
    let mut signature = HeaderValue::from_str(signature).map_err(|_| {
        SignError("the signer returned a signature that is not a valid header value".into())
    })?;
    signature.set_sensitive(true);
    Ok(SignedHeaders {
        key: key_id.clone(),
        timestamp: HeaderValue::from_str(timestamp)
            .map_err(|_| SignError("the timestamp is not a valid header value".into()))?,
        signature,
    })
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

//! Signers that wait: [`AsyncSigner`] for an HSM, a cloud KMS or a remote signing service, and the
//! object-safe adapter the client stores it behind.

use super::SignError;
use futures_util::future::BoxFuture;
use std::fmt;
use std::future::Future;

/// Signs the pre-sign text `timestamp_ms + METHOD + path` of an authenticated request, waiting
/// without blocking the runtime (a hardware module, a cloud KMS, a remote signing service).
///
/// Implement it with an `async fn`; the future must be `Send`, since requests run in spawned
/// tasks. Pass it to [`ClientBuilder::async_signer`](crate::ClientBuilder::async_signer). The
/// client awaits it for every signed request, every retry and every WebSocket handshake, with the
/// timestamp taken just before: bound your own waits (Kalshi rejects stale timestamps).
///
/// ```
/// use kalshi_api::auth::{AsyncSigner, SignError};
///
/// /// Asks a signing service for each signature.
/// #[derive(Debug)]
/// struct RemoteSigner {
///     key_id: String,
/// }
///
/// impl AsyncSigner for RemoteSigner {
///     fn key_id(&self) -> &str {
///         &self.key_id
///     }
///
///     async fn sign(&self, message: &[u8]) -> Result<String, SignError> {
///         // e.g. a KMS `Sign` call; here an error stands in for it.
///         let _ = message;
///         Err(SignError("the signing service is not configured".into()))
///     }
/// }
///
/// let client = kalshi_api::Client::builder(kalshi_api::Environment::Demo)
///     .async_signer(RemoteSigner { key_id: "your-key-id".into() })
///     .build()?;
/// # Ok::<(), kalshi_api::Error>(())
/// ```
///
/// `Debug` is required so a client can be printed; it must not show secrets.
pub trait AsyncSigner: Send + Sync + fmt::Debug {
    /// The API key id sent as `KALSHI-ACCESS-KEY`.
    fn key_id(&self) -> &str;

    /// Signs `message` and returns the signature as standard base64 with padding.
    fn sign(&self, message: &[u8]) -> impl Future<Output = Result<String, SignError>> + Send;
}

/// [`AsyncSigner`] behind `dyn`: its future boxed, which costs one allocation per signature beside
/// a wait of a network or hardware round trip. The built-in signers never come through here.
pub(crate) trait DynAsyncSigner: Send + Sync + fmt::Debug {
    /// See [`AsyncSigner::key_id`].
    fn key_id(&self) -> &str;

    /// See [`AsyncSigner::sign`].
    fn sign_boxed<'a>(&'a self, message: &'a [u8]) -> BoxFuture<'a, Result<String, SignError>>;
}

impl<S: AsyncSigner> DynAsyncSigner for S {
    fn key_id(&self) -> &str {
        AsyncSigner::key_id(self)
    }

    fn sign_boxed<'a>(&'a self, message: &'a [u8]) -> BoxFuture<'a, Result<String, SignError>> {
        Box::pin(self.sign(message))
    }
}

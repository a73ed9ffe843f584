//! Request signing: the [`Signer`] seam (signs at once), the [`AsyncSigner`] seam (awaited: an HSM,
//! a KMS, a remote service), and [`KeyPairSigner`], which signs with an RSA or Ed25519 private key
//! loaded from PEM.
//!
//! Kalshi authenticates a request by a signature over `timestamp_ms + METHOD + path` (the path as
//! sent, prefix included, query removed). The client builds that message; a [`Signer`] only signs it.
//!
//! ```no_run
//! # fn demo() -> kalshi_api::Result<()> {
//! use kalshi_api::{auth::PrivateKey, Client, Environment};
//!
//! let key = PrivateKey::from_pem_file("kalshi-demo.key")?;
//! let client = Client::builder(Environment::Demo)
//!     .credentials("a952bcbe-ec3b-4b5b-b8f9-11dae589608c", key)
//!     .build()?;
//! # Ok(())
//! # }
//! ```

mod bearer;
mod key;
mod sign;
mod waiting;

pub use bearer::BearerToken;
pub use key::{KeyAlgorithm, KeyError, KeyErrorKind, PrivateKey, RsaBackend};
pub(crate) use sign::{Credentials, SignedHeaders, SignerKind, Signing};
pub use sign::{ACCESS_KEY, ACCESS_SIGNATURE, ACCESS_TIMESTAMP};
pub use waiting::AsyncSigner;

use base64::Engine as _;
use std::fmt;

/// Signs the pre-sign text `timestamp_ms + METHOD + path` of an authenticated request, at once.
///
/// Implement it to bring your own signer that answers without waiting (a key in memory, a local
/// library). It is called on the request's task: a signer that waits on a device or the network
/// implements [`AsyncSigner`] instead, so the runtime is never blocked.
pub trait Signer: Send + Sync + fmt::Debug {
    /// The API key id sent as `KALSHI-ACCESS-KEY`.
    fn key_id(&self) -> &str;

    /// Signs `message` and returns the signature as standard base64 with padding.
    fn sign(&self, message: &[u8]) -> Result<String, SignError>;
}

/// Signing failed.
#[derive(Debug, thiserror::Error)]
#[error("signing failed: {0}")]
pub struct SignError(pub String);

/// The built-in [`Signer`]: an API key id and its [`PrivateKey`] (RSA-PSS or Ed25519).
///
/// `Debug` shows the key id and the algorithm, never key material.
pub struct KeyPairSigner {
    key_id: String,
    key: PrivateKey,
}

impl KeyPairSigner {
    /// A signer for the API key `key_id` whose private key is `key`.
    pub fn new(key_id: impl Into<String>, key: PrivateKey) -> Self {
        Self {
            key_id: key_id.into(),
            key,
        }
    }

    /// Loads the private key from a PEM file (PKCS#8 or PKCS#1).
    pub fn from_pem_file(
        key_id: impl Into<String>,
        path: impl AsRef<std::path::Path>,
    ) -> Result<Self, KeyError> {
        Ok(Self::new(key_id, PrivateKey::from_pem_file(path)?))
    }

    /// Parses the private key from PEM text (PKCS#8 or PKCS#1).
    pub fn from_pem(key_id: impl Into<String>, pem: &str) -> Result<Self, KeyError> {
        Ok(Self::new(key_id, PrivateKey::from_pem(pem)?))
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        self.key.algorithm()
    }

    /// The private key.
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }
}

impl fmt::Debug for KeyPairSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeyPairSigner")
            .field("key_id", &self.key_id)
            .field("algorithm", &self.key.algorithm())
            .field("backend", &self.key.backend())
            .finish()
    }
}

impl Signer for KeyPairSigner {
    fn key_id(&self) -> &str {
        &self.key_id
    }

    fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        let signature = self.key.sign(message)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(signature))
    }
}

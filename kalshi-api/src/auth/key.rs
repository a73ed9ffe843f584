//! Private keys: PEM parsing (PKCS#8 and PKCS#1), key-type detection and the signing backends.

use super::SignError;
use base64::Engine as _;
use std::fmt;
use std::path::Path;
use zeroize::Zeroizing;

/// The signature algorithm of a private key, detected from the PEM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum KeyAlgorithm {
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.
    Rsa,
    /// Ed25519 (RFC 8032).
    Ed25519,
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyAlgorithm::Rsa => "RSA",
            KeyAlgorithm::Ed25519 => "Ed25519",
        })
    }
}

/// Which implementation signs with an RSA key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RsaBackend {
    /// The pure-Rust `rsa` crate (feature `rustcrypto`, on by default), with blinding. Zeroizes the
    /// key on drop; slow unless the `rsa` and `num-bigint-dig` crates are optimised.
    #[cfg(feature = "rustcrypto")]
    RustCrypto,
    /// `ring` (feature `ring`, on by default): about three times faster optimised, and fast in a
    /// debug build too (its bignum code is assembly and C), but does not zeroize the key on drop.
    #[cfg(feature = "ring")]
    Ring,
}

impl Default for RsaBackend {
    /// `Ring` when the `ring` feature is on, `RustCrypto` otherwise.
    fn default() -> Self {
        #[cfg(feature = "ring")]
        return RsaBackend::Ring;
        #[cfg(not(feature = "ring"))]
        return RsaBackend::RustCrypto;
    }
}

/// A parsed private key, ready to sign. Parsed once; key material is zeroized on drop (except by
/// `ring`, which does not support it) and never shown by `Debug`.
///
/// Ed25519 keys sign with `ed25519-dalek` under the `rustcrypto` feature, and with `ring` when only
/// the `ring` feature is on.
pub struct PrivateKey {
    inner: Inner,
}

enum Inner {
    #[cfg(feature = "rustcrypto")]
    Rsa(Box<rsa::pss::BlindedSigningKey<sha2::Sha256>>),
    #[cfg(feature = "ring")]
    RsaRing(Box<ring::signature::RsaKeyPair>, ring::rand::SystemRandom),
    #[cfg(feature = "rustcrypto")]
    Ed25519(Box<ed25519_dalek::SigningKey>),
    #[cfg(all(feature = "ring", not(feature = "rustcrypto")))]
    Ed25519Ring(Box<ring::signature::Ed25519KeyPair>),
}

/// PSS salt length Kalshi verifies strictly: the SHA-256 digest length.
#[cfg(feature = "rustcrypto")]
const PSS_SALT_LEN: usize = 32;

impl PrivateKey {
    /// Parses a PEM private key: PKCS#8 (`BEGIN PRIVATE KEY`, RSA or Ed25519) or PKCS#1
    /// (`BEGIN RSA PRIVATE KEY`). RSA keys use [`RsaBackend::default`].
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        Self::from_pem_with_backend(pem, RsaBackend::default())
    }

    /// Like [`PrivateKey::from_pem`], choosing the RSA backend.
    pub fn from_pem_with_backend(pem: &str, backend: RsaBackend) -> Result<Self, KeyError> {
        parse_pem(pem, backend)
            .map(|inner| Self { inner })
            .map_err(|kind| KeyError { origin: None, kind })
    }

    /// Reads and parses a PEM private key file (see [`PrivateKey::from_pem`]).
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<Self, KeyError> {
        Self::from_pem_file_with_backend(path, RsaBackend::default())
    }

    /// Like [`PrivateKey::from_pem_file`], choosing the RSA backend.
    pub fn from_pem_file_with_backend(
        path: impl AsRef<Path>,
        backend: RsaBackend,
    ) -> Result<Self, KeyError> {
        let path = path.as_ref();
        let origin = Some(format!("private key file `{}`", path.display()));
        let text = read_pem_file(path).map_err(|kind| KeyError {
            origin: origin.clone(),
            kind,
        })?;
        parse_pem(&text, backend)
            .map(|inner| Self { inner })
            .map_err(|kind| KeyError { origin, kind })
    }

    /// The key's algorithm.
    pub fn algorithm(&self) -> KeyAlgorithm {
        match self.inner {
            #[cfg(feature = "rustcrypto")]
            Inner::Rsa(_) => KeyAlgorithm::Rsa,
            #[cfg(feature = "ring")]
            Inner::RsaRing(..) => KeyAlgorithm::Rsa,
            #[cfg(feature = "rustcrypto")]
            Inner::Ed25519(_) => KeyAlgorithm::Ed25519,
            #[cfg(all(feature = "ring", not(feature = "rustcrypto")))]
            Inner::Ed25519Ring(_) => KeyAlgorithm::Ed25519,
        }
    }

    /// The crate that signs with this key: `rsa`, `ring` or `ed25519-dalek`.
    pub fn backend(&self) -> &'static str {
        match self.inner {
            #[cfg(feature = "rustcrypto")]
            Inner::Rsa(_) => "rsa",
            #[cfg(feature = "ring")]
            Inner::RsaRing(..) => "ring",
            #[cfg(feature = "rustcrypto")]
            Inner::Ed25519(_) => "ed25519-dalek",
            #[cfg(all(feature = "ring", not(feature = "rustcrypto")))]
            Inner::Ed25519Ring(_) => "ring",
        }
    }

    /// Signs `message`, returning the raw signature bytes (256 for RSA-2048, 64 for Ed25519).
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.inner {
            #[cfg(feature = "rustcrypto")]
            Inner::Rsa(key) => {
                use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
                let sig = key
                    .try_sign_with_rng(&mut rand_core::OsRng, message)
                    .map_err(|e| SignError(format!("RSA-PSS: {e}")))?;
                Ok(sig.to_vec())
            }
            #[cfg(feature = "ring")]
            Inner::RsaRing(key, rng) => {
                let mut sig = vec![0; key.public().modulus_len()];
                key.sign(&ring::signature::RSA_PSS_SHA256, rng, message, &mut sig)
                    .map_err(|_| SignError("RSA-PSS (ring) failed".into()))?;
                Ok(sig)
            }
            #[cfg(feature = "rustcrypto")]
            Inner::Ed25519(key) => {
                use ed25519_dalek::Signer as _;
                Ok(key.sign(message).to_bytes().to_vec())
            }
            #[cfg(all(feature = "ring", not(feature = "rustcrypto")))]
            Inner::Ed25519Ring(key) => Ok(key.sign(message).as_ref().to_vec()),
        }
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm())
            .field("backend", &self.backend())
            .finish_non_exhaustive()
    }
}

/// A private key could not be loaded. The message names the problem and the key's origin (a file
/// path or an environment variable); it never contains key material.
#[derive(Debug)]
pub struct KeyError {
    origin: Option<String>,
    kind: KeyErrorKind,
}

impl KeyError {
    /// What went wrong.
    pub fn kind(&self) -> &KeyErrorKind {
        &self.kind
    }

    /// Where the key came from, e.g. ``private key file `key.pem` `` or `KALSHI_PRIVATE_KEY`.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// Names where the key came from, for the error message.
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(origin) => write!(f, "{origin}: {}", self.kind),
            None => write!(f, "private key: {}", self.kind),
        }
    }
}

impl std::error::Error for KeyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            KeyErrorKind::Read(e) => Some(e),
            _ => None,
        }
    }
}

/// The kinds of [`KeyError`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum KeyErrorKind {
    /// The file could not be read.
    #[error("cannot read it: {0}")]
    Read(#[source] std::io::Error),
    /// The text has no PEM block at all.
    #[error("not a PEM private key: no `-----BEGIN ... PRIVATE KEY-----` line found")]
    NotPem,
    /// The PEM holds a public key or a certificate, not a private key.
    #[error("found a public key (`{0}`) where the private key belongs")]
    PublicKey(String),
    /// The PEM is encrypted with a passphrase.
    #[error(
        "the private key is encrypted; decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`"
    )]
    Encrypted,
    /// The key is of a type Kalshi does not accept.
    #[error("unsupported key type {0}; Kalshi accepts RSA and Ed25519 keys")]
    Unsupported(String),
    /// The PEM or the DER inside it is malformed.
    #[error("malformed {format}: {detail}")]
    Malformed {
        /// The format that failed to parse (`PEM`, `PKCS#8`, `PKCS#1`, ...).
        format: &'static str,
        /// What is wrong (never key material).
        detail: String,
    },
}

fn read_pem_file(path: &Path) -> Result<Zeroizing<String>, KeyErrorKind> {
    let bytes = Zeroizing::new(std::fs::read(path).map_err(KeyErrorKind::Read)?);
    match std::str::from_utf8(&bytes) {
        Ok(text) => Ok(Zeroizing::new(text.to_owned())),
        Err(_) => Err(KeyErrorKind::NotPem),
    }
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_ED25519: &str = "1.3.101.112";

/// Finds the first private-key block in `text` and parses it.
fn parse_pem(text: &str, backend: RsaBackend) -> Result<Inner, KeyErrorKind> {
    let mut rest = text;
    let mut public: Option<String> = None;
    let mut other: Option<String> = None;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + "-----BEGIN ".len()..];
        let label_end = after
            .find("-----")
            .ok_or_else(|| malformed_pem("unterminated BEGIN line"))?;
        let label = &after[..label_end];
        if label.len() > 64
            || !label
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b == b' ' || b.is_ascii_digit())
        {
            return Err(malformed_pem("invalid BEGIN line"));
        }
        let body_and_end = &after[label_end + "-----".len()..];
        let end_line = format!("-----END {label}-----");
        let body_end = body_and_end
            .find(&end_line)
            .ok_or_else(|| malformed_pem(&format!("`BEGIN {label}` has no matching END line")))?;
        let body = &body_and_end[..body_end];
        rest = &body_and_end[body_end + end_line.len()..];
        match label {
            "PRIVATE KEY" => return parse_pkcs8(&decode_body(body)?, backend),
            "RSA PRIVATE KEY" => {
                // RFC 1421 headers: `Proc-Type: 4,ENCRYPTED` marks a passphrase-protected key.
                if body
                    .lines()
                    .any(|l| l.trim_start().starts_with("Proc-Type:") && l.contains("ENCRYPTED"))
                {
                    return Err(KeyErrorKind::Encrypted);
                }
                return parse_rsa_pkcs1(&decode_body(body)?, "PKCS#1", backend);
            }
            "ENCRYPTED PRIVATE KEY" => return Err(KeyErrorKind::Encrypted),
            "EC PRIVATE KEY" => return Err(KeyErrorKind::Unsupported("EC (ECDSA)".into())),
            "DSA PRIVATE KEY" => return Err(KeyErrorKind::Unsupported("DSA".into())),
            "OPENSSH PRIVATE KEY" => {
                return Err(KeyErrorKind::Unsupported(
                    "OpenSSH private key format (convert it: `ssh-keygen -p -m PKCS8 -f FILE`)"
                        .into(),
                ))
            }
            "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" | "SSH2 PUBLIC KEY" => {
                public.get_or_insert_with(|| label.to_string());
            }
            _ => {
                other.get_or_insert_with(|| label.to_string());
            }
        }
    }
    if let Some(label) = public {
        return Err(KeyErrorKind::PublicKey(label));
    }
    if let Some(label) = other {
        return Err(KeyErrorKind::Unsupported(format!("PEM block `{label}`")));
    }
    Err(KeyErrorKind::NotPem)
}

fn malformed_pem(detail: &str) -> KeyErrorKind {
    KeyErrorKind::Malformed {
        format: "PEM",
        detail: detail.to_string(),
    }
}

/// Decodes the base64 body of a PEM block, skipping RFC 1421 header lines.
fn decode_body(body: &str) -> Result<Zeroizing<Vec<u8>>, KeyErrorKind> {
    let mut b64 = Zeroizing::new(String::with_capacity(body.len()));
    for line in body.lines() {
        if line.contains(':') {
            continue;
        }
        b64.extend(line.chars().filter(|c| !c.is_ascii_whitespace()));
    }
    if b64.is_empty() {
        return Err(malformed_pem("empty PEM block"));
    }
    let mut der = Zeroizing::new(Vec::with_capacity(b64.len() * 3 / 4));
    base64::engine::general_purpose::STANDARD
        .decode_vec(b64.as_bytes(), &mut der)
        .map_err(|_| malformed_pem("the body is not valid base64"))?;
    Ok(der)
}

fn parse_pkcs8(der: &[u8], backend: RsaBackend) -> Result<Inner, KeyErrorKind> {
    let info = pkcs8::PrivateKeyInfo::try_from(der).map_err(|e| KeyErrorKind::Malformed {
        format: "PKCS#8",
        detail: e.to_string(),
    })?;
    let oid = info.algorithm.oid.to_string();
    match oid.as_str() {
        // An `rsassa-pss` key (openssl genpkey -algorithm rsa-pss) holds an ordinary PKCS#1 key.
        OID_RSA | OID_RSA_PSS => parse_rsa_pkcs1(info.private_key, "PKCS#8 RSA key", backend),
        OID_ED25519 => parse_ed25519(info.private_key, info.public_key),
        "1.2.840.10045.2.1" => Err(KeyErrorKind::Unsupported("EC (ECDSA)".into())),
        "1.3.101.113" => Err(KeyErrorKind::Unsupported("Ed448".into())),
        "1.3.101.110" | "1.3.101.111" => Err(KeyErrorKind::Unsupported("X25519/X448".into())),
        "1.2.840.10040.4.1" => Err(KeyErrorKind::Unsupported("DSA".into())),
        _ => Err(KeyErrorKind::Unsupported(format!(
            "with algorithm OID {oid}"
        ))),
    }
}

/// An Ed25519 key of a PKCS#8 document (RFC 8410): the private key is an OCTET STRING holding the
/// 32-byte seed; a version 2 document also carries the public key, which must match the seed's.
fn parse_ed25519(private_key: &[u8], public_key: Option<&[u8]>) -> Result<Inner, KeyErrorKind> {
    let malformed = |detail: &str| KeyErrorKind::Malformed {
        format: "PKCS#8 Ed25519 key",
        detail: detail.to_string(),
    };
    let seed: &[u8; 32] = match private_key {
        [0x04, 0x20, seed @ ..] => seed.try_into().ok(),
        _ => None,
    }
    .ok_or_else(|| malformed("the private key is not a 32-byte seed"))?;
    #[cfg(feature = "rustcrypto")]
    {
        let key = ed25519_dalek::SigningKey::from_bytes(seed);
        if public_key.is_some_and(|public| public != key.verifying_key().as_bytes()) {
            return Err(malformed("its public key does not match the private key"));
        }
        Ok(Inner::Ed25519(Box::new(key)))
    }
    #[cfg(not(feature = "rustcrypto"))]
    {
        use ring::signature::Ed25519KeyPair;
        let key = match public_key {
            Some(public) => Ed25519KeyPair::from_seed_and_public_key(seed, public)
                .map_err(|_| malformed("its public key does not match the private key"))?,
            None => Ed25519KeyPair::from_seed_unchecked(seed)
                .map_err(|e| malformed(&format!("rejected by ring: {e}")))?,
        };
        Ok(Inner::Ed25519Ring(Box::new(key)))
    }
}

fn parse_rsa_pkcs1(
    der: &[u8],
    format: &'static str,
    backend: RsaBackend,
) -> Result<Inner, KeyErrorKind> {
    match backend {
        #[cfg(feature = "rustcrypto")]
        RsaBackend::RustCrypto => {
            use rsa::pkcs1::DecodeRsaPrivateKey as _;
            let key =
                rsa::RsaPrivateKey::from_pkcs1_der(der).map_err(|e| KeyErrorKind::Malformed {
                    format,
                    detail: e.to_string(),
                })?;
            Ok(Inner::Rsa(Box::new(
                rsa::pss::BlindedSigningKey::new_with_salt_len(key, PSS_SALT_LEN),
            )))
        }
        #[cfg(feature = "ring")]
        RsaBackend::Ring => {
            let key = ring::signature::RsaKeyPair::from_der(der).map_err(|e| {
                KeyErrorKind::Malformed {
                    format,
                    detail: format!("rejected by ring: {e}"),
                }
            })?;
            Ok(Inner::RsaRing(
                Box::new(key),
                ring::rand::SystemRandom::new(),
            ))
        }
    }
}

//! Public keys the exchange verifies signatures with, loaded from PEM.

use base64::Engine as _;
use std::fmt;

/// A public key registered with the exchange.
#[derive(Clone)]
pub enum PublicKey {
    /// RSA, verified as RSASSA-PSS with SHA-256 and a salt of exactly 32 bytes.
    Rsa(rsa::RsaPublicKey),
    /// Ed25519, verified strictly (RFC 8032 with the canonical-encoding checks).
    Ed25519(ed25519_dalek::VerifyingKey),
}

impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PublicKey::Rsa(k) => {
                use rsa::traits::PublicKeyParts as _;
                write!(f, "PublicKey::Rsa({} bits)", k.n().bits())
            }
            PublicKey::Ed25519(_) => f.write_str("PublicKey::Ed25519"),
        }
    }
}

const OID_RSA: &str = "1.2.840.113549.1.1.1";
const OID_RSA_PSS: &str = "1.2.840.113549.1.1.10";
const OID_ED25519: &str = "1.3.101.112";

impl PublicKey {
    /// Reads a public key from PEM: `PUBLIC KEY` (SPKI, RSA or Ed25519) or `RSA PUBLIC KEY`
    /// (PKCS#1). A private key PEM (`PRIVATE KEY`, `RSA PRIVATE KEY`) is accepted too and its public
    /// half is taken, which keeps local setups to one file.
    pub fn from_pem(pem: &str) -> Result<Self, String> {
        use pkcs8::der::Decode as _;
        use rsa::pkcs1::{DecodeRsaPrivateKey as _, DecodeRsaPublicKey as _};
        let (label, der) = pkcs8::SecretDocument::from_pem(pem.trim())
            .map_err(|e| format!("not a PEM key: {e}"))?;
        match label {
            "PUBLIC KEY" => {
                let spki = pkcs8::spki::SubjectPublicKeyInfoRef::from_der(der.as_bytes())
                    .map_err(|e| format!("malformed SPKI public key: {e}"))?;
                match spki.algorithm.oid.to_string().as_str() {
                    OID_RSA | OID_RSA_PSS => {
                        rsa::RsaPublicKey::from_pkcs1_der(spki.subject_public_key.raw_bytes())
                            .map(PublicKey::Rsa)
                            .map_err(|e| format!("malformed RSA public key: {e}"))
                    }
                    OID_ED25519 => {
                        let bytes: [u8; 32] = spki
                            .subject_public_key
                            .raw_bytes()
                            .try_into()
                            .map_err(|_| "an Ed25519 public key has 32 bytes".to_string())?;
                        ed25519_dalek::VerifyingKey::from_bytes(&bytes)
                            .map(PublicKey::Ed25519)
                            .map_err(|e| format!("malformed Ed25519 public key: {e}"))
                    }
                    oid => Err(format!("unsupported public key algorithm {oid}")),
                }
            }
            "RSA PUBLIC KEY" => rsa::RsaPublicKey::from_pkcs1_der(der.as_bytes())
                .map(PublicKey::Rsa)
                .map_err(|e| format!("malformed RSA public key: {e}")),
            "RSA PRIVATE KEY" => rsa::RsaPrivateKey::from_pkcs1_der(der.as_bytes())
                .map(|k| PublicKey::Rsa(k.to_public_key()))
                .map_err(|e| format!("malformed RSA private key: {e}")),
            "PRIVATE KEY" => {
                let info = pkcs8::PrivateKeyInfo::try_from(der.as_bytes())
                    .map_err(|e| format!("malformed PKCS#8 key: {e}"))?;
                match info.algorithm.oid.to_string().as_str() {
                    OID_RSA | OID_RSA_PSS => rsa::RsaPrivateKey::from_pkcs1_der(info.private_key)
                        .map(|k| PublicKey::Rsa(k.to_public_key()))
                        .map_err(|e| format!("malformed RSA private key: {e}")),
                    OID_ED25519 => ed25519_dalek::SigningKey::try_from(info)
                        .map(|k| PublicKey::Ed25519(k.verifying_key()))
                        .map_err(|e| format!("malformed Ed25519 private key: {e}")),
                    oid => Err(format!("unsupported key algorithm {oid}")),
                }
            }
            other => Err(format!("unsupported PEM block `{other}`")),
        }
    }

    /// Verifies a base64 signature over `message`; the error says why it failed.
    pub fn verify(&self, message: &[u8], signature_b64: &str) -> Result<(), String> {
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature_b64)
            .map_err(|_| "the signature is not standard base64".to_string())?;
        match self {
            PublicKey::Rsa(key) => {
                use rsa::signature::Verifier as _;
                let verifier =
                    rsa::pss::VerifyingKey::<sha2::Sha256>::new_with_salt_len(key.clone(), 32);
                let signature = rsa::pss::Signature::try_from(signature.as_slice())
                    .map_err(|_| "malformed RSA signature".to_string())?;
                verifier
                    .verify(message, &signature)
                    .map_err(|_| "RSA-PSS (SHA-256, salt 32) verification failed".to_string())
            }
            PublicKey::Ed25519(key) => {
                let signature = ed25519_dalek::Signature::from_slice(&signature)
                    .map_err(|_| "an Ed25519 signature has 64 bytes".to_string())?;
                key.verify_strict(message, &signature)
                    .map_err(|_| "Ed25519 verification failed".to_string())
            }
        }
    }
}

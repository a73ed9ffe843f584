//! Loading private keys: the forms Kalshi hands out, and clear errors for everything else.

mod common;

use common::*;
use kalshi_api::auth::{KeyAlgorithm, KeyErrorKind, PrivateKey, RsaBackend};
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::der::Encode as _;
use rsa::pkcs8::{EncodePublicKey as _, LineEnding};

fn pem(label: &str, der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(64)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "-----BEGIN {label}-----\n{}\n-----END {label}-----\n",
        lines.join("\n")
    )
}

/// The base64 lines of a PEM, to check that no error message echoes them.
fn secret_fragments(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() >= 12)
        .map(|l| l[..12].to_string())
        .collect()
}

fn assert_no_material(message: &str, pem: &str) {
    for fragment in secret_fragments(pem) {
        assert!(!message.contains(&fragment), "key material in: {message}");
    }
}

#[test]
fn both_rsa_forms_and_ed25519_load_and_sign_verifiably() {
    let rsa = rsa_key();
    let ed = ed25519_key();
    let cases = [
        (rsa_pkcs1_pem(rsa), KeyAlgorithm::Rsa, rsa_public(rsa)),
        (rsa_pkcs8_pem(rsa), KeyAlgorithm::Rsa, rsa_public(rsa)),
        (
            ed25519_pkcs8_pem(&ed),
            KeyAlgorithm::Ed25519,
            ed25519_public(&ed),
        ),
    ];
    for (text, algorithm, public) in cases {
        let key = PrivateKey::from_pem(&text).unwrap();
        assert_eq!(key.algorithm(), algorithm);
        let signer = kalshi_api::KeyPairSigner::new("id", key);
        let msg = b"1703123456789GET/trade-api/v2/portfolio/balance";
        let sig = kalshi_api::Signer::sign(&signer, msg).unwrap();
        public.verify(msg, &sig).unwrap();
    }
}

#[test]
fn pss_signatures_are_randomized() {
    // ring's PSS is randomized too: whichever backend is the default.
    let key = PrivateKey::from_pem_with_backend(&rsa_pkcs1_pem(rsa_key()), RsaBackend::default())
        .unwrap();
    let a = key.sign(b"same message").unwrap();
    let b = key.sign(b"same message").unwrap();
    assert_eq!(a.len(), 256);
    assert_ne!(a, b);
}

#[test]
fn crlf_line_endings_and_surrounding_text_are_accepted() {
    let text = format!(
        "Bag Attributes: whatever\r\n{}",
        rsa_pkcs1_pem(rsa_key()).replace('\n', "\r\n")
    );
    assert_eq!(
        PrivateKey::from_pem(&text).unwrap().algorithm(),
        KeyAlgorithm::Rsa
    );
}

#[test]
fn an_rsassa_pss_pkcs8_key_is_accepted() {
    // `openssl genpkey -algorithm rsa-pss` labels the key with the RSASSA-PSS OID.
    let pkcs1 = rsa_key().to_pkcs1_der().unwrap();
    let info = rsa::pkcs8::PrivateKeyInfo::new(
        rsa::pkcs8::AlgorithmIdentifierRef {
            oid: rsa::pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.10"),
            parameters: None,
        },
        pkcs1.as_bytes(),
    );
    let text = pem("PRIVATE KEY", &info.to_der().unwrap());
    assert_eq!(
        PrivateKey::from_pem(&text).unwrap().algorithm(),
        KeyAlgorithm::Rsa
    );
}

#[test]
fn a_missing_file_names_the_file() {
    let err = PrivateKey::from_pem_file("/nonexistent/kalshi.key").unwrap_err();
    assert!(matches!(err.kind(), KeyErrorKind::Read(_)));
    let msg = err.to_string();
    assert!(msg.contains("/nonexistent/kalshi.key"), "{msg}");
    assert!(msg.contains("cannot read"), "{msg}");
}

#[test]
fn a_public_key_where_the_private_key_belongs() {
    let public_pem = rsa_key()
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let (_dir, path) = temp_file(&public_pem);
    let err = PrivateKey::from_pem_file(&path).unwrap_err();
    assert!(matches!(err.kind(), KeyErrorKind::PublicKey(label) if label == "PUBLIC KEY"));
    let msg = err.to_string();
    assert!(
        msg.contains("public key") && msg.contains(&path.display().to_string()),
        "{msg}"
    );
    assert_no_material(&msg, &public_pem);
}

#[test]
fn encrypted_keys_are_refused_with_a_hint() {
    let pkcs8_encrypted = pem("ENCRYPTED PRIVATE KEY", &[0x30, 0x03, 0x02, 0x01, 0x00]);
    let legacy = rsa_pkcs1_pem(rsa_key()).replacen(
        "-----\n",
        "-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF0123456789ABCDEF\n\n",
        1,
    );
    for text in [pkcs8_encrypted, legacy] {
        let err = PrivateKey::from_pem(&text).unwrap_err();
        assert!(matches!(err.kind(), KeyErrorKind::Encrypted), "{err}");
        assert!(err.to_string().contains("encrypted"), "{err}");
        assert_no_material(&err.to_string(), &text);
    }
}

#[test]
fn unsupported_key_types_are_named() {
    let ed448 = rsa::pkcs8::PrivateKeyInfo::new(
        rsa::pkcs8::AlgorithmIdentifierRef {
            oid: rsa::pkcs8::ObjectIdentifier::new_unwrap("1.3.101.113"),
            parameters: None,
        },
        &[0x04, 0x39, 7, 7, 7],
    );
    let cases = [
        (pem("PRIVATE KEY", &ed448.to_der().unwrap()), "Ed448"),
        (pem("EC PRIVATE KEY", &[0x30, 0x00]), "EC"),
        (pem("OPENSSH PRIVATE KEY", b"openssh-key-v1\0"), "OpenSSH"),
    ];
    for (text, name) in cases {
        let err = PrivateKey::from_pem(&text).unwrap_err();
        assert!(matches!(err.kind(), KeyErrorKind::Unsupported(_)), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains(name) && msg.contains("RSA and Ed25519"),
            "{msg}"
        );
    }
}

#[test]
fn garbage_is_refused_without_echoing_it() {
    let err = PrivateKey::from_pem("my-api-key.pem").unwrap_err();
    assert!(matches!(err.kind(), KeyErrorKind::NotPem), "{err}");

    // A truncated key: valid PEM framing, broken DER inside.
    let full = rsa_pkcs8_pem(rsa_key());
    let lines: Vec<&str> = full.lines().collect();
    let truncated = [&lines[..6], &lines[lines.len() - 1..]].concat().join("\n");
    let err = PrivateKey::from_pem(&truncated).unwrap_err();
    assert!(
        matches!(err.kind(), KeyErrorKind::Malformed { .. }),
        "{err}"
    );
    assert_no_material(&err.to_string(), &full);

    // Not base64 at all.
    let err = PrivateKey::from_pem(
        "-----BEGIN PRIVATE KEY-----\nnot*base64*secretsecret!!\n-----END PRIVATE KEY-----\n",
    )
    .unwrap_err();
    assert!(
        matches!(err.kind(), KeyErrorKind::Malformed { format: "PEM", .. }),
        "{err}"
    );
    assert!(!err.to_string().contains("secretsecret"), "{err}");

    // No END line.
    let err = PrivateKey::from_pem("-----BEGIN PRIVATE KEY-----\nMIIE\n").unwrap_err();
    assert!(err.to_string().contains("END"), "{err}");
}

#[test]
fn an_ed25519_key_with_a_mismatched_public_half_is_refused() {
    // PKCS#8 v2 carries the public key; a mismatch means a corrupt file.
    let a = ed25519_key();
    let b = ed25519_key();
    let seed = a.to_bytes();
    let mut inner = vec![0x04, 0x20];
    inner.extend_from_slice(&seed);
    let public = b.verifying_key().to_bytes();
    let mut info = rsa::pkcs8::PrivateKeyInfo::new(
        rsa::pkcs8::AlgorithmIdentifierRef {
            oid: rsa::pkcs8::ObjectIdentifier::new_unwrap("1.3.101.112"),
            parameters: None,
        },
        &inner,
    );
    let matching = a.verifying_key().to_bytes();
    info.public_key = Some(&matching);
    let ok = PrivateKey::from_pem(&pem("PRIVATE KEY", &info.to_der().unwrap()));
    assert!(ok.is_ok(), "the matching pair loads: {ok:?}");
    info.public_key = Some(&public);
    let err = PrivateKey::from_pem(&pem("PRIVATE KEY", &info.to_der().unwrap())).unwrap_err();
    assert!(
        matches!(err.kind(), KeyErrorKind::Malformed { .. }),
        "{err}"
    );
}

#[test]
fn key_errors_convert_into_the_crate_error() {
    fn load() -> kalshi_api::Result<PrivateKey> {
        Ok(PrivateKey::from_pem("nope")?)
    }
    let err = load().unwrap_err();
    assert!(matches!(err, kalshi_api::Error::Key(_)), "{err:?}");
    assert!(
        err.to_string().starts_with("configuration: private key:"),
        "{err}"
    );
}

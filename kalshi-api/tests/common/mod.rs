//! Shared test helpers: keys generated once per test binary, PEM files, an exchange, and small
//! hand-written operations that do not depend on the generated code.
#![allow(dead_code)]

use kalshi_api::operation::{decode_json, Auth, Method, Operation, OperationInfo, QueryWriter};
use kalshi_api::DecodeError;
use kalshi_test_exchange::{Config, PublicKey, TestExchange};
use rand_core::RngCore as _;
use rsa::pkcs1::EncodeRsaPrivateKey as _;
use rsa::pkcs8::{EncodePrivateKey as _, EncodePublicKey as _, LineEnding};
use std::path::PathBuf;
use std::sync::OnceLock;

/// One RSA-2048 key per test binary: generation is the slow part.
pub fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA keygen"))
}

/// A second RSA key, for "wrong key" tests.
pub fn other_rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA keygen"))
}

pub fn ed25519_key() -> ed25519_dalek::SigningKey {
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    ed25519_dalek::SigningKey::from_bytes(&seed)
}

pub fn rsa_pkcs1_pem(key: &rsa::RsaPrivateKey) -> String {
    key.to_pkcs1_pem(LineEnding::LF).unwrap().to_string()
}

pub fn rsa_pkcs8_pem(key: &rsa::RsaPrivateKey) -> String {
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

pub fn ed25519_pkcs8_pem(key: &ed25519_dalek::SigningKey) -> String {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string()
}

pub fn rsa_public(key: &rsa::RsaPrivateKey) -> PublicKey {
    PublicKey::from_pem(
        &key.to_public_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap()
}

pub fn ed25519_public(key: &ed25519_dalek::SigningKey) -> PublicKey {
    PublicKey::Ed25519(key.verifying_key())
}

/// Writes `text` to a fresh temporary file that lives as long as the returned guard.
pub fn temp_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

pub const KEY_ID: &str = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";

/// An exchange that accepts `key` for [`KEY_ID`].
pub async fn exchange_with(key: PublicKey) -> TestExchange {
    TestExchange::start(Config::new().key(KEY_ID, key))
        .await
        .unwrap()
}

/// `GET /portfolio/balance`, authenticated, with an optional query.
pub struct Balance {
    pub subaccount: Option<i64>,
}

impl Operation for Balance {
    type Output = serde_json::Value;
    const INFO: OperationInfo = OperationInfo {
        id: "GetBalance",
        method: Method::GET,
        path: "/portfolio/balance",
        auth: Auth::Required,
        cost: kalshi_api::ratelimit::Cost::DEFAULT,
        bearer: false,
        buckets: None,
    };
    fn write_path(&self, out: &mut String) {
        out.push_str("/portfolio/balance");
    }
    fn write_query(&self, query: &mut QueryWriter<'_>) {
        query.push("subaccount", &self.subaccount);
    }
    fn decode(body: &[u8]) -> Result<Self::Output, DecodeError> {
        decode_json(Self::INFO.id, body)
    }
}

/// `GET /markets?limit=N`, public.
pub struct Markets {
    pub limit: Option<i64>,
}

impl Operation for Markets {
    type Output = serde_json::Value;
    const INFO: OperationInfo = OperationInfo {
        id: "GetMarkets",
        method: Method::GET,
        path: "/markets",
        auth: Auth::None,
        cost: kalshi_api::ratelimit::Cost::DEFAULT,
        bearer: false,
        buckets: None,
    };
    fn write_path(&self, out: &mut String) {
        out.push_str("/markets");
    }
    fn write_query(&self, query: &mut QueryWriter<'_>) {
        query.push("limit", &self.limit);
    }
    fn decode(body: &[u8]) -> Result<Self::Output, DecodeError> {
        decode_json(Self::INFO.id, body)
    }
}

/// `POST /portfolio/events/orders` with a JSON body.
pub struct CreateOrder(pub serde_json::Value);

impl Operation for CreateOrder {
    type Output = serde_json::Value;
    const INFO: OperationInfo = OperationInfo {
        id: "CreateOrderV2",
        method: Method::POST,
        path: "/portfolio/events/orders",
        auth: Auth::Required,
        cost: kalshi_api::ratelimit::Cost::DEFAULT,
        bearer: false,
        buckets: None,
    };
    fn write_path(&self, out: &mut String) {
        out.push_str("/portfolio/events/orders");
    }
    fn write_body(&self, buf: &mut Vec<u8>) -> Result<bool, serde_json::Error> {
        serde_json::to_writer(buf, &self.0)?;
        Ok(true)
    }
    fn decode(body: &[u8]) -> Result<Self::Output, DecodeError> {
        decode_json(Self::INFO.id, body)
    }
}

/// `DELETE /portfolio/events/orders/batched`: a DELETE with a JSON body.
pub struct BatchCancel(pub serde_json::Value);

impl Operation for BatchCancel {
    type Output = serde_json::Value;
    const INFO: OperationInfo = OperationInfo {
        id: "BatchCancelOrdersV2",
        method: Method::DELETE,
        path: "/portfolio/events/orders/batched",
        auth: Auth::Required,
        cost: kalshi_api::ratelimit::Cost::DEFAULT,
        bearer: false,
        buckets: None,
    };
    fn write_path(&self, out: &mut String) {
        out.push_str("/portfolio/events/orders/batched");
    }
    fn write_body(&self, buf: &mut Vec<u8>) -> Result<bool, serde_json::Error> {
        serde_json::to_writer(buf, &self.0)?;
        Ok(true)
    }
    fn decode(body: &[u8]) -> Result<Self::Output, DecodeError> {
        decode_json(Self::INFO.id, body)
    }
}

/// `GET /exchange/status` decoded into a type that does not match, to provoke a decode error.
pub struct StatusAsWrongType;

#[derive(Debug, serde::Deserialize)]
pub struct WrongStatus {
    pub exchange_active: String,
}

impl Operation for StatusAsWrongType {
    type Output = WrongStatus;
    const INFO: OperationInfo = OperationInfo {
        id: "GetExchangeStatus",
        method: Method::GET,
        path: "/exchange/status",
        auth: Auth::None,
        cost: kalshi_api::ratelimit::Cost::DEFAULT,
        bearer: false,
        buckets: None,
    };
    fn write_path(&self, out: &mut String) {
        out.push_str("/exchange/status");
    }
    fn decode(body: &[u8]) -> Result<Self::Output, DecodeError> {
        decode_json(Self::INFO.id, body)
    }
}

/// A path no route serves.
pub struct Nowhere;

impl Operation for Nowhere {
    type Output = serde_json::Value;
    const INFO: OperationInfo = OperationInfo {
        id: "Nowhere",
        method: Method::GET,
        path: "/nowhere",
        auth: Auth::None,
        cost: kalshi_api::ratelimit::Cost::DEFAULT,
        bearer: false,
        buckets: None,
    };
    fn write_path(&self, out: &mut String) {
        out.push_str("/nowhere");
    }
    fn decode(body: &[u8]) -> Result<Self::Output, DecodeError> {
        decode_json(Self::INFO.id, body)
    }
}

//! A plain reqwest client for the exchange that signs every request with an RSA key.
//!
//! RSA rather than Ed25519: the workspace optimises the RSA crates in debug builds, so the
//! exchange verifies an RSA signature in microseconds but an Ed25519 one in about 25 ms, which
//! would refill a test's token bucket between requests.
#![allow(dead_code)] // each test binary uses a different part

pub mod schema;
pub mod ws;

use base64::Engine as _;
use kalshi_test_exchange::{Config, Method, PublicKey, TestExchange};
use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
use serde_json::Value;
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

/// One RSA-2048 key per test binary: generation is the slow part.
fn key() -> &'static rsa::pss::SigningKey<sha2::Sha256> {
    static KEY: OnceLock<rsa::pss::SigningKey<sha2::Sha256>> = OnceLock::new();
    KEY.get_or_init(|| {
        let key = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("RSA keygen");
        // Salt length = digest length (32), as Kalshi requires.
        rsa::pss::SigningKey::new(key)
    })
}

/// A running exchange and a client whose key it accepts.
pub struct Api {
    pub exchange: TestExchange,
    pub http: reqwest::Client,
}

/// An answer: status, headers and body text.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("{e}: {}", self.text))
    }
}

impl Api {
    /// Starts an exchange with `config` plus the test key, accepted for any key id.
    pub async fn start(config: Config) -> Self {
        let public = PublicKey::Rsa(key().as_ref().to_public_key());
        let exchange = TestExchange::start(config.key_for_any_id(public))
            .await
            .unwrap();
        Self {
            exchange,
            http: reqwest::Client::new(),
        }
    }

    /// The full URL of `path` (relative to the prefix, query allowed).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.exchange.base_url())
    }

    /// A signed request for `path` (relative to the prefix, query allowed) with an optional JSON
    /// body.
    pub fn request(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        self.request_as("test-key", method, path, body)
    }

    /// [`Api::request`] signed for the API key id `key_id` (the test key is registered for any
    /// id, so each id is its own account).
    pub fn request_as(
        &self,
        key_id: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> reqwest::RequestBuilder {
        let url = reqwest::Url::parse(&self.url(path)).unwrap();
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .to_string();
        let message = format!("{ts}{}{}", method.as_str(), url.path());
        let signature = key().sign_with_rng(&mut rand_core::OsRng, message.as_bytes());
        let signature = base64::engine::general_purpose::STANDARD.encode(signature.to_bytes());
        let mut builder = self
            .http
            .request(method, url)
            .header("KALSHI-ACCESS-KEY", key_id)
            .header("KALSHI-ACCESS-TIMESTAMP", ts)
            .header("KALSHI-ACCESS-SIGNATURE", signature);
        if let Some(body) = body {
            builder = builder
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        builder
    }

    /// Sends a signed request and reads the whole answer.
    pub async fn send(&self, method: Method, path: &str, body: Option<&Value>) -> Reply {
        self.execute(self.request(method, path, body).build().unwrap())
            .await
    }

    /// [`Api::send`] signed for the API key id `key_id`.
    pub async fn send_as(
        &self,
        key_id: &str,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Reply {
        self.execute(self.request_as(key_id, method, path, body).build().unwrap())
            .await
    }

    /// Sends a request built (and signed) earlier and reads the whole answer.
    pub async fn execute(&self, request: reqwest::Request) -> Reply {
        let response = self.http.execute(request).await.unwrap();
        Reply {
            status: response.status().as_u16(),
            headers: response.headers().clone(),
            text: response.text().await.unwrap(),
        }
    }

    /// The three signature headers for `method` and `path` (the full path, prefix included).
    pub fn signed_headers(&self, method: &str, path: &str) -> [(&'static str, String); 3] {
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis()
            .to_string();
        let message = format!("{ts}{method}{path}");
        let signature = key().sign_with_rng(&mut rand_core::OsRng, message.as_bytes());
        let signature = base64::engine::general_purpose::STANDARD.encode(signature.to_bytes());
        [
            ("KALSHI-ACCESS-KEY", "test-key".to_string()),
            ("KALSHI-ACCESS-TIMESTAMP", ts),
            ("KALSHI-ACCESS-SIGNATURE", signature),
        ]
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str, body: Option<&Value>) -> Reply {
        self.send(Method::DELETE, path, body).await
    }
}

/// A valid `CreateOrderV2Request` for `ticker`.
pub fn order(ticker: &str) -> Value {
    serde_json::json!({
        "ticker": ticker,
        "side": "bid",
        "count": "10.00",
        "price": "0.5600",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "taker_at_cross",
    })
}

/// A ticker the exchange lists.
pub const TICKER: &str = "KXHIGHNY-26JAN01-T60";

//! Signed requests through the test exchange, which verifies every signature as Kalshi does.

mod common;

use common::*;
use kalshi_api::auth::{KeyAlgorithm, KeyPairSigner, PrivateKey, SignError, Signer};
use kalshi_api::{Client, Environment, Error};
use kalshi_test_exchange::{Config, TestExchange};
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

fn client_for(exchange: &TestExchange, key: PrivateKey) -> Client {
    Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(KEY_ID, key)
        .build()
        .unwrap()
}

/// Checks the headers of a recorded signed request and that the signature verifies over
/// `ts + METHOD + path` (the path without query).
fn assert_signed(
    req: &kalshi_test_exchange::RecordedRequest,
    public: &kalshi_test_exchange::PublicKey,
) {
    assert_eq!(req.header("kalshi-access-key"), Some(KEY_ID));
    let ts = req
        .header("kalshi-access-timestamp")
        .expect("timestamp header");
    assert_eq!(ts.len(), 13, "milliseconds, 13 digits: {ts}");
    assert!(ts.bytes().all(|b| b.is_ascii_digit()));
    let sig = req
        .header("kalshi-access-signature")
        .expect("signature header");
    let message = format!("{ts}{}{}", req.method, req.path);
    public
        .verify(message.as_bytes(), sig)
        .expect("signature verifies");
}

#[tokio::test]
async fn rsa_pkcs1_key_file_is_accepted() {
    let key = rsa_key();
    let (_dir, path) = temp_file(&rsa_pkcs1_pem(key));
    let exchange = exchange_with(rsa_public(key)).await;
    let private = PrivateKey::from_pem_file(&path).unwrap();
    assert_eq!(private.algorithm(), KeyAlgorithm::Rsa);
    let client = client_for(&exchange, private);

    let balance = client.execute(&Balance { subaccount: None }).await.unwrap();
    assert_eq!(balance["balance"], 1_000_000);

    let req = exchange.last_request().unwrap();
    assert_eq!(req.status, 200);
    assert_eq!(req.path, "/trade-api/v2/portfolio/balance");
    assert_signed(&req, &rsa_public(key));
}

#[tokio::test]
async fn rsa_pkcs8_key_file_is_accepted() {
    let key = rsa_key();
    let (_dir, path) = temp_file(&rsa_pkcs8_pem(key));
    let exchange = exchange_with(rsa_public(key)).await;
    let client = client_for(&exchange, PrivateKey::from_pem_file(&path).unwrap());
    client.execute(&Balance { subaccount: None }).await.unwrap();
    assert_signed(&exchange.last_request().unwrap(), &rsa_public(key));
}

#[cfg(feature = "rustcrypto")]
#[tokio::test]
async fn rsa_key_with_the_rsa_crate_backend_is_accepted() {
    // With the `ring` feature the default backend is ring; this keeps the `rsa` crate covered.
    let key = rsa_key();
    let exchange = exchange_with(rsa_public(key)).await;
    let private = PrivateKey::from_pem_with_backend(
        &rsa_pkcs8_pem(key),
        kalshi_api::auth::RsaBackend::RustCrypto,
    )
    .unwrap();
    assert_eq!(private.backend(), "rsa");
    client_for(&exchange, private)
        .execute(&Balance { subaccount: None })
        .await
        .unwrap();
}

#[cfg(feature = "ring")]
#[tokio::test]
async fn rsa_key_with_the_ring_backend_is_accepted() {
    let key = rsa_key();
    let exchange = exchange_with(rsa_public(key)).await;
    for pem in [rsa_pkcs1_pem(key), rsa_pkcs8_pem(key)] {
        let private =
            PrivateKey::from_pem_with_backend(&pem, kalshi_api::auth::RsaBackend::Ring).unwrap();
        assert_eq!(private.backend(), "ring");
        client_for(&exchange, private)
            .execute(&Balance { subaccount: None })
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn ed25519_key_is_accepted() {
    let key = ed25519_key();
    let (_dir, path) = temp_file(&ed25519_pkcs8_pem(&key));
    let exchange = exchange_with(ed25519_public(&key)).await;
    let private = PrivateKey::from_pem_file(&path).unwrap();
    assert_eq!(private.algorithm(), KeyAlgorithm::Ed25519);
    let backend = if cfg!(feature = "rustcrypto") {
        "ed25519-dalek"
    } else {
        "ring"
    };
    assert_eq!(private.backend(), backend);
    let client = client_for(&exchange, private);
    client.execute(&Balance { subaccount: None }).await.unwrap();
    assert_signed(&exchange.last_request().unwrap(), &ed25519_public(&key));
}

#[tokio::test]
async fn the_query_string_is_sent_but_not_signed() {
    let key = ed25519_key();
    let exchange = exchange_with(ed25519_public(&key)).await;
    let client = client_for(
        &exchange,
        PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap(),
    );
    client
        .execute(&Balance {
            subaccount: Some(3),
        })
        .await
        .unwrap();

    let req = exchange.last_request().unwrap();
    assert_eq!(req.status, 200);
    assert_eq!(req.query.as_deref(), Some("subaccount=3"));
    assert_signed(&req, &ed25519_public(&key));
    // And the signature is not over the path with the query.
    let ts = req.header("kalshi-access-timestamp").unwrap();
    let with_query = format!("{ts}GET{}?subaccount=3", req.path);
    assert!(ed25519_public(&key)
        .verify(
            with_query.as_bytes(),
            req.header("kalshi-access-signature").unwrap()
        )
        .is_err());
}

#[tokio::test]
async fn a_delete_with_a_json_body_is_signed_and_sent_with_its_body() {
    let key = rsa_key();
    let exchange = exchange_with(rsa_public(key)).await;
    let client = client_for(
        &exchange,
        PrivateKey::from_pem(&rsa_pkcs1_pem(key)).unwrap(),
    );
    let mut ids = Vec::new();
    for _ in 0..2 {
        let created = client
            .execute(&CreateOrder(json!({
                "ticker": "KXHIGHNY-26JAN01-T60",
                "side": "bid",
                "count": "10.00",
                "price": "0.5600",
                "time_in_force": "good_till_canceled",
                "self_trade_prevention_type": "taker_at_cross",
            })))
            .await
            .unwrap();
        ids.push(created["order_id"].as_str().unwrap().to_string());
    }
    let body =
        json!({"orders": [{"order_id": ids[0]}, {"order_id": ids[1]}, {"order_id": "nope"}]});
    let out = client.execute(&BatchCancel(body.clone())).await.unwrap();
    assert_eq!(out["orders"][0]["reduced_by"], "10.00");
    assert_eq!(out["orders"][1]["reduced_by"], "10.00");
    assert_eq!(out["orders"][2]["error"]["code"], "not_found");

    let req = exchange.last_request().unwrap();
    assert_eq!(req.method, "DELETE");
    assert_eq!(req.path, "/trade-api/v2/portfolio/events/orders/batched");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(req.json(), body);
    assert_signed(&req, &rsa_public(key));
}

#[tokio::test]
async fn public_operations_are_sent_unsigned() {
    let key = ed25519_key();
    let exchange = exchange_with(ed25519_public(&key)).await;
    let signed = client_for(
        &exchange,
        PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap(),
    );
    let public = Client::new(Environment::Custom(exchange.base_url()));
    for client in [signed, public] {
        let page = client.execute(&Markets { limit: Some(2) }).await.unwrap();
        assert_eq!(page["markets"].as_array().unwrap().len(), 2);
        let req = exchange.last_request().unwrap();
        assert_eq!(req.query.as_deref(), Some("limit=2"));
        for h in [
            "kalshi-access-key",
            "kalshi-access-timestamp",
            "kalshi-access-signature",
        ] {
            assert!(req.header(h).is_none(), "{h} sent on a public call");
        }
    }
}

#[tokio::test]
async fn an_authenticated_operation_without_credentials_fails_before_sending() {
    let exchange = TestExchange::start(Config::new()).await.unwrap();
    let client = Client::new(Environment::Custom(exchange.base_url()));
    let err = client
        .execute(&Balance { subaccount: None })
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth {
                operation: "GetBalance",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("needs an API key"), "{err}");
    assert!(exchange.requests().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn a_wrong_key_gives_a_typed_401() {
    let exchange = exchange_with(rsa_public(rsa_key())).await;
    let client = client_for(
        &exchange,
        PrivateKey::from_pem(&rsa_pkcs8_pem(other_rsa_key())).unwrap(),
    );
    let err = client
        .execute(&Balance { subaccount: None })
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected Error::Api, got {err:?}")
    };
    assert_eq!(api.status, 401);
    assert_eq!(api.operation, "GetBalance");
    let body = api.body.as_ref().expect("ErrorResponse body parsed");
    assert_eq!(body.code.as_deref(), Some("authentication_error"));
    assert!(!api.raw.is_empty());
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
}

#[tokio::test]
async fn an_unknown_key_id_gives_a_401() {
    let key = ed25519_key();
    let exchange = exchange_with(ed25519_public(&key)).await;
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(
            "someone-else",
            PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap(),
        )
        .build()
        .unwrap();
    let err = client
        .execute(&Balance { subaccount: None })
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
}

#[tokio::test]
async fn a_base_url_with_another_prefix_signs_the_full_path() {
    let key = rsa_key();
    let prefix = "/proxy/kalshi/trade-api/v2";
    let exchange = TestExchange::start(Config::new().prefix(prefix).key(KEY_ID, rsa_public(key)))
        .await
        .unwrap();
    assert!(exchange.base_url().ends_with(prefix));
    let client = client_for(
        &exchange,
        PrivateKey::from_pem(&rsa_pkcs1_pem(key)).unwrap(),
    );
    client.execute(&Balance { subaccount: None }).await.unwrap();
    let req = exchange.last_request().unwrap();
    assert_eq!(req.path, "/proxy/kalshi/trade-api/v2/portfolio/balance");
    assert_signed(&req, &rsa_public(key));
}

#[tokio::test]
async fn a_base_url_with_a_trailing_slash_and_no_prefix_works() {
    let key = ed25519_key();
    let exchange = TestExchange::start(Config::new().prefix("").key(KEY_ID, ed25519_public(&key)))
        .await
        .unwrap();
    let client = Client::builder(Environment::Custom(format!("{}/", exchange.base_url())))
        .credentials(
            KEY_ID,
            PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap(),
        )
        .build()
        .unwrap();
    client.execute(&Balance { subaccount: None }).await.unwrap();
    assert_eq!(exchange.last_request().unwrap().path, "/portfolio/balance");
}

#[tokio::test]
async fn every_request_gets_a_fresh_timestamp_and_signature() {
    let key = rsa_key();
    let exchange = exchange_with(rsa_public(key)).await;
    let client = client_for(
        &exchange,
        PrivateKey::from_pem(&rsa_pkcs1_pem(key)).unwrap(),
    );
    client.execute(&Balance { subaccount: None }).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    client.execute(&Balance { subaccount: None }).await.unwrap();
    let reqs = exchange.requests();
    let ts: Vec<_> = reqs
        .iter()
        .map(|r| r.header("kalshi-access-timestamp").unwrap())
        .collect();
    let sigs: Vec<_> = reqs
        .iter()
        .map(|r| r.header("kalshi-access-signature").unwrap())
        .collect();
    assert_ne!(ts[0], ts[1]);
    assert_ne!(sigs[0], sigs[1]);
}

/// Sends a request by hand with the given signed text, as a buggy client would.
async fn send_raw(
    exchange: &TestExchange,
    signer: &KeyPairSigner,
    ts: u64,
    signed: &str,
) -> (u16, serde_json::Value) {
    let sig = signer.sign(format!("{ts}{signed}").as_bytes()).unwrap();
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/portfolio/balance?subaccount=0",
            exchange.base_url()
        ))
        .header("KALSHI-ACCESS-KEY", KEY_ID)
        .header("KALSHI-ACCESS-TIMESTAMP", ts.to_string())
        .header("KALSHI-ACCESS-SIGNATURE", sig)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (
        status,
        serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap(),
    )
}

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

#[tokio::test]
async fn the_exchange_rejects_the_common_signing_mistakes() {
    let key = ed25519_key();
    let exchange = exchange_with(ed25519_public(&key)).await;
    let signer = KeyPairSigner::from_pem(KEY_ID, &ed25519_pkcs8_pem(&key)).unwrap();
    let path = "/trade-api/v2/portfolio/balance";

    // The right message passes, so the failures below are each about one mistake.
    assert_eq!(
        send_raw(&exchange, &signer, now_ms(), &format!("GET{path}"))
            .await
            .0,
        200
    );

    let cases = [
        ("stale timestamp", now_ms() - 60_000, format!("GET{path}")),
        ("method mismatch", now_ms(), format!("POST{path}")),
        (
            "prefix left out",
            now_ms(),
            "GET/portfolio/balance".to_string(),
        ),
        ("query signed", now_ms(), format!("GET{path}?subaccount=0")),
        ("lower-case method", now_ms(), format!("get{path}")),
    ];
    for (what, ts, signed) in cases {
        let (status, body) = send_raw(&exchange, &signer, ts, &signed).await;
        assert_eq!(status, 401, "{what}");
        assert_eq!(body["error"]["code"], "authentication_error", "{what}");
    }
    // Seconds instead of milliseconds.
    let (status, body) = send_raw(&exchange, &signer, now_ms() / 1000, &format!("GET{path}")).await;
    assert_eq!(status, 401);
    assert!(
        body["error"]["details"]
            .as_str()
            .unwrap()
            .contains("milliseconds"),
        "{body}"
    );
}

/// Signs RSA-PSS with the maximum salt length instead of 32: strict verification must refuse it.
#[derive(Debug)]
struct MaxSaltSigner(rsa::pss::BlindedSigningKey<sha2::Sha256>);

impl Signer for MaxSaltSigner {
    fn key_id(&self) -> &str {
        KEY_ID
    }
    fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        use base64::Engine as _;
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _};
        let sig = self.0.sign_with_rng(&mut rand_core::OsRng, message);
        Ok(base64::engine::general_purpose::STANDARD.encode(sig.to_bytes()))
    }
}

#[tokio::test]
async fn rsa_pss_with_a_max_length_salt_is_refused() {
    let key = rsa_key();
    let exchange = exchange_with(rsa_public(key)).await;
    // 256-byte modulus: the largest salt is 256 - 32 - 2 = 222 bytes.
    let signer = MaxSaltSigner(rsa::pss::BlindedSigningKey::new_with_salt_len(
        key.clone(),
        222,
    ));
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .signer(signer)
        .build()
        .unwrap();
    let err = client
        .execute(&Balance { subaccount: None })
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401), "{err}");
}

/// A user-supplied signer: delegates and counts.
#[derive(Debug)]
struct CountingSigner {
    inner: KeyPairSigner,
    calls: Arc<AtomicUsize>,
}

impl Signer for CountingSigner {
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }
    fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.sign(message)
    }
}

#[tokio::test]
async fn a_custom_signer_plugs_in() {
    let key = ed25519_key();
    let exchange = exchange_with(ed25519_public(&key)).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = CountingSigner {
        inner: KeyPairSigner::from_pem(KEY_ID, &ed25519_pkcs8_pem(&key)).unwrap(),
        calls: calls.clone(),
    };
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .signer(signer)
        .build()
        .unwrap();
    client.execute(&Balance { subaccount: None }).await.unwrap();
    client.execute(&Markets { limit: None }).await.unwrap();
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "only the authenticated call is signed"
    );
}

#[derive(Debug)]
struct FailingSigner;

impl Signer for FailingSigner {
    fn key_id(&self) -> &str {
        KEY_ID
    }
    fn sign(&self, _: &[u8]) -> Result<String, SignError> {
        Err(SignError("the HSM is offline".into()))
    }
}

#[tokio::test]
async fn a_failing_signer_gives_an_auth_error_and_sends_nothing() {
    let exchange = TestExchange::start(Config::new()).await.unwrap();
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .signer(FailingSigner)
        .build()
        .unwrap();
    let err = client
        .execute(&Balance { subaccount: None })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("the HSM is offline"), "{err}");
    assert!(exchange.requests().is_empty());
}

#[tokio::test]
async fn debug_output_never_shows_key_material() {
    let key = rsa_key();
    let pem = rsa_pkcs8_pem(key);
    let private = PrivateKey::from_pem(&pem).unwrap();
    let signer = KeyPairSigner::new(KEY_ID, PrivateKey::from_pem(&pem).unwrap());
    let client = Client::builder(Environment::Demo)
        .credentials(KEY_ID, PrivateKey::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let body_lines: Vec<&str> = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    for shown in [
        format!("{private:?}"),
        format!("{signer:?}"),
        format!("{client:?}"),
        format!("{client:#?}"),
    ] {
        for line in &body_lines {
            assert!(!shown.contains(&line[..16]), "key material in {shown}");
        }
        assert!(!shown.contains("BEGIN"), "{shown}");
    }
    let shown = format!("{signer:?}");
    assert!(shown.contains(KEY_ID) && shown.contains("Rsa"), "{shown}");
}

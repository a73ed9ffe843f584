//! A signer that waits (an HSM, a KMS, a remote service) through the test exchange, which verifies
//! every signature: requests, retries and the WebSocket handshake await it without blocking.

mod common;

use common::*;
use futures_util::StreamExt;
use kalshi_api::auth::{AsyncSigner, KeyPairSigner, SignError, Signer};
use kalshi_api::ws::{Event, Session, SessionConfig, Subscribe, SubscribeChannelsItem};
use kalshi_api::{Client, Environment, Error, RetryPolicy};
use kalshi_test_exchange::{Config, Fault, FaultKind, TestExchange};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A remote signer stand-in: a 50 ms round trip (a tokio timer), then a real Ed25519 signature.
#[derive(Debug)]
struct SlowSigner {
    inner: KeyPairSigner,
    calls: Arc<AtomicUsize>,
}

impl AsyncSigner for SlowSigner {
    fn key_id(&self) -> &str {
        self.inner.key_id()
    }

    async fn sign(&self, message: &[u8]) -> Result<String, SignError> {
        tokio::time::sleep(Duration::from_millis(50)).await;
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.inner.sign(message)
    }
}

/// An exchange with a fresh Ed25519 key, and a client signing through a [`SlowSigner`] for it.
async fn setup(config: Config) -> (TestExchange, Client, Arc<AtomicUsize>) {
    let key = ed25519_key();
    let exchange = TestExchange::start(config.key(KEY_ID, ed25519_public(&key)))
        .await
        .unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let signer = SlowSigner {
        inner: KeyPairSigner::from_pem(KEY_ID, &ed25519_pkcs8_pem(&key)).unwrap(),
        calls: calls.clone(),
    };
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .async_signer(signer)
        .build()
        .unwrap();
    (exchange, client, calls)
}

// One runtime thread: a signer that blocked it would serialise the 100 waits (5 s).
#[tokio::test(flavor = "current_thread")]
async fn a_hundred_concurrent_requests_wait_on_the_signer_together() {
    let (exchange, client, calls) = setup(Config::new()).await;
    let started = Instant::now();
    let requests = (0..100).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.execute(&Balance { subaccount: None }).await })
    });
    let answers = futures_util::future::join_all(requests).await;
    let elapsed = started.elapsed();
    for answer in answers {
        let balance = answer.unwrap().expect("signed and accepted");
        assert_eq!(balance["balance"], 1_000_000);
    }
    assert!(
        elapsed < Duration::from_millis(2500),
        "100 requests with a 50 ms signer took {elapsed:?}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 100);
    let requests = exchange.requests();
    assert_eq!(requests.len(), 100);
    assert!(requests.iter().all(|r| r.status == 200));
}

#[tokio::test]
async fn each_retry_is_signed_afresh_by_the_async_signer() {
    let (exchange, client, calls) = setup(Config::new()).await;
    let client = client.with_retry(
        RetryPolicy::default()
            .max_attempts(4)
            .base_delay(Duration::from_millis(20))
            .jitter_seed(7),
    );
    exchange.inject(
        Fault::new(FaultKind::Status(503))
            .path("/portfolio/balance")
            .times(2),
    );
    client
        .execute(&Balance { subaccount: None })
        .await
        .expect("the third attempt succeeds");
    let requests = exchange.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    assert_eq!(calls.load(Ordering::SeqCst), 3, "one signature per attempt");
    let signatures: Vec<_> = requests
        .iter()
        .map(|r| r.header("kalshi-access-signature").unwrap().to_string())
        .collect();
    assert_ne!(signatures[0], signatures[2]);
}

#[tokio::test]
async fn public_requests_do_not_wait_on_the_signer() {
    let (_exchange, client, calls) = setup(Config::new()).await;
    client.execute(&Markets { limit: Some(1) }).await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    // The client's Debug shows the signer as its own Debug does: here the key id and algorithm.
    let shown = format!("{client:?}");
    assert!(
        shown.contains("SlowSigner") && shown.contains("Ed25519"),
        "{shown}"
    );
    assert!(!shown.contains("PRIVATE KEY"), "{shown}");
}

#[tokio::test]
async fn build_request_points_to_its_async_form() {
    let (exchange, client, calls) = setup(Config::new()).await;
    let err = client
        .build_request(&Balance { subaccount: None })
        .unwrap_err();
    assert!(
        matches!(&err, Error::Auth { message, .. } if message.contains("build_request_async")),
        "{err:?}"
    );
    let req = client
        .build_request_async(&Balance { subaccount: None })
        .await
        .unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert!(req.headers().contains_key("kalshi-access-signature"));
    let sent = reqwest::Client::new().execute(req).await.unwrap();
    assert_eq!(sent.status(), 200);
    assert_eq!(exchange.requests().len(), 1);
}

#[derive(Debug)]
struct OfflineSigner;

impl AsyncSigner for OfflineSigner {
    fn key_id(&self) -> &str {
        KEY_ID
    }

    async fn sign(&self, _: &[u8]) -> Result<String, SignError> {
        tokio::task::yield_now().await;
        Err(SignError("the KMS is unreachable".into()))
    }
}

#[tokio::test]
async fn a_failing_async_signer_is_an_auth_error_and_sends_nothing() {
    let exchange = TestExchange::start(Config::new()).await.unwrap();
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .async_signer(OfflineSigner)
        .build()
        .unwrap();
    let err = client
        .execute(&Balance { subaccount: None })
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("the KMS is unreachable"), "{err}");
    assert!(exchange.requests().is_empty());
}

#[tokio::test]
async fn a_websocket_session_connects_and_reconnects_through_the_async_signer() {
    let (exchange, client, calls) = setup(
        Config::new()
            .market_count(2)
            .ws_interval(Duration::from_millis(5)),
    )
    .await;
    let (session, mut events) = Session::connect(&client, SessionConfig::new())
        .await
        .expect("the handshake signed by the async signer is accepted");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let tickers = exchange.market_tickers();
    session
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::Ticker]).market_tickers(tickers))
        .await
        .unwrap();
    exchange.ws_drop_connections();
    let reconnected = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(event) = events.next().await {
            if matches!(event, Event::Reconnected { .. }) {
                return;
            }
        }
        panic!("the stream ended");
    });
    reconnected.await.expect("reconnected within 10 s");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "the reconnect signed afresh"
    );
    session.close().await;
}

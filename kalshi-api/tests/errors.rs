//! The error type keeps failures apart: API errors, timeouts, transport and decode errors.

mod common;

use common::*;
use kalshi_api::{Client, Environment, Error};
use kalshi_test_exchange::{Config, TestExchange};
use std::time::Duration;

#[tokio::test]
async fn an_unknown_path_gives_an_api_error_with_the_parsed_body() {
    let exchange = TestExchange::start(Config::new()).await.unwrap();
    let client = Client::new(Environment::Custom(exchange.base_url()));
    let err = client.execute(&Nowhere).await.unwrap_err();
    let api = err.api_error().expect("an API error");
    assert!(matches!(err, Error::Api(_)));
    assert_eq!(api.status, 404);
    assert_eq!(
        api.body.as_ref().unwrap().code.as_deref(),
        Some("not_found")
    );
    assert!(err.to_string().contains("Nowhere: HTTP 404"), "{err}");
}

#[tokio::test]
async fn a_mismatched_body_gives_a_decode_error_with_path_and_excerpt() {
    let exchange = TestExchange::start(Config::new()).await.unwrap();
    let client = Client::new(Environment::Custom(exchange.base_url()));
    let err = client.execute(&StatusAsWrongType).await.unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("expected a decode error, got {err:?}")
    };
    assert_eq!(d.operation, "GetExchangeStatus");
    assert_eq!(d.path, "exchange_active");
    assert!(d.excerpt.contains("\"exchange_active\""), "{}", d.excerpt);
}

#[tokio::test]
async fn a_server_that_never_answers_gives_a_timeout() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((sock, _)) = listener.accept().await {
            held.push(sock);
        }
    });
    let client = Client::builder(Environment::Custom(format!("http://{addr}/trade-api/v2")))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client.execute(&Markets { limit: None }).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Timeout {
                operation: "GetMarkets",
                ..
            }
        ),
        "{err:?}"
    );
    hold.abort();
}

#[tokio::test]
async fn a_refused_connection_gives_a_transport_error() {
    // Bind then drop, so the port is (almost certainly) closed.
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let client = Client::new(Environment::Custom(format!("http://{addr}/trade-api/v2")));
    let err = client.execute(&Markets { limit: None }).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[test]
fn a_bad_base_url_is_a_config_error() {
    for url in [
        "not a url",
        "ftp://example.com/x",
        "https://example.com/v2?x=1",
    ] {
        let err = Client::builder(Environment::Custom(url.into()))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{url}: {err:?}");
        assert!(err.to_string().contains(url), "{err}");
    }
}

#[test]
fn build_request_shows_the_wire_form_without_sending() {
    let client = Client::new(Environment::Demo);
    let req = client.build_request(&Markets { limit: Some(5) }).unwrap();
    assert_eq!(req.method(), "GET");
    assert_eq!(
        req.url().as_str(),
        "https://external-api.demo.kalshi.co/trade-api/v2/markets?limit=5"
    );
    assert!(req.headers().get("kalshi-access-signature").is_none());
}

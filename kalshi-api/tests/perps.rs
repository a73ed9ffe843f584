//! The perps product beside event contracts: its namespace, its operations sent by the same
//! client (bucket set, bearer tokens), and its WebSocket messages with exact money.

use kalshi_api::operation::{Auth, Operation};
use kalshi_api::{perps, Client, Environment, Error};
use std::any::TypeId;

/// A client whose requests could never reach a server: an error from it was raised before sending.
fn unreachable() -> kalshi_api::ClientBuilder {
    Client::builder(Environment::Custom(
        "http://127.0.0.1:1/trade-api/v2".into(),
    ))
}

/// Whether the spec accepts a bearer token for `O`.
fn accepts_bearer<O: Operation>() -> bool {
    O::INFO.bearer
}

#[test]
fn perps_operations_are_their_own_namespace_and_bucket_set() {
    let info = perps::ops::GetMarginFills::INFO;
    assert_eq!(info.path, "/margin/fills");
    assert_eq!(info.buckets, Some("perps"));
    assert_eq!(kalshi_api::ops::GetFills::INFO.buckets, None);
    // The operation both specs list is one type per product, each in its own namespace.
    assert_eq!(
        perps::ops::IntraExchangeInstanceTransfer::INFO.path,
        kalshi_api::ops::IntraExchangeInstanceTransfer::INFO.path
    );
    // A schema that differs between the specs is a distinct type.
    assert_ne!(
        TypeId::of::<perps::types::OrderGroup>(),
        TypeId::of::<kalshi_api::types::OrderGroup>()
    );
}

#[test]
fn perps_requests_go_to_the_same_base_url() {
    let client = Client::new(Environment::Demo);
    let req = client
        .build_request(&perps::ops::GetMarginExchangeStatus::new())
        .unwrap();
    assert_eq!(
        req.url().as_str(),
        "https://external-api.demo.kalshi.co/trade-api/v2/margin/exchange/status"
    );
    assert_eq!(
        client.margin_ws_url(),
        "wss://external-api-margin-ws.demo.kalshi.co/trade-api/ws/v2/margin"
    );
}

#[test]
fn a_bearer_client_sends_its_token_only_where_the_spec_accepts_it() {
    let client = unreachable().bearer_token("tok-123").build().unwrap();
    assert!(client.has_bearer_token() && !client.has_credentials());
    let fills = perps::ops::GetMarginFills::new();
    assert!(accepts_bearer::<perps::ops::GetMarginFills>());
    let req = client.build_request(&fills).unwrap();
    assert_eq!(req.headers()["authorization"], "Bearer tok-123");
    assert!(req.headers().get("kalshi-access-signature").is_none());

    let balance = perps::ops::GetMarginBalance::new();
    assert_eq!(perps::ops::GetMarginBalance::INFO.auth, Auth::Required);
    assert!(!accepts_bearer::<perps::ops::GetMarginBalance>());
    let err = client.build_request(&balance).unwrap_err();
    assert!(
        matches!(
            err,
            Error::BearerNotAccepted {
                operation: "GetMarginBalance"
            }
        ),
        "{err:?}"
    );
    // Public operations go out unauthenticated.
    let status = client
        .build_request(&perps::ops::GetMarginExchangeStatus::new())
        .unwrap();
    assert!(status.headers().get("authorization").is_none());
}

#[tokio::test]
async fn a_bearer_client_refuses_a_key_only_operation_before_sending() {
    let client = unreachable().bearer_token("tok-123").build().unwrap();
    let err = client
        .perps()
        .get_margin_balance(perps::ops::GetMarginBalance::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BearerNotAccepted { .. }), "{err:?}");
    assert!(
        err.to_string().contains("does not accept a bearer token"),
        "{err}"
    );
    // The accepted one is sent: it fails on the unreachable server, not before.
    let err = client
        .perps()
        .get_margin_fills(perps::ops::GetMarginFills::new())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
}

#[test]
fn the_token_never_shows_in_debug() {
    let builder = unreachable().bearer_token("s3cr3t-token");
    assert!(!format!("{builder:?}").contains("s3cr3t"));
    let client = builder.build().unwrap();
    let req = client
        .build_request(&perps::ops::GetMarginPositions::new())
        .unwrap();
    let shown = format!("{client:?} {req:?} {:?}", req.headers());
    assert!(!shown.contains("s3cr3t"), "{shown}");
}

#[test]
fn a_key_and_a_token_together_are_a_configuration_error() {
    use ed25519_dalek::pkcs8::{spki::der::pem::LineEnding, EncodePrivateKey as _};
    let pem = ed25519_dalek::SigningKey::from_bytes(&[7; 32])
        .to_pkcs8_pem(LineEnding::LF)
        .unwrap();
    let key = kalshi_api::PrivateKey::from_pem(&pem).unwrap();
    let err = unreachable()
        .credentials("id", key)
        .bearer_token("t")
        .build()
        .unwrap_err();
    assert!(matches!(err, Error::Config(_)), "{err:?}");
}

#[cfg(feature = "ws")]
#[test]
fn margin_frames_read_prices_and_sizes_as_exact_decimals() {
    use bytes::Bytes;
    use perps::ws::ServerMessage;
    let frame = Bytes::from_static(
        br#"{"type":"orderbook_delta","sid":2,"seq":7,"msg":{"market_ticker":"BTC-PERP","price":"97250.5000","delta":"-3.50","side":"bid"}}"#,
    );
    let r = kalshi_api::ws::decode_frame::<ServerMessage>(&frame).unwrap();
    let ServerMessage::OrderbookDelta(d) = r.message else {
        panic!("{:?}", r.message)
    };
    assert_eq!(d.price.to_string(), "97250.5000");
    assert_eq!(d.delta.to_string(), "-3.50");
    assert!(d.delta < kalshi_api::money::FixedPointCount::from_contracts(0));
}

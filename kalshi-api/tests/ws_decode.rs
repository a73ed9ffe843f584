//! Frames as Kalshi sends them, decoded through the generated `ServerMessage`.
#![cfg(feature = "ws")]

use bytes::Bytes;
use kalshi_api::ws::protocol::{ChannelKind, Envelope, ErrorCodeKind, Incoming};
use kalshi_api::ws::{Channel, ErrorCode, OkMessage, ServerMessage};

/// Decodes `msg` of a `kind` frame from its raw text, and also in place (as the session's one-pass
/// read does): both must agree.
fn decode(kind: &str, msg: Option<&str>) -> Result<ServerMessage, kalshi_api::DecodeError> {
    let frame = Bytes::from_static(b"{}");
    let envelope = Envelope {
        kind: kind.into(),
        msg,
        ..Envelope::default()
    };
    let decoded = ServerMessage::decode(&envelope, &frame);
    if let Some(text) = msg {
        let mut de = serde_json::Deserializer::from_str(text);
        let in_place = ServerMessage::decode_in_place(kind, &mut de, &frame)
            .and_then(|m| de.end().map(|()| m));
        match (&decoded, in_place) {
            (Ok(a), Ok(b)) => assert_eq!(*a, b, "{kind}: {text}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{kind}: {text}: raw {a:?}, in place {b:?}"),
        }
        // And as a whole frame in Kalshi's layout, as a session reads it.
        let frame = Bytes::from(format!(
            r#"{{"type":"{kind}","sid":1,"seq":1,"msg":{text}}}"#
        ));
        match (
            &decoded,
            kalshi_api::ws::decode_frame::<ServerMessage>(&frame),
        ) {
            // An unknown type keeps its frame, which differs here.
            (Ok(a @ ServerMessage::Unknown { .. }), Ok(b)) => {
                assert_eq!(a.kind(), b.message.kind())
            }
            (Ok(a), Ok(b)) => assert_eq!(*a, b.message, "{kind}: {text}"),
            (Err(_), Err(_)) => {}
            (a, b) => panic!("{kind}: {text}: raw {a:?}, as a frame {b:?}"),
        }
    }
    decoded
}

#[test]
fn orderbook_delta_with_negative_count_and_dotted_ticker() {
    let m = decode(
        "orderbook_delta",
        Some(r#"{"market_ticker":"KXGOLDH-26AUG2711-T4615.99","price_dollars":"0.9600","delta_fp":"-54.00","side":"yes"}"#),
    )
    .unwrap();
    let ServerMessage::OrderbookDelta(d) = m else {
        panic!("{m:?}")
    };
    assert_eq!(d.delta_fp.to_string(), "-54.00");
    assert_eq!(d.market_ticker, "KXGOLDH-26AUG2711-T4615.99");
    assert_eq!(d.ts_ms, None);
}

#[test]
fn ticker_without_required_fields_and_null_arrays() {
    let m = decode(
        "ticker",
        Some(r#"{"market_ticker":"A","price_dollars":"0.5"}"#),
    )
    .unwrap();
    assert!(matches!(m, ServerMessage::Ticker(t) if t.ts_ms == 0 && t.market_ticker == "A"));
    // An optional array sent as `null` (Go servers) is `None`, as on the REST side.
    let m = decode("ok", Some(r#"{"market_tickers":null}"#)).unwrap();
    assert!(matches!(m, ServerMessage::Ok(OkMessage::OkResponse(r)) if r.market_tickers.is_none()));
}

#[test]
fn shared_types_unknown_types_and_errors() {
    let m = decode("ok", Some(r#"[{"channel":"ticker","sid":2}]"#)).unwrap();
    assert!(matches!(m, ServerMessage::Ok(OkMessage::ListSubscriptions(l)) if l[0].sid == 2));
    let m = decode("ok", Some(r#"{"market_tickers":["A"]}"#)).unwrap();
    assert!(matches!(m, ServerMessage::Ok(OkMessage::OkResponse(_))));
    let m = decode("brand_new", Some("{}")).unwrap();
    assert_eq!(m.kind(), "brand_new");
    assert!(matches!(m, ServerMessage::Unknown { .. }));
    let e = decode("ticker", Some(r#"{"dollar_volume":"x"}"#)).unwrap_err();
    assert!(e.to_string().contains("dollar_volume"), "{e}");
    assert_eq!(
        ErrorCode::from_code(25).name(),
        Some("Subscription buffer overflow")
    );
    assert_eq!(ErrorCode::from_code(99), ErrorCode::Unknown(99));
    assert!(!Channel::OrderbookDelta.accepts("market_ids"));
    assert!(Channel::OrderbookDelta.supports("get_snapshot"));
    assert!(!Channel::Fill.supports("get_snapshot"));
    assert_eq!("ticker".parse::<Channel>().unwrap(), Channel::Ticker);
}

//! Go's zero values and fields read as their default: `""` in a field narrower than free text
//! reads as absent, in REST answers and WebSocket frames, at any depth, and every required field
//! read as its default is counted and reported once per type and field (`kalshi_api::drift`).
//!
//! One test per process-wide fact: the counters are global, so this file keeps them to itself.

use bytes::Bytes;
use kalshi_api::drift::{defaulted_fields, DefaultedField};
use kalshi_api::operation::decode_json;
use kalshi_api::types::{GetMarketsResponse, Market};
use kalshi_api::ws::{decode_frame, ServerMessage};
use serde_json::{json, Value};

const MARKET_JSON: &str = include_str!("data/market.json");

fn market() -> Value {
    serde_json::from_str(MARKET_JSON).unwrap()
}

fn count(type_name: &str, field: &str) -> u64 {
    defaulted_fields()
        .iter()
        .find(|d| d.type_name == type_name && d.field == field)
        .map_or(0, |d| d.count)
}

#[test]
fn blank_narrow_strings_read_as_absent_and_each_default_is_counted() {
    // A page of three markets; the second carries `""` in a price, a count, a time, an enum and
    // an optional time, the way Kalshi's Go servers write a value they do not have.
    let mut blank = market();
    for field in [
        "yes_bid_dollars",
        "volume_fp",
        "close_time",
        "status",
        "settlement_ts",
    ] {
        blank[field] = json!("");
    }
    let page = json!({ "markets": [market(), blank, market()], "cursor": "" });
    let body = serde_json::to_vec(&page).unwrap();
    let page: GetMarketsResponse = decode_json("GetMarkets", &body).expect("the page decodes");
    let m = &page.markets[1];
    assert_eq!(m.yes_bid_dollars.to_string(), "0");
    assert_eq!(m.volume_fp.to_string(), "0");
    assert_eq!(m.settlement_ts, None);
    assert_eq!(m.ticker, page.markets[0].ticker, "free text is untouched");
    assert_eq!(page.markets[0].yes_bid_dollars.to_string(), "0.5600");
    // Free text keeps `""` as a value, and is not counted.
    assert_eq!(m.expiration_value, "");

    // Each required field read as its default is reported, under its type and the spec version.
    for field in ["yes_bid_dollars", "volume_fp", "close_time", "status"] {
        assert_eq!(count("Market", field), 1, "{field}");
    }
    let d = defaulted_fields();
    let report = d.iter().find(|d| d.field == "yes_bid_dollars").unwrap();
    assert_eq!(
        report,
        &DefaultedField {
            type_name: "Market",
            field: "yes_bid_dollars",
            spec_version: "3.31.0",
            count: 1,
        }
    );
    assert_eq!(
        count("Market", "settlement_ts"),
        0,
        "optional fields are not defaults"
    );

    // An absent or `null` required field counts the same way; a present one does not.
    let mut absent = market();
    absent.as_object_mut().unwrap().remove("yes_bid_dollars");
    absent["volume_fp"] = Value::Null;
    let _: Market = decode_json("GetMarket", &serde_json::to_vec(&absent).unwrap()).unwrap();
    let _: Market = decode_json("GetMarket", MARKET_JSON.as_bytes()).unwrap();
    assert_eq!(count("Market", "yes_bid_dollars"), 2);
    assert_eq!(count("Market", "volume_fp"), 2);

    // A `ticker` frame recorded in production carried `"price_dollars": ""`: the message is read,
    // the price defaulted and counted.
    let frame = Bytes::from_static(
        br#"{"type":"ticker","sid":1,"seq":4,"msg":{"market_ticker":"KXBTC-26DEC31-T100000","price_dollars":"","yes_bid_dollars":"0.4100","ts":1764000000}}"#,
    );
    let r = decode_frame::<ServerMessage>(&frame).expect("the ticker frame decodes");
    let ServerMessage::Ticker(t) = r.message else {
        panic!("{:?}", r.message)
    };
    assert_eq!(t.price_dollars.to_string(), "0");
    assert_eq!(t.yes_bid_dollars.to_string(), "0.4100");
    assert!(defaulted_fields()
        .iter()
        .any(|d| d.field == "price_dollars" && d.spec_version == "2.0.0" && d.count == 1));

    // Malformed is still malformed: only `""` is absence.
    let mut bad = market();
    bad["yes_bid_dollars"] = json!("0.5.6");
    assert!(decode_json::<Market>("GetMarket", &serde_json::to_vec(&bad).unwrap()).is_err());
}

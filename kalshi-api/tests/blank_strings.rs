//! Go's zero values and fields read as their default: `""` in a field narrower than free text
//! reads as absent, in REST answers and WebSocket frames, at any depth, and every required field
//! read as its default is counted and reported once per type and field (`kalshi_api::drift`).
//!
//! The counters are global to the process, so this file keeps them to itself, and each test reads
//! fields no other test here defaults.

use bytes::Bytes;
use kalshi_api::drift::{defaulted_fields, DefaultedField};
use kalshi_api::operation::decode_json;
use kalshi_api::types::{GetEventResponse, GetMarketsResponse, GetOrdersResponse, Market};
use kalshi_api::ws::{decode_frame, ServerMessage};
use serde_json::{json, Value};

const MARKET_JSON: &str = include_str!("data/market.json");
const ORDER_JSON: &str = include_str!("data/order.json");

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
    let report = d
        .iter()
        .find(|d| d.type_name == "Market" && d.field == "yes_bid_dollars")
        .unwrap();
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

/// Decodes one WebSocket frame.
fn frame(text: &str) -> ServerMessage {
    let frame = Bytes::copy_from_slice(text.as_bytes());
    decode_frame::<ServerMessage>(&frame)
        .unwrap_or_else(|e| panic!("{e}: {text}"))
        .message
}

#[test]
fn blank_strings_in_rest_answers_read_as_absent_at_every_depth() {
    // An event (depth 1) whose optional date-time is `""`, with a market nested in it (depth 3:
    // answer, event, markets[0]) and one beside it (depth 2), each with `""` in a price, a count
    // and an enum.
    let mut nested = market();
    nested["yes_ask_dollars"] = json!("");
    nested["market_type"] = json!("");
    let mut beside = market();
    beside["open_interest_fp"] = json!("");
    beside["close_time"] = json!("2026-12-31T15:00:00Z");
    let answer = json!({
        "event": {
            "event_ticker": "KXHIGHNY-26NOV21",
            "series_ticker": "KXHIGHNY",
            "sub_title": "",
            "title": "Highest temperature in NYC",
            "collateral_return_type": "",
            "mutually_exclusive": true,
            "strike_date": "",
            "markets": [nested],
        },
        "markets": [beside],
    });
    let event: GetEventResponse =
        decode_json("GetEvent", &serde_json::to_vec(&answer).unwrap()).expect("the event decodes");
    assert_eq!(event.event.strike_date, None, "optional date-time");
    assert_eq!(event.event.sub_title, "", "free text keeps its value");
    let nested = &event.event.markets.as_ref().unwrap()[0];
    assert_eq!(nested.yes_ask_dollars.to_string(), "0");
    assert_eq!(nested.market_type, Default::default());
    assert_eq!(
        nested.yes_bid_dollars.to_string(),
        "0.5600",
        "its other fields are read"
    );
    assert_eq!(event.markets[0].open_interest_fp.to_string(), "0");
    assert_eq!(count("Market", "yes_ask_dollars"), 1);
    assert_eq!(count("Market", "market_type"), 1);
    assert_eq!(count("Market", "open_interest_fp"), 1);
    assert_eq!(
        count("EventData", "strike_date"),
        0,
        "optional: not a default"
    );

    // An order page: `""` in a required enum, count and price, and in nullable and optional
    // date-times and a nullable enum, which read as `None`.
    let mut order: Value = serde_json::from_str(ORDER_JSON).unwrap();
    for field in [
        "status",
        "fill_count_fp",
        "taker_fill_cost_dollars",
        "created_time",
        "last_update_time",
        "self_trade_prevention_type",
    ] {
        order[field] = json!("");
    }
    let page = json!({ "orders": [order], "cursor": "" });
    let page: GetOrdersResponse =
        decode_json("GetOrders", &serde_json::to_vec(&page).unwrap()).expect("the page decodes");
    let order = &page.orders[0];
    assert_eq!(order.status, Default::default());
    assert_eq!(order.fill_count_fp.to_string(), "0");
    assert_eq!(order.taker_fill_cost_dollars.to_string(), "0");
    assert_eq!(order.created_time, None);
    assert_eq!(order.last_update_time, None);
    assert_eq!(order.self_trade_prevention_type, None);
    assert_eq!(order.remaining_count_fp.to_string(), "60.00");
    for field in ["status", "fill_count_fp", "taker_fill_cost_dollars"] {
        assert_eq!(count("Order", field), 1, "{field}");
    }
    for field in [
        "created_time",
        "last_update_time",
        "self_trade_prevention_type",
    ] {
        assert_eq!(
            count("Order", field),
            0,
            "{field} may be absent: not a default"
        );
    }
}

#[test]
fn blank_strings_in_websocket_messages_read_as_absent_at_every_depth() {
    // A fill: `""` in a uuid, a count and an enum.
    let fill = frame(
        r#"{"type":"fill","sid":13,"seq":2,"msg":{"trade_id":"","order_id":"ee587a1c-8b87-4dcf-b721-9f6f790619fa","market_ticker":"KXHIGHNY-26NOV21-B45.5","is_taker":true,"yes_price_dollars":"0.7500","count_fp":"","fee_cost":"0.0150","ts_ms":1671899397000,"post_position_fp":"500.00","outcome_side":"","book_side":"bid"}}"#,
    );
    let ServerMessage::Fill(fill) = fill else {
        panic!("{fill:?}")
    };
    assert!(fill.trade_id.is_nil());
    assert_eq!(
        fill.order_id.to_string(),
        "ee587a1c-8b87-4dcf-b721-9f6f790619fa"
    );
    assert_eq!(fill.count_fp.to_string(), "0");
    assert_eq!(fill.outcome_side, Default::default());
    assert_eq!(fill.yes_price_dollars.to_string(), "0.7500");
    for field in ["trade_id", "count_fp", "outcome_side"] {
        assert_eq!(count("Fill", field), 1, "{field}");
    }

    // An RFQ: `""` in a required date-time and an optional count (depth 1), and in an enum and an
    // optional price of a leg (depth 3: msg, mve_selected_legs, [0]).
    let rfq = frame(
        r#"{"type":"rfq_created","sid":3,"msg":{"id":"rfq-1","creator_id":"","market_ticker":"KXMVE-1","contracts_fp":"","created_ts":"","mve_selected_legs":[{"event_ticker":"E","market_ticker":"M","side":"","yes_settlement_value_dollars":""}]}}"#,
    );
    let ServerMessage::RfqCreated(rfq) = rfq else {
        panic!("{rfq:?}")
    };
    assert_eq!(rfq.created_ts, chrono::DateTime::<chrono::Utc>::default());
    assert_eq!(rfq.contracts_fp, None);
    assert_eq!(rfq.creator_id, "", "free text keeps its value");
    let leg = &rfq.mve_selected_legs.as_ref().unwrap()[0];
    assert_eq!(leg.side, Default::default());
    assert_eq!(leg.yes_settlement_value_dollars, None);
    assert_eq!(count("RfqCreated", "created_ts"), 1);
    assert_eq!(count("RfqCreatedMveSelectedLegsItem", "side"), 1);
    assert_eq!(count("RfqCreated", "contracts_fp"), 0);

    // A book delta: `""` in its market id (a uuid) and its optional date-time.
    let delta = frame(
        r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A","market_id":"","price_dollars":"0.4200","delta_fp":"-5.00","side":"yes","ts":""}}"#,
    );
    let ServerMessage::OrderbookDelta(delta) = delta else {
        panic!("{delta:?}")
    };
    assert!(delta.market_id.is_nil());
    #[allow(deprecated)] // the only optional date-time of the WebSocket spec
    let ts = delta.ts;
    assert_eq!(ts, None);
    assert_eq!(delta.delta_fp.to_string(), "-5.00");
    assert_eq!(count("OrderbookDelta", "market_id"), 1);
}

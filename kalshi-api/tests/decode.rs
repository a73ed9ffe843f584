//! Decoding of generated response types against production-shaped JSON.
//!
//! Fixtures in `tests/data/` hold one market and one order with every property the spec lists.
//! The tests check the generated-type policy: unknown fields are ignored, enums are open, a
//! "required" field Kalshi leaves out decodes to its default, money keeps its exact text, and a
//! malformed body fails with a `DecodeError` naming the field.

// `title`, `subtitle`, `side` and `action` are deprecated in the spec; they still arrive.
#![allow(deprecated)]

use kalshi_api::enums::StringEnum;
use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::operation::decode_json;
use kalshi_api::types::{
    BookSide, GetMarketsResponse, Market, MarketMarketType, MarketResult,
    MarketSettlementBoundsType, MarketStatus, MarketStrikeType, Order, OrderAction,
    OrderOutcomeSide, OrderSide, OrderStatus, OrderType, SelfTradePreventionType,
};
use kalshi_api::{DecodeError, Error};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const MARKET_JSON: &str = include_str!("data/market.json");
const ORDER_JSON: &str = include_str!("data/order.json");

/// How many bytes of the body a `DecodeError` quotes before the ellipsis.
const EXCERPT_MAX: usize = 512;

fn market_value() -> Value {
    serde_json::from_str(MARKET_JSON).expect("market.json is JSON")
}

fn utc(s: &str) -> chrono::DateTime<chrono::Utc> {
    s.parse().expect("RFC 3339 timestamp")
}

/// Every non-null value of `original` appears unchanged in `reserialized`: strings byte for byte
/// (money, enums, timestamps), numbers by value (`45` and `45.0` are the same strike).
fn assert_wire_preserved(original: &Value, reserialized: &Value, at: &str) {
    match (original, reserialized) {
        (Value::Object(want), Value::Object(got)) => {
            for (key, w) in want {
                if w.is_null() {
                    continue;
                }
                let path = format!("{at}.{key}");
                let g = got
                    .get(key)
                    .unwrap_or_else(|| panic!("{path} missing after re-serializing"));
                assert_wire_preserved(w, g, &path);
            }
        }
        (Value::Array(want), Value::Array(got)) => {
            assert_eq!(want.len(), got.len(), "{at}: array length");
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                assert_wire_preserved(w, g, &format!("{at}[{i}]"));
            }
        }
        (Value::Number(w), Value::Number(g)) => {
            assert_eq!(w.as_f64(), g.as_f64(), "{at}: number changed");
        }
        (w, g) => assert_eq!(w, g, "{at}: value changed"),
    }
}

/// Decode, re-serialize, decode again: the values are equal, the second serialization is the same
/// text as the first, and every non-null input value survives.
fn assert_round_trip<T>(operation: &'static str, body: &[u8]) -> T
where
    T: serde::de::DeserializeOwned + Serialize + PartialEq + std::fmt::Debug,
{
    let first: T = decode_json(operation, body).unwrap_or_else(|e| panic!("{e}"));
    let text = serde_json::to_string(&first).unwrap();
    let second: T = decode_json(operation, text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        first, second,
        "decode -> serialize -> decode changed the value"
    );
    assert_eq!(
        serde_json::to_string(&second).unwrap(),
        text,
        "the second serialization differs from the first"
    );
    let original: Value = serde_json::from_slice(body).unwrap();
    let reserialized: Value = serde_json::from_str(&text).unwrap();
    assert_wire_preserved(&original, &reserialized, "");
    first
}

// ---------------------------------------------------------------------------------------------
// 1. One market
// ---------------------------------------------------------------------------------------------

#[test]
fn market_fixture_decodes_with_exact_values() {
    let m: Market =
        decode_json("GetMarket", MARKET_JSON.as_bytes()).unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(m.ticker, "KXHIGHNY-26NOV21-B45.5");
    assert_eq!(m.event_ticker, "KXHIGHNY-26NOV21");
    assert_eq!(m.market_type, MarketMarketType::Binary);
    assert_eq!(
        m.title.as_deref(),
        Some("Will the high temp in NYC be 45-46° on Nov 21, 2026?")
    );
    assert_eq!(m.subtitle.as_deref(), Some("45° to 46°"));
    assert_eq!(m.yes_sub_title, "45° to 46°");
    assert_eq!(m.no_sub_title, "45° to 46°");
    assert_eq!(m.status, MarketStatus::Active);
    assert_eq!(m.result, MarketResult::Empty);
    assert_eq!(
        m.settlement_bounds_type,
        MarketSettlementBoundsType::Default
    );
    assert_eq!(m.strike_type, Some(MarketStrikeType::Between));

    // Timestamps, including sub-second precision.
    assert_eq!(m.created_time, utc("2026-11-19T15:03:12.482913Z"));
    assert_eq!(m.updated_time, utc("2026-11-20T15:00:04.117Z"));
    assert_eq!(m.open_time, utc("2026-11-20T15:00:00Z"));
    assert_eq!(m.close_time, utc("2026-11-22T04:59:00Z"));
    assert_eq!(
        m.expected_expiration_time,
        Some(utc("2026-11-22T15:00:00Z"))
    );
    assert_eq!(m.expiration_time, Some(utc("2026-11-28T15:00:00Z")));
    assert_eq!(m.latest_expiration_time, utc("2026-11-28T15:00:00Z"));
    assert_eq!(m.occurrence_datetime, Some(utc("2026-11-21T05:00:00Z")));
    assert_eq!(m.settlement_ts, None);
    assert_eq!(m.fee_waiver_expiration_time, None);
    assert_eq!(m.settlement_timer_seconds, 3600);

    // Money keeps its exact text, trailing zeros included.
    assert_eq!(m.yes_bid_dollars.to_string(), "0.5600");
    assert_eq!(m.yes_bid_dollars.mantissa(), 5600);
    assert_eq!(m.yes_bid_dollars.scale(), 4);
    assert_eq!(m.yes_ask_dollars.to_string(), "0.5800");
    assert_eq!(m.no_bid_dollars.to_string(), "0.4200");
    assert_eq!(m.no_ask_dollars.to_string(), "0.4400");
    assert_eq!(m.last_price_dollars.to_string(), "0.5700");
    assert_eq!(m.previous_yes_bid_dollars.to_string(), "0.3100");
    assert_eq!(m.previous_yes_ask_dollars.to_string(), "0.3300");
    assert_eq!(m.previous_price_dollars.to_string(), "0.3200");
    assert_eq!(m.notional_value_dollars.to_string(), "1.0000");
    assert_eq!(m.settlement_value_dollars, None);
    assert_eq!(m.settlement_floor_dollars, None);
    assert_eq!(m.yes_bid_size_fp.to_string(), "1520.00");
    assert_eq!(m.yes_ask_size_fp.to_string(), "845.50");
    assert_eq!(m.volume_fp.to_string(), "48211.00");
    assert_eq!(m.volume_24h_fp.to_string(), "12904.25");
    assert_eq!(m.open_interest_fp.to_string(), "20377.00");
    // The book is consistent: yes bid + no ask = 1, and so on.
    assert_eq!((m.yes_bid_dollars + m.no_ask_dollars).to_string(), "1.0000");
    assert_eq!(m.yes_ask_dollars.to_cents(), Some(58));

    assert!(m.can_close_early);
    assert_eq!(m.floor_strike, Some(45.0));
    assert_eq!(m.cap_strike, Some(46.0));
    assert_eq!(m.functional_strike, None);
    assert_eq!(m.custom_strike, None);
    assert_eq!(m.expiration_value, "");
    assert!(m
        .rules_primary
        .starts_with("If the highest temperature recorded in Central Park"));
    assert!(m
        .rules_secondary
        .ends_with("source of truth for this market."));
    assert_eq!(m.mve_collection_ticker.as_deref(), Some(""));
    assert_eq!(m.mve_selected_legs.as_deref(), Some(&[][..]));
    assert_eq!(m.primary_participant_key, None);
    assert_eq!(m.price_level_structure, "linear_cent");
    assert_eq!(m.price_ranges.len(), 1);
    assert_eq!(m.price_ranges[0].start, "0.0000");
    assert_eq!(m.price_ranges[0].end, "1.0000");
    assert_eq!(m.price_ranges[0].step, "0.0100");
    assert_eq!(m.is_provisional, Some(false));
    assert_eq!(m.exchange_index, Some(0));
}

#[test]
fn market_fixture_round_trips() {
    let m: Market = assert_round_trip("GetMarket", MARKET_JSON.as_bytes());
    let text = serde_json::to_value(&m).unwrap();
    assert_eq!(text["yes_bid_dollars"], "0.5600");
    assert_eq!(text["yes_bid_size_fp"], "1520.00");
    assert_eq!(text["created_time"], "2026-11-19T15:03:12.482913Z");
    assert_eq!(text["result"], "");
}

// ---------------------------------------------------------------------------------------------
// 2. One order
// ---------------------------------------------------------------------------------------------

#[test]
fn order_fixture_decodes_with_exact_values() {
    let o: Order = decode_json("GetOrder", ORDER_JSON.as_bytes()).unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(o.order_id, "8f3b1c52-6a0e-4d7b-9c21-5e4f0a7d93b6");
    assert_eq!(o.user_id, "2d9e7f41-0b6c-4a35-8e12-c7a4f19b0d58");
    assert_eq!(o.client_order_id, "mm-nyhigh-20261121-000417");
    assert_eq!(o.ticker, "KXHIGHNY-26NOV21-B45.5");
    assert_eq!(o.side, Some(OrderSide::Yes));
    assert_eq!(o.action, Some(OrderAction::Buy));
    assert_eq!(o.outcome_side, OrderOutcomeSide::Yes);
    assert_eq!(o.book_side, BookSide::Bid);
    assert_eq!(o.type_, OrderType::Limit);
    assert_eq!(o.status, OrderStatus::Resting);
    assert_eq!(
        o.self_trade_prevention_type,
        Some(SelfTradePreventionType::TakerAtCross)
    );

    assert_eq!(o.yes_price_dollars.to_string(), "0.5600");
    assert_eq!(o.no_price_dollars.to_string(), "0.4400");
    assert_eq!(o.fill_count_fp.to_string(), "40.00");
    assert_eq!(o.remaining_count_fp.to_string(), "60.00");
    assert_eq!(o.initial_count_fp.to_string(), "100.00");
    assert_eq!(o.taker_fees_dollars.to_string(), "0.1800");
    assert_eq!(o.maker_fees_dollars.to_string(), "0.0000");
    assert_eq!(o.taker_fill_cost_dollars.to_string(), "5.6000");
    assert_eq!(o.maker_fill_cost_dollars.to_string(), "16.8000");
    assert!(o.maker_fees_dollars.is_zero());
    // filled + remaining = initial, exactly.
    assert_eq!(o.fill_count_fp + o.remaining_count_fp, o.initial_count_fp);
    assert_eq!(
        (o.fill_count_fp + o.remaining_count_fp).to_string(),
        "100.00"
    );

    assert_eq!(o.expiration_time, None);
    assert_eq!(o.created_time, Some(utc("2026-11-21T13:45:07.123456Z")));
    assert_eq!(o.last_update_time, Some(utc("2026-11-21T14:02:55.908Z")));
    assert_eq!(
        o.order_group_id.as_deref(),
        Some("a41c0e77-93d2-4f8b-b5e6-0d2c8f1a6e39")
    );
    assert_eq!(o.cancel_order_on_pause, Some(false));
    assert_eq!(o.subaccount_number, Some(0));
    assert_eq!(o.exchange_index, Some(0));
}

#[test]
fn order_fixture_round_trips() {
    let o: Order = assert_round_trip("GetOrder", ORDER_JSON.as_bytes());
    let text = serde_json::to_value(&o).unwrap();
    assert_eq!(text["type"], "limit");
    assert_eq!(text["maker_fees_dollars"], "0.0000");
    assert_eq!(text["initial_count_fp"], "100.00");
}

// ---------------------------------------------------------------------------------------------
// 3. A full page with drift
// ---------------------------------------------------------------------------------------------

const PAGE_SIZE: usize = 1000;
const UNKNOWN_STATUS_AT: usize = 17;
const EXTRA_FIELD_AT: usize = 503;
const DRIFTED_AT: usize = 998;
const CURSOR: &str = "CgwI8K3ZvwYQgNvN5gISHEtYSElHSE5ZLTI2Tk9WMjEtQjEwNDIuNQ";

/// Fields the spec marks required that the drifted market leaves out, plus `subtitle` (optional
/// in this spec, but the field hand-written crates broke on).
const DROPPED: &[&str] = &[
    "yes_sub_title",            // required string
    "notional_value_dollars",   // required FixedPointDollars
    "yes_bid_size_fp",          // required FixedPointCount
    "price_ranges",             // required array
    "can_close_early",          // required bool (true in the fixture)
    "settlement_timer_seconds", // required integer
    "created_time",             // required date-time
    "settlement_bounds_type",   // required enum
    "subtitle",
];

fn ticker(i: usize) -> String {
    format!("KXHIGHNY-26NOV21-B{}.5", 45 + i)
}

/// A `GetMarkets` page of `PAGE_SIZE` markets cloned from the fixture, every one a distinct ticker.
fn page_value() -> Value {
    let base = market_value();
    let markets: Vec<Value> = (0..PAGE_SIZE)
        .map(|i| {
            let mut m = base.clone();
            m["ticker"] = json!(ticker(i));
            m
        })
        .collect();
    json!({ "markets": markets, "cursor": CURSOR })
}

fn drifted_page() -> Vec<u8> {
    let mut page = page_value();
    page["markets"][UNKNOWN_STATUS_AT]["status"] = json!("frozen_by_regulator");
    page["markets"][EXTRA_FIELD_AT]["new_field_2027"] = json!({ "x": 1 });
    page["markets"][EXTRA_FIELD_AT]["price_ranges"][0]["tick_rule_2027"] = json!("banded");
    page["new_page_field_2027"] = json!([1, 2, 3]);
    let drifted = page["markets"][DRIFTED_AT].as_object_mut().unwrap();
    for field in DROPPED {
        assert!(drifted.remove(*field).is_some(), "fixture lacks {field}");
    }
    serde_json::to_vec(&page).unwrap()
}

#[test]
fn a_page_with_drift_decodes_whole() {
    let body = drifted_page();
    let page: GetMarketsResponse =
        decode_json("GetMarkets", &body).unwrap_or_else(|e| panic!("{e}"));

    assert_eq!(page.markets.len(), PAGE_SIZE);
    assert_eq!(page.cursor, CURSOR);
    for (i, m) in page.markets.iter().enumerate() {
        assert_eq!(m.ticker, ticker(i), "markets[{i}].ticker");
    }

    // Unknown enum value: kept verbatim, written back verbatim.
    let frozen = &page.markets[UNKNOWN_STATUS_AT];
    assert_eq!(
        frozen.status,
        MarketStatus::Unknown("frozen_by_regulator".to_owned())
    );
    assert!(!frozen.status.is_known());
    assert_eq!(frozen.status.as_str(), "frozen_by_regulator");
    assert_eq!(
        serde_json::to_string(&frozen.status).unwrap(),
        r#""frozen_by_regulator""#
    );
    assert_eq!(
        serde_json::to_value(frozen).unwrap()["status"],
        "frozen_by_regulator"
    );
    // Its neighbours are untouched.
    assert_eq!(
        page.markets[UNKNOWN_STATUS_AT - 1].status,
        MarketStatus::Active
    );
    assert_eq!(
        page.markets[UNKNOWN_STATUS_AT + 1].status,
        MarketStatus::Active
    );

    // Unknown fields (top level and nested) are ignored: the market equals its plain twin.
    let mut twin = page.markets[EXTRA_FIELD_AT - 1].clone();
    twin.ticker = ticker(EXTRA_FIELD_AT);
    assert_eq!(page.markets[EXTRA_FIELD_AT], twin);

    // "Required" fields that are absent decode to their defaults; the rest of the market is intact.
    let d = &page.markets[DRIFTED_AT];
    assert_eq!(d.yes_sub_title, "");
    assert_eq!(d.notional_value_dollars, FixedPointDollars::zero());
    assert_eq!(d.notional_value_dollars.to_string(), "0");
    assert!(d.yes_bid_size_fp.is_zero());
    assert_eq!(d.yes_bid_size_fp.to_string(), "0");
    assert!(d.price_ranges.is_empty());
    assert!(!d.can_close_early);
    assert_eq!(d.settlement_timer_seconds, 0);
    assert_eq!(d.created_time, chrono::DateTime::<chrono::Utc>::default());
    assert_eq!(
        d.settlement_bounds_type,
        MarketSettlementBoundsType::Unknown(String::new())
    );
    assert_eq!(d.subtitle, None);
    assert_eq!(d.ticker, ticker(DRIFTED_AT));
    assert_eq!(d.no_sub_title, "45° to 46°");
    assert_eq!(d.yes_bid_dollars.to_string(), "0.5600");
    assert_eq!(d.yes_ask_size_fp.to_string(), "845.50");
    assert_eq!(d.status, MarketStatus::Active);
    // And the market next to it still has them.
    let full = &page.markets[DRIFTED_AT + 1];
    assert_eq!(full.yes_sub_title, "45° to 46°");
    assert_eq!(full.notional_value_dollars.to_string(), "1.0000");
    assert_eq!(full.price_ranges.len(), 1);
}

#[test]
fn a_page_with_drift_round_trips() {
    let body = drifted_page();
    let page: GetMarketsResponse =
        decode_json("GetMarkets", &body).unwrap_or_else(|e| panic!("{e}"));
    let text = serde_json::to_vec(&page).unwrap();
    let again: GetMarketsResponse =
        decode_json("GetMarkets", &text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, page);
    assert_eq!(serde_json::to_vec(&again).unwrap(), text);

    let v: Value = serde_json::from_slice(&text).unwrap();
    assert_eq!(v["cursor"], CURSOR);
    assert_eq!(
        v["markets"][UNKNOWN_STATUS_AT]["status"],
        "frozen_by_regulator"
    );
    assert_eq!(v["markets"][0]["yes_bid_dollars"], "0.5600");
    assert_eq!(v["markets"][0]["volume_24h_fp"], "12904.25");
    // Unknown fields are dropped, not carried along.
    assert!(v["markets"][EXTRA_FIELD_AT].get("new_field_2027").is_none());
    assert!(v.get("new_page_field_2027").is_none());
}

/// `result` lists `""` as a value (`MarketResult::Empty`): an absent `result` defaults to that
/// variant, so decode -> encode -> decode gives the same value.
#[test]
fn a_missing_result_equals_the_listed_empty_value() {
    let mut v = market_value();
    v.as_object_mut().unwrap().remove("result");
    let m: Market = decode_json("GetMarket", &serde_json::to_vec(&v).unwrap()).unwrap();
    assert_eq!(m.result.as_str(), "");
    assert_eq!(m.result, MarketResult::Empty);
}

// ---------------------------------------------------------------------------------------------
// 4. Malformed pages
// ---------------------------------------------------------------------------------------------

fn decode_page_err(operation: &'static str, body: &[u8]) -> DecodeError {
    match decode_json::<GetMarketsResponse>(operation, body) {
        Ok(_) => panic!("a malformed page decoded"),
        Err(e) => e,
    }
}

/// The excerpt is the start of the body, at most `EXCERPT_MAX` bytes plus an ellipsis.
fn assert_bounded_excerpt(e: &DecodeError, body: &[u8]) {
    assert!(body.len() > 100 * EXCERPT_MAX, "the body should be big");
    assert!(
        e.excerpt.len() <= EXCERPT_MAX + '…'.len_utf8(),
        "excerpt is {} bytes",
        e.excerpt.len()
    );
    assert!(
        e.excerpt.ends_with('…'),
        "a cut excerpt ends with an ellipsis"
    );
    let head = e.excerpt.strip_suffix('…').unwrap();
    assert!(
        head.len() > EXCERPT_MAX - 4,
        "excerpt is too short: {}",
        head.len()
    );
    assert!(
        body.starts_with(head.as_bytes()),
        "excerpt is not the body's start"
    );
    let shown = e.to_string();
    assert!(
        shown.len() < 2 * 1024,
        "Display is not bounded: {} bytes",
        shown.len()
    );
}

#[test]
fn a_malformed_field_fails_with_its_path() {
    let cases: &[(usize, &str, Value, &str)] = &[
        (3, "yes_bid_dollars", json!({ "value": "0.56" }), "expected"),
        (3, "yes_bid_dollars", json!("0.5.6"), "0.5.6"),
        (3, "yes_bid_dollars", json!(0.56), "floating point"),
        (3, "yes_bid_dollars", json!("$0.56"), "$0.56"),
        (411, "volume_fp", json!("12,904.00"), "12,904.00"),
        (7, "settlement_value_dollars", json!("1.00.0"), "1.00.0"),
        (5, "status", json!(7), "invalid type"),
        (998, "close_time", json!("21 Nov 2026"), "input"),
        (42, "price_ranges", json!("0-1"), "invalid type"),
    ];
    for (index, field, bad, in_message) in cases {
        let mut page = page_value();
        page["markets"][*index][*field] = bad.clone();
        let body = serde_json::to_vec(&page).unwrap();
        let e = decode_page_err("GetMarkets", &body);
        let want_path = format!("markets[{index}].{field}");
        assert_eq!(e.path, want_path, "for {bad}");
        assert_eq!(e.operation, "GetMarkets");
        assert!(
            e.source.to_string().contains(in_message),
            "error for {want_path} = {bad} should mention {in_message:?}: {}",
            e.source
        );
        assert_bounded_excerpt(&e, &body);
        let shown = e.to_string();
        assert!(shown.starts_with("GetMarkets: "), "{shown}");
        assert!(shown.contains(&format!("`{want_path}`")), "{shown}");

        // The client surfaces it as `Error::Decode`, keeping the path.
        let err: Error = e.into();
        match &err {
            Error::Decode(d) => assert_eq!(d.path, want_path),
            other => panic!("expected Error::Decode, got {other:?}"),
        }
    }
}

#[test]
fn a_nested_malformed_field_names_the_full_path() {
    let mut page = page_value();
    page["markets"][12]["price_ranges"][0]["step"] = json!(0.01);
    page["markets"][12]["mve_selected_legs"] =
        json!([{ "market_ticker": "KXA", "yes_settlement_value_dollars": "1.0.0" }]);
    let body = serde_json::to_vec(&page).unwrap();
    let e = decode_page_err("GetMarkets", &body);
    // The first error in document order wins: `mve_selected_legs` precedes `price_ranges`.
    assert_eq!(
        e.path,
        "markets[12].mve_selected_legs[0].yes_settlement_value_dollars"
    );
}

#[test]
fn the_excerpt_is_cut_on_a_character_boundary() {
    // `{"cursor":"` is 11 bytes, so the two-byte `°`s occupy bytes 11..=12, ..., 511..=512: the
    // 512-byte cut falls inside one.
    let mut page = page_value();
    page["cursor"] = json!("°".repeat(300));
    page["markets"][3]["yes_bid_dollars"] = json!("0.5.6");
    let mut body = serde_json::to_vec(&json!({ "cursor": page["cursor"] })).unwrap();
    body.pop(); // the closing brace
    body.extend_from_slice(br#","markets":"#);
    body.extend_from_slice(&serde_json::to_vec(&page["markets"]).unwrap());
    body.push(b'}');
    assert!(body.starts_with("{\"cursor\":\"°".as_bytes()));

    let e = decode_page_err("GetMarkets", &body);
    assert_eq!(e.path, "markets[3].yes_bid_dollars");
    assert_bounded_excerpt(&e, &body);
    let head = e.excerpt.strip_suffix('…').unwrap();
    assert_eq!(head.len(), 511, "the split `°` is left out whole");
    assert!(head.ends_with('°'));
}

#[test]
fn trailing_garbage_fails_at_the_root() {
    let mut body = serde_json::to_vec(&page_value()).unwrap();
    body.extend_from_slice(b" {}");
    let e = decode_page_err("GetMarkets", &body);
    assert_eq!(e.path, ".");
    assert_eq!(e.operation, "GetMarkets");
    assert_bounded_excerpt(&e, &body);
}

/// The generated (not derived) serde impls keep serde's rules for what is not a drift: a key
/// twice, an array where an object belongs, and a missing field of a type only the client sends.
#[test]
fn generated_impls_reject_what_is_not_drift() {
    let body = br#"{"markets":[],"cursor":"a","cursor":"b"}"#;
    let e = decode_page_err("GetMarkets", body);
    assert!(
        e.source.to_string().contains("duplicate field `cursor`"),
        "{e}"
    );

    let e = decode_page_err("GetMarkets", br#"{"markets":[["KX", "open"]],"cursor":""}"#);
    assert_eq!(e.path, "markets[0]");
    assert!(
        e.source
            .to_string()
            .contains("expected a JSON object for Market"),
        "{e}"
    );

    // `CreateApiKeyRequest` is only ever sent: its required fields have no default.
    let err = serde_json::from_str::<kalshi_api::types::CreateApiKeyRequest>(r#"{"name":"k"}"#)
        .unwrap_err();
    assert!(
        err.to_string().contains("missing field `public_key`"),
        "{err}"
    );
    let req: kalshi_api::types::CreateApiKeyRequest =
        serde_json::from_str(r#"{"public_key":"P","name":"k","unknown":[1]}"#).unwrap();
    assert_eq!((req.name.as_str(), req.public_key.as_str()), ("k", "P"));
    assert_eq!(req.scopes, None);
    // Unset optional fields are left out when it is written.
    assert_eq!(
        serde_json::to_string(&req).unwrap(),
        r#"{"name":"k","public_key":"P"}"#
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Fixed-point text round trips
// ---------------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Quote {
    price: FixedPointDollars,
    size: FixedPointCount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last: Option<FixedPointDollars>,
}

/// Wire text, mantissa, scale.
const WIRE: &[(&str, i64, u8)] = &[
    ("0.5600", 5600, 4),
    ("0.56", 56, 2),
    ("10.00", 1000, 2),
    ("0.0001", 1, 4),
    ("-0.05", -5, 2),
    ("1520.00", 152000, 2),
    ("0.123456", 123456, 6),
    ("0", 0, 0),
];

#[test]
fn fixed_point_text_survives_serde_in_a_struct() {
    for &(wire, mantissa, scale) in WIRE {
        let json = format!(r#"{{"price":"{wire}","size":"{wire}","last":"{wire}"}}"#);
        let q: Quote = decode_json("Test", json.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.price.mantissa(), mantissa, "{wire}");
        assert_eq!(q.price.scale(), scale, "{wire}");
        assert_eq!(q.size.mantissa(), mantissa, "{wire}");
        assert_eq!(q.size.scale(), scale, "{wire}");
        assert_eq!(q.price.to_string(), wire);
        assert_eq!(q.size.to_string(), wire);
        assert_eq!(q.last.map(|l| l.to_string()).as_deref(), Some(wire));
        assert_eq!(serde_json::to_string(&q).unwrap(), json, "{wire}");
    }
}

#[test]
fn fixed_point_text_survives_a_market_round_trip() {
    for &(wire, _, _) in WIRE {
        let mut v = market_value();
        v["yes_bid_dollars"] = json!(wire);
        v["volume_fp"] = json!(wire);
        v["settlement_value_dollars"] = json!(wire);
        let m: Market = decode_json("GetMarket", &serde_json::to_vec(&v).unwrap())
            .unwrap_or_else(|e| panic!("{e}"));
        let out = serde_json::to_value(&m).unwrap();
        assert_eq!(out["yes_bid_dollars"], wire);
        assert_eq!(out["volume_fp"], wire);
        assert_eq!(out["settlement_value_dollars"], wire);
    }
}

#[test]
fn equal_values_keep_their_own_text() {
    // Equality is numeric, so a text check is what catches a lost trailing zero.
    let a: Quote = decode_json("Test", br#"{"price":"0.5600","size":"10.00"}"#).unwrap();
    let b: Quote = decode_json("Test", br#"{"price":"0.56","size":"10"}"#).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        r#"{"price":"0.5600","size":"10.00"}"#
    );
    assert_eq!(
        serde_json::to_string(&b).unwrap(),
        r#"{"price":"0.56","size":"10"}"#
    );
}

/// Times read as chrono reads them, in every form chrono accepts: Kalshi's own (UTC, with or
/// without fractions), other offsets, and the relaxed forms (a space or a lower-case `t` between
/// date and time); a time that is no time still fails the market, naming the field.
#[test]
fn times_read_as_chrono_reads_them() {
    for text in [
        "2026-11-22T04:59:00Z",
        "2026-11-20T15:00:04.117Z",
        "2026-11-19T15:03:12.482913123Z",
        "2026-11-22T06:59:00+02:00",
        "2026-11-21T23:59:00-05:00",
        "2026-11-22 04:59:00Z",
        "2026-11-22t04:59:00z",
        "2026-12-31T23:59:60Z",
    ] {
        let mut m = market_value();
        m["close_time"] = json!(text);
        let body = serde_json::to_vec(&m).unwrap();
        let market: Market = decode_json("GetMarket", &body).expect(text);
        let chrono: chrono::DateTime<chrono::Utc> = serde_json::from_value(json!(text)).unwrap();
        assert_eq!(market.close_time, chrono, "{text}");
    }
    for text in ["2026-13-01T00:00:00Z", "yesterday", "2026-11-22T04:59:00"] {
        let mut m = market_value();
        m["close_time"] = json!(text);
        let body = serde_json::to_vec(&m).unwrap();
        let e = decode_json::<Market>("GetMarket", &body).expect_err(text);
        assert_eq!(e.path, "close_time", "{text}");
    }
}

//! Kalshi's Go servers send `null` for empty slices and maps (`"tags_by_categories":
//! {"Elections": null}`), and sometimes for other values the spec does not mark nullable. In
//! response types such a `null` reads as if the value were absent, at every depth: fields, list
//! elements, map values, nested objects. Request types stay strict.

#![allow(deprecated)]

use kalshi_api::operation::Operation;
use kalshi_api::types::{
    GetMarketsResponse, GetTagsForSeriesCategoriesResponse, Market, MarketStatus, PriceRange,
};
use kalshi_api::{ops, types};
use serde_json::{json, Value};

const MARKET_JSON: &str = include_str!("data/market.json");

fn market() -> Value {
    serde_json::from_str(MARKET_JSON).unwrap()
}

/// The market with `null` for every value but its ticker, and a `null` inside each list.
fn market_of_nulls() -> (Value, Vec<&'static str>) {
    let mut m = market();
    let mut kinds = Vec::new();
    for (key, value) in m.as_object_mut().unwrap() {
        if key == "ticker" {
            continue;
        }
        kinds.push(match value {
            Value::String(_) => "string",
            Value::Number(_) => "number",
            Value::Bool(_) => "bool",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
            Value::Null => "null",
        });
        *value = Value::Null;
    }
    (m, kinds)
}

#[test]
fn a_page_with_one_market_of_nulls_decodes_whole() {
    let (nulls, kinds) = market_of_nulls();
    for kind in ["string", "number", "bool", "array"] {
        assert!(kinds.contains(&kind), "the fixture has a {kind} field");
    }
    // A second market carries nulls one level down: in a list of objects and inside an object.
    let mut deep = market();
    deep["ticker"] = json!("DEEP");
    deep["price_ranges"] = json!([{"start": null, "end": "1.0000", "step": "0.0100"}, null]);
    deep["mve_selected_legs"] = json!([null, {"event_ticker": null, "market_ticker": "M"}]);
    let page = json!({"markets": [market(), nulls, deep], "cursor": null});
    let body = serde_json::to_vec(&page).unwrap();
    let decoded = <ops::GetMarkets as Operation>::decode(&body).expect("the page decodes whole");
    assert_eq!(decoded.markets.len(), 3);
    assert_eq!(decoded.cursor, "");

    let whole: Market = serde_json::from_str(MARKET_JSON).unwrap();
    assert_eq!(decoded.markets[0], whole);

    let m = &decoded.markets[1];
    assert_eq!(m.ticker, whole.ticker);
    assert_eq!(m.status, MarketStatus::default(), "enum");
    assert_eq!(m.rules_primary, "", "string");
    assert_eq!(m.floor_strike, None, "optional number");
    assert_eq!(m.settlement_timer_seconds, 0, "number");
    assert!(m.price_ranges.is_empty(), "array");
    assert_eq!(m.mve_selected_legs, None, "optional array");
    assert_eq!(m.last_price_dollars, Default::default(), "money");

    let d = &decoded.markets[2];
    assert_eq!(
        d.price_ranges,
        [
            PriceRange {
                start: String::new(),
                end: "1.0000".into(),
                step: "0.0100".into(),
            },
            PriceRange::default(),
        ]
    );
    let legs = d.mve_selected_legs.as_ref().unwrap();
    assert_eq!(legs.len(), 2);
    assert_eq!(legs[0], Default::default());
    assert_eq!(legs[1].market_ticker.as_deref(), Some("M"));
}

#[test]
fn null_map_values_and_null_maps_read_as_empty() {
    let t: GetTagsForSeriesCategoriesResponse = serde_json::from_value(json!({
        "tags_by_categories": {"Elections": null, "Sports": ["Soccer", null]}
    }))
    .unwrap();
    assert_eq!(t.tags_by_categories["Elections"], Vec::<String>::new());
    assert_eq!(t.tags_by_categories["Sports"], ["Soccer", ""]);
    let t: GetTagsForSeriesCategoriesResponse =
        serde_json::from_value(json!({"tags_by_categories": null})).unwrap();
    assert!(t.tags_by_categories.is_empty());
}

#[test]
fn an_object_field_of_null_is_its_default() {
    let page: GetMarketsResponse = serde_json::from_value(json!({"markets": null})).unwrap();
    assert!(page.markets.is_empty());
    let one: types::GetMarketResponse = serde_json::from_value(json!({"market": null})).unwrap();
    assert_eq!(one.market, Market::default());
}

#[test]
fn null_is_still_a_type_error_where_a_value_is_expected_wrongly() {
    // `null` is absence, not a licence for anything: a wrong type still fails, with its path.
    let body = br#"{"markets": [{"ticker": 5}], "cursor": ""}"#;
    let err = <ops::GetMarkets as Operation>::decode(body).unwrap_err();
    assert_eq!(err.path, "markets[0].ticker");
}

#[test]
fn requests_stay_strict() {
    let e = serde_json::from_value::<types::CreateOrderV2Request>(json!({
        "ticker": null, "side": "yes", "action": "buy", "count": 1
    }));
    assert!(e.is_err());
}

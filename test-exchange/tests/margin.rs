//! The margin (perps) REST routes, driven by a plain signed reqwest client: an order's life
//! cycle, fills moving positions and balances, pagination, the perps rate-limit buckets, and
//! every answer checked against the perps spec's schemas.

mod common;

use common::schema::Spec;
use common::{Api, Reply};
use kalshi_test_exchange::{Bucket, Config, Fault, FaultKind, Method};
use serde_json::{json, Value};
use std::collections::BTreeSet;

const BTC: &str = "KXBTCPERP";

/// A margin order for `BTC`.
fn order(side: &str, price: &str, count: &str, tif: &str) -> Value {
    json!({
        "ticker": BTC,
        "client_order_id": format!("c-{side}-{price}-{count}"),
        "side": side,
        "price": price,
        "count": count,
        "time_in_force": tif,
        "self_trade_prevention_type": "taker_at_cross",
    })
}

/// The best (price, count) of a side of `BTC`'s book over REST.
async fn best(api: &Api, side: &str) -> (String, String) {
    let book = api
        .get(&format!("/margin/markets/{BTC}/orderbook"))
        .await
        .json();
    let level = &book["orderbook"][side][0];
    (
        level[0].as_str().unwrap().to_string(),
        level[1].as_str().unwrap().to_string(),
    )
}

/// Sends as `key`, asserting the status.
async fn call(
    api: &Api,
    key: &str,
    method: Method,
    path: &str,
    body: Option<&Value>,
    status: u16,
) -> Value {
    let reply = api.send_as(key, method.clone(), path, body).await;
    assert_eq!(reply.status, status, "{method} {path}: {}", reply.text);
    if reply.text.is_empty() {
        Value::Null
    } else {
        reply.json()
    }
}

fn balance_field(balance: &Value, field: &str) -> f64 {
    balance["subaccount_balances"][0][field]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn a_margin_orders_life_cycle_create_amend_decrease_cancel() {
    let api = Api::start(Config::new()).await;
    let (bid, _) = best(&api, "bids").await;
    assert_eq!(bid, "94.9900");
    let body = order("bid", "94.9000", "10", "good_till_canceled");
    let created = call(&api, "a", Method::POST, "/margin/orders", Some(&body), 201).await;
    assert_eq!(created["fill_count"], "0.00");
    assert_eq!(created["remaining_count"], "10.00");
    let id = created["order_id"].as_str().unwrap().to_string();
    let path = format!("/margin/orders/{id}");
    let read = call(&api, "a", Method::GET, &path, None, 200).await;
    assert_eq!(read["order"]["price"], "94.9000");
    assert_eq!(read["order"]["side"], "bid");
    assert_eq!(read["order"]["client_order_id"], "c-bid-94.9000-10");
    // The order rests in the book (94.90 held no seeded level: it is all ours).
    let (bids, _) = api.exchange.margin_order_book(BTC).unwrap();
    assert!(
        bids.contains(&("94.9000".into(), "10.00".into())),
        "{bids:?}"
    );
    // Another key cannot see it.
    call(&api, "b", Method::GET, &path, None, 404).await;

    let amend = json!({ "ticker": BTC, "side": "bid", "price": "94.9300", "count": "12" });
    let amended = call(
        &api,
        "a",
        Method::POST,
        &format!("{path}/amend"),
        Some(&amend),
        200,
    )
    .await;
    assert_eq!(amended["remaining_count"], "12.00");
    let (bids, _) = api.exchange.margin_order_book(BTC).unwrap();
    assert!(
        bids.contains(&("94.9300".into(), "12.00".into())),
        "{bids:?}"
    );
    assert!(!bids.iter().any(|(p, _)| p == "94.9000"), "{bids:?}");

    let decrease = json!({ "reduce_by": "5" });
    let decreased = call(
        &api,
        "a",
        Method::POST,
        &format!("{path}/decrease"),
        Some(&decrease),
        200,
    )
    .await;
    assert_eq!(decreased["remaining_count"], "7.00");
    let read = call(&api, "a", Method::GET, &path, None, 200).await;
    assert_eq!(read["order"]["last_update_reason"], "Decrease");

    let canceled = call(&api, "a", Method::DELETE, &path, None, 200).await;
    assert_eq!(canceled["reduced_by"], "7.00");
    call(&api, "a", Method::DELETE, &path, None, 409).await;
    let (bids, _) = api.exchange.margin_order_book(BTC).unwrap();
    assert!(!bids.iter().any(|(p, _)| p == "94.9300"), "{bids:?}");
    let list = call(
        &api,
        "a",
        Method::GET,
        "/margin/orders?status=canceled",
        None,
        200,
    )
    .await;
    assert_eq!(list["orders"][0]["order_id"], id.as_str());
    assert_eq!(list["orders"][0]["remaining_count"], "0.00");
}

#[tokio::test]
async fn a_resting_order_fills_when_a_crossing_order_arrives() {
    let api = Api::start(Config::new()).await;
    // The maker rests an ask inside the spread (bid 94.99, ask 95.01).
    let ask = order("ask", "95.0000", "10", "good_till_canceled");
    let maker = call(
        &api,
        "maker",
        Method::POST,
        "/margin/orders",
        Some(&ask),
        201,
    )
    .await;
    let maker_id = maker["order_id"].as_str().unwrap().to_string();
    assert_eq!(best(&api, "asks").await, ("95.0000".into(), "10.00".into()));

    // The taker buys 4 at up to 95.01: it meets the maker's 95.00 first.
    let bid = order("bid", "95.0100", "4", "immediate_or_cancel");
    let taker = call(
        &api,
        "taker",
        Method::POST,
        "/margin/orders",
        Some(&bid),
        201,
    )
    .await;
    assert_eq!(taker["fill_count"], "4.00");
    assert_eq!(taker["average_fill_price"], "95.0000");
    assert_eq!(best(&api, "asks").await, ("95.0000".into(), "6.00".into()));
    let read = call(
        &api,
        "maker",
        Method::GET,
        &format!("/margin/orders/{maker_id}"),
        None,
        200,
    )
    .await;
    assert_eq!(read["order"]["fill_count"], "4.00");
    assert_eq!(read["order"]["remaining_count"], "6.00");

    let positions = call(&api, "taker", Method::GET, "/margin/positions", None, 200).await;
    assert_eq!(positions["positions"][0]["position"], "4.00");
    assert_eq!(positions["positions"][0]["entry_price"], "95.0000");
    let positions = call(&api, "maker", Method::GET, "/margin/positions", None, 200).await;
    assert_eq!(positions["positions"][0]["position"], "-4.00");

    // The taker paid 5 bps of $380 in fees; the maker paid none but reserves margin for the rest.
    let taker_balance = call(&api, "taker", Method::GET, "/margin/balance", None, 200).await;
    assert_eq!(taker_balance["settled_funds"], "9999.8100");
    assert!(balance_field(&taker_balance, "initial_margin") > 37.0);
    let maker_balance = call(&api, "maker", Method::GET, "/margin/balance", None, 200).await;
    assert_eq!(maker_balance["settled_funds"], "10000.0000");
    assert_eq!(balance_field(&maker_balance, "resting_orders_margin"), 57.0);

    let fills = call(&api, "maker", Method::GET, "/margin/fills", None, 200).await;
    assert_eq!(fills["fills"][0]["is_taker"], false);
    assert_eq!(fills["fills"][0]["side"], "ask");
    assert_eq!(fills["fills"][0]["count"], "4.00");
    let trades = call(
        &api,
        "x",
        Method::GET,
        &format!("/margin/trades?ticker={BTC}"),
        None,
        200,
    )
    .await;
    assert_eq!(trades["trades"][0]["taker_side"], "bid");
    assert_eq!(trades["trades"][0]["price"], "95.0000");

    // Closing at a higher price realizes the gain into settled funds.
    let sell = order("ask", "94.9900", "4", "immediate_or_cancel");
    call(
        &api,
        "maker",
        Method::POST,
        "/margin/orders",
        Some(&sell),
        201,
    )
    .await;
    let close = order("ask", "94.0000", "4", "immediate_or_cancel");
    let closed = call(
        &api,
        "taker",
        Method::POST,
        "/margin/orders",
        Some(&close),
        201,
    )
    .await;
    assert_eq!(closed["fill_count"], "4.00");
    let positions = call(&api, "taker", Method::GET, "/margin/positions", None, 200).await;
    assert_eq!(positions["positions"], json!([]), "flat");
    let taker_balance = call(&api, "taker", Method::GET, "/margin/balance", None, 200).await;
    let settled: f64 = taker_balance["settled_funds"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        settled < 9999.81,
        "sold below the entry, paid fees: {settled}"
    );
}

#[tokio::test]
async fn an_order_beyond_the_available_balance_is_refused() {
    let api = Api::start(Config::new()).await;
    // $95 x 20,000 is $1.9M of notional: 10% of it is far above $10,000.
    let body = order("bid", "90.0000", "20000", "good_till_canceled");
    let reply = api
        .send_as("poor", Method::POST, "/margin/orders", Some(&body))
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text);
    assert_eq!(reply.json()["error"]["code"], "insufficient_balance");
}

#[tokio::test]
async fn fills_page_newest_first_with_a_cursor() {
    let api = Api::start(Config::new()).await;
    for _ in 0..7 {
        let body = order("bid", "96.0000", "1", "immediate_or_cancel");
        let created = call(&api, "p", Method::POST, "/margin/orders", Some(&body), 201).await;
        assert_eq!(created["fill_count"], "1.00");
    }
    let all = call(&api, "p", Method::GET, "/margin/fills", None, 200).await;
    let all: Vec<Value> = all["fills"].as_array().unwrap().clone();
    assert_eq!(all.len(), 7);
    let mut paged = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let page = call(
            &api,
            "p",
            Method::GET,
            &format!("/margin/fills?limit=3&cursor={cursor}"),
            None,
            200,
        )
        .await;
        paged.extend(page["fills"].as_array().unwrap().iter().cloned());
        pages += 1;
        cursor = page["cursor"].as_str().unwrap().to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        paged, all,
        "the pages together are the whole list, in its order"
    );
    let times: Vec<&str> = all
        .iter()
        .map(|f| f["created_time"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    let ids: BTreeSet<&str> = all.iter().map(|f| f["fill_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 7);
    call(&api, "other", Method::GET, "/margin/fills", None, 200).await["fills"]
        .as_array()
        .unwrap()
        .is_empty()
        .then_some(())
        .expect("another key has no fills");
    call(&api, "p", Method::GET, "/margin/fills?limit=0", None, 400).await;
}

#[tokio::test]
async fn perps_rate_limits_have_their_own_buckets_and_costs() {
    let read = Bucket {
        refill_per_sec: 1,
        capacity: 20,
    };
    let config = Config::new()
        .rate_limit(read, read)
        .perps_rate_limit(read, read);
    let api = Api::start(config).await;
    // GetMarginBalance costs 5 (the spec's note): four fit in 20 tokens, the fifth does not.
    for _ in 0..4 {
        assert_eq!(api.get("/margin/balance").await.status, 200);
    }
    let refused: Reply = api.get("/margin/balance").await;
    assert_eq!(refused.status, 429);
    assert_eq!(refused.json(), json!({ "error": "too many requests" }));
    // The event-contract read bucket is untouched: two requests of 10.
    assert_eq!(api.get("/markets").await.status, 200);
    assert_eq!(api.get("/markets").await.status, 200);
    assert_eq!(api.get("/markets").await.status, 429);

    let api = Api::start(Config::new().perps_rate_limit(read, read)).await;
    // With `compute_available_balance=true` it costs 50: more than the bucket holds.
    let reply = api
        .get("/margin/balance?compute_available_balance=true")
        .await;
    assert_eq!(reply.status, 429);
    let limits = api.get("/account/limits/perps").await.json();
    assert_eq!(
        limits["read"],
        json!({ "refill_rate": 1, "bucket_capacity": 20 })
    );
}

/// The route templates the exchange serves and a request that exercises each.
struct Call {
    method: Method,
    template: &'static str,
    path: String,
    body: Option<Value>,
    status: u16,
}

fn calls(order_id: &str, group_id: &str, trigger_id: &str) -> Vec<Call> {
    let c = |method, template, path: String, body: Option<Value>, status| Call {
        method,
        template,
        path,
        body,
        status,
    };
    let bracket =
        json!({ "kind": "bracket", "stop_loss_price": "90.0000", "take_profit_price": "99.0000" });
    let o = format!("/margin/orders/{order_id}");
    let g = format!("/margin/order_groups/{group_id}");
    let iso = format!("/margin/isolated/positions/{BTC}/exit_trigger");
    let get = |template: &'static str| Call {
        method: Method::GET,
        template,
        path: template.to_string(),
        body: None,
        status: 200,
    };
    let cross = format!("/margin/cross/positions/{BTC}/exit_trigger");
    let mut calls: Vec<Call> = [
        "/margin/risk_parameters",
        "/margin/risk",
        "/margin/fee_tiers",
        "/margin/fee_tier_rates",
        "/margin/funding_history",
        "/margin/notional_risk_limit",
    ]
    .into_iter()
    .map(get)
    .collect();
    calls.extend([
        c(
            Method::GET,
            "/margin/exchange/status",
            "/margin/exchange/status".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/markets",
            "/margin/markets".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/markets/{ticker}",
            format!("/margin/markets/{BTC}"),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/markets/{ticker}/orderbook",
            format!("/margin/markets/{BTC}/orderbook"),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/trades",
            "/margin/trades".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/funding_rates/historical",
            format!("/margin/funding_rates/historical?ticker={BTC}"),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/funding_rates/estimate",
            format!("/margin/funding_rates/estimate?ticker={BTC}"),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/orders",
            "/margin/orders".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/orders/{order_id}",
            o.clone(),
            None,
            200,
        ),
        c(
            Method::POST,
            "/margin/orders/{order_id}/amend",
            format!("{o}/amend"),
            Some(json!({ "ticker": BTC, "side": "bid", "price": "94.0000", "count": "3" })),
            200,
        ),
        c(
            Method::POST,
            "/margin/orders/{order_id}/decrease",
            format!("{o}/decrease"),
            Some(json!({ "reduce_to": "2" })),
            200,
        ),
        c(Method::DELETE, "/margin/orders/{order_id}", o, None, 200),
        c(
            Method::POST,
            "/margin/orders",
            "/margin/orders".into(),
            Some(order("bid", "96.0000", "1", "immediate_or_cancel")),
            201,
        ),
        c(
            Method::DELETE,
            "/margin/orders",
            "/margin/orders".into(),
            None,
            204,
        ),
        c(
            Method::GET,
            "/margin/positions",
            "/margin/positions".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/balance",
            "/margin/balance".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/fills",
            "/margin/fills".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/enabled",
            "/margin/enabled".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/account/limits/perps",
            "/account/limits/perps".into(),
            None,
            200,
        ),
        c(
            Method::GET,
            "/margin/order_groups",
            "/margin/order_groups".into(),
            None,
            200,
        ),
        c(
            Method::POST,
            "/margin/order_groups/create",
            "/margin/order_groups/create".into(),
            Some(json!({ "contracts_limit": 5 })),
            201,
        ),
        c(
            Method::GET,
            "/margin/order_groups/{order_group_id}",
            g.clone(),
            None,
            200,
        ),
        c(
            Method::PUT,
            "/margin/order_groups/{order_group_id}/limit",
            format!("{g}/limit"),
            Some(json!({ "contracts_limit_fp": "8.00" })),
            200,
        ),
        c(
            Method::PUT,
            "/margin/order_groups/{order_group_id}/trigger",
            format!("{g}/trigger"),
            Some(json!({})),
            200,
        ),
        c(
            Method::PUT,
            "/margin/order_groups/{order_group_id}/reset",
            format!("{g}/reset"),
            Some(json!({})),
            200,
        ),
        c(
            Method::DELETE,
            "/margin/order_groups/{order_group_id}",
            g,
            None,
            200,
        ),
        c(
            Method::PUT,
            "/margin/isolated/positions/{ticker}/exit_trigger",
            iso.clone(),
            Some(bracket.clone()),
            200,
        ),
        c(
            Method::GET,
            "/margin/isolated/positions/{ticker}/exit_trigger",
            iso.clone(),
            None,
            200,
        ),
        c(
            Method::DELETE,
            "/margin/isolated/positions/{ticker}/exit_trigger",
            iso,
            None,
            204,
        ),
        c(
            Method::PUT,
            "/margin/cross/positions/{ticker}/exit_trigger",
            cross.clone(),
            Some(bracket),
            200,
        ),
        c(
            Method::GET,
            "/margin/cross/positions/{ticker}/exit_trigger",
            cross.clone(),
            None,
            200,
        ),
        c(
            Method::PUT,
            "/margin/cross/positions/{ticker}/exit_trigger/{trigger_id}",
            format!("{cross}/{trigger_id}"),
            Some(json!({ "stop_loss_price": "91.0000" })),
            200,
        ),
        c(
            Method::DELETE,
            "/margin/cross/positions/{ticker}/exit_trigger/{trigger_id}",
            format!("{cross}/{trigger_id}"),
            None,
            204,
        ),
        c(
            Method::DELETE,
            "/margin/cross/positions/{ticker}/exit_trigger",
            cross,
            None,
            204,
        ),
    ]);
    // The risk reads last, after the IOC order has opened a position; and candlesticks of its
    // trade.
    calls.rotate_left(6);
    let candles = format!(
        "/margin/markets/{BTC}/candlesticks?start_ts=0&end_ts=4000000000&period_interval=60"
    );
    calls.push(c(
        Method::GET,
        "/margin/markets/{ticker}/candlesticks",
        candles,
        None,
        200,
    ));
    calls
}

/// The FCM, subaccount and transfer operations, in an order where each finds what it needs:
/// `subtrader` exists already (its caps are set, read and removed here).
fn account_calls(subtrader: &str) -> Vec<Call> {
    let c = |method, template: &'static str, path: String, body: Option<Value>, status| Call {
        method,
        template,
        path,
        body,
        status,
    };
    let risk = "/margin/fcm/subtraders/risk_controls";
    let cap = json!({ "subtrader_id": subtrader, "market_ticker": BTC, "im_cap": "100.0000" });
    let transfer = json!({
        "client_transfer_id": "5d9e3a40-0000-4000-8000-000000000001",
        "from_subaccount": 0, "to_subaccount": 1, "amount_cents": 2500,
    });
    let intra = json!({ "source": "margined", "destination": "event_contract", "amount": 10000 });
    let query = format!("{risk}?subtrader_id={subtrader}&market_ticker={BTC}");
    let limit = json!({ "notional_value_risk_limit": "5000.0000" });
    let post = |path: &'static str, body: Value, status| {
        c(Method::POST, path, path.into(), Some(body), status)
    };
    vec![
        post(
            "/margin/fcm/subtraders",
            json!({ "subtrader_suffix": "desk2" }),
            201,
        ),
        c(Method::PUT, risk, risk.into(), Some(cap), 200),
        c(Method::GET, risk, query.clone(), None, 200),
        c(Method::DELETE, risk, query, None, 200),
        c(
            Method::PUT,
            "/margin/fcm/notional_risk_limit",
            "/margin/fcm/notional_risk_limit".into(),
            Some(limit),
            200,
        ),
        c(
            Method::DELETE,
            "/margin/fcm/notional_risk_limit",
            "/margin/fcm/notional_risk_limit".into(),
            None,
            200,
        ),
        post("/portfolio/margin/subaccounts", json!({}), 201),
        post("/portfolio/margin/subaccounts/transfer", transfer, 200),
        post("/portfolio/intra_exchange_instance_transfer", intra, 200),
    ]
}

#[tokio::test]
async fn every_margin_route_answers_as_its_spec_says() {
    let api = Api::start(Config::new()).await;
    let spec = Spec::perps();
    let resting = order("bid", "94.0000", "5", "good_till_canceled");
    let order_id = call(
        &api,
        "s",
        Method::POST,
        "/margin/orders",
        Some(&resting),
        201,
    )
    .await["order_id"]
        .as_str()
        .unwrap()
        .to_string();
    let group = call(
        &api,
        "s",
        Method::POST,
        "/margin/order_groups/create",
        Some(&json!({})),
        201,
    )
    .await;
    let group_id = group["order_group_id"].as_str().unwrap().to_string();
    let cross = format!("/margin/cross/positions/{BTC}/exit_trigger");
    let body = json!({ "kind": "trailing", "trail_bps": 50, "count": "1" });
    let trigger = call(&api, "s", Method::PUT, &cross, Some(&body), 200).await;
    let trigger_id = trigger["id"].as_str().unwrap().to_string();

    let subtrader = call(
        &api,
        "s",
        Method::POST,
        "/margin/fcm/subtraders",
        Some(&json!({ "subtrader_suffix": "desk1" })),
        201,
    )
    .await["subtrader_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut calls = calls(&order_id, &group_id, &trigger_id);
    calls.extend(account_calls(&subtrader));
    let templates: BTreeSet<(String, &str)> = calls
        .iter()
        .map(|c| (c.method.to_string(), c.template))
        .collect();
    assert_eq!(templates.len(), calls.len(), "each operation once");
    for c in &calls {
        let reply = api
            .send_as("s", c.method.clone(), &c.path, c.body.as_ref())
            .await;
        assert_eq!(
            reply.status, c.status,
            "{} {}: {}",
            c.method, c.path, reply.text
        );
        spec.check_response(c.method.as_str(), c.template, reply.status, &reply.text);
    }
    // What the exchange serves, of all the spec's operations.
    assert_eq!((calls.len(), spec.operation_count()), (50, 50));
}

#[test]
fn the_schema_check_catches_a_missing_or_mistyped_field() {
    let spec = Spec::perps();
    let check = |body: &'static str| {
        std::panic::catch_unwind(|| spec.check_response("GET", "/margin/positions", 200, body))
            .is_ok()
    };
    let position = r#"{"subaccount":0,"market_ticker":"X","position":"1.00","entry_price":"1.0000","unrealized_pnl":"0.0000","fees":"0.0000","is_portfolio":false}"#;
    assert!(check(Box::leak(
        format!(r#"{{"positions":[{position}]}}"#).into_boxed_str()
    )));
    assert!(
        !check(r#"{"positions":[{"subaccount":0}]}"#),
        "missing fields"
    );
    assert!(!check(r#"{"positions":"none"}"#), "not an array");
    assert!(!check(r#"{}"#), "no positions");
}

#[tokio::test]
async fn faults_are_injected_into_margin_routes_as_into_the_others() {
    let api = Api::start(Config::new()).await;
    let fault = Fault::new(FaultKind::Status(503))
        .method(Method::POST)
        .path("/margin/orders");
    api.exchange.inject(fault);
    let body = order("bid", "94.0000", "1", "good_till_canceled");
    let reply = api.post("/margin/orders", &body).await;
    assert_eq!(reply.status, 503);
    assert_eq!(reply.json()["error"]["code"], "service_unavailable");
    assert_eq!(
        api.post("/margin/orders", &body).await.status,
        201,
        "used once"
    );
    api.exchange
        .inject(Fault::new(FaultKind::Drop).path("/margin/balance"));
    let dropped = api
        .request(Method::GET, "/margin/balance", None)
        .send()
        .await;
    assert!(dropped.is_err(), "the connection was dropped: {dropped:?}");
    assert_eq!(api.exchange.last_request().unwrap().status, 0);
}

#[tokio::test]
async fn a_bearer_token_reads_fills_and_positions_and_nothing_else() {
    let config = Config::new().bearer_token("tok-secret-1", "partner");
    assert!(
        !format!("{config:?}").contains("tok-secret-1"),
        "Debug hides it"
    );
    let api = Api::start(config).await;
    let body = order("bid", "96.0000", "2", "immediate_or_cancel");
    call(
        &api,
        "partner",
        Method::POST,
        "/margin/orders",
        Some(&body),
        201,
    )
    .await;
    let bearer = |path: &str, token: &str| {
        api.http
            .get(api.url(path))
            .header("Authorization", format!("Bearer {token}"))
            .send()
    };
    let fills = bearer("/margin/fills", "tok-secret-1").await.unwrap();
    assert_eq!(fills.status(), 200);
    let fills: Value = serde_json::from_str(&fills.text().await.unwrap()).unwrap();
    assert_eq!(
        fills["fills"][0]["count"], "2.00",
        "the partner account's fills"
    );
    let positions = bearer("/margin/positions", "tok-secret-1").await.unwrap();
    let positions: Value = serde_json::from_str(&positions.text().await.unwrap()).unwrap();
    assert_eq!(positions["positions"][0]["position"], "2.00");
    // An operation whose security lists no bearer scheme, and an unknown token: 401.
    assert_eq!(
        bearer("/margin/balance", "tok-secret-1")
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        bearer("/margin/fills", "tok-other").await.unwrap().status(),
        401
    );
}

#[tokio::test]
async fn candlesticks_are_made_of_the_trades() {
    let api = Api::start(Config::new()).await;
    let path = format!(
        "/margin/markets/{BTC}/candlesticks?start_ts=0&end_ts=4000000000&period_interval=1440"
    );
    let none = call(&api, "c", Method::GET, &path, None, 200).await;
    assert_eq!(none["candlesticks"], json!([]), "no trades yet");
    // 3 at 95.01 (the best ask holds more), then 2 more.
    for count in ["3", "2"] {
        let body = order("bid", "95.0100", count, "immediate_or_cancel");
        call(&api, "c", Method::POST, "/margin/orders", Some(&body), 201).await;
    }
    let candles = call(&api, "c", Method::GET, &path, None, 200).await;
    let candle = &candles["candlesticks"][0];
    assert_eq!(
        candles["candlesticks"].as_array().unwrap().len(),
        1,
        "{candles}"
    );
    assert_eq!(candle["volume"], "5.00");
    assert_eq!(candle["price"]["open"], "95.0100");
    assert_eq!(candle["price"]["mean"], "95.0100");
    assert_eq!(candle["bid"]["close"], "94.9900");
    assert_eq!(candle["end_period_ts"].as_u64().unwrap() % 86_400, 0);
    let bad = path.replace("period_interval=1440", "period_interval=5");
    call(&api, "c", Method::GET, &bad, None, 400).await;
}

/// A subaccount transfer body.
fn transfer(id: u8, from: i64, to: i64, cents: i64) -> Value {
    json!({
        "client_transfer_id": format!("00000000-0000-4000-8000-0000000000{id:02x}"),
        "from_subaccount": from,
        "to_subaccount": to,
        "amount_cents": cents,
    })
}

#[tokio::test]
async fn subaccounts_hold_what_transfers_move_once_per_transfer_id() {
    let api = Api::start(Config::new()).await;
    let spec = Spec::perps();
    let path = "/portfolio/margin/subaccounts";
    for n in [1, 2] {
        let opened = call(&api, "u", Method::POST, path, Some(&json!({})), 201).await;
        assert_eq!(opened["subaccount_number"], n);
    }
    let moves = "/portfolio/margin/subaccounts/transfer";
    call(
        &api,
        "u",
        Method::POST,
        moves,
        Some(&transfer(1, 0, 1, 2500)),
        200,
    )
    .await;
    // The same client_transfer_id again moves nothing.
    call(
        &api,
        "u",
        Method::POST,
        moves,
        Some(&transfer(1, 0, 1, 2500)),
        200,
    )
    .await;
    call(
        &api,
        "u",
        Method::POST,
        moves,
        Some(&transfer(2, 1, 2, 1000)),
        200,
    )
    .await;
    let reply = api.send_as("u", Method::GET, "/margin/balance", None).await;
    spec.check_response("GET", "/margin/balance", reply.status, &reply.text);
    let balance = reply.json();
    let funds: Vec<(&Value, &Value)> = balance["subaccount_balances"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (&b["subaccount"], &b["available_balance"]))
        .collect();
    let expected = [
        (json!(0), json!("9975.0000")),
        (json!(1), json!("15.0000")),
        (json!(2), json!("10.0000")),
    ];
    assert_eq!(
        funds,
        expected.iter().map(|(a, b)| (a, b)).collect::<Vec<_>>()
    );
    assert_eq!(
        balance["settled_funds"], "10000.0000",
        "the total is unchanged"
    );

    // More than subaccount 2 holds; a subaccount not opened; a malformed id; a zero amount.
    let refused = call(
        &api,
        "u",
        Method::POST,
        moves,
        Some(&transfer(3, 2, 0, 1001)),
        400,
    )
    .await;
    assert_eq!(refused["error"]["code"], "insufficient_balance");
    call(
        &api,
        "u",
        Method::POST,
        moves,
        Some(&transfer(4, 0, 3, 1)),
        400,
    )
    .await;
    let mut bad = transfer(5, 0, 1, 1);
    bad["client_transfer_id"] = json!("not-a-uuid");
    call(&api, "u", Method::POST, moves, Some(&bad), 400).await;
    call(
        &api,
        "u",
        Method::POST,
        moves,
        Some(&transfer(6, 0, 1, 0)),
        400,
    )
    .await;
    // Another key has only its primary subaccount.
    let other = call(&api, "v", Method::GET, "/margin/balance", None, 200).await;
    assert_eq!(other["subaccount_balances"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn intra_exchange_transfers_move_funds_between_the_two_exchanges() {
    let api = Api::start(Config::new()).await;
    let path = "/portfolio/intra_exchange_instance_transfer";
    let body = |source: &str, destination: &str, amount: i64| json!({ "source": source, "destination": destination, "amount": amount });
    assert_eq!(event_cents(&api).await, 1_000_000);
    // $100 (1,000,000 centi-cents) to the margined exchange, then $40 back.
    let to_margin = body("event_contract", "margined", 1_000_000);
    let moved = call(&api, "w", Method::POST, path, Some(&to_margin), 200).await;
    assert!(moved["transfer_id"]
        .as_str()
        .is_some_and(|id| !id.is_empty()));
    assert_eq!(event_cents(&api).await, 990_000);
    let back = body("margined", "event_contract", 400_000);
    call(&api, "w", Method::POST, path, Some(&back), 200).await;
    assert_eq!(event_cents(&api).await, 994_000);
    let balance = call(&api, "w", Method::GET, "/margin/balance", None, 200).await;
    assert_eq!(balance["settled_funds"], "10060.0000");

    // More than the margin side has available, or than the event-contract balance holds.
    let too_much = body("margined", "event_contract", 100_700_000);
    let refused = call(&api, "w", Method::POST, path, Some(&too_much), 400).await;
    assert_eq!(refused["error"]["code"], "insufficient_balance");
    let too_much = body("event_contract", "margined", 99_400_100);
    call(&api, "w", Method::POST, path, Some(&too_much), 400).await;
    // The same instance twice, a fraction of a cent, an unknown instance.
    for bad in [
        body("margined", "margined", 100),
        body("event_contract", "margined", 150),
        body("elsewhere", "margined", 100),
    ] {
        call(&api, "w", Method::POST, path, Some(&bad), 400).await;
    }
    assert_eq!(event_cents(&api).await, 994_000, "refusals move nothing");
}

#[tokio::test]
async fn fcm_caps_and_the_members_notional_limit_are_kept_and_reported() {
    let api = Api::start(Config::new()).await;
    let spec = Spec::perps();
    let subtraders = "/margin/fcm/subtraders";
    let desk = json!({ "subtrader_suffix": "desk1" });
    let created = call(&api, "f", Method::POST, subtraders, Some(&desk), 201).await;
    let id = created["subtrader_id"].as_str().unwrap().to_string();
    assert!(id.ends_with("_desk1"), "{id}");
    call(&api, "f", Method::POST, subtraders, Some(&desk), 409).await;
    let bad = json!({ "subtrader_suffix": "no-dashes" });
    call(&api, "f", Method::POST, subtraders, Some(&bad), 400).await;

    let risk = "/margin/fcm/subtraders/risk_controls";
    let cap = |scope: Value, im_cap: &str| {
        let mut body = json!({ "subtrader_id": id, "im_cap": im_cap });
        body.as_object_mut()
            .unwrap()
            .extend(scope.as_object().unwrap().clone());
        body
    };
    for body in [
        cap(json!({}), "100.0000"),
        cap(json!({ "market_ticker": BTC }), "50"),
        cap(json!({ "asset_class": "Crypto" }), "70.5"),
        cap(json!({}), "120.0000"),
    ] {
        call(&api, "f", Method::PUT, risk, Some(&body), 200).await;
    }
    let both = cap(
        json!({ "market_ticker": BTC, "asset_class": "Crypto" }),
        "1",
    );
    call(&api, "f", Method::PUT, risk, Some(&both), 400).await;
    let reply = api
        .send_as("f", Method::GET, &format!("{risk}?subtrader_id={id}"), None)
        .await;
    spec.check_response("GET", risk, reply.status, &reply.text);
    let caps = reply.json();
    let listed: BTreeSet<String> = caps["risk_controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {} {}",
                c["market_ticker"], c["asset_class"], c["im_cap"]
            )
        })
        .collect();
    let expected = [
        format!("\"{BTC}\" null \"50.0000\""),
        "null \"Crypto\" \"70.5000\"".to_string(),
        "null null \"120.0000\"".to_string(),
    ];
    assert_eq!(
        listed,
        expected.into_iter().collect(),
        "the last all-markets cap replaced the first"
    );
    assert_eq!(caps["notional_limits"], json!([]));
    let one_market = format!("{risk}?subtrader_id={id}&market_ticker={BTC}");
    let only = call(&api, "f", Method::GET, &one_market, None, 200).await;
    assert_eq!(only["risk_controls"].as_array().unwrap().len(), 1);
    call(&api, "f", Method::DELETE, &one_market, None, 200).await;
    call(&api, "f", Method::DELETE, &one_market, None, 404).await;
    // Another key's subtrader is unknown to this one.
    call(
        &api,
        "g",
        Method::GET,
        &format!("{risk}?subtrader_id={id}"),
        None,
        404,
    )
    .await;

    let limits = "/margin/fcm/notional_risk_limit";
    let read = "/margin/notional_risk_limit";
    let limit = |v: &str| json!({ "notional_value_risk_limit": v });
    call(&api, "f", Method::PUT, limits, Some(&limit("5000")), 200).await;
    let governing = call(&api, "f", Method::GET, read, None, 200).await;
    assert_eq!(governing["default_notional_value_risk_limit"], "5000.0000");
    call(
        &api,
        "f",
        Method::PUT,
        limits,
        Some(&limit("1000000.0001")),
        400,
    )
    .await;
    call(&api, "f", Method::DELETE, limits, None, 200).await;
    let governing = call(&api, "f", Method::GET, read, None, 200).await;
    assert_eq!(
        governing["default_notional_value_risk_limit"],
        "1000000.0000"
    );
}

/// The event-contract balance, in cents.
async fn event_cents(api: &Api) -> i64 {
    api.get("/portfolio/balance").await.json()["balance"]
        .as_i64()
        .unwrap()
}

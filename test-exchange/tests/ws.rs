//! The WebSocket endpoint, driven by a plain tokio-tungstenite client.

mod common;

use common::ws::{self, is_type, subscribe, Client};
use common::{order, Api, TICKER};
use futures_util::{SinkExt as _, StreamExt as _};
use kalshi_test_exchange::{Config, Levels};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::{self, Message};

const OTHER: &str = "KXHIGHNY-26JAN01-T65";
const WS_PATH: &str = "/trade-api/ws/v2";

fn request(api: &Api, sign_path: &str) -> tungstenite::handshake::client::Request {
    ws::request(api, &api.exchange.ws_url(), sign_path)
}

#[tokio::test]
async fn handshake_needs_a_fresh_signature_over_the_ws_path() {
    let api = Api::start(Config::new()).await;
    assert!(api.exchange.ws_url().ends_with("/trade-api/ws/v2"));
    let _ok = Client::connect(&api).await;
    assert_eq!(api.exchange.ws_connections(), 1);

    // Signed over the REST prefix instead of the WebSocket path.
    let err = tokio_tungstenite::connect_async(request(&api, "/trade-api/v2"))
        .await
        .unwrap_err();
    let tungstenite::Error::Http(response) = err else {
        panic!("{err}")
    };
    assert_eq!(response.status(), 401);

    let unsigned = api.exchange.ws_url().into_client_request().unwrap();
    let err = tokio_tungstenite::connect_async(unsigned)
        .await
        .unwrap_err();
    assert!(matches!(err, tungstenite::Error::Http(r) if r.status() == 401));

    api.exchange.ws_fail_handshakes(2, 503);
    for _ in 0..2 {
        let err = tokio_tungstenite::connect_async(request(&api, WS_PATH))
            .await
            .unwrap_err();
        assert!(matches!(err, tungstenite::Error::Http(r) if r.status() == 503));
    }
    let _again = Client::connect(&api).await;
    assert_eq!(api.exchange.ws_handshake_attempts(), 6);
    assert_eq!(api.exchange.ws_connections(), 2);
}

#[tokio::test]
async fn orderbook_subscription_starts_with_a_snapshot_then_consecutive_deltas() {
    let api = Api::start(Config::new()).await;
    let mut c = Client::connect(&api).await;
    let sids = subscribe(&mut c, &["orderbook_delta", "trade", "ticker"], &[TICKER]).await;
    assert_eq!(sids, [1, 2, 3]);
    let snapshot = c.until(|v| v["sid"] == 1).await;
    assert_eq!(snapshot["type"], "orderbook_snapshot");
    assert_eq!(snapshot["seq"], 1);
    assert_eq!(snapshot["msg"]["market_ticker"], TICKER);
    assert_eq!(snapshot["msg"]["yes_dollars_fp"][0][0], "0.5600");
    assert_eq!(snapshot["msg"]["no_dollars_fp"][0][0], "0.4200");
    let mut seqs = BTreeMap::new();
    while seqs.values().map(Vec::len).sum::<usize>() < 30 {
        let v = c.json().await;
        let sid = v["sid"].as_u64().unwrap();
        match v["type"].as_str().unwrap() {
            "orderbook_delta" => {
                assert_eq!(sid, 1);
                let d = &v["msg"];
                assert!(d["delta_fp"].as_str().unwrap().ends_with(".00"), "{d}");
                assert!(matches!(d["side"].as_str(), Some("yes" | "no")));
                assert!(d["ts_ms"].is_u64() && d["market_id"].is_string());
            }
            "trade" => {
                assert_eq!(sid, 2);
                assert!(v["msg"]["count_fp"].is_string());
            }
            "ticker" => {
                assert_eq!(sid, 3);
                assert!(v.get("seq").is_none(), "ticker has no seq: {v}");
                continue;
            }
            other => panic!("unexpected {other}: {v}"),
        }
        seqs.entry(sid)
            .or_insert_with(Vec::new)
            .push(v["seq"].as_u64().unwrap());
    }
    let deltas = &seqs[&1];
    assert_eq!(deltas[0], 2, "the snapshot was seq 1");
    for (sid, list) in &seqs {
        assert!(
            list.windows(2).all(|w| w[1] == w[0] + 1),
            "sid {sid}: {list:?}"
        );
    }
}

#[tokio::test]
async fn commands_update_list_snapshot_and_unsubscribe() {
    let api = Api::start(Config::new()).await;
    api.exchange.ws_pause_feed(true);
    let mut c = Client::connect(&api).await;
    let [sid] = subscribe(&mut c, &["orderbook_delta"], &[TICKER]).await[..] else {
        panic!()
    };
    c.until(is_type("orderbook_snapshot")).await;

    let id = c
        .send(
            "update_subscription",
            Some(json!({ "sids": [sid], "market_tickers": [OTHER], "action": "add_markets" })),
        )
        .await;
    let ok = c.json().await;
    assert_eq!(
        ok,
        json!({ "id": id, "type": "ok", "sid": sid, "seq": 1, "msg": { "market_tickers": [TICKER, OTHER] } })
    );
    let snap = c.json().await;
    assert_eq!(
        (&snap["type"], &snap["seq"], &snap["msg"]["market_ticker"]),
        (&json!("orderbook_snapshot"), &json!(2), &json!(OTHER))
    );

    let id = c
        .send(
            "update_subscription",
            Some(json!({ "sid": sid, "market_tickers": [TICKER], "action": "get_snapshot" })),
        )
        .await;
    let snap = c.json().await;
    assert_eq!(snap["id"], id);
    assert_eq!(snap["seq"], 3);
    assert_eq!(snap["msg"]["market_ticker"], TICKER);

    let id = c
        .send(
            "update_subscription",
            Some(json!({ "sid": sid, "market_tickers": [TICKER], "action": "delete_markets" })),
        )
        .await;
    let ok = c.json().await;
    assert_eq!(ok["id"], id);
    assert_eq!(ok["msg"]["market_tickers"], json!([OTHER]));

    let [fill] = subscribe(&mut c, &["fill"], &[]).await[..] else {
        panic!()
    };
    let id = c.send("list_subscriptions", None).await;
    assert_eq!(
        c.json().await,
        json!({ "id": id, "type": "ok", "msg": [
            { "channel": "orderbook_delta", "sid": sid },
            { "channel": "fill", "sid": fill },
        ] })
    );

    let id = c
        .send("unsubscribe", Some(json!({ "sids": [sid, fill] })))
        .await;
    for expected in [sid, fill] {
        let v = c.json().await;
        assert_eq!(
            (&v["id"], &v["type"], &v["sid"]),
            (&json!(id), &json!("unsubscribed"), &json!(expected))
        );
        assert!(v["seq"].is_u64());
    }
    assert_eq!(api.exchange.ws_commands().len(), 7);
}

#[tokio::test]
async fn errors_carry_the_specs_codes() {
    let api = Api::start(Config::new()).await;
    api.exchange.ws_pause_feed(true);
    let mut c = Client::connect(&api).await;
    let cases: Vec<(&str, Option<Value>, u64)> = vec![
        ("dance", Some(json!({})), 5),
        ("subscribe", None, 2),
        ("subscribe", Some(json!({ "market_ticker": TICKER })), 3),
        ("subscribe", Some(json!({ "channels": ["nope"] })), 8),
        (
            "subscribe",
            Some(json!({ "channels": ["orderbook_delta"] })),
            14,
        ),
        ("unsubscribe", Some(json!({ "sids": [99] })), 7),
        (
            "update_subscription",
            Some(json!({ "sids": [1, 2], "action": "add_markets" })),
            12,
        ),
        (
            "update_subscription",
            Some(json!({ "sid": 99, "action": "add_markets" })),
            7,
        ),
    ];
    for (cmd, params, code) in cases {
        let id = c.send(cmd, params).await;
        let v = c.json().await;
        assert_eq!(v["id"], id, "{v}");
        assert_eq!(v["type"], "error");
        assert_eq!(v["msg"]["code"], code, "{cmd}: {v}");
        assert!(v["msg"]["msg"].is_string());
    }
    subscribe(&mut c, &["ticker"], &[TICKER]).await;
    let id = c
        .send(
            "update_subscription",
            Some(json!({ "sid": 1, "action": "jump" })),
        )
        .await;
    let v = c.json().await;
    assert_eq!((&v["id"], &v["msg"]["code"]), (&json!(id), &json!(13)));

    c.ws.send(Message::text("not json")).await.unwrap();
    let v = c.json().await;
    assert_eq!(v["msg"]["code"], 1);
    assert_eq!(api.exchange.ws_commands().last().unwrap(), "not json");
}

/// Applies snapshot and delta frames to a client-side book: ticker -> (yes, no) price -> count
/// in hundredths.
#[derive(Default)]
struct ClientBooks(BTreeMap<String, [BTreeMap<String, i64>; 2]>);

fn hundredths(text: &str) -> i64 {
    let (whole, frac) = text.split_once('.').unwrap();
    let sign = if whole.starts_with('-') { -1 } else { 1 };
    sign * (whole.trim_start_matches('-').parse::<i64>().unwrap() * 100
        + frac.parse::<i64>().unwrap())
}

impl ClientBooks {
    fn apply(&mut self, v: &Value) {
        let msg = &v["msg"];
        let ticker = msg["market_ticker"].as_str().unwrap().to_string();
        match v["type"].as_str().unwrap() {
            "orderbook_snapshot" => {
                let mut book: [BTreeMap<String, i64>; 2] = Default::default();
                for (i, field) in ["yes_dollars_fp", "no_dollars_fp"].iter().enumerate() {
                    for level in msg[field].as_array().into_iter().flatten() {
                        book[i].insert(
                            level[0].as_str().unwrap().to_string(),
                            hundredths(level[1].as_str().unwrap()),
                        );
                    }
                }
                self.0.insert(ticker, book);
            }
            "orderbook_delta" => {
                let side = usize::from(msg["side"] == "no");
                let levels = &mut self.0.get_mut(&ticker).unwrap()[side];
                let price = msg["price_dollars"].as_str().unwrap().to_string();
                let count = levels.entry(price.clone()).or_insert(0);
                *count += hundredths(msg["delta_fp"].as_str().unwrap());
                if *count <= 0 {
                    levels.remove(&price);
                }
            }
            _ => {}
        }
    }

    fn levels(&self, ticker: &str) -> (Levels, Levels) {
        let text = |side: &BTreeMap<String, i64>| {
            side.iter()
                .rev()
                .map(|(p, c)| (p.clone(), format!("{}.{:02}", c / 100, c % 100)))
                .collect::<Vec<_>>()
        };
        let [yes, no] = &self.0[ticker];
        (text(yes), text(no))
    }
}

#[tokio::test]
async fn the_authoritative_book_equals_snapshot_plus_deltas_at_a_quiet_point() {
    let api = Api::start(Config::new().ws_interval(Duration::from_millis(2))).await;
    let mut a = Client::connect(&api).await;
    let mut b = Client::connect(&api).await;
    subscribe(&mut a, &["orderbook_delta"], &[TICKER, OTHER]).await;
    let mut books = ClientBooks::default();
    // The second connection joins later, mid-stream.
    let mut late = Vec::new();
    for _ in 0..100 {
        let v = a.json().await;
        books.apply(&v);
    }
    subscribe(&mut b, &["orderbook_delta"], &[TICKER]).await;
    // An own order resting in the book and one crossing it.
    let mut resting = order(TICKER);
    resting["price"] = json!("0.5000");
    assert_eq!(
        api.post("/portfolio/events/orders", &resting).await.status,
        201
    );
    let mut crossing = order(OTHER);
    crossing["price"] = json!("0.4000");
    crossing["count"] = json!("500.00");
    assert_eq!(
        api.post("/portfolio/events/orders", &crossing).await.status,
        201
    );
    for _ in 0..100 {
        late.push(b.json().await);
    }
    api.exchange.ws_pause_feed(true);
    tokio::time::sleep(Duration::from_millis(50)).await;
    for v in a.drain(Duration::from_millis(300)).await {
        books.apply(&v);
    }
    let mut b_books = ClientBooks::default();
    late.extend(b.drain(Duration::from_millis(300)).await);
    for v in &late {
        b_books.apply(v);
    }
    assert_eq!(
        books.levels(TICKER),
        api.exchange.order_book(TICKER).unwrap()
    );
    assert_eq!(books.levels(OTHER), api.exchange.order_book(OTHER).unwrap());
    assert_eq!(
        b_books.levels(TICKER),
        api.exchange.order_book(TICKER).unwrap()
    );
    assert!(books.levels(TICKER).0.iter().any(|(p, _)| p == "0.5000"));
}

#[tokio::test]
async fn a_flood_of_ten_thousand_arrives_in_order() {
    let api = Api::start(Config::new()).await;
    api.exchange.ws_pause_feed(true);
    let mut c = Client::connect(&api).await;
    subscribe(&mut c, &["trade"], &[TICKER]).await;
    api.exchange.ws_flood(10_000);
    for seq in 1..=10_000u64 {
        let v = c.json().await;
        assert_eq!(
            (&v["type"], &v["seq"]),
            (&json!("trade"), &json!(seq)),
            "{v}"
        );
    }
}

#[tokio::test]
async fn sequence_injections_skip_and_repeat() {
    let api = Api::start(Config::new()).await;
    api.exchange.ws_pause_feed(true);
    let mut c = Client::connect(&api).await;
    subscribe(&mut c, &["trade"], &[TICKER]).await;
    api.exchange.ws_flood(2);
    for seq in [1, 2] {
        assert_eq!(c.json().await["seq"], seq);
    }
    api.exchange.ws_skip_seq();
    // A command round trip: the session has taken the injection before the flood.
    c.send("list_subscriptions", None).await;
    c.until(is_type("ok")).await;
    api.exchange.ws_flood(2);
    assert_eq!(c.json().await["seq"], 4);
    assert_eq!(c.json().await["seq"], 5);
    api.exchange.ws_repeat_seq();
    c.send("list_subscriptions", None).await;
    c.until(is_type("ok")).await;
    api.exchange.ws_flood(2);
    assert_eq!(c.json().await["seq"], 5);
    assert_eq!(c.json().await["seq"], 6);
}

#[tokio::test]
async fn frame_injections_unknown_type_field_malformed_and_error() {
    let api = Api::start(Config::new()).await;
    api.exchange.ws_pause_feed(true);
    let mut c = Client::connect(&api).await;
    let [sid] = subscribe(&mut c, &["trade"], &[TICKER]).await[..] else {
        panic!()
    };

    api.exchange.ws_send_unknown_type();
    let v = c.json().await;
    assert_eq!(
        (&v["type"], &v["sid"], &v["seq"]),
        (&json!("test_exchange_unknown"), &json!(sid), &json!(1))
    );

    api.exchange.ws_send_unknown_field();
    c.send("list_subscriptions", None).await;
    c.until(is_type("ok")).await;
    api.exchange.ws_flood(2);
    let v = c.json().await;
    assert_eq!(v["msg"]["x_test_exchange_unknown"], "injected");
    assert_eq!(v["seq"], 2);
    assert!(c.json().await["msg"]
        .get("x_test_exchange_unknown")
        .is_none());

    api.exchange.ws_send_malformed();
    let Message::Text(text) = c.frame().await else {
        panic!()
    };
    assert!(serde_json::from_str::<Value>(&text).is_err());

    api.exchange.ws_send_error(25);
    let v = c.json().await;
    assert_eq!(
        v,
        json!({ "type": "error", "sid": sid, "msg": { "code": 25, "msg": "Subscription buffer overflow" } })
    );
}

#[tokio::test]
async fn heartbeats_stall_and_drop() {
    let api = Api::start(Config::new().ws_heartbeat(Duration::from_millis(100))).await;
    let mut c = Client::connect(&api).await;
    loop {
        if let Message::Ping(body) = c.frame().await {
            assert_eq!(&body[..], b"heartbeat");
            break;
        }
    }
    subscribe(&mut c, &["trade"], &[TICKER]).await;
    c.until(is_type("trade")).await;

    api.exchange.ws_stall(true);
    // A connection made during the stall works.
    let mut fresh = Client::connect(&api).await;
    subscribe(&mut fresh, &["trade"], &[TICKER]).await;
    fresh.until(is_type("trade")).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    c.drain(Duration::from_millis(100)).await; // what was in flight
    let during = tokio::time::timeout(Duration::from_millis(400), c.ws.next()).await;
    assert!(during.is_err(), "a stalled connection sent {during:?}");
    api.exchange.ws_stall(false);
    c.until(is_type("trade")).await;

    assert_eq!(api.exchange.ws_connections(), 2);
    api.exchange.ws_drop_connections();
    assert_eq!(api.exchange.ws_connections(), 0);
    for client in [&mut c, &mut fresh] {
        loop {
            match tokio::time::timeout(Duration::from_secs(5), client.ws.next())
                .await
                .expect("the drop is noticed")
            {
                Some(Ok(Message::Close(_))) => panic!("a close frame"),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => break,
            }
        }
    }
}

#[tokio::test]
async fn rest_orders_produce_user_orders_and_fills() {
    let api = Api::start(Config::new()).await;
    api.exchange.ws_pause_feed(true);
    let mut c = Client::connect(&api).await;
    let [orders, fills] = subscribe(&mut c, &["user_orders", "fill"], &[]).await[..] else {
        panic!()
    };

    let mut resting = order(TICKER);
    resting["client_order_id"] = json!("mine-1");
    let created = api.post("/portfolio/events/orders", &resting).await.json();
    let first = created["order_id"].as_str().unwrap().to_string();
    let v = c.json().await;
    assert_eq!(
        (&v["type"], &v["sid"]),
        (&json!("user_order"), &json!(orders))
    );
    assert!(v.get("seq").is_none());
    assert_eq!(v["msg"]["status"], "resting");
    assert_eq!(v["msg"]["client_order_id"], "mine-1");
    assert_eq!(v["msg"]["order_id"], created["order_id"]);
    assert_eq!(v["msg"]["yes_price_dollars"], "0.5600");

    // 0.60 crosses the 0.58 ask (the best NO bid is 0.42).
    let mut crossing = order(TICKER);
    crossing["client_order_id"] = json!("mine-2");
    crossing["price"] = json!("0.6000");
    crossing["count"] = json!("1.00");
    let created = api.post("/portfolio/events/orders", &crossing).await.json();
    assert_eq!(created["fill_count"], "1.00");
    let fill = c.json().await;
    assert_eq!(
        (&fill["type"], &fill["sid"]),
        (&json!("fill"), &json!(fills))
    );
    assert_eq!(fill["msg"]["order_id"], created["order_id"]);
    assert_eq!(fill["msg"]["client_order_id"], "mine-2");
    assert_eq!(fill["msg"]["yes_price_dollars"], "0.5800");
    assert_eq!(fill["msg"]["count_fp"], "1.00");
    let v = c.json().await;
    assert_eq!(v["msg"]["status"], "executed");

    let reply = api
        .delete(&format!("/portfolio/events/orders/{first}"), None)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let v = c.json().await;
    assert_eq!(
        (&v["msg"]["status"], &v["msg"]["order_id"]),
        (&json!("canceled"), &json!(first))
    );
}

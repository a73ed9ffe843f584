//! The margin (perps) WebSocket endpoint, driven by a plain tokio-tungstenite client: the signed
//! handshake, a book's snapshot then deltas with consecutive `seq`, the private channels, and the
//! same fault injection as the event-contract endpoint. Every data frame is checked against the
//! perps AsyncAPI payload of its type.

mod common;

use common::schema::Spec;
use common::ws::{self, is_type, subscribe, Client};
use common::Api;
use kalshi_test_exchange::{Config, Levels, Method};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio_tungstenite::tungstenite;

const BTC: &str = "KXBTCPERP";
const MARGIN_PATH: &str = "/trade-api/ws/v2/margin";

/// A book rebuilt from frames: (side, price) to count in hundredths.
#[derive(Default)]
struct LocalBook(BTreeMap<(String, String), i64>);

fn hundredths(text: &str) -> i64 {
    let negative = text.starts_with('-');
    let digits: i64 = text
        .trim_start_matches('-')
        .replace('.', "")
        .parse()
        .unwrap();
    if negative {
        -digits
    } else {
        digits
    }
}

impl LocalBook {
    fn apply(&mut self, frame: &Value) {
        let msg = &frame["msg"];
        match frame["type"].as_str().unwrap() {
            "orderbook_snapshot" => {
                self.0.clear();
                for side in ["bid", "ask"] {
                    for level in msg[side].as_array().into_iter().flatten() {
                        let key = (side.to_string(), level[0].as_str().unwrap().to_string());
                        self.0.insert(key, hundredths(level[1].as_str().unwrap()));
                    }
                }
            }
            "orderbook_delta" => {
                let key = (
                    msg["side"].as_str().unwrap().to_string(),
                    msg["price"].as_str().unwrap().to_string(),
                );
                let count = self.0.entry(key.clone()).or_insert(0);
                *count += hundredths(msg["delta"].as_str().unwrap());
                if *count <= 0 {
                    self.0.remove(&key);
                }
            }
            other => panic!("not a book frame: {other}"),
        }
    }

    /// `(bids, asks)` best first, as the exchange reports them.
    fn levels(&self) -> (Levels, Levels) {
        let side = |name: &str| -> Levels {
            self.0
                .iter()
                .filter(|((s, _), _)| s == name)
                .map(|((_, p), c)| (p.clone(), format!("{}.{:02}", c / 100, c % 100)))
                .collect()
        };
        let mut bids = side("bid");
        bids.reverse();
        (bids, side("ask"))
    }
}

#[tokio::test]
async fn the_margin_handshake_is_signed_over_its_own_path() {
    let api = Api::start(Config::new()).await;
    let url = api.exchange.margin_ws_url();
    assert!(url.ends_with(MARGIN_PATH), "{url}");
    let _ok = Client::connect_margin(&api).await;
    assert_eq!(api.exchange.ws_connections(), 1);
    // Signed over the event-contract path: refused.
    let err = tokio_tungstenite::connect_async(ws::request(&api, &url, "/trade-api/ws/v2"))
        .await
        .unwrap_err();
    assert!(matches!(err, tungstenite::Error::Http(r) if r.status() == 401));
    // Refused handshakes, injected.
    api.exchange.ws_fail_handshakes(1, 503);
    let err = tokio_tungstenite::connect_async(ws::request(&api, &url, MARGIN_PATH))
        .await
        .unwrap_err();
    assert!(matches!(err, tungstenite::Error::Http(r) if r.status() == 503));
    let _again = Client::connect_margin(&api).await;
    assert_eq!(api.exchange.ws_connections(), 2);
}

#[tokio::test]
async fn a_margin_book_is_a_snapshot_then_consecutive_deltas() {
    let api = Api::start(Config::new()).await;
    let spec = Spec::perps_ws();
    let mut c = Client::connect_margin(&api).await;
    let sids = subscribe(&mut c, &["orderbook_delta", "trade", "ticker"], &[BTC]).await;
    let snapshot = c.until(|v| v["sid"] == sids[0]).await;
    assert_eq!(snapshot["type"], "orderbook_snapshot");
    assert_eq!(snapshot["seq"], 1);
    assert_eq!(snapshot["msg"]["bid"][0][0], "94.9900");
    assert_eq!(snapshot["msg"]["ask"][0][0], "95.0100");
    let mut book = LocalBook::default();
    book.apply(&snapshot);
    let mut last_seq: BTreeMap<u64, u64> = BTreeMap::from([(sids[0], 1)]);
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    while counts.get("orderbook_delta").copied().unwrap_or(0) < 20 {
        let frame = c.json().await;
        spec.check_frame(&frame);
        let kind = frame["type"].as_str().unwrap().to_string();
        *counts.entry(kind.clone()).or_default() += 1;
        if kind == "ticker" {
            assert!(frame.get("seq").is_none(), "{frame}");
            continue;
        }
        let sid = frame["sid"].as_u64().unwrap();
        let seq = frame["seq"].as_u64().unwrap();
        let last = last_seq.entry(sid).or_insert(0);
        assert_eq!(seq, *last + 1, "sid {sid}: {frame}");
        *last = seq;
        if kind == "orderbook_delta" {
            book.apply(&frame);
        }
    }
    assert!(counts["trade"] > 0 && counts["ticker"] > 0, "{counts:?}");
    // At a quiet point the book from the frames is the exchange's.
    api.exchange.ws_pause_feed(true);
    for frame in c.drain(Duration::from_millis(300)).await {
        if frame["type"] == "orderbook_delta" {
            book.apply(&frame);
        }
    }
    assert_eq!(Some(book.levels()), api.exchange.margin_order_book(BTC));
}

/// Reads sequenced frames, each one after `last`, until one is `last + step`: its seq.
async fn until_seq_jump(c: &mut Client, mut last: u64, step: u64) -> u64 {
    loop {
        let frame = c.until(|v| v["seq"].is_u64()).await;
        let seq = frame["seq"].as_u64().unwrap();
        if seq == last + step {
            return seq;
        }
        assert_eq!(seq, last + 1, "{frame}");
        last = seq;
    }
}

#[tokio::test]
async fn margin_faults_skip_and_repeat_seq_send_bad_frames_and_drop() {
    let api = Api::start(Config::new()).await;
    let mut c = Client::connect_margin(&api).await;
    let sids = subscribe(&mut c, &["orderbook_delta"], &[BTC]).await;
    let first = c.until(|v| v["sid"] == sids[0] && v["seq"].is_u64()).await;
    let mut last = first["seq"].as_u64().unwrap();
    // Frames already on their way keep counting up; the injected one then skips or repeats.
    api.exchange.ws_skip_seq();
    last = until_seq_jump(&mut c, last, 2).await;
    api.exchange.ws_repeat_seq();
    until_seq_jump(&mut c, last, 0).await;

    api.exchange.ws_send_malformed();
    loop {
        match c.frame().await {
            tungstenite::Message::Text(t) if serde_json::from_str::<Value>(&t).is_err() => break,
            _ => {}
        }
    }
    api.exchange.ws_drop_connections();
    let end = tokio::time::timeout(Duration::from_secs(5), async {
        use futures_util::StreamExt as _;
        loop {
            match c.ws.next().await {
                None | Some(Err(_)) => return,
                Some(Ok(_)) => {}
            }
        }
    })
    .await;
    assert!(end.is_ok(), "the connection ended");
}

#[tokio::test]
async fn rest_activity_reaches_the_private_margin_channels() {
    let api = Api::start(Config::new()).await;
    let spec = Spec::perps_ws();
    let mut c = Client::connect_margin(&api).await;
    let id = c
        .send(
            "subscribe",
            Some(json!({ "channels": ["fill", "user_orders", "order_group_updates"] })),
        )
        .await;
    for _ in 0..3 {
        assert_eq!(c.until(is_type("subscribed")).await["id"], id);
    }
    let group = api
        .send(
            Method::POST,
            "/margin/order_groups/create",
            Some(&json!({ "contracts_limit": 2 })),
        )
        .await
        .json();
    let created = c.until(is_type("order_group_updates")).await;
    spec.check_frame(&created);
    assert_eq!(created["seq"], 1);
    assert_eq!(created["msg"]["event_type"], "created");
    assert_eq!(created["msg"]["contracts_limit_fp"], "2.00");

    // A buy of 2 in the group crosses the seeded ask, fills, and so triggers the group.
    let order = json!({
        "ticker": BTC, "client_order_id": "ws-1", "side": "bid", "price": "95.0100", "count": "2",
        "time_in_force": "good_till_canceled", "self_trade_prevention_type": "taker_at_cross",
        "order_group_id": group["order_group_id"],
    });
    let reply = api.send(Method::POST, "/margin/orders", Some(&order)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let fill = c.until(is_type("fill")).await;
    spec.check_frame(&fill);
    assert_eq!(fill["msg"]["side"], "bid");
    assert_eq!(fill["msg"]["post_position"], "2.00");
    assert_eq!(fill["msg"]["is_taker"], true);
    let triggered = c.until(|v| v["msg"]["event_type"] == "triggered").await;
    assert_eq!(triggered["seq"], 2);
    let user_order = c.until(is_type("user_order")).await;
    spec.check_frame(&user_order);
    assert_eq!(user_order["msg"]["client_order_id"], "ws-1");
    assert_eq!(user_order["msg"]["fill_count"], "2.00");
    assert!(user_order.get("seq").is_none(), "{user_order}");

    // A second order in the triggered group is refused until the group is reset.
    let reply = api.send(Method::POST, "/margin/orders", Some(&order)).await;
    assert_eq!(reply.status, 409, "{}", reply.text);
}

#[tokio::test]
async fn margin_commands_answer_with_the_perps_specs_codes() {
    let api = Api::start(Config::new()).await;
    let mut c = Client::connect_margin(&api).await;
    // The book channel needs a market; an unknown channel is refused.
    c.send(
        "subscribe",
        Some(json!({ "channels": ["orderbook_delta"] })),
    )
    .await;
    let error = c.until(is_type("error")).await;
    assert_eq!(error["msg"]["code"], 14, "Market Ticker required: {error}");
    c.send(
        "subscribe",
        Some(json!({ "channels": ["market_lifecycle_v2"] })),
    )
    .await;
    let error = c.until(is_type("error")).await;
    assert_eq!(error["msg"]["msg"], "Unknown channel name");
    let sids = subscribe(&mut c, &["orderbook_delta"], &[BTC]).await;
    c.send(
        "update_subscription",
        Some(json!({ "sid": sids[0], "action": "get_snapshot" })),
    )
    .await;
    let snapshot = c
        .until(|v| v["type"] == "orderbook_snapshot" && v.get("id").is_some())
        .await;
    assert_eq!(snapshot["msg"]["market_ticker"], BTC);
    c.send("list_subscriptions", None).await;
    let list = c.until(|v| v["msg"].is_array()).await;
    assert_eq!(
        list["msg"],
        json!([{ "channel": "orderbook_delta", "sid": sids[0] }])
    );
}

//! Kalshi's token buckets: costs per route and per batch item, separate read and write buckets,
//! the exact 429, and refill.

mod common;

use common::{order, Api, Reply, TICKER};
use kalshi_test_exchange::{Bucket, Config, Fault, FaultKind, Method};
use serde_json::json;
use std::time::Duration;

const ROOMY: Bucket = Bucket {
    refill_per_sec: 10_000,
    capacity: 10_000,
};

/// A bucket of `capacity` tokens that refills too slowly to matter within a test.
fn fixed(capacity: u32) -> Bucket {
    Bucket {
        refill_per_sec: 1,
        capacity,
    }
}

fn assert_kalshi_429(reply: &Reply) {
    assert_eq!(reply.status, 429);
    assert_eq!(reply.text, r#"{"error":"too many requests"}"#);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert!(reply.headers.get("retry-after").is_none());
}

#[tokio::test]
async fn the_eleventh_post_gets_kalshis_429_and_the_bucket_refills() {
    let write = Bucket {
        refill_per_sec: 100,
        capacity: 100,
    };
    let api = Api::start(Config::new().rate_limit(ROOMY, write)).await;
    // Signed ahead, so that the eleven arrive well within the 100 ms that refill 10 tokens.
    let posts: Vec<_> = (0..11)
        .map(|_| {
            api.request(
                Method::POST,
                "/portfolio/events/orders",
                Some(&order(TICKER)),
            )
            .build()
            .unwrap()
        })
        .collect();
    let mut replies = Vec::new();
    for post in posts {
        replies.push(api.execute(post).await);
    }
    let statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    let requests = api.exchange.requests();
    let span = requests[10].received - requests[0].received;
    assert_eq!(statuses[..10], [201; 10], "{statuses:?} in {span:?}");
    assert_kalshi_429(&replies[10]);

    tokio::time::sleep(Duration::from_millis(100)).await;
    let reply = api.post("/portfolio/events/orders", &order(TICKER)).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
}

#[tokio::test]
async fn batches_cost_per_order_and_a_refused_request_takes_nothing() {
    let api = Api::start(Config::new().rate_limit(ROOMY, fixed(100))).await;
    let batch = |n: usize| json!({ "orders": vec![order(TICKER); n] });
    let created = api
        .post("/portfolio/events/orders/batched", &batch(5))
        .await;
    assert_eq!(created.status, 201, "{}", created.text); // 50 tokens, 50 left
    assert_kalshi_429(
        &api.post("/portfolio/events/orders/batched", &batch(6))
            .await,
    ); // 60
    let created = api
        .post("/portfolio/events/orders/batched", &batch(4))
        .await;
    assert_eq!(created.status, 201, "the 429 took nothing"); // 40, 10 left

    let ids: Vec<_> = created.json()["orders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| json!({ "order_id": o["order_id"] }))
        .collect();
    let cancel = json!({ "orders": ids[..3] }); // 3 × 2 = 6 tokens, 4 left
    let reply = api
        .delete("/portfolio/events/orders/batched", Some(&cancel))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_kalshi_429(
        &api.delete("/portfolio/events/orders/batched", Some(&cancel))
            .await,
    );
    let cancel = json!({ "orders": ids[3..] }); // 2 tokens, 2 left
    let reply = api
        .delete("/portfolio/events/orders/batched", Some(&cancel))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[tokio::test]
async fn an_unparseable_batch_costs_the_default() {
    let api = Api::start(Config::new().rate_limit(ROOMY, fixed(19))).await;
    let garbage = api
        .http
        .execute(
            api.request(Method::POST, "/portfolio/events/orders/batched", None)
                .header("content-type", "application/json")
                .body("not json")
                .build()
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400); // 10 tokens, 9 left
    let one = json!({ "orders": [order(TICKER)] });
    assert_kalshi_429(&api.post("/portfolio/events/orders/batched", &one).await);
}

#[tokio::test]
async fn single_order_reads_and_cancels_cost_2_from_their_own_buckets() {
    let api = Api::start(Config::new().rate_limit(fixed(10), fixed(10))).await;
    for _ in 0..5 {
        assert_eq!(api.get("/portfolio/orders/nope").await.status, 404);
    }
    assert_kalshi_429(&api.get("/portfolio/orders/nope").await);
    for _ in 0..5 {
        let reply = api.delete("/portfolio/events/orders/nope", None).await;
        assert_eq!(reply.status, 404);
    }
    assert_kalshi_429(&api.delete("/portfolio/events/orders/nope", None).await);
}

#[tokio::test]
async fn public_routes_are_limited_and_reads_do_not_touch_the_write_bucket() {
    let api = Api::start(Config::new().rate_limit(fixed(20), fixed(10))).await;
    assert_eq!(api.get("/markets").await.status, 200);
    assert_eq!(api.get("/exchange/status").await.status, 200);
    assert_kalshi_429(&api.get("/markets").await);
    assert_kalshi_429(&api.get("/portfolio/balance").await);
    let created = api.post("/portfolio/events/orders", &order(TICKER)).await;
    assert_eq!(created.status, 201);
    assert_kalshi_429(&api.post("/portfolio/events/orders", &order(TICKER)).await);
}

#[tokio::test]
async fn faulted_requests_are_answered_before_the_limit_and_cost_nothing() {
    let api = Api::start(Config::new().rate_limit(fixed(10), ROOMY)).await;
    api.exchange
        .inject(Fault::new(FaultKind::Status(503)).path("/markets").times(3));
    for _ in 0..3 {
        assert_eq!(api.get("/markets").await.status, 503);
    }
    assert_eq!(api.get("/markets").await.status, 200);
    assert_kalshi_429(&api.get("/markets").await);
}

#[tokio::test]
async fn without_a_rate_limit_nothing_is_limited() {
    let api = Api::start(Config::new()).await;
    for _ in 0..200 {
        assert_eq!(api.get("/exchange/status").await.status, 200);
    }
}

#[tokio::test]
async fn recorded_arrival_times_measure_the_request_rate() {
    let api = Api::start(Config::new()).await;
    for _ in 0..3 {
        api.get("/exchange/status").await;
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let requests = api.exchange.requests();
    for pair in requests.windows(2) {
        let gap = pair[1].received - pair[0].received;
        assert!(gap >= Duration::from_millis(20), "{gap:?}");
    }
}

//! Fault injection: statuses, delays and dropped connections, matched by method and path, FIFO.

mod common;

use common::{order, Api, TICKER};
use kalshi_test_exchange::{Config, Fault, FaultKind, Method};
use std::error::Error as _;
use std::time::{Duration, Instant};

#[tokio::test]
async fn a_status_fault_answers_once_then_the_route_is_normal() {
    let api = Api::start(Config::new()).await;
    api.exchange.inject(Fault::new(FaultKind::Status(503)));
    let faulted = api.get("/markets").await;
    assert_eq!(faulted.status, 503);
    let body = faulted.json();
    assert_eq!(body["error"]["code"], "service_unavailable");
    for field in ["message", "details", "service"] {
        assert!(body["error"][field].is_string(), "{field}: {body}");
    }
    assert_eq!(api.exchange.last_request().unwrap().status, 503);
    assert_eq!(api.get("/markets").await.status, 200);
}

#[tokio::test]
async fn an_injected_429_is_kalshis_rate_limit_answer() {
    let api = Api::start(Config::new()).await;
    api.exchange.inject(Fault::new(FaultKind::Status(429)));
    let reply = api.post("/portfolio/events/orders", &order(TICKER)).await;
    assert_eq!(reply.status, 429);
    assert_eq!(reply.text, r#"{"error":"too many requests"}"#);
    assert!(reply.headers.get("retry-after").is_none());
    let reply = api.post("/portfolio/events/orders", &order(TICKER)).await;
    assert_eq!(reply.status, 201);
}

#[tokio::test]
async fn a_delay_fault_delays_once_then_answers_normally() {
    let api = Api::start(Config::new()).await;
    api.exchange
        .inject(Fault::new(FaultKind::Delay(Duration::from_millis(300))));
    let start = Instant::now();
    assert_eq!(api.get("/exchange/status").await.status, 200);
    assert!(start.elapsed() >= Duration::from_millis(300));
    let start = Instant::now();
    assert_eq!(api.get("/exchange/status").await.status, 200);
    assert!(start.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn a_delay_fault_lets_a_client_time_out() {
    let api = Api::start(Config::new()).await;
    api.exchange
        .inject(Fault::new(FaultKind::Delay(Duration::from_secs(5))));
    let err = api
        .request(Method::GET, "/exchange/status", None)
        .timeout(Duration::from_millis(100))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err:?}");
    assert_eq!(api.get("/exchange/status").await.status, 200);
}

#[tokio::test]
async fn a_drop_fault_closes_the_connection_and_the_server_keeps_serving() {
    let api = Api::start(Config::new()).await;
    // A connection the drop must not disturb, opened before.
    let bystander = reqwest::Client::new();
    let url = api.url("/exchange/status");
    assert_eq!(bystander.get(&url).send().await.unwrap().status(), 200);

    api.exchange
        .inject(Fault::new(FaultKind::Drop).path("/markets"));
    let err = api
        .request(Method::GET, "/markets", None)
        .send()
        .await
        .expect_err("the connection is dropped");
    assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(e) = source {
        chain += &format!(": {e}");
        source = e.source();
    }
    assert!(
        chain.contains("connection closed before message completed") || chain.contains("reset"),
        "{chain}"
    );
    let dropped = api.exchange.last_request().unwrap();
    assert_eq!(
        (dropped.path.as_str(), dropped.status),
        ("/trade-api/v2/markets", 0)
    );

    assert_eq!(api.get("/markets").await.status, 200);
    assert_eq!(bystander.get(&url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn faults_match_method_and_path_and_are_taken_in_order() {
    let api = Api::start(Config::new()).await;
    let exchange = &api.exchange;
    exchange.inject(
        Fault::new(FaultKind::Status(500))
            .method(Method::POST)
            .path("/portfolio/events/orders")
            .times(2),
    );
    exchange.inject(Fault::new(FaultKind::Status(502)).path("/markets"));
    exchange.inject(Fault::new(FaultKind::Status(503)).times(2));

    // Not matched by the first two: the catch-all takes it.
    assert_eq!(api.get("/portfolio/balance").await.status, 503);
    // The POST fault, twice, ahead of the catch-all.
    let body = order(TICKER);
    let create = || api.post("/portfolio/events/orders", &body);
    assert_eq!(create().await.status, 500);
    assert_eq!(create().await.status, 500);
    // `/markets` takes its own fault; the path is exact and excludes the query.
    assert_eq!(api.get("/markets?limit=5").await.status, 502);
    // The catch-all's last use, then nothing is left.
    assert_eq!(create().await.status, 503);
    assert_eq!(create().await.status, 201);
    assert_eq!(api.get("/markets").await.status, 200);

    let statuses: Vec<u16> = exchange.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 500, 500, 502, 503, 201, 200]);
}

#[tokio::test]
async fn clear_faults_forgets_them_and_zero_times_never_fires() {
    let api = Api::start(Config::new()).await;
    api.exchange
        .inject(Fault::new(FaultKind::Status(503)).times(0));
    assert_eq!(api.get("/markets").await.status, 200);
    api.exchange
        .inject(Fault::new(FaultKind::Status(503)).times(10));
    api.exchange.clear_faults();
    assert_eq!(api.get("/markets").await.status, 200);
}

//! What an operator sees through `tracing`: the span of each REST call and its fields, the events
//! of a WebSocket session in order, and no secret anywhere, captured by a small recording layer
//! against the test exchange.
//!
//! Each test runs on a current-thread runtime with its capture installed as the thread's default
//! subscriber, so the exchange, the client's connections and the session task all report to it
//! and tests running in parallel do not see each other's records.
#![cfg(feature = "tracing")]

mod common;

use common::*;
use futures_util::StreamExt;
use kalshi_api::backoff::Backoff;
use kalshi_api::ratelimit::{BucketConfig, RateLimiter};
use kalshi_api::ws::{Delivery, Event, Session, SessionConfig, Subscribe, SubscribeChannelsItem};
use kalshi_api::{ops, types, Client, Environment, PrivateKey, RetryPolicy};
use kalshi_test_exchange::{Config, Fault, FaultKind, TestExchange};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

// ---------------------------------------------------------------------------------------------
// The capture

/// A span as last seen: its name and every field recorded on it.
#[derive(Debug, Clone)]
struct SpanRec {
    name: &'static str,
    target: String,
    fields: BTreeMap<String, String>,
}

/// An event: level, target, message, fields, and the span it happened in (an index into
/// [`Log::spans`]).
#[derive(Debug, Clone)]
struct EventRec {
    level: Level,
    target: String,
    message: String,
    fields: BTreeMap<String, String>,
    span: Option<usize>,
}

#[derive(Debug, Default)]
struct Log {
    spans: Vec<SpanRec>,
    events: Vec<EventRec>,
}

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Log>>);

/// The index of a span's record, kept in the span's extensions.
struct Index(usize);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Capture {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let mut log = self.0.lock().unwrap();
        log.spans.push(SpanRec {
            name: attrs.metadata().name(),
            target: attrs.metadata().target().to_string(),
            fields,
        });
        let index = log.spans.len() - 1;
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Index(index));
        }
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let Some(&Index(index)) = span.extensions().get::<Index>() else {
            return;
        };
        values.record(&mut Fields(&mut self.0.lock().unwrap().spans[index].fields));
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        event.record(&mut Fields(&mut fields));
        let message = fields.remove("message").unwrap_or_default();
        let span = ctx
            .event_span(event)
            .and_then(|s| s.extensions().get::<Index>().map(|i| i.0));
        self.0.lock().unwrap().events.push(EventRec {
            level: *event.metadata().level(),
            target: event.metadata().target().to_string(),
            message,
            fields,
            span,
        });
    }
}

impl Capture {
    /// Installs the capture as this thread's subscriber, at every level, until the guard drops.
    fn install() -> (Capture, tracing::subscriber::DefaultGuard) {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        let guard = tracing::subscriber::set_default(subscriber);
        (capture, guard)
    }

    /// The SDK's `request` spans, in creation order.
    fn requests(&self) -> Vec<SpanRec> {
        self.0
            .lock()
            .unwrap()
            .spans
            .iter()
            .filter(|s| s.target.starts_with("kalshi_api") && s.name == "request")
            .cloned()
            .collect()
    }

    /// The SDK's events, in order.
    fn events(&self) -> Vec<EventRec> {
        self.0
            .lock()
            .unwrap()
            .events
            .iter()
            .filter(|e| e.target.starts_with("kalshi_api"))
            .cloned()
            .collect()
    }

    /// The SDK's events inside span number `request` of [`requests`](Self::requests) (hyper's
    /// own events nest there too).
    fn events_in(&self, request: usize) -> Vec<EventRec> {
        let log = self.0.lock().unwrap();
        let span = log
            .spans
            .iter()
            .enumerate()
            .filter(|(_, s)| s.target.starts_with("kalshi_api") && s.name == "request")
            .nth(request)
            .map(|(i, _)| i)
            .expect("no such request span");
        log.events
            .iter()
            .filter(|e| e.span == Some(span) && e.target.starts_with("kalshi_api"))
            .cloned()
            .collect()
    }

    /// Every name and value of every span and event, from every crate.
    fn all_text(&self) -> Vec<String> {
        let log = self.0.lock().unwrap();
        let mut all = Vec::new();
        for s in &log.spans {
            all.push(s.name.to_string());
            for (k, v) in &s.fields {
                all.push(format!("{k}={v}"));
            }
        }
        for e in &log.events {
            all.push(e.message.clone());
            for (k, v) in &e.fields {
                all.push(format!("{k}={v}"));
            }
        }
        all
    }
}

fn field<'a>(fields: &'a BTreeMap<String, String>, name: &str) -> &'a str {
    fields
        .get(name)
        .unwrap_or_else(|| panic!("no field `{name}` in {fields:?}"))
}

// ---------------------------------------------------------------------------------------------
// Setup

const TICKER: &str = "KXHIGHNY-26JAN01-T60";

/// An exchange accepting a fresh Ed25519 key, a client signing with it, and the key's PEM.
async fn setup(config: Config) -> (TestExchange, kalshi_api::ClientBuilder, String) {
    let key = ed25519_key();
    let exchange = TestExchange::start(
        config
            .key(KEY_ID, ed25519_public(&key))
            .market_count(5)
            .ws_interval(Duration::from_millis(5))
            .ws_heartbeat(Duration::from_millis(200))
            .seed(7),
    )
    .await
    .unwrap();
    let pem = ed25519_pkcs8_pem(&key);
    let builder = Client::builder(Environment::Custom(exchange.base_url()))
        .http_client(reqwest::Client::builder().no_proxy().build().unwrap())
        .credentials(KEY_ID, PrivateKey::from_pem(&pem).unwrap());
    (exchange, builder, pem)
}

fn order(client_order_id: &str) -> ops::CreateOrderV2 {
    let mut order = types::CreateOrderV2Request::new(
        TICKER,
        types::BookSide::Bid,
        "1.00".parse().unwrap(),
        "0.01".parse().unwrap(),
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    order.client_order_id = Some(client_order_id.to_string());
    ops::CreateOrderV2::new(order)
}

fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(20))
        .jitter_seed(7)
}

// ---------------------------------------------------------------------------------------------
// REST

#[tokio::test]
async fn a_successful_call_is_one_span_with_the_operation_and_the_path_template() {
    let (exchange, builder, _) = setup(Config::new()).await;
    let client = builder.build().unwrap();
    let (capture, _guard) = Capture::install();
    client
        .get_market(ops::GetMarket::new(TICKER))
        .await
        .unwrap();

    let spans = capture.requests();
    assert_eq!(spans.len(), 1, "{spans:?}");
    let f = &spans[0].fields;
    assert_eq!(field(f, "operation"), "GetMarket");
    assert_eq!(field(f, "otel.name"), "GetMarket");
    assert_eq!(field(f, "method"), "GET");
    assert_eq!(field(f, "path"), "/markets/{ticker}");
    assert_eq!(field(f, "attempts"), "1");
    assert_eq!(field(f, "status"), "200");
    assert_eq!(
        field(f, "request_id"),
        kalshi_test_exchange::rest::request_id(0)
    );
    assert!(field(f, "latency_ms").parse::<f64>().unwrap() > 0.0);
    assert!(!f.contains_key("error") && !f.contains_key("rate_limit_wait_ms"));
    // The ticker is in no span: names and fields hold the template.
    assert!(
        !spans[0].name.contains(TICKER) && f.values().all(|v| !v.contains(TICKER)),
        "{spans:?}"
    );
    let events = capture.events_in(0);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].message, "attempt");
    assert_eq!(events[0].level, Level::DEBUG);
    assert_eq!(field(&events[0].fields, "status"), "200");
    assert_eq!(field(&events[0].fields, "attempt"), "1");
    // Nothing at info or above for a healthy call.
    assert!(capture.events().iter().all(|e| e.level > Level::INFO));
    drop(exchange);
}

#[tokio::test]
async fn a_call_retried_twice_shows_each_attempt_and_each_decision() {
    let (exchange, builder, _) = setup(Config::new()).await;
    let client = builder.retry(quick_retries()).build().unwrap();
    exchange.inject(Fault::new(FaultKind::Status(503)).path("/markets").times(2));
    let (capture, _guard) = Capture::install();
    client.get_markets(ops::GetMarkets::new()).await.unwrap();

    let spans = capture.requests();
    assert_eq!(spans.len(), 1);
    let f = &spans[0].fields;
    assert_eq!(field(f, "operation"), "GetMarkets");
    assert_eq!(field(f, "attempts"), "3");
    assert_eq!(field(f, "status"), "200");
    assert_eq!(field(f, "retry"), "server error");
    assert_eq!(
        field(f, "request_id"),
        kalshi_test_exchange::rest::request_id(2)
    );
    assert!(!f.contains_key("error"));

    let events = capture.events_in(0);
    let summary: Vec<(String, Option<String>, Option<String>)> = events
        .iter()
        .map(|e| {
            (
                e.message.clone(),
                e.fields.get("attempt").cloned(),
                e.fields.get("status").or(e.fields.get("reason")).cloned(),
            )
        })
        .collect();
    let s = |m: &str, a: &str, x: &str| (m.to_string(), Some(a.to_string()), Some(x.to_string()));
    assert_eq!(
        summary,
        vec![
            s("attempt", "1", "503"),
            s("retrying", "1", "server error"),
            s("attempt", "2", "503"),
            s("retrying", "2", "server error"),
            s("attempt", "3", "200"),
        ]
    );
    for retry in events.iter().filter(|e| e.message == "retrying") {
        assert_eq!(retry.level, Level::INFO);
        // At info the span is off, so the event names the call itself.
        assert_eq!(field(&retry.fields, "operation"), "GetMarkets");
        assert!(field(&retry.fields, "delay_ms").parse::<f64>().unwrap() >= 0.0);
        assert!(field(&retry.fields, "error").contains("503"));
    }
}

#[tokio::test]
async fn a_call_that_waited_for_tokens_records_the_wait() {
    let (_exchange, builder, _) = setup(Config::new()).await;
    // 20 read tokens a second and a read costs 10: the third call waits about half a second.
    let limiter = RateLimiter::new(BucketConfig::per_second(20), BucketConfig::per_second(100))
        .with_reserve(Duration::ZERO);
    let client = builder.rate_limiter(limiter).build().unwrap();
    let (capture, _guard) = Capture::install();
    for _ in 0..3 {
        client
            .get_market(ops::GetMarket::new(TICKER))
            .await
            .unwrap();
    }
    let waits: Vec<f64> = capture
        .requests()
        .iter()
        .map(|s| field(&s.fields, "rate_limit_wait_ms").parse().unwrap())
        .collect();
    assert_eq!(waits.len(), 3);
    assert!(waits[0] < 50.0, "{waits:?}");
    assert!(waits[2] >= 300.0, "{waits:?}");
}

#[tokio::test]
async fn a_failed_order_records_its_error_status_and_request_id() {
    let (exchange, builder, _) = setup(Config::new()).await;
    let client = builder.build().unwrap();
    exchange.inject(
        Fault::new(FaultKind::Status(409))
            .method(reqwest::Method::POST)
            .path("/portfolio/events/orders"),
    );
    let (capture, _guard) = Capture::install();
    let err = client.create_order_v2(order("traced")).await.unwrap_err();
    let request_id = err
        .api_error()
        .and_then(|e| e.request_id.clone())
        .expect("the answer's request id");

    let spans = capture.requests();
    assert_eq!(spans.len(), 1);
    let f = &spans[0].fields;
    assert_eq!(field(f, "operation"), "CreateOrderV2");
    assert_eq!(field(f, "method"), "POST");
    assert_eq!(field(f, "path"), "/portfolio/events/orders");
    assert_eq!(field(f, "status"), "409");
    assert_eq!(field(f, "request_id"), request_id);
    assert!(!f.contains_key("retry"), "no retry policy, no decision");
    assert_eq!(field(f, "error"), err.to_string());

    let failure = capture
        .events()
        .into_iter()
        .find(|e| e.message == "request failed")
        .expect("a `request failed` event");
    assert_eq!(failure.level, Level::WARN);
    assert_eq!(field(&failure.fields, "operation"), "CreateOrderV2");
    assert_eq!(field(&failure.fields, "status"), "409");
    assert_eq!(field(&failure.fields, "request_id"), request_id);
}

// ---------------------------------------------------------------------------------------------
// WebSocket

fn fast() -> SessionConfig {
    SessionConfig::new()
        .ping_interval(Duration::from_millis(200))
        .idle_timeout(Duration::from_millis(800))
        .command_timeout(Duration::from_secs(3))
        .backoff(Backoff::new(Duration::from_millis(20), Duration::from_millis(200)).seed(1))
}

/// Reads events until `done` says so, failing after 10 s.
async fn until<M: fmt::Debug>(
    events: &mut kalshi_api::ws::Events<M>,
    mut done: impl FnMut(&Event<M>) -> bool,
) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .expect("timed out")
            .expect("the stream ended");
        if done(&event) {
            return;
        }
    }
}

#[tokio::test]
async fn a_session_logs_its_disconnect_reconnect_and_gap_in_order() {
    let (exchange, builder, _) = setup(Config::new()).await;
    let client = builder.build().unwrap();
    let markets: Vec<String> = exchange.market_tickers().into_iter().take(5).collect();
    let (capture, _guard) = Capture::install();
    let (session, mut events) = Session::connect(&client, fast()).await.unwrap();
    let _book = session
        .subscribe(
            &Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta])
                .market_tickers(markets.clone()),
        )
        .await
        .unwrap();
    until(&mut events, |e| matches!(e, Event::Message(_))).await;
    exchange.ws_drop_connections();
    until(&mut events, |e| matches!(e, Event::Resubscribed { .. })).await;
    until(&mut events, |e| matches!(e, Event::Message(_))).await;
    exchange.ws_skip_seq();
    until(&mut events, |e| {
        matches!(e, Event::SnapshotRequested { .. })
    })
    .await;
    session.close().await;
    until(&mut events, |e| matches!(e, Event::Closed { .. })).await;

    let log: Vec<EventRec> = capture
        .events()
        .into_iter()
        .filter(|e| e.target.starts_with("kalshi_api::ws"))
        .collect();
    let messages: Vec<&str> = log.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        [
            "websocket connected",
            "websocket disconnected",
            "websocket reconnecting",
            "websocket connected",
            "websocket reconnected",
            "websocket resubscribing",
            "websocket resubscribed",
            "websocket sequence gap",
            "websocket resync: snapshot requested",
            "websocket session closed",
        ],
        "{log:#?}"
    );
    let by = |m: &str| log.iter().find(|e| e.message == m).unwrap();
    assert_eq!(by("websocket disconnected").level, Level::WARN);
    assert!(!field(&by("websocket disconnected").fields, "reason").is_empty());
    assert_eq!(by("websocket reconnecting").level, Level::INFO);
    assert_eq!(field(&by("websocket reconnecting").fields, "attempt"), "1");
    assert_eq!(by("websocket reconnected").level, Level::INFO);
    assert_eq!(field(&by("websocket reconnected").fields, "attempts"), "1");
    assert_eq!(
        field(&by("websocket resubscribed").fields, "subscription"),
        "1"
    );
    let gap = by("websocket sequence gap");
    assert_eq!(gap.level, Level::WARN);
    assert_eq!(field(&gap.fields, "subscription"), "1");
    let expected: u64 = field(&gap.fields, "expected").parse().unwrap();
    let received: u64 = field(&gap.fields, "received").parse().unwrap();
    assert_eq!(received, expected + 1, "one number skipped");
    assert!(gap.fields.contains_key("sid"));
    let resync = by("websocket resync: snapshot requested");
    assert_eq!(field(&resync.fields, "markets"), "5");
}

#[tokio::test]
async fn a_lagging_consumer_in_drop_oldest_mode_sees_its_drops_logged() {
    let (exchange, builder, _) = setup(Config::new()).await;
    let client = builder.build().unwrap();
    let market = exchange.market_tickers().remove(0);
    exchange.ws_pause_feed(true);
    let (capture, _guard) = Capture::install();
    let (session, mut events) = Session::connect(
        &client,
        fast().delivery(Delivery::DropOldest { capacity: 8 }),
    )
    .await
    .unwrap();
    let _trade = session
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::Trade]).market_tickers(vec![market]))
        .await
        .unwrap();
    exchange.ws_flood(200);
    // Not reading: the session queues 8 and drops the rest, oldest first.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut dropped = 0;
    until(&mut events, |e| {
        if let Event::Dropped { count } = e {
            dropped = *count;
        }
        dropped > 0
    })
    .await;
    session.close().await;

    let log = capture.events();
    // One warning when a run of drops starts (the flood may start another after the report).
    let behind = log
        .iter()
        .position(|e| e.message == "websocket consumer behind: dropping oldest messages")
        .expect("a warning when dropping starts");
    assert_eq!(log[behind].level, Level::WARN);
    assert_eq!(
        log[behind + 1].message,
        "websocket messages dropped",
        "one warning per run of drops: {log:#?}"
    );
    let reported = log
        .iter()
        .find(|e| e.message == "websocket messages dropped")
        .expect("the drop count is logged");
    assert_eq!(reported.level, Level::WARN);
    assert_eq!(field(&reported.fields, "count"), dropped.to_string());
}

// ---------------------------------------------------------------------------------------------
// Secrets

#[tokio::test]
async fn no_key_signature_or_access_header_appears_at_any_level() {
    let (exchange, builder, pem) = setup(Config::new()).await;
    let client = builder.retry(quick_retries()).build().unwrap();
    let (capture, _guard) = Capture::install();
    // Signed calls that succeed, are retried and fail, and a signed WebSocket handshake.
    client.get_balance(ops::GetBalance::new()).await.unwrap();
    exchange.inject(Fault::new(FaultKind::Status(503)).path("/portfolio/balance"));
    client.get_balance(ops::GetBalance::new()).await.unwrap();
    exchange.inject(
        Fault::new(FaultKind::Status(400))
            .method(reqwest::Method::POST)
            .path("/portfolio/events/orders"),
    );
    client.create_order_v2(order("secret")).await.unwrap_err();
    let (session, mut events) = Session::connect(&client, fast()).await.unwrap();
    session.close().await;
    while events.next().await.is_some() {}

    let mut secrets: Vec<String> = vec![pem.clone(), KEY_ID.to_string()];
    // Each base64 line of the PEM: the key's secret material as it sits in the file.
    secrets.extend(
        pem.lines()
            .filter(|l| !l.starts_with("-----") && l.len() > 16)
            .map(str::to_string),
    );
    // Every KALSHI-ACCESS-* value the exchange received: key, timestamp and signature.
    let requests = exchange.requests();
    assert!(requests.len() >= 5, "{} requests", requests.len());
    for r in &requests {
        for (name, value) in &r.headers {
            if name.as_str().starts_with("kalshi-access-") {
                secrets.push(value.to_str().unwrap().to_string());
            }
        }
    }
    assert!(
        secrets.iter().any(|s| s.len() > 40),
        "no signature collected"
    );
    let text = capture.all_text();
    assert!(text.len() > 20, "too little was captured: {text:?}");
    for secret in &secrets {
        for line in &text {
            assert!(
                !line.contains(secret.as_str()),
                "`{secret}` appears in `{line}`"
            );
        }
    }
}

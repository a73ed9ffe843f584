//! Pagination, batches, rate limiting and retries against the test exchange over real HTTP.

mod common;

use common::{ed25519_key, ed25519_pkcs8_pem, ed25519_public, KEY_ID};
use kalshi_api::batch::ItemError;
use kalshi_api::pagination::TryStreamExt;
use kalshi_api::ratelimit::{BucketConfig, RateLimiter, Tier};
use kalshi_api::{ops, types, Client, Environment, Error, PrivateKey, RetryPolicy};
use kalshi_test_exchange::{Bucket, Config, Fault, FaultKind, TestExchange};
use std::collections::HashSet;
use std::time::Duration;

/// An exchange with `config` accepting a fresh Ed25519 key, and a client builder signing with it
/// (Ed25519 keeps signing out of the timings).
async fn setup(config: Config) -> (TestExchange, kalshi_api::ClientBuilder) {
    let key = ed25519_key();
    let exchange = TestExchange::start(config.key(KEY_ID, ed25519_public(&key)))
        .await
        .unwrap();
    let private = PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap();
    let builder = Client::builder(Environment::Custom(exchange.base_url()))
        .http_client(reqwest::Client::builder().no_proxy().build().unwrap())
        .credentials(KEY_ID, private);
    (exchange, builder)
}

/// The number of orders in each recorded request, in order.
fn batch_sizes(exchange: &TestExchange) -> Vec<usize> {
    exchange
        .requests()
        .iter()
        .map(|r| r.json()["orders"].as_array().map_or(0, Vec::len))
        .collect()
}

fn order(ticker: &str, client_order_id: String) -> types::CreateOrderV2Request {
    let mut order = types::CreateOrderV2Request::new(
        ticker,
        types::BookSide::Bid,
        "1.00".parse().unwrap(),
        "0.01".parse().unwrap(),
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    order.client_order_id = Some(client_order_id);
    order
}

/// A retry policy with short, reproducible delays.
fn quick_retries() -> RetryPolicy {
    RetryPolicy::default()
        .max_attempts(4)
        .base_delay(Duration::from_millis(20))
        .jitter_seed(7)
}

// ---------------------------------------------------------------------------------------------
// Pagination

#[tokio::test]
async fn a_stream_reads_5000_markets_each_exactly_once() {
    let (exchange, builder) = setup(Config::new().market_count(5000)).await;
    let client = builder.build().unwrap();

    for (limit, pages) in [(1000, 5), (100, 50)] {
        exchange.clear_requests();
        let markets = client
            .paginate(ops::GetMarkets::new().limit(limit))
            .collect_items()
            .await
            .unwrap();
        let tickers: HashSet<&str> = markets.iter().map(|m| m.ticker.as_str()).collect();
        assert_eq!(markets.len(), 5000, "limit {limit}");
        assert_eq!(tickers.len(), 5000, "limit {limit}: a market came twice");
        let requests = exchange.requests();
        assert_eq!(requests.len(), pages, "limit {limit}");
        // `limit` goes out on every page; every page after the first carries a cursor.
        for (i, r) in requests.iter().enumerate() {
            let query = r.query.as_deref().unwrap_or_default();
            assert!(query.contains(&format!("limit={limit}")), "{query}");
            assert_eq!(query.contains("cursor="), i > 0, "{query}");
        }
        println!("limit {limit}: 5000 markets in {pages} pages, each once");
    }

    // Stopping after a number of pages.
    exchange.clear_requests();
    let first = client
        .paginate(ops::GetMarkets::new().limit(250))
        .max_pages(3)
        .collect_items()
        .await
        .unwrap();
    assert_eq!(first.len(), 750);
    assert_eq!(exchange.requests().len(), 3);
}

#[tokio::test]
async fn a_repeating_cursor_ends_in_an_error_instead_of_a_loop() {
    let (exchange, builder) = setup(Config::new().market_count(5000).repeat_cursor_after(3)).await;
    let client = builder.build().unwrap();
    let mut pages = client.paginate(ops::GetMarkets::new().limit(100)).pages();
    let mut ok = 0;
    let err = loop {
        match pages.try_next().await {
            Ok(Some(_)) => ok += 1,
            Ok(None) => panic!("the stream ended without noticing the repeated cursor"),
            Err(e) => break e,
        }
    };
    assert!(
        matches!(
            err,
            Error::RepeatedCursor {
                operation: "GetMarkets",
                ..
            }
        ),
        "{err}"
    );
    // The stream is over after the error, and no request went out after the repeat.
    assert!(pages.try_next().await.unwrap().is_none());
    assert_eq!(exchange.requests().len(), ok);
    assert!(ok <= 5, "{ok} pages before the error");
    println!("repeated cursor: error after {ok} pages: {err}");
}

// ---------------------------------------------------------------------------------------------
// Batches

#[tokio::test]
async fn a_batch_of_45_orders_goes_out_as_20_20_5_with_results_in_input_order() {
    let (exchange, builder) = setup(Config::new().market_count(10)).await;
    let client = builder.build().unwrap();
    let tickers: Vec<String> = client
        .get_markets(ops::GetMarkets::new().limit(10))
        .await
        .unwrap()
        .markets
        .into_iter()
        .map(|m| m.ticker)
        .collect();

    // Items 7, 20 and 44 name a market that does not exist: the exchange rejects just those.
    let rejected = [7, 20, 44];
    let orders: Vec<_> = (0..45)
        .map(|i| {
            let ticker = if rejected.contains(&i) {
                "NO-SUCH-MARKET"
            } else {
                &tickers[i % tickers.len()]
            };
            order(ticker, format!("client-{i:02}"))
        })
        .collect();
    exchange.clear_requests();
    let request = ops::BatchCreateOrdersV2::new(types::BatchCreateOrdersV2Request::new(orders));
    let results = client.batch(request).await;

    let sizes = batch_sizes(&exchange);
    assert_eq!(sizes, [20, 20, 5]);
    assert_eq!(results.len(), 45);
    let mut placed = Vec::new();
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(outcome) => {
                assert!(!rejected.contains(&i), "item {i} should have failed");
                assert_eq!(
                    outcome.client_order_id.as_deref(),
                    Some(format!("client-{i:02}").as_str())
                );
                placed.push((i, outcome.order_id.clone().unwrap()));
            }
            Err(ItemError::Rejected(e)) => {
                assert!(rejected.contains(&i), "item {i} failed: {e}");
                assert_eq!(e.code.as_deref(), Some("market_not_found"), "item {i}");
            }
            Err(e) => panic!("item {i}: {e}"),
        }
    }
    assert_eq!(placed.len(), 42);
    println!("45 orders: requests of {sizes:?}, rejections at {rejected:?}, 42 placed");

    // Cancel the 42 with three unknown ids mixed in, 16 per request.
    let unknown = [0, 17, 44];
    let mut ids = placed.iter().map(|(_, id)| id.clone());
    let cancels: Vec<_> = (0..45)
        .map(|i| {
            let id = if unknown.contains(&i) {
                format!("00000000-0000-4000-8000-ffffffff00{i:02}").into()
            } else {
                ids.next().unwrap()
            };
            types::BatchCancelOrdersV2RequestOrdersItem::new(id)
        })
        .collect();
    let expected: Vec<kalshi_api::OrderId> = cancels.iter().map(|c| c.order_id.clone()).collect();
    exchange.clear_requests();
    let request = ops::BatchCancelOrdersV2::new(types::BatchCancelOrdersV2Request::new(cancels));
    let results = client.batch(request).chunk_size(16).await;
    let sizes = batch_sizes(&exchange);
    assert_eq!(sizes, [16, 16, 13]);
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(outcome) => {
                assert!(!unknown.contains(&i), "cancel {i} should have failed");
                assert_eq!(outcome.order_id, expected[i]);
                assert_eq!(outcome.reduced_by.to_string(), "1.00");
            }
            Err(ItemError::Rejected(e)) => {
                assert!(unknown.contains(&i), "cancel {i} failed: {e}");
                assert_eq!(e.code.as_deref(), Some("not_found"));
            }
            Err(e) => panic!("cancel {i}: {e}"),
        }
    }
}

#[tokio::test]
async fn a_failed_batch_request_fails_only_its_own_items_and_is_not_retried() {
    let (exchange, builder) = setup(Config::new()).await;
    // Even with a retry policy: batch creation is a POST.
    let client = builder.retry(quick_retries()).build().unwrap();
    exchange.inject(
        Fault::new(FaultKind::Status(500))
            .method(reqwest::Method::POST)
            .path("/portfolio/events/orders/batched"),
    );
    let orders = (0..25)
        .map(|i| order("KXHIGHNY-26JAN01-T60", format!("c{i}")))
        .collect();
    exchange.clear_requests();
    let request = ops::BatchCreateOrdersV2::new(types::BatchCreateOrdersV2Request::new(orders));
    let results = client.batch(request).await;
    assert_eq!(
        exchange.requests().len(),
        2,
        "one request per chunk, no retry"
    );
    assert_eq!(results.len(), 25);
    for (i, result) in results.iter().enumerate() {
        match (i < 20, result) {
            (true, Err(ItemError::Request(e))) => assert_eq!(e.status().unwrap().as_u16(), 500),
            (false, Ok(outcome)) => {
                assert_eq!(outcome.client_order_id.as_deref(), Some(&*format!("c{i}")))
            }
            (_, other) => panic!("item {i}: {other:?}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Rate limiting

/// Sends `n` one-market `GetMarkets` reads from `tasks` concurrent tasks.
async fn burst(client: &Client, n: usize, tasks: usize) {
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (client, next) = (client.clone(), next.clone());
            tokio::spawn(async move {
                while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                    // 429s are counted from the exchange's records.
                    let _ = client.get_markets(ops::GetMarkets::new().limit(1)).await;
                }
            })
        })
        .collect();
    for h in handles {
        h.await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tier_limited_burst_meets_no_429_and_runs_at_the_tier_budget() {
    // Premier: 1,000 read tokens per second, one second of capacity, on both sides. A
    // `GetMarkets` costs 10 tokens: 100 requests per second.
    let tier = Tier::Premier;
    let read = tier.read();
    let bucket = Bucket {
        refill_per_sec: read.refill_per_sec,
        capacity: read.capacity,
    };
    let (exchange, builder) = setup(Config::new().rate_limit(bucket, bucket)).await;

    // Control: without the limiter the same burst is refused.
    let unlimited = builder.build().unwrap();
    burst(&unlimited, 300, 16).await;
    let refused = exchange
        .requests()
        .iter()
        .filter(|r| r.status == 429)
        .count();
    assert!(refused > 0, "the exchange's bucket refused nothing");
    println!("without a limiter: {refused} of 300 refused with 429");

    // Let the server's bucket refill, then the same client with the tier's limiter.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    exchange.clear_requests();
    let limited = reader_with(&exchange, RateLimiter::from(tier)).await;
    let n = 600;
    let start = std::time::Instant::now();
    burst(&limited, n, 16).await;
    let elapsed = start.elapsed();
    let requests = exchange.requests();
    assert_eq!(requests.len(), n);
    let refused = requests.iter().filter(|r| r.status == 429).count();

    // The sustained rate, as the exchange saw it: requests arriving after the first second
    // (by then the initial bucket is spent), over the time they took.
    let first = requests.iter().map(|r| r.received).min().unwrap();
    let last = requests.iter().map(|r| r.received).max().unwrap();
    let steady_from = first + Duration::from_secs(1);
    let steady = requests.iter().filter(|r| r.received > steady_from).count();
    let window = last.duration_since(steady_from).as_secs_f64();
    let rate = steady as f64 * 10.0 / window;
    let budget = f64::from(read.refill_per_sec);
    println!(
        "{tier:?} limiter: {n} requests in {elapsed:.2?}, {refused} answered 429; \
         sustained {rate:.0} tokens/s against a budget of {budget:.0} ({:+.1}%)",
        (rate / budget - 1.0) * 100.0
    );
    assert_eq!(refused, 0, "the limiter let a request meet a 429");
    assert!(
        (rate - budget).abs() <= budget * 0.10,
        "sustained {rate:.0} tokens/s is not within 10% of {budget}"
    );
}

/// A client for `exchange` sharing `limiter` (public reads only).
async fn reader_with(exchange: &TestExchange, limiter: RateLimiter) -> Client {
    Client::builder(Environment::Custom(exchange.base_url()))
        .http_client(reqwest::Client::builder().no_proxy().build().unwrap())
        .rate_limiter(limiter)
        .build()
        .unwrap()
}

#[tokio::test]
async fn batches_are_charged_per_item_from_the_write_bucket() {
    // 100 write tokens per second, no reserve: a batch of 5 cancels costs 10 tokens and a batch of
    // 5 creates 50, so the third create waits for refill.
    let limiter = RateLimiter::new(
        BucketConfig::per_second(1000),
        BucketConfig::per_second(100),
    )
    .with_reserve(Duration::ZERO);
    let (exchange, builder) = setup(Config::new()).await;
    let client = builder.rate_limiter(limiter).build().unwrap();
    let start = std::time::Instant::now();
    for round in 0..3 {
        let orders = (0..5)
            .map(|i| order("KXHIGHNY-26JAN01-T60", format!("r{round}-{i}")))
            .collect();
        let request = ops::BatchCreateOrdersV2::new(types::BatchCreateOrdersV2Request::new(orders));
        assert!(client.batch(request).await.iter().all(Result::is_ok));
    }
    let elapsed = start.elapsed();
    assert!(
        elapsed >= Duration::from_millis(490),
        "150 tokens from a 100-token bucket at 100/s take 0.5 s, took {elapsed:?}"
    );
    assert_eq!(exchange.requests().len(), 3);
}

// ---------------------------------------------------------------------------------------------
// Retries

#[tokio::test]
async fn reads_retry_through_injected_503s_signed_afresh_each_time() {
    let (exchange, builder) = setup(Config::new()).await;
    let client = builder.retry(quick_retries()).build().unwrap();
    exchange.inject(
        Fault::new(FaultKind::Status(503))
            .path("/portfolio/balance")
            .times(2),
    );
    let balance = client
        .get_balance(ops::GetBalance::new())
        .await
        .expect("the third attempt succeeds");
    assert_eq!(balance.balance, 1_000_000);
    let requests = exchange.requests();
    let statuses: Vec<u16> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [503, 503, 200]);
    // Every attempt carries its own signature headers; timestamps never go backwards.
    let stamps: Vec<u64> = requests
        .iter()
        .map(|r| {
            r.header("kalshi-access-timestamp")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(stamps.windows(2).all(|w| w[0] <= w[1]), "{stamps:?}");

    // Without a policy, one request and the error.
    exchange.clear_requests();
    exchange.inject(Fault::new(FaultKind::Status(503)).path("/portfolio/balance"));
    let err = client
        .without_retry()
        .get_balance(ops::GetBalance::new())
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(exchange.requests().len(), 1);
}

#[tokio::test]
async fn reads_retry_through_dropped_connections_and_timeouts() {
    let (exchange, builder) = setup(Config::new()).await;
    let client = builder
        .http_client(
            reqwest::Client::builder()
                .no_proxy()
                .timeout(Duration::from_millis(300))
                .build()
                .unwrap(),
        )
        .retry(quick_retries())
        .build()
        .unwrap();

    exchange.inject(Fault::new(FaultKind::Drop).path("/markets"));
    exchange.inject(Fault::new(FaultKind::Delay(Duration::from_secs(2))).path("/markets"));
    let page = client
        .get_markets(ops::GetMarkets::new().limit(2))
        .await
        .expect("the third attempt succeeds");
    assert_eq!(page.markets.len(), 2);
    assert_eq!(exchange.requests().len(), 3);

    // The same faults without retries surface as a transport error and a timeout.
    let once = client.without_retry();
    exchange.inject(Fault::new(FaultKind::Drop).path("/markets"));
    let err = once.get_markets(ops::GetMarkets::new()).await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    exchange.inject(Fault::new(FaultKind::Delay(Duration::from_secs(2))).path("/markets"));
    let err = once.get_markets(ops::GetMarkets::new()).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

#[tokio::test]
async fn an_order_creation_is_sent_once_unless_retries_were_asked_for() {
    let (exchange, builder) = setup(Config::new()).await;
    let client = builder.retry(quick_retries()).build().unwrap();
    let create =
        || ops::CreateOrderV2::new(order("KXHIGHNY-26JAN01-T60", "once-or-twice".to_string()));
    let posts = |exchange: &TestExchange| {
        exchange
            .requests()
            .iter()
            .filter(|r| r.method == reqwest::Method::POST)
            .count()
    };

    // The server fails: the default policy does not send the order again.
    for kind in [FaultKind::Status(503), FaultKind::Drop] {
        exchange.clear_requests();
        exchange.inject(
            Fault::new(kind)
                .method(reqwest::Method::POST)
                .path("/portfolio/events/orders"),
        );
        let err = client.create_order_v2(create()).await.unwrap_err();
        println!("create without write retries: {err}");
        assert_eq!(posts(&exchange), 1, "sent more than once");
    }

    // Asked for: it is sent again and goes through.
    exchange.clear_requests();
    exchange.inject(
        Fault::new(FaultKind::Status(503))
            .method(reqwest::Method::POST)
            .path("/portfolio/events/orders"),
    );
    let placed = client
        .with_retry(quick_retries().retry_writes(true))
        .create_order_v2(create())
        .await
        .expect("retried");
    assert_eq!(placed.client_order_id.as_deref(), Some("once-or-twice"));
    assert_eq!(posts(&exchange), 2);
}

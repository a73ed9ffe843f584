//! Loopback throughput of public GET calls: the SDK's `Client` against bare `reqwest` requests to
//! the same local server, at the same concurrency.
//!
//! `cargo bench -p kalshi-api --bench throughput` (`bench/run.py` runs it). Each result is printed
//! as one JSON line; the environment variables `THROUGHPUT_SECS` (seconds per measurement, default
//! 2), `THROUGHPUT_ROUNDS` (default 5; the median is reported) and `THROUGHPUT_MAX_REQUESTS`
//! (a bound per measurement, default 2,000,000) tune it. `THROUGHPUT_SUBSCRIBER=debug` (or any
//! level) installs a `tracing-subscriber` fmt subscriber at that level writing to `io::sink`, to
//! measure what the SDK's instrumentation costs when someone listens; without it no subscriber is
//! installed, the cost when nobody listens.
//!
//! The server is a minimal axum app answering fixed bytes, so that nearly all of the measured work
//! is the client's: `GET /markets/{ticker}` answers `{"market": ...}` with the full fixture market
//! (2.4 kB), `GET /markets` the 1,000-market page of the decode bench (2.2 MB). It runs on its own one-thread runtime, the
//! clients on another, so each side has one of the machine's cores.
//!
//! The clients, all the same `reqwest` build, all reading the whole body and checking it:
//! - `sdk`: `Client::new` (no rate limiter, no retries) and
//!   `client.get_market(ops::GetMarket::new(ticker))`: URL building, the timeouts the SDK sets,
//!   status and request-id handling, typed decoding that tracks the failing field's path.
//! - `reqwest_typed`: `reqwest::Client::new()`, `get(url).send()`, status check, `bytes()`, then
//!   `serde_json::from_slice` into the same generated type: the same result without the SDK. This
//!   is the baseline the SDK is held to.
//! - `reqwest_value`: the same request decoded into `serde_json::Value` instead.
//! - `reqwest_sdk_decode`: the bare request decoded by the SDK's own `Operation::decode`, which
//!   splits the SDK's cost into transport (`sdk` against this) and decoding (this against
//!   `reqwest_typed`).

use axum::http::header::CONTENT_TYPE;
use axum::routing::{get, MethodRouter};
use axum::Router;
use bytes::Bytes;
use kalshi_api::operation::Operation;
use kalshi_api::{ops, types, Client, Environment};
use serde_json::{json, Value};
use std::hint::black_box;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use support::{market_body, page_body, PAGE_SIZE, TICKER};

mod support;

/// Which operation a measurement calls.
#[derive(Clone, Copy, Debug)]
enum Op {
    /// `GET /markets/{ticker}`: one market.
    GetMarket,
    /// `GET /markets?limit=1000`: a full page.
    GetMarkets,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::GetMarket => "GetMarket",
            Op::GetMarkets => "GetMarkets(limit=1000)",
        }
    }
}

/// Which client a measurement uses.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Side {
    Sdk,
    ReqwestSdkDecode,
    ReqwestTyped,
    ReqwestValue,
}

impl Side {
    const ALL: [Side; 4] = [
        Side::Sdk,
        Side::ReqwestSdkDecode,
        Side::ReqwestTyped,
        Side::ReqwestValue,
    ];

    fn name(self) -> &'static str {
        match self {
            Side::Sdk => "sdk",
            Side::ReqwestSdkDecode => "reqwest_sdk_decode",
            Side::ReqwestTyped => "reqwest_typed",
            Side::ReqwestValue => "reqwest_value",
        }
    }
}

/// The clients and the base URL they share.
struct Clients {
    sdk: Client,
    http: reqwest::Client,
    base: String,
}

impl Clients {
    /// One call; returns how many markets came back, so the work cannot be optimised away.
    async fn call(&self, side: Side, op: Op) -> usize {
        match (side, op) {
            (Side::Sdk, Op::GetMarket) => {
                let r = self.sdk.get_market(ops::GetMarket::new(TICKER)).await;
                usize::from(!r.expect("sdk GetMarket").market.ticker.is_empty())
            }
            (Side::Sdk, Op::GetMarkets) => {
                let r = self
                    .sdk
                    .get_markets(ops::GetMarkets::new().limit(PAGE_SIZE as i64))
                    .await;
                r.expect("sdk GetMarkets").markets.len()
            }
            (_, Op::GetMarket) => {
                let body = self.bare(format!("{}/markets/{TICKER}", self.base)).await;
                match side {
                    Side::ReqwestSdkDecode => {
                        let r = <ops::GetMarket as Operation>::decode(&body).unwrap();
                        usize::from(!r.market.ticker.is_empty())
                    }
                    Side::ReqwestTyped => {
                        let r: types::GetMarketResponse = serde_json::from_slice(&body).unwrap();
                        usize::from(!r.market.ticker.is_empty())
                    }
                    _ => {
                        let v: Value = serde_json::from_slice(&body).unwrap();
                        usize::from(v["market"]["ticker"].is_string())
                    }
                }
            }
            (_, Op::GetMarkets) => {
                let url = format!("{}/markets?limit={PAGE_SIZE}", self.base);
                let body = self.bare(url).await;
                match side {
                    Side::ReqwestSdkDecode => {
                        let r = <ops::GetMarkets as Operation>::decode(&body).unwrap();
                        r.markets.len()
                    }
                    Side::ReqwestTyped => {
                        let r: types::GetMarketsResponse = serde_json::from_slice(&body).unwrap();
                        r.markets.len()
                    }
                    _ => {
                        let v: Value = serde_json::from_slice(&body).unwrap();
                        v["markets"].as_array().map_or(0, Vec::len)
                    }
                }
            }
        }
    }

    /// A bare `reqwest` GET: send, check the status, read the whole body.
    async fn bare(&self, url: String) -> Bytes {
        let resp = self.http.get(url).send().await.expect("reqwest send");
        assert!(resp.status().is_success(), "status {}", resp.status());
        resp.bytes().await.expect("reqwest body")
    }
}

/// Starts the fixed-answer server on 127.0.0.1 on `rt`; it lives as long as the runtime.
fn start_server(rt: &tokio::runtime::Runtime) -> SocketAddr {
    let one = Bytes::from(market_body());
    let page = Bytes::from(page_body());
    let app = Router::new()
        .route("/trade-api/v2/markets/{ticker}", fixed(one))
        .route("/trade-api/v2/markets", fixed(page));
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    })
}

/// A GET route answering `body` as JSON, whatever the path parameters and query.
fn fixed(body: Bytes) -> MethodRouter {
    get(move || {
        let body = body.clone();
        async move { ([(CONTENT_TYPE, "application/json")], body) }
    })
}

/// Runs `concurrency` loops of calls for `time` (or until `max_requests`); returns requests/s.
async fn measure(
    clients: &Arc<Clients>,
    side: Side,
    op: Op,
    concurrency: usize,
    time: Duration,
    max_requests: u64,
) -> f64 {
    let done = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (clients, done, stop) = (clients.clone(), done.clone(), stop.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    black_box(clients.call(side, op).await);
                    if done.fetch_add(1, Ordering::Relaxed) + 1 >= max_requests {
                        stop.store(true, Ordering::Relaxed);
                    }
                    if started.elapsed() >= time {
                        stop.store(true, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("a load task panicked");
    }
    done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing: run a smoke pass then.
    let smoke = !std::env::args().any(|a| a == "--bench");
    let secs: f64 = env_or("THROUGHPUT_SECS", if smoke { 0.2 } else { 2.0 });
    let rounds: usize = env_or("THROUGHPUT_ROUNDS", if smoke { 1 } else { 5 });
    let max_requests: u64 = env_or("THROUGHPUT_MAX_REQUESTS", 2_000_000);
    let time = Duration::from_secs_f64(secs);
    if let Ok(level) = std::env::var("THROUGHPUT_SUBSCRIBER") {
        let level: tracing::Level = level.parse().expect("THROUGHPUT_SUBSCRIBER: a level");
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::sink)
            .init();
    }

    let server_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let addr = start_server(&server_rt);
    let client_rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let base = format!("http://{addr}/trade-api/v2");

    client_rt.block_on(async {
        let clients = Arc::new(Clients {
            sdk: Client::new(Environment::Custom(base.clone())),
            http: reqwest::Client::new(),
            base,
        });
        for (op, concurrency) in [
            (Op::GetMarket, 1),
            (Op::GetMarket, 16),
            (Op::GetMarkets, 1),
            (Op::GetMarkets, 4),
        ] {
            // Warm each side up (connections, allocator), then alternate the sides each round so
            // drift in the machine's load falls on all of them alike.
            for side in Side::ALL {
                measure(&clients, side, op, concurrency, time / 2, max_requests).await;
            }
            let mut results: Vec<Vec<f64>> = vec![Vec::new(); Side::ALL.len()];
            for _ in 0..rounds {
                for (i, side) in Side::ALL.into_iter().enumerate() {
                    let rps = measure(&clients, side, op, concurrency, time, max_requests).await;
                    results[i].push(rps);
                }
            }
            for (side, rps) in Side::ALL.into_iter().zip(results) {
                let line = json!({
                    "op": op.name(),
                    "concurrency": concurrency,
                    "client": side.name(),
                    "rps": median(rps.clone()),
                    "rounds": rps,
                });
                println!("{line}");
            }
        }
    });
}

//! A local stand-in for the Kalshi Trade API, for tests and examples.
//!
//! [`TestExchange::start`] serves HTTP on `127.0.0.1` and answers Kalshi-shaped JSON for a handful
//! of operations (see [`rest`]). Every request to an authenticated route must carry a signature
//! that verifies against a registered public key (RSA-PSS with salt 32, or Ed25519) over
//! `timestamp_ms + METHOD + path`, with a fresh timestamp; otherwise the answer is a 401 with an
//! `ErrorResponse` body nested under `error`, as Kalshi sends it. Every request is recorded so tests can assert on the wire.
//!
//! For testing a client's resilience it can also hold thousands of markets
//! ([`Config::market_count`]), stop advancing its pagination cursor
//! ([`Config::repeat_cursor_after`]), enforce Kalshi's token-bucket rate limits
//! ([`Config::rate_limit`], [`rate_limit`]) and fail chosen requests on demand
//! ([`TestExchange::inject`]).
//!
//! The same port serves the WebSocket API at the prefix's parent plus `/ws/v2`
//! ([`TestExchange::ws_url`]): signed upgrades, the four commands, seeded scripted market data
//! over one authoritative order book per market ([`TestExchange::order_book`]), `user_orders`
//! and `fill` frames for orders placed over REST, and injectable faults (the `ws_*` methods).
//!
//! Perps (Kalshi's margin product, `spec/perps/`) are served beside: all 50 operations of the perps
//! spec under the same prefix (`/margin/...`, `/account/limits/perps`, `/portfolio/margin/...`,
//! `/portfolio/intra_exchange_instance_transfer`) over a margin ledger that moves balances and
//! positions as orders fill (rules in `src/margin/mod.rs`), with their own rate-limit
//! buckets ([`Config::perps_rate_limit`]), and the margin WebSocket at the event-contract path plus
//! `/margin` ([`TestExchange::margin_ws_url`]) with the same commands and faults.
//!
//! Each request passes, in order: the recorder, fault injection, routing, the rate limit, the
//! signature check (authenticated routes only) and the handler; `app.rs` puts them together.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod app;
mod auth;
mod clock;
mod error;
mod faults;
mod fixed;
pub mod keys;
mod ledger;
mod margin;
pub mod rate_limit;
mod recorder;
pub mod rest;
mod spec;
mod ws;

pub use faults::{Fault, FaultKind};
pub use keys::PublicKey;
pub use rate_limit::Bucket;

/// One side of an order book as [`TestExchange::order_book`] returns it: `(price, count)` levels,
/// best first, as Kalshi writes them (`("0.5600", "120.00")`).
pub type Levels = Vec<(String, String)>;

/// The HTTP method type of [`Fault::method`] and [`RecordedRequest::method`] (`http::Method`, the
/// same type as `reqwest::Method`).
pub use axum::http::Method;

use axum::http::HeaderMap;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the exchange is set up.
#[derive(Debug, Clone)]
pub struct Config {
    prefix: String,
    keys: Vec<(Option<String>, PublicKey)>,
    bearer_tokens: Vec<(auth::Secret, String)>,
    max_clock_skew: Duration,
    market_count: usize,
    repeat_cursor_after: Option<usize>,
    rate_limit: Option<(Bucket, Bucket)>,
    perps_rate_limit: Option<(Bucket, Bucket)>,
    max_batch_size: usize,
    ws_interval: Duration,
    ws_heartbeat: Duration,
    seed: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            prefix: "/trade-api/v2".into(),
            keys: Vec::new(),
            bearer_tokens: Vec::new(),
            max_clock_skew: Duration::from_secs(5),
            market_count: ledger::NAMED_MARKETS,
            repeat_cursor_after: None,
            rate_limit: None,
            perps_rate_limit: None,
            max_batch_size: 20,
            ws_interval: Duration::from_millis(20),
            ws_heartbeat: Duration::from_secs(10),
            seed: 0x5eed,
        }
    }
}

impl Config {
    /// Path prefix `/trade-api/v2`, no keys, 5 s of allowed clock skew, the three named markets,
    /// no rate limit, batches of at most 20 orders.
    pub fn new() -> Self {
        Self::default()
    }

    /// The path prefix routes live under (default `/trade-api/v2`; `""` for none).
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into().trim_end_matches('/').to_string();
        self
    }

    /// Registers `key` for the API key id `key_id`.
    pub fn key(mut self, key_id: impl Into<String>, key: PublicKey) -> Self {
        self.keys.push((Some(key_id.into()), key));
        self
    }

    /// Registers `key` for any API key id.
    pub fn key_for_any_id(mut self, key: PublicKey) -> Self {
        self.keys.push((None, key));
        self
    }

    /// Accepts the OAuth access token `token`, acting for the API key id `key_id`'s account, on
    /// the operations whose security in the perps spec lists the bearer scheme (margin fills and
    /// positions): `Authorization: Bearer TOKEN` instead of the signature headers. On any other
    /// authenticated route a bearer token is a 401. The token is never shown by `Debug`.
    pub fn bearer_token(mut self, token: impl Into<String>, key_id: impl Into<String>) -> Self {
        self.bearer_tokens
            .push((auth::Secret(token.into()), key_id.into()));
        self
    }

    /// How far a request's timestamp may be from the exchange's clock (default 5 s).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }

    /// How many markets the exchange lists: the first `n` of the three named markets
    /// (`KXHIGHNY-26JAN01-T60`, `KXHIGHNY-26JAN01-T65`, `KXBTC-26DEC31-B100000`) followed by
    /// synthetic ones, `KXTEST-26DEC31-M00003`, `KXTEST-26DEC31-M00004`, ... (the number is the
    /// market's 0-based index in the list, zero-padded to five digits; all in event
    /// `KXTEST-26DEC31`). Default 3; fewer than 3 keeps only the first `n` named markets. Each
    /// market is serialized once at start (about 1.5 kB each).
    pub fn market_count(mut self, n: usize) -> Self {
        self.market_count = n;
        self
    }

    /// Breaks `GET /markets` pagination: the first `pages` pages advance as usual, after that a
    /// request with a non-empty cursor is answered with that same cursor (and the same page again),
    /// so a client that does not notice a repeated cursor loops forever. The first page has no
    /// cursor to repeat and always advances, so `0` behaves like `1`.
    pub fn repeat_cursor_after(mut self, pages: usize) -> Self {
        self.repeat_cursor_after = Some(pages);
        self
    }

    /// Enforces Kalshi's two token buckets: `GET` requests draw from `read`, all other methods from
    /// `write`, at the costs in [`rate_limit::COSTS`]. A request the bucket cannot pay for gets a
    /// 429 with body `{"error":"too many requests"}` and no `Retry-After`, and takes no tokens.
    /// Without this call nothing is limited.
    pub fn rate_limit(mut self, read: Bucket, write: Bucket) -> Self {
        self.rate_limit = Some((read, write));
        self
    }

    /// Enforces the perps token buckets on the margin routes, apart from the event-contract ones:
    /// `GET` pays from `read`, other methods from `write`, at the costs the perps spec's "Rate
    /// limit" notes give ([`rate_limit::perps_cost`]: `GetMarginBalance` 5, or 50 with
    /// `compute_available_balance=true`; 10 otherwise). The same 429 as the event-contract
    /// limiter. `GET /account/limits/perps` reports these buckets. Without this call nothing is
    /// limited.
    pub fn perps_rate_limit(mut self, read: Bucket, write: Bucket) -> Self {
        self.perps_rate_limit = Some((read, write));
        self
    }

    /// The perps buckets `GET /account/limits/perps` reports: the configured ones, or Kalshi's
    /// basic tier (200 read and 100 write tokens a second).
    pub(crate) fn perps_buckets(&self) -> (Bucket, Bucket) {
        self.perps_rate_limit.unwrap_or((
            Bucket {
                refill_per_sec: 200,
                capacity: 200,
            },
            Bucket {
                refill_per_sec: 100,
                capacity: 100,
            },
        ))
    }

    /// The most orders a batch create or batch cancel accepts (default 20, the documented legacy
    /// cap); a larger batch gets a 400 `invalid_parameters`.
    pub fn max_batch_size(mut self, n: usize) -> Self {
        self.max_batch_size = n;
        self
    }

    /// How often the WebSocket feed scripts activity (default 20 ms): each market a live
    /// market-data subscription names gets an `orderbook_delta`, a `trade` and a `ticker`.
    pub fn ws_interval(mut self, interval: Duration) -> Self {
        self.ws_interval = interval;
        self
    }

    /// How often each WebSocket connection gets a Ping with body `heartbeat` (default 10 s).
    pub fn ws_heartbeat(mut self, interval: Duration) -> Self {
        self.ws_heartbeat = interval;
        self
    }

    /// The seed of the scripted order books and activity (default `0x5eed`).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
}

/// One request the exchange received, as it was on the wire.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    /// When it arrived (taken before anything else is done with it), for measuring request rates.
    pub received: Instant,
    /// The method.
    pub method: Method,
    /// The path, prefix included.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// The headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Vec<u8>,
    /// The status the exchange answered with; 0 when it sent no answer (a [`FaultKind::Drop`], or
    /// a request still being handled, such as one delayed by a [`FaultKind::Delay`]).
    pub status: u16,
}

impl RecordedRequest {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Shared state of a running exchange.
#[derive(Debug)]
pub struct State {
    config: Config,
    requests: Mutex<Vec<RecordedRequest>>,
    ledger: ledger::Ledger,
    faults: Mutex<VecDeque<Fault>>,
    limiter: Option<rate_limit::Limiter>,
    perps_limiter: Option<rate_limit::Limiter>,
    ws: ws::Hub<ws::Books>,
    margin_ws: ws::Hub<margin::Margin>,
    ws_switch: ws::Switchboard,
}

impl State {
    /// Sends `control` to every live session of both endpoints.
    fn broadcast(&self, control: ws::Control) {
        self.ws.broadcast(control.clone());
        self.margin_ws.broadcast(control);
    }

    /// Aborts every live session of both endpoints.
    fn drop_connections(&self) {
        self.ws.drop_all();
        self.margin_ws.drop_all();
    }
}

/// A running exchange; stops when dropped.
#[derive(Debug)]
pub struct TestExchange {
    addr: SocketAddr,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl TestExchange {
    /// Starts the exchange on a free port of 127.0.0.1. Needs a Tokio runtime.
    pub async fn start(config: Config) -> std::io::Result<Self> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Starts the exchange on `addr`.
    pub async fn start_on(addr: SocketAddr, config: Config) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            requests: Mutex::new(Vec::new()),
            ws: ws::Hub::new(config.seed, ws::Books::default()),
            margin_ws: ws::Hub::new(config.seed, margin::Margin::new(config.seed)),
            ws_switch: ws::Switchboard::default(),
            ledger: ledger::Ledger::new(config.market_count),
            faults: Mutex::new(VecDeque::new()),
            limiter: config
                .rate_limit
                .map(|(read, write)| rate_limit::Limiter::new(read, write)),
            perps_limiter: config
                .perps_rate_limit
                .map(|(read, write)| rate_limit::Limiter::new(read, write)),
            config,
        });
        let app = app::router(state.clone());
        ws::feed::spawn::<ws::EventContracts>(Arc::downgrade(&state), state.config.ws_interval);
        ws::feed::spawn::<margin::Perps>(Arc::downgrade(&state), state.config.ws_interval);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let server = axum::serve(listener, app).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = server.await {
                eprintln!("test exchange: {e}");
            }
        });
        Ok(Self {
            addr,
            state,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The socket address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
    /// The tickers of the markets the exchange lists, in listing order.
    pub fn market_tickers(&self) -> Vec<String> {
        let mut tickers: Vec<(usize, String)> = self
            .state
            .ledger
            .by_ticker
            .iter()
            .map(|(t, i)| (*i, t.clone()))
            .collect();
        tickers.sort();
        tickers.into_iter().map(|(_, t)| t).collect()
    }

    /// The REST base URL, prefix included: `http://127.0.0.1:PORT/trade-api/v2`.
    pub fn base_url(&self) -> String {
        format!("http://{}{}", self.addr, self.state.config.prefix)
    }

    /// The requests received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.requests.lock().unwrap().clone()
    }

    /// The most recent request.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.state.requests.lock().unwrap().last().cloned()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        self.state.requests.lock().unwrap().clear();
    }

    /// Queues a fault. Faults form a FIFO: each request takes the first queued fault that matches
    /// its method and path and has uses left, and uses it up once.
    pub fn inject(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push_back(fault);
    }

    /// Forgets all queued faults.
    pub fn clear_faults(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
        self.state.drop_connections();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for TestExchange {
    fn drop(&mut self) {
        self.state.drop_connections();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

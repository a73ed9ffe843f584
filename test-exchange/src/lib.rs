//! A local stand-in for the Kalshi Trade API, for tests and examples.
//!
//! [`TestExchange::start`] serves HTTP on `127.0.0.1` and answers Kalshi-shaped JSON for a handful
//! of operations (see [`routes`]). Every request to an authenticated route must carry a signature
//! that verifies against a registered public key (RSA-PSS with salt 32, or Ed25519) over
//! `timestamp_ms + METHOD + path`, with a fresh timestamp; otherwise the answer is a 401 with an
//! `ErrorResponse` body. Every request is recorded so tests can assert on the wire.

#![warn(missing_docs)]

mod auth;
pub mod keys;
pub mod routes;

pub use keys::PublicKey;

use axum::http::{HeaderMap, Method};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the exchange is set up.
#[derive(Debug, Clone)]
pub struct Config {
    prefix: String,
    keys: Vec<(Option<String>, PublicKey)>,
    max_clock_skew: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            prefix: "/trade-api/v2".into(),
            keys: Vec::new(),
            max_clock_skew: Duration::from_secs(5),
        }
    }
}

impl Config {
    /// Path prefix `/trade-api/v2`, no keys, 5 s of allowed clock skew.
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

    /// How far a request's timestamp may be from the exchange's clock (default 5 s).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_clock_skew = skew;
        self
    }
}

/// One request the exchange received, as it was on the wire.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
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
    /// The status the exchange answered with.
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
    book: routes::Book,
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
            config,
            requests: Mutex::new(Vec::new()),
            book: routes::Book::new(),
        });
        let app = routes::router(state.clone());
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

    /// Stops the server and waits for it.
    pub async fn shutdown(mut self) {
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
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

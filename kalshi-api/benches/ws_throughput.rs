//! Messages per second on loopback through the SDK's WebSocket session, against a bare
//! tokio-tungstenite reader decoding the same frames into the same generated types.
//!
//! `cargo bench -p kalshi-api --bench ws_throughput` (`bench/run.py` runs it). Each result is one
//! JSON line. `WS_MESSAGES` (default 200,000 per round) and `WS_ROUNDS` (default 5; the median is
//! reported) tune it; `WS_CLIENT=session` or `WS_CLIENT=bare_typed` runs one client alone (for a
//! profiler).
//!
//! The server is a bare tokio-tungstenite acceptor on its own one-thread runtime that, once a
//! client connects, sends the prepared frames as fast as the socket takes them (the bench's
//! realistic mix: `orderbook_delta`, `ticker`, `trade`, consecutive `seq` per `sid`). The
//! clients run on another one-thread runtime, so each side has a core:
//! - `session`: `ws::Session::connect` (signed handshake, a lossless event queue, sequence checks
//!   per `sid`) and a consumer reading the event stream until every message has arrived;
//! - `bare_typed`: `tokio_tungstenite::connect_async` and a loop reading frames and decoding
//!   each with `ws::decode_frame` into the same `ServerMessage`: the baseline.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use kalshi_api::ws::{decode_frame, Event, ServerMessage, Session, SessionConfig};
use kalshi_api::{Client, Environment, PrivateKey};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[path = "ws_support/frames.rs"]
mod ws_frames;

#[path = "ws_support/server.rs"]
mod ws_server;
use ws_server::serve;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let n = env_usize("WS_MESSAGES", 200_000);
    let rounds = env_usize("WS_ROUNDS", 5);
    let frames: Vec<Message> = ws_frames::frames(n)
        .into_iter()
        .map(|f| Message::Text(f.into()))
        .collect();
    // Every frame decodes, or the comparison means nothing.
    for f in frames.iter().take(1000) {
        let Message::Text(t) = f else { unreachable!() };
        decode_frame::<ServerMessage>(&Bytes::from(t.clone())).unwrap();
    }
    let addr = serve(frames);
    let client = client(format!("http://{addr}/trade-api/v2"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let only = std::env::var("WS_CLIENT").ok();
    let mut results: Vec<(&str, Vec<f64>)> = ["session", "bare_typed"]
        .into_iter()
        .filter(|name| only.as_deref().is_none_or(|o| o == *name))
        .map(|name| (name, Vec::new()))
        .collect();
    for _ in 0..rounds {
        for (name, rates) in results.iter_mut() {
            let elapsed = rt.block_on(async {
                match *name {
                    "session" => session_reads(&client, n).await,
                    _ => bare_reads(client.ws_url(), n).await,
                }
            });
            rates.push(n as f64 / elapsed.as_secs_f64());
        }
    }
    report(&mut results, n, rounds);
}

/// A client signing with a fixed Ed25519 key, against the bench's server at `base`.
fn client(base: String) -> Client {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        key.to_pkcs8_pem(Default::default()).unwrap().to_string()
    };
    Client::builder(Environment::Custom(base))
        .credentials("bench", PrivateKey::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

/// The time a `ws::Session` takes to deliver `n` messages.
async fn session_reads(client: &Client, n: usize) -> Duration {
    let start = Instant::now();
    let (session, mut events) = Session::connect(client, SessionConfig::default())
        .await
        .unwrap();
    let mut got = 0;
    while got < n {
        match events.next().await.expect("the stream ended") {
            Event::Message(r) => {
                std::hint::black_box(&r.message);
                got += 1;
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    let elapsed = start.elapsed();
    session.close().await;
    elapsed
}

/// The time a bare tokio-tungstenite reader takes to read and decode `n` messages.
async fn bare_reads(url: &str, n: usize) -> Duration {
    let start = Instant::now();
    let (ws, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    let (mut sink, mut stream) = ws.split();
    let mut got = 0;
    while got < n {
        if let Message::Text(t) = stream.next().await.expect("closed").unwrap() {
            let r = decode_frame::<ServerMessage>(&Bytes::from(t)).unwrap();
            std::hint::black_box(&r.message);
            got += 1;
        }
    }
    let elapsed = start.elapsed();
    let _ = sink.send(Message::Close(None)).await;
    elapsed
}

/// Prints each client's median rate as a JSON line, and their ratio.
fn report(results: &mut [(&str, Vec<f64>)], n: usize, rounds: usize) {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.partial_cmp(b).unwrap());
        v[v.len() / 2]
    };
    let mut medians = Vec::new();
    for (name, rates) in results.iter_mut() {
        let m = median(rates);
        medians.push(m);
        println!(
            "{{\"bench\":\"ws_throughput\",\"client\":\"{name}\",\"messages\":{n},\"rounds\":{rounds},\"msgs_per_s\":{m:.0}}}"
        );
    }
    if let [session, bare] = medians[..] {
        eprintln!(
            "ws throughput: session {session:.0} msg/s, bare reader {bare:.0} msg/s: {:.1}%",
            100.0 * session / bare
        );
    }
}

//! Live order books: how fast deltas are decoded and applied, and how soon a book reflects a
//! frame that arrived on loopback.
//!
//! `cargo bench -p kalshi-api --bench ws_orderbook` (`bench/run.py` runs it). Each result is one
//! JSON line on stdout.
//!
//! 1. `apply`: a market with 1,000 price levels on each side and `BOOK_DELTAS` (default 200,000)
//!    `orderbook_delta` frames over them (adds, partial and full removals, re-adds), applied in
//!    order, median of `BOOK_ROUNDS` (default 5) passes:
//!    - `sdk`: `ws::decode_frame` into the generated `OrderbookDelta`, then `BookKeeper::handle`
//!      (exact `FixedPointDollars`/`FixedPointCount` levels, the reader's lock, the update event),
//!      as a session's keeper does;
//!    - `naive`: each frame's text parsed into `serde_json::Value` (`serde_json::from_str`, as
//!      a client reading tungstenite's text frames writes it), price and size read as `f64`,
//!      levels in a `BTreeMap` keyed by the `f64` price.
//!
//!
//!    The SDK starts from the frame's bytes and checks they are UTF-8; the naive way is given the
//!    text already checked. Both books are checked equal at the end (the naive one rounded to the
//!    exact one's prices).
//! 2. `latency`: a loopback server sends the snapshot, then `BOOK_LATENCY_FRAMES` (default 3,000)
//!    deltas, one about every millisecond; the client is a `Session` with `OrderBooks::spawn`.
//!    Latency is from just before the server writes the frame to the moment the client receives
//!    the keeper's `BookUpdate::Updated` for it, which comes after the book was changed: an
//!    upper bound on the frame-to-book time. Median and 99th percentile.
//!
//! `BOOK_PROFILE=1` runs only the SDK's decode-and-apply loop, for `perf record`. On 2 cores no
//! one function dominates any more: the keeper's bookkeeping (its lock, the copy-on-write check)
//! and the `BTreeMap` search over `FixedPointDollars` take about 7% each, as do the generated
//! `OrderbookDelta` reader and `PlainJson`'s keys; copies, allocation, money and UUID parsing the
//! rest.

use bytes::Bytes;
use futures_util::{SinkExt, StreamExt};
use kalshi_api::ws::protocol::{BookFeed, BookMessage};
use kalshi_api::ws::{
    decode_frame, BookKeeper, BookUpdate, Event, OrderBooks, ServerMessage, Session, SessionConfig,
    Side, Subscribe, SubscribeChannelsItem,
};
use kalshi_api::{Client, Environment, PrivateKey};
use serde_json::Value;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

const TICKER: &str = "KXBENCH-26DEC31-T50";
const LEVELS: i64 = 1000;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Price `i` (0..LEVELS) in ten-thousandths of a dollar: 1,000 levels below 0.5000 on a side.
fn price(i: i64) -> String {
    let p = 5000 - LEVELS + i;
    format!("0.{p:04}")
}

fn snapshot_frame() -> String {
    let side: Vec<Value> = (0..LEVELS)
        .map(|i| serde_json::json!([price(i), format!("{}.00", 100 + i % 50)]))
        .collect();
    serde_json::json!({
        "type": "orderbook_snapshot", "sid": 1, "seq": 1,
        "msg": { "market_ticker": TICKER, "market_id": "00000000-0000-4000-a000-000000000001",
                 "yes_dollars_fp": side, "no_dollars_fp": side },
    })
    .to_string()
}

/// `n` deltas over the 1,000 levels of each side, seq from 2.
fn delta_frames(n: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(42);
    (0..n)
        .map(|k| {
            let side = if rng.bool() { "yes" } else { "no" };
            let level = rng.i64(0..LEVELS);
            let delta = match rng.u8(0..10) {
                0 => -200.0, // takes the level away (sizes stay under 200 mostly)
                1..=4 => -(rng.i64(1..=3000) as f64) / 100.0,
                _ => rng.i64(1..=5000) as f64 / 100.0,
            };
            format!(
                r#"{{"type":"orderbook_delta","sid":1,"seq":{},"msg":{{"market_ticker":"{TICKER}","market_id":"00000000-0000-4000-a000-000000000001","price_dollars":"{}","delta_fp":"{delta:.2}","side":"{side}","ts_ms":1767225600000}}}}"#,
                k + 2,
                price(level),
            )
        })
        .collect()
}

/// An `f64` price with a total order, for the naive book's keys.
#[derive(Clone, Copy, PartialEq)]
struct F(f64);
impl Eq for F {}
impl PartialOrd for F {
    fn partial_cmp(&self, o: &F) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for F {
    fn cmp(&self, o: &F) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0)
    }
}

#[derive(Default)]
struct NaiveBook {
    yes: BTreeMap<F, f64>,
    no: BTreeMap<F, f64>,
}

impl NaiveBook {
    fn apply_frame(&mut self, frame: &[u8]) {
        let v: Value = serde_json::from_str(std::str::from_utf8(frame).unwrap()).unwrap();
        let msg = &v["msg"];
        match v["type"].as_str() {
            Some("orderbook_snapshot") => {
                for (field, side) in [
                    ("yes_dollars_fp", &mut self.yes),
                    ("no_dollars_fp", &mut self.no),
                ] {
                    side.clear();
                    for l in msg[field].as_array().into_iter().flatten() {
                        let p: f64 = l[0].as_str().unwrap().parse().unwrap();
                        let c: f64 = l[1].as_str().unwrap().parse().unwrap();
                        if c > 0.0 {
                            side.insert(F(p), c);
                        }
                    }
                }
            }
            Some("orderbook_delta") => {
                let p: f64 = msg["price_dollars"].as_str().unwrap().parse().unwrap();
                let d: f64 = msg["delta_fp"].as_str().unwrap().parse().unwrap();
                let side = if msg["side"] == "yes" {
                    &mut self.yes
                } else {
                    &mut self.no
                };
                let c = side.entry(F(p)).or_insert(0.0);
                *c += d;
                if *c <= 1e-9 {
                    side.remove(&F(p));
                }
            }
            _ => {}
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn apply_bench() {
    let n = env_usize("BOOK_DELTAS", 200_000);
    let rounds = env_usize("BOOK_ROUNDS", 5);
    let snapshot = Bytes::from(snapshot_frame());
    let deltas: Vec<Bytes> = delta_frames(n).into_iter().map(Bytes::from).collect();

    let mut sdk_rates = Vec::new();
    let mut naive_rates = Vec::new();
    let mut out = Vec::with_capacity(4);
    for _ in 0..rounds {
        // The SDK: decode into the generated type, apply to the exact book.
        let mut keeper = BookKeeper::new();
        let books = keeper.books();
        let received = decode_frame::<ServerMessage>(&snapshot).unwrap();
        keeper.handle(Event::Message(received), &mut out);
        out.clear();
        let start = Instant::now();
        for f in &deltas {
            let received = decode_frame::<ServerMessage>(f).unwrap();
            keeper.handle(Event::Message(received), &mut out);
            out.clear();
        }
        sdk_rates.push(n as f64 / start.elapsed().as_secs_f64());

        // The naive way.
        let mut naive = NaiveBook::default();
        naive.apply_frame(&snapshot);
        let start = Instant::now();
        for f in &deltas {
            naive.apply_frame(f);
        }
        naive_rates.push(n as f64 / start.elapsed().as_secs_f64());

        // Same books, or the comparison means nothing.
        let book = books.get(TICKER).unwrap();
        assert_eq!(books.stats().deltas_applied, n as u64);
        for (side, levels) in [(Side::Yes, &naive.yes), (Side::No, &naive.no)] {
            let exact: Vec<(String, String)> = book
                .bids(side)
                .map(|l| (l.price.to_string(), l.size.to_string()))
                .collect();
            let float: Vec<(String, String)> = levels
                .iter()
                .rev()
                .map(|(p, c)| (format!("{:.4}", p.0), format!("{c:.2}")))
                .collect();
            assert_eq!(exact, float, "the two books differ");
        }
        std::hint::black_box(&naive);
    }
    breakdown(&snapshot, &deltas);
    let (sdk, naive) = (median(&mut sdk_rates), median(&mut naive_rates));
    println!(
        "{{\"bench\":\"ws_orderbook_apply\",\"levels_per_side\":{LEVELS},\"deltas\":{n},\"rounds\":{rounds},\"sdk_deltas_per_s\":{sdk:.0},\"naive_deltas_per_s\":{naive:.0}}}"
    );
    eprintln!(
        "apply: sdk {sdk:.0} deltas/s, naive {naive:.0} deltas/s: {:.2}x",
        sdk / naive
    );
}

/// Where the SDK's time goes (stderr only): scanning a frame, decoding `msg` alone, the whole
/// frame, `Value`, applying alone, and the keeper.
fn breakdown(snapshot: &Bytes, deltas: &[Bytes]) {
    let n = deltas.len() as f64;
    let start = Instant::now();
    let mut decoded: Vec<_> = deltas
        .iter()
        .map(|f| decode_frame::<ServerMessage>(f).unwrap())
        .collect();
    let decode = n / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for f in deltas {
        std::hint::black_box(serde_json::from_slice::<Value>(f).unwrap());
    }
    let value = n / start.elapsed().as_secs_f64();
    let start = Instant::now();
    for f in deltas {
        std::hint::black_box(serde_json::from_slice::<serde::de::IgnoredAny>(f).unwrap());
    }
    let scan = n / start.elapsed().as_secs_f64();
    let msgs: Vec<&[u8]> = deltas
        .iter()
        .map(|f| {
            let at = f.windows(6).position(|w| w == b"\"msg\":").unwrap() + 6;
            &f[at..f.len() - 1]
        })
        .collect();
    let start = Instant::now();
    for m in &msgs {
        std::hint::black_box(serde_json::from_slice::<kalshi_api::ws::OrderbookDelta>(m).unwrap());
    }
    let typed = n / start.elapsed().as_secs_f64();
    eprintln!(
        "breakdown: skipping a frame {scan:.0}/s, `msg` alone into OrderbookDelta {typed:.0}/s"
    );
    let mut message = decode_frame::<ServerMessage>(snapshot).unwrap().message;
    let Some(BookMessage::Snapshot(s)) = message.book() else {
        unreachable!()
    };
    let mut book = kalshi_api::ws::OrderBook::from_snapshot(&s).unwrap();
    let start = Instant::now();
    for r in &mut decoded {
        if let Some(BookMessage::Delta(d)) = r.message.book() {
            book.apply(&d).unwrap();
        }
    }
    let apply = n / start.elapsed().as_secs_f64();
    let mut keeper = BookKeeper::new();
    let mut out = Vec::new();
    keeper.handle(
        Event::Message(decode_frame::<ServerMessage>(snapshot).unwrap()),
        &mut out,
    );
    let start = Instant::now();
    for r in decoded {
        keeper.handle(Event::Message(r), &mut out);
        out.clear();
    }
    let keep = n / start.elapsed().as_secs_f64();
    eprintln!(
        "breakdown: decode_frame {decode:.0}/s, serde_json::Value {value:.0}/s, OrderBook::apply {apply:.0}/s, BookKeeper::handle {keep:.0}/s"
    );
}

/// Serves the snapshot, then each delta about every millisecond, recording when each was sent.
fn serve(frames: Vec<String>, sent: Arc<Mutex<Vec<Option<Instant>>>>) -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let (stream, _) = listener.accept().await.unwrap();
            stream.set_nodelay(true).unwrap();
            let ws = tokio_tungstenite::accept_async(stream).await.unwrap();
            let (mut sink, mut stream) = ws.split();
            // The subscribe command: answer it, then the book.
            let Some(Ok(Message::Text(cmd))) = stream.next().await else {
                return;
            };
            let cmd: Value = serde_json::from_str(&cmd).unwrap();
            let ack = serde_json::json!({"id": cmd["id"], "type": "subscribed", "msg": {"channel": "orderbook_delta", "sid": 1}});
            sink.send(Message::Text(ack.to_string().into())).await.unwrap();
            sink.send(Message::Text(snapshot_frame().into())).await.unwrap();
            tokio::spawn(async move { while stream.next().await.is_some() {} });
            tokio::time::sleep(Duration::from_millis(50)).await;
            for (i, f) in frames.into_iter().enumerate() {
                sent.lock().unwrap()[i] = Some(Instant::now());
                if sink.send(Message::Text(f.into())).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            tokio::time::sleep(Duration::from_secs(5)).await;
        });
    });
    addr
}

fn latency_bench() {
    let n = env_usize("BOOK_LATENCY_FRAMES", 3000);
    let frames = delta_frames(n);
    let sent = Arc::new(Mutex::new(vec![None; n]));
    let addr = serve(frames, sent.clone());
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        key.to_pkcs8_pem(Default::default()).unwrap().to_string()
    };
    let client = Client::builder(Environment::Custom(format!("http://{addr}/trade-api/v2")))
        .credentials("bench", PrivateKey::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut micros: Vec<f64> = rt.block_on(async {
        let (session, events) = Session::connect(&client, SessionConfig::default())
            .await
            .unwrap();
        let _sub = session
            .subscribe(
                &Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta]).market_ticker(TICKER),
            )
            .await
            .unwrap();
        let (_books, mut updates) = OrderBooks::spawn(&session, events, 1024);
        let mut micros = Vec::with_capacity(n);
        while micros.len() < n {
            match updates.next().await.expect("the stream ended") {
                BookUpdate::Updated { seq: Some(seq), .. } => {
                    let now = Instant::now();
                    let at = sent.lock().unwrap()[seq as usize - 2].expect("sent");
                    micros.push(now.duration_since(at).as_secs_f64() * 1e6);
                }
                BookUpdate::Stale { ticker, reason } => panic!("{ticker} stale: {reason}"),
                _ => {}
            }
        }
        session.close().await;
        micros
    });
    micros.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let p50 = micros[micros.len() / 2];
    let p99 = micros[(micros.len() * 99 / 100).min(micros.len() - 1)];
    println!(
        "{{\"bench\":\"ws_orderbook_latency\",\"frames\":{n},\"p50_us\":{p50:.1},\"p99_us\":{p99:.1}}}"
    );
    eprintln!("latency frame to book: median {p50:.1} us, p99 {p99:.1} us");
}

/// `BOOK_PROFILE=1`: only the SDK's decode and apply, for a profiler.
fn profile() {
    let snapshot = Bytes::from(snapshot_frame());
    let deltas: Vec<Bytes> = delta_frames(200_000).into_iter().map(Bytes::from).collect();
    let mut out = Vec::new();
    for _ in 0..5 {
        let mut keeper = BookKeeper::new();
        keeper.handle(
            Event::Message(decode_frame::<ServerMessage>(&snapshot).unwrap()),
            &mut out,
        );
        for f in &deltas {
            keeper.handle(
                Event::Message(decode_frame::<ServerMessage>(f).unwrap()),
                &mut out,
            );
            out.clear();
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is understood.
    if std::env::var_os("BOOK_PROFILE").is_some() {
        return profile();
    }
    apply_bench();
    latency_bench();
}

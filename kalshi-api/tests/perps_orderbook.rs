//! The live perps order book against the test exchange's margin WebSocket: the same book keeper
//! as for event contracts, reading bids and asks (both quoted) as `spec/perps/codegen.yaml` says,
//! equals the exchange's authoritative book at every quiet point through 10,000 deltas with
//! skipped and repeated `seq`, dropped connections and bad frames; a stale book is never read.

mod common;

#[path = "../examples/perps_orderbook.rs"]
#[allow(dead_code)]
mod perps_example;

#[path = "../examples/ws_orderbook.rs"]
#[allow(dead_code)]
mod example;

use common::*;
use futures_util::StreamExt;
use kalshi_api::backoff::Backoff;
use kalshi_api::perps::ws::{
    BookEvents, BookUpdate, ServerMessage, Session, Subscribe, SubscribeChannelsItem,
};
use kalshi_api::ws::{BookError, BookStatus, Event, OrderBook, QuoteSide, SessionConfig};
use kalshi_api::{Client, Environment};
use kalshi_test_exchange::{Config, TestExchange};
use std::time::Duration;
use tokio::sync::mpsc;

async fn setup(seed: u64) -> (TestExchange, Client) {
    let key = ed25519_key();
    let exchange = TestExchange::start(
        Config::new()
            .key(KEY_ID, ed25519_public(&key))
            .market_count(3)
            .ws_interval(Duration::from_millis(5))
            .ws_heartbeat(Duration::from_millis(500))
            .seed(seed),
    )
    .await
    .unwrap();
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(
            KEY_ID,
            kalshi_api::PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap(),
        )
        .build()
        .unwrap();
    (exchange, client)
}

fn fast() -> SessionConfig {
    SessionConfig::new()
        .ping_interval(Duration::from_millis(500))
        .idle_timeout(Duration::from_secs(3))
        .command_timeout(Duration::from_secs(5))
        .backoff(Backoff::new(Duration::from_millis(10), Duration::from_millis(100)).seed(3))
}

/// A side of the client's book as the exchange writes its levels, best first.
fn levels(book: &OrderBook<QuoteSide>, side: QuoteSide) -> Vec<(String, String)> {
    book.ladder(side)
        .map(|l| (l.price.to_string(), l.size.to_string()))
        .collect()
}

fn equals_exchange(exchange: &TestExchange, book: &OrderBook<QuoteSide>) -> bool {
    let (bids, asks) = exchange.margin_order_book(book.ticker()).unwrap();
    levels(book, QuoteSide::Bid) == bids && levels(book, QuoteSide::Ask) == asks
}

/// Drains the books' updates into a channel the test reads when it wants, so the keeper never
/// waits for the test.
fn drain(mut updates: BookEvents) -> mpsc::UnboundedReceiver<BookUpdate> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Some(u) = updates.next().await {
            if tx.send(u).is_err() {
                break;
            }
        }
    });
    rx
}

/// A barrier: subscribes to `ticker` on the `ticker` channel with its initial snapshot. The
/// exchange delivers everything it published before that frame, so once the keeper passes it
/// on, it has seen every frame sent before.
async fn barrier(session: &Session, rx: &mut mpsc::UnboundedReceiver<BookUpdate>, ticker: &str) {
    let sub = loop {
        let command = Subscribe::new(vec![SubscribeChannelsItem::Ticker])
            .market_ticker(ticker)
            .send_initial_snapshot(true);
        match session.subscribe(&command).await {
            Ok(sub) => break sub,
            // A connection lost meanwhile interrupts the command: ask again.
            Err(e) => eprintln!("barrier: {e}; again"),
        }
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    loop {
        let u = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the barrier's ticker frame within 20 s")
            .expect("updates ended");
        if matches!(&u, BookUpdate::Event(Event::Message(r))
            if matches!(&r.message, ServerMessage::Ticker(t) if t.market_ticker == ticker))
        {
            break;
        }
    }
    let _ = sub.unsubscribe().await;
}

#[derive(Debug, Default)]
struct Figures {
    quiet_points: u64,
    checks: u64,
    mismatches: u64,
    published: usize,
    drops: u64,
    skips: u64,
    repeats: u64,
    malformed: u64,
    bad_deltas: u64,
}

/// Up to two faults, drawn from `rng`, on the live connection: a skipped or repeated `seq`, a
/// frame that is not JSON, a book delta that does not decode or names no side of the book, or
/// a dropped connection.
fn inject(
    exchange: &TestExchange,
    sid: Option<u64>,
    ticker: &str,
    rng: &mut fastrand::Rng,
    f: &mut Figures,
) {
    for _ in 0..rng.usize(0..=2) {
        match rng.u8(0..10) {
            0..=2 => {
                exchange.ws_skip_seq();
                f.skips += 1;
            }
            3..=5 => {
                exchange.ws_repeat_seq();
                f.repeats += 1;
            }
            6 => {
                exchange.ws_send_malformed();
                f.malformed += 1;
            }
            7..=8 => {
                let Some(sid) = sid else { continue };
                // A price that is an object (it does not decode), or a side that is neither.
                let msg = if rng.bool() {
                    format!(
                        r#"{{"market_ticker":"{ticker}","price":{{"x":1}},"delta":"1.00","side":"bid"}}"#
                    )
                } else {
                    format!(
                        r#"{{"market_ticker":"{ticker}","price":"95.0000","delta":"1.00","side":"mid"}}"#
                    )
                };
                exchange.ws_send_text(&format!(
                    r#"{{"type":"orderbook_delta","sid":{sid},"msg":{msg}}}"#
                ));
                f.bad_deltas += 1;
            }
            _ => {
                exchange.ws_drop_connections();
                f.drops += 1;
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perps_books_equal_the_exchange_at_every_quiet_point_through_10000_deltas_and_faults() {
    const DELTAS: usize = 10_000;
    const ROUNDS: usize = 40;
    let (exchange, client) = setup(13).await;
    // The scripted feed stays paused: the seeded order flow is the only activity, so every point
    // between two flows is quiet.
    exchange.ws_pause_feed(true);
    let markets = exchange.margin_market_tickers();
    let (session, events) = Session::connect_to(&client, client.margin_ws_url(), fast())
        .await
        .unwrap();
    let sub = session
        .subscribe(
            &Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta])
                .market_tickers(markets.clone()),
        )
        .await
        .unwrap();
    let (books, updates) = kalshi_api::ws::OrderBooks::spawn(&session, events, 1024);
    let mut rx = drain(updates);
    let mut rng = fastrand::Rng::with_seed(0x9e295);
    let mut f = Figures::default();

    // Every book read valid must be the exchange's; returns whether all were valid.
    let check = |f: &mut Figures| -> bool {
        f.checks += 1;
        let mut all_valid = true;
        for t in &markets {
            match books.get(t) {
                Ok(book) => {
                    if !equals_exchange(&exchange, &book) {
                        f.mismatches += 1;
                        eprintln!("MISMATCH in {t} (reported valid)");
                    }
                }
                Err(BookError::Stale { .. }) => all_valid = false,
                Err(e) => panic!("{e}"),
            }
        }
        all_valid
    };

    for round in 0..ROUNDS {
        let n = DELTAS / ROUNDS;
        let sid = session
            .list_subscriptions()
            .await
            .ok()
            .and_then(|l| l.into_iter().find(|(c, _)| c == "orderbook_delta"))
            .map(|(_, sid)| sid);
        let target = round * n + n / 2;
        while f.published < target {
            f.published += exchange.margin_ws_order_flow(&markets, target - f.published);
        }
        // Faults land while the flow is being delivered.
        let ticker = &markets[rng.usize(..markets.len())];
        inject(&exchange, sid, ticker, &mut rng, &mut f);
        let target = (round + 1) * n;
        while f.published < target {
            f.published += exchange.margin_ws_order_flow(&markets, target - f.published);
        }
        if round % 4 == 3 || round == ROUNDS - 1 {
            // A quiet point: nothing more is published until every book is valid again.
            f.quiet_points += 1;
            let mut tries = 0;
            loop {
                barrier(&session, &mut rx, &markets[0]).await;
                if check(&mut f) {
                    break;
                }
                tries += 1;
                assert!(
                    tries < 50,
                    "books did not become valid: {:?}",
                    books.stats()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        } else {
            while rx.try_recv().is_ok() {}
        }
    }
    let stats = books.stats();
    println!(
        "perps order books: {} deltas published, {} applied, {} discarded; {} snapshots, {} \
         resyncs; gaps {}, repeats {}, disconnects {}, invalid {}, keeper snapshot requests {}; \
         injected: {} skips, {} repeats, {} drops, {} malformed, {} bad deltas; {} quiet points, \
         {} checks, mismatches: {}",
        f.published,
        stats.deltas_applied,
        stats.deltas_discarded,
        stats.snapshots,
        stats.resyncs,
        stats.gaps,
        stats.repeats,
        stats.disconnects,
        stats.invalid,
        stats.snapshot_requests,
        f.skips,
        f.repeats,
        f.drops,
        f.malformed,
        f.bad_deltas,
        f.quiet_points,
        f.checks,
        f.mismatches,
    );
    assert_eq!(f.mismatches, 0);
    assert_eq!(f.published, DELTAS);
    // Deltas sent to a connection that was then dropped never arrive; every other is either
    // applied or discarded (while its book was stale).
    assert!(stats.deltas_applied + stats.deltas_discarded <= DELTAS as u64);
    assert!(stats.deltas_applied > (DELTAS / 4) as u64, "{stats:?}");
    assert!(stats.gaps > 0 && stats.repeats > 0 && stats.disconnects > 0);
    assert!(stats.invalid > 0 && stats.resyncs > 0, "{stats:?}");
    for t in &markets {
        assert_eq!(books.status(t), Some(BookStatus::Valid));
        let book = books.get(t).unwrap();
        // Quoted sides: the best bid is below the best ask, both on the exchange's book.
        assert!(book.best_bid().unwrap().price < book.best_ask().unwrap().price);
    }
    drop(sub);
    session.close().await;
}

/// The JSON lines an example printed.
fn json_lines(out: Vec<u8>) -> Vec<serde_json::Value> {
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

/// A side of a JSON line as `(price, size)` texts.
fn side(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap_or_else(|| panic!("not an array: {v}"))
        .iter()
        .map(|l| (l[0].as_str().unwrap().into(), l[1].as_str().unwrap().into()))
        .collect()
}

/// Waits (at most 10 s) until `handshakes` handshakes were made and `live` connections are up.
async fn connected(exchange: &TestExchange, handshakes: usize, live: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while exchange.ws_handshake_attempts() < handshakes || exchange.ws_connections() != live {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no {live} live connections after {handshakes} handshakes"));
}

/// Issue 19: both book examples, the perps one and the event-contract one, follow their books
/// through a connection dropped in the middle (the session reconnects and rebuilds each book by
/// itself) and print, at the end, the exchange's books as they are then, none stale: the perps
/// one when told to stop (as Ctrl-C does), the other when its seconds pass.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_book_examples_follow_their_books_through_a_dropped_connection() {
    let (exchange, client) = setup(21).await;
    let perps = exchange.margin_market_tickers();
    let events = exchange.market_tickers();
    let (mut perps_out, mut perps_log, mut out, mut log) = (vec![], vec![], vec![], vec![]);
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let stop = async {
        let _ = stop_rx.await;
    };
    let started = tokio::time::Instant::now();
    let perps_run = perps_example::run(
        &client,
        &perps,
        None,
        fast(),
        stop,
        &mut perps_out,
        &mut perps_log,
    );
    let pending = std::future::pending();
    let run = example::run(
        &client,
        &events,
        Some(5),
        fast(),
        pending,
        &mut out,
        &mut log,
    );
    let drive = async {
        connected(&exchange, 2, 2).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        exchange.margin_ws_order_flow(&perps, 300);
        exchange.ws_order_flow(&events, 300);
        tokio::time::sleep(Duration::from_millis(200)).await;
        exchange.ws_drop_connections();
        connected(&exchange, 4, 2).await;
        // The books move on the new connections too, then go quiet before the end.
        tokio::time::sleep(Duration::from_millis(300)).await;
        exchange.margin_ws_order_flow(&perps, 300);
        exchange.ws_order_flow(&events, 300);
        exchange.ws_pause_feed(true);
        tokio::time::sleep(Duration::from_millis(700)).await;
        stop_tx.send(()).unwrap();
    };
    let (perps_result, result, ()) = tokio::join!(perps_run, run, drive);
    perps_result.unwrap();
    result.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "it ran its seconds"
    );
    for log in [&perps_log, &log] {
        let log = String::from_utf8_lossy(log);
        assert_eq!(log.matches("connection lost").count(), 1, "{log}");
        assert_eq!(log.matches("reconnected").count(), 1, "{log}");
    }
    let lines = json_lines(perps_out);
    assert_eq!(lines.len(), perps.len(), "{lines:?}");
    for (line, ticker) in lines.iter().zip(&perps) {
        let (bids, asks) = exchange.margin_order_book(ticker).unwrap();
        assert_eq!(line["ticker"], ticker.as_str());
        assert_eq!(side(&line["bid"]), bids, "{ticker}");
        assert_eq!(side(&line["ask"]), asks, "{ticker}");
        assert!(line.get("stale").is_none(), "{ticker} was rebuilt: {line}");
    }
    let lines = json_lines(out);
    assert_eq!(lines.len(), events.len(), "{lines:?}");
    for (line, ticker) in lines.iter().zip(&events) {
        let (yes, no) = exchange.order_book(ticker).unwrap();
        assert_eq!(line["ticker"], ticker.as_str());
        assert_eq!(side(&line["yes"]), yes, "{ticker}");
        assert_eq!(side(&line["no"]), no, "{ticker}");
        assert!(line.get("stale").is_none(), "{ticker} was rebuilt: {line}");
    }
}

//! Live order books: subscribes to `orderbook_delta` for the given markets, prints the top of each
//! book as it changes (stderr), and after `--seconds N` (or when the session ends for good) prints
//! each book as one JSON line on stdout:
//! `{"ticker": "...", "yes": [["0.4200", "10.00"], ...], "no": [...]}` (bids, best first, as the
//! exchange's exact decimal strings). It follows the books through lost connections: the session
//! reconnects, resubscribes and rebuilds each book from a fresh snapshot by itself, and the
//! example only reports it. Without `--seconds` it runs until interrupted.
//!
//! ```text
//! cargo run -p kalshi-api --example ws_orderbook -- [--seconds N] TICKER...
//! ```
//!
//! The environment comes from `Client::from_env` (`KALSHI_API_KEY_ID`, the key, `KALSHI_ENV`);
//! `KALSHI_WS_URL` overrides the WebSocket URL and `KALSHI_BASE_URL` the REST one.
//! `kalshi-api/tests/ws_orderbook.rs` runs [`run`] against the test exchange.

use futures_util::StreamExt;
use kalshi_api::ws::{
    BookUpdate, Event, OrderBook, OrderBooks, Session, SessionConfig, Side, StaleReason, Subscribe,
    SubscribeChannelsItem,
};
use kalshi_api::Client;
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// A book's line of output: `{"ticker", "yes", "no"}`, and `"stale": true` when its last valid
/// state is all there is (a gap that was not repaired before the end).
pub fn book_json(book: &OrderBook, stale: bool) -> serde_json::Value {
    let side = |side| {
        book.bids(side)
            .map(|l| serde_json::json!([l.price.to_string(), l.size.to_string()]))
            .collect::<Vec<_>>()
    };
    let mut line = serde_json::json!({
        "ticker": book.ticker(),
        "yes": side(Side::Yes),
        "no": side(Side::No),
    });
    if stale {
        line["stale"] = serde_json::Value::Bool(true);
    }
    line
}

/// The top of a book, as printed on changes.
fn top(book: &OrderBook) -> String {
    let show = |l: Option<kalshi_api::ws::Level>| {
        l.map_or_else(|| "-".to_string(), |l| format!("{} x {}", l.price, l.size))
    };
    format!(
        "{}  bid {}  ask {}  spread {}",
        book.ticker(),
        show(book.best_bid(Side::Yes)),
        show(book.best_ask(Side::Yes)),
        book.spread().map_or_else(|| "-".into(), |s| s.to_string()),
    )
}

/// Follows `tickers` until `seconds` pass or the session ends for good (its reconnect attempts,
/// as `config` allows them, ran out), through any number of lost connections, printing tops to
/// `log` as they change and, at the end, one JSON line per book to `out` (in the order given).
/// Books are kept as last seen valid: one that was not rebuilt after a loss is marked stale.
pub async fn run(
    client: &Client,
    tickers: &[String],
    seconds: Option<u64>,
    config: SessionConfig,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    let (session, events) = Session::connect(client, config).await?;
    let subscription = session
        .subscribe(
            &Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta])
                .market_tickers(tickers.to_vec()),
        )
        .await?;
    let (books, mut updates) = OrderBooks::spawn(&session, events, 1024);
    // The last valid copy of each book, and whether it went stale since (and was not rebuilt).
    let mut last: BTreeMap<String, (Arc<OrderBook>, bool)> = BTreeMap::new();
    let mut tops: BTreeMap<String, String> = BTreeMap::new();
    let deadline = seconds.map(|s| tokio::time::Instant::now() + Duration::from_secs(s));
    loop {
        let next = match deadline {
            Some(at) => match tokio::time::timeout_at(at, updates.next()).await {
                Ok(next) => next,
                Err(_) => break,
            },
            None => updates.next().await,
        };
        let Some(update) = next else { break };
        match update {
            BookUpdate::Ready { ticker }
            | BookUpdate::Resynced { ticker }
            | BookUpdate::Updated { ticker, .. } => {
                if let Ok(book) = books.get(&ticker) {
                    let now = top(&book);
                    if tops.get(&ticker) != Some(&now) {
                        writeln!(log, "{now}")?;
                        tops.insert(ticker.clone(), now);
                    }
                    last.insert(ticker, (book, false));
                }
            }
            BookUpdate::Stale { ticker, reason } if reason != StaleReason::Closed => {
                writeln!(log, "{ticker}  stale: {reason}")?;
                if let Some(entry) = last.get_mut(&ticker) {
                    entry.1 = true;
                }
            }
            // The session reconnects by itself; its books come back as `Resynced`.
            BookUpdate::Event(Event::Disconnected { reason }) => {
                writeln!(log, "connection lost: {reason}; the session reconnects")?;
            }
            BookUpdate::Event(Event::Reconnected { .. }) => writeln!(log, "reconnected")?,
            // The session ended for good: its reconnect attempts ran out.
            BookUpdate::Event(Event::Closed { .. }) => break,
            _ => {}
        }
    }
    drop(subscription);
    session.close().await;
    for ticker in tickers {
        if let Some((book, stale)) = last.get(ticker) {
            writeln!(out, "{}", book_json(book, *stale))?;
        }
    }
    out.flush()?;
    Ok(())
}

#[allow(dead_code)] // the test includes this file for `run` only
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut seconds = None;
    let mut tickers = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let n = args.next().ok_or("--seconds needs a number")?;
                seconds = Some(
                    n.parse::<u64>()
                        .map_err(|e| format!("--seconds {n}: {e}"))?,
                );
            }
            "-h" | "--help" => {
                eprintln!("usage: ws_orderbook [--seconds N] TICKER...");
                return Ok(());
            }
            _ => tickers.push(arg),
        }
    }
    if tickers.is_empty() {
        return Err("usage: ws_orderbook [--seconds N] TICKER...".into());
    }
    let client = Client::from_env()?;
    // The default policy reconnects without end, with backoff: the books outlive lost connections.
    let config = SessionConfig::new();
    run(
        &client,
        &tickers,
        seconds,
        config,
        &mut std::io::stdout().lock(),
        &mut std::io::stderr(),
    )
    .await
}

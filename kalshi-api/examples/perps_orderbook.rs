//! Live perps order books: subscribes to the margin WebSocket's `orderbook_delta` channel for the
//! given perpetual futures, prints the top of each book as it changes (stderr), and after
//! `--seconds N` (or at Ctrl-C, or when the session ends for good) prints each book as one JSON
//! line on stdout: `{"ticker": "...", "bid": [["95.0100", "10.00"], ...], "ask": [...]}` (best
//! first, as the exchange's exact decimal strings), and exits 0. It follows the books through
//! lost connections: the session reconnects, resubscribes and rebuilds each book from a fresh
//! snapshot by itself, and the example only reports it. Without `--seconds` it runs until
//! interrupted.
//!
//! ```text
//! cargo run -p kalshi-api --features perps --example perps_orderbook -- [--seconds N] TICKER...
//! ```
//!
//! The environment comes from `Client::from_env` (`KALSHI_API_KEY_ID`, the key, `KALSHI_ENV`); the
//! margin WebSocket URL is `client.margin_ws_url()`, which `KALSHI_PERPS_WS_URL` overrides.
//! `kalshi-api/tests/perps_orderbook.rs` runs [`run`] against the test exchange.

use futures_util::StreamExt;
use kalshi_api::perps::ws::{BookUpdate, Session, Subscribe, SubscribeChannelsItem};
use kalshi_api::ws::StaleReason;
use kalshi_api::ws::{Event, Level, Levels, OrderBook, OrderBooks, QuoteSide, SessionConfig};
use kalshi_api::Client;
use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

/// A perps book: bids and asks, both quoted.
type Book = OrderBook<QuoteSide>;

/// A book's line of output, its fields in this order.
#[derive(serde::Serialize)]
struct Line<'a> {
    ticker: &'a str,
    /// `[price, size]` as the exchange writes them, best first.
    bid: Vec<[String; 2]>,
    ask: Vec<[String; 2]>,
    /// Present (`true`) only when the book's last valid state is all there is.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    stale: bool,
}

/// A book's line of output: `{"ticker", "bid", "ask"}`, and `"stale": true` when its last valid
/// state is all there is (a loss that was not repaired before the end).
pub fn book_json(book: &Book, stale: bool) -> serde_json::Result<String> {
    let side = |levels: Levels<'_>| {
        levels
            .map(|l| [l.price.to_string(), l.size.to_string()])
            .collect()
    };
    let line = Line {
        ticker: book.ticker(),
        bid: side(book.bids()),
        ask: side(book.asks()),
        stale,
    };
    serde_json::to_string(&line)
}

/// The top of a book, as printed on changes.
fn top(book: &Book) -> String {
    let show =
        |l: Option<Level>| l.map_or_else(|| "-".into(), |l| format!("{} x {}", l.price, l.size));
    format!(
        "{}  bid {}  ask {}  spread {}",
        book.ticker(),
        show(book.best_bid()),
        show(book.best_ask()),
        book.spread().map_or_else(|| "-".into(), |s| s.to_string()),
    )
}

/// What the example has seen: the last valid copy of each book, whether it went stale since (and
/// was not rebuilt), and the last top printed.
#[derive(Default)]
struct Seen {
    last: BTreeMap<String, (Arc<Book>, bool)>,
    tops: BTreeMap<String, String>,
}

impl Seen {
    /// Takes one update, printing what changed to `log`; `false` once the session ended for good.
    fn take(
        &mut self,
        books: &OrderBooks<QuoteSide>,
        update: BookUpdate,
        log: &mut dyn Write,
    ) -> std::io::Result<bool> {
        match update {
            BookUpdate::Ready { ticker }
            | BookUpdate::Resynced { ticker }
            | BookUpdate::Updated { ticker, .. } => {
                if let Ok(book) = books.get(&ticker) {
                    let now = top(&book);
                    if self.tops.get(&ticker) != Some(&now) {
                        writeln!(log, "{now}")?;
                        self.tops.insert(ticker.clone(), now);
                    }
                    self.last.insert(ticker, (book, false));
                }
            }
            BookUpdate::Stale { ticker, reason } if reason != StaleReason::Closed => {
                writeln!(log, "{ticker}  stale: {reason}")?;
                if let Some(entry) = self.last.get_mut(&ticker) {
                    entry.1 = true;
                }
            }
            // The session reconnects by itself; its books come back as `Resynced`.
            BookUpdate::Event(Event::Disconnected { reason }) => {
                writeln!(log, "connection lost: {reason}; the session reconnects")?;
            }
            BookUpdate::Event(Event::Reconnected { .. }) => writeln!(log, "reconnected")?,
            // The session ended for good: its reconnect attempts ran out.
            BookUpdate::Event(Event::Closed { .. }) => return Ok(false),
            _ => {}
        }
        Ok(true)
    }

    /// One JSON line per book, in the order of `tickers` (a book never seen has none).
    fn print(&self, tickers: &[String], out: &mut dyn Write) -> std::io::Result<()> {
        for ticker in tickers {
            if let Some((book, stale)) = self.last.get(ticker) {
                writeln!(out, "{}", book_json(book, *stale)?)?;
            }
        }
        out.flush()
    }
}

/// Follows `tickers` until `seconds` pass, `stop` resolves (Ctrl-C in `main`) or the session
/// ends for good (its reconnect attempts, as `config` allows them, ran out), through any number
/// of lost connections, printing tops to `log` as they change and, at the end, one JSON line per
/// book to `out` (in the order given). Books are kept as last seen valid: one that was not
/// rebuilt after a loss is marked stale.
pub async fn run(
    client: &Client,
    tickers: &[String],
    seconds: Option<u64>,
    config: SessionConfig,
    stop: impl Future<Output = ()>,
    out: &mut dyn Write,
    log: &mut dyn Write,
) -> Result<(), Box<dyn std::error::Error>> {
    let (session, events) = Session::connect_to(client, client.margin_ws_url(), config).await?;
    let subscription = session
        .subscribe(
            &Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta])
                .market_tickers(tickers.to_vec()),
        )
        .await?;
    let (books, mut updates) = OrderBooks::spawn(&session, events, 1024);
    let ends = ends(seconds);
    tokio::pin!(stop, ends);
    let mut seen = Seen::default();
    loop {
        let update = tokio::select! {
            update = updates.next() => update,
            () = &mut ends => break,
            () = &mut stop => break,
        };
        let Some(update) = update else { break };
        if !seen.take(&books, update, log)? {
            break;
        }
    }
    drop(subscription);
    session.close().await;
    seen.print(tickers, out)?;
    Ok(())
}

/// Resolves when `seconds` have passed; never without them.
async fn ends(seconds: Option<u64>) {
    match seconds {
        Some(s) => tokio::time::sleep(Duration::from_secs(s)).await,
        None => std::future::pending().await,
    }
}

/// Resolves at the first Ctrl-C (never, where it cannot be listened for).
async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

#[allow(dead_code)] // the test includes this file for `run` only
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    const USAGE: &str = "usage: perps_orderbook [--seconds N] TICKER...";
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
                eprintln!("{USAGE}");
                return Ok(());
            }
            _ => tickers.push(arg),
        }
    }
    if tickers.is_empty() {
        return Err(USAGE.into());
    }
    let client = Client::from_env()?;
    // The default policy reconnects without end, with backoff: the books outlive lost connections.
    let config = SessionConfig::new();
    let (mut out, mut log) = (std::io::stdout().lock(), std::io::stderr());
    run(
        &client,
        &tickers,
        seconds,
        config,
        ctrl_c(),
        &mut out,
        &mut log,
    )
    .await
}

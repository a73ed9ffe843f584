//! Following an order to its fill: subscribes to `user_orders`, `fill` and one market's book,
//! waits for the book, places a bid at the best YES ask over REST (`CreateOrderV2`, so it crosses),
//! follows the order by the `order_id` the REST answer carries (the tracker takes it as is), and
//! prints each update as the tracker routes it, until the order is no longer resting. It refuses
//! production: point it at demo or the test exchange.
//!
//! ```text
//! cargo run -p kalshi-api --example ws_orders -- [--count N] TICKER
//! ```
//!
//! The environment comes from `Client::from_env` (`KALSHI_API_KEY_ID`, the key, `KALSHI_ENV`,
//! `KALSHI_BASE_URL`). `kalshi-api/tests/ws_orderbook.rs` runs [`run`] against the test exchange.

use futures_util::StreamExt;
use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::ws::{
    BookUpdate, OrderBooks, OrderTracker, OrderUpdate, Session, SessionConfig, Side, Subscribe,
    SubscribeChannelsItem, UserOrderStatus,
};
use kalshi_api::{ops, types, Client, Environment, OrderId};
use std::io::Write;
use std::time::Duration;

/// How long to wait for the book, and then for each update of the order.
const PATIENCE: Duration = Duration::from_secs(30);

/// What became of the order: its id and the fills the tracker delivered.
#[derive(Debug)]
pub struct Followed {
    /// The exchange's order id, as `CreateOrderV2` answered it.
    pub order_id: OrderId,
    /// The price bid: the best YES ask when the order was placed.
    pub price: FixedPointDollars,
    /// The contracts ordered.
    pub count: FixedPointCount,
    /// The fills of the order, as the tracker received them (price, contracts).
    pub fills: Vec<(FixedPointDollars, FixedPointCount)>,
    /// The order's last state.
    pub status: UserOrderStatus,
}

/// Places a bid for `count` contracts of `ticker` (fewer if the ask offers fewer) at its best YES
/// ask and follows it, printing each step to `out`, until the exchange reports it no longer
/// resting.
pub async fn run(
    client: &Client,
    ticker: &str,
    count: FixedPointCount,
    config: SessionConfig,
    out: &mut dyn Write,
) -> Result<Followed, Box<dyn std::error::Error>> {
    let (session, events) = Session::connect(client, config).await?;
    // Your orders and fills come on two private channels, for every market.
    let _mine = session
        .subscribe(&Subscribe::new(vec![
            SubscribeChannelsItem::UserOrders,
            SubscribeChannelsItem::Fill,
        ]))
        .await?;
    let _book = session
        .subscribe(
            &Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta])
                .market_tickers(vec![ticker.to_string()]),
        )
        .await?;
    // The books take the session's events; the tracker gets every other event from them.
    let (books, updates) = OrderBooks::spawn(&session, events, 1024);
    let tracker = OrderTracker::new();
    let mut ready = feed_tracker(updates, tracker.clone(), ticker.to_string());
    tokio::time::timeout(PATIENCE, ready.recv())
        .await
        .map_err(|_| format!("no book for {ticker}"))?;
    let ask = books
        .get(ticker)?
        .best_ask(Side::Yes)
        .ok_or_else(|| format!("{ticker} has no YES ask"))?;
    writeln!(out, "{ticker}: best YES ask {ask}")?;
    // No more than the ask offers, so the whole order fills at that price.
    let count = count.min(ask.size);

    let order = types::CreateOrderV2Request::new(
        ticker,
        types::BookSide::from(Side::Yes), // buying YES at its ask: a bid on the YES book
        count,
        ask.price,
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    let placed = client
        .create_order_v2(ops::CreateOrderV2::new(order))
        .await?;
    writeln!(out, "placed {}", placed.order_id)?;
    // The REST answer's id is the type the tracker takes. The order has no `client_order_id`, so
    // what the feed sent for it before this line was kept, and comes first.
    let order_updates = tracker.track_order_id(&placed.order_id);

    let followed = Followed {
        order_id: placed.order_id,
        price: ask.price,
        count,
        fills: Vec::new(),
        status: UserOrderStatus::Resting,
    };
    let followed = follow(order_updates, followed, out).await?;
    session.close().await;
    Ok(followed)
}

/// Records the order's fills and states as they arrive, printing each, until it stops resting.
async fn follow(
    mut order_updates: impl futures_util::Stream<Item = OrderUpdate> + Unpin,
    mut followed: Followed,
    out: &mut dyn Write,
) -> Result<Followed, Box<dyn std::error::Error>> {
    loop {
        let update = tokio::time::timeout(PATIENCE, order_updates.next())
            .await
            .map_err(|_| "no update of the order")?
            .ok_or("the session ended")?;
        match update {
            OrderUpdate::Fill(fill) => {
                writeln!(out, "fill: {} at {}", fill.count_fp, fill.yes_price_dollars)?;
                followed.fills.push((fill.yes_price_dollars, fill.count_fp));
            }
            OrderUpdate::Order(state) => {
                writeln!(
                    out,
                    "order: {}, filled {}, remaining {}",
                    state.status, state.fill_count_fp, state.remaining_count_fp
                )?;
                followed.status = state.status.clone();
                if state.status != UserOrderStatus::Resting {
                    return Ok(followed);
                }
            }
            other => writeln!(out, "{other:?}")?,
        }
    }
}

/// Passes the session's events to `tracker` on a task of its own; the returned channel receives
/// one message when `ticker`'s book is first ready.
fn feed_tracker(
    mut updates: kalshi_api::ws::BookEvents,
    tracker: OrderTracker,
    ticker: String,
) -> tokio::sync::mpsc::Receiver<()> {
    let (ready_tx, ready_rx) = tokio::sync::mpsc::channel(1);
    tokio::spawn(async move {
        while let Some(update) = updates.next().await {
            match update {
                BookUpdate::Event(event) => {
                    tracker.handle(&event);
                }
                BookUpdate::Ready { ticker: t } if t == ticker => {
                    let _ = ready_tx.try_send(());
                }
                _ => {}
            }
        }
    });
    ready_rx
}

#[allow(dead_code)] // the test includes this file for `run` only
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: ws_orders [--count N] TICKER";
    let mut args = std::env::args().skip(1);
    let mut count: FixedPointCount = "1.00".parse()?;
    let mut ticker = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--count" => count = args.next().ok_or(usage)?.parse()?,
            "-h" | "--help" => {
                eprintln!("{usage}");
                return Ok(());
            }
            _ => ticker = Some(arg),
        }
    }
    let ticker = ticker.ok_or(usage)?;
    let client = Client::from_env()?;
    // It buys at the ask: never with real money.
    if client.base_url() == Environment::Production.base_url() {
        return Err("ws_orders refuses to run against production: set KALSHI_ENV=demo".into());
    }
    let config = SessionConfig::new().max_reconnect_attempts(Some(0));
    let followed = run(&client, &ticker, count, config, &mut std::io::stdout()).await?;
    println!(
        "{}: {} fill(s), {}",
        followed.order_id,
        followed.fills.len(),
        followed.status
    );
    Ok(())
}

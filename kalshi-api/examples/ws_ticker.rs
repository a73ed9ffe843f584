//! Streams public market data (the `ticker` channel) through an authenticated WebSocket session.
//!
//! ```text
//! cargo run -p kalshi-api --example ws_ticker -- [--seconds N] [--messages N] [TICKER...]
//! ```
//!
//! Every Kalshi WebSocket connection is signed, even for public channels: it needs
//! `KALSHI_API_KEY_ID` and a key (`KALSHI_PRIVATE_KEY_PATH` or `KALSHI_PRIVATE_KEY`), read by
//! `Client::from_env` with `KALSHI_ENV` or `KALSHI_BASE_URL`; `KALSHI_WS_URL` sets the WebSocket
//! URL (against the test exchange, `ws://127.0.0.1:8080/trade-api/ws/v2`). Without tickers it
//! subscribes to every market. Each update is one line on standard output; what happens to the
//! connection (disconnects, reconnects, gaps) goes to standard error. It stops after N seconds or
//! N messages, or when the session ends.

use futures_util::StreamExt;
use kalshi_api::ws::{
    Event, ServerMessage, Session, SessionConfig, Subscribe, SubscribeChannelsItem,
};
use kalshi_api::Client;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut seconds = None;
    let mut messages = None;
    let mut tickers = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => seconds = Some(args.next().ok_or("--seconds needs a number")?.parse()?),
            "--messages" => {
                messages = Some(
                    args.next()
                        .ok_or("--messages needs a number")?
                        .parse::<usize>()?,
                )
            }
            "-h" | "--help" => {
                eprintln!("usage: ws_ticker [--seconds N] [--messages N] [TICKER...]");
                return Ok(());
            }
            _ => tickers.push(arg),
        }
    }

    let client = Client::from_env()?;
    eprintln!("connecting to {}", client.ws_url());
    let (session, mut events) = Session::connect(&client, SessionConfig::default()).await?;
    let mut subscribe = Subscribe::new(vec![SubscribeChannelsItem::Ticker]);
    if !tickers.is_empty() {
        subscribe = subscribe.market_tickers(tickers);
    }
    let subscription = session.subscribe(&subscribe).await?;
    eprintln!("subscribed ({})", subscription.id());

    let deadline = tokio::time::sleep(seconds.map_or(Duration::MAX / 4, Duration::from_secs));
    tokio::pin!(deadline);
    let mut printed = 0usize;
    loop {
        let event = tokio::select! {
            _ = &mut deadline => break,
            event = events.next() => match event {
                Some(event) => event,
                None => break,
            },
        };
        match event {
            Event::Message(received) => {
                if let ServerMessage::Ticker(t) = received.message {
                    println!(
                        "{} last {} bid {} ({}) ask {} ({}) volume {}",
                        t.market_ticker,
                        t.price_dollars,
                        t.yes_bid_dollars,
                        t.yes_bid_size_fp,
                        t.yes_ask_dollars,
                        t.yes_ask_size_fp,
                        t.volume_fp
                    );
                    printed += 1;
                    if messages.is_some_and(|n| printed >= n) {
                        break;
                    }
                }
            }
            Event::Closed { error } => {
                eprintln!("session closed: {error:?}");
                break;
            }
            other => eprintln!("{other:?}"),
        }
    }
    session.close().await;
    Ok(())
}

//! The README's Rust blocks, compiled, and run against the test exchange where they can run.
//!
//! Each block is copied below, verbatim, between a `// README block N` line and an `// end of
//! README block` line, inside a function whose parameters are what the block takes from the blocks
//! before it (`client`, `key`, ...). `tests/readme.rs` checks that the copies are the README's
//! blocks, and writes them here with `README_BLOCKS=update`.

#![allow(unused)] // the blocks bind what they show, used or not

mod common;

use common::*;
use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::{Client, Environment, PrivateKey};
use kalshi_test_exchange::{Config, TestExchange};
use std::time::Duration;

type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The first request: markets, no key (compiled only: it calls Kalshi's demo).
#[rustfmt::skip]
async fn block_1_first_request() -> Result {
    // README block 1
    use kalshi_api::{ops, Client, Environment};

    let client = Client::new(Environment::Demo);
    let page = client.get_markets(ops::GetMarkets::new().limit(5)).await?;
    for market in &page.markets {
        // Prices are exact decimals: "0.5600" stays "0.5600".
        println!("{} bid {} ask {}", market.ticker, market.yes_bid_dollars, market.yes_ask_dollars);
    }
    // end of README block
    Ok(())
}

/// Signed requests (compiled only: a key file and Kalshi's demo).
#[rustfmt::skip]
async fn block_2_signed_requests() -> Result {
    // README block 2
    use kalshi_api::{ops, auth::PrivateKey, Client, Environment};

    // Keys load once, when the client is built: PEM file or text, PKCS#8 or PKCS#1, RSA or Ed25519.
    let key = PrivateKey::from_pem_file("kalshi.key")?;
    let client = Client::builder(Environment::Demo).credentials("your-key-id", key).build()?;
    let balance = client.get_balance(ops::GetBalance::new()).await?;

    // Or from KALSHI_API_KEY_ID, KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY),
    // KALSHI_ENV (prod | demo; default prod) and KALSHI_BASE_URL:
    let client = Client::from_env()?;
    // end of README block
    Ok(())
}

/// A signer that waits (compiled only: Kalshi's demo; `async_signer.rs` runs one against the test
/// exchange). In a module of its own, so that the block's `Result` is the prelude's.
mod block_3 {
    /// A stand-in for a KMS client: its `sign` waits, then answers.
    pub struct Kms;

    impl std::fmt::Debug for Kms {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Kms")
        }
    }

    impl Kms {
        pub async fn sign(&self, _message: &[u8]) -> std::io::Result<String> {
            tokio::task::yield_now().await;
            Err(std::io::Error::other("not a real KMS"))
        }
    }

    #[rustfmt::skip]
    pub async fn block_3_async_signer(kms: Kms) -> std::result::Result<(), Box<dyn std::error::Error>> {
        // README block 3
        use kalshi_api::auth::{AsyncSigner, SignError};
        use kalshi_api::{Client, Environment};

        #[derive(Debug)] // Debug must never show a secret
        struct KmsSigner {
            key_id: String,
            kms: Kms, // your KMS or HSM client
        }

        impl AsyncSigner for KmsSigner {
            fn key_id(&self) -> &str {
                &self.key_id
            }

            // `message` is `timestamp_ms + METHOD + path`; answer the base64 of its RSA-PSS (SHA-256,
            // 32-byte salt) or Ed25519 signature. The future must be `Send`.
            async fn sign(&self, message: &[u8]) -> Result<String, SignError> {
                self.kms.sign(message).await.map_err(|e| SignError(e.to_string()))
            }
        }

        let client = Client::builder(Environment::Demo)
            .async_signer(KmsSigner { key_id: "your-key-id".into(), kms })
            .build()?;
        // end of README block
        Ok(())
    }
}

/// Pages, batches, limits and retries (compiled only: Kalshi's demo; `trading.rs` runs each
/// piece against the test exchange).
#[rustfmt::skip]
async fn block_4_pages_and_batches(key: PrivateKey, orders: Vec<kalshi_api::types::CreateOrderV2Request>) -> Result {
    // README block 4
    use kalshi_api::pagination::TryStreamExt;
    use kalshi_api::{ops, types, Client, Environment, RetryPolicy, Tier};

    // Every request waits for its tokens (costs come from the spec) instead of meeting a 429, and
    // reads are retried on 429, 5xx, timeouts and dropped connections. Both are off unless set.
    let client = Client::builder(Environment::Demo)
        .credentials("your-key-id", key)
        .tier(Tier::Advanced)
        .retry(RetryPolicy::default())
        .build()?;

    // Every market, page after page: stops on an empty cursor, fails on a repeated one.
    let mut markets = client.paginate(ops::GetMarkets::new().limit(1000)).items();
    while let Some(market) = markets.try_next().await? { /* ... */ }

    // Any number of orders, 20 per request; one result per order, in input order.
    let request = ops::BatchCreateOrdersV2::new(types::BatchCreateOrdersV2Request::new(orders));
    for result in client.batch(request).await {
        match result {
            Ok(placed) => { /* placed.order_id */ }
            Err(e) => { /* this order's own error, or the error of the request that carried it */ }
        }
    }
    // end of README block
    Ok(())
}

/// The WebSocket session, from the environment.
#[rustfmt::skip]
async fn block_5_websocket() -> Result {
    // README block 5
    use futures_util::StreamExt;
    use kalshi_api::ws::{Event, ServerMessage, Session, SessionConfig, Subscribe, SubscribeChannelsItem};

    let client = kalshi_api::Client::from_env()?; // the handshake is signed: a key is required
    let (session, mut events) = Session::connect(&client, SessionConfig::default()).await?;
    let book = session
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta])
            .market_tickers(vec!["KXHIGHNY-26JAN01-T60".into()]))
        .await?;
    while let Some(event) = events.next().await {
        match event {
            Event::Message(m) => match m.message {
                ServerMessage::OrderbookSnapshot(s) => println!("{} snapshot", s.market_ticker),
                ServerMessage::OrderbookDelta(d) => println!("{} {} {}", d.market_ticker, d.price_dollars, d.delta_fp),
                other => println!("{other:?}"),
            },
            // The connection's story, in order between the messages.
            Event::Disconnected { reason } => eprintln!("lost: {reason}"),
            Event::Resubscribed { subscription, .. } => eprintln!("{subscription} is back"),
            Event::SequenceGap { sid, expected, received, .. } => eprintln!("sid {sid}: missed {expected}..{received}"),
            other => eprintln!("{other:?}"),
        }
    }
    book.add_markets(&["KXHIGHNY-26JAN01-T65"]).await?; // the handle survives reconnects
    // end of README block
    Ok(())
}

/// The live order book.
#[rustfmt::skip]
async fn block_6_order_book(client: Client) -> Result {
    // README block 6
    use futures_util::StreamExt;
    use kalshi_api::ws::{BookUpdate, OrderBooks, Session, SessionConfig, Side, Subscribe, SubscribeChannelsItem};

    let (session, events) = Session::connect(&client, SessionConfig::default()).await?;
    let tickers = vec!["KXHIGHNY-26JAN01-T60".to_string()];
    let _sub = session
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta]).market_tickers(tickers))
        .await?;
    let (books, mut updates) = OrderBooks::spawn(&session, events, 1024);
    while let Some(update) = updates.next().await {
        if let BookUpdate::Updated { ticker, .. } = update {
            if let Ok(book) = books.get(&ticker) {
                println!("{ticker}: bid {:?} ask {:?}", book.best_bid(Side::Yes), book.best_ask(Side::Yes));
            }
        }
    }
    // end of README block
    Ok(())
}

/// Following an order to its fill; returns what filled.
#[rustfmt::skip]
async fn block_7_following_orders(client: Client, ticker: String, price: FixedPointDollars) -> Result<FixedPointCount> {
    // README block 7
    use futures_util::StreamExt;
    use kalshi_api::ws::{BookUpdate, OrderBooks, OrderTracker, OrderUpdate, Session, SessionConfig, Subscribe, SubscribeChannelsItem, UserOrderStatus};
    use kalshi_api::{ops, types};

    let (session, events) = Session::connect(&client, SessionConfig::default()).await?;
    let _mine = session // your orders and fills, in every market
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::UserOrders, SubscribeChannelsItem::Fill]))
        .await?;
    let _book = session
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta]).market_tickers(vec![ticker.clone()]))
        .await?;
    let (books, mut updates) = OrderBooks::spawn(&session, events, 1024);
    let tracker = OrderTracker::new();
    tokio::spawn({
        let tracker = tracker.clone();
        async move {
            while let Some(update) = updates.next().await {
                if let BookUpdate::Event(event) = update {
                    tracker.handle(&event); // the tracker reads what the books pass on
                }
            }
        }
    });

    // Required fields in `new`, optional ones by chained setters.
    let order = types::CreateOrderV2Request::new(
        &ticker,
        types::BookSide::Bid,
        "1.00".parse()?, // contracts
        price,           // at or above the YES ask, it fills
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    )
    .cancel_order_on_pause(true);
    let placed = client.create_order_v2(ops::CreateOrderV2::new(order)).await?;
    // Follow it by the id the REST answer carries, as is: what the feed sent for it meanwhile was
    // kept, and comes first. (Or `tracker.track("my-id")` before placing with `.client_order_id("my-id")`.)
    let mut followed = tracker.track_order_id(&placed.order_id);
    let mut filled = kalshi_api::money::FixedPointCount::zero();
    while let Some(update) = followed.next().await {
        match update {
            OrderUpdate::Fill(fill) => {
                println!("{}: {} filled at {}", fill.order_id, fill.count_fp, fill.yes_price_dollars);
                filled += fill.count_fp;
            }
            OrderUpdate::Order(state) if state.status != UserOrderStatus::Resting => break,
            _ => {}
        }
    }
    // end of README block
    Ok(filled)
}

/// The live perps order book.
#[cfg(feature = "perps")]
#[rustfmt::skip]
async fn block_8_perps_order_book(client: Client) -> Result {
    // README block 8
    use futures_util::StreamExt;
    use kalshi_api::perps::ws::{BookUpdate, Session, Subscribe, SubscribeChannelsItem};
    use kalshi_api::ws::{OrderBooks, SessionConfig};

    let (session, events) = Session::connect_to(&client, client.margin_ws_url(), SessionConfig::default()).await?;
    let tickers = vec!["KXBTCPERP".to_string()];
    let _sub = session
        .subscribe(&Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta]).market_tickers(tickers))
        .await?;
    let (books, mut updates) = OrderBooks::spawn(&session, events, 1024);
    while let Some(update) = updates.next().await {
        if let BookUpdate::Updated { ticker, .. } = update {
            if let Ok(book) = books.get(&ticker) {
                println!("{ticker}: bid {:?} ask {:?} spread {:?}", book.best_bid(), book.best_ask(), book.spread());
            }
        }
    }
    // end of README block
    Ok(())
}

/// Logging: a fmt subscriber filtered by `RUST_LOG`.
#[rustfmt::skip]
fn block_9_tracing() -> Result {
    // README block 9
    use tracing_subscriber::EnvFilter;

    // RUST_LOG=kalshi_api=debug shows each request's span; without RUST_LOG, kalshi_api=info.
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("kalshi_api=info")))
        .init();
    // end of README block
    Ok(())
}

/// A test exchange with one Ed25519 key, and a client signing with it; the same client through
/// `Client::from_env` (the variables are set for this test binary).
async fn exchange() -> (TestExchange, Client) {
    let key = ed25519_key();
    let exchange = TestExchange::start(
        Config::new()
            .key(KEY_ID, ed25519_public(&key))
            .ws_interval(Duration::from_millis(5)),
    )
    .await
    .unwrap();
    let pem = ed25519_pkcs8_pem(&key);
    std::env::set_var("KALSHI_BASE_URL", exchange.base_url());
    std::env::set_var("KALSHI_API_KEY_ID", KEY_ID);
    std::env::set_var("KALSHI_PRIVATE_KEY", &pem);
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(KEY_ID, PrivateKey::from_pem(&pem).unwrap())
        .build()
        .unwrap();
    (exchange, client)
}

/// Runs `block` for `seconds`: it must still be running (streaming) then, not have failed.
async fn runs_for<F: std::future::Future<Output = Result>>(name: &str, seconds: u64, block: F) {
    match tokio::time::timeout(Duration::from_secs(seconds), block).await {
        Err(_) => {}
        Ok(Ok(())) => panic!("{name} ended before its stream did"),
        Ok(Err(e)) => panic!("{name} failed: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_runnable_blocks_run_against_the_test_exchange() {
    let (exchange, client) = exchange().await;
    // The WebSocket and order book blocks stream until the session ends for good, which the
    // default configuration (reconnect forever) never does: they must stream without error.
    runs_for("block 5 (WebSocket)", 2, block_5_websocket()).await;
    runs_for(
        "block 6 (order book)",
        2,
        block_6_order_book(client.clone()),
    )
    .await;
    // A YES bid at 0.99 crosses the NO bids of the seeded book: the order fills.
    exchange.ws_pause_feed(true);
    let ticker = exchange.market_tickers()[0].clone();
    let price: FixedPointDollars = "0.99".parse().unwrap();
    let filled = tokio::time::timeout(
        Duration::from_secs(30),
        block_7_following_orders(client.clone(), ticker, price),
    )
    .await
    .expect("the order reaches a final state")
    .unwrap();
    assert_eq!(filled.to_string(), "1.00");
    #[cfg(feature = "perps")]
    runs_for(
        "block 8 (perps order book)",
        2,
        block_8_perps_order_book(client.clone()),
    )
    .await;
    block_9_tracing().unwrap();
    tracing::info!(target: "kalshi_api", "the block's subscriber is installed");
}

//! Live order books and order tracking against the test exchange: books built from snapshots and
//! deltas equal the exchange's authoritative books at every quiet point, whatever faults are
//! injected; a stale book is never readable; your orders' updates and fills are routed to them.

mod common;

#[path = "../examples/ws_orderbook.rs"]
#[allow(dead_code)]
mod example;

#[path = "../examples/ws_orders.rs"]
#[allow(dead_code)]
mod orders_example;

use common::*;
use futures_util::StreamExt;
use kalshi_api::backoff::Backoff;
use kalshi_api::ops;
use kalshi_api::types;
use kalshi_api::ws::{
    BookError, BookEvents, BookKeeper, BookStatus, BookUpdate, Event, OrderBook, OrderBooks,
    OrderTracker, OrderUpdate, Received, ServerMessage, Session, SessionConfig, Side, StaleReason,
    Subscribe, SubscribeChannelsItem, Subscription,
};
use kalshi_api::{Client, Environment};
use kalshi_test_exchange::{Config, TestExchange};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;

async fn setup(markets: usize, seed: u64) -> (TestExchange, Client) {
    let key = ed25519_key();
    let exchange = TestExchange::start(
        Config::new()
            .key(KEY_ID, ed25519_public(&key))
            .market_count(markets)
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

fn book_sub(tickers: &[String]) -> Subscribe {
    Subscribe::new(vec![SubscribeChannelsItem::OrderbookDelta]).market_tickers(tickers.to_vec())
}

/// The client's book as the exchange writes its levels.
fn levels(book: &OrderBook, side: Side) -> Vec<(String, String)> {
    book.bids(side)
        .map(|l| (l.price.to_string(), l.size.to_string()))
        .collect()
}

fn equals_exchange(exchange: &TestExchange, book: &OrderBook) -> bool {
    let (yes, no) = exchange.order_book(book.ticker()).unwrap();
    levels(book, Side::Yes) == yes && levels(book, Side::No) == no
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

/// Reads updates until `done`, failing after `within`; returns them.
async fn until(
    rx: &mut mpsc::UnboundedReceiver<BookUpdate>,
    within: Duration,
    mut done: impl FnMut(&BookUpdate) -> bool,
) -> Vec<BookUpdate> {
    let deadline = tokio::time::Instant::now() + within;
    let mut seen = Vec::new();
    loop {
        let u = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "timed out after {} updates; last: {:?}",
                    seen.len(),
                    seen.iter().rev().take(5).collect::<Vec<_>>()
                )
            })
            .expect("updates ended");
        let stop = done(&u);
        seen.push(u);
        if stop {
            return seen;
        }
    }
}

/// A barrier: subscribes to `ticker` on the `ticker` channel with its initial snapshot. The
/// exchange delivers everything it published before that frame, so once the keeper passes it
/// on, it has seen every frame sent before. Returns the updates read meanwhile.
async fn barrier(
    session: &Session,
    rx: &mut mpsc::UnboundedReceiver<BookUpdate>,
    ticker: &str,
) -> Vec<BookUpdate> {
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
    let seen = until(rx, Duration::from_secs(20), |u| {
        matches!(u, BookUpdate::Event(Event::Message(r)) if matches!(&r.message, ServerMessage::Ticker(t) if t.market_ticker == ticker))
    })
    .await;
    let _ = sub.unsubscribe().await;
    seen
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_equal_the_exchange_at_every_quiet_point_through_10000_deltas_and_faults() {
    const MARKETS: usize = 5;
    const DELTAS: usize = 10_000;
    const ROUNDS: usize = 40;
    let (exchange, client) = setup(MARKETS + 1, 11).await;
    // The scripted feed stays paused: the seeded order flow is the only activity, so every point
    // between two flows is quiet.
    exchange.ws_pause_feed(true);
    let all = exchange.market_tickers();
    let markets: Vec<String> = all[..MARKETS].to_vec();
    let sentinel = all[MARKETS].clone();
    let (session, events) = Session::connect(&client, fast()).await.unwrap();
    let sub = session.subscribe(&book_sub(&markets)).await.unwrap();
    let (books, updates) = OrderBooks::spawn(&session, events, 1024);
    let mut rx = drain(updates);
    let mut rng = fastrand::Rng::with_seed(0xb00c);
    let mut f = Figures::default();

    let check = |f: &mut Figures, seen: &[BookUpdate]| -> bool {
        let _ = seen;
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
        // A bad delta on the subscription's current sid (decodes to nothing: the keeper marks
        // the books stale and asks for snapshots itself).
        let sid = session
            .list_subscriptions()
            .await
            .ok()
            .and_then(|l| l.into_iter().find(|(c, _)| c == "orderbook_delta"))
            .map(|(_, sid)| sid);
        let target = round * n + n / 2;
        while f.published < target {
            f.published += exchange.ws_order_flow(&markets, target - f.published);
        }
        // Faults land while the flow is being delivered.
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
                6..=7 => {
                    exchange.ws_send_malformed();
                    f.malformed += 1;
                }
                8 => {
                    if let Some(sid) = sid {
                        exchange.ws_send_text(&format!(
                            r#"{{"type":"orderbook_delta","sid":{sid},"msg":{{"market_ticker":"{}","price_dollars":0.5,"delta_fp":"1.00","side":"yes"}}}}"#,
                            markets[0]
                        ));
                        f.bad_deltas += 1;
                    }
                }
                _ => {
                    exchange.ws_drop_connections();
                    f.drops += 1;
                }
            }
        }
        let target = (round + 1) * n;
        while f.published < target {
            f.published += exchange.ws_order_flow(&markets, target - f.published);
        }
        if round % 4 == 3 || round == ROUNDS - 1 {
            // A quiet point: nothing more is published until every book is valid again.
            f.quiet_points += 1;
            let mut tries = 0;
            loop {
                let seen = barrier(&session, &mut rx, &sentinel).await;
                if check(&mut f, &seen) {
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
            // Drain what is there, without waiting.
            while rx.try_recv().is_ok() {}
        }
    }
    let stats = books.stats();
    println!(
        "order books: {} deltas published, {} applied, {} discarded; {} snapshots, {} resyncs; \
         gaps {}, repeats {}, disconnects {}, invalid {}, keeper snapshot requests {}; \
         injected: {} skips, {} repeats, {} drops, {} malformed, {} bad deltas; \
         {} quiet points, {} checks, mismatches: {}",
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
    for t in &markets {
        assert_eq!(books.status(t), Some(BookStatus::Valid));
    }
    drop(sub);
    session.close().await;
}

/// Feeds a keeper by hand.
fn message(
    sub: Option<kalshi_api::ws::SubscriptionId>,
    seq: u64,
    frame: &str,
) -> Event<ServerMessage> {
    let frame = bytes::Bytes::from(frame.to_string());
    let mut received: Received<ServerMessage> = kalshi_api::ws::decode_frame(&frame).unwrap();
    received.subscription = sub;
    received.seq = Some(seq);
    Event::Message(received)
}

#[test]
fn a_delta_before_its_snapshot_is_discarded_and_levels_at_zero_or_below_go() {
    let mut keeper = BookKeeper::new();
    let books = keeper.books();
    let mut out = Vec::new();
    let delta = |price: &str, delta: &str, side: &str| {
        format!(
            r#"{{"type":"orderbook_delta","sid":1,"seq":1,"msg":{{"market_ticker":"M","price_dollars":"{price}","delta_fp":"{delta}","side":"{side}","client_order_id":"mine","subaccount":2}}}}"#
        )
    };
    keeper.handle(message(None, 1, &delta("0.4200", "5.00", "yes")), &mut out);
    assert_eq!(books.stats().deltas_discarded, 1);
    assert!(matches!(
        books.get("M"),
        Err(BookError::Stale {
            reason: StaleReason::AwaitingSnapshot,
            ..
        })
    ));
    // Sizes and prices as Kalshi writes them; the NO side absent means empty.
    keeper.handle(
        message(
            None,
            2,
            r#"{"type":"orderbook_snapshot","sid":1,"seq":2,"msg":{"market_ticker":"M","yes_dollars_fp":[["0.0800","300.00"],["0.4200","10.00"],["0.4300","0.00"]]}}"#,
        ),
        &mut out,
    );
    assert!(matches!(out.last(), Some(BookUpdate::Ready { ticker }) if ticker == "M"));
    let book = books.get("M").unwrap();
    assert_eq!(
        levels(&book, Side::Yes),
        [
            ("0.4200".into(), "10.00".into()),
            ("0.0800".into(), "300.00".into())
        ]
    );
    assert!(levels(&book, Side::No).is_empty());
    assert_eq!(book.best_ask(Side::Yes), None);
    assert_eq!(book.spread(), None);

    keeper.handle(message(None, 3, &delta("0.5500", "7.50", "no")), &mut out);
    match out.last() {
        Some(BookUpdate::Updated {
            client_order_id,
            subaccount,
            side,
            ..
        }) => {
            assert_eq!(client_order_id.as_deref(), Some("mine"));
            assert_eq!(*subaccount, Some(2));
            assert_eq!(*side, Side::No);
        }
        other => panic!("{other:?}"),
    }
    let book = books.get("M").unwrap();
    let ask = book.best_ask(Side::Yes).unwrap();
    assert_eq!(
        (ask.price.to_string(), ask.size.to_string()),
        ("0.4500".into(), "7.50".into())
    );
    assert_eq!(book.spread().unwrap().to_string(), "0.0300");
    assert_eq!(book.best_ask(Side::No).unwrap().price.to_string(), "0.5800");
    // Below zero: gone.
    keeper.handle(
        message(None, 4, &delta("0.4200", "-12.00", "yes")),
        &mut out,
    );
    let book = books.get("M").unwrap();
    assert_eq!(book.depth(Side::Yes, 5).len(), 1);
    assert_eq!(
        book.best_bid(Side::Yes).unwrap().price.to_string(),
        "0.0800"
    );
    assert_eq!(books.stats().deltas_applied, 2);

    // No longer followed: unreadable until a snapshot comes again.
    books.unfollow(&["M"]);
    assert!(matches!(
        books.get("M"),
        Err(BookError::Stale {
            reason: StaleReason::Unfollowed,
            ..
        })
    ));
    keeper.handle(
        message(
            None,
            5,
            r#"{"type":"orderbook_snapshot","sid":1,"seq":5,"msg":{"market_ticker":"M"}}"#,
        ),
        &mut out,
    );
    let book = books.get("M").unwrap();
    assert_eq!((book.levels(Side::Yes), book.levels(Side::No)), (0, 0));
    assert!(matches!(books.get("N"), Err(BookError::Unknown(_))));
}

#[test]
fn a_delta_with_an_unknown_side_makes_its_book_stale() {
    let mut keeper = BookKeeper::new();
    let books = keeper.books();
    let mut out = Vec::new();
    keeper.handle(
        message(
            None,
            1,
            r#"{"type":"orderbook_snapshot","sid":1,"seq":1,"msg":{"market_ticker":"M","yes_dollars_fp":[["0.4200","10.00"]]}}"#,
        ),
        &mut out,
    );
    assert_eq!(books.status("M"), Some(BookStatus::Valid));
    keeper.handle(
        message(
            None,
            2,
            r#"{"type":"orderbook_delta","sid":1,"seq":2,"msg":{"market_ticker":"M","price_dollars":"0.4200","delta_fp":"1.00","side":"maybe"}}"#,
        ),
        &mut out,
    );
    let reason = StaleReason::Invalid("unknown book side \"maybe\"".into());
    assert!(
        matches!(out.last(), Some(BookUpdate::Stale { ticker, reason: r }) if ticker == "M" && *r == reason),
        "{out:?}"
    );
    assert_eq!(books.status("M"), Some(BookStatus::Stale(reason)));
    assert_eq!(
        (books.stats().invalid, books.stats().deltas_applied),
        (1, 0)
    );
}

async fn two_subscriptions(
    exchange: &TestExchange,
    client: &Client,
) -> (
    Session,
    Subscription,
    Subscription,
    OrderBooks,
    mpsc::UnboundedReceiver<BookUpdate>,
    Vec<String>,
    Vec<String>,
) {
    exchange.ws_pause_feed(true);
    let all = exchange.market_tickers();
    let (a, b) = (all[..3].to_vec(), all[3..5].to_vec());
    let (session, events) = Session::connect(client, fast()).await.unwrap();
    let sub_a = session.subscribe(&book_sub(&a)).await.unwrap();
    let sub_b = session.subscribe(&book_sub(&b)).await.unwrap();
    let (books, updates) = OrderBooks::spawn(&session, events, 256);
    let mut rx = drain(updates);
    let mut ready = 0;
    until(&mut rx, Duration::from_secs(10), |u| {
        ready += usize::from(matches!(u, BookUpdate::Ready { .. }));
        ready == 5
    })
    .await;
    (session, sub_a, sub_b, books, rx, a, b)
}

fn count(seen: &[BookUpdate]) -> BTreeMap<String, (usize, usize)> {
    let mut by = BTreeMap::<String, (usize, usize)>::new();
    for u in seen {
        match u {
            BookUpdate::Stale { ticker, .. } => by.entry(ticker.clone()).or_default().0 += 1,
            BookUpdate::Resynced { ticker } => by.entry(ticker.clone()).or_default().1 += 1,
            _ => {}
        }
    }
    by
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_resyncs_the_markets_of_its_subscription_exactly_once() {
    let (exchange, client) = setup(6, 5).await;
    let (session, _a, _b, books, mut rx, a, b) = two_subscriptions(&exchange, &client).await;
    let sentinel = exchange.market_tickers()[5].clone();
    exchange.ws_order_flow(&a, 50);
    exchange.ws_skip_seq();
    // Only the first subscription publishes after the skip: only its books are affected. (The
    // exchange applies the skip to the frame after the one it is sending when the skip arrives,
    // which may be past everything published so far: publish until the gap shows.)
    for _ in 0..500 {
        exchange.ws_order_flow(&a, 5);
        if books.stats().gaps > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut seen = Vec::new();
    loop {
        seen.extend(barrier(&session, &mut rx, &sentinel).await);
        if a.iter()
            .chain(&b)
            .all(|t| books.status(t) == Some(BookStatus::Valid))
        {
            break;
        }
    }
    // The keeper marks a book valid before its update is read: one more barrier reads them all.
    seen.extend(barrier(&session, &mut rx, &sentinel).await);
    let by = count(&seen);
    for t in &a {
        assert_eq!(
            by.get(t),
            Some(&(1, 1)),
            "{t}: one stale, one resync; {:?}; {:?}",
            books.stats(),
            seen.iter()
                .filter(|u| !matches!(u, BookUpdate::Updated { .. }))
                .collect::<Vec<_>>()
        );
        assert!(equals_exchange(&exchange, &books.get(t).unwrap()));
    }
    for t in &b {
        assert_eq!(by.get(t), None, "{t} untouched");
        assert!(equals_exchange(&exchange, &books.get(t).unwrap()));
    }
    assert_eq!(books.stats().gaps, 1);
    assert_eq!(books.stats().resyncs, 3);
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reconnect_rebuilds_every_book() {
    let (exchange, client) = setup(6, 6).await;
    let (session, _a, _b, books, mut rx, a, b) = two_subscriptions(&exchange, &client).await;
    let sentinel = exchange.market_tickers()[5].clone();
    let every: Vec<String> = a.iter().chain(&b).cloned().collect();
    exchange.ws_order_flow(&every, 200);
    exchange.ws_drop_connections();
    let mut seen = until(&mut rx, Duration::from_secs(10), |u| {
        matches!(u, BookUpdate::Event(Event::Disconnected { .. }))
    })
    .await;
    // At once, every book is marked stale, before the disconnection is passed on.
    for t in &every {
        assert!(
            seen.iter().any(|u| matches!(u, BookUpdate::Stale { ticker, reason: StaleReason::Disconnected } if ticker == t)),
            "{t}"
        );
    }
    exchange.ws_order_flow(&every, 200);
    loop {
        seen.extend(barrier(&session, &mut rx, &sentinel).await);
        if every
            .iter()
            .all(|t| books.status(t) == Some(BookStatus::Valid))
        {
            break;
        }
    }
    seen.extend(barrier(&session, &mut rx, &sentinel).await);
    let by = count(&seen);
    for t in &every {
        assert_eq!(by.get(t), Some(&(1, 1)), "{t}");
        assert!(equals_exchange(&exchange, &books.get(t).unwrap()), "{t}");
    }
    assert_eq!(books.stats().disconnects, 1);
    session.close().await;
}

/// Removing a market from its subscription, or ending the subscription, marks the books it fed
/// stale at once (they would otherwise look valid with no more deltas coming), and leaves the
/// other subscription's books valid.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_markets_and_ended_subscriptions_are_no_longer_valid() {
    let (exchange, client) = setup(6, 12).await;
    let (session, sub_a, sub_b, books, mut rx, a, b) = two_subscriptions(&exchange, &client).await;
    exchange.ws_pause_feed(false);
    sub_a.remove_markets(&a[..1]).await.unwrap();
    let seen = until(&mut rx, Duration::from_secs(10), |u| {
        matches!(u, BookUpdate::Event(Event::MarketsRemoved { .. }))
    })
    .await;
    assert!(
        seen.iter().any(|u| matches!(u, BookUpdate::Stale { ticker, reason: StaleReason::Unfollowed } if *ticker == a[0])),
        "{seen:?}"
    );
    assert!(matches!(
        books.get(&a[0]),
        Err(BookError::Stale {
            reason: StaleReason::Unfollowed,
            ..
        })
    ));
    for t in a[1..].iter().chain(&b) {
        assert_eq!(books.status(t), Some(BookStatus::Valid), "{t}");
    }
    sub_b.unsubscribe().await.unwrap();
    let seen = until(&mut rx, Duration::from_secs(10), |u| {
        matches!(u, BookUpdate::Event(Event::Unsubscribed { .. }))
    })
    .await;
    for t in &b {
        assert!(
            seen.iter().any(|u| matches!(u, BookUpdate::Stale { ticker, reason: StaleReason::Unfollowed } if ticker == t)),
            "{t}: {seen:?}"
        );
        assert!(books.get(t).is_err(), "{t}");
    }
    for t in &a[1..] {
        assert_eq!(books.status(t), Some(BookStatus::Valid), "{t}");
    }
    // Adding the market back brings a snapshot, and the book is valid again.
    sub_a.add_markets(&a[..1]).await.unwrap();
    until(
        &mut rx,
        Duration::from_secs(10),
        |u| matches!(u, BookUpdate::Resynced { ticker } if *ticker == a[0]),
    )
    .await;
    assert!(books.get(&a[0]).is_ok());
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_orders_placed_over_rest_get_their_updates_and_fills() {
    let (exchange, client) = setup(3, 9).await;
    exchange.ws_pause_feed(true);
    let ticker = exchange.market_tickers()[0].clone();
    let (session, events) = Session::connect(&client, fast()).await.unwrap();
    let _private = session
        .subscribe(&Subscribe::new(vec![
            SubscribeChannelsItem::UserOrders,
            SubscribeChannelsItem::Fill,
        ]))
        .await
        .unwrap();
    let _book = session
        .subscribe(&book_sub(std::slice::from_ref(&ticker)))
        .await
        .unwrap();
    let (books, updates) = OrderBooks::spawn(&session, events, 256);
    let tracker = OrderTracker::new();
    let (own_tx, mut own_rx) = mpsc::unbounded_channel();
    tokio::spawn({
        let tracker = tracker.clone();
        let mut updates = updates;
        async move {
            while let Some(u) = updates.next().await {
                match &u {
                    BookUpdate::Event(e) => {
                        tracker.handle(e);
                    }
                    BookUpdate::Updated {
                        client_order_id: Some(id),
                        ..
                    } => {
                        let _ = own_tx.send(id.clone());
                    }
                    _ => {}
                }
            }
        }
    });
    while books.get(&ticker).is_err() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let mut placed = Vec::new();
    for i in 0..20 {
        let (yes, no) = exchange.order_book(&ticker).unwrap();
        let best_yes: kalshi_api::money::FixedPointDollars = yes[0].0.parse().unwrap();
        let best_no: kalshi_api::money::FixedPointDollars = no[0].0.parse().unwrap();
        // Even orders cross (a YES bid at the YES ask: fills), odd ones rest a cent below the bid.
        let price = if i % 2 == 0 {
            kalshi_api::money::FixedPointDollars::new(1, 0) - best_no
        } else {
            best_yes - "0.01".parse().unwrap()
        };
        let id = format!("bot-{i}");
        let mut updates = tracker.track(&id);
        let mut order = types::CreateOrderV2Request::new(
            &ticker,
            types::BookSide::Bid,
            "2.50".parse().unwrap(),
            price,
            types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
            types::SelfTradePreventionType::TakerAtCross,
        );
        order.client_order_id = Some(id.clone());
        let answer = client
            .create_order_v2(ops::CreateOrderV2::new(order))
            .await
            .unwrap();
        // Its fills first, then its state.
        let mut filled = kalshi_api::money::FixedPointCount::zero();
        let state = loop {
            let u = tokio::time::timeout(Duration::from_secs(10), updates.next())
                .await
                .unwrap_or_else(|_| panic!("{id}: no update"))
                .unwrap();
            assert_eq!(u.order_id(), &answer.order_id, "{id}");
            match u {
                OrderUpdate::Fill(fill) => {
                    assert_eq!(fill.client_order_id.as_deref(), Some(id.as_str()));
                    filled += fill.count_fp;
                }
                OrderUpdate::Order(order) => break order,
                other => panic!("{other:?}"),
            }
        };
        assert_eq!(state.client_order_id, id);
        assert_eq!(state.fill_count_fp, answer.fill_count, "{id}");
        assert_eq!(filled, answer.fill_count, "{id}: fills add up");
        assert_eq!(state.initial_count_fp.to_string(), "2.50");
        if i % 2 == 0 {
            assert!(!filled.is_zero(), "{id} crossed");
        }
        placed.push(id);
    }
    // The book deltas your orders caused carry their client_order_id.
    let mut own = std::collections::BTreeSet::new();
    while own.len() < placed.len() {
        let id = tokio::time::timeout(Duration::from_secs(10), own_rx.recv())
            .await
            .expect("own deltas")
            .unwrap();
        own.insert(id);
    }
    assert!(placed.iter().all(|id| own.contains(id)));
    assert!(equals_exchange(&exchange, &books.get(&ticker).unwrap()));
    session.close().await;
}

/// When the session cannot reconnect (the exchange refuses the handshake and no retry is
/// allowed), it ends for good: the example prints the books as last seen valid, marked stale
/// (they were not rebuilt).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_prints_the_last_books_when_the_session_ends_for_good() {
    let (exchange, client) = setup(3, 4).await;
    let tickers = exchange.market_tickers();
    let mut out = Vec::new();
    let mut log = Vec::new();
    let config = fast().max_reconnect_attempts(Some(0));
    let run = example::run(
        &client,
        &tickers,
        Some(60),
        config,
        std::future::pending(),
        &mut out,
        &mut log,
    );
    let drive = async {
        // Let the scripted feed run, then go quiet, let it arrive, and close.
        while exchange.ws_connections() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        exchange.ws_order_flow(&tickers, 300);
        exchange.ws_pause_feed(true);
        tokio::time::sleep(Duration::from_millis(500)).await;
        exchange.ws_fail_handshakes(10, 503);
        exchange.ws_drop_connections();
    };
    let (result, ()) = tokio::join!(run, drive);
    result.unwrap();
    let out = String::from_utf8(out).unwrap();
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), tickers.len(), "{out}");
    for (line, ticker) in lines.iter().zip(&tickers) {
        let (yes, no) = exchange.order_book(ticker).unwrap();
        let side = |v: &serde_json::Value| -> Vec<(String, String)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| (l[0].as_str().unwrap().into(), l[1].as_str().unwrap().into()))
                .collect()
        };
        assert_eq!(line["ticker"], ticker.as_str());
        assert_eq!(side(&line["yes"]), yes, "{ticker}");
        assert_eq!(side(&line["no"]), no, "{ticker}");
        assert_eq!(line["stale"], true, "{ticker}: not rebuilt after the loss");
    }
    assert!(!log.is_empty());
}

/// Waits (at most 10 s) until the session has made `handshakes` handshakes and one connection
/// is live: a reconnect has completed.
async fn reconnected(exchange: &TestExchange, handshakes: usize) {
    tokio::time::timeout(Duration::from_secs(10), async {
        while exchange.ws_handshake_attempts() < handshakes || exchange.ws_connections() != 1 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no connection #{handshakes}"));
}

/// Issue 19: the example follows the books through lost connections until its seconds pass (the
/// session reconnects and rebuilds each book by itself), and the lines it prints at the end are
/// the exchange's books as they are then, none stale, although the books moved between losses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_follows_the_books_through_lost_connections_until_its_seconds_pass() {
    let (exchange, client) = setup(3, 5).await;
    let tickers = exchange.market_tickers();
    let mut out = Vec::new();
    let mut log = Vec::new();
    let started = tokio::time::Instant::now();
    let run = example::run(
        &client,
        &tickers,
        Some(6),
        fast(),
        std::future::pending(),
        &mut out,
        &mut log,
    );
    let drive = async {
        reconnected(&exchange, 1).await;
        for connection in 2..=3 {
            tokio::time::sleep(Duration::from_millis(300)).await;
            exchange.ws_order_flow(&tickers, 200);
            tokio::time::sleep(Duration::from_millis(200)).await;
            exchange.ws_drop_connections();
            reconnected(&exchange, connection).await;
        }
        // The books move on the third connection too, then go quiet before the seconds pass.
        tokio::time::sleep(Duration::from_millis(300)).await;
        exchange.ws_order_flow(&tickers, 200);
        exchange.ws_pause_feed(true);
    };
    let (result, ()) = tokio::join!(run, drive);
    result.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(6),
        "it ran its seconds"
    );
    let out = String::from_utf8(out).unwrap();
    let log = String::from_utf8(log).unwrap();
    assert_eq!(log.matches("connection lost").count(), 2, "{log}");
    assert_eq!(log.matches("reconnected").count(), 2, "{log}");
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), tickers.len(), "{out}");
    for (line, ticker) in lines.iter().zip(&tickers) {
        let (yes, no) = exchange.order_book(ticker).unwrap();
        let side = |v: &serde_json::Value| -> Vec<(String, String)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| (l[0].as_str().unwrap().into(), l[1].as_str().unwrap().into()))
                .collect()
        };
        assert_eq!(line["ticker"], ticker.as_str());
        assert_eq!(side(&line["yes"]), yes, "{ticker}");
        assert_eq!(side(&line["no"]), no, "{ticker}");
        assert!(line.get("stale").is_none(), "{ticker} was rebuilt: {line}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ws_orders_example_follows_its_order_to_a_fill() {
    let (exchange, client) = setup(3, 11).await;
    // No scripted activity: the order's fill is the only trade.
    exchange.ws_pause_feed(true);
    let ticker = exchange.market_tickers()[0].clone();
    let mut out = Vec::new();
    let count: kalshi_api::money::FixedPointCount = "1.00".parse().unwrap();
    let followed = orders_example::run(
        &client,
        &ticker,
        count,
        fast().max_reconnect_attempts(Some(0)),
        &mut out,
    )
    .await
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    // The fills reached the tracker, for the whole order, at prices no worse than the ask it bid.
    assert!(!followed.fills.is_empty(), "{out}");
    let filled: kalshi_api::money::FixedPointCount = followed.fills.iter().map(|(_, n)| *n).sum();
    assert!(
        !followed.count.is_zero() && followed.count <= count,
        "{out}"
    );
    assert_eq!(filled, followed.count, "{out}");
    assert!(
        followed.fills.iter().all(|(p, _)| *p <= followed.price),
        "{out}"
    );
    assert_eq!(
        followed.status,
        kalshi_api::ws::UserOrderStatus::Executed,
        "{out}"
    );
    assert!(
        out.contains(&format!("placed {}", followed.order_id)),
        "{out}"
    );
    assert!(out.contains("fill: "), "{out}");
}

#[test]
fn a_level_prints_its_size_at_its_price_as_the_exchange_writes_them() {
    let level = kalshi_api::ws::Level {
        price: "0.4200".parse().unwrap(),
        size: "12.00".parse().unwrap(),
    };
    assert_eq!(level.to_string(), "12.00 @ 0.4200");
}

fn frame(text: &str) -> ServerMessage {
    kalshi_api::ws::decode_frame::<ServerMessage>(&bytes::Bytes::from(text.to_string()))
        .unwrap_or_else(|e| panic!("{e}: {text}"))
        .message
}

#[test]
fn private_streams_are_typed_with_exact_money() {
    let fill = frame(
        r#"{"type":"fill","sid":13,"msg":{"trade_id":"d91bc706-ee49-470d-82d8-11418bda6fed","order_id":"ee587a1c-8b87-4dcf-b721-9f6f790619fa","client_order_id":"bot-1","market_ticker":"HIGHNY-22DEC23-B53.5","is_taker":true,"side":"yes","yes_price_dollars":"0.7500","count_fp":"278.50","fee_cost":"0.0150","action":"buy","ts":1671899397,"ts_ms":1671899397000,"post_position_fp":"500.00","purchased_side":"yes","outcome_side":"yes","book_side":"bid","subaccount":3}}"#,
    );
    let ServerMessage::Fill(fill) = fill else {
        panic!("{fill:?}")
    };
    assert_eq!(fill.yes_price_dollars.to_centi_cents(), Some(7500));
    assert_eq!(fill.count_fp.to_hundredths(), Some(27850));
    assert_eq!(fill.post_position_fp.to_string(), "500.00");
    assert_eq!(fill.client_order_id.as_deref(), Some("bot-1"));
    assert_eq!(fill.subaccount, Some(3));

    let position = frame(
        r#"{"type":"market_position","sid":14,"msg":{"user_id":"user123","market_ticker":"FED-23DEC-T3.00","position_fp":"-100.00","position_cost_dollars":"50.0000","realized_pnl_dollars":"-0.1000","fees_paid_dollars":"1.0000","position_fee_cost_dollars":"0.5000","volume_fp":"15.00"}}"#,
    );
    let ServerMessage::MarketPosition(p) = position else {
        panic!("{position:?}")
    };
    assert_eq!(p.position_fp.to_string(), "-100.00");
    assert!(p.realized_pnl_dollars.is_negative());
    assert_eq!(p.volume_fp.to_hundredths(), Some(1500));

    let group = frame(
        r#"{"type":"order_group_updates","sid":15,"seq":7,"msg":{"event_type":"limit_updated","order_group_id":"og_123","contracts_limit_fp":"150.00","ts_ms":1705328200000}}"#,
    );
    let ServerMessage::OrderGroupUpdates(g) = group else {
        panic!("{group:?}")
    };
    assert_eq!(g.contracts_limit_fp.unwrap().to_string(), "150.00");
    assert_eq!(g.order_group_id, "og_123");

    let order = frame(
        r#"{"type":"user_order","sid":16,"msg":{"order_id":"ee587a1c-8b87-4dcf-b721-9f6f790619fa","user_id":"0f5f2a4c-9f67-4a8a-93ad-6a9f3b8f1e42","ticker":"FED-23DEC-T3.00","status":"resting","side":"yes","is_yes":true,"outcome_side":"yes","book_side":"bid","yes_price_dollars":"0.3500","fill_count_fp":"0.50","remaining_count_fp":"9.50","initial_count_fp":"10.00","taker_fill_cost_dollars":"0.175000","maker_fill_cost_dollars":"0.000000","taker_fees_dollars":"0.010000","maker_fees_dollars":"0.000000","client_order_id":"bot-1"}}"#,
    );
    let ServerMessage::UserOrder(o) = order else {
        panic!("{order:?}")
    };
    assert_eq!(o.taker_fill_cost_dollars.to_string(), "0.175000");
    assert_eq!(o.fill_count_fp + o.remaining_count_fp, o.initial_count_fp);

    // A float where Kalshi writes a decimal string is refused, not rounded.
    let bad = kalshi_api::ws::decode_frame::<ServerMessage>(&bytes::Bytes::from_static(
        br#"{"type":"fill","sid":13,"msg":{"count_fp":278.5}}"#,
    ));
    assert!(bad.is_err());
}

#[test]
fn the_tracker_matches_by_client_order_id_and_by_order_id() {
    let tracker = OrderTracker::new();
    let mut one = tracker.track("bot-1");
    let order_id = "ee587a1c-8b87-4dcf-b721-9f6f790619fa";
    let fill = |client: &str| {
        frame(&format!(
            r#"{{"type":"fill","sid":1,"msg":{{"order_id":"{order_id}",{client}"count_fp":"1.00","yes_price_dollars":"0.5000"}}}}"#
        ))
    };
    // A fill without client_order_id before the order id is known waits for it.
    assert!(!tracker.handle_message(&fill("")));
    let state = frame(&format!(
        r#"{{"type":"user_order","sid":2,"msg":{{"order_id":"{order_id}","client_order_id":"bot-1","status":"resting"}}}}"#
    ));
    assert!(tracker.handle_message(&state));
    assert!(matches!(one.try_next(), Some(OrderUpdate::Fill(_))));
    assert!(matches!(one.try_next(), Some(OrderUpdate::Order(_))));
    // Now the order id alone is enough.
    assert!(tracker.handle_message(&fill("")));
    assert!(tracker.handle_message(&fill(r#""client_order_id":"bot-1","#)));
    assert!(matches!(one.try_next(), Some(OrderUpdate::Fill(_))));
    assert!(matches!(one.try_next(), Some(OrderUpdate::Fill(_))));
    assert!(one.try_next().is_none());
    // Someone else's order is not matched.
    assert!(!tracker.handle_message(&frame(
        r#"{"type":"fill","sid":1,"msg":{"order_id":"00000000-0000-4000-8000-000000000009","client_order_id":"other"}}"#
    )));
    tracker.untrack("bot-1");
    assert!(!tracker.handle_message(&fill("")));
}

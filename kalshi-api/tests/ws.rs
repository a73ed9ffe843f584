//! The WebSocket session against the test exchange's WebSocket endpoint: reconnects, sequence
//! gaps, bad frames, liveness, slow consumers and refused keys, each observed as a user sees them.

mod common;

use common::*;
use futures_util::StreamExt;
use kalshi_api::backoff::Backoff;
use kalshi_api::ws::protocol::ErrorCodeKind as _;
use kalshi_api::ws::{
    Channel, Delivery, ErrorCode, Event, Events, ServerMessage, Session, SessionConfig, Subscribe,
    SubscribeChannelsItem, SubscriptionId, WsError,
};
use kalshi_api::{Client, Environment, Error};
use kalshi_test_exchange::{Config, TestExchange};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const MARKETS: usize = 5;

/// An exchange publishing quickly, and a client signing with an Ed25519 key it accepts.
async fn setup(config: Config) -> (TestExchange, Client) {
    let key = ed25519_key();
    let exchange = TestExchange::start(
        config
            .key(KEY_ID, ed25519_public(&key))
            .market_count(MARKETS)
            .ws_interval(Duration::from_millis(5))
            .ws_heartbeat(Duration::from_millis(200))
            .seed(7),
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
        .ping_interval(Duration::from_millis(200))
        .idle_timeout(Duration::from_millis(800))
        .command_timeout(Duration::from_secs(3))
        .backoff(Backoff::new(Duration::from_millis(20), Duration::from_millis(200)).seed(1))
}

fn tickers(exchange: &TestExchange) -> Vec<String> {
    exchange
        .market_tickers()
        .into_iter()
        .take(MARKETS)
        .collect()
}

fn subscribe(channel: SubscribeChannelsItem, tickers: &[String]) -> Subscribe {
    Subscribe::new(vec![channel]).market_tickers(tickers.to_vec())
}

/// Reads events until `done` says so, failing after `within`.
async fn until(
    events: &mut Events<ServerMessage>,
    within: Duration,
    mut done: impl FnMut(&Event<ServerMessage>) -> bool,
) -> Vec<Event<ServerMessage>> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let event = tokio::time::timeout_at(deadline, events.next())
            .await
            .unwrap_or_else(|_| panic!("timed out; saw {} events: {:?}", seen.len(), tail(&seen)))
            .expect("the stream ended");
        let stop = done(&event);
        seen.push(event);
        if stop {
            return seen;
        }
    }
}

fn tail(events: &[Event<ServerMessage>]) -> Vec<String> {
    events
        .iter()
        .rev()
        .take(8)
        .map(|e| format!("{e:?}").chars().take(160).collect())
        .collect()
}

fn is_message_of(e: &Event<ServerMessage>, sub: SubscriptionId) -> bool {
    matches!(e, Event::Message(r) if r.subscription == Some(sub))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_forced_disconnects_leave_every_subscription_streaming_with_its_markets() {
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    let (session, mut events) = Session::connect(&client, fast()).await.unwrap();
    let book = session
        .subscribe(&subscribe(SubscribeChannelsItem::OrderbookDelta, &markets))
        .await
        .unwrap();
    let ticker = session
        .subscribe(&subscribe(SubscribeChannelsItem::Ticker, &markets))
        .await
        .unwrap();
    let trade = session
        .subscribe(&subscribe(SubscribeChannelsItem::Trade, &markets))
        .await
        .unwrap();
    let subs = [book.id(), ticker.id(), trade.id()];

    let mut resubscribe_times = Vec::new();
    for round in 0..10 {
        // Every subscription streams.
        let mut pending: BTreeSet<_> = subs.iter().copied().collect();
        until(&mut events, Duration::from_secs(10), |e| {
            if let Event::Message(r) = e {
                if let Some(s) = r.subscription {
                    pending.remove(&s);
                }
            }
            pending.is_empty()
        })
        .await;
        if round % 3 == 1 {
            exchange.ws_fail_handshakes(2, 503);
        }
        let cut = Instant::now();
        exchange.ws_drop_connections();
        // Disconnected, then Reconnected, then every Resubscribed, in that order.
        let mut state = 0;
        let mut back = BTreeSet::new();
        let seen = until(&mut events, Duration::from_secs(10), |e| {
            match e {
                Event::Disconnected { .. } => {
                    assert_eq!(state, 0, "disconnected twice");
                    state = 1;
                }
                Event::Reconnected { .. } => {
                    assert_eq!(state, 1, "reconnected before disconnected");
                    state = 2;
                }
                Event::Resubscribed { subscription, sids } => {
                    assert_eq!(state, 2, "resubscribed before reconnected");
                    assert_eq!(sids.len(), 1);
                    back.insert(*subscription);
                }
                Event::Closed { error } => panic!("session closed: {error:?}"),
                _ => {}
            }
            back.len() == subs.len()
        })
        .await;
        resubscribe_times.push(cut.elapsed());
        assert!(seen.iter().any(|e| matches!(e, Event::Disconnected { .. })));
        for sub in [&book, &ticker, &trade] {
            assert_eq!(sub.markets().await.unwrap(), markets, "round {round}");
        }
    }
    // The server sees three subscriptions, each with its five markets, on the last connection.
    let listed = session.list_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 3, "{listed:?}");
    let subscribes: Vec<_> = exchange
        .ws_commands()
        .into_iter()
        .filter(|c| c["cmd"] == "subscribe")
        .collect();
    assert_eq!(subscribes.len(), 3 * 11);
    for c in &subscribes {
        assert_eq!(
            c["params"]["market_tickers"].as_array().unwrap().len(),
            MARKETS
        );
    }
    resubscribe_times.sort();
    eprintln!(
        "ws chaos: 10 disconnects survived (3 with 2 refused handshakes each); time from cut to \
         every subscription back: median {:?}, max {:?}",
        resubscribe_times[5], resubscribe_times[9]
    );
    // And messages still flow to every handle after the last reconnect.
    let mut pending: BTreeSet<_> = subs.iter().copied().collect();
    until(&mut events, Duration::from_secs(10), |e| {
        if let Event::Message(r) = e {
            if let Some(s) = r.subscription {
                pending.remove(&s);
            }
        }
        pending.is_empty()
    })
    .await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_skipped_seq_is_reported_with_its_range_and_repaired_by_snapshots() {
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    let (session, mut events) = Session::connect(&client, fast()).await.unwrap();
    let book = session
        .subscribe(&subscribe(SubscribeChannelsItem::OrderbookDelta, &markets))
        .await
        .unwrap();
    until(
        &mut events,
        Duration::from_secs(5),
        |e| matches!(e, Event::Message(r) if matches!(r.message, ServerMessage::OrderbookDelta(_))),
    )
    .await;
    exchange.ws_skip_seq();
    let seen = until(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::SequenceGap { .. })
    })
    .await;
    let Some(Event::SequenceGap {
        subscription,
        sid,
        expected,
        received,
    }) = seen.last()
    else {
        unreachable!()
    };
    assert_eq!(*subscription, Some(book.id()));
    assert_eq!(*received, *expected + 1, "one number skipped");
    let sid = *sid;
    // The session asks for fresh snapshots of the subscription's markets, and they arrive.
    let mut snapshots = BTreeSet::new();
    let seen = until(&mut events, Duration::from_secs(5), |e| {
        if let Event::Message(r) = e {
            if let ServerMessage::OrderbookSnapshot(s) = &r.message {
                snapshots.insert(s.market_ticker.clone());
            }
        }
        snapshots.len() == MARKETS
    })
    .await;
    assert!(seen.iter().any(|e| matches!(
        e,
        Event::SnapshotRequested { subscription, markets: m } if *subscription == book.id() && m.len() == MARKETS
    )));
    let repairs: Vec<_> = exchange
        .ws_commands()
        .into_iter()
        .filter(|c| c["params"]["action"] == "get_snapshot")
        .collect();
    assert_eq!(repairs.len(), 1, "exactly one repair: {repairs:?}");
    assert_eq!(repairs[0]["params"]["sids"][0], sid);

    // A repeated number is told too.
    exchange.ws_repeat_seq();
    until(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::SequenceRepeat { sid: s, received, last, .. } if *s == sid && received <= last)
    })
    .await;
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_types_unknown_fields_and_malformed_frames_leave_the_stream_running() {
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    let (session, mut events) = Session::connect(&client, fast()).await.unwrap();
    let trade = session
        .subscribe(&subscribe(SubscribeChannelsItem::Trade, &markets))
        .await
        .unwrap();
    until(&mut events, Duration::from_secs(5), |e| {
        is_message_of(e, trade.id())
    })
    .await;

    exchange.ws_send_unknown_type();
    let seen = until(
        &mut events,
        Duration::from_secs(5),
        |e| matches!(e, Event::Message(r) if matches!(r.message, ServerMessage::Unknown { .. })),
    )
    .await;
    let Some(Event::Message(r)) = seen.last() else {
        unreachable!()
    };
    let ServerMessage::Unknown { kind, raw } = &r.message else {
        unreachable!()
    };
    assert!(!kind.is_empty());
    let text = std::str::from_utf8(raw).unwrap();
    assert!(
        text.contains(kind.as_str()),
        "the raw frame is kept: {text}"
    );

    exchange.ws_send_unknown_field();
    // The message decodes, and the field the spec does not list is in its raw frame.
    until(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::Message(r) if std::str::from_utf8(&r.raw).unwrap().contains("x_test_exchange_unknown"))
    })
    .await;

    exchange.ws_send_malformed();
    let seen = until(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::Malformed { .. })
    })
    .await;
    let Some(Event::Malformed { raw, error }) = seen.last() else {
        unreachable!()
    };
    assert!(!raw.is_empty() && !error.is_empty());

    // A known type whose msg does not match its type: a decode error naming the path, raw kept.
    exchange.ws_send_text(
        r#"{"type":"trade","sid":999,"seq":1,"msg":{"trade_id":"d91bc706-ee49-470d-82d8-11418bda6f00","market_ticker":"X","count_fp":"ten"}}"#,
    );
    let seen = until(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::DecodeFailed { .. })
    })
    .await;
    let Some(Event::DecodeFailed {
        kind, error, raw, ..
    }) = seen.last()
    else {
        unreachable!()
    };
    assert_eq!(kind, "trade");
    assert_eq!(error.path, "count_fp", "{error}");
    assert!(std::str::from_utf8(raw).unwrap().contains("\"ten\""));

    // An error frame the server sends on its own (buffer overflow) is an event with its code.
    exchange.ws_send_error(25);
    let seen = until(&mut events, Duration::from_secs(5), |e| {
        matches!(e, Event::ServerError { .. })
    })
    .await;
    let Some(Event::ServerError { code, .. }) = seen.last() else {
        unreachable!()
    };
    assert_eq!(
        ErrorCode::from_code(*code).name(),
        Some("Subscription buffer overflow")
    );

    // And the stream goes on.
    until(&mut events, Duration::from_secs(5), |e| {
        is_message_of(e, trade.id())
    })
    .await;
    session.close().await;
    let rest: Vec<_> = events.collect().await;
    assert!(
        matches!(rest.last(), Some(Event::Closed { error: None })),
        "{:?}",
        tail(&rest)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_server_is_declared_dead_within_the_idle_timeout() {
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    let config = fast();
    let idle = config.idle_timeout;
    let (session, mut events) = Session::connect(&client, config).await.unwrap();
    let ticker = session
        .subscribe(&subscribe(SubscribeChannelsItem::Ticker, &markets))
        .await
        .unwrap();
    until(&mut events, Duration::from_secs(5), |e| {
        is_message_of(e, ticker.id())
    })
    .await;
    exchange.ws_stall(true);
    let stalled = Instant::now();
    let seen = until(&mut events, Duration::from_secs(10), |e| {
        matches!(e, Event::Disconnected { .. })
    })
    .await;
    let detected = stalled.elapsed();
    let Some(Event::Disconnected { reason }) = seen.last() else {
        unreachable!()
    };
    assert!(reason.contains("nothing received"), "{reason}");
    // Silence is noticed after the idle timeout, not long after.
    assert!(detected < idle + Duration::from_millis(700), "{detected:?}");
    until(
        &mut events,
        Duration::from_secs(10),
        |e| matches!(e, Event::Resubscribed { subscription, .. } if *subscription == ticker.id()),
    )
    .await;
    until(&mut events, Duration::from_secs(5), |e| {
        is_message_of(e, ticker.id())
    })
    .await;
    eprintln!(
        "ws stall: declared dead {detected:?} after the server went silent (idle timeout {idle:?})"
    );
    exchange.ws_stall(false);
    session.close().await;
}

/// Sequence numbers of the flood's trades, per sid: checked for loss and duplication.
fn check_flood(seqs: &[u64]) -> (usize, usize) {
    let mut dup = 0;
    let mut missing = 0;
    for w in seqs.windows(2) {
        if w[1] <= w[0] {
            dup += 1;
        } else {
            missing += (w[1] - w[0] - 1) as usize;
        }
    }
    (missing, dup)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_consumer_loses_nothing_in_lossless_mode_with_memory_bounded() {
    const N: u64 = 100_000;
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    exchange.ws_pause_feed(true);
    let capacity = 256;
    let (session, mut events) =
        Session::connect(&client, fast().delivery(Delivery::Lossless { capacity }))
            .await
            .unwrap();
    let trade = session
        .subscribe(&subscribe(SubscribeChannelsItem::Trade, &markets[..1]))
        .await
        .unwrap();
    exchange.ws_flood(N as usize);
    let mut seqs = Vec::with_capacity(N as usize);
    let mut most_waiting = 0;
    let start = Instant::now();
    while (seqs.len() as u64) < N {
        let event = tokio::time::timeout(Duration::from_secs(30), events.next())
            .await
            .expect("stalled")
            .expect("ended");
        most_waiting = most_waiting.max(events.waiting());
        match event {
            Event::Message(r) if r.subscription == Some(trade.id()) => seqs.push(r.seq.unwrap()),
            Event::Message(_) => {}
            other => panic!("unexpected {other:?}"),
        }
        // Slower than the feed: a pause every 2,000 messages.
        if seqs.len() % 2000 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    let (missing, dup) = check_flood(&seqs);
    assert_eq!((missing, dup), (0, 0));
    assert_eq!(events.dropped(), 0);
    // Memory is bounded: never more waiting than the capacity plus one frame's events.
    assert!(most_waiting <= capacity + 2, "{most_waiting} waiting");
    eprintln!(
        "ws lossless: {N} messages through a slow consumer in {:?}: 0 lost, 0 duplicated, at most {most_waiting} waiting (capacity {capacity})",
        start.elapsed()
    );
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_oldest_mode_counts_and_reports_every_drop() {
    const N: u64 = 20_000;
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    exchange.ws_pause_feed(true);
    let (session, mut events) = Session::connect(
        &client,
        fast().delivery(Delivery::DropOldest { capacity: 64 }),
    )
    .await
    .unwrap();
    let trade = session
        .subscribe(&subscribe(SubscribeChannelsItem::Trade, &markets[..1]))
        .await
        .unwrap();
    exchange.ws_flood(N as usize);
    // The consumer falls far behind, then reads everything.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let mut received = 0u64;
    let mut reported = 0u64;
    let mut last_seq = 0;
    while last_seq < N {
        let event = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("stalled")
            .expect("ended");
        match event {
            Event::Message(r) if r.subscription == Some(trade.id()) => {
                received += 1;
                last_seq = r.seq.unwrap();
            }
            Event::Dropped { count } => reported += count,
            _ => {}
        }
    }
    assert!(
        reported > 0,
        "the consumer fell behind: something was dropped"
    );
    assert_eq!(reported, events.dropped());
    assert_eq!(received + reported, N, "every message delivered or counted");
    eprintln!("ws drop-oldest: {N} sent, {received} delivered, {reported} dropped and reported");
    session.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_key_is_a_typed_error_and_attempts_stay_within_the_limit() {
    let (exchange, _) = setup(Config::new()).await;
    let stranger = ed25519_key();
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(
            KEY_ID,
            kalshi_api::PrivateKey::from_pem(&ed25519_pkcs8_pem(&stranger)).unwrap(),
        )
        .build()
        .unwrap();
    let err = Session::connect(&client, fast()).await.unwrap_err();
    let Error::WebSocket(ws) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(**ws, WsError::Unauthorized { status: 401, .. }),
        "{ws:?}"
    );
    assert_eq!(
        exchange.ws_handshake_attempts(),
        1,
        "no retry of a refused key"
    );

    // A key refused while reconnecting: the session gives up after the configured number.
    let (exchange, client) = setup(Config::new()).await;
    let (session, mut events) = Session::connect(&client, fast().max_refused_handshakes(3))
        .await
        .unwrap();
    let before = exchange.ws_handshake_attempts();
    exchange.ws_fail_handshakes(100, 401);
    exchange.ws_drop_connections();
    let seen = until(&mut events, Duration::from_secs(10), |e| {
        matches!(e, Event::Closed { .. })
    })
    .await;
    let Some(Event::Closed {
        error: Some(WsError::Unauthorized { status: 401, .. }),
    }) = seen.last()
    else {
        panic!("{:?}", tail(&seen))
    };
    assert_eq!(exchange.ws_handshake_attempts() - before, 3);
    assert!(
        events.next().await.is_none(),
        "the stream ends after Closed"
    );
    drop(session);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_through_the_handle_and_typed_server_errors() {
    let (exchange, client) = setup(Config::new()).await;
    let markets = tickers(&exchange);
    let (session, mut events) = Session::connect(&client, fast()).await.unwrap();
    let book = session
        .subscribe(&subscribe(
            SubscribeChannelsItem::OrderbookDelta,
            &markets[..2],
        ))
        .await
        .unwrap();
    book.add_markets(&markets[2..4]).await.unwrap();
    assert_eq!(book.markets().await.unwrap(), markets[..4].to_vec());
    book.remove_markets(&markets[..1]).await.unwrap();
    assert_eq!(book.markets().await.unwrap(), markets[1..4].to_vec());
    assert!(
        book.remove_markets(&markets[1..4]).await.is_err(),
        "refuses to empty it"
    );
    book.get_snapshot(&markets[1..2]).await.unwrap();
    let mut seen_snapshot = false;
    until(&mut events, Duration::from_secs(5), |e| {
        if let Event::Message(r) = e {
            if let ServerMessage::OrderbookSnapshot(s) = &r.message {
                seen_snapshot |= s.market_ticker == markets[1];
            }
        }
        seen_snapshot
    })
    .await;

    // Strict in what it sends: a parameter the channel does not take never leaves the client.
    let bad = subscribe(SubscribeChannelsItem::OrderbookDelta, &markets)
        .market_ids(vec![uuid::Uuid::nil()]);
    let err = session.subscribe(&bad).await.unwrap_err();
    assert!(
        err.to_string().contains("does not accept `market_ids`"),
        "{err}"
    );

    // A command the server refuses: its code reaches the caller, typed.
    let unknown = Subscribe::new(vec![SubscribeChannelsItem::from("no_such_channel")]);
    let err = session.subscribe(&unknown).await.unwrap_err();
    let Error::WebSocket(ws) = &err else {
        panic!("{err:?}")
    };
    let WsError::Server { code, .. } = **ws else {
        panic!("{ws:?}")
    };
    assert_eq!(ErrorCode::from_code(code), ErrorCode::from_code(8));
    assert_eq!(
        ErrorCode::from_code(code).name(),
        Some("Unknown channel name")
    );

    let listed = session.list_subscriptions().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].0, Channel::OrderbookDelta.to_string());
    book.unsubscribe().await.unwrap();
    assert!(session.list_subscriptions().await.unwrap().is_empty());
    session.close().await;
}

/// The `ws_ticker` example, built by `cargo test` beside this test, streams from the test exchange
/// when `KALSHI_WS_URL` points there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ws_ticker_example_streams_from_the_test_exchange() {
    let key = ed25519_key();
    let exchange = TestExchange::start(
        Config::new()
            .key(KEY_ID, ed25519_public(&key))
            .market_count(MARKETS)
            .ws_interval(Duration::from_millis(5)),
    )
    .await
    .unwrap();
    let (_dir, key_path) = temp_file(&ed25519_pkcs8_pem(&key));
    // Tests run from target/<profile>/deps; cargo builds the examples into target/<profile>/examples.
    let deps = std::env::current_exe().unwrap();
    let example = deps
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples")
        .join(format!("ws_ticker{}", std::env::consts::EXE_SUFFIX));
    assert!(
        example.exists(),
        "{} is missing: run the whole suite (cargo test --workspace builds the examples) or cargo build --examples",
        example.display()
    );
    let ticker = exchange.market_tickers()[0].clone();
    let output = tokio::process::Command::new(&example)
        .args(["--messages", "5", "--seconds", "20", &ticker])
        .env_clear()
        .env("KALSHI_BASE_URL", exchange.base_url())
        .env("KALSHI_WS_URL", exchange.ws_url())
        .env("KALSHI_API_KEY_ID", KEY_ID)
        .env("KALSHI_PRIVATE_KEY_PATH", &key_path)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&output.stderr)
    );
    let lines: Vec<_> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    assert!(lines.iter().all(|l| l.starts_with(&ticker)), "{stdout}");
}

#[tokio::test]
async fn a_client_without_a_key_is_refused_with_an_authentication_error() {
    let client = Client::new(Environment::Demo);
    let err = Session::connect(&client, SessionConfig::default())
        .await
        .expect_err("a session needs a key");
    assert!(
        matches!(&err, Error::Auth { operation: "websocket handshake", message } if message.contains("needs an API key")),
        "{err:?}"
    );
}

//! Recording the feed and replaying it, against the test exchange: a replay gives the events the
//! live session gave (books equal to the live ones and the exchange's at every quiet point, the
//! same gaps and reconnects in the same order); a file cut anywhere replays up to its last whole
//! block; a disk that stalls loses nothing.

mod common;

use common::*;
use futures_util::StreamExt;
use kalshi_api::backoff::Backoff;
use kalshi_api::record::{
    book_at, recording_files, seek_book, Manifest, Overflow, Pace, RecordConfig, RecordStats,
    Recorder, Replay, ReplayStats, SnapshotIndex, Storage,
};
use kalshi_api::ws::{
    BookKeeper, Event, OrderBook, OrderBooks, ServerMessage, Session, SessionConfig, Side,
    Subscribe, SubscribeChannelsItem,
};
use kalshi_api::{Client, Environment};
use kalshi_test_exchange::{Config, TestExchange};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
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
    exchange.ws_pause_feed(true);
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

type Levels = Vec<(String, String)>;
/// The books of a set of markets: YES and NO bids of each.
type Books = BTreeMap<String, (Levels, Levels)>;
/// A quiet point: its time (nanoseconds since the epoch) and the exchange's books then.
type Point = (u64, Books);

fn levels(book: &OrderBook, side: Side) -> Levels {
    book.bids(side)
        .map(|l| (l.price.to_string(), l.size.to_string()))
        .collect()
}

fn both(book: &OrderBook) -> (Levels, Levels) {
    (levels(book, Side::Yes), levels(book, Side::No))
}

fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// An event as the test compares it: everything it holds (the decoded message and the frame's
/// bytes included); errors by their message, since a replay's error is the recorded text.
fn summary(event: &Event<ServerMessage>) -> String {
    match event {
        Event::ResubscribeFailed {
            subscription,
            error,
        } => format!("ResubscribeFailed({subscription}, {error})"),
        Event::Closed { error } => format!("Closed({:?})", error.as_ref().map(|e| e.to_string())),
        other => format!("{other:?}"),
    }
}

/// The live side: every event's summary, in order, and a keeper with the session (so it asks for
/// snapshots itself, as `OrderBooks::spawn` does) whose books the test reads.
struct Live {
    log: Arc<Mutex<Vec<String>>>,
    books: OrderBooks,
    barrier: mpsc::UnboundedReceiver<()>,
    done: tokio::task::JoinHandle<()>,
}

fn run_live(
    session: &Session,
    mut events: kalshi_api::ws::Events<ServerMessage>,
    sentinel: String,
) -> Live {
    let log = Arc::new(Mutex::new(Vec::new()));
    let mut keeper = BookKeeper::new().with_session(session);
    let books = keeper.books();
    let (tx, barrier) = mpsc::unbounded_channel();
    let task_log = log.clone();
    let done = tokio::spawn(async move {
        let mut out = Vec::new();
        while let Some(event) = events.next().await {
            task_log.lock().unwrap().push(summary(&event));
            let seen = matches!(&event, Event::Message(r)
                if matches!(&r.message, ServerMessage::Ticker(t) if t.market_ticker == sentinel));
            keeper.handle(event, &mut out);
            out.clear();
            if seen {
                let _ = tx.send(());
            }
        }
    });
    Live {
        log,
        books,
        barrier,
        done,
    }
}

/// Subscribes to the sentinel's ticker with its snapshot and waits until the keeper passed it:
/// everything the exchange sent before has been seen.
async fn barrier(session: &Session, live: &mut Live, sentinel: &str) {
    let sub = loop {
        let command = Subscribe::new(vec![SubscribeChannelsItem::Ticker])
            .market_ticker(sentinel)
            .send_initial_snapshot(true);
        match session.subscribe(&command).await {
            Ok(sub) => break sub,
            Err(e) => eprintln!("barrier: {e}; again"),
        }
    };
    tokio::time::timeout(Duration::from_secs(20), live.barrier.recv())
        .await
        .expect("the barrier passed")
        .unwrap();
    let _ = sub.unsubscribe().await;
}

/// Every book of `markets` valid and equal to the exchange's: their levels.
fn quiet_books(exchange: &TestExchange, books: &OrderBooks, markets: &[String]) -> Option<Books> {
    let mut all = BTreeMap::new();
    for t in markets {
        let book = books.get(t).ok()?;
        let levels = both(&book);
        assert_eq!(
            Some(&levels),
            exchange.order_book(t).as_ref(),
            "live book {t} reported valid"
        );
        all.insert(t.clone(), levels);
    }
    Some(all)
}

/// Replays `dir`: every event's summary, the books at each of `points` (receive time, books), and
/// the replay's figures.
fn replay_all(dir: &Path, points: &[Point]) -> (Vec<String>, u64, ReplayStats) {
    let mut replay = Replay::<ServerMessage>::open(dir).unwrap();
    let mut keeper = BookKeeper::new();
    let books = keeper.books();
    let mut log = Vec::new();
    let mut out = Vec::new();
    let mut checked = 0;
    let mut mismatches = 0;
    for replayed in replay.by_ref() {
        let due = points
            .iter()
            .take_while(|(t, _)| *t < replayed.wall_ns)
            .count();
        for (_, expected) in &points[checked..due.max(checked)] {
            mismatches += books_differ(&books, expected);
        }
        checked = checked.max(due);
        log.push(summary(&replayed.event));
        keeper.handle(replayed.event, &mut out);
        out.clear();
    }
    (log, mismatches, replay.stats().clone())
}

/// The same events in the same order; else the first difference, shortened.
fn assert_same(live: &[String], replayed: &[String]) {
    let short = |s: &str| s.chars().take(400).collect::<String>();
    if let Some(i) = live.iter().zip(replayed).position(|(a, b)| a != b) {
        panic!(
            "event {i} differs:\nlive:   {}\nreplay: {}",
            short(&live[i]),
            short(&replayed[i])
        );
    }
    assert_eq!(live.len(), replayed.len(), "as many events");
}

/// Books of `expected` that are not valid with those levels.
fn books_differ(books: &OrderBooks, expected: &Books) -> u64 {
    let mut differ = 0;
    for (t, levels) in expected {
        if !books.get(t).is_ok_and(|b| both(&b) == *levels) {
            eprintln!("replayed book {t} differs at a quiet point");
            differ += 1;
        }
    }
    differ
}

fn recorder(dir: &Path, markets: &[String]) -> RecordConfig {
    RecordConfig::new(dir)
        .channels(["orderbook_delta", "ticker"])
        .markets(markets.iter().cloned())
        // Small blocks and files: the recording has many of each.
        .block_bytes(16 << 10)
        .max_file_bytes(16 << 10)
        .flush_interval(Duration::from_millis(50))
}

/// Seeded order flow with faults while recording; returns the live log, the quiet points, the
/// recorder's figures.
async fn record_with_faults(
    dir: &Path,
    rounds: usize,
    also: impl FnOnce(RecordConfig) -> RecordConfig,
) -> (Vec<String>, Vec<Point>, RecordStats) {
    const MARKETS: usize = 4;
    let (exchange, client) = setup(MARKETS + 1, 21).await;
    let all = exchange.market_tickers();
    let markets: Vec<String> = all[..MARKETS].to_vec();
    let sentinel = all[MARKETS].clone();
    let rec = Recorder::start(also(recorder(dir, &markets))).unwrap();
    let (session, events) = Session::connect(&client, fast().record(&rec))
        .await
        .unwrap();
    let sub = session.subscribe(&book_sub(&markets)).await.unwrap();
    let mut live = run_live(&session, events, sentinel.clone());
    let mut rng = fastrand::Rng::with_seed(0x5eed);
    let mut points = Vec::new();
    for round in 0..rounds {
        exchange.ws_order_flow(&markets, 300);
        match round % 5 {
            0 => exchange.ws_skip_seq(),
            1 => exchange.ws_repeat_seq(),
            2 => exchange.ws_send_malformed(),
            3 => {
                exchange.ws_fail_handshakes(1, if round % 2 == 0 { 401 } else { 503 });
                exchange.ws_drop_connections();
            }
            _ => exchange.ws_drop_connections(),
        }
        exchange.ws_order_flow(&markets, rng.usize(100..400));
        let mut tries = 0;
        loop {
            barrier(&session, &mut live, &sentinel).await;
            if let Some(books) = quiet_books(&exchange, &live.books, &markets) {
                points.push((now_ns(), books));
                break;
            }
            tries += 1;
            assert!(tries < 50, "books did not become valid");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    drop(sub);
    session.close().await;
    live.done.await.unwrap();
    let stats = rec.finish().await.unwrap();
    let log = std::mem::take(&mut *live.log.lock().unwrap());
    exchange.shutdown().await;
    (log, points, stats)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replay_gives_the_live_events_and_books_through_faults() {
    let dir = tempfile::tempdir().unwrap();
    let (live, points, stats) = record_with_faults(dir.path(), 20, |c| c).await;
    let (replayed, book_mismatches, figures) = replay_all(dir.path(), &points);
    let differing = live.iter().zip(&replayed).filter(|(a, b)| a != b).count()
        + live.len().abs_diff(replayed.len());
    println!(
        "record/replay: {} frames recorded in {} records, {} files, {} bytes; replayed {} frames, \
         {} events (live {}); {} quiet points; event mismatches {}, book mismatches {}, \
         sequence-check mismatches {}",
        stats.frames,
        stats.records,
        stats.files,
        stats.bytes,
        figures.frames,
        figures.events,
        live.len(),
        points.len(),
        differing,
        book_mismatches,
        figures.mismatches,
    );
    assert_same(&live, &replayed);
    assert_eq!((book_mismatches, figures.mismatches), (0, 0));
    assert_eq!(figures.frames, stats.frames);
    assert!(stats.files > 1, "rotated by size: {stats:?}");
    let kinds = |prefix: &str| live.iter().filter(|e| e.starts_with(prefix)).count();
    assert!(kinds("SequenceGap") > 0 && kinds("SequenceRepeat") > 0);
    assert!(kinds("Disconnected") > 0 && kinds("Reconnected") > 0 && kinds("Malformed") > 0);
    assert!(live
        .iter()
        .any(|e| e.starts_with("Reconnected { attempts: 2")));
    // Seek: the book at a quiet point, rebuilt from the recording.
    let (at, expected) = &points[points.len() / 2];
    for (t, levels) in expected {
        let book = book_at::<ServerMessage>(dir.path(), t, Some(*at))
            .unwrap()
            .unwrap();
        assert_eq!(both(&book), *levels);
    }
    seeking_gives_the_book_of_a_full_replay(dir.path(), &points);
}

/// The book of `ticker` at `at_ns`, by replaying the whole recording up to then; and the frames
/// read.
fn book_by_full_replay(dir: &Path, ticker: &str, at_ns: u64) -> (Option<(Levels, Levels)>, u64) {
    let mut replay = Replay::<ServerMessage>::open(dir).unwrap();
    let mut keeper = BookKeeper::new();
    let books = keeper.books();
    let mut out = Vec::new();
    for replayed in replay.by_ref() {
        if replayed.wall_ns > at_ns {
            break;
        }
        if !matches!(replayed.event, Event::Closed { .. }) {
            keeper.handle(replayed.event, &mut out);
            out.clear();
        }
    }
    let book = books.get(ticker).ok().map(|b| both(&b));
    (book, replay.stats().frames)
}

/// At 20 random times, each market's book from a seek equals the one a full replay gives, and
/// the seeks read fewer frames.
fn seeking_gives_the_book_of_a_full_replay(dir: &Path, points: &[Point]) {
    let index = SnapshotIndex::build::<ServerMessage>(dir, None).unwrap();
    let markets: Vec<String> = points[0].1.keys().cloned().collect();
    assert!(index.markets().count() >= markets.len());
    assert!(
        index.markets().any(|(_, s)| s.len() > 1),
        "resubscribed: snapshots again"
    );
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let mut rng = fastrand::Rng::with_seed(20);
    let (mut seek_frames, mut full_frames, mut from_a_later_snapshot) = (0, 0, 0);
    for _ in 0..20 {
        let at = rng.u64(first..=last);
        for ticker in &markets {
            let seeked = seek_book::<ServerMessage>(dir, ticker, Some(at)).unwrap();
            let (expected, frames) = book_by_full_replay(dir, ticker, at);
            assert_eq!(
                seeked.book.ok().map(|b| both(&b)),
                expected,
                "{ticker} at {at}"
            );
            assert!(seeked.frames <= frames);
            from_a_later_snapshot +=
                usize::from(seeked.from.is_some_and(|s| s.block > 0 || s.file > 0));
            (seek_frames, full_frames) = (seek_frames + seeked.frames, full_frames + frames);
        }
    }
    println!("seek: {seek_frames} frames read for 80 books, {full_frames} by full replays");
    assert!(from_a_later_snapshot > 0 && seek_frames < full_frames);
}

/// The records of each whole block of `file`, in order, found with zstd itself.
fn blocks_of(file: &[u8]) -> Vec<(usize, usize)> {
    let mut at = 0;
    let mut out = Vec::new();
    while at < file.len() {
        let n = zstd::zstd_safe::find_frame_compressed_size(&file[at..]).unwrap();
        let lines = zstd::stream::decode_all(&file[at..at + n]).unwrap();
        at += n;
        out.push((at, lines.iter().filter(|b| **b == b'\n').count()));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_recording_cut_anywhere_replays_up_to_its_last_whole_block() {
    let dir = tempfile::tempdir().unwrap();
    let _ = record_with_faults(dir.path(), 3, |c| c).await;
    let files = recording_files(dir.path()).unwrap();
    let (full, _, full_stats) = replay_all(dir.path(), &[]);
    let (earlier, last) = files.split_at(files.len() - 1);
    let bytes = std::fs::read(&last[0]).unwrap();
    let blocks = blocks_of(&bytes);
    let records_before: u64 = earlier
        .iter()
        .flat_map(|f| blocks_of(&std::fs::read(f).unwrap()))
        .map(|b| b.1 as u64)
        .sum();
    assert_eq!(
        records_before + blocks.iter().map(|b| b.1 as u64).sum::<u64>(),
        full_stats.records
    );
    let mut rng = fastrand::Rng::with_seed(7);
    let cut_dir = tempfile::tempdir().unwrap();
    let mut torn = 0;
    for _ in 0..100 {
        let cut = rng.usize(0..bytes.len());
        let path = cut_dir.path().join(last[0].file_name().unwrap());
        std::fs::write(&path, &bytes[..cut]).unwrap();
        let mut cut_files: Vec<PathBuf> = earlier.to_vec();
        cut_files.push(path);
        let mut replay = Replay::<ServerMessage>::from_files(cut_files);
        let events: Vec<String> = replay.by_ref().map(|r| summary(&r.event)).collect();
        let whole: u64 = blocks
            .iter()
            .take_while(|(end, _)| *end <= cut)
            .map(|b| b.1 as u64)
            .sum();
        let stats = replay.stats();
        assert_eq!(stats.records, records_before + whole, "cut at {cut}");
        assert_same(&full[..events.len()], &events);
        let on_boundary = cut == 0 || blocks.iter().any(|(end, _)| *end == cut);
        assert_eq!(stats.truncated.is_some(), !on_boundary, "cut at {cut}");
        torn += usize::from(!on_boundary);
    }
    println!(
        "crash: 100 cuts of a {} byte file of {} blocks ({torn} inside a block), {} events in \
         full; every cut replayed up to its last whole block",
        bytes.len(),
        blocks.len(),
        full.len()
    );
}

/// Files whose first write after the first block stalls for two seconds.
struct Stalling {
    writes: Arc<Mutex<u64>>,
}

struct StallingFile {
    file: std::fs::File,
    writes: Arc<Mutex<u64>>,
}

impl Storage for Stalling {
    fn create(&self, path: &Path) -> std::io::Result<Box<dyn Write + Send>> {
        Ok(Box::new(StallingFile {
            file: std::fs::File::create(path)?,
            writes: self.writes.clone(),
        }))
    }
}

impl Write for StallingFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = {
            let mut writes = self.writes.lock().unwrap();
            *writes += 1;
            *writes
        };
        if n == 2 {
            std::thread::sleep(Duration::from_secs(2));
        }
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_stalls_two_seconds_loses_nothing_and_the_stall_is_reported() {
    let (exchange, client) = setup(3, 5).await;
    let markets = exchange.market_tickers();
    let dir = tempfile::tempdir().unwrap();
    let config = RecordConfig::new(dir.path())
        .channels(["orderbook_delta"])
        .capacity(64)
        .overflow(Overflow::Lossless)
        .flush_interval(Duration::from_millis(20))
        .storage(Stalling {
            writes: Arc::default(),
        });
    let rec = Recorder::start(config).unwrap();
    let (session, mut events) = Session::connect(&client, fast().record(&rec))
        .await
        .unwrap();
    let _sub = session.subscribe(&book_sub(&markets)).await.unwrap();
    let live = tokio::spawn(async move {
        let mut log = Vec::new();
        while let Some(event) = events.next().await {
            log.push(summary(&event));
        }
        log
    });
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(3) {
        exchange.ws_order_flow(&markets, 50);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    session.close().await;
    let live = live.await.unwrap();
    let stats = rec.finish().await.unwrap();
    let mut replay = Replay::<ServerMessage>::open(dir.path()).unwrap();
    let replayed: Vec<String> = replay.by_ref().map(|r| summary(&r.event)).collect();
    println!(
        "slow disk: {} frames recorded, {} replayed; {} stalls, {} records held over capacity, \
         {} slow writes, {} lost, backlog at most {}",
        stats.frames,
        replay.stats().frames,
        stats.stalls,
        stats.held,
        stats.slow_writes,
        stats.lost,
        stats.max_backlog
    );
    assert!(
        stats.stalls >= 1 && stats.held > 0 && stats.slow_writes >= 1,
        "{stats:?}"
    );
    assert_eq!(stats.lost, 0);
    assert_same(&live, &replayed);
    assert_eq!(replay.stats().frames, stats.frames);
    exchange.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paced_replay_takes_the_recorded_time_scaled() {
    let dir = tempfile::tempdir().unwrap();
    let (exchange, client) = setup(2, 9).await;
    let markets = exchange.market_tickers();
    let rec = Recorder::start(RecordConfig::new(dir.path())).unwrap();
    let (session, mut events) = Session::connect(&client, fast().record(&rec))
        .await
        .unwrap();
    let _sub = session.subscribe(&book_sub(&markets)).await.unwrap();
    let reader = tokio::spawn(async move { while events.next().await.is_some() {} });
    for _ in 0..4 {
        exchange.ws_order_flow(&markets, 20);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    session.close().await;
    reader.await.unwrap();
    rec.finish().await.unwrap();
    let replay = Replay::<ServerMessage>::open(dir.path()).unwrap();
    let span = {
        let all: Vec<u64> = Replay::<ServerMessage>::open(dir.path())
            .unwrap()
            .map(|r| r.mono_ns)
            .collect();
        Duration::from_nanos(all.iter().max().unwrap() - all.iter().min().unwrap())
    };
    let started = std::time::Instant::now();
    let n = replay
        .into_stream(Pace::Recorded { speed: 4.0 })
        .count()
        .await;
    let took = started.elapsed();
    assert!(n > 10);
    assert!(
        took >= span / 4 - Duration::from_millis(20),
        "{took:?} for {span:?}"
    );
    exchange.shutdown().await;
}

/// The manifest of a recording of `config`, made of a short session.
async fn manifest_of(config: impl FnOnce(RecordConfig) -> RecordConfig) -> Manifest {
    let dir = tempfile::tempdir().unwrap();
    let (exchange, client) = setup(1, 5).await;
    let markets = exchange.market_tickers();
    let rec = Recorder::start(config(RecordConfig::new(dir.path()))).unwrap();
    let (session, mut events) = Session::connect(&client, fast().record(&rec))
        .await
        .unwrap();
    let _sub = session.subscribe(&book_sub(&markets)).await.unwrap();
    let reader = tokio::spawn(async move { while events.next().await.is_some() {} });
    exchange.ws_order_flow(&markets, 20);
    session.close().await;
    reader.await.unwrap();
    rec.finish().await.unwrap();
    exchange.shutdown().await;
    let manifest = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with(".manifest.json"))
        .expect("a manifest");
    Manifest::read(&manifest).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_names_the_spec_the_session_decodes_with() {
    let manifest = manifest_of(|c| c).await;
    let spec = manifest.spec.clone().expect("the manifest names a spec");
    assert_eq!(spec, kalshi_api::ws::SPEC);
    assert!(
        spec.starts_with("Kalshi Market Data WebSocket API "),
        "{spec}"
    );
    assert!(spec.contains("(sha256 ") && spec.len() > 64, "{spec}");
    assert!(manifest.frames() > 0);
    // A spec the user names instead.
    let named = manifest_of(|c| c.spec_version("mine 1.0")).await;
    assert_eq!(named.spec.as_deref(), Some("mine 1.0"));
}

/// A `nats-server` with JetStream on a free local port, stopped when dropped.
#[cfg(feature = "nats")]
struct NatsServer {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

#[cfg(feature = "nats")]
impl NatsServer {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let child = std::process::Command::new("nats-server")
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string()])
            .arg("-sd")
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nats-server runs (Debian's nats-server package; .ci/run installs it)");
        let url = format!("nats://127.0.0.1:{port}");
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        NatsServer {
            child,
            url,
            _dir: dir,
        }
    }
}

#[cfg(feature = "nats")]
impl Drop for NatsServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads a stream from its start until the recorded session's end: every event's summary, and
/// the books a keeper built from them.
#[cfg(feature = "nats")]
async fn consume(target: kalshi_api::record::NatsTarget) -> (Vec<String>, OrderBooks) {
    use kalshi_api::record::{nats_replay, NatsStart};
    let events = nats_replay::<ServerMessage>(&target, NatsStart::First)
        .await
        .unwrap();
    futures_util::pin_mut!(events);
    let mut keeper = BookKeeper::new();
    let books = keeper.books();
    let (mut log, mut out) = (Vec::new(), Vec::new());
    while let Some(replayed) = events.next().await {
        let end = matches!(replayed.event, Event::Closed { .. });
        log.push(summary(&replayed.event));
        if !end {
            keeper.handle(replayed.event, &mut out);
            out.clear();
        }
        if end {
            break;
        }
    }
    (log, books)
}

#[cfg(feature = "nats")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consumers_of_the_jetstream_stream_build_the_live_books() {
    use kalshi_api::record::NatsTarget;
    let server = NatsServer::start().await;
    let client = async_nats::connect(&server.url).await.unwrap();
    let target = NatsTarget::new(async_nats::jetstream::new(client)).stream("KALSHI_TEST");
    target.ensure_stream().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let publish = target.clone();
    let (live, points, stats) = record_with_faults(dir.path(), 6, |c| c.nats(publish)).await;
    let consumers: Vec<_> = (0..2)
        .map(|_| tokio::spawn(consume(target.clone())))
        .collect();
    let (_, expected) = points.last().unwrap();
    for consumer in consumers {
        let (log, books) = tokio::time::timeout(Duration::from_secs(60), consumer)
            .await
            .expect("the consumer read the whole stream")
            .unwrap();
        assert_same(&live, &log);
        assert_eq!(books_differ(&books, expected), 0);
    }
    println!(
        "nats: {} records published ({} failed), {} events read by each of 2 consumers, equal to the \
         live session's; books equal at the end",
        stats.published,
        stats.publish_failed,
        live.len()
    );
    assert_eq!((stats.published, stats.publish_failed), (stats.records, 0));
}

/// Places an order on `ticker` over REST (even `i` crosses and fills, odd rests below the bid).
async fn place(
    client: &Client,
    exchange: &TestExchange,
    ticker: &str,
    i: usize,
) -> kalshi_api::Result<()> {
    use kalshi_api::money::FixedPointDollars;
    use kalshi_api::{ops, types};
    let (yes, no) = exchange.order_book(ticker).unwrap();
    let best_yes: FixedPointDollars = yes[0].0.parse().unwrap();
    let best_no: FixedPointDollars = no[0].0.parse().unwrap();
    let price = if i % 2 == 0 {
        FixedPointDollars::new(1, 0) - best_no
    } else {
        best_yes - "0.01".parse().unwrap()
    };
    let mut order = types::CreateOrderV2Request::new(
        ticker,
        types::BookSide::Bid,
        "2.50".parse().unwrap(),
        price,
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    order.client_order_id = Some(format!("bot-{i}"));
    client
        .create_order_v2(ops::CreateOrderV2::new(order))
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_order_tracker_gets_the_same_updates_from_a_replay() {
    use kalshi_api::ws::{OrderTracker, OrderUpdate};
    let (exchange, client) = setup(2, 13).await;
    let ticker = exchange.market_tickers()[0].clone();
    let dir = tempfile::tempdir().unwrap();
    let rec = Recorder::start(RecordConfig::new(dir.path())).unwrap();
    let (session, mut events) = Session::connect(&client, fast().record(&rec))
        .await
        .unwrap();
    let channels = vec![
        SubscribeChannelsItem::UserOrders,
        SubscribeChannelsItem::Fill,
    ];
    let _private = session.subscribe(&Subscribe::new(channels)).await.unwrap();
    let live = OrderTracker::new();
    let feeder = tokio::spawn({
        let live = live.clone();
        async move {
            while let Some(event) = events.next().await {
                live.handle(&event);
            }
        }
    });
    let mut seen: Vec<Vec<String>> = Vec::new();
    for i in 0..8 {
        let mut updates = live.track(format!("bot-{i}"));
        place(&client, &exchange, &ticker, i).await.unwrap();
        let mut mine = Vec::new();
        loop {
            let u = tokio::time::timeout(Duration::from_secs(10), updates.next())
                .await
                .expect("an update")
                .unwrap();
            let done = matches!(u, OrderUpdate::Order(_));
            mine.push(format!("{u:?}"));
            if done {
                break;
            }
        }
        seen.push(mine);
    }
    session.close().await;
    feeder.await.unwrap();
    rec.finish().await.unwrap();
    let replayed = OrderTracker::new();
    let mut tracked: Vec<_> = (0..8).map(|i| replayed.track(format!("bot-{i}"))).collect();
    for r in Replay::<ServerMessage>::open(dir.path()).unwrap() {
        replayed.handle(&r.event);
    }
    let fills = seen
        .iter()
        .flatten()
        .filter(|u| u.starts_with("Fill"))
        .count();
    for (updates, live) in tracked.iter_mut().zip(&seen) {
        let again: Vec<String> = std::iter::from_fn(|| updates.try_next())
            .map(|u| format!("{u:?}"))
            .take(live.len())
            .collect();
        assert_eq!(&again, live);
    }
    println!("order tracker: 8 orders, {fills} fills, the same updates replayed");
    assert!(fills >= 4);
    exchange.shutdown().await;
}

//! What recording costs and what replaying gives (the `record` feature): a session's messages per
//! second on loopback with and without a recorder attached, the compressed bytes per recorded
//! frame, and the frames per second a replay of the files gives back as decoded, sequence-checked
//! events.
//!
//! `cargo bench -p kalshi-api --features record --bench ws_record` (`bench/run.py` runs it). Each
//! result is one JSON line. `WS_MESSAGES` (default 200,000 per round) and `WS_ROUNDS` (default 5;
//! medians are reported) tune it. The server and the frames are `ws_throughput`'s.
//!
//! For profiling one part alone (instruction counts under `valgrind --tool=callgrind
//! --separate-threads=yes`, or `perf`), `WS_PART=plain`, `record` or `replay` runs one round of
//! that part and prints nothing; `record` writes to `WS_DIR` and `replay` reads it.

use futures_util::StreamExt;
use kalshi_api::record::{RecordConfig, Recorder, Replay};
use kalshi_api::ws::{Event, ServerMessage, Session, SessionConfig};
use kalshi_api::{Client, Environment, PrivateKey};
use std::path::Path;
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

#[path = "ws_support/frames.rs"]
mod ws_frames;

#[path = "ws_support/server.rs"]
mod ws_server;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn client(base: String) -> Client {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    let pem = {
        use ed25519_dalek::pkcs8::EncodePrivateKey as _;
        key.to_pkcs8_pem(Default::default()).unwrap().to_string()
    };
    Client::builder(Environment::Custom(base))
        .credentials("bench", PrivateKey::from_pem(&pem).unwrap())
        .build()
        .unwrap()
}

/// Reads `n` messages through a session (recorded into `dir` when given); the time it took, and
/// the recorder's bytes and frames.
async fn session(client: &Client, n: usize, dir: Option<&Path>) -> (Duration, u64, u64) {
    let recorder = dir.map(|d| Recorder::start(RecordConfig::new(d)).unwrap());
    let mut config = SessionConfig::default();
    if let Some(r) = &recorder {
        config = config.record(r);
    }
    let start = Instant::now();
    let (session, mut events) = Session::connect(client, config).await.unwrap();
    let mut got = 0;
    while got < n {
        match events.next().await.expect("the stream ended") {
            Event::Message(r) => {
                std::hint::black_box(&r.message);
                got += 1;
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    let elapsed = start.elapsed();
    session.close().await;
    while events.next().await.is_some() {}
    match recorder {
        Some(r) => {
            let stats = r.finish().await.unwrap();
            (elapsed, stats.bytes, stats.frames)
        }
        None => (elapsed, 0, 0),
    }
}

/// Replays `dir`; frames per second.
fn replay(dir: &Path) -> f64 {
    let start = Instant::now();
    let mut replay = Replay::<ServerMessage>::open(dir).unwrap();
    for replayed in replay.by_ref() {
        std::hint::black_box(&replayed.event);
    }
    replay.stats().frames as f64 / start.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// Runs one part alone (see the crate docs).
fn part(part: &str, rt: &tokio::runtime::Runtime, client: &Client, n: usize) {
    let dir = std::env::var("WS_DIR").expect("WS_PART needs WS_DIR");
    let dir = Path::new(&dir);
    match part {
        "plain" => drop(rt.block_on(session(client, n, None))),
        "record" => drop(rt.block_on(session(client, n, Some(dir)))),
        "replay" => drop(replay(dir)),
        other => panic!("WS_PART is plain, record or replay, not {other}"),
    }
}

fn main() {
    let n = env_usize("WS_MESSAGES", 200_000);
    let rounds = env_usize("WS_ROUNDS", 5);
    let frames: Vec<Message> = ws_frames::frames(n)
        .into_iter()
        .map(|f| Message::Text(f.into()))
        .collect();
    let addr = ws_server::serve(frames);
    let client = client(format!("http://{addr}/trade-api/v2"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Ok(which) = std::env::var("WS_PART") {
        return part(&which, &rt, &client, n);
    }
    let (mut plain, mut recorded, mut replayed, mut per_frame) = (vec![], vec![], vec![], vec![]);
    for _ in 0..rounds {
        let (t, _, _) = rt.block_on(session(&client, n, None));
        plain.push(n as f64 / t.as_secs_f64());
        let dir = tempfile::tempdir().unwrap();
        let (t, bytes, frames) = rt.block_on(session(&client, n, Some(dir.path())));
        recorded.push(n as f64 / t.as_secs_f64());
        per_frame.push(bytes as f64 / frames.max(1) as f64);
        replayed.push(replay(dir.path()));
    }
    let (plain, recorded) = (median(plain), median(recorded));
    let (replayed, per_frame) = (median(replayed), median(per_frame));
    println!(
        "{{\"bench\":\"ws_record\",\"messages\":{n},\"rounds\":{rounds},\"plain_msgs_per_s\":{plain:.0},\
         \"recorded_msgs_per_s\":{recorded:.0},\"replay_frames_per_s\":{replayed:.0},\
         \"bytes_per_frame\":{per_frame:.1}}}"
    );
    eprintln!(
        "recording: session {plain:.0} msg/s alone, {recorded:.0} recorded ({:.1}% of it); \
         {per_frame:.1} compressed bytes per frame; replay {replayed:.0} frames/s",
        100.0 * recorded / plain
    );
}

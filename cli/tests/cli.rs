//! `kalshi record` then `kalshi replay` against the test exchange: the recorded books, read back
//! by the command, equal the exchange's; the figures and the plot come from the same recording.

use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use ed25519_dalek::SigningKey;
use kalshi_test_exchange::{Config, PublicKey, TestExchange};
use serde_json::Value;
use std::path::Path;
use std::process::Output;
use std::time::Duration;
use tokio::process::Command;

const KEY_ID: &str = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";

/// The `kalshi` command, with only the environment the test gives it.
fn kalshi(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kalshi"));
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("KALSHI_") {
            command.env_remove(name);
        }
    }
    command
}

async fn replay(dir: &Path, args: &[&str]) -> Output {
    let mut all = vec!["replay", dir.to_str().unwrap()];
    all.extend_from_slice(args);
    let out = kalshi(&all).output().await.unwrap();
    assert!(
        out.status.success(),
        "kalshi {all:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn record_then_replay_against_the_test_exchange() {
    let key = SigningKey::from_bytes(&[7; 32]);
    let exchange = TestExchange::start(
        Config::new()
            .key(KEY_ID, PublicKey::Ed25519(key.verifying_key()))
            .market_count(3)
            .ws_interval(Duration::from_millis(5))
            .ws_heartbeat(Duration::from_millis(500))
            .seed(4),
    )
    .await
    .unwrap();
    exchange.ws_pause_feed(true);
    let markets: Vec<String> = exchange.market_tickers()[..2].to_vec();
    let work = tempfile::tempdir().unwrap();
    let key_path = work.path().join("key.pem");
    std::fs::write(
        &key_path,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let dir = work.path().join("rec");
    let mut recording = kalshi(&[
        "record",
        "--channel",
        "orderbook_delta",
        "--channel",
        "trade",
        "--market",
        &markets[0],
        "--market",
        &markets[1],
        "--out",
        dir.to_str().unwrap(),
        "--seconds",
        "4",
    ])
    .env("KALSHI_API_KEY_ID", KEY_ID)
    .env("KALSHI_PRIVATE_KEY_PATH", &key_path)
    .env("KALSHI_BASE_URL", exchange.base_url())
    .spawn()
    .unwrap();
    // Activity once the command has subscribed, a lost connection it follows, and more.
    while !exchange
        .ws_commands()
        .iter()
        .any(|c| c["cmd"] == "subscribe")
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for round in 0..10 {
        exchange.ws_order_flow(&markets, 40);
        if round == 4 {
            exchange.ws_drop_connections();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = recording.wait().await.unwrap();
    assert!(status.success());

    for ticker in &markets {
        let out = replay(&dir, &["--book", ticker]).await;
        let line: Value = serde_json::from_slice(&out.stdout).unwrap();
        let (yes, no) = exchange.order_book(ticker).unwrap();
        let levels = |v: &Value| -> Vec<(String, String)> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|l| (l[0].as_str().unwrap().into(), l[1].as_str().unwrap().into()))
                .collect()
        };
        assert_eq!(line["ticker"], ticker.as_str());
        assert_eq!((levels(&line["yes"]), levels(&line["no"])), (yes, no));
    }
    let stats: Value = serde_json::from_slice(&replay(&dir, &["--stats"]).await.stdout).unwrap();
    println!("kalshi replay --stats: {stats}");
    assert!(stats["frames"].as_u64().unwrap() > 100, "{stats}");
    assert!(stats["reconnects"].as_u64().unwrap() >= 1, "{stats}");
    assert!(
        stats["channels"]["orderbook_delta"].as_u64().unwrap() > 0,
        "{stats}"
    );
    assert_eq!(stats["sequence_mismatches"], 0);
    let svg = work.path().join("plot.svg");
    let svg_arg = svg.to_str().unwrap();
    replay(&dir, &["--plot", &markets[0], "--out", svg_arg]).await;
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(
        drawn.starts_with("<svg") && drawn.contains("<polyline"),
        "{}",
        &drawn[..200]
    );
    exchange.shutdown().await;
}

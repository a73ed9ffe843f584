//! Runs the test exchange on a port, for pointing the SDK's examples at it.
//!
//! ```text
//! cargo run -p kalshi-test-exchange -- --port 8080 --generate-ed25519 /tmp/kalshi-test.key
//! cargo run -p kalshi-test-exchange -- --public-key my-key-id=pub.pem --public-key other.pem
//! cargo run -p kalshi-test-exchange -- --markets 5000 --tier basic
//! ```

#![forbid(unsafe_code)]

use kalshi_test_exchange::{Bucket, Config, PublicKey, TestExchange};
use std::net::SocketAddr;
use std::time::Duration;

const USAGE: &str = "\
usage: kalshi-test-exchange [--port N] [--prefix PATH] [--max-skew-secs N]
                            [--public-key [KEY_ID=]FILE]... [--generate-ed25519 FILE]
                            [--markets N] [--repeat-cursor-after PAGES]
                            [--tier basic|advanced|premier|paragon|prime] [--perps-tier NAME]
                            [--max-batch-size N]
                            [--ws-interval-ms N] [--ws-heartbeat-ms N] [--seed N]

  --port N               port on 127.0.0.1 (default 8080; 0 picks a free one)
  --prefix PATH          path prefix of every route (default /trade-api/v2)
  --max-skew-secs N      allowed timestamp skew (default 5)
  --public-key [ID=]FILE a PEM public key (or private key: its public half is used), accepted
                         for API key id ID, or for any id without ID=; repeatable
  --generate-ed25519 FILE  writes a new Ed25519 private key (PKCS#8 PEM) to FILE and accepts it
                         for any key id
  --markets N            markets listed: the 3 named ones, then synthetic KXTEST-26DEC31-M00003...
                         (default 3)
  --repeat-cursor-after PAGES  after PAGES pages, GET /markets repeats the cursor it is given
  --tier NAME            enforce Kalshi's read/write token buckets for that tier (tokens/s,
                         capacity one second's worth): basic 200/100, advanced 300/300,
                         premier 1000/1000, paragon 2000/2000, prime 4000/4000; default no limit
  --perps-tier NAME      the same for the perps (margin) routes, in buckets of their own
  --max-batch-size N     most orders per batch create or cancel (default 20)
  --ws-interval-ms N     WebSocket feed: scripted delta, trade and ticker per subscribed market
                         every N ms (default 20)
  --ws-heartbeat-ms N    WebSocket Ping (body `heartbeat`) every N ms (default 10000)
  --seed N               seed of the scripted order books and activity (default 24301)

The WebSocket API is served on the same port at the prefix's parent plus /ws/v2
(/trade-api/ws/v2 by default), the margin (perps) one at that path plus /margin; upgrades are
signed like REST requests. The perps REST routes (/margin/...) share the prefix.";

/// Kalshi's published tiers: name, read and write tokens per second.
const TIERS: &[(&str, u32, u32)] = &[
    ("basic", 200, 100),
    ("advanced", 300, 300),
    ("premier", 1000, 1000),
    ("paragon", 2000, 2000),
    ("prime", 4000, 4000),
];

/// A bucket holding one second's worth of tokens.
fn per_second(tokens: u32) -> Bucket {
    Bucket {
        refill_per_sec: tokens,
        capacity: tokens,
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("kalshi-test-exchange: {e}\n\n{USAGE}");
        std::process::exit(2);
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut opts = Options {
        port: 8080,
        config: Config::new(),
        generated: None,
    };
    while let Some(arg) = args.next() {
        if arg == "-h" || arg == "--help" {
            println!("{USAGE}");
            return Ok(());
        }
        opts.set(&arg, args.next())?;
    }
    serve(opts)
}

/// What the command line asks for.
struct Options {
    port: u16,
    config: Config,
    /// Where `--generate-ed25519` wrote its key.
    generated: Option<String>,
}

impl Options {
    /// Applies option `arg` with the argument after it, `value`.
    fn set(&mut self, arg: &str, value: Option<String>) -> Result<(), String> {
        let value = || value.clone().ok_or_else(|| format!("{arg} needs a value"));
        let config = std::mem::take(&mut self.config);
        self.config = match arg {
            "--port" => {
                self.port = number(arg, &value()?)?;
                config
            }
            "--prefix" => config.prefix(value()?),
            "--max-skew-secs" => {
                config.max_clock_skew(Duration::from_secs(number(arg, &value()?)?))
            }
            "--public-key" => public_key(config, &value()?)?,
            "--generate-ed25519" => {
                let file = value()?;
                let key = generate_ed25519(&file)?;
                self.generated = Some(file);
                config.key_for_any_id(key)
            }
            "--markets" => config.market_count(number(arg, &value()?)?),
            "--repeat-cursor-after" => config.repeat_cursor_after(number(arg, &value()?)?),
            "--tier" => {
                let (read, write) = tier(arg, &value()?)?;
                config.rate_limit(read, write)
            }
            "--perps-tier" => {
                let (read, write) = tier(arg, &value()?)?;
                config.perps_rate_limit(read, write)
            }
            "--max-batch-size" => config.max_batch_size(number(arg, &value()?)?),
            "--ws-interval-ms" => {
                config.ws_interval(Duration::from_millis(number(arg, &value()?)?))
            }
            "--ws-heartbeat-ms" => {
                config.ws_heartbeat(Duration::from_millis(number(arg, &value()?)?))
            }
            "--seed" => config.seed(number(arg, &value()?)?),
            other => return Err(format!("unknown argument `{other}`")),
        };
        Ok(())
    }
}

/// The read and write buckets of tier `name`, the value of option `arg`.
fn tier(arg: &str, name: &str) -> Result<(Bucket, Bucket), String> {
    let &(_, read, write) = TIERS
        .iter()
        .find(|(tier, _, _)| *tier == name)
        .ok_or_else(|| format!("unknown {arg} `{name}`"))?;
    Ok((per_second(read), per_second(write)))
}

/// `text`, the value of option `arg`, as a number.
fn number<T: std::str::FromStr>(arg: &str, text: &str) -> Result<T, String> {
    text.parse().map_err(|_| format!("bad {arg}"))
}

/// `config` accepting the key in `spec` (`[KEY_ID=]FILE`).
fn public_key(config: Config, spec: &str) -> Result<Config, String> {
    let (id, file) = match spec.split_once('=') {
        Some((id, file)) => (Some(id), file),
        None => (None, spec),
    };
    let pem = std::fs::read_to_string(file).map_err(|e| format!("{file}: {e}"))?;
    let key = PublicKey::from_pem(&pem).map_err(|e| format!("{file}: {e}"))?;
    Ok(match id {
        Some(id) => config.key(id, key),
        None => config.key_for_any_id(key),
    })
}

/// Runs the exchange until Ctrl-C, printing where it listens.
fn serve(opts: Options) -> Result<(), String> {
    let Options {
        port,
        config,
        generated,
    } = opts;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let exchange = TestExchange::start_on(SocketAddr::from(([127, 0, 0, 1], port)), config)
            .await
            .map_err(|e| format!("binding 127.0.0.1:{port}: {e}"))?;
        println!("test exchange listening: {}", exchange.base_url());
        println!("  export KALSHI_BASE_URL={}", exchange.base_url());
        println!("websocket: {}", exchange.ws_url());
        println!("margin websocket: {}", exchange.margin_ws_url());
        if let Some(file) = generated {
            println!("  export KALSHI_API_KEY_ID=test-key KALSHI_PRIVATE_KEY_PATH={file}");
        }
        tokio::signal::ctrl_c().await.map_err(|e| e.to_string())?;
        exchange.shutdown().await;
        Ok(())
    })
}

fn generate_ed25519(file: &str) -> Result<PublicKey, String> {
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    use rand_core::RngCore as _;
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    let key = ed25519_dalek::SigningKey::from_bytes(&seed);
    let pem = key
        .to_pkcs8_pem(Default::default())
        .map_err(|e| format!("encoding the key: {e}"))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(file).map_err(|e| format!("{file}: {e}"))?;
    std::io::Write::write_all(&mut out, pem.as_bytes()).map_err(|e| format!("{file}: {e}"))?;
    Ok(PublicKey::Ed25519(key.verifying_key()))
}

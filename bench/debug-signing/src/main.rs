//! Times signing as a user's debug build runs it: `Signer::sign` and a whole signed request
//! (`Client::build_request`) per key file, with kalshi-api's default features and Cargo's default
//! dev profile (this crate is its own workspace, so the SDK workspace's profile does not apply).
//!
//! ```sh
//! openssl genrsa -out /tmp/rsa.key 2048
//! openssl genpkey -algorithm ed25519 -out /tmp/ed25519.key
//! cargo run --manifest-path bench/debug-signing/Cargo.toml -- /tmp/rsa.key /tmp/ed25519.key
//! ```

use kalshi_api::auth::{PrivateKey, Signer as _};
use kalshi_api::{ops, Client, Environment, KeyPairSigner};
use std::time::{Duration, Instant};

const ITERATIONS: u32 = 50;
const KEY_ID: &str = "a952bcbe-ec3b-4b5b-b8f9-11dae589608c";
const MESSAGE: &[u8] = b"1703123456789GET/trade-api/v2/portfolio/balance";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() {
        return Err(
            "usage: debug-signing KEY.pem... (openssl genrsa -out /tmp/rsa.key 2048)".into(),
        );
    }
    for path in &paths {
        time_key(path)?;
    }
    Ok(())
}

/// Prints the mean cost of signing with the key at `path`, bare and as a whole request.
fn time_key(path: &str) -> Result<(), Box<dyn std::error::Error>> {
    let signer = KeyPairSigner::new(KEY_ID, PrivateKey::from_pem_file(path)?);
    println!(
        "key: {}, backend: {}, {ITERATIONS} iterations, debug build: {}",
        signer.algorithm(),
        signer.private_key().backend(),
        cfg!(debug_assertions)
    );
    let per_sign = time(|| {
        signer.sign(MESSAGE).expect("signs");
    });
    println!("Signer::sign          {}", per_call(per_sign));

    let client = Client::builder(Environment::Production)
        .credentials(KEY_ID, PrivateKey::from_pem_file(path)?)
        .build()?;
    let balance = ops::GetBalance::new();
    let per_request = time(|| {
        client.build_request(&balance).expect("builds");
    });
    println!("Client::build_request {}", per_call(per_request));
    Ok(())
}

/// The mean time of one call of `f` over [`ITERATIONS`] calls, after one warm-up call.
fn time(mut f: impl FnMut()) -> Duration {
    f();
    let start = Instant::now();
    for _ in 0..ITERATIONS {
        f();
    }
    start.elapsed() / ITERATIONS
}

fn per_call(d: Duration) -> String {
    format!("{:.2} ms per call", d.as_secs_f64() * 1e3)
}

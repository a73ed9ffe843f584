//! Turning on the SDK's logs: a `tracing-subscriber` fmt subscriber filtered by `RUST_LOG`, then
//! a few public calls, one of them failing, so each level shows something.
//!
//! ```text
//! cargo run -p kalshi-api --example tracing                            # info: quiet when healthy
//! RUST_LOG=kalshi_api=debug cargo run -p kalshi-api --example tracing  # one span per request
//! ```
//!
//! At `debug` each REST call is a span named `request` with the operation (also as `otel.name`),
//! the method and the path template; each attempt is an event with its status, Kalshi's request
//! id and latency. Retries and reconnects log at `info`, failures at `warn`. Keys, signatures and
//! `KALSHI-ACCESS-*` headers are never logged.

use kalshi_api::{ops, Client, RetryPolicy};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("kalshi_api=info")),
        )
        // Span fields (operation, status, latency) on each line, and when a span closes.
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .init();

    let client = Client::from_env()?.with_retry(RetryPolicy::default());
    let status = client
        .get_exchange_status(ops::GetExchangeStatus::new())
        .await?;
    println!("trading active: {}", status.trading_active);
    let markets = client.get_markets(ops::GetMarkets::new().limit(3)).await?;
    println!("{} markets", markets.markets.len());
    // A market that does not exist: a 404, logged at warn with its request id.
    let missing = client
        .get_market(ops::GetMarket::new("NO-SUCH-MARKET"))
        .await;
    println!("missing market: {}", missing.is_err());
    Ok(())
}

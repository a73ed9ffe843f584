//! Streams every open market, page by page under the hood, with a rate limiter and retries.
//!
//! No API key needed. `cargo run -p kalshi-api --example all_markets [TIER]` where `TIER` is
//! `basic` (the default), `advanced`, `premier`, `paragon` or `prime`. Production by default;
//! `KALSHI_ENV=demo` or `KALSHI_BASE_URL=...` (e.g. the test exchange) to point elsewhere.

use kalshi_api::pagination::TryStreamExt;
use kalshi_api::{ops, types, ClientBuilder, RetryPolicy, Tier};
use std::collections::BTreeMap;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tier = match std::env::args().nth(1).as_deref() {
        None | Some("basic") => Tier::Basic,
        Some("advanced") => Tier::Advanced,
        Some("premier") => Tier::Premier,
        Some("paragon") => Tier::Paragon,
        Some("prime") => Tier::Prime,
        Some(other) => return Err(format!("unknown tier `{other}`").into()),
    };
    // Requests wait for tokens instead of meeting 429s, and reads are retried on 429, 5xx,
    // timeouts and dropped connections.
    let client = ClientBuilder::from_env()?
        .tier(tier)
        .retry(RetryPolicy::default())
        .build()?;

    let mut markets = client
        .paginate(
            ops::GetMarkets::new()
                .limit(1000)
                .status(types::MarketStatusQuery::Open),
        )
        .max_pages(50)
        .items();
    let mut count = 0;
    let mut by_event: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(market) = markets.try_next().await? {
        count += 1;
        *by_event.entry(market.event_ticker).or_default() += 1;
    }
    println!("{count} open markets in {} events", by_event.len());
    let mut largest: Vec<_> = by_event.into_iter().collect();
    largest.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (event, n) in largest.iter().take(5) {
        println!("{n:>6}  {event}");
    }
    Ok(())
}

//! Market data, no API key needed: exchange status, a page of open markets, one market.
//!
//! `cargo run -p kalshi-api --example market_data` (production by default; `KALSHI_ENV=demo`
//! or `KALSHI_BASE_URL=...` to point elsewhere, e.g. at the test exchange).

use kalshi_api::{ops, types, Client};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Reads KALSHI_ENV / KALSHI_BASE_URL; credentials are optional and unused here.
    let client = Client::from_env()?;
    println!("{}", client.base_url());

    let status = client
        .get_exchange_status(ops::GetExchangeStatus::new())
        .await?;
    println!(
        "exchange active: {}, trading active: {}",
        status.exchange_active, status.trading_active
    );

    let page = client
        .get_markets(
            ops::GetMarkets::new()
                .limit(5)
                .status(types::MarketStatusQuery::Open),
        )
        .await?;
    for market in &page.markets {
        println!(
            "{:<32} bid {} ask {} volume {}",
            market.ticker, market.yes_bid_dollars, market.yes_ask_dollars, market.volume_fp
        );
    }

    if let Some(first) = page.markets.first() {
        let market = client
            .get_market(ops::GetMarket::new(first.ticker.as_str()))
            .await?
            .market;
        println!("{}: closes {}", market.ticker, market.close_time);
    }
    Ok(())
}

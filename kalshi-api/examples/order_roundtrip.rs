//! Places a small resting order on demo, reads it back and cancels it.
//!
//! It refuses to run against production. The order is a 1-contract bid at $0.01, post-only, on the
//! market given as the first argument or the first open market, so it rests and does not fill.
//!
//! ```text
//! export KALSHI_ENV=demo KALSHI_API_KEY_ID=... KALSHI_PRIVATE_KEY_PATH=...
//! cargo run -p kalshi-api --example order_roundtrip [TICKER]
//! ```

use kalshi_api::{ops, types, Client, Environment};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = Client::from_env()?;
    if client.base_url() == Environment::Production.base_url() {
        return Err("this example places orders: run it on demo (KALSHI_ENV=demo) or a test exchange (KALSHI_BASE_URL)".into());
    }
    if !client.has_credentials() {
        return Err(
            "set KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY)".into(),
        );
    }

    let ticker = match std::env::args().nth(1) {
        Some(ticker) => ticker,
        None => {
            client
                .get_markets(
                    ops::GetMarkets::new()
                        .limit(1)
                        .status(types::MarketStatusQuery::Open),
                )
                .await?
                .markets
                .into_iter()
                .next()
                .ok_or("no open market")?
                .ticker
        }
    };

    let order = types::CreateOrderV2Request::new(
        ticker.as_str(),
        types::BookSide::Bid,
        "1.00".parse()?,
        "0.01".parse()?,
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    )
    .post_only(true);
    let created = client
        .create_order_v2(ops::CreateOrderV2::new(order))
        .await?;
    println!(
        "placed {} on {ticker}: filled {}, resting {}",
        created.order_id, created.fill_count, created.remaining_count
    );

    let read = client
        .get_order(ops::GetOrder::new(created.order_id.as_str()))
        .await?
        .order;
    println!(
        "read back: {:?} {:?} at ${} x {}",
        read.status, read.book_side, read.yes_price_dollars, read.remaining_count_fp
    );

    let canceled = client
        .cancel_order_v2(
            ops::CancelOrderV2::new(created.order_id.as_str()).market_ticker(ticker.as_str()),
        )
        .await?;
    println!(
        "canceled {}: reduced by {}",
        canceled.order_id, canceled.reduced_by
    );
    Ok(())
}

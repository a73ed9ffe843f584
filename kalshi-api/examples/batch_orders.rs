//! Places a ladder of resting bids with one batch call, then cancels them with another.
//!
//! Any number of orders: the client sends them 20 per request and returns one result per order,
//! in input order, each the placed order or that order's own error. It refuses production.
//!
//! ```text
//! export KALSHI_ENV=demo KALSHI_API_KEY_ID=... KALSHI_PRIVATE_KEY_PATH=...
//! cargo run -p kalshi-api --example batch_orders TICKER [COUNT]
//! ```

use kalshi_api::{ops, types, ClientBuilder, Environment, Tier};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Batches are charged per order against the write bucket; the limiter spaces them out.
    let client = ClientBuilder::from_env()?.tier(Tier::Basic).build()?;
    if client.base_url() == Environment::Production.base_url() {
        return Err("this example places orders: run it on demo (KALSHI_ENV=demo) or a test exchange (KALSHI_BASE_URL)".into());
    }
    let mut args = std::env::args().skip(1);
    let ticker = args.next().ok_or("usage: batch_orders TICKER [COUNT]")?;
    let count: usize = args.next().map(|n| n.parse()).transpose()?.unwrap_or(25);

    // Bids from $0.01 up, one contract each, post-only so none fills.
    let orders = (0..count)
        .map(|i| -> Result<_, Box<dyn std::error::Error>> {
            let price = format!("0.{:02}", 1 + i % 10);
            Ok(types::CreateOrderV2Request::new(
                ticker.as_str(),
                types::BookSide::Bid,
                "1.00".parse()?,
                price.parse()?,
                types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
                types::SelfTradePreventionType::TakerAtCross,
            )
            .client_order_id(format!("ladder-{}-{i}", std::process::id()))
            .post_only(true))
        })
        .collect::<Result<Vec<_>, _>>()?;

    let request = ops::BatchCreateOrdersV2::new(types::BatchCreateOrdersV2Request::new(orders));
    let mut placed = Vec::new();
    for (i, result) in client.batch(request).await.into_iter().enumerate() {
        match result {
            Ok(outcome) => {
                let id = outcome.order_id.unwrap_or_default();
                println!("order {i:>3}: placed {id}");
                let mut cancel = types::BatchCancelOrdersV2RequestOrdersItem::new(id);
                cancel.market_ticker = Some(ticker.clone());
                placed.push(cancel);
            }
            Err(e) => println!("order {i:>3}: {e}"),
        }
    }

    let request = ops::BatchCancelOrdersV2::new(types::BatchCancelOrdersV2Request::new(placed));
    for result in client.batch(request).await {
        match result {
            Ok(outcome) => println!("canceled {}: {}", outcome.order_id, outcome.reduced_by),
            Err(e) => println!("cancel failed: {e}"),
        }
    }
    Ok(())
}

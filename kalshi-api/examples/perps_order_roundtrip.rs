//! Places a small margin order on a perps market, amends it, decreases it and cancels it, printing
//! each step.
//!
//! It refuses to run against production. The order is a post-only bid for 2 contracts 10% under
//! the market's best bid (on its tick), so it rests and does not fill; it is amended one tick lower
//! to 3 contracts, decreased by 1 and cancelled. If a step fails after the order is placed, it
//! still tries to cancel it. The market is the first argument or the first active perps market.
//!
//! ```text
//! export KALSHI_ENV=demo KALSHI_API_KEY_ID=... KALSHI_PRIVATE_KEY_PATH=...
//! cargo run -p kalshi-api --features perps --example perps_order_roundtrip [TICKER]
//! ```
//!
//! `kalshi-api/tests/perps_exchange.rs` runs [`run`] against the test exchange.

use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::perps::{ops, types};
use kalshi_api::{Client, Environment, OrderId};
use std::error::Error;
use std::io::Write;

/// What the round trip did.
#[derive(Debug)]
pub struct RoundTrip {
    /// The market traded.
    pub ticker: String,
    /// The exchange's id of the order.
    pub order_id: OrderId,
    /// The price first bid.
    pub price: FixedPointDollars,
}

/// An error unless `client` points away from production: the example places orders.
pub fn refuse_production(client: &Client) -> Result<(), &'static str> {
    if client.base_url() == Environment::Production.base_url() {
        return Err("this example places orders: run it on demo (KALSHI_ENV=demo) or a test exchange (KALSHI_BASE_URL)");
    }
    Ok(())
}

/// Creates, amends, decreases and cancels a far-from-the-market bid on `ticker` (by default the
/// first active perps market), printing each step to `out`.
pub async fn run(
    client: &Client,
    ticker: Option<&str>,
    out: &mut dyn Write,
) -> Result<RoundTrip, Box<dyn Error>> {
    let market = pick_market(client, ticker).await?;
    let best_bid = market
        .bid
        .ok_or_else(|| format!("{} has no bid to stay under", market.ticker))?;
    let price = far_under(best_bid, market.tick_size)?;
    writeln!(out, "{}: best bid ${best_bid}", market.ticker)?;

    let order = types::CreateMarginOrderRequest::new(
        market.ticker.as_str(),
        client_order_id(),
        types::BookSide::Bid,
        "2".parse()?,
        price,
        types::CreateMarginOrderRequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    )
    .post_only(true);
    let created = client
        .perps()
        .create_margin_order(ops::CreateMarginOrder::new(order))
        .await?;
    writeln!(
        out,
        "placed {} on {}: bid 2 at ${price}, filled {}, resting {}",
        created.order_id, market.ticker, created.fill_count, created.remaining_count
    )?;
    let trip = RoundTrip {
        ticker: market.ticker,
        order_id: created.order_id,
        price,
    };
    let tick = market.tick_size;
    if let Err(e) = amend_decrease_cancel(client, &trip, tick, out).await {
        // Leave nothing resting behind.
        let cancel = ops::CancelMarginOrder::new(trip.order_id.as_str());
        let _ = client.perps().cancel_margin_order(cancel).await;
        return Err(e);
    }
    Ok(trip)
}

/// The market named `ticker`, or the first active one.
async fn pick_market(
    client: &Client,
    ticker: Option<&str>,
) -> Result<types::MarginMarket, Box<dyn Error>> {
    if let Some(ticker) = ticker {
        let op = ops::GetMarginMarket::new(ticker);
        return Ok(client.perps().get_margin_market(op).await?.market);
    }
    let markets = client
        .perps()
        .get_margin_markets(ops::GetMarginMarkets::new())
        .await?
        .markets;
    markets
        .into_iter()
        .find(|m| m.status == types::MarginMarketStatus::Active)
        .ok_or_else(|| "no active perps market".into())
}

/// 90% of `bid`, rounded down to a multiple of `tick`.
fn far_under(
    bid: FixedPointDollars,
    tick: FixedPointDollars,
) -> Result<FixedPointDollars, Box<dyn Error>> {
    let centi = |d: FixedPointDollars| {
        d.to_centi_cents()
            .filter(|c| *c > 0)
            .ok_or_else(|| format!("${d} is not a positive multiple of $0.0001"))
    };
    let (bid, tick) = (centi(bid)?, centi(tick)?);
    let price = bid * 9 / 10 / tick * tick;
    if price == 0 {
        return Err("the market trades too close to zero for a far bid".into());
    }
    Ok(FixedPointDollars::from_centi_cents(price))
}

/// A client order id no earlier run used.
fn client_order_id() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!("perps-roundtrip-{}", now.as_nanos())
}

/// Moves the order one tick lower and to 3 contracts, takes 1 off, then cancels it.
async fn amend_decrease_cancel(
    client: &Client,
    trip: &RoundTrip,
    tick: FixedPointDollars,
    out: &mut dyn Write,
) -> Result<(), Box<dyn Error>> {
    let perps = client.perps();
    let id = trip.order_id.as_str();
    let price = trip.price - tick;
    let amend = types::AmendMarginOrderRequest::new(
        &trip.ticker,
        types::BookSide::Bid,
        price,
        "3".parse()?,
    );
    let amended = perps
        .amend_margin_order(ops::AmendMarginOrder::new(id, amend))
        .await?;
    let resting = amended.remaining_count.map(|c| c.to_string());
    let resting = resting.as_deref().unwrap_or("unknown");
    writeln!(out, "amended {id}: bid 3 at ${price}, resting {resting}")?;

    let one: FixedPointCount = "1".parse()?;
    let decrease = types::DecreaseMarginOrderRequest::default().reduce_by(one);
    let decreased = perps
        .decrease_margin_order(ops::DecreaseMarginOrder::new(id, decrease))
        .await?;
    writeln!(
        out,
        "decreased {id} by {one}: resting {}",
        decreased.remaining_count
    )?;

    let canceled = perps
        .cancel_margin_order(ops::CancelMarginOrder::new(id))
        .await?;
    writeln!(out, "canceled {id}: reduced by {}", canceled.reduced_by)?;
    Ok(())
}

#[allow(dead_code)] // the test includes this file for `run` only
#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let client = Client::from_env()?;
    refuse_production(&client)?;
    if !client.has_credentials() {
        return Err(
            "set KALSHI_API_KEY_ID and KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY)".into(),
        );
    }
    let ticker = std::env::args().nth(1);
    run(&client, ticker.as_deref(), &mut std::io::stdout()).await?;
    Ok(())
}

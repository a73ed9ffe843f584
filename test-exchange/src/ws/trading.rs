//! REST orders in the authoritative books: an order takes the liquidity it crosses, the rest
//! rests on the book; each step is published as deltas, trades, fills and `user_order` frames.

use super::book::Side;
use super::feed::{delta_event, trade_events};
use super::{Books, Event, World, FILL, USER_ORDERS};
use crate::clock::now_ms;
use crate::fixed::{count_text, price_text, DOLLAR};
use crate::ledger::Ledger;
use serde_json::{json, Value};

/// A new order, as the REST handler validated it.
pub(crate) struct NewOrder<'a> {
    pub(crate) key_id: &'a str,
    pub(crate) order_id: &'a str,
    pub(crate) client_order_id: &'a str,
    pub(crate) ticker: &'a str,
    /// `true`: a YES bid; `false`: a YES ask (a NO bid at `1 - price`).
    pub(crate) bid: bool,
    pub(crate) price: i64,
    pub(crate) count: i64,
    /// Immediate-or-cancel: whatever does not fill is not rested.
    pub(crate) ioc: bool,
}

/// What became of an order: contracts filled and contracts resting.
pub(crate) struct Outcome {
    pub(crate) filled: i64,
    pub(crate) resting: i64,
}

/// The side and price an order rests at.
fn resting_level(bid: bool, yes_price: i64) -> (Side, i64) {
    if bid {
        (Side::Yes, yes_price)
    } else {
        (Side::No, DOLLAR - yes_price)
    }
}

/// Matches `order` against the book and rests the remainder, publishing each step.
pub(crate) fn execute(world: &mut World<Books>, ledger: &Ledger, order: &NewOrder) -> Outcome {
    let ts = now_ms();
    let mut remaining = order.count;
    let mut events: Vec<Event> = Vec::new();
    while remaining > 0 {
        let Some(qty) = match_best(world, ledger, order, remaining, ts, &mut events) else {
            break;
        };
        remaining -= qty;
    }
    let resting = if order.ioc { 0 } else { remaining };
    if resting > 0 {
        let (side, price) = resting_level(order.bid, order.price);
        if let Some(book) = world.book(ledger, order.ticker) {
            book.apply(side, price, resting);
            let owner = Some((order.key_id, order.client_order_id));
            events.push(delta_event(
                order.ticker,
                book,
                side,
                price,
                resting,
                ts,
                owner,
            ));
        }
    }
    for event in events {
        world.push(event);
    }
    Outcome {
        filled: order.count - remaining,
        resting,
    }
}

/// Takes up to `remaining` contracts from the best opposite level `order` crosses, adding the
/// delta, the trade and the fill to `events`; `None` when it crosses nothing.
fn match_best(
    world: &mut World<Books>,
    ledger: &Ledger,
    order: &NewOrder,
    remaining: i64,
    ts: u64,
    events: &mut Vec<Event>,
) -> Option<i64> {
    let other = match resting_level(order.bid, order.price).0 {
        Side::Yes => Side::No,
        Side::No => Side::Yes,
    };
    let book = world.book(ledger, order.ticker)?;
    // A YES bid at p crosses NO bids at 1 - p or better; an ask at p crosses YES bids at p or
    // better.
    let (level, size) = book.best(other)?;
    let yes_price = if order.bid { DOLLAR - level } else { level };
    if (order.bid && yes_price > order.price) || (!order.bid && yes_price < order.price) {
        return None;
    }
    let qty = remaining.min(size);
    book.apply(other, level, -qty);
    let owner = Some((order.key_id, order.client_order_id));
    events.push(delta_event(
        order.ticker,
        book,
        other,
        level,
        -qty,
        ts,
        owner,
    ));
    let mut trade = trade_events(world, ledger, order.ticker, yes_price, qty, order.bid, ts);
    events.append(&mut trade);
    events.push(fill_event(world, order, yes_price, qty, ts));
    Some(qty)
}

/// The `fill` frame `order`'s owner gets for `qty` contracts at `yes_price`, after its position
/// is updated.
fn fill_event(
    world: &mut World<Books>,
    order: &NewOrder,
    yes_price: i64,
    qty: i64,
    ts: u64,
) -> Event {
    let position = world
        .markets
        .positions
        .entry((order.key_id.to_string(), order.ticker.to_string()))
        .or_insert(0);
    *position += if order.bid { qty } else { -qty };
    let post_position = *position;
    let trade_id = format!("00000000-0000-4000-b000-{:012x}", world.trades);
    let outcome = if order.bid { "yes" } else { "no" };
    Event {
        channel: FILL,
        kind: "fill",
        market: order.ticker.to_string(),
        owner: Some(order.key_id.to_string()),
        owner_fields: None,
        msg: json!({
            "trade_id": trade_id,
            "order_id": order.order_id,
            "client_order_id": order.client_order_id,
            "market_ticker": order.ticker,
            "exchange_index": 0,
            "is_taker": true,
            "side": outcome,
            "yes_price_dollars": price_text(yes_price),
            "count_fp": count_text(qty),
            "fee_cost": "0.000000",
            "action": "buy",
            "ts": ts / 1000,
            "ts_ms": ts,
            "post_position_fp": count_text(post_position),
            "purchased_side": outcome,
            "outcome_side": outcome,
            "book_side": if order.bid { "bid" } else { "ask" },
        }),
    }
}

/// Takes a cancelled order's `remaining` contracts off the book, as a delta its owner sees with
/// its `client_order_id`.
pub(crate) fn cancel(
    world: &mut World<Books>,
    ledger: &Ledger,
    key_id: &str,
    order: &Value,
    remaining: i64,
) {
    let (Some(ticker), Some(price)) = (
        order["ticker"].as_str(),
        order["yes_price_dollars"]
            .as_str()
            .and_then(|p| crate::fixed::parse_fixed(p, 4)),
    ) else {
        return;
    };
    let (side, level) = resting_level(order["book_side"] == "bid", price);
    let client_order_id = order["client_order_id"].as_str().unwrap_or_default();
    if let Some(book) = world.book(ledger, ticker) {
        book.apply(side, level, -remaining);
        let event = delta_event(
            ticker,
            book,
            side,
            level,
            -remaining,
            now_ms(),
            Some((key_id, client_order_id)),
        );
        world.push(event);
    }
}

/// Publishes an order's state to its owner's `user_orders` subscriptions, from the REST order.
pub(crate) fn publish_order(world: &mut World<Books>, key_id: &str, order: &Value) {
    let ts = now_ms();
    let mut msg = json!({ "is_yes": order["book_side"] == "bid", "created_ts_ms": ts });
    for field in [
        "order_id",
        "user_id",
        "ticker",
        "exchange_index",
        "status",
        "side",
        "outcome_side",
        "book_side",
        "yes_price_dollars",
        "fill_count_fp",
        "remaining_count_fp",
        "initial_count_fp",
        "taker_fill_cost_dollars",
        "maker_fill_cost_dollars",
        "taker_fees_dollars",
        "maker_fees_dollars",
        "client_order_id",
        "order_group_id",
        "self_trade_prevention_type",
        "created_time",
        "subaccount_number",
    ] {
        msg[field] = order[field].clone();
    }
    world.push(Event {
        channel: USER_ORDERS,
        kind: "user_order",
        market: order["ticker"].as_str().unwrap_or_default().to_string(),
        owner: Some(key_id.to_string()),
        owner_fields: None,
        msg,
    });
}

//! Scripted, seeded market activity: every interval, each market a live subscription names gets a
//! delta (applied to its book first), a trade and a ticker. Also the frames' `msg` builders.

use super::book::{Book, Side};
use super::product::Product;
use super::{Books, Event, World, ORDERBOOK, TICKER, TRADE};
use crate::clock::{now_ms, rfc3339};
use crate::fixed::{count_text, price_text, DOLLAR};
use crate::ledger::Ledger;
use crate::State;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::Duration;

/// Runs `P`'s scripted feed until the exchange is gone.
pub(crate) fn spawn<P: Product>(state: Weak<State>, interval: Duration) {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(state) = state.upgrade() else { return };
            if !state.ws_switch.paused.load(Ordering::Relaxed) {
                tick::<P>(&state);
            }
        }
    });
}

/// The tickers live market-data subscriptions of `P`'s endpoint name.
pub(crate) fn interest<P: Product>(state: &State) -> BTreeSet<String> {
    let conns = P::hub(state).conns.lock().unwrap();
    conns
        .values()
        .flat_map(|c| c.interest.lock().unwrap().clone())
        .collect()
}

fn tick<P: Product>(state: &Arc<State>) {
    let markets = interest::<P>(state);
    let hub = P::hub(state);
    if !markets.is_empty() {
        let mut world = hub.world.lock().unwrap();
        for market in &markets {
            P::script(state, &mut world, market);
        }
        hub.announce(&world);
    }
    hub.trim();
}

/// One round of scripted activity in `market`.
pub(crate) fn scripted(world: &mut World<Books>, ledger: &Ledger, market: &str) {
    let ts = now_ms();
    let mut rng = world.rng.clone();
    let Some(book) = world.book(ledger, market) else {
        return;
    };
    // A delta: a level a few cents below the top, added to or taken from, never crossing.
    let side = if rng.bool() { Side::Yes } else { Side::No };
    let (top, other) = match side {
        Side::Yes => (book.top_yes, Side::No),
        Side::No => (book.top_no, Side::Yes),
    };
    let price = top - rng.i64(0..5) * 100;
    let existing = book.side(side).get(&price).copied().unwrap_or(0);
    let mut delta = rng.i64(1..=50) * 100;
    if existing > 0 && rng.bool() {
        delta = if rng.u8(0..4) == 0 { -existing } else { -delta };
    }
    let crosses = book
        .best(other)
        .is_some_and(|(best, _)| price + best >= DOLLAR);
    let mut events = Vec::new();
    if price > 0 && !(delta > 0 && crosses) {
        book.apply(side, price, delta);
        events.push(delta_event(market, book, side, price, delta, ts, None));
    }
    // A trade at the touch, then the ticker that reports it.
    let taker_yes = rng.bool();
    let yes_price = match (taker_yes, book.best(Side::No), book.best(Side::Yes)) {
        (true, Some((no, _)), _) => DOLLAR - no,
        (false, _, Some((yes, _))) => yes,
        _ => book.top_yes,
    };
    let count = rng.i64(1..=100) * 100;
    world.rng = rng;
    events.extend(trade_events(
        world, ledger, market, yes_price, count, taker_yes, ts,
    ));
    for event in events {
        world.push(event);
    }
}

/// A trade in `market` (it moves the ticker, not the book) and the ticker after it.
pub(crate) fn trade_events(
    world: &mut World<Books>,
    ledger: &Ledger,
    market: &str,
    yes_price: i64,
    count: i64,
    taker_yes: bool,
    ts: u64,
) -> Vec<Event> {
    world.trades += 1;
    let trade_id = format!("00000000-0000-4000-b000-{:012x}", world.trades);
    let Some(book) = world.book(ledger, market) else {
        return Vec::new();
    };
    book.volume += count;
    book.last_price = yes_price;
    book.last_size = count;
    let outcome = if taker_yes { "yes" } else { "no" };
    let trade = Event {
        channel: TRADE,
        kind: "trade",
        market: market.to_string(),
        owner: None,
        owner_fields: None,
        msg: json!({
            "trade_id": trade_id,
            "market_ticker": market,
            "yes_price_dollars": price_text(yes_price),
            "no_price_dollars": price_text(DOLLAR - yes_price),
            "count_fp": count_text(count),
            "taker_side": outcome,
            "taker_outcome_side": outcome,
            "taker_book_side": if taker_yes { "bid" } else { "ask" },
            "is_block_trade": false,
            "ts": ts / 1000,
            "ts_ms": ts,
        }),
    };
    vec![trade, ticker_event(market, book, ts)]
}

/// The `ticker` frame for `market` as its book stands.
pub(crate) fn ticker_event(market: &str, book: &Book, ts: u64) -> Event {
    let (bid, bid_size) = book.best(Side::Yes).unwrap_or((0, 0));
    let (ask, ask_size) = book
        .best(Side::No)
        .map_or((DOLLAR, 0), |(no, size)| (DOLLAR - no, size));
    Event {
        channel: TICKER,
        kind: "ticker",
        market: market.to_string(),
        owner: None,
        owner_fields: None,
        msg: json!({
            "market_id": book.market_id,
            "market_ticker": market,
            "price_dollars": price_text(book.last_price),
            "yes_bid_dollars": price_text(bid),
            "yes_ask_dollars": price_text(ask),
            "volume_fp": count_text(book.volume),
            "open_interest_fp": count_text(book.volume / 2),
            "dollar_volume": book.volume / 200,
            "dollar_open_interest": book.volume / 400,
            "yes_bid_size_fp": count_text(bid_size),
            "yes_ask_size_fp": count_text(ask_size),
            "last_trade_size_fp": count_text(book.last_size),
            "ts": ts / 1000,
            "ts_ms": ts,
            "time": rfc3339(ts),
        }),
    }
}

/// An `orderbook_delta` that has been applied to `book`; `owner` is the key id and
/// `client_order_id` of the order that caused it.
pub(crate) fn delta_event(
    market: &str,
    book: &Book,
    side: Side,
    price: i64,
    delta: i64,
    ts: u64,
    owner: Option<(&str, &str)>,
) -> Event {
    Event {
        channel: ORDERBOOK,
        kind: "orderbook_delta",
        market: market.to_string(),
        owner: owner.map(|(key, _)| key.to_string()),
        owner_fields: owner.map(|(_, id)| json!({ "client_order_id": id })),
        msg: json!({
            "market_ticker": market,
            "market_id": book.market_id,
            "price_dollars": price_text(price),
            "delta_fp": count_text(delta),
            "side": side.as_str(),
            "ts": rfc3339(ts),
            "ts_ms": ts,
        }),
    }
}

/// The `msg` of an `orderbook_snapshot`: bids only, a side without levels absent.
pub(crate) fn snapshot_msg(market: &str, book: &Book) -> Value {
    let mut msg = json!({ "market_ticker": market, "market_id": book.market_id });
    for (side, field) in [(Side::Yes, "yes_dollars_fp"), (Side::No, "no_dollars_fp")] {
        let levels = book.levels(side);
        if !levels.is_empty() {
            msg[field] = json!(levels.into_iter().map(|(p, c)| [p, c]).collect::<Vec<_>>());
        }
    }
    msg
}

/// `n` rounds of trades and deltas for each market of interest, as fast as readers take them:
/// each delta adds or takes one contract at the market's best YES bid, alternately, so the book
/// ends where it started when `n` is even.
pub(crate) fn flood(state: &State, n: usize) {
    let markets = interest::<super::EventContracts>(state);
    let mut world = state.ws.world.lock().unwrap();
    let ts = now_ms();
    for market in &markets {
        for i in 0..n {
            let Some(book) = world.book(&state.ledger, market) else {
                break;
            };
            let price = book.best(Side::Yes).map_or(book.top_yes, |(p, _)| p);
            let delta = if i % 2 == 0 { 100 } else { -100 };
            book.apply(Side::Yes, price, delta);
            let event = delta_event(market, book, Side::Yes, price, delta, ts, None);
            let yes_price = book.top_yes;
            world.push(event);
            let mut trade =
                trade_events(&mut world, &state.ledger, market, yes_price, 100, true, ts);
            trade.truncate(1); // no tickers: floods are about sequenced frames
            for e in trade {
                world.push(e);
            }
        }
    }
    state.ws.announce(&world);
}

/// `n` steps of seeded random order flow spread over `markets` (unlisted tickers are skipped),
/// each step one `orderbook_delta` applied to the market's book first: an add at one of ten
/// levels below the side's top (never crossing), a cancel of part of a level, of all of it or of
/// more than it holds (the level goes), or a trade that takes from the best bid of a side (with
/// its `trade` and `ticker` frames). Counts are in hundredths, fractional ones included. Published
/// as fast as readers take them, whether or not the scripted feed is paused. Returns the deltas
/// published.
pub(crate) fn order_flow(state: &State, markets: &[String], n: usize) -> usize {
    let markets: Vec<&String> = markets
        .iter()
        .filter(|m| state.ledger.by_ticker.contains_key(m.as_str()))
        .collect();
    if markets.is_empty() {
        return 0;
    }
    let mut world = state.ws.world.lock().unwrap();
    let ts = now_ms();
    let mut published = 0;
    for _ in 0..n {
        let mut rng = world.rng.clone();
        let market = markets[rng.usize(..markets.len())];
        let Some(book) = world.book(&state.ledger, market) else {
            continue;
        };
        let side = if rng.bool() { Side::Yes } else { Side::No };
        let step = flow_step(book, side, &mut rng);
        world.rng = rng;
        let Some(FlowStep {
            price,
            delta,
            trade,
        }) = step
        else {
            continue;
        };
        let Some(book) = world.book(&state.ledger, market) else {
            continue;
        };
        book.apply(side, price, delta);
        let event = delta_event(market, book, side, price, delta, ts, None);
        world.push(event);
        published += 1;
        if trade {
            publish_trade(&mut world, &state.ledger, market, side, price, -delta, ts);
        }
    }
    state.ws.announce(&world);
    published
}

/// One step of random order flow on one side of a book: the change at one level, and whether it
/// is a trade taking from that (best) level.
struct FlowStep {
    price: i64,
    delta: i64,
    trade: bool,
}

/// Draws the next step on `side` of `book`: an add (40%, or whenever the side is empty), a cancel
/// (30%) or a trade (30%); `None` for an add that would cross or fall off the price range.
fn flow_step(book: &Book, side: Side, rng: &mut fastrand::Rng) -> Option<FlowStep> {
    let other = match side {
        Side::Yes => Side::No,
        Side::No => Side::Yes,
    };
    let levels: Vec<(i64, i64)> = book.side(side).iter().map(|(&p, &c)| (p, c)).collect();
    let roll = rng.u8(0..10);
    let step = |price, delta, trade| {
        Some(FlowStep {
            price,
            delta,
            trade,
        })
    };
    if roll < 4 || levels.is_empty() {
        // An add, never crossing the other side's best bid.
        let top = match side {
            Side::Yes => book.top_yes,
            Side::No => book.top_no,
        };
        let price = top - rng.i64(0..10) * 100;
        let crosses = book
            .best(other)
            .is_some_and(|(best, _)| price + best >= DOLLAR);
        if price <= 0 || crosses {
            return None;
        }
        step(price, random_size(rng), false)
    } else if roll < 7 {
        // A cancel: part of a level, all of it, or more than it holds.
        let (price, count) = levels[rng.usize(..levels.len())];
        let delta = match rng.u8(0..4) {
            0 => -count,
            1 => -count - random_size(rng),
            _ => -random_size(rng).min(count),
        };
        step(price, delta, false)
    } else {
        // A trade taking from the best bid.
        let (price, count) = *levels.last().expect("not empty");
        step(price, -random_size(rng).min(count), true)
    }
}

/// A random count in hundredths: a whole 1 to 50 contracts mostly, a fractional one in four.
fn random_size(rng: &mut fastrand::Rng) -> i64 {
    if rng.u8(0..4) == 0 {
        rng.i64(1..=5_000)
    } else {
        rng.i64(1..=50) * 100
    }
}

/// Publishes the `trade` (and `ticker`) frames of `qty` contracts sold into the `side` bid at
/// `price`.
fn publish_trade(
    world: &mut World<Books>,
    ledger: &Ledger,
    market: &str,
    side: Side,
    price: i64,
    qty: i64,
    ts: u64,
) {
    // Selling into a YES bid is a NO taker at that YES price; into a NO bid, a YES taker at 1
    // minus it.
    let (yes_price, taker_yes) = match side {
        Side::Yes => (price, false),
        Side::No => (DOLLAR - price, true),
    };
    for e in trade_events(world, ledger, market, yes_price, qty, taker_yes, ts) {
        world.push(e);
    }
}

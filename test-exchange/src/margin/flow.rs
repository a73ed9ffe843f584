//! Seeded random order flow on the perps books, for tests that need many deltas at once: adds
//! behind the touch, cancels and trades of the seeded liquidity, each applied to the
//! authoritative book before its `orderbook_delta` is published. Orders placed over REST are
//! never touched.

use super::book::{MarginBook, Side};
use super::feed::delta_event;
use super::markets::{self, MarketDef};
use super::orders::publish_trade;
use crate::clock::now_ms;
use crate::State;

/// `n` steps of flow spread over `markets` (unlisted tickers are skipped), one delta each;
/// returns the deltas published (a step with nothing to take publishes none).
pub(crate) fn order_flow(state: &State, markets: &[String], n: usize) -> usize {
    let listed: Vec<&'static MarketDef> = markets.iter().filter_map(|m| markets::find(m)).collect();
    if listed.is_empty() {
        return 0;
    }
    let hub = &state.margin_ws;
    let mut world = hub.world.lock().unwrap();
    let ts = now_ms();
    let mut published = 0;
    for _ in 0..n {
        let mut rng = world.rng.clone();
        let def = listed[rng.usize(..listed.len())];
        let side = if rng.bool() { Side::Bid } else { Side::Ask };
        let Some(book) = world.markets.books.get_mut(def.ticker) else {
            continue;
        };
        let step = flow_step(book, def, side, &mut rng);
        world.rng = rng;
        let Some((price, delta, trade)) = step else {
            continue;
        };
        world.push(delta_event(def.ticker, side, price, delta, ts, None, ""));
        published += 1;
        if trade {
            // The taker sold into the bids or bought from the asks: the other side.
            publish_trade(&mut world, def.ticker, side.other(), price, -delta, ts);
        }
    }
    hub.announce(&world);
    published
}

/// One step on `side` of `book`, applied to it: an add (40%, or whenever the side is empty) up to
/// ten ticks behind the touch and never crossing, a cancel of part or all of a level's seeded
/// liquidity (30%), or a trade with the seeded liquidity at the touch (30%). Returns the price,
/// the signed change and whether it was a trade; `None` when nothing changed.
fn flow_step(
    book: &mut MarginBook,
    def: &MarketDef,
    side: Side,
    rng: &mut fastrand::Rng,
) -> Option<(i64, i64, bool)> {
    let levels = book.levels(side);
    let roll = rng.u8(0..10);
    if roll < 4 || levels.is_empty() {
        let touch = book.best(side).map_or_else(
            || match side {
                Side::Bid => book.mark() / def.tick * def.tick - def.tick,
                Side::Ask => (book.mark() + def.tick - 1) / def.tick * def.tick + def.tick,
            },
            |(p, _)| p,
        );
        let away = rng.i64(0..10) * def.tick;
        let price = match side {
            Side::Bid => touch - away,
            Side::Ask => touch + away,
        };
        let crosses = book
            .best(side.other())
            .is_some_and(|(best, _)| side.crosses(price, best));
        if price <= 0 || crosses {
            return None;
        }
        let size = random_size(rng);
        book.add(side, price, None, size);
        return Some((price, size, false));
    }
    let (price, trade) = if roll < 7 {
        (levels[rng.usize(..levels.len())].0, false)
    } else {
        (levels[0].0, true)
    };
    let seeded = book.seeded(side, price);
    let want = if rng.u8(0..4) == 0 {
        seeded
    } else {
        random_size(rng).min(seeded)
    };
    let taken = book.take_seeded(side, price, want);
    (taken > 0).then_some((price, -taken, trade))
}

/// A random count in hundredths: a whole 1 to 50 contracts mostly, a fractional one in four.
fn random_size(rng: &mut fastrand::Rng) -> i64 {
    if rng.u8(0..4) == 0 {
        rng.i64(1..=5_000)
    } else {
        rng.i64(1..=50) * 100
    }
}

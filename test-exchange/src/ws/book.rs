//! Order books in exact fixed-point: prices in ten-thousandths of a dollar, counts in hundredths
//! of a contract, both `i64`, so a book rebuilt from snapshots and deltas compares exactly.

use crate::fixed::{count_text, price_text, DOLLAR};
use std::collections::BTreeMap;

/// Which book side: YES bids or NO bids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Yes,
    No,
}

impl Side {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Yes => "yes",
            Side::No => "no",
        }
    }
}

/// The authoritative book of one market: bids on both sides, price → count.
#[derive(Debug, Clone)]
pub(crate) struct Book {
    pub(crate) market_id: String,
    yes: BTreeMap<i64, i64>,
    no: BTreeMap<i64, i64>,
    /// The best prices the scripted liquidity may quote (from the market's listed quotes), so the
    /// feed never crosses the book.
    pub(crate) top_yes: i64,
    pub(crate) top_no: i64,
    pub(crate) volume: i64,
    pub(crate) last_price: i64,
    pub(crate) last_size: i64,
}

impl Book {
    /// Five levels a cent apart on each side below the listed bid (YES) and `1 - ask` (NO).
    pub(crate) fn new(
        market_id: String,
        yes_bid: i64,
        yes_ask: i64,
        rng: &mut fastrand::Rng,
    ) -> Self {
        let top_no = DOLLAR - yes_ask;
        let mut book = Self {
            market_id,
            yes: BTreeMap::new(),
            no: BTreeMap::new(),
            top_yes: yes_bid,
            top_no,
            volume: 0,
            last_price: yes_bid,
            last_size: 0,
        };
        for k in 0..5 {
            for (side, top) in [(Side::Yes, yes_bid), (Side::No, top_no)] {
                let price = top - k * 100;
                if price > 0 {
                    book.apply(side, price, rng.i64(10..=300) * 100);
                }
            }
        }
        book
    }

    fn side_mut(&mut self, side: Side) -> &mut BTreeMap<i64, i64> {
        match side {
            Side::Yes => &mut self.yes,
            Side::No => &mut self.no,
        }
    }

    pub(crate) fn side(&self, side: Side) -> &BTreeMap<i64, i64> {
        match side {
            Side::Yes => &self.yes,
            Side::No => &self.no,
        }
    }

    /// Adds `delta` at `price`; a level at zero or below is removed.
    pub(crate) fn apply(&mut self, side: Side, price: i64, delta: i64) {
        let levels = self.side_mut(side);
        let count = levels.entry(price).or_insert(0);
        *count += delta;
        if *count <= 0 {
            levels.remove(&price);
        }
    }

    /// The best (highest) bid on a side, with its count.
    pub(crate) fn best(&self, side: Side) -> Option<(i64, i64)> {
        self.side(side).iter().next_back().map(|(&p, &c)| (p, c))
    }

    /// The levels of a side, best first, as text.
    pub(crate) fn levels(&self, side: Side) -> Vec<(String, String)> {
        self.side(side)
            .iter()
            .rev()
            .map(|(&p, &c)| (price_text(p), count_text(c)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_at_zero_or_below_is_gone() {
        let mut rng = fastrand::Rng::with_seed(1);
        let mut book = Book::new("m".into(), 5600, 5800, &mut rng);
        let (p, c) = book.best(Side::Yes).unwrap();
        assert_eq!(p, 5600);
        book.apply(Side::Yes, p, -c - 100);
        assert_ne!(book.best(Side::Yes).unwrap().0, 5600);
        assert_eq!(book.best(Side::No).unwrap().0, 4200);
    }
}

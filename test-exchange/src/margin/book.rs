//! A perps order book: bids and asks on one instrument, each level a first-in first-out queue of
//! resting quantities, either a user's order or the anonymous seeded liquidity.

use crate::fixed::{count_text, price_text};
use std::collections::{BTreeMap, VecDeque};

/// A book side, named as the perps specs name it (`BookSide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    Bid,
    Ask,
}

impl Side {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Bid => "bid",
            Side::Ask => "ask",
        }
    }

    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text {
            "bid" => Some(Side::Bid),
            "ask" => Some(Side::Ask),
            _ => None,
        }
    }

    pub(crate) fn other(self) -> Self {
        match self {
            Side::Bid => Side::Ask,
            Side::Ask => Side::Bid,
        }
    }

    /// Whether an order on this side at `limit` trades with a resting order at `resting`.
    pub(crate) fn crosses(self, limit: i64, resting: i64) -> bool {
        match self {
            Side::Bid => limit >= resting,
            Side::Ask => limit <= resting,
        }
    }
}

/// A quantity resting at a level: a user's order (`Some(order_id)`) or seeded liquidity.
#[derive(Debug, Clone)]
pub(crate) struct Resting {
    pub(crate) order_id: Option<String>,
    pub(crate) count: i64,
}

/// One side's levels, price to queue.
type Ladder = BTreeMap<i64, VecDeque<Resting>>;

/// The authoritative book of one perps market, with its last trade and volume.
#[derive(Debug, Clone, Default)]
pub(crate) struct MarginBook {
    bids: Ladder,
    asks: Ladder,
    pub(crate) last_price: i64,
    pub(crate) last_size: i64,
    pub(crate) volume: i64,
    /// The notional value of `volume`, in millionths of a dollar.
    pub(crate) volume_notional: i64,
}

impl MarginBook {
    fn ladder(&self, side: Side) -> &Ladder {
        match side {
            Side::Bid => &self.bids,
            Side::Ask => &self.asks,
        }
    }

    fn ladder_mut(&mut self, side: Side) -> &mut Ladder {
        match side {
            Side::Bid => &mut self.bids,
            Side::Ask => &mut self.asks,
        }
    }

    /// Queues `count` at `price` behind what rests there.
    pub(crate) fn add(&mut self, side: Side, price: i64, order_id: Option<String>, count: i64) {
        let queue = self.ladder_mut(side).entry(price).or_default();
        match queue.back_mut() {
            Some(last) if order_id.is_none() && last.order_id.is_none() => last.count += count,
            _ => queue.push_back(Resting { order_id, count }),
        }
    }

    /// Takes up to `count` of the seeded liquidity at `price`, oldest first; returns how much.
    pub(crate) fn take_seeded(&mut self, side: Side, price: i64, count: i64) -> i64 {
        let mut taken = 0;
        if let Some(queue) = self.ladder_mut(side).get_mut(&price) {
            for resting in queue.iter_mut().filter(|r| r.order_id.is_none()) {
                let n = resting.count.min(count - taken);
                resting.count -= n;
                taken += n;
            }
        }
        self.tidy(side, price);
        taken
    }

    /// Takes up to `count` of order `order_id` at `price`; returns how much.
    pub(crate) fn take_order(&mut self, side: Side, price: i64, order_id: &str, count: i64) -> i64 {
        let mut taken = 0;
        if let Some(queue) = self.ladder_mut(side).get_mut(&price) {
            if let Some(r) = queue
                .iter_mut()
                .find(|r| r.order_id.as_deref() == Some(order_id))
            {
                taken = r.count.min(count);
                r.count -= taken;
            }
        }
        self.tidy(side, price);
        taken
    }

    /// The queue at `price`, oldest first.
    pub(crate) fn queue(&self, side: Side, price: i64) -> Vec<Resting> {
        self.ladder(side)
            .get(&price)
            .map_or_else(Vec::new, |q| q.iter().cloned().collect())
    }

    /// Drops emptied entries and an emptied level.
    fn tidy(&mut self, side: Side, price: i64) {
        let ladder = self.ladder_mut(side);
        if let Some(queue) = ladder.get_mut(&price) {
            queue.retain(|r| r.count > 0);
            if queue.is_empty() {
                ladder.remove(&price);
            }
        }
    }

    /// The best level of a side (highest bid, lowest ask) and its total count.
    pub(crate) fn best(&self, side: Side) -> Option<(i64, i64)> {
        let ladder = self.ladder(side);
        let level = match side {
            Side::Bid => ladder.iter().next_back(),
            Side::Ask => ladder.iter().next(),
        };
        level.map(|(&price, queue)| (price, total(queue)))
    }

    /// The seeded count at `price`.
    pub(crate) fn seeded(&self, side: Side, price: i64) -> i64 {
        self.ladder(side).get(&price).map_or(0, |queue| {
            queue
                .iter()
                .filter(|r| r.order_id.is_none())
                .map(|r| r.count)
                .sum()
        })
    }

    /// A side's levels, best first, as `(price, total count)`.
    pub(crate) fn levels(&self, side: Side) -> Vec<(i64, i64)> {
        let levels = self.ladder(side).iter().map(|(&p, q)| (p, total(q)));
        match side {
            Side::Bid => levels.rev().collect(),
            Side::Ask => levels.collect(),
        }
    }

    /// A side's levels, best first, as Kalshi writes them (`("95.0100", "12.00")`).
    pub(crate) fn level_texts(&self, side: Side) -> Vec<(String, String)> {
        self.levels(side)
            .into_iter()
            .map(|(p, c)| (price_text(p), count_text(c)))
            .collect()
    }

    /// The open interest `(count, notional)`: the exchange does not track who holds what across
    /// the seeded liquidity, so half the volume stands for it, wherever it is reported.
    pub(crate) fn open_interest(&self) -> (i64, i64) {
        (self.volume / 2, self.volume_notional / 2)
    }

    /// The middle of the best bid and ask, or the last price when a side is empty.
    pub(crate) fn mark(&self) -> i64 {
        match (self.best(Side::Bid), self.best(Side::Ask)) {
            (Some((bid, _)), Some((ask, _))) => (bid + ask) / 2,
            _ => self.last_price,
        }
    }
}

fn total(queue: &VecDeque<Resting>) -> i64 {
    queue.iter().map(|r| r.count).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_is_a_queue_and_asks_are_best_lowest() {
        let mut book = MarginBook::default();
        book.add(Side::Ask, 101, None, 500);
        book.add(Side::Ask, 101, Some("o1".into()), 300);
        book.add(Side::Ask, 102, None, 100);
        book.add(Side::Bid, 99, None, 100);
        assert_eq!(book.best(Side::Ask), Some((101, 800)));
        assert_eq!(book.best(Side::Bid), Some((99, 100)));
        book.add(Side::Ask, 101, None, 50);
        let queue = book.queue(Side::Ask, 101);
        assert_eq!(queue.len(), 3, "seeded, the order, seeded behind it");
        assert_eq!(queue[1].order_id.as_deref(), Some("o1"));
        assert_eq!(book.take_seeded(Side::Ask, 101, 520), 520);
        assert_eq!(book.seeded(Side::Ask, 101), 30);
        assert_eq!(book.take_order(Side::Ask, 101, "o1", 500), 300);
        assert_eq!(book.take_seeded(Side::Ask, 101, 500), 30);
        assert_eq!(book.levels(Side::Ask), vec![(102, 100)]);
        assert_eq!(book.mark(), 100);
    }
}

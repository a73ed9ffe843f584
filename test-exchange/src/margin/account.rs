//! A key's margin account: settled funds, positions, and the margin rules of the module docs
//! ([`super`]). Money is in millionths of a dollar (a price in ten-thousandths times a count in
//! hundredths), so every figure is exact.

use super::book::Side;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What every key starts with: $10,000.
const OPENING_FUNDS: i64 = 10_000 * MICROS;
/// One dollar in money units.
const MICROS: i64 = 1_000_000;
/// Initial margin, in percent of notional.
pub(crate) const INITIAL_PCT: i64 = 10;
/// Maintenance margin, in percent of notional.
pub(crate) const MAINTENANCE_PCT: i64 = 5;
/// The taker fee, in basis points of notional.
pub(crate) const TAKER_FEE_BPS: i64 = 5;

/// `"10000.0000"`, or up to six decimals when the figure needs them, as Kalshi's responses emit.
pub(crate) fn money_text(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let (whole, frac) = (micros.abs() / MICROS, micros.abs() % MICROS);
    let mut text = format!("{sign}{whole}.{frac:06}");
    while text.ends_with('0') && text.len() - text.find('.').unwrap_or(0) > 5 {
        text.pop();
    }
    text
}

/// The notional value of `count` (hundredths) at `price` (ten-thousandths), in money units.
pub(crate) fn notional(price: i64, count: i64) -> i64 {
    price * count.abs()
}

/// The fee a fill pays: the taker's 5 bps, rounded down; nothing for a maker.
pub(crate) fn fee(price: i64, count: i64, is_taker: bool) -> i64 {
    if is_taker {
        notional(price, count) * TAKER_FEE_BPS / 10_000
    } else {
        0
    }
}

/// The margin a resting order reserves.
pub(crate) fn order_reserve(price: i64, remaining: i64) -> i64 {
    notional(price, remaining) * INITIAL_PCT / 100
}

/// A position in one market.
#[derive(Debug, Clone, Default)]
pub(crate) struct Position {
    /// Signed, in hundredths: long above zero.
    pub(crate) count: i64,
    /// The average entry price, in ten-thousandths.
    pub(crate) entry_price: i64,
    pub(crate) realized_pnl: i64,
    pub(crate) fees: i64,
}

/// What a fill did to a position.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Applied {
    pub(crate) realized_pnl: i64,
    pub(crate) fee: i64,
}

/// A key's margin account: its primary subaccount (0), which holds every position and order, and
/// the settled funds of its numbered subaccounts ([`super::subaccounts`]).
#[derive(Debug, Clone)]
pub(crate) struct Account {
    /// Settled funds of the primary subaccount: opening funds plus realized profit and loss, less
    /// fees, plus transfers in, less transfers out.
    pub(crate) cash: i64,
    pub(crate) positions: BTreeMap<String, Position>,
    /// The settled funds of subaccounts 1, 2, ..., in money units.
    pub(crate) subaccounts: Vec<i64>,
    /// The `client_transfer_id`s of the transfers between subaccounts already applied.
    pub(crate) transfer_ids: HashSet<String>,
}

impl Default for Account {
    fn default() -> Self {
        Self {
            cash: OPENING_FUNDS,
            positions: BTreeMap::new(),
            subaccounts: Vec::new(),
            transfer_ids: HashSet::new(),
        }
    }
}

impl Account {
    /// Books a fill of `count` on `side` at `price`.
    pub(crate) fn apply_fill(
        &mut self,
        ticker: &str,
        side: Side,
        price: i64,
        count: i64,
        is_taker: bool,
    ) -> Applied {
        let fee = fee(price, count, is_taker);
        let position = self.positions.entry(ticker.to_string()).or_default();
        let signed = if side == Side::Bid { count } else { -count };
        let mut realized = 0;
        if position.count == 0 || position.count.signum() == signed.signum() {
            let held = position.count.abs();
            position.entry_price = (position.entry_price * held + price * count) / (held + count);
        } else {
            let closed = count.min(position.count.abs());
            realized = (price - position.entry_price) * closed * position.count.signum();
            if count > closed {
                position.entry_price = price;
            }
        }
        position.count += signed;
        if position.count == 0 {
            position.entry_price = 0;
        }
        position.realized_pnl += realized;
        position.fees += fee;
        self.cash += realized - fee;
        Applied {
            realized_pnl: realized,
            fee,
        }
    }

    /// The unrealized profit and loss of `position` at `mark`.
    pub(crate) fn unrealized(position: &Position, mark: i64) -> i64 {
        (mark - position.entry_price) * position.count
    }

    /// The balance figures at `marks`, with `resting` the reserve of the key's resting orders.
    pub(crate) fn balance(&self, marks: &HashMap<&str, i64>, resting: i64) -> Balance {
        let mut balance = Balance {
            resting_orders_margin: resting,
            account_equity: self.cash,
            ..Balance::default()
        };
        for (ticker, position) in &self.positions {
            let mark = marks
                .get(ticker.as_str())
                .copied()
                .unwrap_or(position.entry_price);
            let value = notional(mark, position.count);
            balance.position_value += mark * position.count;
            balance.account_equity += Self::unrealized(position, mark);
            balance.initial_margin += value * INITIAL_PCT / 100;
            balance.maintenance_margin += value * MAINTENANCE_PCT / 100;
        }
        balance.available_balance =
            balance.account_equity - balance.initial_margin - balance.resting_orders_margin;
        balance
    }
}

/// A `MarginSubaccountBalance`'s figures, in money units.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Balance {
    pub(crate) position_value: i64,
    pub(crate) account_equity: i64,
    pub(crate) maintenance_margin: i64,
    pub(crate) initial_margin: i64,
    pub(crate) resting_orders_margin: i64,
    pub(crate) available_balance: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_move_the_position_and_realize_on_the_way_back() {
        let mut account = Account::default();
        // Buy 10 at $95, taker: 5 bps of $950 is $0.475.
        let a = account.apply_fill("X", Side::Bid, 950_000, 1_000, true);
        assert_eq!(money_text(a.fee), "0.4750");
        assert_eq!(account.positions["X"].count, 1_000);
        // Sell 4 at $96 as a maker: $4 realized.
        let a = account.apply_fill("X", Side::Ask, 960_000, 400, false);
        assert_eq!(money_text(a.realized_pnl), "4.0000");
        assert_eq!(money_text(account.cash), "10003.5250");
        // Sell 10 more at $96: closes 6 (+$6), then 4 short from $96.
        account.apply_fill("X", Side::Ask, 960_000, 1_000, false);
        let position = &account.positions["X"];
        assert_eq!((position.count, position.entry_price), (-400, 960_000));
        let marks = HashMap::from([("X", 950_000)]);
        let balance = account.balance(&marks, 0);
        // Short 4 from $96 at a mark of $95: $4 up; initial margin 10% of $380.
        assert_eq!(money_text(balance.account_equity), "10013.5250");
        assert_eq!(money_text(balance.initial_margin), "38.0000");
    }

    #[test]
    fn money_text_keeps_four_decimals_at_least() {
        assert_eq!(money_text(0), "0.0000");
        assert_eq!(money_text(-1_500_000), "-1.5000");
        assert_eq!(money_text(1_234_567), "1.234567");
    }
}

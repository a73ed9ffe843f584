//! Margin orders, fills and public trades, and the matching of [`super`]'s rules: an order trades
//! with what it crosses, then rests or is dropped; each step is published to the margin
//! WebSocket log.

use super::account::{fee, money_text, notional, order_reserve};
use super::book::Side;
use super::feed;
use super::Margin;
use crate::clock::{now_ms, rfc3339};
use crate::error::ApiError;
use crate::fixed::{count_text, price_text};
use crate::ws::World;
use axum::http::StatusCode;
use serde_json::{json, Value};

/// The `user_id` every order reports.
pub(crate) const USER_ID: &str = "00000000-0000-4000-c000-000000000001";

/// How much of an order may rest after it has traded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeInForce {
    GoodTillCanceled,
    ImmediateOrCancel,
    FillOrKill,
}

/// A margin order, as the order reads report it.
#[derive(Debug, Clone)]
pub(crate) struct MarginOrder {
    pub(crate) order_id: String,
    pub(crate) key_id: String,
    pub(crate) client_order_id: String,
    pub(crate) ticker: String,
    pub(crate) side: Side,
    pub(crate) price: i64,
    pub(crate) fill_count: i64,
    pub(crate) remaining: i64,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
    pub(crate) last_update_reason: &'static str,
    pub(crate) self_trade_prevention: String,
    pub(crate) cancel_order_on_pause: bool,
    pub(crate) order_group_id: Option<String>,
    /// Whether it ended by a cancel of any kind rather than by filling.
    pub(crate) canceled: bool,
}

impl MarginOrder {
    /// `resting`, `executed` (filled whole) or `canceled`.
    pub(crate) fn status(&self) -> &'static str {
        if self.remaining > 0 {
            "resting"
        } else if self.canceled {
            "canceled"
        } else {
            "executed"
        }
    }

    /// The `MarginOrder` JSON of the REST reads.
    pub(crate) fn json(&self) -> Value {
        let mut order = json!({
            "order_id": self.order_id,
            "user_id": USER_ID,
            "client_order_id": self.client_order_id,
            "ticker": self.ticker,
            "side": self.side.as_str(),
            "last_update_reason": self.last_update_reason,
            "price": price_text(self.price),
            "fill_count": count_text(self.fill_count),
            "remaining_count": count_text(self.remaining),
            "expiration_time": null,
            "created_time": rfc3339(self.created_ms),
            "last_update_time": rfc3339(self.updated_ms),
            "self_trade_prevention_type": self.self_trade_prevention,
            "cancel_order_on_pause": self.cancel_order_on_pause,
            "order_source": "user",
        });
        if let Some(group) = &self.order_group_id {
            order["order_group_id"] = json!(group);
        }
        order
    }

    /// The `msg` of its `user_order` frame.
    pub(crate) fn user_order_msg(&self) -> Value {
        let mut msg = json!({
            "order_id": self.order_id,
            "user_id": USER_ID,
            "client_order_id": self.client_order_id,
            "ticker": self.ticker,
            "side": self.side.as_str(),
            "price": price_text(self.price),
            "fill_count": count_text(self.fill_count),
            "remaining_count": count_text(self.remaining),
            "self_trade_prevention_type": self.self_trade_prevention,
            "created_ts_ms": self.created_ms,
            "last_updated_ts_ms": self.updated_ms,
            "subaccount_number": 0,
            "order_source": "user",
        });
        if !self.last_update_reason.is_empty() {
            msg["last_update_reason"] = json!(self.last_update_reason);
        }
        if let Some(group) = &self.order_group_id {
            msg["order_group_id"] = json!(group);
        }
        msg
    }

    /// Marks it changed now, for `reason`.
    pub(crate) fn touch(&mut self, reason: &'static str) {
        self.updated_ms = now_ms();
        self.last_update_reason = reason;
    }
}

/// One side of a trade, as its owner's fill.
#[derive(Debug, Clone)]
pub(crate) struct Fill {
    pub(crate) trade_id: String,
    pub(crate) order_id: String,
    pub(crate) key_id: String,
    pub(crate) client_order_id: String,
    pub(crate) ticker: String,
    pub(crate) side: Side,
    pub(crate) is_taker: bool,
    pub(crate) price: i64,
    pub(crate) count: i64,
    pub(crate) ts_ms: u64,
    pub(crate) entry_price: i64,
    pub(crate) fee: i64,
    pub(crate) realized_pnl: i64,
    pub(crate) post_position: i64,
}

impl Fill {
    /// The `MarginFill` JSON of `GET /margin/fills`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "fill_id": self.trade_id,
            "order_id": self.order_id,
            "is_taker": self.is_taker,
            "side": self.side.as_str(),
            "count": count_text(self.count),
            "created_time": rfc3339(self.ts_ms),
            "ticker": self.ticker,
            "price": price_text(self.price),
            "entry_price": price_text(self.entry_price),
            "fees": money_text(self.fee),
            "realized_pnl": money_text(self.realized_pnl),
            "order_source": "user",
        })
    }

    /// The `msg` of its `fill` frame.
    pub(crate) fn msg(&self) -> Value {
        json!({
            "trade_id": self.trade_id,
            "order_id": self.order_id,
            "client_order_id": self.client_order_id,
            "market_ticker": self.ticker,
            "is_taker": self.is_taker,
            "side": self.side.as_str(),
            "ts_ms": self.ts_ms,
            "price": price_text(self.price),
            "count": count_text(self.count),
            "fee_cost": money_text(self.fee),
            "post_position": count_text(self.post_position),
            "subaccount": 0,
            "order_source": "user",
        })
    }
}

/// A public trade.
#[derive(Debug, Clone)]
pub(crate) struct Trade {
    pub(crate) number: u64,
    pub(crate) trade_id: String,
    pub(crate) ticker: String,
    pub(crate) taker_side: Side,
    pub(crate) price: i64,
    pub(crate) count: i64,
    pub(crate) ts_ms: u64,
    /// The book's best bid and ask (0 for none) and open interest `(count, notional)` just
    /// after it, for candlesticks.
    pub(crate) after: After,
}

/// A market's top of book and open interest at a moment.
#[derive(Debug, Clone, Copy)]
pub(crate) struct After {
    pub(crate) bid: i64,
    pub(crate) ask: i64,
    pub(crate) open_interest: (i64, i64),
}

impl Trade {
    /// The `MarginTrade` JSON of `GET /margin/trades`.
    pub(crate) fn json(&self) -> Value {
        json!({
            "trade_id": self.trade_id,
            "ticker": self.ticker,
            "count": count_text(self.count),
            "price": price_text(self.price),
            "created_time": rfc3339(self.ts_ms),
            "taker_side": self.taker_side.as_str(),
        })
    }

    /// The `msg` of its `trade` frame.
    pub(crate) fn msg(&self) -> Value {
        json!({
            "trade_id": self.trade_id,
            "market_ticker": self.ticker,
            "price": price_text(self.price),
            "count": count_text(self.count),
            "taker_side": self.taker_side.as_str(),
            "ts_ms": self.ts_ms,
        })
    }
}

/// How an order meets the book: its time in force and what to do where it meets its own key.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terms {
    pub(crate) time_in_force: TimeInForce,
    pub(crate) post_only: bool,
}

/// What an order's execution came to: contracts filled and what they cost.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Execution {
    pub(crate) filled: i64,
    /// Money paid for the fills, for the average price.
    pub(crate) notional: i64,
    pub(crate) fees: i64,
}

impl Execution {
    /// `average_fill_price` and `average_fee_paid` (per contract), `None` before any fill.
    pub(crate) fn averages(&self) -> (Option<String>, Option<String>) {
        if self.filled == 0 {
            return (None, None);
        }
        (
            Some(price_text(self.notional / self.filled)),
            Some(money_text(self.fees * 100 / self.filled)),
        )
    }
}

/// Refuses an order whose reserve exceeds the key's available balance.
pub(crate) fn check_margin(
    margin: &Margin,
    key_id: &str,
    price: i64,
    count: i64,
) -> Result<(), ApiError> {
    let available = margin.balance(key_id).0.available_balance;
    let needed = order_reserve(price, count);
    if needed > available {
        return Err(ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "insufficient_balance",
            message: "insufficient balance",
            details: format!(
                "the order reserves {} and {} is available",
                money_text(needed),
                money_text(available)
            ),
        });
    }
    Ok(())
}

/// Matches `order` (its `remaining` still to place) against the book, then rests or drops what
/// is left, publishing every step; the order is stored as it ends.
pub(crate) fn execute(
    world: &mut World<Margin>,
    mut order: MarginOrder,
    terms: Terms,
) -> Execution {
    let mut done = Execution::default();
    let crossing = best_crossing(world, &order).is_some();
    let short =
        terms.time_in_force == TimeInForce::FillOrKill && fillable(world, &order) < order.remaining;
    if (terms.post_only && crossing) || short {
        order.remaining = 0;
        order.canceled = true;
        order.touch(if short { "" } else { "PostOnlyCrossCancel" });
    } else {
        match_order(world, &mut order, &mut done);
        rest_or_drop(world, &mut order, terms);
    }
    let event = feed::user_order_event(&order);
    world.push(event);
    world.markets.orders.insert(order.order_id.clone(), order);
    done
}

/// The best opposite price `order` crosses.
fn best_crossing(world: &World<Margin>, order: &MarginOrder) -> Option<i64> {
    let book = world.markets.books.get(&order.ticker)?;
    let (price, _) = book.best(order.side.other())?;
    order.side.crosses(order.price, price).then_some(price)
}

/// How much `order` could take from the book at its limit, its own key's orders aside.
fn fillable(world: &World<Margin>, order: &MarginOrder) -> i64 {
    let Some(book) = world.markets.books.get(&order.ticker) else {
        return 0;
    };
    let margin = &world.markets;
    book.levels(order.side.other())
        .into_iter()
        .take_while(|(price, _)| order.side.crosses(order.price, *price))
        .flat_map(|(price, _)| book.queue(order.side.other(), price))
        .filter(|r| !owned_by(margin, r.order_id.as_deref(), &order.key_id))
        .map(|r| r.count)
        .sum()
}

fn owned_by(margin: &Margin, order_id: Option<&str>, key_id: &str) -> bool {
    order_id
        .and_then(|id| margin.orders.get(id))
        .is_some_and(|o| o.key_id == key_id)
}

/// Trades `order` with the queue of each level it crosses, oldest first.
fn match_order(world: &mut World<Margin>, order: &mut MarginOrder, done: &mut Execution) {
    while order.remaining > 0 {
        let Some(price) = best_crossing(world, order) else {
            return;
        };
        let queue = world.markets.books[&order.ticker].queue(order.side.other(), price);
        for resting in queue {
            if order.remaining == 0 {
                return;
            }
            let own = owned_by(&world.markets, resting.order_id.as_deref(), &order.key_id);
            if own && order.self_trade_prevention == "taker_at_cross" {
                order.canceled = true;
                order.touch("SelfTradeCancel");
                order.remaining = 0;
                return;
            }
            let maker = resting.order_id.as_deref();
            if own {
                cancel_resting(world, maker.unwrap_or_default(), "SelfTradeCancel");
                continue;
            }
            let qty = resting.count.min(order.remaining);
            trade(world, order, maker, price, qty, done);
        }
    }
}

/// One trade of `qty` at `price` between `order` and the resting `maker` (seeded when `None`).
fn trade(
    world: &mut World<Margin>,
    order: &mut MarginOrder,
    maker: Option<&str>,
    price: i64,
    qty: i64,
    done: &mut Execution,
) {
    let ts = now_ms();
    let side = order.side.other();
    let book = world
        .markets
        .books
        .get_mut(&order.ticker)
        .expect("a listed market");
    match maker {
        Some(id) => book.take_order(side, price, id, qty),
        None => book.take_seeded(side, price, qty),
    };
    let owner = (order.key_id.as_str(), order.client_order_id.as_str());
    let delta = feed::delta_event(&order.ticker, side, price, -qty, ts, Some(owner), "Trade");
    world.push(delta);
    let trade_id = publish_trade(world, &order.ticker, order.side, price, qty, ts);
    order.fill_count += qty;
    order.remaining -= qty;
    order.touch("Trade");
    done.filled += qty;
    done.notional += notional(price, qty);
    done.fees += fee(price, qty, true);
    book_fill(world, order, &trade_id, price, qty, true);
    if let Some(mut resting) = maker.and_then(|id| world.markets.orders.get(id).cloned()) {
        resting.fill_count += qty;
        resting.remaining -= qty;
        resting.touch("Trade");
        book_fill(world, &resting, &trade_id, price, qty, false);
        world.push(feed::user_order_event(&resting));
        super::groups::count_fill(world, &resting, qty);
        world
            .markets
            .orders
            .insert(resting.order_id.clone(), resting);
    }
    super::groups::count_fill(world, order, qty);
}

/// The public trade and the ticker after it: moves the book's last price and volume. Returns the
/// trade id.
pub(crate) fn publish_trade(
    world: &mut World<Margin>,
    ticker: &str,
    taker_side: Side,
    price: i64,
    qty: i64,
    ts: u64,
) -> String {
    let margin = &mut world.markets;
    margin.trade_count += 1;
    let book = margin.books.get_mut(ticker).expect("a listed market");
    book.last_price = price;
    book.last_size = qty;
    book.volume += qty;
    book.volume_notional += notional(price, qty);
    let trade = Trade {
        number: margin.trade_count,
        trade_id: format!("00000000-0000-4000-b000-{:012x}", margin.trade_count),
        ticker: ticker.to_string(),
        taker_side,
        price,
        count: qty,
        ts_ms: ts,
        after: After {
            bid: book.best(Side::Bid).map_or(0, |(p, _)| p),
            ask: book.best(Side::Ask).map_or(0, |(p, _)| p),
            open_interest: book.open_interest(),
        },
    };
    let ticker_event = feed::ticker_event(ticker, book, ts);
    let trade_event = feed::trade_event(&trade);
    let trade_id = trade.trade_id.clone();
    margin.record_trade(trade);
    world.push(trade_event);
    world.push(ticker_event);
    trade_id
}

/// Books one side of a trade on its owner's account and publishes the fill.
fn book_fill(
    world: &mut World<Margin>,
    order: &MarginOrder,
    trade_id: &str,
    price: i64,
    qty: i64,
    is_taker: bool,
) {
    let account = world.markets.account(&order.key_id);
    let applied = account.apply_fill(&order.ticker, order.side, price, qty, is_taker);
    let position = account.positions[&order.ticker].clone();
    let fill = Fill {
        trade_id: trade_id.to_string(),
        order_id: order.order_id.clone(),
        key_id: order.key_id.clone(),
        client_order_id: order.client_order_id.clone(),
        ticker: order.ticker.clone(),
        side: order.side,
        is_taker,
        price,
        count: qty,
        ts_ms: now_ms(),
        entry_price: position.entry_price,
        fee: applied.fee,
        realized_pnl: applied.realized_pnl,
        post_position: position.count,
    };
    world.push(feed::fill_event(&fill, &order.key_id));
    world.markets.fills.push(fill);
}

/// Rests what is left of a good-till-canceled order; drops it otherwise.
fn rest_or_drop(world: &mut World<Margin>, order: &mut MarginOrder, terms: Terms) {
    if order.remaining == 0 {
        return;
    }
    if terms.time_in_force != TimeInForce::GoodTillCanceled
        || super::groups::is_triggered(&world.markets, order.order_group_id.as_deref())
    {
        order.remaining = 0;
        order.canceled = true;
        return;
    }
    let book = world
        .markets
        .books
        .get_mut(&order.ticker)
        .expect("a listed market");
    book.add(
        order.side,
        order.price,
        Some(order.order_id.clone()),
        order.remaining,
    );
    let owner = (order.key_id.as_str(), order.client_order_id.as_str());
    let reason = order.last_update_reason;
    let delta = feed::delta_event(
        &order.ticker,
        order.side,
        order.price,
        order.remaining,
        now_ms(),
        Some(owner),
        reason,
    );
    world.push(delta);
}

/// Takes `by` contracts of resting order `order_id` off the book (all of them when `by` is at
/// least what rests), publishing the delta and the order: how many were taken.
pub(crate) fn reduce(
    world: &mut World<Margin>,
    order_id: &str,
    by: i64,
    reason: &'static str,
) -> i64 {
    let Some(mut order) = world.markets.orders.get(order_id).cloned() else {
        return 0;
    };
    let taken = lift(world, &order, by, reason);
    order.remaining -= taken;
    order.canceled |= order.remaining == 0;
    order.touch(reason);
    world.push(feed::user_order_event(&order));
    world.markets.orders.insert(order.order_id.clone(), order);
    taken
}

/// Takes up to `count` of what rests of `order` off the book (its `remaining` stays as it was),
/// publishing the delta: how many were taken.
pub(crate) fn lift(
    world: &mut World<Margin>,
    order: &MarginOrder,
    count: i64,
    reason: &'static str,
) -> i64 {
    let book = world
        .markets
        .books
        .get_mut(&order.ticker)
        .expect("a listed market");
    let count = count.min(order.remaining);
    let taken = book.take_order(order.side, order.price, &order.order_id, count);
    if taken > 0 {
        let owner = (order.key_id.as_str(), order.client_order_id.as_str());
        let delta = feed::delta_event(
            &order.ticker,
            order.side,
            order.price,
            -taken,
            now_ms(),
            Some(owner),
            reason,
        );
        world.push(delta);
    }
    taken
}

/// The number in an id `Margin::new_id` made, for ordering and cursors.
pub(crate) fn id_number(id: &str) -> u64 {
    id.rsplit('-')
        .next()
        .and_then(|n| u64::from_str_radix(n, 16).ok())
        .unwrap_or(0)
}

/// Cancels what rests of `order_id`: how many contracts that was.
pub(crate) fn cancel_resting(
    world: &mut World<Margin>,
    order_id: &str,
    reason: &'static str,
) -> i64 {
    reduce(world, order_id, i64::MAX, reason)
}

//! The margin WebSocket endpoint as a [`Product`]: the perps spec's channels and codes, the
//! frames' `msg` builders (shaped as `spec/perps/asyncapi.yaml` says), and the seeded scripted
//! activity: every interval, each market a live subscription names gets a delta at a level a few
//! ticks from the touch (never crossing) and a trade at the touch with its ticker.

use super::book::{MarginBook, Side};
use super::orders::{publish_trade, Fill, MarginOrder, Trade};
use super::{markets, Margin};
use crate::clock::now_ms;
use crate::fixed::{count_text, price_text};
use crate::spec::perps::{self, channel};
use crate::ws::product::Product;
use crate::ws::{Event, Hub, World};
use crate::State;
use serde_json::{json, Value};

/// Perps: `{prefix parent}/ws/v2/margin`.
pub(crate) struct Perps;

impl Product for Perps {
    type Markets = Margin;
    const CHANNELS: &'static [&'static str] = perps::CHANNELS;
    const SEQUENCED: &'static [&'static str] = perps::SEQUENCED;
    const ERROR_CODES: &'static [(u32, &'static str)] = perps::ERROR_CODES;
    const ORDERBOOK: &'static str = channel::ORDERBOOK_DELTA;
    const TICKER: &'static str = channel::TICKER;
    const PRIVATE: &'static [&'static str] = &[
        channel::FILL,
        channel::USER_ORDERS,
        channel::ORDER_GROUP_UPDATES,
    ];
    const MARKET_DATA: &'static [&'static str] =
        &[channel::ORDERBOOK_DELTA, channel::TICKER, channel::TRADE];

    fn hub(state: &State) -> &Hub<Margin> {
        &state.margin_ws
    }

    /// The event-contract path plus `/margin` (`/trade-api/ws/v2/margin`).
    fn path(prefix: &str) -> String {
        format!("{}/margin", crate::ws::EventContracts::path(prefix))
    }

    fn listed(_: &State, ticker: &str) -> bool {
        markets::find(ticker).is_some()
    }

    fn snapshot(
        _: &State,
        world: &mut World<Margin>,
        market: &str,
        ts: u64,
    ) -> Option<(Value, Value)> {
        let book = world.markets.books.get(market)?;
        Some((
            snapshot_msg(market, book),
            ticker_event(market, book, ts).msg,
        ))
    }

    fn script(_: &State, world: &mut World<Margin>, market: &str) {
        scripted(world, market);
    }
}

/// The `msg` of an `orderbook_snapshot`: both sides, best first.
pub(crate) fn snapshot_msg(market: &str, book: &MarginBook) -> Value {
    let side = |s| {
        book.level_texts(s)
            .into_iter()
            .map(|(p, c)| [p, c])
            .collect::<Vec<_>>()
    };
    json!({ "market_ticker": market, "bid": side(Side::Bid), "ask": side(Side::Ask) })
}

/// An `orderbook_delta` already applied to the book; `owner` (key id, client order id) of the
/// order that caused it alone sees its `client_order_id`, `subaccount` and `last_update_reason`.
pub(crate) fn delta_event(
    market: &str,
    side: Side,
    price: i64,
    delta: i64,
    ts: u64,
    owner: Option<(&str, &str)>,
    reason: &str,
) -> Event {
    Event {
        channel: channel::ORDERBOOK_DELTA,
        kind: "orderbook_delta",
        market: market.to_string(),
        owner: owner.map(|(key, _)| key.to_string()),
        owner_fields: owner.map(|(_, id)| {
            let mut fields = json!({ "client_order_id": id, "subaccount": 0 });
            if !reason.is_empty() {
                fields["last_update_reason"] = json!(reason);
            }
            fields
        }),
        msg: json!({
            "market_ticker": market,
            "price": price_text(price),
            "delta": count_text(delta),
            "side": side.as_str(),
            "ts_ms": ts,
        }),
    }
}

/// The `ticker` frame of `market` as its book stands.
pub(crate) fn ticker_event(market: &str, book: &MarginBook, ts: u64) -> Event {
    let (bid, bid_size) = book.best(Side::Bid).unwrap_or_default();
    let (ask, ask_size) = book.best(Side::Ask).unwrap_or_default();
    let notional = super::account::money_text(book.volume_notional);
    let mark = json!({ "price": price_text(book.mark()), "ts_ms": ts });
    public_event(
        channel::TICKER,
        "ticker",
        market,
        json!({
            "market_ticker": market,
            "price": price_text(book.last_price),
            "bid": price_text(bid),
            "ask": price_text(ask),
            "bid_size_fp": count_text(bid_size),
            "ask_size_fp": count_text(ask_size),
            "last_trade_size_fp": count_text(book.last_size),
            "volume": count_text(book.volume),
            "volume_notional_value_dollars": notional,
            "volume_24h": count_text(book.volume),
            "volume_24h_notional_value_dollars": notional,
            "open_interest": count_text(book.open_interest().0),
            "open_interest_notional_value_dollars": super::account::money_text(book.open_interest().1),
            "settlement_mark_price": mark,
            "liquidation_mark_price": mark,
            "funding_rate": super::rest::funding::current(market, ts),
            "ts_ms": ts,
        }),
    )
}

/// The `trade` frame of `trade`.
pub(crate) fn trade_event(trade: &Trade) -> Event {
    public_event(channel::TRADE, "trade", &trade.ticker, trade.msg())
}

fn public_event(channel: &'static str, kind: &'static str, market: &str, msg: Value) -> Event {
    Event {
        channel,
        kind,
        market: market.to_string(),
        owner: None,
        owner_fields: None,
        msg,
    }
}

/// The `fill` frame `key_id` gets for `fill`.
pub(crate) fn fill_event(fill: &Fill, key_id: &str) -> Event {
    private_event(channel::FILL, "fill", &fill.ticker, key_id, fill.msg())
}

/// The `user_order` frame of `order`'s state, for its owner.
pub(crate) fn user_order_event(order: &MarginOrder) -> Event {
    let msg = order.user_order_msg();
    private_event(
        channel::USER_ORDERS,
        "user_order",
        &order.ticker,
        &order.key_id,
        msg,
    )
}

/// An `order_group_updates` frame for the group's owner (of no market).
pub(crate) fn group_event(
    key_id: &str,
    event_type: &str,
    group_id: &str,
    limit: Option<i64>,
) -> Event {
    let mut msg =
        json!({ "event_type": event_type, "order_group_id": group_id, "ts_ms": now_ms() });
    if let Some(limit) = limit.filter(|_| matches!(event_type, "created" | "limit_updated")) {
        msg["contracts_limit_fp"] = json!(count_text(limit));
    }
    private_event(
        channel::ORDER_GROUP_UPDATES,
        "order_group_updates",
        "",
        key_id,
        msg,
    )
}

fn private_event(
    channel: &'static str,
    kind: &'static str,
    market: &str,
    key_id: &str,
    msg: Value,
) -> Event {
    Event {
        channel,
        kind,
        market: market.to_string(),
        owner: Some(key_id.to_string()),
        owner_fields: None,
        msg,
    }
}

/// One round of scripted activity in `market`: a seeded delta one to five ticks behind the touch
/// (an add, or a cancel of seeded liquidity), then a trade with the seeded liquidity at the touch.
fn scripted(world: &mut World<Margin>, market: &str) {
    let Some(def) = markets::find(market) else {
        return;
    };
    let ts = now_ms();
    let mut rng = world.rng.clone();
    let side = if rng.bool() { Side::Bid } else { Side::Ask };
    let Some(book) = world.markets.books.get_mut(market) else {
        return;
    };
    let mid = book.mark();
    let away = rng.i64(1..=5) * def.tick;
    // On the tick grid: bids round down, asks up.
    let price = match side {
        Side::Bid => (mid - away) / def.tick * def.tick,
        Side::Ask => (mid + away + def.tick - 1) / def.tick * def.tick,
    };
    let seeded = book.seeded(side, price);
    let delta = if seeded > 0 && rng.bool() {
        -book.take_seeded(side, price, rng.i64(1..=seeded))
    } else {
        let add = rng.i64(1..=50) * 100;
        let crosses = book
            .best(side.other())
            .is_some_and(|(best, _)| side.crosses(price, best));
        if crosses || price <= 0 {
            0
        } else {
            book.add(side, price, None, add);
            add
        }
    };
    if delta != 0 {
        world.push(delta_event(market, side, price, delta, ts, None, ""));
    }
    seeded_trade(world, market, rng.bool(), rng.i64(1..=20) * 100, ts);
    world.rng = rng;
}

/// A trade of up to `qty` with the seeded liquidity at the touch of one side, if any rests there.
fn seeded_trade(world: &mut World<Margin>, market: &str, taker_bids: bool, qty: i64, ts: u64) {
    let taker = if taker_bids { Side::Bid } else { Side::Ask };
    let Some(book) = world.markets.books.get_mut(market) else {
        return;
    };
    let Some((price, _)) = book.best(taker.other()) else {
        return;
    };
    let taken = book.take_seeded(taker.other(), price, qty);
    if taken > 0 {
        world.push(delta_event(
            market,
            taker.other(),
            price,
            -taken,
            ts,
            None,
            "",
        ));
        publish_trade(world, market, taker, price, taken, ts);
    }
}

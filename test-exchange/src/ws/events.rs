//! The event-contract endpoint as a [`Product`]: the spec's channels and codes, YES/NO books
//! made from the listed markets' quotes, and the scripted activity of [`super::feed`].

use super::feed::{self, snapshot_msg};
use super::product::Product;
use super::{Books, Hub, World, FILL, ORDERBOOK, TICKER, TRADE, USER_ORDERS};
use crate::spec;
use crate::State;
use serde_json::Value;

/// Event contracts: `{prefix parent}/ws/v2`.
pub(crate) struct EventContracts;

impl Product for EventContracts {
    type Markets = Books;
    const CHANNELS: &'static [&'static str] = spec::CHANNELS;
    const SEQUENCED: &'static [&'static str] = spec::SEQUENCED;
    const ERROR_CODES: &'static [(u32, &'static str)] = spec::ERROR_CODES;
    const ORDERBOOK: &'static str = ORDERBOOK;
    const TICKER: &'static str = TICKER;
    const PRIVATE: &'static [&'static str] = &[FILL, USER_ORDERS];
    const MARKET_DATA: &'static [&'static str] = &[ORDERBOOK, TICKER, TRADE];

    fn hub(state: &State) -> &Hub<Books> {
        &state.ws
    }

    /// The prefix's parent plus `/ws/v2` (`/trade-api/v2` gives `/trade-api/ws/v2`).
    fn path(prefix: &str) -> String {
        let parent = prefix.rsplit_once('/').map_or("", |(parent, _)| parent);
        format!("{parent}/ws/v2")
    }

    fn listed(state: &State, ticker: &str) -> bool {
        state.ledger.by_ticker.contains_key(ticker)
    }

    fn snapshot(
        state: &State,
        world: &mut World<Books>,
        market: &str,
        ts: u64,
    ) -> Option<(Value, Value)> {
        let book = world.book(&state.ledger, market)?;
        Some((
            snapshot_msg(market, book),
            feed::ticker_event(market, book, ts).msg,
        ))
    }

    fn script(state: &State, world: &mut World<Books>, market: &str) {
        feed::scripted(world, &state.ledger, market);
    }
}

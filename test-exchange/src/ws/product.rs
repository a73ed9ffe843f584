//! What tells the two WebSocket endpoints apart: a [`Product`] names its hub, its path, its
//! spec's channels and codes, and builds its snapshots and scripted activity; the sessions,
//! commands, handshake and feed loop are written once over it.

use super::{Hub, World};
use crate::State;
use serde_json::Value;

/// One product's WebSocket endpoint: event contracts ([`super::EventContracts`]) or perps
/// ([`crate::margin::Perps`]).
pub(crate) trait Product: Send + Sync + 'static {
    /// What its world holds besides the event log (books, and for perps the margin ledger).
    type Markets: Send + std::fmt::Debug + 'static;
    /// The channel names of its spec.
    const CHANNELS: &'static [&'static str];
    /// The message types its spec sequences.
    const SEQUENCED: &'static [&'static str];
    /// Its spec's error codes and their texts.
    const ERROR_CODES: &'static [(u32, &'static str)];
    /// The order book channel (snapshots, `get_snapshot`, a ticker required).
    const ORDERBOOK: &'static str;
    /// The ticker channel (`send_initial_snapshot`).
    const TICKER: &'static str;
    /// Channels whose events only their owner sees.
    const PRIVATE: &'static [&'static str];
    /// Channels whose markets the scripted feed serves.
    const MARKET_DATA: &'static [&'static str];

    /// Its hub in the exchange.
    fn hub(state: &State) -> &Hub<Self::Markets>;
    /// Its path for a REST prefix.
    fn path(prefix: &str) -> String;
    /// Whether it lists `ticker`.
    fn listed(state: &State, ticker: &str) -> bool;
    /// The `msg` of `market`'s book snapshot and of its ticker, as the world stands; `None` for
    /// an unlisted market.
    fn snapshot(
        state: &State,
        world: &mut World<Self::Markets>,
        market: &str,
        ts: u64,
    ) -> Option<(Value, Value)>;
    /// One round of scripted activity in `market`, pushed to the world's log.
    fn script(state: &State, world: &mut World<Self::Markets>, market: &str);
}

/// The name of `code` in `P`'s spec.
pub(crate) fn error_text<P: Product>(code: u32) -> &'static str {
    crate::spec::text_in(P::ERROR_CODES, code)
}

//! The exchange's REST world: the markets it lists, the orders it holds and the balance.

use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicI64, AtomicU64};
use std::sync::Mutex;

/// The named markets: ticker, event ticker, yes bid, yes ask.
const NAMED: [(&str, &str, &str, &str); NAMED_MARKETS] = [
    (
        "KXHIGHNY-26JAN01-T60",
        "KXHIGHNY-26JAN01",
        "0.5600",
        "0.5800",
    ),
    (
        "KXHIGHNY-26JAN01-T65",
        "KXHIGHNY-26JAN01",
        "0.3100",
        "0.3300",
    ),
    ("KXBTC-26DEC31-B100000", "KXBTC-26DEC31", "0.1200", "0.1500"),
];

/// How many named markets there are: the default market count.
pub(crate) const NAMED_MARKETS: usize = 3;

/// The event all synthetic markets belong to.
const SYNTHETIC_EVENT: &str = "KXTEST-26DEC31";

/// A listed market, serialized once so that pages are built by concatenation.
#[derive(Debug)]
pub(crate) struct Market {
    pub(crate) event_ticker: String,
    pub(crate) json: String,
    /// The listed YES bid and ask in ten-thousandths of a dollar: the top of its order book.
    pub(crate) yes_bid: i64,
    pub(crate) yes_ask: i64,
}

/// The exchange's mutable world: markets, orders and a balance.
#[derive(Debug)]
pub(crate) struct Ledger {
    pub(crate) markets: Vec<Market>,
    pub(crate) by_ticker: HashMap<String, usize>,
    pub(crate) orders: Mutex<BTreeMap<String, Value>>,
    pub(crate) next_order: AtomicU64,
    /// The event-contract balance, in cents: every key's (intra-exchange transfers move it).
    pub(crate) balance_cents: AtomicI64,
}

impl Ledger {
    /// The first `market_count` of: the named markets, then synthetic ones (see
    /// [`Config::market_count`](crate::Config::market_count)).
    pub(crate) fn new(market_count: usize) -> Self {
        let named = NAMED.map(|(ticker, event, bid, ask)| {
            (ticker.to_string(), event, bid.to_string(), ask.to_string())
        });
        // Deterministic quotes between 0.01/0.03 and 0.97/0.99.
        let synthetic = (NAMED_MARKETS..).map(|i| {
            let bid = 1 + i % 97;
            (
                format!("{SYNTHETIC_EVENT}-M{i:05}"),
                SYNTHETIC_EVENT,
                format!("0.{bid:02}00"),
                format!("0.{:02}00", bid + 2),
            )
        });
        let mut markets = Vec::with_capacity(market_count);
        let mut by_ticker = HashMap::with_capacity(market_count);
        for (ticker, event, bid, ask) in named.into_iter().chain(synthetic).take(market_count) {
            by_ticker.insert(ticker.clone(), markets.len());
            markets.push(Market {
                event_ticker: event.to_string(),
                json: market(&ticker, event, &bid, &ask).to_string(),
                yes_bid: crate::fixed::parse_fixed(&bid, 4).expect("a listed bid"),
                yes_ask: crate::fixed::parse_fixed(&ask, 4).expect("a listed ask"),
            });
        }
        Self {
            markets,
            by_ticker,
            orders: Mutex::new(BTreeMap::new()),
            next_order: AtomicU64::new(1),
            balance_cents: AtomicI64::new(1_000_000),
        }
    }
}

fn market(ticker: &str, event: &str, yes_bid: &str, yes_ask: &str) -> Value {
    let no_bid = complement(yes_ask);
    let no_ask = complement(yes_bid);
    json!({
        "ticker": ticker,
        "event_ticker": event,
        "market_type": "binary",
        "title": format!("Test market {ticker}"),
        "subtitle": "",
        "yes_sub_title": "Yes",
        "no_sub_title": "No",
        "created_time": "2025-12-01T00:00:00Z",
        "updated_time": "2025-12-15T12:00:00Z",
        "open_time": "2025-12-01T15:00:00Z",
        "close_time": "2026-12-31T23:59:00Z",
        "expected_expiration_time": "2027-01-01T15:00:00Z",
        "latest_expiration_time": "2027-01-08T15:00:00Z",
        "settlement_timer_seconds": 300,
        "status": "active",
        "notional_value_dollars": "1.0000",
        "yes_bid_dollars": yes_bid,
        "yes_ask_dollars": yes_ask,
        "no_bid_dollars": no_bid,
        "no_ask_dollars": no_ask,
        "yes_bid_size_fp": "250.00",
        "yes_ask_size_fp": "125.00",
        "last_price_dollars": yes_bid,
        "previous_yes_bid_dollars": yes_bid,
        "previous_yes_ask_dollars": yes_ask,
        "previous_price_dollars": yes_bid,
        "volume_fp": "10432.00",
        "volume_24h_fp": "812.00",
        "open_interest_fp": "5120.00",
        "result": "",
        "can_close_early": true,
        "expiration_value": "",
        "rules_primary": "If the outcome happens, the market resolves to Yes.",
        "rules_secondary": "",
        "price_level_structure": "linear_cent",
        "price_ranges": [{"start": "0.0000", "end": "1.0000", "step": "0.0100"}],
        "settlement_bounds_type": "default",
        "strike_type": "greater",
        "floor_strike": 60.0,
        "exchange_index": 0,
    })
}

/// `1 - price` for four-decimal dollar strings.
pub(crate) fn complement(price: &str) -> String {
    let ten_thousandths: i64 = price.replace('.', "").parse().unwrap_or(0);
    let c = 10_000 - ten_thousandths;
    format!("{}.{:04}", c / 10_000, c % 10_000)
}

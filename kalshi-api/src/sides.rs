//! Sides: which of the SDK's side types is which, and how to go from one to another.
//!
//! A binary market has two outcomes, YES and NO, and one book of bids for each (a bid for NO at
//! `p` is an offer to sell YES at `1 - p`). Kalshi names a side in two ways: by outcome (`yes`,
//! `no`) and, for V2 orders and the fields named `book_side`, by the action on the YES book
//! (`bid` buys YES, `ask` sells YES, which is buying NO). Four types follow from that, and a fifth
//! for the books of perpetual futures, whose bids and asks are both quoted:
//!
//! | type | values | what it is | where you meet it |
//! |---|---|---|---|
//! | [`Side`] (also `ws::Side`) | `Yes`, `No` | hand-written: a side of the book, or the outcome a contract pays on | the live books: `OrderBook::bids(side)`, `best_bid`, `best_ask` |
//! | `types::OutcomeSide`, `ws::MarketSide` (and inline ones such as `types::OrderOutcomeSide`) | `Yes`, `No`, `Unknown(_)` | generated: an outcome as the REST and WebSocket specs write it | `outcome_side` of orders and fills, the `side` of a book delta |
//! | `types::BookSide`, `ws::BookSide` | `Bid`, `Ask`, `Unknown(_)` | generated: an order's action on the YES book | `CreateOrderV2Request.side`, `book_side` of fills and trades |
//! | [`QuoteSide`] | `Bid`, `Ask` | hand-written: a side of a book whose asks are quoted (perps) | the live perps books: `OrderBook::<QuoteSide>::bids()`, `best_ask()` |
//!
//! The generated enums are open (a value a newer spec adds is kept in `Unknown`); [`Side`] is
//! closed, so that a book has exactly two sides.
//!
//! # Conversions
//!
//! Generated from `enum_conversions` in `spec/codegen.yaml`, for every generated enum of those
//! values (the runtime does not name generated types, so the impls live beside them):
//!
//! - `OutcomeSide::from(Side::Yes)` is `OutcomeSide::Yes`, and `Side::try_from(outcome)` gives
//!   the side back (an `Unknown` value is the error). The same for `ws::MarketSide`.
//! - `BookSide::from(side)` is the order action that **buys** `side`: `Yes` → `Bid`, `No` → `Ask`
//!   (selling YES at `p` is buying NO at `1 - p`; the WebSocket spec: "'bid' is equivalent to
//!   outcome_side 'yes'; 'ask' is equivalent to outcome_side 'no'"). `Side::try_from(book_side)`
//!   is the outcome an order of that action buys.
//!
//! Prices follow the same symmetry: [`other_side_price`] turns a YES ask at `p` into the NO bid at
//! `1 - p` that it is (and back).
//!
//! # Reading the book and placing an order at it
//!
//! V2 orders quote the YES book. To buy YES at the best YES ask, bid at the ask's price:
//!
//! ```no_run
//! # async fn demo(client: kalshi_api::Client, books: kalshi_api::ws::OrderBooks) -> Result<(), Box<dyn std::error::Error>> {
//! use kalshi_api::sides::{other_side_price, Side};
//! use kalshi_api::{ops, types};
//!
//! let ticker = "KXHIGHNY-26JAN01-T60";
//! let ask = books.get(ticker)?.best_ask(Side::Yes).ok_or("no YES ask")?;
//! // The best YES ask is the best NO bid, seen from the YES side.
//! println!("YES ask {} = NO bid {}", ask.price, other_side_price(ask.price));
//! let order = types::CreateOrderV2Request::new(
//!     ticker,
//!     types::BookSide::from(Side::Yes), // buying YES: a bid on the YES book
//!     ask.size,
//!     ask.price,
//!     types::CreateOrderV2RequestTimeInForce::ImmediateOrCancel,
//!     types::SelfTradePreventionType::TakerAtCross,
//! );
//! client.create_order_v2(ops::CreateOrderV2::new(order)).await?;
//! # Ok(())
//! # }
//! ```

use crate::money::FixedPointDollars;

/// One dollar: what a YES and a NO contract of one market are worth together.
const ONE: FixedPointDollars = FixedPointDollars::new(1, 0);

/// A side of a binary market's book. Kalshi publishes bids only, for YES and for NO; a bid for NO
/// at `p` is an offer to sell YES at `1 - p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The YES side.
    Yes,
    /// The NO side.
    No,
}

impl Side {
    /// The other side.
    pub fn opposite(self) -> Side {
        match self {
            Side::Yes => Side::No,
            Side::No => Side::Yes,
        }
    }

    /// `"yes"` or `"no"`, as Kalshi writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Yes => "yes",
            Side::No => "no",
        }
    }

    /// The side Kalshi writes as `text` (`"yes"` or `"no"`); `None` for any other text.
    pub fn from_wire(text: &str) -> Option<Side> {
        match text {
            "yes" => Some(Side::Yes),
            "no" => Some(Side::No),
            _ => None,
        }
    }
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A side of a book whose two sides are both quoted, such as a perpetual future's: the bids and
/// the asks of one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QuoteSide {
    /// The bids: offers to buy, best (highest) first.
    Bid,
    /// The asks: offers to sell, best (lowest) first.
    Ask,
}

impl QuoteSide {
    /// The other side.
    pub fn opposite(self) -> QuoteSide {
        match self {
            QuoteSide::Bid => QuoteSide::Ask,
            QuoteSide::Ask => QuoteSide::Bid,
        }
    }

    /// `"bid"` or `"ask"`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuoteSide::Bid => "bid",
            QuoteSide::Ask => "ask",
        }
    }
}

impl std::fmt::Display for QuoteSide {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a book's asks come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Asks {
    /// Both sides are bids (YES and NO) and each side's asks are the other side's bids at one
    /// dollar minus their price; every price lies within 0 to 1 dollar.
    Implied,
    /// The first side is the bids and the second the asks, each quoted as it is.
    Quoted,
}

/// The two sides of a live order book ([`crate::ws::OrderBook`]) and how to read them: implemented
/// by [`Side`] (YES and NO bids, asks implied) and [`QuoteSide`] (bids and asks, quoted). A
/// product's `order_book` settings choose one, and which of the spec's side values is which.
pub trait BookSides:
    Copy + Eq + std::hash::Hash + std::fmt::Debug + std::fmt::Display + Send + Sync + 'static
{
    /// The two sides in the order the book keeps them: the first holds bids.
    const BOTH: [Self; 2];
    /// Where the asks come from.
    const ASKS: Asks;

    /// This side's place in [`BOTH`](Self::BOTH).
    fn index(self) -> usize;
}

impl BookSides for Side {
    const BOTH: [Side; 2] = [Side::Yes, Side::No];
    const ASKS: Asks = Asks::Implied;

    fn index(self) -> usize {
        match self {
            Side::Yes => 0,
            Side::No => 1,
        }
    }
}

impl BookSides for QuoteSide {
    const BOTH: [QuoteSide; 2] = [QuoteSide::Bid, QuoteSide::Ask];
    const ASKS: Asks = Asks::Quoted;

    fn index(self) -> usize {
        match self {
            QuoteSide::Bid => 0,
            QuoteSide::Ask => 1,
        }
    }
}

/// The price of a quote seen from the other side of the book: a YES ask at `p` is a NO bid at
/// `1 - p`, and a NO bid at `q` a YES ask at `1 - q`.
pub fn other_side_price(price: FixedPointDollars) -> FixedPointDollars {
    ONE - price
}

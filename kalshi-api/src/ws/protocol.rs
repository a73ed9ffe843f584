//! The contract between the generated WebSocket code and the hand-written session.
//!
//! The session implements Kalshi's WebSocket protocol: the envelope every frame shares
//! (`{"id", "type", "sid", "seq", "msg"}`), commands (`{"id", "cmd", "params"}`), replies matched by
//! `id`, sequence numbers per `sid`. Everything the spec describes message by message (the payload
//! types, the commands' parameters, the channels and the error codes) is generated in
//! [`crate::ws`] and reaches the session only through the traits below, the way REST operations
//! reach the client through [`Operation`](crate::operation::Operation).

pub use super::control::{
    command_params, sid, sid_param, Control, ControlCommand, ControlReply, MarketsAction,
    SubscribeParams, Written,
};
use crate::money::{FixedPointCount, FixedPointDollars};
use bytes::Bytes;
use serde::de::Deserializer;
use std::borrow::Cow;

/// The fields every JSON frame from Kalshi may carry. When the session decodes a frame's message in
/// the same pass as its envelope, `msg` is the text that pass read; otherwise it is kept raw, so
/// that it is decoded once, straight into its generated type.
#[derive(Debug, Clone, Default)]
pub struct Envelope<'a> {
    /// `type`: which message this is (`""` when absent).
    pub kind: Cow<'a, str>,
    /// `id`: the command this frame answers.
    pub id: Option<u64>,
    /// `sid`: the subscription it belongs to.
    pub sid: Option<u64>,
    /// `seq`: its place in the subscription's sequence.
    pub seq: Option<u64>,
    /// `msg`: the body's JSON text, undecoded (one JSON value, without surrounding whitespace).
    pub msg: Option<&'a str>,
}

/// A message the server sends: implemented by the generated `ServerMessage` enum, one variant per
/// `type` the spec lists plus a catch-all that keeps an unknown type and the frame's bytes.
pub trait Incoming: Sized + Send + 'static {
    /// The spec these messages are generated from (title, version and sha256), for what records
    /// them.
    const SPEC: &'static str;

    /// Decodes a frame whose envelope is `envelope`; `frame` is the whole frame.
    ///
    /// A `type` the spec does not list is `Ok` (the catch-all variant). A listed type whose `msg`
    /// does not match its type is an error naming the JSON path (relative to `msg`).
    fn decode(envelope: &Envelope<'_>, frame: &Bytes) -> Result<Self, crate::DecodeError>;

    /// Decodes the `msg` of a frame of `type` `kind` straight from `msg`, the deserializer that is
    /// reading the frame, so that the frame is read in one pass; `frame` is the whole frame.
    ///
    /// Any `kind` is read (a `type` the spec does not list is the catch-all variant, its `msg`
    /// checked to be JSON and skipped). An error only says that this pass failed: the session
    /// then reads the frame again with [`decode`](Self::decode), which names the failing path.
    fn decode_in_place<'de, D: Deserializer<'de>>(
        kind: &str,
        msg: D,
        frame: &Bytes,
    ) -> Result<Self, D::Error>;

    /// The wire `type` of this message.
    fn kind(&self) -> &str;
}

/// A command the client sends: implemented by each generated command type.
pub trait Command {
    /// The `cmd` value, e.g. `subscribe`.
    const CMD: &'static str;

    /// Writes the command's `params` object as JSON into `out`; returns `false` (writing
    /// nothing) for a command without parameters.
    fn write_params(&self, out: &mut Vec<u8>) -> Result<bool, serde_json::Error>;
}

/// A channel: implemented by the generated open `Channel` enum.
pub trait ChannelKind: Clone + Send + Sync + std::fmt::Debug + 'static {
    /// The channel's wire name.
    fn as_str(&self) -> &str;

    /// Whether a subscription to this channel accepts the subscribe parameter `param` (a wire name
    /// such as `market_tickers`). `true` for a channel the spec does not list.
    fn accepts(&self, param: &str) -> bool;

    /// Whether `update_subscription` supports `action` (such as `get_snapshot`) on this channel.
    /// `false` for a channel the spec does not list.
    fn supports(&self, action: &str) -> bool;
}

/// Error codes of the server's `error` replies: implemented by the generated open `ErrorCode`
/// enum.
pub trait ErrorCodeKind: Copy + Send + Sync + std::fmt::Debug + 'static {
    /// The code for a number (an unknown number is kept).
    fn from_code(code: i64) -> Self;
    /// The number.
    fn code(&self) -> i64;
    /// The spec's name for it, e.g. `Subscription buffer overflow`; `None` when unknown.
    fn name(&self) -> Option<&'static str>;
    /// The spec's description; `None` when unknown.
    fn description(&self) -> Option<&'static str>;
}

/// A side of a binary market's book: defined in [`crate::sides`], which says how it relates to
/// the generated side enums.
pub use crate::sides::Side;
pub use crate::sides::{Asks, BookSides, QuoteSide};

/// A message the live order books ([`crate::ws::orderbook`]) read: implemented by the generated
/// `ServerMessage` for the snapshot and the delta that `order_book` in a product's settings names.
pub trait BookFeed: Incoming {
    /// The book's sides and where its asks come from ([`Side`]: YES and NO bids, asks implied;
    /// [`QuoteSide`]: bids and asks, quoted), as the settings' `asks` says.
    type Sides: BookSides;

    /// Whether a message of wire `type` `kind` is a book message: a frame of that type that does
    /// not decode puts its subscription's books in doubt.
    fn is_book(kind: &str) -> bool;

    /// Whether a message of wire `type` `kind` is a book snapshot (a recording is searched for
    /// them without decoding every frame).
    fn is_snapshot(kind: &str) -> bool;

    /// This message as a book message, if it is one. Mutable so that the keeper can take the
    /// delta's ticker and `client_order_id` strings instead of copying them.
    fn book(&mut self) -> Option<BookMessage<'_, Self::Sides>>;
}

/// A book message, as [`BookFeed::book`] lends it; `S` names the book's sides.
#[derive(Debug)]
pub enum BookMessage<'a, S> {
    /// A market's whole book.
    Snapshot(BookSnapshot<'a>),
    /// A change of one level.
    Delta(BookDelta<'a, S>),
}

/// A market's whole book: the levels of its two sides, as Kalshi writes them.
#[derive(Debug, Clone, Copy)]
pub struct BookSnapshot<'a> {
    /// The market.
    pub ticker: &'a str,
    /// The levels of each side in the order of [`BookSides::BOTH`] (YES and NO bids, or bids and
    /// asks), `[price_dollars, size]` (empty when the message has none).
    pub sides: [&'a [(String, String)]; 2],
}

/// A change of one level of a market's book; `S` names the book's sides.
#[derive(Debug)]
pub struct BookDelta<'a, S> {
    /// The market (the message's own string, lent mutably so it can be taken).
    pub ticker: &'a mut String,
    /// The price level.
    pub price: FixedPointDollars,
    /// The signed change of the size at that price.
    pub delta: FixedPointCount,
    /// The side, or the wire text of a side that is neither of the book's two.
    pub side: Result<S, &'a str>,
    /// Your order's `client_order_id`, when your order caused the change (lent mutably so it can
    /// be taken).
    pub client_order_id: &'a mut Option<String>,
    /// Your subaccount, when your order caused the change and you use subaccounts.
    pub subaccount: Option<i64>,
}

/// A message the order tracker ([`crate::ws::orders`]) routes to your orders: implemented by the
/// generated `ServerMessage` for the order update and the fill that `orders` in
/// `spec/codegen.yaml` names.
pub trait OrderFeed: Incoming {
    /// What a tracked order's stream delivers: the generated `OrderUpdate`, which holds the
    /// typed message.
    type Update: std::fmt::Debug + Send + 'static;

    /// This message as an order message (its ids, and the update to deliver), if it is one.
    fn order(&self) -> Option<OrderMessage<'_, Self::Update>>;
}

/// An order update or fill, as [`OrderFeed::order`] gives it.
#[derive(Debug)]
pub struct OrderMessage<'a, U> {
    /// The exchange's order id.
    pub order_id: &'a crate::OrderId,
    /// Your `client_order_id`, as the message writes it (`None` when absent; it may be empty).
    pub client_order_id: Option<&'a str>,
    /// What the order's stream receives (a copy of the message).
    pub update: U,
}

/// Whether `msg` is a JSON object with every key of `keys` at its top level: how the generated
/// decoder tells apart messages that share one `type` (such as `ok` replies of several shapes).
/// Returns `false` for anything that is not an object. A key the frame repeats counts once.
pub fn has_keys(msg: &str, keys: &[&str]) -> bool {
    use serde::de::{IgnoredAny, MapAccess, Visitor};
    struct Keys<'k>(&'k [&'k str]);
    impl<'de> Visitor<'de> for Keys<'_> {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
            // Which of `keys` were seen, not how many keys matched: a frame that repeats one key
            // must not stand in for another it lacks.
            let mut seen = Seen::new(self.0.len());
            while let Some(key) = map.next_key::<Cow<'de, str>>()? {
                if let Some(i) = self.0.iter().position(|k| *k == key.as_ref()) {
                    seen.mark(i);
                }
                map.next_value::<IgnoredAny>()?;
            }
            Ok(seen.all())
        }
    }
    let mut de = serde_json::Deserializer::from_str(msg);
    serde::Deserializer::deserialize_map(&mut de, Keys(keys)).unwrap_or(false)
}

/// The keys of [`has_keys`] seen so far: bits of one word for up to 64 keys (the generated lists
/// hold one or two), flags beyond that.
enum Seen {
    Bits { seen: u64, all: u64 },
    Flags(Vec<bool>),
}

impl Seen {
    fn new(keys: usize) -> Self {
        match keys {
            64 => Seen::Bits {
                seen: 0,
                all: u64::MAX,
            },
            0..64 => Seen::Bits {
                seen: 0,
                all: (1u64 << keys) - 1,
            },
            _ => Seen::Flags(vec![false; keys]),
        }
    }

    fn mark(&mut self, i: usize) {
        match self {
            Seen::Bits { seen, .. } => *seen |= 1 << i,
            Seen::Flags(flags) => flags[i] = true,
        }
    }

    fn all(&self) -> bool {
        match self {
            Seen::Bits { seen, all } => seen == all,
            Seen::Flags(flags) => flags.iter().all(|&f| f),
        }
    }
}

/// Whether `msg` is a JSON array (for messages that share a `type` but differ in shape).
pub fn is_array(msg: &str) -> bool {
    msg.trim_start().starts_with('[')
}

/// Raw text of a `msg`, for decoding it with [`crate::operation::decode_json`].
pub fn raw_bytes(msg: Option<&str>) -> &[u8] {
    msg.map_or(b"null", str::as_bytes)
}

/// Reads the next value of `msg` as raw JSON text, for messages told apart by shape inside
/// [`Incoming::decode_in_place`] (works with `serde_json`'s deserializers, which borrow from the
/// frame).
pub fn raw_in_place<'de, D: Deserializer<'de>>(msg: D) -> Result<&'de str, D::Error> {
    <&'de serde_json::value::RawValue as serde::Deserialize<'de>>::deserialize(msg)
        .map(serde_json::value::RawValue::get)
}

#[cfg(test)]
mod tests {
    use super::has_keys;

    #[test]
    fn a_repeated_key_does_not_stand_in_for_a_missing_one() {
        let keys = ["event_type", "market_ticker"];
        assert!(has_keys(r#"{"event_type":"a","market_ticker":"T"}"#, &keys));
        assert!(!has_keys(r#"{"event_type":"a","event_type":"b"}"#, &keys));
        assert!(!has_keys(r#"{"market_ticker":"T"}"#, &keys));
        assert!(!has_keys(r#"["event_type","market_ticker"]"#, &keys));
    }

    #[test]
    fn key_lists_of_every_length_are_checked() {
        for n in [0, 1, 63, 64, 65, 130] {
            let names: Vec<String> = (0..n).map(|i| format!("k{i}")).collect();
            let keys: Vec<&str> = names.iter().map(String::as_str).collect();
            let all = format!(
                "{{{}}}",
                names
                    .iter()
                    .map(|k| format!("\"{k}\":1"))
                    .collect::<Vec<_>>()
                    .join(",")
            );
            assert!(has_keys(&all, &keys), "{n} keys, all present");
            if n >= 2 {
                // The last key missing, the first written twice in its place.
                let short = format!(
                    "{{{},\"k0\":2}}",
                    names[..n - 1]
                        .iter()
                        .map(|k| format!("\"{k}\":1"))
                        .collect::<Vec<_>>()
                        .join(",")
                );
                assert!(!has_keys(&short, &keys), "{n} keys, the last missing");
            }
        }
    }
}

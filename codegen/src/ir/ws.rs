//! The WebSocket side of the model: what the AsyncAPI lowering decides and `emit::ws` reads.

use super::{Model, Ty, TypeId};

/// Everything the WebSocket emit needs.
#[derive(Debug)]
pub struct WsModel {
    /// `info.title`.
    pub title: String,
    /// `info.version`.
    pub version: String,
    /// The sha256 of the spec's text, in hex.
    pub sha256: String,
    /// The payload and parameter types (no operations).
    pub types: Model,
    /// One entry per distinct `type` value of the server's JSON messages, in spec order.
    pub kinds: Vec<ServerKind>,
    /// The commands a client sends.
    pub commands: Vec<CommandDef>,
    /// The channels that carry server data.
    pub channels: Vec<ChannelDef>,
    /// `x-error-codes`.
    pub error_codes: Vec<ErrorCodeDef>,
    /// The messages the runtime's order books read (`order_book` in the settings).
    pub book: Option<BookFeedDef>,
    /// The messages the runtime's order tracker routes (`orders` in the settings).
    pub orders: Option<OrderFeedDef>,
    /// The replies and commands the session reads and writes (`control` in the settings).
    pub control: Option<ControlDef>,
}

/// A `msg` field the runtime reads through one of its traits.
#[derive(Debug, Clone)]
pub struct FeedField {
    /// Rust field name.
    pub name: String,
    /// Held in an `Option`.
    pub optional: bool,
    /// Its type, aliases followed.
    pub ty: Ty,
}

/// A server message the runtime reads through one of its traits.
#[derive(Debug, Clone)]
pub struct FeedMessage {
    /// The wire `type`.
    pub wire: String,
    /// Variant name in `ServerMessage` (holding the boxed `msg` struct).
    pub variant: String,
    /// The `msg` struct.
    pub ty: TypeId,
}

/// The `BookFeed` impl: which messages are the book's snapshot and delta, and their fields.
#[derive(Debug, Clone)]
pub struct BookFeedDef {
    /// Where the asks come from, which picks the runtime's side type (`BookFeed::Sides`).
    pub asks: crate::settings::BookAsks,
    /// The wire values of the delta's side that are the first and the second side.
    pub side_values: [String; 2],
    /// The snapshot message.
    pub snapshot: FeedMessage,
    /// Its ticker (a string).
    pub snapshot_ticker: FeedField,
    /// The levels of its first and second side (`Vec<(String, String)>`, maybe optional).
    pub levels: [FeedField; 2],
    /// The delta message.
    pub delta: FeedMessage,
    /// Its ticker (a string).
    pub delta_ticker: FeedField,
    /// Its price (`FixedPointDollars`).
    pub price: FeedField,
    /// Its signed change (`FixedPointCount`).
    pub change: FeedField,
    /// Its side (a string enum).
    pub side: FeedField,
    /// Its `client_order_id` (an optional string).
    pub client_order_id: FeedField,
    /// Its subaccount (an optional integer).
    pub subaccount: FeedField,
}

/// A `type` value and what its `msg` decodes into.
#[derive(Debug)]
pub struct ServerKind {
    /// The wire `type`.
    pub wire: String,
    /// Variant name in `ServerMessage`.
    pub variant: String,
    /// What the variant holds.
    pub body: KindBody,
}

/// The contents of a `ServerMessage` variant.
#[derive(Debug)]
pub enum KindBody {
    /// One message has this `type`.
    One(Alt),
    /// Several messages share the `type`: a generated enum of them, chosen by shape.
    Several {
        /// The enum's name.
        name: String,
        /// The alternatives, in the order they are tried (the last is the fallback).
        alts: Vec<Alt>,
    },
}

/// One server message.
#[derive(Debug)]
pub struct Alt {
    /// Rust name of the message (variant name among alternatives, and the decode label).
    pub name: String,
    /// The `msg` type; `None` when the payload has no `msg`.
    pub ty: Option<Ty>,
    /// Summary or title.
    pub doc: Option<String>,
    /// `msg` is an array.
    pub is_array: bool,
    /// The `msg` object's required keys (wire names).
    pub required: Vec<String>,
    /// Required `const` properties that tell this message apart: Rust field name, the field's
    /// enum type, and the variant of the constant.
    pub consts: Vec<(String, TypeId, String)>,
}

/// A command.
#[derive(Debug)]
pub struct CommandDef {
    /// The `cmd` value.
    pub cmd: String,
    /// Its parameter struct (in the types of [`WsModel::types`]).
    pub ty: TypeId,
    /// Whether the payload has `params`.
    pub has_params: bool,
}

/// A data channel.
#[derive(Debug)]
pub struct ChannelDef {
    /// Wire name (its address).
    pub wire: String,
    /// Variant name.
    pub variant: String,
    /// `title`.
    pub title: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// The `type` values of the server messages it carries.
    pub message_types: Vec<String>,
    /// Subscribe parameters it does not accept (from the prose).
    pub rejects: Vec<String>,
    /// `update_subscription` actions it supports (from the prose).
    pub actions: Vec<String>,
}

/// An error code.
#[derive(Debug)]
pub struct ErrorCodeDef {
    /// The number.
    pub code: i64,
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Variant name.
    pub variant: String,
}

/// One message of the `OrderFeed` impl and its id fields.
#[derive(Debug, Clone)]
pub struct OrderMessageDef {
    /// The message.
    pub message: FeedMessage,
    /// The order id (the runtime's `OrderId`).
    pub order_id: FeedField,
    /// The `client_order_id` (a string, maybe optional).
    pub client_order_id: FeedField,
}

/// The `OrderFeed` impl: which messages are an order's updates and fills.
#[derive(Debug, Clone)]
pub struct OrderFeedDef {
    /// The order update (`OrderUpdate::Order`).
    pub update: OrderMessageDef,
    /// The fill (`OrderUpdate::Fill`).
    pub fill: OrderMessageDef,
}

/// Where a reply is in `ServerMessage`: its variant, and the alternative's variant when several
/// messages share its `type`.
#[derive(Debug, Clone)]
pub struct ReplyMatch {
    /// The wire `type`.
    pub wire: String,
    /// Variant name in `ServerMessage`.
    pub variant: String,
    /// The enum of alternatives and the variant in it, when the `type` is shared.
    pub alt: Option<(String, String)>,
    /// Whether the variant holds a `msg`.
    pub holds: bool,
}

/// A command the session writes: its parameter struct (the fields the settings do not name are
/// optional, left unset).
#[derive(Debug, Clone)]
pub struct CommandUse {
    /// The parameter struct.
    pub ty: TypeId,
}

/// The `Control` impl: the replies the session reads, the commands it writes, and their fields.
#[derive(Debug, Clone)]
pub struct ControlDef {
    /// The wire `type`s of the replies.
    pub reply_types: Vec<String>,
    /// `subscribed`, with its channel and `sid`.
    pub subscribed: (ReplyMatch, FeedField, FeedField),
    /// `unsubscribed`.
    pub unsubscribed: ReplyMatch,
    /// A market update's reply, with the full list.
    pub updated: (ReplyMatch, FeedField),
    /// The list of subscriptions (an array), with each item's channel and `sid`.
    pub listed: (ReplyMatch, FeedField, FeedField),
    /// `error`, with its code and text.
    pub error: (ReplyMatch, FeedField, FeedField),
    /// `subscribe`, with its channels, single market and market list.
    pub subscribe: (CommandUse, FeedField, FeedField, FeedField),
    /// `unsubscribe`, with its `sids`.
    pub unsubscribe: (CommandUse, FeedField),
    /// `update_subscription`, with its `sids`, markets and action.
    pub update: (CommandUse, FeedField, FeedField, FeedField),
    /// The action enum's variants for add, delete and snapshot, and their wire values.
    pub actions: [(String, String); 3],
    /// `list_subscriptions`.
    pub list: CommandUse,
}

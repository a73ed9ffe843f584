//! Generator settings the spec cannot express, read from `spec/codegen.yaml`.

use crate::error::Error;
use indexmap::IndexMap;
use serde::Deserialize;

/// What `spec/codegen.yaml` holds.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Component schemas mapped to hand-written runtime types (by Rust path) instead of a generated
    /// alias, e.g. `FixedPointDollars: crate::money::FixedPointDollars`. Names absent from a spec are
    /// ignored, so one settings file serves old and new specs.
    #[serde(default)]
    pub runtime_types: IndexMap<String, String>,
    /// Plain string properties (`type: string`, no `format`, no `enum`) whose wire names end with a
    /// suffix map to a runtime type, e.g. `_dollars: crate::money::FixedPointDollars`: Kalshi names
    /// its fixed-point fields by suffix where the spec does not reference a money schema. The
    /// longest matching suffix wins.
    #[serde(default)]
    pub field_suffix_types: IndexMap<String, String>,
    /// String properties (`type: string`, no `enum`, no `format` or `format: uuid`) by exact wire
    /// name mapped to a runtime type, e.g. `order_id: crate::OrderId`, in every schema and
    /// message. They win over [`Self::field_suffix_types`]. A property of that name with another
    /// shape is an error at its JSON pointer; names absent from a spec are ignored. The runtime
    /// type reads and writes a JSON string and has `as_str(&self) -> &str` (batches match their
    /// outcomes to items by such a field).
    #[serde(default)]
    pub field_types: IndexMap<String, String>,
    /// Conversions between a hand-written runtime enum and the generated string enums that mean
    /// the same thing, generated beside those enums (the runtime never names a generated type).
    #[serde(default)]
    pub enum_conversions: Vec<EnumConversion>,
    /// Plain string properties (as for [`Self::field_suffix_types`]) of the AsyncAPI spec's
    /// messages whose whole wire name is the key map to a runtime type, e.g.
    /// `price: crate::money::FixedPointDollars`: for a WebSocket spec that names its fixed-point
    /// fields without Kalshi's suffixes. The OpenAPI spec is left as it is written. A key no
    /// plain string property of the AsyncAPI spec carries is an error
    /// ([`crate::field_rules::check`]). Wins over a suffix.
    #[serde(default)]
    pub ws_field_types: IndexMap<String, String>,
    /// Which server messages the runtime's live order books read, and which of their `msg` fields
    /// play which part (wire names). Without it no `BookFeed` impl is generated.
    #[serde(default)]
    pub order_book: Option<OrderBookSettings>,
    /// Which server messages the runtime's order tracker routes to your orders, and which of their
    /// `msg` fields hold the ids (wire names). Without it no `OrderFeed` impl is generated.
    #[serde(default)]
    pub orders: Option<OrdersSettings>,
    /// Which messages are the protocol's replies and commands that the session reads and writes,
    /// and which of their fields play which part (wire names). Without it no `Control` impl is
    /// generated (and a session over the messages cannot be opened).
    #[serde(default)]
    pub control: Option<ControlSettings>,
}

/// `control`: the messages behind the runtime's `protocol::Control`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlSettings {
    /// The replies to commands.
    pub replies: ReplySettings,
    /// The commands the session sends.
    pub commands: CommandSettings,
}

/// `control.replies`: a message `type` and the wire names of its `msg` fields, per reply. Where
/// several messages share a `type`, the one holding the named fields is meant.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplySettings {
    /// One channel subscribed: `channel` (a string) and `sid` (an integer).
    pub subscribed: SubscribedSettings,
    /// An unsubscribe done (its `msg` is not read).
    pub unsubscribed: TypeOnly,
    /// A market update done: `markets`, the full list (an array of strings).
    pub updated: UpdatedSettings,
    /// The list of subscriptions: an array of objects with `channel` and `sid`.
    pub listed: SubscribedSettings,
    /// A failed command: `code` (an integer or integer enum) and `msg` (a string).
    pub error: ErrorReplySettings,
}

/// A message named by its `type` alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeOnly {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// `control.replies.subscribed`, `control.replies.listed`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribedSettings {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The channel's name.
    pub channel: String,
    /// The subscription id.
    pub sid: String,
}

/// `control.replies.updated`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatedSettings {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The subscription's full market list.
    pub markets: String,
}

/// `control.replies.error`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorReplySettings {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The error code.
    pub code: String,
    /// The server's text.
    pub msg: String,
}

/// `control.commands`: a `cmd` and the wire names of its `params`, per command. Where several
/// commands share a `cmd`, the one holding the named parameters is meant. Every parameter a
/// setting does not name must be optional (the session leaves it unset).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandSettings {
    /// Subscribe: `channels` (an array of strings or string enums), `market` (an optional
    /// string) and `markets` (an optional array of strings).
    pub subscribe: SubscribeSettings,
    /// Unsubscribe: `sids` (an array of integers).
    pub unsubscribe: UnsubscribeSettings,
    /// Update a subscription's markets: `sids`, `markets`, and `action` (a string enum) with the
    /// wire values of `add`, `delete` and `snapshot`.
    pub update: UpdateSettings,
    /// List the subscriptions (no parameters read).
    pub list: CmdOnly,
}

/// A command named by its `cmd` alone.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CmdOnly {
    /// The `cmd` value.
    pub cmd: String,
}

/// `control.commands.subscribe`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubscribeSettings {
    /// The `cmd` value.
    pub cmd: String,
    /// The channels.
    pub channels: String,
    /// A single market.
    pub market: String,
    /// A list of markets.
    pub markets: String,
}

/// `control.commands.unsubscribe`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeSettings {
    /// The `cmd` value.
    pub cmd: String,
    /// The subscription ids.
    pub sids: String,
}

/// `control.commands.update`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    /// The `cmd` value.
    pub cmd: String,
    /// The subscription ids (the session sends one).
    pub sids: String,
    /// The markets.
    pub markets: String,
    /// The action.
    pub action: String,
    /// The action's value that adds markets.
    pub add: String,
    /// The action's value that removes markets.
    pub delete: String,
    /// The action's value that asks for snapshots again.
    pub snapshot: String,
}

/// One `enum_conversions` entry: every generated string enum, REST or WebSocket, component or
/// inline, whose known values are exactly the spec values of `values` gets
/// `From<runtime> for Enum` and `TryFrom<Enum> for runtime` (failing on a value the entry does
/// not map, handing it back).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumConversion {
    /// The runtime enum, by Rust path. It is `Copy` and has `as_str(self) -> &'static str` and
    /// `from_wire(&str) -> Option<Self>`, by the texts that are the keys of `values`.
    pub runtime: String,
    /// The runtime enum's text for each of its values, to the spec value it is.
    pub values: IndexMap<String, String>,
}

impl EnumConversion {
    /// Whether a string enum with these known values converts by this entry: the same set.
    pub fn fits(&self, known: &[&str]) -> bool {
        known.len() == self.values.len()
            && known.iter().all(|k| self.values.values().any(|v| v == k))
    }
}

/// `orders`: the messages behind the runtime's `protocol::OrderFeed`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrdersSettings {
    /// The message that carries an order's state (delivered as `OrderUpdate::Order`).
    pub update: OrderMessageSettings,
    /// The message that carries a fill of an order (delivered as `OrderUpdate::Fill`).
    pub fill: OrderMessageSettings,
}

/// `orders.update`, `orders.fill`: a message `type` and the wire names of its id fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderMessageSettings {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The exchange's order id (a required field that `field_types` maps to `crate::OrderId`).
    pub order_id: String,
    /// Your `client_order_id` (a string, required or optional).
    pub client_order_id: String,
}

/// `order_book`: the messages behind the runtime's `protocol::BookFeed`, and the book's layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderBookSettings {
    /// Where the book's asks come from, which picks the runtime's side type.
    pub asks: BookAsks,
    /// The values of the delta's side field that are the book's first and second side (for
    /// `implied`: YES then NO; for `quoted`: bid then ask).
    pub sides: [String; 2],
    /// The message that carries a whole book.
    pub snapshot: BookSnapshotSettings,
    /// The message that changes one level.
    pub delta: BookDeltaSettings,
}

/// `order_book.asks`: how a book's two sides are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BookAsks {
    /// Both sides are bids (YES and NO); each side's asks are the other's bids at one dollar
    /// minus their price (the runtime's `sides::Side`).
    Implied,
    /// The first side is the bids and the second the asks, both quoted (the runtime's
    /// `sides::QuoteSide`).
    Quoted,
}

/// `order_book.snapshot`: a message `type` and the wire names of its `msg` fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookSnapshotSettings {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The market's ticker (a string).
    pub ticker: String,
    /// The levels of the first and the second side: each a list of `[price, size]` string pairs.
    pub levels: [String; 2],
}

/// `order_book.delta`: a message `type` and the wire names of its `msg` fields.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookDeltaSettings {
    /// The message's `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The market's ticker (a string).
    pub ticker: String,
    /// The price level (`FixedPointDollars`).
    pub price: String,
    /// The signed change of size (`FixedPointCount`).
    pub delta: String,
    /// The side: a string enum whose values include the two of `order_book.sides`.
    pub side: String,
    /// The `client_order_id` of your order that caused the change (an optional string).
    pub client_order_id: String,
    /// Your subaccount, when your order caused the change (an optional integer).
    pub subaccount: String,
}

impl Settings {
    /// Parses the settings YAML.
    pub fn from_yaml(text: &str) -> Result<Self, Error> {
        let settings: Settings =
            serde_yaml::from_str(text).map_err(|e| Error::Settings(e.to_string()))?;
        let entries = (settings.runtime_types.iter().map(|e| ("runtime_types", e)))
            .chain(
                settings
                    .field_suffix_types
                    .iter()
                    .map(|e| ("field_suffix_types", e)),
            )
            .chain(settings.field_types.iter().map(|e| ("field_types", e)))
            .chain(
                settings
                    .ws_field_types
                    .iter()
                    .map(|e| ("ws_field_types", e)),
            );
        for (section, (key, path)) in entries {
            if syn::parse_str::<syn::Path>(path).is_err() {
                return Err(Error::Settings(format!(
                    "{section}.{key}: `{path}` is not a Rust path"
                )));
            }
        }
        settings.check_enum_conversions()?;
        Ok(settings)
    }

    /// Each `enum_conversions` entry names a Rust path and maps distinct values, and no two
    /// entries of one runtime enum match the same generated enums (their impls would clash).
    fn check_enum_conversions(&self) -> Result<(), Error> {
        for (i, c) in self.enum_conversions.iter().enumerate() {
            let at = format!("enum_conversions[{i}]");
            if syn::parse_str::<syn::Path>(&c.runtime).is_err() {
                return Err(Error::Settings(format!(
                    "{at}.runtime: `{}` is not a Rust path",
                    c.runtime
                )));
            }
            let spec: Vec<&str> = c.values.values().map(String::as_str).collect();
            let distinct = spec.iter().collect::<std::collections::BTreeSet<_>>().len();
            if spec.is_empty() || distinct != spec.len() {
                return Err(Error::Settings(format!(
                    "{at}.values: expected one or more values, each mapped to a different spec value"
                )));
            }
            let clash = self.enum_conversions[..i]
                .iter()
                .any(|e| e.runtime == c.runtime && e.fits(&spec));
            if clash {
                return Err(Error::Settings(format!(
                    "{at}: an earlier entry converts `{}` to the same spec values",
                    c.runtime
                )));
            }
        }
        Ok(())
    }

    /// The runtime type for a plain string property named `wire`: by [`Self::ws_field_types`]
    /// (empty in the OpenAPI lowering), else by [`Self::field_suffix_types`].
    pub fn suffix_type(&self, wire: &str) -> Option<&str> {
        if let Some(path) = self.ws_field_types.get(wire) {
            return Some(path);
        }
        self.field_suffix_types
            .iter()
            .filter(|(suffix, _)| wire.ends_with(suffix.as_str()) && wire.len() > suffix.len())
            .max_by_key(|(suffix, _)| suffix.len())
            .map(|(_, path)| path.as_str())
    }
}

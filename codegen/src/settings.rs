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
    /// The exchange's order id (a required uuid).
    pub order_id: String,
    /// Your `client_order_id` (a string, required or optional).
    pub client_order_id: String,
}

/// `order_book`: the messages behind the runtime's `protocol::BookFeed`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrderBookSettings {
    /// The message that carries a whole book.
    pub snapshot: BookSnapshotSettings,
    /// The message that changes one level.
    pub delta: BookDeltaSettings,
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
    /// The YES bids: a list of `[price, size]` string pairs.
    pub yes: String,
    /// The NO bids: a list of `[price, size]` string pairs.
    pub no: String,
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
    /// The side: a string enum with the values `yes` and `no`.
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
        Ok(settings)
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

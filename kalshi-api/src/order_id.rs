//! The exchange's order id: one type for REST answers, WebSocket messages and the order tracker.
//!
//! Kalshi's REST spec writes order ids as plain strings and its WebSocket spec as `format: uuid`;
//! both carry the same value. [`OrderId`] keeps the text exactly as it came, so reading one never
//! fails on an id that is not a uuid, and a request sends back exactly what was read.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// An order id as the exchange writes it (today a lower-case hyphenated uuid, such as
/// `3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d`).
///
/// Equality, ordering and hashing are by text, so a `HashMap<OrderId, _>` can be looked up with a
/// `&str`. Any text reads and writes back unchanged; [`uuid`](Self::uuid) parses it when you need a
/// [`Uuid`]. The `order_id` fields of [`types`](crate::types) and of the WebSocket messages, and
/// the order tracker, all use this type, so an id passes from one to the other as is:
///
/// ```
/// use kalshi_api::{OrderId, Uuid};
///
/// let id: OrderId = "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d".into();
/// let uuid: Uuid = "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d".parse().unwrap();
/// assert_eq!(id, OrderId::from(uuid));
/// assert_eq!(id.uuid(), Some(uuid));
/// assert_eq!(id.as_str(), "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OrderId(String);

impl OrderId {
    /// The id as the exchange wrote it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id as a [`Uuid`], or `None` when its text is not one.
    pub fn uuid(&self) -> Option<Uuid> {
        Uuid::parse_str(&self.0).ok()
    }

    /// Whether the id is empty (Kalshi's Go servers write `""` for an id they do not have).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The id's text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for OrderId {
    type Err = std::convert::Infallible;

    /// Any text is an order id: the exchange decides what its ids look like.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(OrderId(s.to_owned()))
    }
}

impl From<Uuid> for OrderId {
    /// The uuid's lower-case hyphenated text, as Kalshi writes ids.
    fn from(id: Uuid) -> Self {
        OrderId(id.hyphenated().to_string())
    }
}

impl From<String> for OrderId {
    fn from(id: String) -> Self {
        OrderId(id)
    }
}

impl From<&str> for OrderId {
    fn from(id: &str) -> Self {
        OrderId(id.to_owned())
    }
}

impl From<&String> for OrderId {
    fn from(id: &String) -> Self {
        OrderId(id.clone())
    }
}

impl From<&OrderId> for OrderId {
    fn from(id: &OrderId) -> Self {
        id.clone()
    }
}

/// So that an id passes to operations whose path takes text (`ops::GetOrder::new(id)`).
impl From<OrderId> for String {
    fn from(id: OrderId) -> Self {
        id.0
    }
}

/// So that a borrowed id passes to operations whose path takes text (`ops::GetOrder::new(&id)`).
impl From<&OrderId> for String {
    fn from(id: &OrderId) -> Self {
        id.0.clone()
    }
}

impl AsRef<str> for OrderId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for OrderId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for OrderId {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for OrderId {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for OrderId {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<OrderId> for String {
    fn eq(&self, other: &OrderId) -> bool {
        *self == other.0
    }
}

impl PartialEq<OrderId> for str {
    fn eq(&self, other: &OrderId) -> bool {
        self == other.0
    }
}

impl PartialEq<OrderId> for &str {
    fn eq(&self, other: &OrderId) -> bool {
        *self == other.0
    }
}

impl Serialize for OrderId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for OrderId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(OrderIdVisitor)
    }
}

/// Reads a string as is; an integer reads as its decimal text, so that an id the spec did not
/// promise as text still reads.
struct OrderIdVisitor;

impl Visitor<'_> for OrderIdVisitor {
    type Value = OrderId;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an order id")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<OrderId, E> {
        Ok(OrderId(v.to_owned()))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<OrderId, E> {
        Ok(OrderId(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<OrderId, E> {
        Ok(OrderId(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<OrderId, E> {
        Ok(OrderId(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_any_text_and_writes_it_back_unchanged() {
        for text in [
            r#""3B23C1C7-F4EF-4F0D-8B9A-9E53C61F1A0D""#,
            r#""not-a-uuid""#,
            r#""""#,
        ] {
            let id: OrderId = serde_json::from_str(text).unwrap();
            assert_eq!(serde_json::to_string(&id).unwrap(), text);
        }
        let id: OrderId = serde_json::from_str("12345").unwrap();
        assert_eq!(id.as_str(), "12345");
        assert_eq!(id.uuid(), None);
    }

    #[test]
    fn a_uuid_and_its_text_are_the_same_id() {
        let uuid = Uuid::from_u128(0x3b23c1c7_f4ef_4f0d_8b9a_9e53c61f1a0d);
        let id = OrderId::from(uuid);
        assert_eq!(id, OrderId::from("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d"));
        assert_eq!(id.uuid(), Some(uuid));
        assert_eq!(id.to_string(), "3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d");
        let mut map = std::collections::HashMap::new();
        map.insert(id, 1);
        assert_eq!(map.get("3b23c1c7-f4ef-4f0d-8b9a-9e53c61f1a0d"), Some(&1));
    }
}

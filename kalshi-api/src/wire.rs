//! The JSON object codec behind the generated types.
//!
//! The generator writes each object type's `Serialize` and `Deserialize` impls itself instead of
//! deriving them. A serde derive expands, per type, to a field enum with its own visitor, a map
//! visitor and a sequence visitor: about half of the generated crate's compiled code, and a
//! proc-macro build for every user. The generated impls are a key match and a loop over these
//! shared helpers, and the rules live here, once:
//!
//! - the value must be a JSON object (an array is not read as a struct);
//! - an unknown key is skipped, so Kalshi can add fields;
//! - a key that appears twice is an error;
//! - a missing field is an error unless the generator gave it a default (optional fields, and
//!   every field of a type Kalshi sends: see the crate docs);
//! - an optional field that is unset is left out when writing, unless the spec says to send
//!   `null`.

// A spec need not use every helper (one without empty objects never calls `skip_all`).
#![allow(dead_code)]

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// An object type read from a JSON object, field by field. Implemented by the generated types.
pub(crate) trait Object: Sized {
    /// The type's name, for error messages.
    const NAME: &'static str;

    /// Reads the object's entries.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

/// `Deserialize::deserialize` of an [`Object`].
pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: Object>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(ObjectVisitor(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// The next key of an object, as the index `field` gives its name (`usize::MAX` for a key the
/// type does not know). `field` is one plain function per type, so matching names is compiled
/// once per type, not once per format.
pub(crate) fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    field: fn(&str) -> usize,
) -> Result<Option<usize>, A::Error> {
    map.next_key_seed(Key(field))
}

struct Key(fn(&str) -> usize);

impl<'de> DeserializeSeed<'de> for Key {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl Visitor<'_> for Key {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        Ok((self.0)(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<usize, E> {
        Ok(std::str::from_utf8(v).map_or(usize::MAX, self.0))
    }
}

/// Reads the value of field `name` into `slot`; a second value for the same field is an error.
pub(crate) fn value<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<T>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key the type does not know.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// Skips every remaining entry (an object type without fields).
pub(crate) fn skip_all<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    while map.next_key::<IgnoredAny>()?.is_some() {
        skip(map)?;
    }
    Ok(())
}

/// The value of a field that has no default: missing is an error.
pub(crate) fn required<T, E: de::Error>(slot: Option<T>, name: &'static str) -> Result<T, E> {
    slot.ok_or_else(|| E::missing_field(name))
}

/// Starts writing an object of `len` entries.
pub(crate) fn begin<S: Serializer>(
    s: S,
    name: &'static str,
    len: usize,
) -> Result<S::SerializeStruct, S::Error> {
    s.serialize_struct(name, len)
}

/// Writes one entry.
pub(crate) fn field<S: SerializeStruct, T: Serialize + ?Sized>(
    o: &mut S,
    name: &'static str,
    value: &T,
) -> Result<(), S::Error> {
    o.serialize_field(name, value)
}

/// Writes an optional entry, or leaves it out when it is unset.
pub(crate) fn optional<S: SerializeStruct, T: Serialize>(
    o: &mut S,
    name: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(v) => o.serialize_field(name, v),
        None => o.skip_field(name),
    }
}

/// Finishes an object.
pub(crate) fn end<S: SerializeStruct>(o: S) -> Result<S::Ok, S::Error> {
    o.end()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-written `Object` shaped like the generated ones: one field with a default, one
    /// optional, one required.
    #[derive(Debug, PartialEq)]
    struct Quote {
        ticker: String,
        price: Option<i64>,
        side: String,
    }

    impl Object for Quote {
        const NAME: &'static str = "Quote";
        fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
            fn field(key: &str) -> usize {
                match key {
                    "ticker" => 0,
                    "price" => 1,
                    "side" => 2,
                    _ => usize::MAX,
                }
            }
            let mut f0: Option<String> = None;
            let mut f1: Option<Option<i64>> = None;
            let mut f2: Option<String> = None;
            while let Some(i) = next_key(&mut map, field)? {
                match i {
                    0 => value(&mut map, &mut f0, "ticker")?,
                    1 => value(&mut map, &mut f1, "price")?,
                    2 => value(&mut map, &mut f2, "side")?,
                    _ => skip(&mut map)?,
                }
            }
            Ok(Quote {
                ticker: f0.unwrap_or_default(),
                price: f1.flatten(),
                side: required(f2, "side")?,
            })
        }
    }

    impl<'de> Deserialize<'de> for Quote {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            deserialize(d)
        }
    }

    impl Serialize for Quote {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut o = begin(s, "Quote", 2 + usize::from(self.price.is_some()))?;
            field(&mut o, "ticker", &self.ticker)?;
            optional(&mut o, "price", &self.price)?;
            field(&mut o, "side", &self.side)?;
            end(o)
        }
    }

    fn parse(json: &str) -> Result<Quote, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn reads_fields_in_any_order_and_skips_unknown_keys() {
        let q = parse(r#"{"side":"yes","new":{"a":[1,2]},"price":5,"ticker":"K"}"#).unwrap();
        assert_eq!(
            q,
            Quote {
                ticker: "K".into(),
                price: Some(5),
                side: "yes".into()
            }
        );
    }

    #[test]
    fn escaped_keys_are_matched_too() {
        // An escape makes serde_json hand the key over as a transient `&str`, not a borrowed one.
        let q = parse(r#"{"tick\u0065r":"K","side":"no"}"#).unwrap();
        assert_eq!(q.ticker, "K");
        let q: Quote = serde_json::from_reader(r#"{"ticker":"R","side":"no"}"#.as_bytes()).unwrap();
        assert_eq!(q.ticker, "R");
    }

    #[test]
    fn defaults_optional_and_required_fields() {
        let q = parse(r#"{"side":"no","price":null}"#).unwrap();
        assert_eq!((q.ticker.as_str(), q.price), ("", None));
        let e = parse(r#"{"ticker":"K"}"#).unwrap_err();
        assert!(e.contains("missing field `side`"), "{e}");
    }

    #[test]
    fn rejects_duplicates_non_objects_and_wrong_types() {
        let e = parse(r#"{"side":"no","side":"yes"}"#).unwrap_err();
        assert!(e.contains("duplicate field `side`"), "{e}");
        let e = parse(r#"["K", 5, "no"]"#).unwrap_err();
        assert!(e.contains("expected a Quote object"), "{e}");
        let e = parse(r#"{"side":"no","price":"5"}"#).unwrap_err();
        assert!(
            e.contains("invalid type: string \"5\", expected i64"),
            "{e}"
        );
    }

    #[test]
    fn writes_set_fields_and_leaves_out_unset_ones() {
        let q = Quote {
            ticker: "K".into(),
            price: None,
            side: "yes".into(),
        };
        assert_eq!(
            serde_json::to_string(&q).unwrap(),
            r#"{"ticker":"K","side":"yes"}"#
        );
        let q = Quote {
            price: Some(7),
            ..q
        };
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(json, r#"{"ticker":"K","price":7,"side":"yes"}"#);
        assert_eq!(parse(&json).unwrap(), q);
    }
}

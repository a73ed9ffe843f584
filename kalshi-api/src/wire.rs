//! The JSON object codec behind the generated types.
//!
//! Generated structs get their `Serialize` and `Deserialize` impls from [`object!`], a declarative
//! macro fed each field's wire name and mode, instead of serde's derive. A derive expands, per type,
//! to a field enum with its own visitor, a map visitor and a sequence visitor, and every user builds
//! the proc macro. [`object!`] expands to a key match and a loop over the helpers below, and the
//! rules live here, once:
//!
//! - the value must be a JSON object (an array is not read as a struct);
//! - an unknown key is skipped, so Kalshi can add fields;
//! - a key that appears twice is an error;
//! - a field's mode says what a missing value means and how an unset one is written:
//!   - `required`: missing is an error (fields of types only the client sends);
//!   - `default`: missing or `null` is the type's default (required fields of types Kalshi sends,
//!     so one drifted field cannot fail a page; see the crate docs), and each such read is
//!     counted and logged by [`crate::drift`], under the type's name and the spec version given
//!     as `object!(Name in "3.31.0" { ... })`;
//!   - `optional`: an `Option`; missing or `null` is `None`, and `None` is left out when writing;
//!   - `nullable`: an `Option` read the same way, but `None` is written as `null` (the spec's
//!     required-but-nullable fields, and `x-omitempty: false`);
//! - a field may name a reader, `field = "wire" mode(Reader)`: fields of types Kalshi sends whose
//!   type holds lists or maps read through [`Seq`], [`Map`] and [`Plain`], so that a `null` list,
//!   map, element or map value reads as empty or default too (Kalshi's Go servers send `null` for
//!   empty slices and maps), and fields whose type is narrower than free text (a uuid, a time, a
//!   fixed-point number, an enum) read through [`Blank`], so that `""` (Go's zero value for a
//!   string) reads as absent, as `null` does.
//!
//! `oneOf`/`anyOf` enums read the JSON once and pick an alternative with [`tag`] and
//! [`alternative`].

// A spec need not use every helper (one without empty objects never calls `skip_all`).
#![allow(dead_code)]

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::marker::PhantomData;

/// Implements [`Object`], `Deserialize` and `Serialize` for a struct from its fields' wire names
/// and modes (see the module docs): `object!(Name { field = "wire" mode, ... });`.
///
/// A field's value is read into a local named after the field (macro hygiene keeps it apart from
/// the expansion's own locals), whose type is inferred from the struct's field.
macro_rules! object {
    (@value $mode:ident, $map:ident, $slot:ident, $wire:literal, $reader:ty) => {
        $crate::wire::value_with::<_, $reader>(&mut $map, &mut $slot, $wire)?
    };
    (@value default, $map:ident, $slot:ident, $wire:literal) => {
        $crate::wire::value_or_default(&mut $map, &mut $slot, $wire)?
    };
    (@value $mode:ident, $map:ident, $slot:ident, $wire:literal) => {
        $crate::wire::value(&mut $map, &mut $slot, $wire)?
    };
    (@read default, $slot:ident, $wire:literal, $name:ident, $spec:literal, $reader:ty) => {
        match $crate::wire::given::<$reader>($slot) {
            ::std::option::Option::Some(value) => value,
            ::std::option::Option::None => $crate::wire::object!(@defaulted $name, $wire, $spec),
        }
    };
    (@read default, $slot:ident, $wire:literal, $name:ident, $spec:literal) => {
        match $slot.flatten() {
            ::std::option::Option::Some(value) => value,
            ::std::option::Option::None => $crate::wire::object!(@defaulted $name, $wire, $spec),
        }
    };
    (@read required, $slot:ident, $wire:literal, $name:ident, $spec:literal $(, $reader:ty)?) => {
        $crate::wire::required($slot, $wire)?
    };
    (@read $mode:ident, $slot:ident, $wire:literal, $name:ident, $spec:literal $(, $reader:ty)?) => {
        $slot.flatten()
    };
    // The field was not sent: counted in a `static` of its own (see `crate::drift`).
    (@defaulted $name:ident, $wire:literal, $spec:literal) => {{
        static TALLY: $crate::drift::Tally =
            $crate::drift::Tally::new(stringify!($name), $wire, $spec);
        $crate::drift::defaulted(&TALLY);
        ::std::default::Default::default()
    }};
    (@len optional, $value:expr) => {
        usize::from($value.is_some())
    };
    (@len $mode:ident, $value:expr) => {
        1
    };
    (@write optional, $o:ident, $wire:literal, $value:expr) => {
        $crate::wire::optional(&mut $o, $wire, &$value)?
    };
    (@write $mode:ident, $o:ident, $wire:literal, $value:expr) => {
        $crate::wire::field(&mut $o, $wire, &$value)?
    };
    ($name:ident $(in $spec:literal)? {}) => {
        impl $crate::wire::Object for $name {
            const NAME: &'static str = stringify!($name);
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                $crate::wire::skip_all(&mut map)?;
                ::std::result::Result::Ok(Self {})
            }
        }
        $crate::wire::object!(@serde $name);
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                $crate::wire::end($crate::wire::begin(serializer, stringify!($name), 0)?)
            }
        }
    };
    // Without a spec version (the runtime's own tests).
    ($name:ident { $($fields:tt)+ }) => {
        $crate::wire::object!($name in "" { $($fields)+ });
    };
    ($name:ident in $spec:literal { $($field:ident = $wire:literal $mode:ident $(($reader:ty))?),+ $(,)? }) => {
        impl $crate::wire::Object for $name {
            const NAME: &'static str = stringify!($name);
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(
                mut map: A,
            ) -> ::std::result::Result<Self, A::Error> {
                // A key becomes its field's index in a plain function, compiled once per type; the
                // indices are named by a local enum's discriminants, given to patterns as constants.
                #[allow(non_camel_case_types)]
                enum Field {
                    $( $field, )+
                }
                #[allow(non_upper_case_globals)]
                struct Index;
                #[allow(non_upper_case_globals)]
                impl Index {
                    $( const $field: usize = Field::$field as usize; )+
                }
                fn field(key: &str) -> usize {
                    match key {
                        $( $wire => Index::$field, )+
                        _ => usize::MAX,
                    }
                }
                $( let mut $field = ::std::option::Option::None; )+
                // No binding for the key: a field may have any name, that of a binding included.
                loop {
                    match $crate::wire::next_key(&mut map, field)? {
                        $( ::std::option::Option::Some(Index::$field) => {
                            $crate::wire::object!(@value $mode, map, $field, $wire $(, $reader)?)
                        } )+
                        ::std::option::Option::Some(_) => $crate::wire::skip(&mut map)?,
                        ::std::option::Option::None => break,
                    }
                }
                ::std::result::Result::Ok(Self {
                    $( $field: $crate::wire::object!(
                        @read $mode, $field, $wire, $name, $spec $(, $reader)?
                    ), )+
                })
            }
        }
        $crate::wire::object!(@serde $name);
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                serializer: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                let len = 0 $( + $crate::wire::object!(@len $mode, self.$field) )+;
                let mut o = $crate::wire::begin(serializer, stringify!($name), len)?;
                $( $crate::wire::object!(@write $mode, o, $wire, self.$field); )+
                $crate::wire::end(o)
            }
        }
    };
    (@serde $name:ident) => {
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::wire::deserialize(deserializer)
            }
        }
    };
}
pub(crate) use object;

/// An object type read from a JSON object, entry by entry. Implemented by [`object!`].
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
        write!(f, "a JSON object for {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// The next key of an object, as the index `field` gives its name (`usize::MAX` for a key the
/// type does not know). `field` is one plain function per type, so matching names is compiled once
/// per type, not once per input format.
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

/// Reads the value of a `default` field: `null` is kept as `Some(None)`, so that the field is
/// read as its default, and counted, as a missing one is.
pub(crate) fn value_or_default<'de, A: MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    slot: &mut Option<Option<T>>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value::<Option<T>>()?);
    Ok(())
}

/// A `default` field's value read by `R`, or `None` when it was not given (missing, or what `R`
/// reads as absent).
pub(crate) fn given<'de, R: Read<'de>>(slot: Option<R::Value>) -> Option<R::Field> {
    R::given(slot?)
}

/// Reads the value of field `name` through the reader `R`.
pub(crate) fn value_with<'de, A: MapAccess<'de>, R: Read<'de>>(
    map: &mut A,
    slot: &mut Option<R::Value>,
    name: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(de::Error::duplicate_field(name));
    }
    *slot = Some(map.next_value_seed(Seed::<R>(PhantomData))?);
    Ok(())
}

/// How a value of a type Kalshi sends is read, `null` included: a type-level description of
/// nested lists and maps ([`Seq`], [`Map`], [`Opt`] around a [`Plain`] leaf), compiled to one
/// reader per shape.
pub(crate) trait Read<'de> {
    /// What is read.
    type Value;

    /// What a `default` field holds: [`Value`](Self::Value), or less where the reader can read
    /// a value as absent ([`Blank`]).
    type Field;

    /// Reads it.
    fn read<D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error>;

    /// What was read, as the field's value, or `None` when it counts as not given.
    fn given(value: Self::Value) -> Option<Self::Field>;
}

/// The readers whose every value is given.
macro_rules! always_given {
    () => {
        type Field = Self::Value;

        fn given(value: Self::Value) -> Option<Self::Value> {
            Some(value)
        }
    };
}

/// A leaf: `null` is `T`'s default.
pub(crate) struct Plain<T>(PhantomData<T>);

/// A list: `null` is empty, and each element is read by `R`.
pub(crate) struct Seq<R>(PhantomData<R>);

/// A map with string keys: `null` is empty, and each value is read by `R`.
pub(crate) struct Map<R>(PhantomData<R>);

/// An optional field's value: `null` is `None`, anything else is read by `R`.
pub(crate) struct Opt<R>(PhantomData<R>);

impl<'de, T: Deserialize<'de> + Default> Read<'de> for Plain<T> {
    type Value = T;
    always_given!();

    fn read<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
    }
}

/// A leaf narrower than free text (a uuid, a time, a fixed-point number, an enum): `null` and `""`
/// read as `None`. Kalshi's Go servers send `""`, a string's zero value, for a value they do not
/// have; such a value is absent, not malformed.
/// `P` reads the text of a value first, where a faster reader than `T`'s `Deserialize` exists
/// ([`Rfc3339`] for times).
pub(crate) struct Blank<T, P = ByDeserialize>(PhantomData<(T, P)>);

/// A reader of a value's text that `Blank` tries before `T`'s own `Deserialize`; `None` hands the
/// text on to it, so every form `T` reads still reads.
pub(crate) trait TextFirst<T> {
    /// `v` read, or `None` to let `T`'s `Deserialize` read it.
    fn parse(v: &str) -> Option<T>;
}

/// No reader of its own: `T`'s `Deserialize` reads the text.
pub(crate) struct ByDeserialize;

impl<T> TextFirst<T> for ByDeserialize {
    fn parse(_: &str) -> Option<T> {
        None
    }
}

/// Times by chrono's strict RFC 3339 parser first. chrono's `Deserialize` parses with its
/// general, relaxed parser, about ten times the work of the strict one on Kalshi's timestamps
/// (`2026-11-20T15:00:04.117Z`), and a market has eight of them: they were a quarter of decoding
/// a page. Both give the same instant for text the strict one accepts; the rest goes to chrono's
/// `Deserialize` as before. The generator names it for time fields.
pub(crate) struct Rfc3339;

impl TextFirst<chrono::DateTime<chrono::Utc>> for Rfc3339 {
    fn parse(v: &str) -> Option<chrono::DateTime<chrono::Utc>> {
        let time = chrono::DateTime::parse_from_rfc3339(v).ok()?;
        Some(time.with_timezone(&chrono::Utc))
    }
}

impl<'de, T: Deserialize<'de>, P: TextFirst<T>> Read<'de> for Blank<T, P> {
    type Value = Option<T>;
    type Field = T;

    fn read<D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        d.deserialize_any(BlankVisitor::<T, P>(PhantomData))
    }

    fn given(value: Option<T>) -> Option<T> {
        value
    }
}

/// [`Blank`]'s visitor: `""` and `null` are `None`; anything else is handed to `T` as it came.
struct BlankVisitor<T, P>(PhantomData<(T, P)>);

impl<'de, T: Deserialize<'de>, P: TextFirst<T>> Visitor<'de> for BlankVisitor<T, P> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, an empty string or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        if let Some(value) = P::parse(v) {
            return Ok(Some(value));
        }
        T::deserialize(de::value::BorrowedStrDeserializer::new(v)).map(Some)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v.is_empty() {
            return Ok(None);
        }
        if let Some(value) = P::parse(v) {
            return Ok(Some(value));
        }
        T::deserialize(de::value::StrDeserializer::new(v)).map(Some)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::deserialize(de::value::BoolDeserializer::new(v)).map(Some)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::deserialize(de::value::I64Deserializer::new(v)).map(Some)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::deserialize(de::value::U64Deserializer::new(v)).map(Some)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::deserialize(de::value::F64Deserializer::new(v)).map(Some)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Some)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(Some)
    }
}

/// `R` as a `DeserializeSeed`.
pub(crate) struct Seed<R>(PhantomData<R>);

impl<'de, R: Read<'de>> DeserializeSeed<'de> for Seed<R> {
    type Value = R::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<R::Value, D::Error> {
        R::read(d)
    }
}

impl<'de, R: Read<'de>> Read<'de> for Opt<R> {
    always_given!();
    type Value = Option<R::Value>;

    fn read<D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(OptVisitor::<R>(PhantomData))
    }
}

struct OptVisitor<R>(PhantomData<R>);

impl<'de, R: Read<'de>> Visitor<'de> for OptVisitor<R> {
    type Value = Option<R::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        R::read(d).map(Some)
    }
}

impl<'de, R: Read<'de>> Read<'de> for Seq<R> {
    always_given!();
    type Value = Vec<R::Value>;

    fn read<D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        Ok(Opt::<SeqItems<R>>::read(d)?.unwrap_or_default())
    }
}

/// A list that is not `null`.
struct SeqItems<R>(PhantomData<R>);

impl<'de, R: Read<'de>> Read<'de> for SeqItems<R> {
    always_given!();
    type Value = Vec<R::Value>;

    fn read<D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(SeqItems::<R>(PhantomData))
    }
}

impl<'de, R: Read<'de>> Visitor<'de> for SeqItems<R> {
    type Value = Vec<R::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        // A bounded hint: a length prefix is not trusted with an allocation.
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element_seed(Seed::<R>(PhantomData))? {
            out.push(item);
        }
        Ok(out)
    }
}

impl<'de, R: Read<'de>> Read<'de> for Map<R> {
    always_given!();
    type Value = std::collections::BTreeMap<String, R::Value>;

    fn read<D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        Ok(Opt::<MapEntries<R>>::read(d)?.unwrap_or_default())
    }
}

/// A map that is not `null`.
struct MapEntries<R>(PhantomData<R>);

impl<'de, R: Read<'de>> Read<'de> for MapEntries<R> {
    always_given!();
    type Value = std::collections::BTreeMap<String, R::Value>;

    fn read<D: Deserializer<'de>>(d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(MapEntries::<R>(PhantomData))
    }
}

impl<'de, R: Read<'de>> Visitor<'de> for MapEntries<R> {
    type Value = std::collections::BTreeMap<String, R::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map.next_value_seed(Seed::<R>(PhantomData))?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

/// The string value of `property` in a JSON object (a `oneOf`'s discriminator).
pub(crate) fn tag<'v>(value: &'v serde_json::Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// `value` as the alternative `T`, when it is an object with every one of `keys` (an
/// alternative's required properties; none for a scalar or when a discriminator chose) and reads
/// as `T`.
pub(crate) fn alternative<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    keys: &[&str],
) -> Option<T> {
    if !keys.is_empty() {
        let object = value.as_object()?;
        if !keys.iter().all(|k| object.contains_key(*k)) {
            return None;
        }
    }
    T::deserialize(value).ok()
}

/// The error of a `oneOf`/`anyOf` value no alternative of `name` reads.
pub(crate) fn no_alternative<E: de::Error>(name: &str) -> E {
    E::custom(format_args!("no alternative of {name} matches the value"))
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

/// A `required` field: missing is an error.
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

/// Writes an `optional` entry, or leaves it out when it is unset.
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
    /// A struct of every mode, through the same macro the generated types use. `map`, `field` and
    /// `len` are also names the expansion uses.
    #[derive(Debug, PartialEq)]
    struct Quote {
        ticker: String,
        price: Option<i64>,
        side: String,
        note: Option<String>,
        map: Vec<u8>,
        key: Option<bool>,
        field: Option<u8>,
        len: u8,
    }
    object!(Quote {
        ticker = "ticker" default,
        price = "price" optional,
        side = "side" required,
        note = "note" nullable,
        map = "map" default,
        key = "key" optional,
        field = "field" optional,
        len = "len" default,
    });

    #[derive(Debug, PartialEq)]
    struct Empty {}
    object!(Empty {});

    fn parse(json: &str) -> Result<Quote, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn quote() -> Quote {
        Quote {
            ticker: "K".into(),
            price: None,
            side: "yes".into(),
            note: None,
            map: vec![],
            key: None,
            field: None,
            len: 0,
        }
    }

    #[test]
    fn reads_fields_in_any_order_and_skips_unknown_keys() {
        let q =
            parse(r#"{"side":"yes","new":{"a":[1,2]},"price":5,"ticker":"K","map":[1]}"#).unwrap();
        assert_eq!(
            q,
            Quote {
                price: Some(5),
                map: vec![1],
                ..quote()
            }
        );
    }

    #[test]
    fn escaped_and_transient_keys_are_matched_too() {
        // An escape makes serde_json hand the key over as a transient `&str`, not a borrowed one;
        // a reader never lends its keys.
        let q = parse(r#"{"tick\u0065r":"K","side":"no"}"#).unwrap();
        assert_eq!(q.ticker, "K");
        let q: Quote = serde_json::from_reader(r#"{"ticker":"R","side":"no"}"#.as_bytes()).unwrap();
        assert_eq!(q.ticker, "R");
        let q: Quote =
            serde_json::from_value(serde_json::json!({"ticker": "V", "side": "no"})).unwrap();
        assert_eq!(q.ticker, "V");
    }

    #[test]
    fn each_mode_reads_a_missing_or_null_value_its_own_way() {
        let q = parse(r#"{"side":"no","price":null,"note":null}"#).unwrap();
        assert_eq!((q.ticker.as_str(), q.price, q.note), ("", None, None));
        let e = parse(r#"{"ticker":"K"}"#).unwrap_err();
        assert!(e.contains("missing field `side`"), "{e}");
        // `default` reads `null` as absent (Kalshi's Go servers send it for empty values);
        // `required` (types only the client sends) stays strict.
        let q = parse(r#"{"ticker":null,"side":"no","map":null,"len":null}"#).unwrap();
        assert_eq!((q.ticker.as_str(), q.map.len(), q.len), ("", 0, 0));
        let e = parse(r#"{"ticker":"K","side":null}"#).unwrap_err();
        assert!(e.contains("invalid type: null, expected a string"), "{e}");
    }

    #[test]
    fn rejects_duplicates_non_objects_and_wrong_types() {
        let e = parse(r#"{"side":"no","side":"yes"}"#).unwrap_err();
        assert!(e.contains("duplicate field `side`"), "{e}");
        let e = parse(r#"["K", 5, "no"]"#).unwrap_err();
        assert!(e.contains("expected a JSON object for Quote"), "{e}");
        let e = parse(r#"{"side":"no","price":"5"}"#).unwrap_err();
        assert!(
            e.contains("invalid type: string \"5\", expected i64"),
            "{e}"
        );
    }

    #[test]
    fn writes_each_mode_its_own_way() {
        // `optional` unset is left out; `nullable` unset is `null`; the rest are always written.
        assert_eq!(
            serde_json::to_string(&quote()).unwrap(),
            r#"{"ticker":"K","side":"yes","note":null,"map":[],"len":0}"#
        );
        let q = Quote {
            price: Some(7),
            note: Some("n".into()),
            key: Some(true),
            field: Some(3),
            ..quote()
        };
        let json = serde_json::to_string(&q).unwrap();
        assert_eq!(
            json,
            r#"{"ticker":"K","price":7,"side":"yes","note":"n","map":[],"key":true,"field":3,"len":0}"#
        );
        assert_eq!(parse(&json).unwrap(), q);
    }

    #[test]
    fn an_empty_object_reads_any_object_and_writes_braces() {
        let e: Empty = serde_json::from_str(r#"{"a":1,"b":{"c":[]}}"#).unwrap();
        assert_eq!(e, Empty {});
        assert_eq!(serde_json::to_string(&e).unwrap(), "{}");
        assert!(serde_json::from_str::<Empty>("[]").is_err());
    }
}

//! Open enums: the spec's enums, plus a catch-all variant for values Kalshi adds later.
//!
//! Kalshi adds enum values without notice. A closed enum would fail a whole response on the first
//! new value; every generated enum instead keeps the unknown text (or number) in its catch-all
//! variant, and round-trips it exactly.

/// A string enum of the spec: known values, and a catch-all for the rest.
pub trait StringEnum: Sized {
    /// Every value the spec lists.
    const VALUES: &'static [&'static str];
    /// The wire text.
    fn as_str(&self) -> &str;
    /// The variant for a value the spec lists.
    fn from_known(value: &str) -> Option<Self>;
    /// The catch-all variant.
    fn unknown(value: String) -> Self;
    /// Whether the value is one the spec lists.
    fn is_known(&self) -> bool {
        Self::from_known(self.as_str()).is_some()
    }
}

/// An integer enum of the spec: known values, and a catch-all for the rest.
pub trait IntEnum: Sized {
    /// Every value the spec lists.
    const VALUES: &'static [i64];
    /// The wire number.
    fn value(&self) -> i64;
    /// The variant for a value the spec lists.
    fn from_known(value: i64) -> Option<Self>;
    /// The catch-all variant.
    fn unknown(value: i64) -> Self;
}

/// Deserializes a string enum from borrowed or owned text without an intermediate allocation
/// for known values.
#[doc(hidden)]
pub fn deserialize_string_enum<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: StringEnum,
{
    struct Visitor<T>(std::marker::PhantomData<T>);
    impl<T: StringEnum> serde::de::Visitor<'_> for Visitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from_known(v).unwrap_or_else(|| T::unknown(v.to_owned())))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<T, E> {
            Ok(T::from_known(&v).unwrap_or_else(|| T::unknown(v)))
        }
    }
    d.deserialize_str(Visitor(std::marker::PhantomData))
}

/// Implements the traits every string enum has, from its [`StringEnum`] impl.
// A spec may have no string enums at all.
#[allow(unused_macros)]
macro_rules! string_enum_impls {
    ($name:ident) => {
        impl $name {
            /// The wire text.
            pub fn as_str(&self) -> &str {
                <Self as $crate::enums::StringEnum>::as_str(self)
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                <Self as $crate::enums::StringEnum>::from_known(value).unwrap_or_else(|| {
                    <Self as $crate::enums::StringEnum>::unknown(value.to_owned())
                })
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }
        /// The value of an absent field: what `""` decodes to (the spec's `""` variant if it
        /// lists one, else the catch-all with empty text).
        impl ::std::default::Default for $name {
            fn default() -> Self {
                Self::from("")
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                $crate::enums::deserialize_string_enum(d)
            }
        }
        impl $crate::value::QueryValue for $name {
            fn write_text(&self, out: &mut ::std::string::String) {
                out.push_str(self.as_str());
            }
            fn with_text(&self, f: &mut dyn ::std::ops::FnMut(&str)) {
                f(self.as_str());
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum_impls;

/// Implements the traits every integer enum has, from its [`IntEnum`] impl.
// A spec may have no integer enums at all.
#[allow(unused_macros)]
macro_rules! int_enum_impls {
    ($name:ident) => {
        impl $name {
            /// The wire number.
            pub fn value(&self) -> i64 {
                <Self as $crate::enums::IntEnum>::value(self)
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }
        impl ::std::convert::From<i64> for $name {
            fn from(value: i64) -> Self {
                <Self as $crate::enums::IntEnum>::from_known(value)
                    .unwrap_or_else(|| <Self as $crate::enums::IntEnum>::unknown(value))
            }
        }
        /// The value of an absent field: the catch-all with 0.
        impl ::std::default::Default for $name {
            fn default() -> Self {
                <Self as $crate::enums::IntEnum>::unknown(0)
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(
                &self,
                s: S,
            ) -> ::std::result::Result<S::Ok, S::Error> {
                s.serialize_i64(self.value())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                d: D,
            ) -> ::std::result::Result<Self, D::Error> {
                <i64 as ::serde::Deserialize>::deserialize(d).map(Self::from)
            }
        }
        impl $crate::value::QueryValue for $name {
            fn write_text(&self, out: &mut ::std::string::String) {
                $crate::value::QueryValue::write_text(&self.value(), out);
            }
            fn with_text(&self, f: &mut dyn ::std::ops::FnMut(&str)) {
                $crate::value::QueryValue::with_text(&self.value(), f);
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use int_enum_impls;

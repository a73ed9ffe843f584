//! Exact fixed-point money and contract counts.
//!
//! Kalshi writes prices ([`FixedPointDollars`], e.g. `"0.5600"`) and contract counts
//! ([`FixedPointCount`], e.g. `"10.00"`) as decimal strings. Both types store an integer mantissa and
//! the number of decimals written, so they never touch `f64` and print back exactly the text parsed.
//!
//! # Accepted text
//!
//! `-?D+(\.D+)?` where `D` is an ASCII digit, with at most [`MAX_SCALE`] decimals and no leading
//! zero in the integer part (`"0.5"` is fine, `"05"` is not). Rejected: `""`, `"+1"`, `" 1"`,
//! `"1e3"`, `"."`, `".5"`, `"1."`, `"01"`, more than [`MAX_SCALE`] decimals, and values whose
//! mantissa does not fit an `i64`. Kalshi never sends the rejected shorthands, and refusing them
//! keeps the guarantee that every accepted text prints back unchanged. The one exception is a
//! negative zero (`"-0"`, `"-0.00"`): it is accepted and prints without the sign (`"0"`, `"0.00"`).

use crate::value::QueryValue;
use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

/// The most decimal places a value may have; parsing text with more is an error.
pub const MAX_SCALE: u8 = 9;

/// Powers of ten up to `10^MAX_SCALE`.
const POW10: [i64; MAX_SCALE as usize + 1] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
];

/// How many characters of bad input an error quotes.
const EXCERPT_CHARS: usize = 40;

/// Why a text is not a valid fixed-point number.
///
/// Every message is lower-case and quotes the bad input (cut to 40 characters, then `...`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParseMoneyError {
    /// The text is empty.
    #[error("empty string is not a fixed-point number")]
    Empty,
    /// A character other than a digit, one `.` and a leading `-` (this covers `+`, whitespace and
    /// exponents).
    #[error("invalid character {found:?} in fixed-point number {input:?}")]
    InvalidCharacter {
        /// The input (possibly cut short).
        input: String,
        /// The first offending character.
        found: char,
    },
    /// No digits before or after the `.` (`"."`, `".5"`, `"1."`, `"-"`).
    #[error("missing digits in fixed-point number {input:?} (expected e.g. \"12\" or \"0.56\")")]
    MissingDigits {
        /// The input (possibly cut short).
        input: String,
    },
    /// The integer part starts with a superfluous `0` (`"01"`, `"00.5"`).
    #[error("leading zero in fixed-point number {input:?}")]
    LeadingZero {
        /// The input (possibly cut short).
        input: String,
    },
    /// More decimals than [`MAX_SCALE`].
    #[error("too many decimal places in fixed-point number {input:?} (at most {max})")]
    TooManyDecimals {
        /// The input (possibly cut short).
        input: String,
        /// The most decimals allowed ([`MAX_SCALE`]).
        max: u8,
    },
    /// The digits do not fit a 64-bit mantissa.
    #[error("fixed-point number {input:?} is out of range")]
    Overflow {
        /// The input (possibly cut short).
        input: String,
    },
}

/// The input quoted in errors: at most [`EXCERPT_CHARS`] characters, then `...`.
fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((end, _)) => format!("{}...", &s[..end]),
        None => s.to_owned(),
    }
}

/// The shared representation: `mantissa / 10^scale`, with `scale <= MAX_SCALE`.
///
/// Equality, ordering and hashing compare the numeric value, not the scale.
#[derive(Clone, Copy, Default)]
struct Fixed {
    mantissa: i64,
    scale: u8,
}

impl Fixed {
    const ZERO: Fixed = Fixed {
        mantissa: 0,
        scale: 0,
    };

    const fn new(mantissa: i64, scale: u8) -> Option<Fixed> {
        if scale <= MAX_SCALE {
            Some(Fixed { mantissa, scale })
        } else {
            None
        }
    }

    fn parse(s: &str) -> Result<Fixed, ParseMoneyError> {
        let bytes = s.as_bytes();
        let (negative, body) = match bytes.split_first() {
            None => return Err(ParseMoneyError::Empty),
            Some((b'-', rest)) => (true, rest),
            Some(_) => (false, bytes),
        };
        let mut dot = None;
        for (i, &b) in body.iter().enumerate() {
            match b {
                b'0'..=b'9' => {}
                b'.' if dot.is_none() => dot = Some(i),
                _ => {
                    // Every byte before this one is ASCII, so this is a char boundary.
                    let at = i + usize::from(negative);
                    let found = s[at..]
                        .chars()
                        .next()
                        .unwrap_or(char::REPLACEMENT_CHARACTER);
                    return Err(ParseMoneyError::InvalidCharacter {
                        input: excerpt(s),
                        found,
                    });
                }
            }
        }
        let (int, frac) = match dot {
            Some(i) => (&body[..i], Some(&body[i + 1..])),
            None => (body, None),
        };
        if int.is_empty() || frac.is_some_and(<[u8]>::is_empty) {
            return Err(ParseMoneyError::MissingDigits { input: excerpt(s) });
        }
        if int.len() > 1 && int[0] == b'0' {
            return Err(ParseMoneyError::LeadingZero { input: excerpt(s) });
        }
        let frac = frac.unwrap_or_default();
        if frac.len() > usize::from(MAX_SCALE) {
            return Err(ParseMoneyError::TooManyDecimals {
                input: excerpt(s),
                max: MAX_SCALE,
            });
        }
        let overflow = || ParseMoneyError::Overflow { input: excerpt(s) };
        let mut magnitude: u64 = 0;
        for &b in int.iter().chain(frac) {
            magnitude = magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        let mantissa = if negative {
            0i64.checked_sub_unsigned(magnitude)
        } else {
            i64::try_from(magnitude).ok()
        }
        .ok_or_else(overflow)?;
        Ok(Fixed {
            mantissa,
            // At most MAX_SCALE, checked above.
            scale: frac.len() as u8,
        })
    }

    /// The value in units of `10^-MAX_SCALE`; exact, since `|i64| * 10^9` fits an `i128`.
    fn value(self) -> i128 {
        i128::from(self.mantissa) * i128::from(POW10[usize::from(MAX_SCALE - self.scale)])
    }

    fn with_scale(self, scale: u8) -> Option<Fixed> {
        if scale > MAX_SCALE {
            return None;
        }
        let mantissa = if scale >= self.scale {
            self.mantissa
                .checked_mul(POW10[usize::from(scale - self.scale)])?
        } else {
            let divisor = POW10[usize::from(self.scale - scale)];
            if self.mantissa % divisor != 0 {
                return None;
            }
            self.mantissa / divisor
        };
        Some(Fixed { mantissa, scale })
    }

    fn checked_add(self, rhs: Fixed) -> Option<Fixed> {
        let scale = self.scale.max(rhs.scale);
        let (a, b) = (self.with_scale(scale)?, rhs.with_scale(scale)?);
        Some(Fixed {
            mantissa: a.mantissa.checked_add(b.mantissa)?,
            scale,
        })
    }

    fn checked_sub(self, rhs: Fixed) -> Option<Fixed> {
        let scale = self.scale.max(rhs.scale);
        let (a, b) = (self.with_scale(scale)?, rhs.with_scale(scale)?);
        Some(Fixed {
            mantissa: a.mantissa.checked_sub(b.mantissa)?,
            scale,
        })
    }

    fn checked_neg(self) -> Option<Fixed> {
        Some(Fixed {
            mantissa: self.mantissa.checked_neg()?,
            scale: self.scale,
        })
    }

    /// The exact wire text, formatted on the stack.
    fn text(self) -> Text {
        let mut out = Text {
            buf: [0; TEXT_CAP],
            len: 0,
        };
        let mut itoa = itoa::Buffer::new();
        let digits = itoa.format(self.mantissa.unsigned_abs()).as_bytes();
        let scale = usize::from(self.scale);
        if self.mantissa < 0 {
            out.push(b"-");
        }
        if digits.len() > scale {
            let (int, frac) = digits.split_at(digits.len() - scale);
            out.push(int);
            if scale > 0 {
                out.push(b".");
                out.push(frac);
            }
        } else {
            // Here scale >= digits.len() >= 1: write "0." then the zeros the digits leave out.
            out.push(b"0.");
            for _ in digits.len()..scale {
                out.push(b"0");
            }
            out.push(digits);
        }
        out
    }
}

impl PartialEq for Fixed {
    fn eq(&self, other: &Fixed) -> bool {
        // Values written with the same number of decimals (the usual case: a book's prices)
        // compare by mantissa, without widening.
        if self.scale == other.scale {
            return self.mantissa == other.mantissa;
        }
        self.value() == other.value()
    }
}

impl Eq for Fixed {}

impl PartialOrd for Fixed {
    fn partial_cmp(&self, other: &Fixed) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Fixed {
    fn cmp(&self, other: &Fixed) -> Ordering {
        if self.scale == other.scale {
            return self.mantissa.cmp(&other.mantissa);
        }
        self.value().cmp(&other.value())
    }
}

impl Hash for Fixed {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // The value at the largest scale is the same for every spelling of a number.
        self.value().hash(state);
    }
}

/// Longest text: `-` + 19 digits + `.` = 21 bytes (or `-0.` + 9 digits = 12).
const TEXT_CAP: usize = 24;

/// A formatted value held on the stack.
struct Text {
    buf: [u8; TEXT_CAP],
    len: usize,
}

impl Text {
    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("formatted digits are ASCII")
    }
}

/// Deserializes the wire form: a string, or (leniently) a JSON integer; never a float.
struct FixedVisitor {
    expecting: &'static str,
}

impl Visitor<'_> for FixedVisitor {
    type Value = Fixed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expecting)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Fixed, E> {
        Fixed::parse(v).map_err(E::custom)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Fixed, E> {
        Ok(Fixed {
            mantissa: v,
            scale: 0,
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Fixed, E> {
        match i64::try_from(v) {
            Ok(mantissa) => Ok(Fixed { mantissa, scale: 0 }),
            Err(_) => Err(E::custom(ParseMoneyError::Overflow {
                input: v.to_string(),
            })),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Fixed, E> {
        Err(E::invalid_type(Unexpected::Float(v), &self))
    }
}

/// Defines one fixed-point newtype over [`Fixed`] with everything the two public types share.
macro_rules! fixed_point {
    (
        $(#[$attr:meta])*
        $name:ident {
            expecting: $expecting:literal,
            example: $example:literal,
            other: $other:literal,
        }
    ) => {
        $(#[$attr])*
        ///
        #[doc = concat!("It is a distinct type from [`", $other, "`]: the two cannot be mixed in arithmetic or")]
        /// comparisons.
        ///
        /// ```compile_fail,E0308
        #[doc = concat!("use kalshi_api::money::{", stringify!($name), ", ", $other, "};")]
        #[doc = concat!("let _ = ", stringify!($name), "::zero() + ", $other, "::zero();")]
        /// ```
        #[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Fixed);

        impl $name {
            #[doc = concat!("The most decimal places a `", stringify!($name), "` may have ([`MAX_SCALE`]).")]
            pub const MAX_SCALE: u8 = MAX_SCALE;

            /// The value `mantissa / 10^scale`, printed with exactly `scale` decimals.
            ///
            /// # Panics
            ///
            /// When `scale` exceeds [`MAX_SCALE`]; see [`try_new`](Self::try_new).
            ///
            /// ```
            #[doc = concat!("use kalshi_api::money::", stringify!($name), ";")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(5600, 4).to_string(), \"0.5600\");")]
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(-5, 2).to_string(), \"-0.05\");")]
            /// ```
            pub const fn new(mantissa: i64, scale: u8) -> Self {
                match Fixed::new(mantissa, scale) {
                    Some(fixed) => $name(fixed),
                    None => panic!("fixed-point scale exceeds MAX_SCALE (9)"),
                }
            }

            /// The value `mantissa / 10^scale`, or `None` when `scale` exceeds [`MAX_SCALE`].
            pub const fn try_new(mantissa: i64, scale: u8) -> Option<Self> {
                match Fixed::new(mantissa, scale) {
                    Some(fixed) => Some($name(fixed)),
                    None => None,
                }
            }

            /// Zero with no decimals, printed `"0"` (the same as [`Default`]).
            pub const fn zero() -> Self {
                $name(Fixed::ZERO)
            }

            /// The integer mantissa: the value times `10^scale`.
            pub const fn mantissa(self) -> i64 {
                self.0.mantissa
            }

            /// The number of decimals written (0 to [`MAX_SCALE`]).
            pub const fn scale(self) -> u8 {
                self.0.scale
            }

            /// Whether the value is zero, at any scale.
            pub const fn is_zero(self) -> bool {
                self.0.mantissa == 0
            }

            /// Whether the value is below zero (`"-0.00"` is not).
            pub const fn is_negative(self) -> bool {
                self.0.mantissa < 0
            }

            /// Exact sum at the larger of the two scales, or `None` on overflow.
            ///
            /// ```
            #[doc = concat!("use kalshi_api::money::", stringify!($name), ";")]
            #[doc = concat!("let a: ", stringify!($name), " = \"0.1\".parse()?;")]
            #[doc = concat!("let b: ", stringify!($name), " = \"0.20\".parse()?;")]
            /// assert_eq!(a.checked_add(b).unwrap().to_string(), "0.30");
            /// # Ok::<(), kalshi_api::money::ParseMoneyError>(())
            /// ```
            pub fn checked_add(self, rhs: Self) -> Option<Self> {
                self.0.checked_add(rhs.0).map($name)
            }

            /// Exact difference at the larger of the two scales, or `None` on overflow.
            pub fn checked_sub(self, rhs: Self) -> Option<Self> {
                self.0.checked_sub(rhs.0).map($name)
            }

            /// The negated value, or `None` for the one mantissa (`i64::MIN`) that has no negation.
            pub fn checked_neg(self) -> Option<Self> {
                self.0.checked_neg().map($name)
            }

            /// The same value written with exactly `scale` decimals, or `None` when that would drop
            /// non-zero digits, overflow, or exceed [`MAX_SCALE`].
            ///
            /// ```
            #[doc = concat!("use kalshi_api::money::", stringify!($name), ";")]
            #[doc = concat!("let x: ", stringify!($name), " = \"0.560000\".parse()?;")]
            /// assert_eq!(x.with_scale(2).unwrap().to_string(), "0.56");
            /// assert_eq!(x.with_scale(4).unwrap().to_string(), "0.5600");
            /// assert_eq!(x.with_scale(1), None); // 0.5 would lose the 6
            /// # Ok::<(), kalshi_api::money::ParseMoneyError>(())
            /// ```
            pub fn with_scale(self, scale: u8) -> Option<Self> {
                self.0.with_scale(scale).map($name)
            }
        }

        /// Parses the wire text exactly (see the [module docs](crate::money) for the accepted forms).
        impl FromStr for $name {
            type Err = ParseMoneyError;

            fn from_str(s: &str) -> Result<Self, ParseMoneyError> {
                Fixed::parse(s).map($name)
            }
        }

        impl TryFrom<&str> for $name {
            type Error = ParseMoneyError;

            fn try_from(s: &str) -> Result<Self, ParseMoneyError> {
                s.parse()
            }
        }

        /// Prints the exact wire text (honouring width and alignment flags).
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.0.text().as_str())
            }
        }

        /// Prints the type name around the quoted wire text, e.g.
        #[doc = concat!("`", stringify!($name), "(\"", $example, "\")`.")]
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(\"{}\")"), self.0.text().as_str())
            }
        }

        /// Panics on overflow, in release builds too; use
        /// [`checked_add`](Self::checked_add) to handle it.
        impl Add for $name {
            type Output = Self;

            fn add(self, rhs: Self) -> Self {
                match self.checked_add(rhs) {
                    Some(sum) => sum,
                    None => panic!(concat!(stringify!($name), " addition overflowed")),
                }
            }
        }

        /// Panics on overflow, like [`Add`].
        impl AddAssign for $name {
            fn add_assign(&mut self, rhs: Self) {
                *self = *self + rhs;
            }
        }

        /// Panics on overflow, in release builds too; use
        /// [`checked_sub`](Self::checked_sub) to handle it.
        impl Sub for $name {
            type Output = Self;

            fn sub(self, rhs: Self) -> Self {
                match self.checked_sub(rhs) {
                    Some(difference) => difference,
                    None => panic!(concat!(stringify!($name), " subtraction overflowed")),
                }
            }
        }

        /// Panics on overflow, like [`Sub`].
        impl SubAssign for $name {
            fn sub_assign(&mut self, rhs: Self) {
                *self = *self - rhs;
            }
        }

        /// Panics when the mantissa is `i64::MIN`; use [`checked_neg`](Self::checked_neg) to handle it.
        impl Neg for $name {
            type Output = Self;

            fn neg(self) -> Self {
                match self.checked_neg() {
                    Some(negated) => negated,
                    None => panic!(concat!(stringify!($name), " negation overflowed")),
                }
            }
        }

        /// Exact sum (zero for an empty iterator); panics on overflow, like [`Add`].
        impl Sum for $name {
            fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
                iter.fold(Self::zero(), Add::add)
            }
        }

        /// Exact sum (zero for an empty iterator); panics on overflow, like [`Add`].
        impl<'a> Sum<&'a $name> for $name {
            fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
                iter.copied().sum()
            }
        }

        /// Serializes as a JSON string of the exact wire text.
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.0.text().as_str())
            }
        }

        /// Deserializes from a string in the wire form, or from a JSON integer (taken as having no
        /// decimals). Floats are refused: they are already inexact by the time they arrive.
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer
                    .deserialize_any(FixedVisitor { expecting: $expecting })
                    .map($name)
            }
        }

        impl QueryValue for $name {
            fn write_text(&self, out: &mut String) {
                out.push_str(self.0.text().as_str());
            }
        }

    };
}

fixed_point! {
    /// An exact amount of US dollars, as Kalshi writes prices and balances: `"0.5600"`.
    ///
    /// Requests take 2-4 decimals (use [`with_scale`](Self::with_scale) to get there); responses emit
    /// up to 6. [`Default`] is zero (`"0"`), which is what a field absent from a response decodes to
    /// where the type defaults it. Equality, ordering and hashing use the value, so `"0.56"` equals
    /// `"0.5600"`, while [`Display`](std::fmt::Display) prints each as written.
    ///
    /// ```
    /// use kalshi_api::money::FixedPointDollars;
    ///
    /// let bid: FixedPointDollars = "0.5600".parse()?;
    /// assert_eq!(bid.to_string(), "0.5600");
    /// assert_eq!(bid, "0.56".parse()?);
    /// assert_eq!(bid.to_cents(), Some(56));
    /// let spread = "0.5800".parse::<FixedPointDollars>()? - bid;
    /// assert_eq!(spread, FixedPointDollars::from_cents(2));
    /// assert_eq!(format!("{spread:?}"), r#"FixedPointDollars("0.0200")"#);
    /// # Ok::<(), kalshi_api::money::ParseMoneyError>(())
    /// ```
    FixedPointDollars {
        expecting: "a fixed-point dollar string such as \"0.5600\" (floats are refused as inexact)",
        example: "0.5600",
        other: "FixedPointCount",
    }
}

fixed_point! {
    /// An exact number of contracts, as Kalshi writes counts: `"10.00"` (fractions allowed, down to
    /// 0.01).
    ///
    /// Requests accept 0-2 decimals; responses always emit 2. [`Default`] is zero (`"0"`), which is
    /// what a field absent from a response decodes to where the type defaults it. Equality, ordering
    /// and hashing use the value, so `"10"` equals `"10.00"`.
    ///
    /// ```
    /// use kalshi_api::money::FixedPointCount;
    ///
    /// let filled: FixedPointCount = "2.50".parse()?;
    /// assert_eq!(filled.to_hundredths(), Some(250));
    /// assert_eq!(filled.to_whole_contracts(), None);
    /// let total = filled + FixedPointCount::from_contracts(10);
    /// assert_eq!(total.to_string(), "12.50");
    /// # Ok::<(), kalshi_api::money::ParseMoneyError>(())
    /// ```
    FixedPointCount {
        expecting: "a fixed-point contract count string such as \"10.00\" (floats are refused as inexact)",
        example: "10.00",
        other: "FixedPointDollars",
    }
}

impl FixedPointDollars {
    /// An amount of integer cents, with 2 decimals: `from_cents(56)` prints `"0.56"`.
    pub const fn from_cents(cents: i64) -> Self {
        FixedPointDollars(Fixed {
            mantissa: cents,
            scale: 2,
        })
    }

    /// The amount in integer cents, or `None` when that loses digits (`"0.565"`) or overflows.
    ///
    /// ```
    /// use kalshi_api::money::FixedPointDollars;
    ///
    /// assert_eq!("0.5600".parse::<FixedPointDollars>()?.to_cents(), Some(56));
    /// assert_eq!("0.565".parse::<FixedPointDollars>()?.to_cents(), None);
    /// # Ok::<(), kalshi_api::money::ParseMoneyError>(())
    /// ```
    pub fn to_cents(self) -> Option<i64> {
        self.0.with_scale(2).map(|f| f.mantissa)
    }

    /// An amount of integer centi-cents ($0.0001), with 4 decimals: `from_centi_cents(5600)` prints
    /// `"0.5600"`.
    pub const fn from_centi_cents(centi_cents: i64) -> Self {
        FixedPointDollars(Fixed {
            mantissa: centi_cents,
            scale: 4,
        })
    }

    /// The amount in integer centi-cents ($0.0001), or `None` when that loses digits or overflows.
    pub fn to_centi_cents(self) -> Option<i64> {
        self.0.with_scale(4).map(|f| f.mantissa)
    }
}

impl FixedPointCount {
    /// A whole number of contracts, with no decimals: `from_contracts(10)` prints `"10"`.
    pub const fn from_contracts(contracts: i64) -> Self {
        FixedPointCount(Fixed {
            mantissa: contracts,
            scale: 0,
        })
    }

    /// The count as whole contracts, or `None` when it is fractional (`"2.50"`).
    pub fn to_whole_contracts(self) -> Option<i64> {
        self.0.with_scale(0).map(|f| f.mantissa)
    }

    /// A count in hundredths of a contract, with 2 decimals: `from_hundredths(250)` prints `"2.50"`.
    pub const fn from_hundredths(hundredths: i64) -> Self {
        FixedPointCount(Fixed {
            mantissa: hundredths,
            scale: 2,
        })
    }

    /// The count in hundredths of a contract, or `None` when finer than 0.01 or overflowing.
    pub fn to_hundredths(self) -> Option<i64> {
        self.0.with_scale(2).map(|f| f.mantissa)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::hash_map::DefaultHasher;
    use std::collections::HashSet;

    fn d(s: &str) -> FixedPointDollars {
        s.parse()
            .unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn c(s: &str) -> FixedPointCount {
        s.parse()
            .unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
    }

    fn hash_of<T: Hash>(value: &T) -> u64 {
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn round_trips_wire_text() {
        let cases = [
            "0",
            "1",
            "10",
            "-1",
            "0.5600",
            "0.56",
            "0.5",
            "0.560000",
            "-0.05",
            "-0.0001",
            "0.000000001",
            "-0.000000001",
            "0.00",
            "0.0000",
            "12345.678901",
            "100.00",
            "99",
            "9223372036854775807",
            "-9223372036854775808",
            "9223372036.854775807",
            "-9223372036.854775808",
            "1.000000000",
        ];
        for text in cases {
            assert_eq!(d(text).to_string(), text, "dollars {text}");
            assert_eq!(c(text).to_string(), text, "count {text}");
            let mut query = String::from("x=");
            d(text).write_text(&mut query);
            assert_eq!(query, format!("x={text}"));
        }
    }

    #[test]
    fn mantissa_and_scale() {
        let x = d("-12.3400");
        assert_eq!((x.mantissa(), x.scale()), (-123_400, 4));
        assert_eq!(FixedPointDollars::new(-123_400, 4).to_string(), "-12.3400");
        assert_eq!(FixedPointCount::new(7, 9).to_string(), "0.000000007");
        assert_eq!(FixedPointCount::new(7, 0).to_string(), "7");
        assert_eq!(FixedPointDollars::try_new(1, 10), None);
        assert_eq!(FixedPointDollars::try_new(1, 9), Some(d("0.000000001")));
        assert_eq!(FixedPointDollars::MAX_SCALE, 9);
    }

    #[test]
    #[should_panic(expected = "exceeds MAX_SCALE")]
    fn new_panics_on_large_scale() {
        let _ = FixedPointDollars::new(1, 10);
    }

    #[test]
    fn negative_zero_is_accepted_and_prints_unsigned() {
        let z = d("-0.00");
        assert!(z.is_zero());
        assert!(!z.is_negative());
        assert_eq!(z.to_string(), "0.00");
        assert_eq!(d("-0").to_string(), "0");
        assert_eq!(z, FixedPointDollars::zero());
    }

    #[test]
    fn zero_and_default() {
        assert_eq!(FixedPointDollars::default().to_string(), "0");
        assert_eq!(FixedPointCount::default().to_string(), "0");
        assert!(FixedPointDollars::zero().is_zero());
        assert!(d("0.0000").is_zero());
        assert!(!d("0.0001").is_zero());
        assert!(d("-0.0001").is_negative());
        assert!(!d("0.0001").is_negative());
    }

    #[test]
    fn equality_and_hash_ignore_scale() {
        let pairs = [
            ("0.56", "0.5600"),
            ("0.56", "0.560000000"),
            ("10", "10.00"),
            ("0", "0.000"),
            ("-0", "0"),
            ("-1.5", "-1.500"),
        ];
        for (a, b) in pairs {
            assert_eq!(d(a), d(b), "{a} == {b}");
            assert_eq!(hash_of(&d(a)), hash_of(&d(b)), "hash {a} == {b}");
            assert_eq!(c(a), c(b));
            assert_eq!(hash_of(&c(a)), hash_of(&c(b)));
            assert_eq!(d(a).cmp(&d(b)), Ordering::Equal);
        }
        assert_ne!(d("0.56"), d("0.561"));
        assert_ne!(d("1"), d("-1"));
        assert_ne!(d("0.1"), d("0.01"));
        let set: HashSet<FixedPointDollars> = ["0.5", "0.50", "0.500", "0.5000"].map(d).into();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn ordering_is_numeric() {
        let sorted = [
            "-9223372036854775808",
            "-10",
            "-0.5",
            "-0.05",
            "-0.000000001",
            "0",
            "0.000000001",
            "0.0099",
            "0.01",
            "0.5",
            "0.56",
            "0.5601",
            "1",
            "9.99",
            "10",
            "9223372036.854775807",
            "9223372036854775807",
        ];
        let values: Vec<FixedPointDollars> = sorted.iter().map(|s| d(s)).collect();
        for w in values.windows(2) {
            assert!(w[0] < w[1], "{} < {}", w[0], w[1]);
            assert!(w[1] > w[0]);
        }
        let mut shuffled = values.clone();
        shuffled.reverse();
        shuffled.sort();
        assert_eq!(shuffled, values);
        assert_eq!(d("0.5").max(d("0.49")).to_string(), "0.5");
    }

    #[test]
    fn addition_and_subtraction_are_exact() {
        assert_eq!(d("0.1") + d("0.2"), d("0.3"));
        assert_eq!((d("0.1") + d("0.2")).to_string(), "0.3");
        assert_eq!((d("0.1") + d("0.20")).to_string(), "0.30");
        assert_eq!((d("0.5600") - d("0.56")).to_string(), "0.0000");
        assert_eq!((d("0.05") - d("0.5")).to_string(), "-0.45");
        assert_eq!((d("1") - d("0.000000001")).to_string(), "0.999999999");
        assert_eq!((c("10") + c("2.50")).to_string(), "12.50");
        assert_eq!((-d("0.05")).to_string(), "-0.05");
        assert_eq!((-d("-0.05")).to_string(), "0.05");
        let mut x = d("1.00");
        x += d("0.25");
        x -= d("0.5");
        assert_eq!(x.to_string(), "0.75");
        let total: FixedPointCount = ["1.00", "2.5", "0.25"].iter().map(|s| c(s)).sum();
        assert_eq!(total.to_string(), "3.75");
        let by_ref: FixedPointCount = [c("1"), c("2")].iter().sum();
        assert_eq!(by_ref.to_string(), "3");
        assert_eq!(
            std::iter::empty::<FixedPointCount>().sum::<FixedPointCount>(),
            c("0")
        );
    }

    #[test]
    fn checked_arithmetic_reports_overflow() {
        let max = d("9223372036854775807");
        let min = d("-9223372036854775808");
        assert_eq!(max.checked_add(d("1")), None);
        assert_eq!(min.checked_sub(d("1")), None);
        assert_eq!(min.checked_neg(), None);
        assert_eq!(max.checked_neg(), Some(d("-9223372036854775807")));
        assert_eq!(max.checked_add(d("-1")), Some(d("9223372036854775806")));
        // Rescaling the larger side to 1 decimal overflows even though the value is small.
        assert_eq!(max.checked_add(d("0.1")), None);
        assert_eq!(
            d("1").checked_sub(d("0.01")).map(|x| x.to_string()),
            Some("0.99".into())
        );
    }

    #[test]
    #[should_panic(expected = "FixedPointDollars addition overflowed")]
    fn add_panics_on_overflow() {
        let _ = d("9223372036854775807") + d("1");
    }

    #[test]
    #[should_panic(expected = "FixedPointCount subtraction overflowed")]
    fn sub_panics_on_overflow() {
        let _ = c("-9223372036854775808") - c("1");
    }

    #[test]
    #[should_panic(expected = "FixedPointDollars negation overflowed")]
    fn neg_panics_on_overflow() {
        let _ = -d("-9223372036854775808");
    }

    #[test]
    fn cents_conversions() {
        assert_eq!(d("0.56").to_cents(), Some(56));
        assert_eq!(d("0.5600").to_cents(), Some(56));
        assert_eq!(d("0.560000").to_cents(), Some(56));
        assert_eq!(d("12").to_cents(), Some(1200));
        assert_eq!(d("-0.05").to_cents(), Some(-5));
        assert_eq!(d("0.565").to_cents(), None);
        assert_eq!(d("0.000000001").to_cents(), None);
        assert_eq!(d("9223372036854775807").to_cents(), None);
        assert_eq!(FixedPointDollars::from_cents(56).to_string(), "0.56");
        assert_eq!(FixedPointDollars::from_cents(-5).to_string(), "-0.05");
        assert_eq!(FixedPointDollars::from_cents(1234).to_string(), "12.34");
        assert_eq!(FixedPointDollars::from_cents(0).to_string(), "0.00");
        assert_eq!(d("0.5678").to_centi_cents(), Some(5678));
        assert_eq!(d("0.56").to_centi_cents(), Some(5600));
        assert_eq!(d("0.56785").to_centi_cents(), None);
        assert_eq!(
            FixedPointDollars::from_centi_cents(5600).to_string(),
            "0.5600"
        );
        for cents in [-10_000, -1, 0, 1, 56, 99, 100, 123_456] {
            assert_eq!(FixedPointDollars::from_cents(cents).to_cents(), Some(cents));
        }
    }

    #[test]
    fn count_conversions() {
        assert_eq!(FixedPointCount::from_contracts(10).to_string(), "10");
        assert_eq!(c("10.00").to_whole_contracts(), Some(10));
        assert_eq!(c("10").to_whole_contracts(), Some(10));
        assert_eq!(c("2.50").to_whole_contracts(), None);
        assert_eq!(c("2.50").to_hundredths(), Some(250));
        assert_eq!(c("2.5").to_hundredths(), Some(250));
        assert_eq!(c("2.505").to_hundredths(), None);
        assert_eq!(FixedPointCount::from_hundredths(250).to_string(), "2.50");
        assert_eq!(FixedPointCount::from_hundredths(5).to_string(), "0.05");
        assert_eq!(
            c("10").with_scale(2).map(|x| x.to_string()),
            Some("10.00".into())
        );
        assert_eq!(c("10.50").with_scale(0), None);
        assert_eq!(c("10").with_scale(10), None);
    }

    #[test]
    fn debug_and_display_formatting() {
        assert_eq!(
            format!("{:?}", d("0.5600")),
            r#"FixedPointDollars("0.5600")"#
        );
        assert_eq!(format!("{:?}", c("10.00")), r#"FixedPointCount("10.00")"#);
        assert_eq!(format!("{:>8}", d("0.56")), "    0.56");
        assert_eq!(format!("{:<6}|", c("1.5")), "1.5   |");
    }

    fn err(s: &str) -> ParseMoneyError {
        match s.parse::<FixedPointDollars>() {
            Ok(v) => panic!("{s:?} should be rejected, got {v:?}"),
            Err(e) => {
                assert_eq!(s.parse::<FixedPointCount>(), Err(e.clone()));
                e
            }
        }
    }

    #[test]
    fn rejects_bad_text() {
        assert_eq!(err(""), ParseMoneyError::Empty);
        for (s, found) in [
            ("+1", '+'),
            (" 1", ' '),
            ("1 ", ' '),
            ("1e3", 'e'),
            ("1E3", 'E'),
            ("0.5e-2", 'e'),
            ("1,000", ','),
            ("--1", '-'),
            ("1-", '-'),
            ("1.2.3", '.'),
            ("abc", 'a'),
            ("NaN", 'N'),
            ("inf", 'i'),
            ("0x10", 'x'),
            ("$1", '$'),
            ("1\u{e9}", '\u{e9}'),
            ("\u{ff11}", '\u{ff11}'),
            ("1_000", '_'),
        ] {
            assert_eq!(
                err(s),
                ParseMoneyError::InvalidCharacter {
                    input: s.into(),
                    found
                },
                "{s:?}"
            );
        }
        for s in [".", ".5", "1.", "-", "-.", "-.5", "-1."] {
            assert_eq!(
                err(s),
                ParseMoneyError::MissingDigits { input: s.into() },
                "{s:?}"
            );
        }
        for s in ["01", "00", "00.5", "-01", "007.00"] {
            assert_eq!(
                err(s),
                ParseMoneyError::LeadingZero { input: s.into() },
                "{s:?}"
            );
        }
        for s in ["0.0000000001", "1.1234567890", "-0.0000000000"] {
            assert_eq!(
                err(s),
                ParseMoneyError::TooManyDecimals {
                    input: s.into(),
                    max: 9
                },
                "{s:?}"
            );
        }
        for s in [
            "9223372036854775808",
            "-9223372036854775809",
            "18446744073709551616",
            "99999999999999999999999",
            "9223372036.854775808",
        ] {
            assert_eq!(
                err(s),
                ParseMoneyError::Overflow { input: s.into() },
                "{s:?}"
            );
        }
    }

    #[test]
    fn error_messages_quote_bounded_input() {
        assert_eq!(
            err("1e3").to_string(),
            r#"invalid character 'e' in fixed-point number "1e3""#
        );
        assert_eq!(
            err(".5").to_string(),
            r#"missing digits in fixed-point number ".5" (expected e.g. "12" or "0.56")"#
        );
        assert_eq!(
            err("01").to_string(),
            r#"leading zero in fixed-point number "01""#
        );
        assert_eq!(
            err("0.0000000001").to_string(),
            r#"too many decimal places in fixed-point number "0.0000000001" (at most 9)"#
        );
        assert_eq!(
            err("9223372036854775808").to_string(),
            r#"fixed-point number "9223372036854775808" is out of range"#
        );
        assert_eq!(
            err("").to_string(),
            "empty string is not a fixed-point number"
        );

        let long = format!("{}x", "1".repeat(100));
        let message = err(&long).to_string();
        assert_eq!(
            message,
            format!(
                "invalid character 'x' in fixed-point number \"{}...\"",
                "1".repeat(40)
            )
        );
        // Cutting never splits a multi-byte character.
        let wide = "\u{e9}".repeat(50);
        match err(&wide) {
            ParseMoneyError::InvalidCharacter { input, found } => {
                assert_eq!(found, '\u{e9}');
                assert_eq!(input, format!("{}...", "\u{e9}".repeat(40)));
            }
            other => panic!("unexpected {other:?}"),
        }
        for e in [
            err("1e3"),
            err("."),
            err("01"),
            err("0.0000000001"),
            err("99999999999999999999"),
        ] {
            let text = e.to_string();
            assert!(text.starts_with(char::is_lowercase), "{text}");
        }
    }

    #[test]
    fn serde_json_round_trip() {
        for text in ["0.5600", "0.56", "-0.05", "10", "0", "12345.678901"] {
            let value = d(text);
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(json, format!("\"{text}\""));
            let back: FixedPointDollars = serde_json::from_str(&json).unwrap();
            assert_eq!(back.to_string(), text);
            let count: FixedPointCount = serde_json::from_str(&json).unwrap();
            assert_eq!(serde_json::to_string(&count).unwrap(), json);
        }
        let list: Vec<FixedPointCount> = serde_json::from_str(r#"["10.00", "2.5", 3]"#).unwrap();
        assert_eq!(list, [c("10"), c("2.50"), c("3")]);
        assert_eq!(
            serde_json::to_string(&list).unwrap(),
            r#"["10.00","2.5","3"]"#
        );
    }

    #[test]
    fn serde_accepts_integers_but_not_floats() {
        let zero: FixedPointDollars = serde_json::from_str("0").unwrap();
        assert_eq!(zero.to_string(), "0");
        let neg: FixedPointDollars = serde_json::from_str("-7").unwrap();
        assert_eq!(neg.to_string(), "-7");
        let big: FixedPointCount = serde_json::from_str("9223372036854775807").unwrap();
        assert_eq!(big.mantissa(), i64::MAX);

        let e = serde_json::from_str::<FixedPointDollars>("0.56").unwrap_err();
        let message = e.to_string();
        assert!(message.contains("floating point `0.56`"), "{message}");
        assert!(message.contains("fixed-point dollar string"), "{message}");
        let e = serde_json::from_str::<FixedPointCount>("1e2").unwrap_err();
        assert!(e.to_string().contains("contract count string"), "{e}");

        let e = serde_json::from_str::<FixedPointCount>("9223372036854775808").unwrap_err();
        assert!(
            e.to_string()
                .contains("\"9223372036854775808\" is out of range"),
            "{e}"
        );
        for bad in ["true", "null", "[]", "{}"] {
            assert!(
                serde_json::from_str::<FixedPointDollars>(bad).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn serde_errors_name_bad_text() {
        let e = serde_json::from_str::<FixedPointDollars>(r#""0.5x""#).unwrap_err();
        assert!(
            e.to_string()
                .starts_with(r#"invalid character 'x' in fixed-point number "0.5x""#),
            "{e}"
        );
        let e = serde_json::from_str::<FixedPointCount>(r#""""#).unwrap_err();
        assert!(e.to_string().starts_with("empty string"), "{e}");
        #[derive(Debug, Deserialize)]
        struct Market {
            #[allow(dead_code)]
            yes_bid_dollars: FixedPointDollars,
        }
        let e = serde_json::from_str::<Market>(r#"{"yes_bid_dollars": "1."}"#).unwrap_err();
        assert!(e.to_string().contains(r#""1.""#), "{e}");
    }

    /// A deterministic 64-bit LCG (Knuth's MMIX constants).
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            self.0
        }

        /// A mantissa of random magnitude: short values as often as long ones.
        fn mantissa(&mut self) -> i64 {
            let bits = (self.next() >> 58) as u32; // 0..64
            let raw = self.next() as i64;
            if bits >= 63 {
                raw
            } else {
                raw >> (63 - bits)
            }
        }

        fn scale(&mut self) -> u8 {
            (self.next() >> 32) as u8 % (MAX_SCALE + 1)
        }

        fn dollars(&mut self) -> FixedPointDollars {
            FixedPointDollars::new(self.mantissa(), self.scale())
        }
    }

    #[test]
    fn property_parse_print_round_trip() {
        let mut rng = Lcg(0x5eed);
        for _ in 0..20_000 {
            let x = rng.dollars();
            let text = x.to_string();
            let back: FixedPointDollars = text.parse().unwrap();
            assert_eq!(
                (back.mantissa(), back.scale()),
                (x.mantissa(), x.scale()),
                "{text}"
            );
            assert_eq!(back.to_string(), text);
            let json = serde_json::to_string(&x).unwrap();
            assert_eq!(
                serde_json::from_str::<FixedPointDollars>(&json)
                    .unwrap()
                    .to_string(),
                text
            );
            // The text agrees with the exact rational value mantissa / 10^scale.
            let (int, frac) = text
                .trim_start_matches('-')
                .split_once('.')
                .unwrap_or((&text, ""));
            let int = int.trim_start_matches('-');
            assert_eq!(frac.len(), usize::from(x.scale()), "{text}");
            let digits: i128 = format!("{int}{frac}").parse().unwrap();
            assert_eq!(digits, i128::from(x.mantissa()).abs(), "{text}");
            assert_eq!(text.starts_with('-'), x.is_negative(), "{text}");
        }
    }

    #[test]
    fn property_arithmetic_and_ordering_match_exact_values() {
        let mut rng = Lcg(42);
        for _ in 0..20_000 {
            let (a, b) = (rng.dollars(), rng.dollars());
            let (va, vb) = (a.0.value(), b.0.value());
            assert_eq!(a.cmp(&b), va.cmp(&vb), "{a} vs {b}");
            assert_eq!(a == b, va == vb);
            let scale = a.scale().max(b.scale());
            let unit = i128::from(POW10[usize::from(MAX_SCALE - scale)]);
            let fits = |v: i128| fits_at(v, unit);
            // The result is representable only when both operands and the result fit at `scale`.
            let aligned = a.with_scale(scale).is_some() && b.with_scale(scale).is_some();
            match a.checked_add(b) {
                Some(sum) => {
                    assert_eq!(sum.0.value(), va + vb, "{a} + {b}");
                    assert_eq!(sum.scale(), scale);
                    assert_eq!(sum.checked_sub(b), Some(a));
                }
                None => assert!(!aligned || !fits(va + vb), "{a} + {b} should fit"),
            }
            match a.checked_sub(b) {
                Some(diff) => {
                    assert_eq!(diff.0.value(), va - vb, "{a} - {b}");
                    assert_eq!(diff.scale(), scale);
                }
                None => assert!(!aligned || !fits(va - vb), "{a} - {b} should fit"),
            }
            // Rescaling keeps the value and hash whenever it succeeds.
            let target = rng.scale();
            if let Some(r) = a.with_scale(target) {
                assert_eq!(r, a);
                assert_eq!(r.scale(), target);
                assert_eq!(hash_of(&r), hash_of(&a));
            } else {
                let unit = i128::from(POW10[usize::from(MAX_SCALE - target)]);
                assert!(!fits_at(va, unit), "{a} should rescale to {target}");
            }
        }
    }

    fn fits_at(value: i128, unit: i128) -> bool {
        value % unit == 0 && i64::try_from(value / unit).is_ok()
    }
}

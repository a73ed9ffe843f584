//! A lean JSON deserializer for the frames Kalshi sends most: plain JSON, read in one pass.
//!
//! [`PlainJson`] reads the common subset of JSON (objects, arrays, strings without escapes,
//! integers, `true`, `false`, `null`) and *declines* everything else: escapes and control
//! characters in strings, fractions and exponents, `-0`, integers beyond 64 bits, nesting deeper
//! than [`MAX_DEPTH`], raw values, and any error a visitor returns. Declining is not a verdict on
//! the frame: the caller then reads it again with `serde_json`, whose result is the one that
//! counts.
//!
//! So it needs to be right only where it succeeds, and there it must give what `serde_json` gives
//! for the same text: the same visitor calls (`visit_borrowed_str` for strings, `visit_u64` for a
//! non-negative integer and `visit_i64` for a negative one, `visit_none`/`visit_some` for
//! options), and a refusal wherever `serde_json` would refuse (a trailing comma, a leading zero, a
//! value of the wrong type). Tests in [`super::envelope`] compare the two on damaged frames, and
//! the tests below compare them on random JSON.

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// How deep arrays and objects may nest before the reader declines (`serde_json` allows 128).
pub(crate) const MAX_DEPTH: u32 = 64;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit set in each byte of `word` that is zero, exact for the lowest such byte (the one
/// [`closing_quote`] needs: bytes above it may be marked wrongly, and are checked one by one).
#[inline]
fn zero_byte(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGH
}

/// Where the string whose contents start at `start` ends: the index of its closing quote, or
/// `None` when an escape, a control character or the end of the text comes first.
#[inline]
pub(crate) fn closing_quote(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    // Eight bytes at a time until one may be a quote, a backslash or a control character.
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
        let special = zero_byte(word ^ (ONES * u64::from(b'"')))
            | zero_byte(word ^ (ONES * u64::from(b'\\')))
            | (word.wrapping_sub(ONES * 0x20) & !word & HIGH);
        if special != 0 {
            i += (special.trailing_zeros() / 8) as usize;
            break;
        }
        i += 8;
    }
    loop {
        match *bytes.get(i)? {
            b'"' => return Some(i),
            b if b == b'\\' || b < 0x20 => return None,
            _ => i += 1,
        }
    }
}

/// Why [`PlainJson`] did not finish: the input is outside its subset, or a visitor refused it.
/// Either way, read the text with `serde_json` instead.
#[derive(Debug)]
pub(crate) struct Declined;

impl fmt::Display for Declined {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("declined by the plain JSON reader")
    }
}

impl std::error::Error for Declined {}

impl de::Error for Declined {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Declined
    }
}

type Result<T> = std::result::Result<T, Declined>;

/// `Deserializer` methods that read any number, as `serde_json`'s do.
macro_rules! numbers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.deserialize_number(visitor)
        })*
    };
}

/// `Deserializer` methods (taking only a visitor) that always decline.
macro_rules! decline {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, _: V) -> Result<V::Value> {
            Err(Declined)
        })*
    };
}

/// The deserializer; see the module docs.
pub(crate) struct PlainJson<'de> {
    text: &'de str,
    at: usize,
    depth: u32,
}

impl<'de> PlainJson<'de> {
    pub(crate) fn new(text: &'de str) -> Self {
        PlainJson {
            text,
            at: 0,
            depth: 0,
        }
    }

    /// Succeeds when only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<()> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(Declined),
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.at) {
            if !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    #[inline]
    fn eat(&mut self, byte: u8) -> Result<()> {
        if self.peek() == Some(byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(Declined)
        }
    }

    /// A string without escapes or control characters, the cursor on its opening quote.
    #[inline]
    fn string(&mut self) -> Result<&'de str> {
        let start = self.at + 1;
        let end = closing_quote(self.text.as_bytes(), start).ok_or(Declined)?;
        self.at = end + 1;
        // Quotes are ASCII, so both ends are character boundaries.
        Ok(&self.text[start..end])
    }

    /// An integer (no fraction, exponent or leading zero) that fits `u64`, or `i64` when negative;
    /// `-0` is declined (`serde_json` reads it as a float).
    fn integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        let bytes = self.text.as_bytes();
        let negative = bytes.get(self.at) == Some(&b'-');
        let start = self.at + usize::from(negative);
        let digits = bytes[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || (digits > 1 && bytes[start] == b'0') {
            return Err(Declined);
        }
        if matches!(bytes.get(start + digits), Some(b'.' | b'e' | b'E')) {
            return Err(Declined);
        }
        let mut n: u64 = 0;
        for &b in &bytes[start..start + digits] {
            n = n
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(b - b'0')))
                .ok_or(Declined)?;
        }
        self.at = start + digits;
        if negative {
            if n == 0 || n > i64::MAX as u64 + 1 {
                return Err(Declined);
            }
            visitor.visit_i64((n as i64).wrapping_neg())
        } else {
            visitor.visit_u64(n)
        }
    }

    fn literal(&mut self, word: &str) -> Result<()> {
        if self.text.as_bytes()[self.at..].starts_with(word.as_bytes()) {
            self.at += word.len();
            Ok(())
        } else {
            Err(Declined)
        }
    }

    fn nest(&mut self) -> Result<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Declined);
        }
        self.at += 1;
        Ok(())
    }

    fn map<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.nest()?;
        let value = visitor.visit_map(Entries {
            de: self,
            first: true,
        })?;
        self.eat(b'}')?;
        self.depth -= 1;
        Ok(value)
    }

    fn seq<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        self.nest()?;
        let value = visitor.visit_seq(Elements {
            de: self,
            first: true,
        })?;
        self.eat(b']')?;
        self.depth -= 1;
        Ok(value)
    }
}

impl<'de> de::Deserializer<'de> for &mut PlainJson<'de> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek().ok_or(Declined)? {
            b'{' => self.map(visitor),
            b'[' => self.seq(visitor),
            b'"' => {
                let s = self.string()?;
                visitor.visit_borrowed_str(s)
            }
            b'-' | b'0'..=b'9' => self.integer(visitor),
            b't' => {
                self.literal("true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal("false")?;
                visitor.visit_bool(false)
            }
            b'n' => {
                self.literal("null")?;
                visitor.visit_unit()
            }
            _ => Err(Declined),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b't' | b'f') => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }

    numbers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8
        deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'"') => {
                let s = self.string()?;
                visitor.visit_borrowed_str(s)
            }
            _ => Err(Declined),
        }
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'n') => {
                self.literal("null")?;
                visitor.visit_none()
            }
            Some(_) => visitor.visit_some(self),
            None => Err(Declined),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'n') => self.deserialize_any(visitor),
            _ => Err(Declined),
        }
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        // `serde_json`'s private names (`RawValue`, arbitrary-precision numbers) ask for
        // behaviour only it has.
        if name.starts_with("$serde_json") {
            return Err(Declined);
        }
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'[') => self.seq(visitor),
            _ => Err(Declined),
        }
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'{') => self.map(visitor),
            _ => Err(Declined),
        }
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        // `serde_json` also reads a struct from an array; that is left to it.
        self.deserialize_map(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_any(de::IgnoredAny)?;
        visitor.visit_unit()
    }

    // Left to `serde_json`: the generated types never ask for them.
    fn deserialize_char<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }
}

impl<'de> PlainJson<'de> {
    /// What `serde_json` does for every integer and float type: any number, read as it is written.
    fn deserialize_number<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.peek() {
            Some(b'-' | b'0'..=b'9') => self.integer(visitor),
            _ => Err(Declined),
        }
    }
}

struct Entries<'a, 'de> {
    de: &'a mut PlainJson<'de>,
    first: bool,
}

impl<'de> MapAccess<'de> for Entries<'_, 'de> {
    type Error = Declined;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        match self.de.peek() {
            Some(b'}') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.at += 1;
            }
            Some(_) if self.first => {}
            _ => return Err(Declined),
        }
        self.first = false;
        match self.de.peek() {
            Some(b'"') => seed.deserialize(Key(self.de.string()?)).map(Some),
            _ => Err(Declined),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        self.de.eat(b':')?;
        seed.deserialize(&mut *self.de)
    }
}

struct Elements<'a, 'de> {
    de: &'a mut PlainJson<'de>,
    first: bool,
}

impl<'de> SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Declined;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        match self.de.peek() {
            Some(b']') => return Ok(None),
            Some(b',') if !self.first => {
                self.de.at += 1;
                // `[1,]`: `serde_json` refuses the trailing comma.
                if self.de.peek() == Some(b']') {
                    return Err(Declined);
                }
            }
            Some(_) if self.first => {}
            _ => return Err(Declined),
        }
        self.first = false;
        seed.deserialize(&mut *self.de).map(Some)
    }
}

/// An object's key: read as a string whatever the type asks for, as `serde_json` does for
/// string types; anything else (numbers in keys) is declined.
struct Key<'de>(&'de str);

impl<'de> de::Deserializer<'de> for Key<'de> {
    type Error = Declined;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_borrowed_str(self.0)
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        visitor.visit_unit()
    }

    // Anything but a string is left to `serde_json` (which reads numbers out of keys).
    decline! {
        deserialize_bool deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_u64 deserialize_f32
        deserialize_f64 deserialize_char deserialize_bytes deserialize_byte_buf
        deserialize_option deserialize_unit deserialize_seq deserialize_map
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(self, _: &'static str, _: V) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, _: V) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: usize,
        _: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value> {
        Err(Declined)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::Value;

    fn plain(text: &str) -> Option<Value> {
        let mut de = PlainJson::new(text);
        let value = Value::deserialize(&mut de).ok()?;
        de.end().ok()?;
        Some(value)
    }

    fn ignored(text: &str) -> bool {
        let mut de = PlainJson::new(text);
        de::IgnoredAny::deserialize(&mut de).is_ok() && de.end().is_ok()
    }

    #[test]
    fn reads_plain_json_as_serde_json_does() {
        for text in [
            r#"{"a":[1,-2,true,false,null,"x y",{}],"b":{"c":[]}, "d" : 18446744073709551615 }"#,
            "-9223372036854775808",
            "0",
            r#""é ✓""#,
            "[ ]",
        ] {
            let expected: Value = serde_json::from_str(text).unwrap();
            assert_eq!(plain(text), Some(expected), "{text}");
        }
    }

    #[test]
    fn declines_what_is_outside_its_subset() {
        for text in [
            r#""a\"b""#,
            "\"tab\there\"",
            "1.5",
            "1e3",
            "-0",
            "18446744073709551616",
            "-9223372036854775809",
            "01",
            "[1,]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "[1 2]",
            "nul",
            "",
            "{",
            &"[".repeat(70),
        ] {
            assert_eq!(plain(text), None, "{text}");
        }
    }

    /// Strings long enough for the eight-byte scan, with a quote, a backslash, a control character
    /// or a non-ASCII character at every position.
    #[test]
    fn long_strings_stop_at_the_first_special_byte() {
        for len in 0..24 {
            for at in 0..len {
                for special in ["\\\"", "\\n", "\t", "\u{1f}", "é", "\u{7f}", "~"] {
                    let mut inner: String = "abcdefghijklmnopqrstuvwxyz"[..len].to_string();
                    inner.replace_range(at..at + 1, special);
                    let text = format!("[\"{inner}\",1]");
                    let by_serde = serde_json::from_str::<Value>(&text).ok();
                    let by_plain = plain(&text);
                    if by_plain.is_some() {
                        assert_eq!(by_plain, by_serde, "{text:?}");
                    } else {
                        // Declined only for what the reader leaves to serde_json.
                        assert!(special.starts_with('\\') || special < " ", "{text:?}");
                    }
                }
            }
        }
    }

    /// Random JSON-like text: where the plain reader finishes, `serde_json` reads the same value;
    /// and it finishes on most plain JSON, or the fast path would rarely run.
    #[test]
    fn agrees_with_serde_json_on_random_text() {
        let pieces: &[&str] = &[
            "{", "}", "[", "]", ",", ":", "\"k\"", "\"\"", "\"a b\"", "\"\\n\"", " ", "0", "7",
            "-", "12", "-3", ".5", "e9", "true", "false", "null", "x", "\t",
        ];
        let mut rng = fastrand::Rng::with_seed(5);
        let (mut read, mut valid) = (0, 0);
        for _ in 0..200_000 {
            let text: String = (0..rng.usize(1..12))
                .map(|_| pieces[rng.usize(..pieces.len())])
                .collect();
            let by_serde = serde_json::from_str::<Value>(&text).ok();
            let by_plain = plain(&text);
            if let Some(v) = &by_plain {
                assert_eq!(by_serde.as_ref(), Some(v), "{text}");
                read += 1;
            }
            if ignored(&text) {
                assert!(
                    by_serde.is_some(),
                    "skipped what serde_json refuses: {text}"
                );
            }
            valid += usize::from(by_serde.is_some());
        }
        assert!(read * 2 > valid, "read {read} of {valid} valid texts");
    }
}

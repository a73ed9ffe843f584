//! A record line read back (`format.rs` writes them). A frame record in the layout the recorder
//! writes (`"d"`, perhaps `"sub"`, then `"f"` last) is read by hand, without a JSON parser, and its
//! frame is left to the session's decoder; any other line, and a frame the decoder then refuses,
//! is read as JSON, which is what counts.

use base64::Engine;
use bytes::Bytes;
use serde_json::value::RawValue;

/// One record read back.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    pub(crate) wall: u64,
    pub(crate) mono: u64,
    pub(crate) conn: u64,
    pub(crate) kind: &'a str,
    /// The line's text.
    pub(crate) text: &'a str,
    /// A frame read by hand (see the module docs).
    plain: Option<PlainFrame<'a>>,
    /// The fields, as they stand in the line, when read as JSON (a handful: looked up in order).
    fields: Vec<(&'a str, &'a RawValue)>,
}

/// A frame record read by hand.
#[derive(Debug, Clone, Copy)]
struct PlainFrame<'a> {
    delivered: bool,
    sub: Option<u64>,
    raw: &'a str,
}

/// A line's fields, borrowed: keys and raw values.
struct Fields<'a>(Vec<(&'a str, &'a RawValue)>);

impl<'de> serde::Deserialize<'de> for Fields<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a record object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Fields<'de>, A::Error> {
                let mut fields = Vec::with_capacity(8);
                while let Some(entry) = map.next_entry::<&str, &RawValue>()? {
                    fields.push(entry);
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(Visit)
    }
}

/// A cursor over a line, for reading the recorder's own layout by hand.
struct Cursor<'a> {
    text: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    /// Steps over `lit` when the text continues with it.
    fn literal(&mut self, lit: &[u8]) -> Option<()> {
        let next = self.text.get(self.at..self.at + lit.len())?;
        (next == lit).then(|| self.at += lit.len())
    }

    /// An unsigned integer of at most 19 digits (so it fits a `u64` without checks on each
    /// digit; a longer one is left to the JSON reading).
    fn uint(&mut self) -> Option<u64> {
        let rest = &self.text[self.at..];
        let digits = rest
            .iter()
            .take(20)
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 19 {
            return None;
        }
        let n = rest[..digits]
            .iter()
            .fold(0, |n: u64, b| n * 10 + u64::from(b - b'0'));
        self.at += digits;
        Some(n)
    }
}

impl<'a> Line<'a> {
    /// Reads a line; `None` when it is not a record.
    pub(crate) fn parse(line: &'a str) -> Option<Self> {
        Self::parse_plain(line).or_else(|| Self::parse_json(line))
    }

    /// Reads a frame record in the recorder's own layout by hand.
    fn parse_plain(line: &'a str) -> Option<Self> {
        let mut at = Cursor {
            text: line.as_bytes(),
            at: 0,
        };
        at.literal(br#"{"t":"#)?;
        let wall = at.uint()?;
        at.literal(br#","m":"#)?;
        let mono = at.uint()?;
        at.literal(br#","c":"#)?;
        let conn = at.uint()?;
        at.literal(br#","k":"frame","d":"#)?;
        let delivered = at.literal(b"true").is_some();
        if !delivered {
            at.literal(b"false")?;
        }
        let sub = match at.literal(br#","sub":"#) {
            Some(()) => Some(at.uint()?),
            None => None,
        };
        at.literal(br#","f":"#)?;
        let raw = line.get(at.at..)?.strip_suffix('}')?;
        Some(Line {
            wall,
            mono,
            conn,
            kind: "frame",
            text: line,
            plain: Some(PlainFrame {
                delivered,
                sub,
                raw,
            }),
            fields: Vec::new(),
        })
    }

    /// Reads a line as JSON, every field.
    pub(crate) fn parse_json(line: &'a str) -> Option<Self> {
        let Fields(fields) = serde_json::from_str(line).ok()?;
        let mut line = Line {
            wall: 0,
            mono: 0,
            conn: 0,
            kind: "",
            text: line,
            plain: None,
            fields,
        };
        line.wall = line.get("t")?;
        line.mono = line.get("m")?;
        line.conn = line.get("c")?;
        line.kind = line.get("k")?;
        Some(line)
    }

    /// Whether the line was read by hand (its frame unchecked until decoded).
    pub(crate) fn is_plain(&self) -> bool {
        self.plain.is_some()
    }

    fn raw(&self, key: &str) -> Option<&'a RawValue> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// A field, read as `T`.
    pub(crate) fn get<T: serde::Deserialize<'a>>(&self, key: &str) -> Option<T> {
        serde_json::from_str(self.raw(key)?.get()).ok()
    }

    /// A frame record's `"d"`: whether it reached the user.
    pub(crate) fn delivered(&self) -> bool {
        match self.plain {
            Some(plain) => plain.delivered,
            None => self.get("d").unwrap_or(true),
        }
    }

    /// A record's `"sub"`.
    pub(crate) fn sub(&self) -> Option<u64> {
        match self.plain {
            Some(plain) => plain.sub,
            None => self.get("sub"),
        }
    }

    /// A frame record's text, when it stands verbatim in the line.
    pub(crate) fn frame_text(&self) -> Option<&'a str> {
        match self.plain {
            Some(plain) => Some(plain.raw),
            None => self.raw("f").map(RawValue::get),
        }
    }

    /// A frame record's bytes, as they were received: a slice of `block` (the bytes the line was
    /// read from) when they stand verbatim in it, so nothing is copied.
    pub(crate) fn frame(&self, block: &Bytes) -> Option<Bytes> {
        if let Some(text) = self.frame_text() {
            let text = text.as_bytes();
            if block.as_ptr_range().contains(&text.as_ptr()) {
                return Some(block.slice_ref(text));
            }
            return Some(Bytes::copy_from_slice(text));
        }
        if let Some(text) = self.get::<String>("s") {
            return Some(Bytes::from(text));
        }
        let b64 = self.get::<String>("b")?;
        let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
        Some(Bytes::from(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recorders_layout_is_read_by_hand_and_others_as_json() {
        let plain = r#"{"t":1,"m":2,"c":3,"k":"frame","d":false,"sub":4,"f":{"type":"x"}}"#;
        let line = Line::parse(plain).unwrap();
        assert!(line.is_plain());
        let read = (
            line.wall,
            line.mono,
            line.conn,
            line.delivered(),
            line.sub(),
        );
        assert_eq!(read, (1, 2, 3, false, Some(4)));
        assert_eq!(line.frame_text(), Some(r#"{"type":"x"}"#));
        // Another order of the same fields (hand-written, or another writer): JSON.
        let other = r#"{"k":"frame","t":1,"m":2,"c":3,"f":{"type":"x"},"d":true}"#;
        let line = Line::parse(other).unwrap();
        assert!(!line.is_plain());
        assert_eq!((line.delivered(), line.sub()), (true, None));
        assert_eq!(line.frame_text(), Some(r#"{"type":"x"}"#));
        assert!(Line::parse(r#"{"t":1,"m":2,"c":3,"k":"frame","d":true,"f":"#).is_none());
        // Beyond 19 digits the JSON reading decides: a u64 still, or not a record.
        let big = r#"{"t":18446744073709551615,"m":2,"c":3,"k":"frame","d":true,"f":{}}"#;
        assert_eq!(
            Line::parse(big).map(|l| (l.wall, l.is_plain())),
            Some((u64::MAX, false))
        );
        let over = r#"{"t":18446744073709551616,"m":2,"c":3,"k":"frame","d":true,"f":{}}"#;
        assert!(Line::parse(over).is_none());
    }
}

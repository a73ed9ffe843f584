//! The line format, both ways. One JSON object per line:
//! `{"t":WALL_NS,"m":MONO_NS,"c":CONNECTION,"k":KIND,...}`. A frame (`"k":"frame"`) carries
//! `"d"` (whether it reached the user: `false` for a reply the session consumed), `"sub"` (its
//! subscription, when it had one) and its bytes: verbatim as `"f"` when they are one JSON value on
//! one line with nothing around it, else as a string `"s"`, or base64 `"b"` when not UTF-8. Every
//! other kind is a session event with its own fields (see `tap.rs`).

use super::buffer::{Body, Item};
use base64::Engine;
use bytes::Bytes;
use serde::de::IgnoredAny;
use serde_json::value::RawValue;
use std::io::Write;

/// Appends `item` as one line to `out`.
pub(crate) fn write_line(out: &mut Vec<u8>, item: &Item) {
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        r#"{{"t":{},"m":{},"c":{},"#,
        item.wall, item.mono, item.conn
    );
    match &item.body {
        Body::Frame {
            raw,
            sub,
            delivered,
        } => {
            let _ = write!(out, r#""k":"frame","d":{delivered}"#);
            if let Some(sub) = sub {
                let _ = write!(out, r#","sub":{sub}"#);
            }
            frame_bytes(out, raw);
        }
        Body::Event(fields) => out.extend_from_slice(fields.as_bytes()),
    }
    out.extend_from_slice(b"}\n");
}

/// The frame's bytes, in the form that keeps them exactly.
fn frame_bytes(out: &mut Vec<u8>, raw: &[u8]) {
    match std::str::from_utf8(raw) {
        Ok(text) if embeddable(text) => {
            out.extend_from_slice(br#","f":"#);
            out.extend_from_slice(raw);
        }
        Ok(text) => {
            out.extend_from_slice(br#","s":"#);
            let _ = serde_json::to_writer(&mut *out, text);
        }
        Err(_) => {
            out.extend_from_slice(br#","b":""#);
            out.extend_from_slice(
                base64::engine::general_purpose::STANDARD
                    .encode(raw)
                    .as_bytes(),
            );
            out.push(b'"');
        }
    }
}

/// Whether `text` can stand in the line as it is and read back byte for byte: one JSON value,
/// no line break, nothing before or after it.
fn embeddable(text: &str) -> bool {
    let trimmed = text.trim_matches([' ', '\t', '\r', '\n']);
    trimmed.len() == text.len()
        && !text.is_empty()
        && !text.contains('\n')
        && serde_json::from_str::<IgnoredAny>(text).is_ok()
}

/// One record read back.
#[derive(Debug)]
pub(crate) struct Line<'a> {
    pub(crate) wall: u64,
    pub(crate) mono: u64,
    pub(crate) conn: u64,
    pub(crate) kind: &'a str,
    /// The fields, as they stand in the line (a handful: looked up in order).
    fields: Vec<(&'a str, &'a RawValue)>,
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

impl<'a> Line<'a> {
    /// Reads a line; `None` when it is not a record.
    pub(crate) fn parse(line: &'a str) -> Option<Self> {
        let Fields(fields) = serde_json::from_str(line).ok()?;
        let mut line = Line {
            wall: 0,
            mono: 0,
            conn: 0,
            kind: "",
            fields,
        };
        line.wall = line.get("t")?;
        line.mono = line.get("m")?;
        line.conn = line.get("c")?;
        line.kind = line.get("k")?;
        Some(line)
    }

    fn raw(&self, key: &str) -> Option<&'a RawValue> {
        self.fields.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// A field, read as `T`.
    pub(crate) fn get<T: serde::Deserialize<'a>>(&self, key: &str) -> Option<T> {
        serde_json::from_str(self.raw(key)?.get()).ok()
    }

    /// A frame record's bytes, as they were received: a slice of `block` (the bytes the line was
    /// read from) when they stand verbatim in it, so nothing is copied.
    pub(crate) fn frame(&self, block: &Bytes) -> Option<Bytes> {
        if let Some(raw) = self.raw("f") {
            let text = raw.get().as_bytes();
            let inside = block.as_ptr_range();
            if inside.contains(&text.as_ptr()) {
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

    fn round_trip(raw: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let item = Item {
            wall: 1,
            mono: 2,
            conn: 3,
            body: Body::Frame {
                raw: Bytes::copy_from_slice(raw),
                sub: Some(4),
                delivered: true,
            },
        };
        write_line(&mut out, &item);
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        let block = Bytes::from(out);
        let text = std::str::from_utf8(&block).unwrap();
        let line = Line::parse(text.trim_end()).unwrap();
        assert_eq!(
            (line.wall, line.mono, line.conn, line.kind),
            (1, 2, 3, "frame")
        );
        assert_eq!(line.get::<u64>("sub"), Some(4));
        let frame = line.frame(&block).unwrap();
        if raw.starts_with(b"{\"type") {
            // Verbatim in the line: a slice of the block, not a copy.
            assert!(block.as_ptr_range().contains(&frame.as_ptr()));
        }
        frame.to_vec()
    }

    #[test]
    fn an_event_reads_back_with_its_fields() {
        let mut out = Vec::new();
        let body = Body::Event(r#""k":"gap","sid":7"#.into());
        let item = Item {
            wall: 1,
            mono: 2,
            conn: 3,
            body,
        };
        write_line(&mut out, &item);
        let text = std::str::from_utf8(&out).unwrap();
        let line = Line::parse(text.trim_end()).unwrap();
        assert_eq!((line.kind, line.get::<u64>("sid")), ("gap", Some(7)));
    }

    #[test]
    fn every_frame_reads_back_byte_for_byte() {
        for raw in [
            &br#"{"type":"ticker","sid":1,"msg":{"a":"\u00e9"}}"#[..],
            b" {\"pretty\":\n 1} ",
            b"not json {",
            b"",
            b"\xff\xfe binary",
            "caf\u{e9} \"quoted\"\\".as_bytes(),
        ] {
            assert_eq!(round_trip(raw), raw);
        }
    }
}

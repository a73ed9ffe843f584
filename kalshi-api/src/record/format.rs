//! The line format, written (`line.rs` reads it back). One JSON object per line:
//! `{"t":WALL_NS,"m":MONO_NS,"c":CONNECTION,"k":KIND,...}`. A frame (`"k":"frame"`) carries
//! `"d"` (whether it reached the user: `false` for a reply the session consumed), `"sub"` (its
//! subscription, when it had one) and its bytes: verbatim as `"f"` when they are one JSON value on
//! one line with nothing around it, else as a string `"s"`, or base64 `"b"` when not UTF-8. Every
//! other kind is a session event with its own fields (see `tap.rs`).

use base64::Engine;
use serde::de::IgnoredAny;

/// A record's stamps: when it was received, and on which connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamps {
    /// Nanoseconds since the Unix epoch.
    pub(crate) wall: u64,
    /// Nanoseconds on the recorder's monotonic clock.
    pub(crate) mono: u64,
    /// The connection number (1 for the session's first).
    pub(crate) conn: u64,
}

/// A frame, as the tap hands it to [`write_frame`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FrameRecord<'a> {
    pub(crate) raw: &'a [u8],
    /// The subscription of the event it became, when it had one.
    pub(crate) sub: Option<u64>,
    /// Whether it reached the user (`false`: a reply the session consumed).
    pub(crate) delivered: bool,
    /// The session read it as one JSON value (its envelope parsed): only the line's own rules
    /// (no line break, nothing around the value) are left to check.
    pub(crate) read_as_json: bool,
}

/// What a queued record is (the first byte of its header).
const FRAME: u8 = 0;
const EVENT: u8 = 1;
/// A queued frame's flags (the second byte).
const DELIVERED: u8 = 1;
const READ_AS_JSON: u8 = 2;
const HAS_SUB: u8 = 4;
/// A queued record's header: kind, flags, wall, mono, connection, subscription, length.
const HEADER: usize = 2 + 8 * 5;

/// Queues a frame record for [`render`]: a fixed header, then the frame's bytes. The session's
/// tap queues records this way, a copy and no formatting; the writer's thread makes the lines.
pub(crate) fn queue_frame(out: &mut Vec<u8>, stamps: Stamps, frame: FrameRecord<'_>) {
    let flag = |on: bool, bit: u8| if on { bit } else { 0 };
    let flags = flag(frame.delivered, DELIVERED)
        | flag(frame.read_as_json, READ_AS_JSON)
        | flag(frame.sub.is_some(), HAS_SUB);
    let header = Header {
        kind: FRAME,
        flags,
        stamps,
        sub: frame.sub.unwrap_or(0),
        len: frame.raw.len() as u64,
    };
    header.queue(out);
    out.extend_from_slice(frame.raw);
}

/// Queues a session event's record for [`render`]: `fields` as for [`write_event`].
pub(crate) fn queue_event(out: &mut Vec<u8>, stamps: Stamps, fields: &str) {
    let header = Header {
        kind: EVENT,
        flags: 0,
        stamps,
        sub: 0,
        len: fields.len() as u64,
    };
    header.queue(out);
    out.extend_from_slice(fields.as_bytes());
}

/// A queued record's header.
struct Header {
    kind: u8,
    flags: u8,
    stamps: Stamps,
    sub: u64,
    len: u64,
}

impl Header {
    fn queue(&self, out: &mut Vec<u8>) {
        let mut h = [0u8; HEADER];
        h[0] = self.kind;
        h[1] = self.flags;
        let words = [
            self.stamps.wall,
            self.stamps.mono,
            self.stamps.conn,
            self.sub,
            self.len,
        ];
        for (i, word) in words.iter().enumerate() {
            h[2 + 8 * i..10 + 8 * i].copy_from_slice(&word.to_le_bytes());
        }
        out.extend_from_slice(&h);
    }

    /// The header at the start of `queued`, and the record's bytes after it.
    fn read(queued: &[u8]) -> Option<(Header, &[u8], &[u8])> {
        let h = queued.get(..HEADER)?;
        let word = |i: usize| {
            let mut w = [0u8; 8];
            w.copy_from_slice(&h[2 + 8 * i..10 + 8 * i]);
            u64::from_le_bytes(w)
        };
        let header = Header {
            kind: h[0],
            flags: h[1],
            stamps: Stamps {
                wall: word(0),
                mono: word(1),
                conn: word(2),
            },
            sub: word(3),
            len: word(4),
        };
        let rest = &queued[HEADER..];
        let len = usize::try_from(header.len)
            .ok()
            .filter(|n| *n <= rest.len())?;
        Some((header, &rest[..len], &rest[len..]))
    }
}

/// Appends the lines of the records `queued` (by [`queue_frame`] and [`queue_event`]) to `out`.
pub(crate) fn render(mut queued: &[u8], out: &mut Vec<u8>) {
    while let Some((header, body, rest)) = Header::read(queued) {
        queued = rest;
        if header.kind == EVENT {
            // Queued from a `&str`.
            write_event(out, header.stamps, &String::from_utf8_lossy(body));
            continue;
        }
        let frame = FrameRecord {
            raw: body,
            sub: (header.flags & HAS_SUB != 0).then_some(header.sub),
            delivered: header.flags & DELIVERED != 0,
            read_as_json: header.flags & READ_AS_JSON != 0,
        };
        write_frame(out, header.stamps, frame);
    }
}

/// `{"t":WALL,"m":MONO,"c":CONN,` written by hand: the one part of every line that changes.
fn write_stamps(out: &mut Vec<u8>, stamps: Stamps) {
    let mut n = itoa::Buffer::new();
    out.extend_from_slice(br#"{"t":"#);
    out.extend_from_slice(n.format(stamps.wall).as_bytes());
    out.extend_from_slice(br#","m":"#);
    out.extend_from_slice(n.format(stamps.mono).as_bytes());
    out.extend_from_slice(br#","c":"#);
    out.extend_from_slice(n.format(stamps.conn).as_bytes());
    out.push(b',');
}

/// Appends a frame record as one line to `out`.
pub(crate) fn write_frame(out: &mut Vec<u8>, stamps: Stamps, frame: FrameRecord<'_>) {
    write_stamps(out, stamps);
    out.extend_from_slice(if frame.delivered {
        br#""k":"frame","d":true"#
    } else {
        br#""k":"frame","d":false"#
    });
    if let Some(sub) = frame.sub {
        out.extend_from_slice(br#","sub":"#);
        out.extend_from_slice(itoa::Buffer::new().format(sub).as_bytes());
    }
    frame_bytes(out, frame.raw, frame.read_as_json);
    out.extend_from_slice(b"}\n");
}

/// Appends a session event's record as one line: `fields` are its fields without braces
/// (`"k":"gap",...`).
pub(crate) fn write_event(out: &mut Vec<u8>, stamps: Stamps, fields: &str) {
    write_stamps(out, stamps);
    out.extend_from_slice(fields.as_bytes());
    out.extend_from_slice(b"}\n");
}

/// The frame's bytes, in the form that keeps them exactly.
fn frame_bytes(out: &mut Vec<u8>, raw: &[u8], read_as_json: bool) {
    if fits_the_line(raw) && (read_as_json || is_one_json_value(raw)) {
        out.extend_from_slice(br#","f":"#);
        out.extend_from_slice(raw);
        return;
    }
    match std::str::from_utf8(raw) {
        Ok(text) => {
            out.extend_from_slice(br#","s":"#);
            // Writing to a Vec cannot fail.
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

/// Whether `raw`, were it JSON, could stand in the line as it is and read back byte for byte:
/// not empty, no line break, no white space before or after it.
fn fits_the_line(raw: &[u8]) -> bool {
    let space = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    match (raw.first(), raw.last()) {
        (Some(first), Some(last)) => {
            !space(first) && !space(last) && memchr::memchr(b'\n', raw).is_none()
        }
        _ => false,
    }
}

/// Whether `raw` is one JSON value.
fn is_one_json_value(raw: &[u8]) -> bool {
    serde_json::from_slice::<IgnoredAny>(raw).is_ok()
}

#[cfg(test)]
mod tests {
    use super::super::line::Line;
    use super::*;
    use bytes::Bytes;

    const STAMPS: Stamps = Stamps {
        wall: 1,
        mono: 2,
        conn: 3,
    };

    fn round_trip(raw: &[u8], read_as_json: bool) -> Vec<u8> {
        let mut out = Vec::new();
        let frame = FrameRecord {
            raw,
            sub: Some(4),
            delivered: true,
            read_as_json,
        };
        let mut queued = Vec::new();
        queue_frame(&mut queued, STAMPS, frame);
        render(&queued, &mut out);
        assert_eq!(out.iter().filter(|b| **b == b'\n').count(), 1);
        let block = Bytes::from(out);
        let text = std::str::from_utf8(&block).unwrap();
        let line = Line::parse(text.trim_end()).unwrap();
        assert_eq!(
            (line.wall, line.mono, line.conn, line.kind),
            (1, 2, 3, "frame")
        );
        assert_eq!(line.sub(), Some(4));
        let frame = line.frame(&block).unwrap();
        if fits_the_line(raw) && raw.starts_with(b"{\"type") {
            // Verbatim in the line: a slice of the block, not a copy.
            assert!(block.as_ptr_range().contains(&frame.as_ptr()));
        }
        frame.to_vec()
    }

    #[test]
    fn an_event_reads_back_with_its_fields() {
        let mut out = Vec::new();
        let mut queued = Vec::new();
        queue_event(&mut queued, STAMPS, r#""k":"gap","sid":7"#);
        render(&queued, &mut out);
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
            assert_eq!(round_trip(raw, false), raw);
        }
    }

    #[test]
    fn a_frame_the_session_read_as_json_still_keeps_to_one_line() {
        for raw in [
            &br#"{"type":"ticker","sid":1,"msg":{}}"#[..],
            b"{\"type\":\"ticker\",\n\"msg\":{}}",
            b"{\"type\":\"ticker\",\"msg\":{}}\r\n",
            b" {\"type\":\"ticker\",\"msg\":{}}",
        ] {
            assert_eq!(round_trip(raw, true), raw);
        }
    }
}

//! Reading a frame: its envelope (`type`, `id`, `sid`, `seq`, `msg`) and its message.
//!
//! Two ways, one result:
//! - [`read`]'s fast path takes the layout Kalshi writes its data frames in,
//!   `{"type":"…","sid":N,"seq":N,"msg":…}` (`sid` and `seq` each optional), reads that prefix by
//!   hand and decodes `msg` straight into its generated type with
//!   [`Incoming::decode_in_place`] over [`PlainJson`], a lean reader of the plain JSON Kalshi
//!   sends: each byte of the frame is read once.
//! - Anything else (another key order, whitespace, an `id`, escapes in `type`), any `msg` the
//!   plain reader declines (escapes, fractions; see its docs), and any failure of the fast path,
//!   goes through [`parse`]: `serde_json` reads the envelope with `msg` left raw,
//!   and the message is decoded from it afterwards, so that errors name their path.
//!
//! The fast path only succeeds on frames that are, byte for byte, a JSON object with those keys
//! and a `msg` that decoded whole, so both ways agree on every frame (a test checks this).

use super::event::Received;
use super::plain_json::{closing_quote, PlainJson};
use super::protocol::{Envelope, Incoming};
use bytes::Bytes;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// A frame's envelope, and its message when the fast path decoded it.
pub(crate) struct Frame<'a, M> {
    pub(crate) envelope: Envelope<'a>,
    /// `Some` when decoded in the same pass as the envelope; `None`: decode it from
    /// `envelope.msg` with [`Incoming::decode`].
    pub(crate) message: Option<M>,
}

/// Reads a text frame: the fast path when it applies and succeeds, else [`parse`].
pub(crate) fn read<'a, M: Incoming>(
    text: &'a str,
    raw: &Bytes,
) -> Result<Frame<'a, M>, serde_json::Error> {
    if let Some(frame) = fast::<M>(text, raw) {
        return Ok(frame);
    }
    Ok(Frame {
        envelope: parse(text)?,
        message: None,
    })
}

/// The fast path: `None` when the frame does not have Kalshi's data-frame layout, or when its
/// `msg` does not decode.
fn fast<'a, M: Incoming>(text: &'a str, raw: &Bytes) -> Option<Frame<'a, M>> {
    let mut at = Prefix::new(text);
    at.literal(br#"{"type":""#)?;
    let kind = at.plain_string()?;
    let mut envelope = Envelope {
        kind: Cow::Borrowed(kind),
        ..Envelope::default()
    };
    if at.literal(br#","sid":"#).is_some() {
        envelope.sid = Some(at.uint()?);
    }
    if at.literal(br#","seq":"#).is_some() {
        envelope.seq = Some(at.uint()?);
    }
    at.literal(br#","msg":"#)?;
    // `msg` is the last key: the rest is its value and the object's `}`.
    let rest = at.rest().trim_end_matches([' ', '\t', '\n', '\r']);
    let msg = rest.strip_suffix('}')?;
    let message = if super::ablate::PLAIN_JSON {
        in_place_with_serde_json::<M>(kind, msg, raw)?
    } else {
        let mut de = PlainJson::new(msg);
        let message = M::decode_in_place(kind, &mut de, raw).ok()?;
        de.end().ok()?;
        message
    };
    envelope.msg = Some(msg.trim_matches([' ', '\t', '\n', '\r']));
    Some(Frame {
        envelope,
        message: Some(message),
    })
}

/// `msg` decoded in one pass by `serde_json`'s own deserializer: the plain alternative to
/// [`PlainJson`] that the benchmark's ablation measures (see [`ablate`](super::ablate)).
fn in_place_with_serde_json<M: Incoming>(kind: &str, msg: &str, raw: &Bytes) -> Option<M> {
    let mut de = serde_json::Deserializer::from_str(msg);
    let message = M::decode_in_place(kind, &mut de, raw).ok()?;
    de.end().ok()?;
    Some(message)
}

/// A cursor over the start of a frame, for [`fast`].
struct Prefix<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Prefix<'a> {
    fn new(text: &'a str) -> Self {
        Prefix { text, at: 0 }
    }

    /// Steps over `lit` when the text continues with it (a fixed-size array, so that the
    /// comparison is a few loads rather than a call).
    fn literal<const N: usize>(&mut self, lit: &[u8; N]) -> Option<()> {
        if self.text.as_bytes().get(self.at..self.at + N)? == lit {
            self.at += N;
            Some(())
        } else {
            None
        }
    }

    /// A string's contents up to its closing quote, when it has no escape and no control
    /// character (those are left to `serde_json`).
    fn plain_string(&mut self) -> Option<&'a str> {
        let end = closing_quote(self.text.as_bytes(), self.at)?;
        let s = &self.text[self.at..end];
        self.at = end + 1;
        Some(s)
    }

    /// An unsigned JSON integer that fits a `u64` (no sign, fraction, exponent or leading zero).
    fn uint(&mut self) -> Option<u64> {
        let bytes = &self.text.as_bytes()[self.at..];
        let len = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
        if len == 0 || (len > 1 && bytes[0] == b'0') {
            return None;
        }
        if matches!(bytes.get(len), Some(b'.' | b'e' | b'E')) {
            return None;
        }
        let mut n: u64 = 0;
        for &b in &bytes[..len] {
            n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
        }
        self.at += len;
        Some(n)
    }

    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }
}

/// Parses the envelope of a text frame with `serde_json`, `msg` left raw. Fails when the frame is
/// not a JSON object, or when an envelope field has the wrong type (`sid` not an integer, say);
/// other keys are skipped.
pub(crate) fn parse(frame: &str) -> Result<Envelope<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(frame);
    let envelope = de.deserialize_map(EnvelopeVisitor)?;
    de.end()?;
    Ok(envelope)
}

struct EnvelopeVisitor;

impl<'de> Visitor<'de> for EnvelopeVisitor {
    type Value = Envelope<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object with `type`")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<'de>, A::Error> {
        let mut env = Envelope::default();
        // Keys and `type` borrow from the frame when they have no escapes: serde's own
        // `Cow<str>` always allocates.
        while let Some(Text(key)) = map.next_key::<Text<'de>>()? {
            match key.as_ref() {
                "type" => env.kind = map.next_value::<Text<'de>>()?.0,
                "id" => env.id = map.next_value::<Option<u64>>()?,
                "sid" => env.sid = map.next_value::<Option<u64>>()?,
                "seq" => env.seq = map.next_value::<Option<u64>>()?,
                "msg" => env.msg = Some(map.next_value::<&'de RawValue>()?.get()),
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

/// A string that borrows from the input when it can.
struct Text<'de>(Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Why a frame did not decode.
#[derive(Debug, thiserror::Error)]
pub enum FrameError {
    /// Not a JSON object with an envelope.
    #[error("malformed frame: {0}")]
    Malformed(serde_json::Error),
    /// A known `type` whose `msg` does not match its type.
    #[error(transparent)]
    Decode(crate::DecodeError),
}

/// Decodes one frame the way a session does, without a session: for replaying recorded frames,
/// and for benchmarks. `subscription` is `None`. A frame that is not UTF-8 is malformed (a session
/// gets text frames already checked by the WebSocket layer).
pub fn decode_frame<M: Incoming>(frame: &Bytes) -> Result<Received<M>, FrameError> {
    let text = std::str::from_utf8(frame).map_err(|e| {
        FrameError::Malformed(serde::de::Error::custom(format_args!(
            "the frame is not UTF-8: {e}"
        )))
    })?;
    let Frame { envelope, message } = read::<M>(text, frame).map_err(FrameError::Malformed)?;
    let message = match message {
        Some(message) => message,
        None => M::decode(&envelope, frame).map_err(FrameError::Decode)?,
    };
    Ok(Received {
        subscription: None,
        sid: envelope.sid,
        seq: envelope.seq,
        message,
        raw: frame.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_envelope_and_keeps_msg_raw() {
        let frame = r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"A.B","delta_fp":"-1.00"},"extra":[1,{"x":2}]}"#;
        let env = parse(frame).unwrap();
        assert_eq!(env.kind, "orderbook_delta");
        assert_eq!((env.id, env.sid, env.seq), (None, Some(2), Some(3)));
        assert_eq!(
            env.msg.unwrap(),
            r#"{"market_ticker":"A.B","delta_fp":"-1.00"}"#
        );
    }

    #[test]
    fn null_fields_and_escaped_types_are_read() {
        let env = parse(r#"{"id":null,"type":"o\u006b","msg":[]}"#).unwrap();
        assert_eq!(env.kind, "ok");
        assert_eq!(env.id, None);
    }

    #[test]
    fn not_an_object_or_a_bad_sid_fails() {
        assert!(parse("not json").is_err());
        assert!(parse("[1,2]").is_err());
        assert!(parse(r#"{"type":"trade","sid":"two"}"#).is_err());
        assert!(parse(r#"{"type":"trade"} trailing"#).is_err());
    }

    use crate::ws::ServerMessage;

    /// What a frame reads as: the envelope's fields and the message, or which way it failed.
    #[derive(Debug, PartialEq)]
    enum Outcome {
        Read {
            kind: String,
            id: Option<u64>,
            sid: Option<u64>,
            seq: Option<u64>,
            msg: Option<String>,
            message: Box<Result<ServerMessage, String>>,
        },
        Malformed,
    }

    fn outcome(env: &Envelope<'_>, message: Result<ServerMessage, String>) -> Outcome {
        Outcome::Read {
            kind: env.kind.to_string(),
            id: env.id,
            sid: env.sid,
            seq: env.seq,
            msg: env.msg.map(str::to_string),
            message: Box::new(message),
        }
    }

    /// The way every frame could be read: `serde_json` for the envelope, then `msg`.
    fn general(text: &str) -> Outcome {
        let raw = Bytes::copy_from_slice(text.as_bytes());
        match parse(text) {
            Ok(env) => {
                let message = ServerMessage::decode(&env, &raw).map_err(|e| e.to_string());
                outcome(&env, message)
            }
            Err(_) => Outcome::Malformed,
        }
    }

    /// The way a session reads it; also says whether the fast path took it.
    fn session(text: &str) -> (Outcome, bool) {
        let raw = Bytes::copy_from_slice(text.as_bytes());
        match read::<ServerMessage>(text, &raw) {
            Ok(Frame { envelope, message }) => {
                let fast = message.is_some();
                let message = match message {
                    Some(m) => Ok(m),
                    None => ServerMessage::decode(&envelope, &raw).map_err(|e| e.to_string()),
                };
                (outcome(&envelope, message), fast)
            }
            Err(_) => (Outcome::Malformed, false),
        }
    }

    const DELTA: &str = r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A","market_id":"00000000-0000-4000-a000-000000000001","price_dollars":"0.4200","delta_fp":"-5.00","side":"yes","ts_ms":1767225600000}}"#;

    #[test]
    fn kalshis_layout_takes_the_fast_path_and_reads_as_the_general_way() {
        for frame in [
            DELTA,
            r#"{"type":"orderbook_delta","seq":3,"msg":{"market_ticker":"KX-A","side":"no"}}"#,
            r#"{"type":"ticker","sid":1,"msg":{"market_ticker":"KX-A","price_dollars":"0.5000"}}"#,
            r#"{"type":"brand_new","sid":7,"seq":1,"msg":{"whatever":[1,2,{"x":null}]}}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg": {"market_ticker":"KX-A"} }  "#,
            r#"{"type":"orderbook_delta","sid":0,"seq":18446744073709551615,"msg":{}}"#,
        ] {
            let (got, fast) = session(frame);
            assert!(fast, "not read by the fast path: {frame}");
            assert_eq!(got, general(frame), "{frame}");
            assert!(
                matches!(&got, Outcome::Read { message, .. } if message.is_ok()),
                "{frame}"
            );
        }
    }

    #[test]
    fn other_layouts_and_bad_frames_read_as_the_general_way() {
        for frame in [
            // Another key order, whitespace, an `id`, an escape: the general way.
            r#"{"msg":{"market_ticker":"KX-A"},"seq":3,"sid":2,"type":"orderbook_delta"}"#,
            r#"{ "type":"orderbook_delta","sid":2,"seq":3,"msg":{}}"#,
            r#"{"id":4,"type":"subscribed","msg":{"channel":"ticker","sid":1}}"#,
            // Messages told apart by shape read their raw text, which the plain reader leaves to
            // serde_json.
            r#"{"type":"ok","sid":1,"msg":[{"channel":"ticker","sid":1}]}"#,
            // What the plain reader declines: escapes, fractions.
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A"}}"#,
            r#"{"type":"ticker","sid":2,"seq":3,"msg":{"market_ticker":"KX-A","ts":1.5}}"#,
            r#"{"type":"orderbook\u005fdelta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A"}}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A"},"x":1}"#,
            // Numbers JSON or a u64 refuses.
            r#"{"type":"orderbook_delta","sid":02,"seq":3,"msg":{}}"#,
            r#"{"type":"orderbook_delta","sid":2.0,"seq":3,"msg":{}}"#,
            r#"{"type":"orderbook_delta","sid":-2,"seq":3,"msg":{}}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":18446744073709551616,"msg":{}}"#,
            r#"{"type":"orderbook_delta","sid":2e0,"seq":3,"msg":{}}"#,
            // Broken frames and messages.
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A"}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A"}}}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":null}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"price_dollars":"0.4.2"}}"#,
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"side":7}}"#,
            r#"{"type":"brand_new","sid":2,"seq":3,"msg":{oops}}"#,
            r#"{"type":"unsubscribed","sid":2,"seq":3,"msg":[}"#,
            r#"{"type":"ok","sid":2,"msg":{"market_tickers":7}}"#,
            "{\"type\":\"tab\there\",\"sid\":2,\"msg\":{}}",
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"KX-A","market_ticker":"KX-B"}}"#,
            "",
            "{",
            "[]",
        ] {
            let (got, _) = session(frame);
            assert_eq!(got, general(frame), "{frame}");
        }
    }

    /// Random damage to a real frame (bytes removed, repeated or replaced by JSON's own
    /// characters): the session's reading always equals the general way's.
    #[test]
    fn damaged_frames_read_as_the_general_way() {
        let frames = [
            DELTA,
            r#"{"type":"ok","sid":1,"msg":{"market_tickers":["A","B"],"sid":1}}"#,
            r#"{"type":"market_lifecycle_v2","sid":3,"seq":9,"msg":{"event_type":"created","market_ticker":"KX-A","open_ts":1}}"#,
            r#"{"type":"unsubscribed","sid":2,"seq":4,"msg":{}}"#,
        ];
        let pieces: &[&str] = &[
            "{", "}", "[", "]", ",", ":", "\"", "\\", " ", "0", "1", "-", ".", "e", "null", "a",
        ];
        let mut rng = fastrand::Rng::with_seed(11);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..4000 {
            let mut text = frames[rng.usize(..frames.len())].to_string();
            for _ in 0..rng.usize(1..=3) {
                let mut at = rng.usize(..=text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match rng.u8(..3) {
                    0 if at < text.len() => {
                        text.remove(at);
                    }
                    1 => text.insert_str(at, pieces[rng.usize(..pieces.len())]),
                    _ => {
                        if at < text.len() {
                            text.remove(at);
                        }
                        text.insert_str(at, pieces[rng.usize(..pieces.len())]);
                    }
                }
            }
            let (got, took_fast) = session(&text);
            assert_eq!(got, general(&text), "{text}");
            total += 1;
            fast += usize::from(took_fast);
        }
        // The damage must leave some frames on the fast path, or this tests one way only.
        assert!(
            fast > 200 && fast < total,
            "{fast} of {total} took the fast path"
        );
    }
}

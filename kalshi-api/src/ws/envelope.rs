//! Reading a frame's envelope (`type`, `id`, `sid`, `seq`, `msg`) in one pass, `msg` left raw.

use super::event::Received;
use super::protocol::{Envelope, Incoming};
use bytes::Bytes;
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

/// Parses the envelope of a text frame. Fails when the frame is not a JSON object, or when an
/// envelope field has the wrong type (`sid` not an integer, say); other keys are skipped.
pub(crate) fn parse(frame: &[u8]) -> Result<Envelope<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(frame);
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
                "msg" => env.msg = Some(map.next_value::<&'de RawValue>()?),
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

/// Decodes one frame the way a session does (envelope, then `msg` straight into its type),
/// without a session: for replaying recorded frames, and for benchmarks. `subscription` is
/// `None`.
pub fn decode_frame<M: Incoming>(frame: &Bytes) -> Result<Received<M>, FrameError> {
    let env = parse(frame).map_err(FrameError::Malformed)?;
    let message = M::decode(&env, frame).map_err(FrameError::Decode)?;
    Ok(Received {
        subscription: None,
        sid: env.sid,
        seq: env.seq,
        message,
        raw: frame.clone(),
    })
}

/// A `type` that is the server's answer to a command rather than data of a subscription.
pub(crate) fn is_reply(kind: &str) -> bool {
    matches!(kind, "subscribed" | "unsubscribed" | "ok" | "error")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_envelope_and_keeps_msg_raw() {
        let frame = br#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"market_ticker":"A.B","delta_fp":"-1.00"},"extra":[1,{"x":2}]}"#;
        let env = parse(frame).unwrap();
        assert_eq!(env.kind, "orderbook_delta");
        assert_eq!((env.id, env.sid, env.seq), (None, Some(2), Some(3)));
        assert_eq!(
            env.msg.unwrap().get(),
            r#"{"market_ticker":"A.B","delta_fp":"-1.00"}"#
        );
    }

    #[test]
    fn null_fields_and_escaped_types_are_read() {
        let env = parse(br#"{"id":null,"type":"o\u006b","msg":[]}"#).unwrap();
        assert_eq!(env.kind, "ok");
        assert_eq!(env.id, None);
    }

    #[test]
    fn not_an_object_or_a_bad_sid_fails() {
        assert!(parse(b"not json").is_err());
        assert!(parse(b"[1,2]").is_err());
        assert!(parse(br#"{"type":"trade","sid":"two"}"#).is_err());
        assert!(parse(br#"{"type":"trade"} trailing"#).is_err());
    }
}

//! Fan-out through NATS JetStream (the `nats` feature): the recorder also publishes each record,
//! the same line as in the file, to a JetStream stream, on a subject per channel and market
//! (`kalshi.orderbook_delta.<ticker>`; the session's own events on `kalshi.session.<kind>`), and
//! a replay reads the stream, from its start, from a time or live, through the same decoder as
//! files. Several strategies on several machines then share one feed.

use super::buffer::{add, Buffer, Counters};
use super::decode::Decoder;
use super::line::Line;
use super::replay::Replayed;
use super::RecordError;
use crate::ws::protocol::Control;
use async_nats::jetstream::consumer::{pull::OrderedConfig, DeliverPolicy};
use async_nats::jetstream::{self, stream};
use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Acknowledgements awaited at most at once while publishing.
const IN_FLIGHT: usize = 256;

/// A JetStream stream to publish records to or replay them from, and the subjects' prefix.
#[derive(Clone)]
pub struct NatsTarget {
    js: jetstream::Context,
    stream: String,
    prefix: String,
}

impl std::fmt::Debug for NatsTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NatsTarget")
            .field("stream", &self.stream)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// Where a replay of a stream starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NatsStart {
    /// The oldest record the stream holds.
    First,
    /// The first record the stream stored at or after this time (nanoseconds since the epoch).
    At(u64),
    /// Records published from now on.
    Live,
}

impl NatsTarget {
    /// The stream `KALSHI` with subjects under `kalshi.`, through `js`.
    pub fn new(js: jetstream::Context) -> Self {
        NatsTarget {
            js,
            stream: "KALSHI".into(),
            prefix: "kalshi".into(),
        }
    }

    /// Sets the stream's name.
    pub fn stream(mut self, name: impl Into<String>) -> Self {
        self.stream = name.into();
        self
    }

    /// Sets the subjects' first token.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// Creates the stream (subjects `<prefix>.>`) unless it exists.
    pub async fn ensure_stream(&self) -> Result<(), RecordError> {
        let config = stream::Config {
            name: self.stream.clone(),
            subjects: vec![format!("{}.>", self.prefix)],
            ..Default::default()
        };
        self.js
            .get_or_create_stream(config)
            .await
            .map(|_| ())
            .map_err(|e| RecordError::Nats(e.to_string()))
    }

    /// The subject a record goes to.
    pub(crate) fn subject(&self, line: &[u8]) -> String {
        let line = std::str::from_utf8(line).ok().and_then(Line::parse);
        match line {
            Some(line) if line.kind == "frame" => {
                let raw = line.frame(&Bytes::new()).unwrap_or_default();
                let (kind, market) = frame_keys(&raw);
                format!("{}.{}.{}", self.prefix, escape(&kind), escape(&market))
            }
            Some(line) => format!("{}.session.{}", self.prefix, escape(line.kind)),
            None => format!("{}.session._", self.prefix),
        }
    }
}

/// A frame's `type` and `msg.market_ticker` (`_` for what it lacks).
fn frame_keys(raw: &[u8]) -> (String, String) {
    let frame: serde_json::Value = serde_json::from_slice(raw).unwrap_or_default();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("_").to_string();
    (text(&frame["type"]), text(&frame["msg"]["market_ticker"]))
}

/// One subject token: what NATS reserves (`.`, `*`, `>`, spaces) and `%` itself written `%XX`,
/// so a ticker's `.` stays in its token.
pub fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for c in token.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    if out.is_empty() {
        out.push('_');
    }
    out
}

/// The writer's end of the publisher: records to publish, in order.
pub(crate) type Outbox = mpsc::UnboundedSender<(String, Bytes)>;

/// Starts the publisher on the current Tokio runtime. It publishes what the writer sends, in
/// order, and says when all is acknowledged (or failed, counted) after the writer is done.
pub(crate) fn start(
    target: NatsTarget,
    buffer: Arc<Buffer>,
) -> Result<(Outbox, oneshot::Receiver<()>), RecordError> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| RecordError::Nats("publishing needs a Tokio runtime".into()))?;
    let (tx, mut rx) = mpsc::unbounded_channel::<(String, Bytes)>();
    let (done, finished) = oneshot::channel();
    runtime.spawn(async move {
        let counters = &buffer.counters;
        let mut acks = VecDeque::new();
        while let Some((subject, payload)) = rx.recv().await {
            match target.js.publish(subject, payload).await {
                Ok(ack) => acks.push_back(ack),
                Err(e) => failed(counters, &e.to_string()),
            }
            if acks.len() >= IN_FLIGHT {
                settle(&mut acks, IN_FLIGHT / 2, counters).await;
            }
        }
        settle(&mut acks, 0, counters).await;
        let _ = done.send(());
    });
    Ok((tx, finished))
}

/// Awaits acknowledgements until at most `keep` are outstanding.
async fn settle(
    acks: &mut VecDeque<jetstream::context::PublishAckFuture>,
    keep: usize,
    counters: &Counters,
) {
    while acks.len() > keep {
        let Some(ack) = acks.pop_front() else { break };
        match ack.await {
            Ok(_) => add(&counters.published, 1),
            Err(e) => failed(counters, &e.to_string()),
        }
    }
}

fn failed(counters: &Counters, error: &str) {
    add(&counters.publish_failed, 1);
    crate::trace::warn!(error = %error, "recorder: a record was not published to NATS");
}

/// The records of `target`'s stream from `start`, as the events the live session gave. The
/// stream ends when the connection does (a `Live` replay waits for more).
pub async fn nats_replay<M: Control>(
    target: &NatsTarget,
    start: NatsStart,
) -> Result<impl Stream<Item = Replayed<M>>, RecordError> {
    let nats = |e: &dyn std::fmt::Display| RecordError::Nats(e.to_string());
    let stream = target
        .js
        .get_stream(&target.stream)
        .await
        .map_err(|e| nats(&e))?;
    let deliver_policy = match start {
        NatsStart::First => DeliverPolicy::All,
        NatsStart::Live => DeliverPolicy::New,
        NatsStart::At(ns) => DeliverPolicy::ByStartTime {
            start_time: chrono::DateTime::from_timestamp_nanos(ns as i64),
        },
    };
    let consumer = stream
        .create_consumer(OrderedConfig {
            filter_subject: format!("{}.>", target.prefix),
            deliver_policy,
            ..Default::default()
        })
        .await
        .map_err(|e| nats(&e))?;
    let messages = consumer.messages().await.map_err(|e| nats(&e))?;
    Ok(futures_util::stream::unfold(
        (messages, Decoder::<M>::default()),
        |(mut messages, mut decoder)| async move {
            loop {
                if let Some(replayed) = decoder.pop() {
                    return Some((replayed, (messages, decoder)));
                }
                match messages.next().await? {
                    Ok(message) => decoder.line(&message.payload, &message.payload),
                    Err(_) => decoder.stats.skipped += 1,
                }
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn tickers_keep_their_dots_inside_one_token() {
        assert_eq!(
            super::escape("KXBTC-26DEC31.B100000"),
            "KXBTC-26DEC31%2EB100000"
        );
        assert_eq!(super::escape("a b*>%"), "a%20b%2A%3E%25");
        assert_eq!(super::escape(""), "_");
    }
}

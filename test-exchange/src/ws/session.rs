//! One connection: the only writer of its socket. It reads commands, sends heartbeats, obeys the
//! control API and delivers the log's events to its subscriptions, awaiting the socket for each
//! batch so a slow client slows only its own session.

use super::product::{error_text, Product};
use super::{Control, Event};
use crate::State;
use axum::extract::ws::{Message, WebSocket};
use futures_util::SinkExt as _;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// The most log events delivered between two looks at the socket and the control channel.
const BATCH: usize = 256;

/// A subscription: one channel, its markets (`None`: all) and its sequence.
#[derive(Debug)]
pub(super) struct Sub {
    pub(super) sid: u64,
    pub(super) channel: &'static str,
    pub(super) markets: Option<Vec<String>>,
    /// The last `seq` sent.
    pub(super) seq: u64,
    skip: bool,
    repeat: bool,
}

impl Sub {
    pub(super) fn new(sid: u64, channel: &'static str, markets: Option<Vec<String>>) -> Self {
        Self {
            sid,
            channel,
            markets,
            seq: 0,
            skip: false,
            repeat: false,
        }
    }

    /// The `seq` of the next sequenced frame, after any injected skip or repeat.
    pub(super) fn next_seq(&mut self) -> u64 {
        if std::mem::take(&mut self.repeat) && self.seq > 0 {
            return self.seq;
        }
        if std::mem::take(&mut self.skip) {
            self.seq += 1;
        }
        self.seq += 1;
        self.seq
    }

    /// Whether it sees events of `market` (an event of no market: always).
    pub(super) fn covers(&self, market: &str) -> bool {
        market.is_empty()
            || self
                .markets
                .as_ref()
                .is_none_or(|m| m.iter().any(|t| t == market))
    }
}

/// Removes the connection from the hub however the session ends (including an abort).
struct Registration<P: Product> {
    state: Arc<State>,
    id: u64,
    product: std::marker::PhantomData<P>,
}

impl<P: Product> Drop for Registration<P> {
    fn drop(&mut self) {
        P::hub(&self.state).conns.lock().unwrap().remove(&self.id);
    }
}

/// One connection to the endpoint of product `P`.
pub(crate) struct Session<P: Product> {
    pub(super) state: Arc<State>,
    registration: Registration<P>,
    pub(super) key_id: String,
    socket: WebSocket,
    pub(super) subs: Vec<Sub>,
    pub(super) next_sid: u64,
    /// The log index read up to; mirrored in the hub for trimming.
    pub(super) cursor: u64,
    shared_cursor: Arc<AtomicU64>,
    interest: Arc<Mutex<Vec<String>>>,
    unknown_field: bool,
}

/// Why the session ended.
pub(super) struct Closed;

impl<P: Product> Session<P> {
    pub(crate) fn new(
        state: Arc<State>,
        id: u64,
        key_id: String,
        socket: WebSocket,
        shared_cursor: Arc<AtomicU64>,
        interest: Arc<Mutex<Vec<String>>>,
    ) -> Self {
        Self {
            registration: Registration {
                state: state.clone(),
                id,
                product: std::marker::PhantomData,
            },
            state,
            key_id,
            socket,
            subs: Vec::new(),
            next_sid: 1,
            cursor: shared_cursor.load(Ordering::Acquire),
            shared_cursor,
            interest,
            unknown_field: false,
        }
    }

    pub(crate) async fn run(mut self, mut control: mpsc::UnboundedReceiver<Control>) {
        let _ = self.registration.id;
        let period = self.state.config.ws_heartbeat;
        let mut heartbeat = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut head = P::hub(&self.state).head.subscribe();
        loop {
            let behind = *head.borrow_and_update() > self.cursor;
            let step = tokio::select! {
                biased;
                c = control.recv() => match c {
                    Some(Control::Stall(true)) => stall(&mut control).await,
                    Some(c) => self.inject(c).await,
                    None => Err(Closed),
                },
                m = self.socket.recv() => match m {
                    Some(Ok(Message::Text(text))) => self.command(text.as_str()).await,
                    Some(Ok(Message::Binary(bytes))) => {
                        self.command(&String::from_utf8_lossy(&bytes)).await
                    }
                    // Pongs to the client's pings are queued by tungstenite while we read.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => Ok(()),
                    Some(Ok(Message::Close(_)) | Err(_)) | None => Err(Closed),
                },
                _ = heartbeat.tick() => self.send(Message::Ping("heartbeat".into())).await,
                _ = std::future::ready(()), if behind => self.deliver_pending().await,
                r = head.changed() => r.map_err(|_| Closed),
            };
            if step.is_err() {
                return;
            }
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), Closed> {
        self.socket.send(message).await.map_err(|_| Closed)
    }

    /// Queues a JSON frame, written the way Kalshi writes it; [`Session::flush`] sends what is
    /// queued.
    pub(super) async fn feed(&mut self, frame: &Value) -> Result<(), Closed> {
        self.socket
            .feed(Message::Text(kalshi_order(frame).into()))
            .await
            .map_err(|_| Closed)
    }

    pub(super) async fn flush(&mut self) -> Result<(), Closed> {
        self.socket.flush().await.map_err(|_| Closed)
    }

    /// Reads a batch of log events and sends what this connection's subscriptions should see.
    async fn deliver_pending(&mut self) -> Result<(), Closed> {
        let events = {
            let world = P::hub(&self.state).world.lock().unwrap();
            let mut events = world.since(self.cursor);
            events.truncate(BATCH);
            events
        };
        self.deliver(&events).await?;
        self.flush().await
    }

    /// Sends `events` (the log's next ones) and moves the cursor past them.
    pub(super) async fn deliver(&mut self, events: &[Arc<Event>]) -> Result<(), Closed> {
        for event in events {
            for i in 0..self.subs.len() {
                if let Some(frame) = self.frame_for(i, event) {
                    self.feed(&frame).await?;
                }
            }
            self.cursor += 1;
            self.shared_cursor.store(self.cursor, Ordering::Release);
        }
        Ok(())
    }

    /// The frame subscription `i` gets for `event`, if any.
    fn frame_for(&mut self, i: usize, event: &Event) -> Option<Value> {
        let key_id = &self.key_id;
        let sub = &self.subs[i];
        let private = P::PRIVATE.contains(&event.channel);
        if sub.channel != event.channel
            || !sub.covers(&event.market)
            || (private && event.owner.as_deref() != Some(key_id))
        {
            return None;
        }
        let mut msg = event.msg.clone();
        if event.owner.as_deref() == Some(key_id) {
            if let (Some(Value::Object(extra)), Value::Object(m)) = (&event.owner_fields, &mut msg)
            {
                m.extend(extra.clone());
            }
        }
        Some(if P::SEQUENCED.contains(&event.kind) {
            self.data(i, event.kind, msg)
        } else {
            let sid = self.subs[i].sid;
            self.mark_unknown_field(&mut msg);
            json!({ "type": event.kind, "sid": sid, "msg": msg })
        })
    }

    /// A sequenced data frame on subscription `i`.
    pub(super) fn data(&mut self, i: usize, kind: &str, mut msg: Value) -> Value {
        self.mark_unknown_field(&mut msg);
        let sub = &mut self.subs[i];
        json!({ "type": kind, "sid": sub.sid, "seq": sub.next_seq(), "msg": msg })
    }

    fn mark_unknown_field(&mut self, msg: &mut Value) {
        if std::mem::take(&mut self.unknown_field) {
            msg["x_test_exchange_unknown"] = json!("injected");
        }
    }

    /// Publishes the tickers of market-data subscriptions for the scripted feed.
    pub(super) fn update_interest(&self) {
        let mut tickers: Vec<String> = self
            .subs
            .iter()
            .filter(|s| P::MARKET_DATA.contains(&s.channel))
            .flat_map(|s| s.markets.iter().flatten().cloned())
            .collect();
        tickers.sort();
        tickers.dedup();
        *self.interest.lock().unwrap() = tickers;
    }

    async fn inject(&mut self, control: Control) -> Result<(), Closed> {
        match control {
            Control::Stall(_) => {}
            Control::SkipSeq => self.subs.iter_mut().for_each(|s| s.skip = true),
            Control::RepeatSeq => self.subs.iter_mut().for_each(|s| s.repeat = true),
            Control::UnknownField => self.unknown_field = true,
            Control::Text(text) => self.send(Message::Text(text.as_ref().into())).await?,
            Control::Malformed => {
                self.send(Message::Text("{\"type\": this is not JSON".into()))
                    .await?
            }
            Control::UnknownType => {
                for i in 0..self.subs.len() {
                    let frame = self.data(
                        i,
                        "test_exchange_unknown",
                        json!({ "note": "a type this client has not seen" }),
                    );
                    self.feed(&frame).await?;
                }
                self.flush().await?;
            }
            Control::Error(code) => {
                if let Some(sid) = self.subs.first().map(|s| s.sid) {
                    let frame = json!({
                        "type": "error",
                        "sid": sid,
                        "msg": { "code": code, "msg": error_text::<P>(code) },
                    });
                    self.feed(&frame).await?;
                    self.flush().await?;
                }
            }
        }
        Ok(())
    }

    /// Whether `name` is a channel of the spec.
    pub(super) fn channel(name: &str) -> Option<&'static str> {
        P::CHANNELS.iter().copied().find(|c| *c == name)
    }
}

/// Neither reads nor writes until the stall is lifted (or the connection is dropped).
async fn stall(control: &mut mpsc::UnboundedReceiver<Control>) -> Result<(), Closed> {
    loop {
        match control.recv().await {
            Some(Control::Stall(false)) => return Ok(()),
            Some(_) => {}
            None => return Err(Closed),
        }
    }
}

/// The envelope keys in the order Kalshi's servers write them (`{"id","type","sid","seq","msg"}`,
/// each when present), then any other key; compact, as Kalshi sends frames. `serde_json`'s own
/// map would write them sorted, `msg` first, which no Kalshi frame does.
fn kalshi_order(frame: &Value) -> String {
    const ENVELOPE: [&str; 5] = ["id", "type", "sid", "seq", "msg"];
    let Value::Object(map) = frame else {
        return frame.to_string();
    };
    let keys = ENVELOPE
        .iter()
        .copied()
        .filter(|k| map.contains_key(*k))
        .chain(
            map.keys()
                .map(String::as_str)
                .filter(|k| !ENVELOPE.contains(k)),
        );
    let mut out = String::from("{");
    for (i, key) in keys.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&Value::from(key).to_string());
        out.push(':');
        out.push_str(&map[key].to_string());
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::kalshi_order;
    use serde_json::json;

    #[test]
    fn frames_are_written_in_kalshis_key_order() {
        let frame = json!({"msg": {"b": 1, "a": [2]}, "seq": 3, "sid": 2, "type": "orderbook_delta", "x": null});
        assert_eq!(
            kalshi_order(&frame),
            r#"{"type":"orderbook_delta","sid":2,"seq":3,"msg":{"a":[2],"b":1},"x":null}"#
        );
        let reply = json!({"msg": {"sid": 1}, "type": "subscribed", "id": 7});
        assert_eq!(
            kalshi_order(&reply),
            r#"{"id":7,"type":"subscribed","msg":{"sid":1}}"#
        );
    }
}

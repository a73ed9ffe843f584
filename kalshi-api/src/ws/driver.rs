//! The connection task: owns the socket, reads and sequences frames, sends commands and pings,
//! tells a dead connection, reconnects and resubscribes. One task per session; the user's
//! [`Session`](super::Session) and [`Subscription`](super::Subscription) handles talk to it
//! through a channel, so reading the socket never waits on a lock the user holds.

use super::config::SessionConfig;
use super::connect::{connect, Socket};
use super::envelope;
use super::error::WsError;
use super::event::{Event, Received, SubscriptionId};
use super::hash::KeyHash;
use super::protocol::{ChannelKind, Envelope, Incoming};
use super::queue::Sender;
use super::sequence::{Check, Sequences};
use crate::auth::Credentials;
use bytes::Bytes;
use futures_util::{FutureExt, SinkExt, StreamExt};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::marker::PhantomData;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;

/// What a command's caller gets back.
#[derive(Debug)]
pub(crate) enum Reply<M> {
    /// A new subscription.
    Subscribed(SubscriptionId),
    /// The command took effect.
    Done,
    /// `list_subscriptions`: channel and `sid` of each.
    Listed(Vec<(String, u64)>),
    /// Any other command: its reply, decoded.
    Message(M),
    /// A subscription's markets.
    Markets(Vec<String>),
}

pub(crate) type ReplyTx<M> = oneshot::Sender<Result<Reply<M>, WsError>>;

/// What a command does, for the task's bookkeeping.
#[derive(Debug)]
pub(crate) enum Kind {
    Subscribe {
        channels: Vec<String>,
        params: Map<String, Value>,
    },
    Unsubscribe(SubscriptionId),
    /// `update_subscription` with `action` on every `sid` of a subscription.
    Update {
        sub: SubscriptionId,
        action: &'static str,
        tickers: Vec<String>,
    },
    List,
    /// A command given by the caller as it is.
    Other {
        cmd: &'static str,
        params: Option<Vec<u8>>,
    },
    /// Read a subscription's current markets (sends nothing).
    Markets(SubscriptionId),
}

/// A request from a handle.
pub(crate) enum Request<M> {
    Command { kind: Kind, reply: ReplyTx<M> },
    Close { done: oneshot::Sender<()> },
}

/// A command awaiting its replies. One group can span several commands (an update sent to each
/// `sid` of a subscription) and several replies to one command (a `subscribed` per channel).
struct Group<M> {
    cmd: &'static str,
    purpose: Purpose,
    reply: Option<ReplyTx<M>>,
    ids: Vec<u64>,
    /// Replies still expected.
    remaining: usize,
    sids: Vec<(String, u64)>,
    deadline: Instant,
}

enum Purpose {
    Subscribe {
        channels: Vec<String>,
        params: Map<String, Value>,
    },
    Resubscribe(SubscriptionId),
    Unsubscribe(SubscriptionId),
    Update {
        sub: SubscriptionId,
        action: &'static str,
        tickers: Vec<String>,
    },
    Repair(u64),
    List,
    Other,
}

/// A live subscription.
struct Sub {
    channels: Vec<String>,
    /// The subscribe `params` as sent, markets kept current.
    params: Map<String, Value>,
    /// Channel and `sid` on the current connection (empty while disconnected).
    sids: Vec<(String, u64)>,
}

struct SidInfo<C> {
    sub: SubscriptionId,
    channel: C,
}

/// Frames read in one go when the socket has them buffered, before the loop looks at commands,
/// pings and timers again.
const BURST: usize = 256;

/// Why a connection ended.
enum End {
    /// The user closed the session, or dropped every handle.
    Closed,
    /// Lost: reconnect.
    Lost(String),
}

pub(crate) struct Driver<M, C> {
    pub(crate) url: String,
    pub(crate) credentials: Credentials,
    pub(crate) config: SessionConfig,
    pub(crate) requests: mpsc::Receiver<Request<M>>,
    pub(crate) out: Sender<M>,
    next_id: u64,
    next_sub: u64,
    next_group: u64,
    groups: HashMap<u64, Group<M>>,
    by_id: HashMap<u64, u64>,
    subs: BTreeMap<SubscriptionId, Sub>,
    by_sid: HashMap<u64, SidInfo<C>, KeyHash>,
    seqs: Sequences,
    repairing: HashSet<u64>,
    outbox: Vec<Message>,
    deferred: Vec<Request<M>>,
    _channel: PhantomData<fn() -> C>,
}

impl<M, C> Driver<M, C>
where
    M: Incoming,
    C: ChannelKind + for<'a> From<&'a str>,
{
    pub(crate) fn new(
        url: String,
        credentials: Credentials,
        config: SessionConfig,
        requests: mpsc::Receiver<Request<M>>,
        out: Sender<M>,
    ) -> Self {
        Driver {
            url,
            credentials,
            config,
            requests,
            out,
            next_id: 1,
            next_sub: 1,
            next_group: 1,
            groups: HashMap::new(),
            by_id: HashMap::new(),
            subs: BTreeMap::new(),
            by_sid: HashMap::default(),
            seqs: Sequences::default(),
            repairing: HashSet::new(),
            outbox: Vec::new(),
            deferred: Vec::new(),
            _channel: PhantomData,
        }
    }

    /// Serves `socket`, then each replacement, until the session closes or gives up.
    pub(crate) async fn run(mut self, socket: Socket) {
        let mut socket = socket;
        loop {
            let lost_at = match self.serve(socket).await {
                End::Closed => {
                    self.fail_all(|_| WsError::Closed);
                    self.out.push(Event::Closed { error: None });
                    self.out.finish();
                    return;
                }
                End::Lost(reason) => {
                    self.disconnected(reason);
                    Instant::now()
                }
            };
            match self.reconnect().await {
                Ok((next, attempts)) => {
                    self.out.push(Event::Reconnected {
                        attempts,
                        downtime: lost_at.elapsed(),
                    });
                    self.resubscribe_all();
                    self.run_deferred();
                    socket = next;
                }
                Err(error) => {
                    self.fail_all(|_| WsError::Closed);
                    self.out.push(Event::Closed { error });
                    self.out.finish();
                    return;
                }
            }
        }
    }

    /// Reads and writes one connection until it ends.
    async fn serve(&mut self, socket: Socket) -> End {
        let (mut sink, mut stream) = socket.split();
        let idle = self.config.idle_timeout;
        // One timer per connection, moved only when it fires: re-arming a timer for every frame
        // would cost more than decoding the frame.
        let mut last_read = Instant::now();
        let idle_timer = tokio::time::sleep(idle);
        tokio::pin!(idle_timer);
        let mut ping = tokio::time::interval_at(
            Instant::now() + self.config.ping_interval,
            self.config.ping_interval,
        );
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let sweep_every = (self.config.command_timeout / 4)
            .clamp(Duration::from_millis(10), Duration::from_secs(1));
        let mut sweep = tokio::time::interval(sweep_every);
        // While the consumer lags, nothing is read, so no reply can arrive: command deadlines
        // stop counting, and so does the idle timeout.
        let mut blocked_since: Option<Instant> = None;
        loop {
            self.out.flush();
            if let Err(reason) = self.flush(&mut sink).await {
                return End::Lost(reason);
            }
            // A command's reply may sit behind unread messages: while one is awaited, keep
            // reading past a full queue (it then holds what arrives during the round trip), or a
            // consumer that awaits a command before reading on would wait forever.
            let room = self.out.has_room() || !self.groups.is_empty();
            if !room && blocked_since.is_none() {
                blocked_since = Some(Instant::now());
            }
            enum Step<M> {
                Request(Option<Request<M>>),
                Room,
                Frame(Option<Result<Message, tokio_tungstenite::tungstenite::Error>>),
                Idle,
                Ping,
                Sweep,
            }
            let step = tokio::select! {
                biased;
                r = self.requests.recv() => Step::Request(r),
                _ = self.out.room(), if !room => Step::Room,
                f = stream.next(), if room => Step::Frame(f),
                _ = &mut idle_timer, if room => Step::Idle,
                _ = ping.tick() => Step::Ping,
                _ = sweep.tick() => Step::Sweep,
            };
            match step {
                Step::Request(None) => {
                    let _ = sink.send(Message::Close(None)).await;
                    return End::Closed;
                }
                Step::Request(Some(Request::Close { done })) => {
                    let close = Message::Close(Some(CloseFrame {
                        code: tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode::Normal,
                        reason: "client closed".into(),
                    }));
                    let _ =
                        tokio::time::timeout(self.config.command_timeout, sink.send(close)).await;
                    let _ = done.send(());
                    return End::Closed;
                }
                Step::Request(Some(Request::Command { kind, reply })) => self.command(kind, reply),
                Step::Room => {
                    last_read = Instant::now();
                    if let Some(since) = blocked_since.take() {
                        let blocked = since.elapsed();
                        for group in self.groups.values_mut() {
                            group.deadline += blocked;
                        }
                    }
                }
                Step::Idle => {
                    let due = last_read + idle;
                    if due > Instant::now() {
                        idle_timer.as_mut().reset(due);
                    } else {
                        return End::Lost(format!("nothing received for {} ms", idle.as_millis()));
                    }
                }
                Step::Ping => self.outbox.push(Message::Ping(Bytes::new())),
                Step::Sweep if blocked_since.is_some() => {}
                Step::Sweep => {
                    if let Some(reason) = self.sweep() {
                        return End::Lost(reason);
                    }
                }
                Step::Frame(None) => return End::Lost("the server closed the connection".into()),
                Step::Frame(Some(Err(e))) => return End::Lost(e.to_string()),
                Step::Frame(Some(Ok(message))) => {
                    last_read = Instant::now();
                    if let Some(end) = self.message(message) {
                        return end;
                    }
                    // Take what the socket has already buffered before going round the select
                    // again: one pass of the loop per burst, not per frame.
                    for _ in 0..BURST {
                        if !self.out.has_room() && self.groups.is_empty() {
                            break;
                        }
                        match stream.next().now_or_never() {
                            Some(Some(Ok(message))) => {
                                if let Some(end) = self.message(message) {
                                    return end;
                                }
                            }
                            Some(Some(Err(e))) => return End::Lost(e.to_string()),
                            Some(None) => {
                                return End::Lost("the server closed the connection".into())
                            }
                            None => break,
                        }
                    }
                }
            }
        }
    }

    /// One WebSocket message: a frame to route, or the end of the connection.
    fn message(&mut self, message: Message) -> Option<End> {
        match message {
            // The message keeps its own copy of the frame. tungstenite's bytes share its read
            // buffer: held while messages wait in the queue, they keep the buffer from being
            // reused, and each later read of the socket gets a few hundred bytes instead of what
            // the socket holds (`perf stat -e syscalls:sys_enter_recvfrom` on the `ws_throughput`
            // bench, `WS_CLIENT=session WS_ROUNDS=3`: about 90,800 reads for 600,000 messages
            // when holding them, 1,800 to 4,100 with a copy, as many as a bare reader makes).
            Message::Text(text) => {
                // The WebSocket layer checked the text is UTF-8: read it as is.
                let raw = Bytes::copy_from_slice(text.as_bytes());
                self.frame(text.as_str(), raw);
            }
            Message::Binary(bytes) => {
                let raw = Bytes::copy_from_slice(&bytes);
                match std::str::from_utf8(&bytes) {
                    Ok(text) => self.frame(text, raw),
                    Err(e) => self.out.push(Event::Malformed {
                        error: format!("the frame is not UTF-8: {e}"),
                        raw,
                    }),
                }
            }
            Message::Close(frame) => {
                let reason = match frame {
                    Some(f) => format!("the server closed: {} {}", f.code, f.reason),
                    None => "the server closed the connection".into(),
                };
                return Some(End::Lost(reason));
            }
            // Pings are answered by tungstenite as the stream is read; a pong only proves the
            // connection alive.
            Message::Ping(_) | Message::Pong(_) | Message::Frame(_) => {}
        }
        None
    }

    async fn flush<S>(&mut self, sink: &mut S) -> Result<(), String>
    where
        S: futures_util::Sink<Message, Error = tokio_tungstenite::tungstenite::Error> + Unpin,
    {
        if self.outbox.is_empty() {
            return Ok(());
        }
        let timeout = self.config.command_timeout;
        for message in self.outbox.drain(..) {
            match tokio::time::timeout(timeout, sink.feed(message)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => return Err(format!("sending: {e}")),
                Err(_) => return Err("sending timed out".into()),
            }
        }
        match tokio::time::timeout(timeout, sink.flush()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(format!("sending: {e}")),
            Err(_) => Err("sending timed out".into()),
        }
    }

    /// One text frame from the server.
    fn frame(&mut self, text: &str, raw: Bytes) {
        let (env, decoded) = match envelope::read::<M>(text, &raw) {
            Ok(frame) => (frame.envelope, frame.message),
            Err(e) => {
                self.out.push(Event::Malformed {
                    error: e.to_string(),
                    raw,
                });
                return;
            }
        };
        let sub = env.sid.and_then(|sid| self.by_sid.get(&sid).map(|s| s.sub));
        if let (Some(sid), Some(seq)) = (env.sid, env.seq) {
            if envelope::is_reply(&env.kind) {
                self.seqs.observe(sid, seq);
            } else {
                self.check_seq(sid, seq, sub);
            }
        }
        if let Some(gid) = env.id.and_then(|id| self.by_id.get(&id).copied()) {
            if self.reply(gid, &env, &raw) {
                return;
            }
        }
        match env.kind.as_ref() {
            "error" => {
                let (code, message) = error_fields(&env);
                self.out.push(Event::ServerError {
                    subscription: sub,
                    sid: env.sid,
                    code,
                    message,
                    raw: raw.clone(),
                });
                return;
            }
            "unsubscribed" => {
                // The server ended a subscription on its own.
                if let Some(sid) = env.sid {
                    self.forget_sid(sid);
                }
            }
            _ => {}
        }
        let (sid, seq) = (env.sid, env.seq);
        let decoded = match decoded {
            Some(message) => Ok(message),
            None => M::decode(&env, &raw),
        };
        match decoded {
            Ok(message) => self.out.push(Event::Message(Received {
                subscription: sub,
                sid,
                seq,
                message,
                raw,
            })),
            Err(error) => {
                let kind = env.kind.to_string();
                self.out.push(Event::DecodeFailed {
                    subscription: sub,
                    kind,
                    error,
                    raw,
                })
            }
        }
    }

    /// Checks a data message's `seq`; a gap or repeat is reported and repaired.
    fn check_seq(&mut self, sid: u64, seq: u64, sub: Option<SubscriptionId>) {
        match self.seqs.check(sid, seq) {
            Check::InOrder => {}
            Check::Gap { expected, received } => {
                self.out.push(Event::SequenceGap {
                    subscription: sub,
                    sid,
                    expected,
                    received,
                });
                self.repair(sid);
            }
            Check::Repeat { last, received } => {
                self.out.push(Event::SequenceRepeat {
                    subscription: sub,
                    sid,
                    last,
                    received,
                });
                self.repair(sid);
            }
        }
    }

    /// A frame answering a command of group `gid`. Returns whether it is consumed (a protocol
    /// reply) rather than data to deliver as well (a snapshot answering `get_snapshot`).
    fn reply(&mut self, gid: u64, env: &Envelope<'_>, raw: &Bytes) -> bool {
        let kind = env.kind.as_ref();
        let is_reply = envelope::is_reply(kind);
        if kind == "error" {
            let (code, message) = error_fields(env);
            if let Some(group) = self.take_group(gid) {
                let error = WsError::Server {
                    command: group.cmd,
                    code,
                    message,
                };
                self.failed(group, error);
            }
            return true;
        }
        let Some(group) = self.groups.get_mut(&gid) else {
            return false;
        };
        match &group.purpose {
            Purpose::Subscribe { .. } | Purpose::Resubscribe(_) => {
                if kind != "subscribed" {
                    return is_reply;
                }
                let (channel, sid) = subscribed_fields(env);
                if let (Some(channel), Some(sid)) = (channel, sid) {
                    group.sids.push((channel, sid));
                }
            }
            Purpose::Unsubscribe(_) => {
                if kind != "unsubscribed" {
                    return is_reply;
                }
            }
            Purpose::Update { action, .. } if *action == "get_snapshot" => {
                // Answered by the snapshots themselves (carrying the command's id), or an `ok`.
            }
            Purpose::Update {
                sub,
                action,
                tickers,
            } => {
                if kind != "ok" {
                    return is_reply;
                }
                let (sub, action, tickers) = (*sub, *action, tickers.clone());
                let listed = listed_tickers(env);
                if let Some(s) = self.subs.get_mut(&sub) {
                    match listed {
                        Some(all) => set_tickers(&mut s.params, all),
                        None => {
                            let mut all = tickers_of(&s.params);
                            if action == "add_markets" {
                                for t in tickers {
                                    if !all.contains(&t) {
                                        all.push(t);
                                    }
                                }
                            } else {
                                all.retain(|t| !tickers.contains(t));
                            }
                            set_tickers(&mut s.params, all);
                        }
                    }
                }
            }
            Purpose::Repair(_) => {}
            Purpose::List => {
                if kind != "ok" {
                    return is_reply;
                }
                let listed = env
                    .msg
                    .and_then(|m| serde_json::from_str::<Vec<Value>>(m).ok())
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|v| {
                        Some((
                            v.get("channel")?.as_str()?.to_string(),
                            v.get("sid")?.as_u64()?,
                        ))
                    })
                    .collect();
                if let Some(group) = self.take_group(gid) {
                    if let Some(tx) = group.reply {
                        let _ = tx.send(Ok(Reply::Listed(listed)));
                    }
                }
                return true;
            }
            Purpose::Other => {
                let decoded = M::decode(env, raw);
                if let Some(group) = self.take_group(gid) {
                    if let Some(tx) = group.reply {
                        let _ = tx.send(decoded.map(Reply::Message).map_err(|e| {
                            WsError::UnexpectedReply {
                                command: group.cmd,
                                detail: e.to_string(),
                            }
                        }));
                    }
                }
                return is_reply;
            }
        }
        group.remaining = group.remaining.saturating_sub(1);
        if group.remaining == 0 {
            if let Some(group) = self.take_group(gid) {
                self.completed(group);
            }
        }
        is_reply
    }

    fn take_group(&mut self, gid: u64) -> Option<Group<M>> {
        let group = self.groups.remove(&gid)?;
        for id in &group.ids {
            self.by_id.remove(id);
        }
        Some(group)
    }

    /// Every reply of a group arrived.
    fn completed(&mut self, group: Group<M>) {
        let reply = match group.purpose {
            Purpose::Subscribe { channels, params } => {
                let id = SubscriptionId(self.next_sub);
                self.next_sub += 1;
                self.index(id, &group.sids);
                self.subs.insert(
                    id,
                    Sub {
                        channels,
                        params,
                        sids: group.sids,
                    },
                );
                Reply::Subscribed(id)
            }
            Purpose::Resubscribe(id) => {
                self.index(id, &group.sids);
                if let Some(sub) = self.subs.get_mut(&id) {
                    sub.sids = group.sids.clone();
                }
                self.out.push(Event::Resubscribed {
                    subscription: id,
                    sids: group.sids,
                });
                self.run_deferred();
                return;
            }
            Purpose::Unsubscribe(id) => {
                if let Some(sub) = self.subs.remove(&id) {
                    for (_, sid) in sub.sids {
                        self.forget_sid(sid);
                    }
                }
                // In the stream too, after the subscription's last message: whoever keeps state
                // from it (the order books) learns it ends there.
                self.out.push(Event::Unsubscribed { subscription: id });
                Reply::Done
            }
            Purpose::Repair(sid) => {
                self.repairing.remove(&sid);
                return;
            }
            Purpose::Update {
                sub,
                action: "delete_markets",
                tickers,
            } => {
                self.out.push(Event::MarketsRemoved {
                    subscription: sub,
                    markets: tickers,
                });
                Reply::Done
            }
            Purpose::Update { .. } | Purpose::List | Purpose::Other => Reply::Done,
        };
        if let Some(tx) = group.reply {
            let _ = tx.send(Ok(reply));
        }
    }

    /// A group ended in `error`.
    fn failed(&mut self, group: Group<M>, error: WsError) {
        match group.purpose {
            Purpose::Subscribe { .. } if !group.sids.is_empty() => {
                // Some channels were subscribed before another failed: undo them.
                let sids: Vec<u64> = group.sids.iter().map(|(_, sid)| *sid).collect();
                let params = serde_json::json!({ "sids": sids });
                self.send_untracked("unsubscribe", Some(&params));
            }
            Purpose::Resubscribe(id) => {
                self.subs.remove(&id);
                self.out.push(Event::ResubscribeFailed {
                    subscription: id,
                    error,
                });
                self.run_deferred();
                return;
            }
            Purpose::Repair(sid) => {
                self.repairing.remove(&sid);
                return;
            }
            _ => {}
        }
        if let Some(tx) = group.reply {
            let _ = tx.send(Err(error));
        }
    }

    fn index(&mut self, id: SubscriptionId, sids: &[(String, u64)]) {
        for (channel, sid) in sids {
            self.by_sid.insert(
                *sid,
                SidInfo {
                    sub: id,
                    channel: C::from(channel.as_str()),
                },
            );
        }
    }

    fn forget_sid(&mut self, sid: u64) {
        self.by_sid.remove(&sid);
        self.seqs.forget(sid);
        self.repairing.remove(&sid);
    }

    /// After a gap or repeat on `sid`: fresh snapshots of its markets, where the channel has them.
    fn repair(&mut self, sid: u64) {
        if !self.config.repair_gaps || self.repairing.contains(&sid) {
            return;
        }
        let Some(info) = self.by_sid.get(&sid) else {
            return;
        };
        if !info.channel.supports("get_snapshot") {
            return;
        }
        let sub = info.sub;
        let Some(markets) = self.subs.get(&sub).map(|s| tickers_of(&s.params)) else {
            return;
        };
        if markets.is_empty() {
            return;
        }
        let params = serde_json::json!({
            "sids": [sid],
            "market_tickers": markets,
            "action": "get_snapshot",
        });
        let id = self.write_command("update_subscription", Some(&params));
        self.track(
            "update_subscription",
            Purpose::Repair(sid),
            None,
            vec![id],
            1,
        );
        self.repairing.insert(sid);
        self.out.push(Event::SnapshotRequested {
            subscription: sub,
            markets,
        });
    }

    /// Whether a resubscription is waiting for its replies.
    fn resubscribing(&self) -> bool {
        self.groups
            .values()
            .any(|g| matches!(g.purpose, Purpose::Resubscribe(_)))
    }

    /// Runs the requests held while the connection was down or subscriptions were being
    /// restored, once every subscription is back.
    fn run_deferred(&mut self) {
        if self.resubscribing() {
            return;
        }
        for request in std::mem::take(&mut self.deferred) {
            if let Request::Command { kind, reply } = request {
                self.command(kind, reply);
            }
        }
    }

    /// A request from a handle.
    fn command(&mut self, kind: Kind, reply: ReplyTx<M>) {
        if self.resubscribing() && !matches!(kind, Kind::Markets(_)) {
            // Its `sid`s are not known yet: wait for the resubscription.
            self.deferred.push(Request::Command { kind, reply });
            return;
        }
        match kind {
            Kind::Markets(id) => {
                let result = match self.subs.get(&id) {
                    Some(sub) => Ok(Reply::Markets(tickers_of(&sub.params))),
                    None => Err(WsError::InvalidCommand(format!("{id} is not live"))),
                };
                let _ = reply.send(result);
            }
            Kind::Subscribe { channels, params } => {
                let id = self.write_command("subscribe", Some(&Value::Object(params.clone())));
                let expected = channels.len();
                self.track(
                    "subscribe",
                    Purpose::Subscribe { channels, params },
                    Some(reply),
                    vec![id],
                    expected,
                );
            }
            Kind::Unsubscribe(sub) => {
                let Some(s) = self.subs.get(&sub) else {
                    let _ = reply.send(Err(WsError::InvalidCommand(format!("{sub} is not live"))));
                    return;
                };
                let sids: Vec<u64> = s.sids.iter().map(|(_, sid)| *sid).collect();
                if sids.is_empty() {
                    self.subs.remove(&sub);
                    let _ = reply.send(Ok(Reply::Done));
                    return;
                }
                let params = serde_json::json!({ "sids": sids });
                let id = self.write_command("unsubscribe", Some(&params));
                self.track(
                    "unsubscribe",
                    Purpose::Unsubscribe(sub),
                    Some(reply),
                    vec![id],
                    sids.len(),
                );
            }
            Kind::Update {
                sub,
                action,
                tickers,
            } => {
                let Some(s) = self.subs.get(&sub) else {
                    let _ = reply.send(Err(WsError::InvalidCommand(format!("{sub} is not live"))));
                    return;
                };
                let targets: Vec<u64> = s
                    .sids
                    .iter()
                    .filter(|(channel, _)| {
                        action != "get_snapshot" || C::from(channel.as_str()).supports(action)
                    })
                    .map(|(_, sid)| *sid)
                    .collect();
                if targets.is_empty() {
                    let _ = reply.send(Err(WsError::InvalidCommand(format!(
                        "none of the channels of {sub} supports `{action}`"
                    ))));
                    return;
                }
                let ids = targets
                    .iter()
                    .map(|sid| {
                        let params = serde_json::json!({
                            "sids": [sid],
                            "market_tickers": tickers,
                            "action": action,
                        });
                        self.write_command("update_subscription", Some(&params))
                    })
                    .collect::<Vec<_>>();
                let expected = ids.len();
                self.track(
                    "update_subscription",
                    Purpose::Update {
                        sub,
                        action,
                        tickers,
                    },
                    Some(reply),
                    ids,
                    expected,
                );
            }
            Kind::List => {
                let id = self.write_command("list_subscriptions", None);
                self.track(
                    "list_subscriptions",
                    Purpose::List,
                    Some(reply),
                    vec![id],
                    1,
                );
            }
            Kind::Other { cmd, params } => {
                let id = self.write_raw(cmd, params.as_deref());
                self.track(cmd, Purpose::Other, Some(reply), vec![id], 1);
            }
        }
    }

    fn track(
        &mut self,
        cmd: &'static str,
        purpose: Purpose,
        reply: Option<ReplyTx<M>>,
        ids: Vec<u64>,
        expected: usize,
    ) {
        let gid = self.next_group;
        self.next_group += 1;
        for id in &ids {
            self.by_id.insert(*id, gid);
        }
        self.groups.insert(
            gid,
            Group {
                cmd,
                purpose,
                reply,
                ids,
                remaining: expected.max(1),
                sids: Vec::new(),
                deadline: Instant::now() + self.config.command_timeout,
            },
        );
    }

    fn write_command(&mut self, cmd: &'static str, params: Option<&Value>) -> u64 {
        let params = params.map(|p| serde_json::to_vec(p).expect("JSON values serialize"));
        self.write_raw(cmd, params.as_deref())
    }

    fn send_untracked(&mut self, cmd: &'static str, params: Option<&Value>) {
        self.write_command(cmd, params);
    }

    /// Queues `{"id":N,"cmd":cmd,"params":params}` and returns its id.
    fn write_raw(&mut self, cmd: &str, params: Option<&[u8]>) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        let mut text = String::with_capacity(32 + cmd.len() + params.map_or(0, <[u8]>::len));
        text.push_str("{\"id\":");
        text.push_str(itoa::Buffer::new().format(id));
        text.push_str(",\"cmd\":");
        text.push_str(&serde_json::to_string(cmd).expect("a string serializes"));
        if let Some(params) = params {
            text.push_str(",\"params\":");
            text.push_str(std::str::from_utf8(params).expect("serde_json writes UTF-8"));
        }
        text.push('}');
        self.outbox.push(Message::Text(text.into()));
        id
    }

    /// Ends groups past their deadline. Returns a reason to drop the connection when a
    /// resubscription timed out (the connection is not serving).
    fn sweep(&mut self) -> Option<String> {
        let now = Instant::now();
        let late: Vec<u64> = self
            .groups
            .iter()
            .filter(|(_, g)| g.deadline <= now)
            .map(|(gid, _)| *gid)
            .collect();
        let mut lost = None;
        for gid in late {
            let Some(group) = self.take_group(gid) else {
                continue;
            };
            match group.purpose {
                Purpose::Resubscribe(id) => {
                    lost = Some(format!("{id} was not resubscribed in time"));
                }
                Purpose::Repair(sid) => {
                    self.repairing.remove(&sid);
                }
                _ => {
                    if let Some(tx) = group.reply {
                        let _ = tx.send(Err(WsError::CommandTimeout {
                            command: group.cmd,
                            timeout_ms: self.config.command_timeout.as_millis() as u64,
                        }));
                    }
                }
            }
        }
        lost
    }

    /// The connection is gone: pending commands fail, `sid`s and sequence numbers are forgotten.
    fn disconnected(&mut self, reason: String) {
        self.outbox.clear();
        self.fail_all(|cmd| WsError::Interrupted { command: cmd });
        self.by_sid.clear();
        self.seqs.clear();
        self.repairing.clear();
        for sub in self.subs.values_mut() {
            sub.sids.clear();
        }
        self.out.push(Event::Disconnected { reason });
    }

    fn fail_all(&mut self, error: impl Fn(&'static str) -> WsError) {
        let groups: Vec<u64> = self.groups.keys().copied().collect();
        for gid in groups {
            if let Some(group) = self.take_group(gid) {
                if let Some(tx) = group.reply {
                    let _ = tx.send(Err(error(group.cmd)));
                }
            }
        }
    }

    /// Connects again, with backoff; handles requests meanwhile (commands wait for the new
    /// connection; a close ends the session).
    async fn reconnect(&mut self) -> Result<(Socket, u32), Option<WsError>> {
        let mut attempts = 0u32;
        let mut refused = 0u32;
        loop {
            self.out.flush();
            attempts += 1;
            let delay = self.config.backoff.delay(attempts);
            crate::trace::info!(
                attempt = attempts,
                delay_ms = crate::trace::ms(delay),
                "websocket reconnecting"
            );
            let wake = Instant::now() + delay;
            loop {
                tokio::select! {
                    _ = tokio::time::sleep_until(wake) => break,
                    r = self.requests.recv() => match r {
                        None => return Err(None),
                        Some(Request::Close { done }) => {
                            let _ = done.send(());
                            return Err(None);
                        }
                        Some(request) => self.deferred.push(request),
                    },
                }
            }
            let (url, credentials) = (self.url.clone(), self.credentials.clone());
            let attempt = connect(&url, &credentials, self.config.connect_timeout);
            tokio::pin!(attempt);
            let result = loop {
                tokio::select! {
                    r = &mut attempt => break r,
                    r = self.requests.recv() => match r {
                        None => return Err(None),
                        Some(Request::Close { done }) => {
                            let _ = done.send(());
                            return Err(None);
                        }
                        Some(request) => self.deferred.push(request),
                    },
                }
            };
            match result {
                Ok(socket) => return Ok((socket, attempts)),
                Err(e @ WsError::Unauthorized { .. }) => {
                    refused += 1;
                    if refused >= self.config.max_refused_handshakes.max(1) {
                        return Err(Some(e));
                    }
                }
                Err(e) => {
                    refused = 0;
                    if self
                        .config
                        .max_reconnect_attempts
                        .is_some_and(|max| attempts >= max)
                    {
                        return Err(Some(e));
                    }
                }
            }
            if self
                .config
                .max_reconnect_attempts
                .is_some_and(|max| attempts >= max)
            {
                return Err(Some(WsError::Transport(format!(
                    "gave up after {attempts} reconnect attempts"
                ))));
            }
        }
    }

    /// Sends `subscribe` again for every subscription, with its current markets.
    fn resubscribe_all(&mut self) {
        let subs: Vec<(SubscriptionId, usize, Map<String, Value>)> = self
            .subs
            .iter()
            .map(|(id, s)| (*id, s.channels.len(), s.params.clone()))
            .collect();
        for (id, channels, params) in subs {
            crate::trace::debug!(subscription = id.get(), "websocket resubscribing");
            let cmd = self.write_command("subscribe", Some(&Value::Object(params)));
            self.track(
                "subscribe",
                Purpose::Resubscribe(id),
                None,
                vec![cmd],
                channels,
            );
        }
    }
}

/// `code` and `msg` of an `error` frame's `msg`.
fn error_fields(env: &Envelope<'_>) -> (i64, String) {
    let msg = env
        .msg
        .and_then(|m| serde_json::from_str::<Value>(m).ok())
        .unwrap_or(Value::Null);
    let code = msg.get("code").and_then(Value::as_i64).unwrap_or(0);
    let message = msg
        .get("msg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    (code, message)
}

/// `channel` and `sid` of a `subscribed` frame's `msg` (or the envelope's `sid`).
fn subscribed_fields(env: &Envelope<'_>) -> (Option<String>, Option<u64>) {
    let msg = env
        .msg
        .and_then(|m| serde_json::from_str::<Value>(m).ok())
        .unwrap_or(Value::Null);
    let channel = msg
        .get("channel")
        .and_then(Value::as_str)
        .map(str::to_string);
    let sid = msg.get("sid").and_then(Value::as_u64).or(env.sid);
    (channel, sid)
}

/// The full market list an `ok` reply carries, when it carries one.
fn listed_tickers(env: &Envelope<'_>) -> Option<Vec<String>> {
    let msg = serde_json::from_str::<Value>(env.msg?).ok()?;
    let list = msg.get("market_tickers")?.as_array()?;
    Some(
        list.iter()
            .filter_map(|t| t.as_str().map(str::to_string))
            .collect(),
    )
}

/// The markets of subscribe `params`: `market_ticker` and `market_tickers`.
pub(crate) fn tickers_of(params: &Map<String, Value>) -> Vec<String> {
    let mut all = Vec::new();
    if let Some(t) = params.get("market_ticker").and_then(Value::as_str) {
        all.push(t.to_string());
    }
    if let Some(list) = params.get("market_tickers").and_then(Value::as_array) {
        for t in list.iter().filter_map(Value::as_str) {
            if !all.iter().any(|a| a == t) {
                all.push(t.to_string());
            }
        }
    }
    all
}

/// Replaces the markets of subscribe `params` with `tickers`, as `market_tickers`.
fn set_tickers(params: &mut Map<String, Value>, tickers: Vec<String>) {
    params.remove("market_ticker");
    params.insert(
        "market_tickers".into(),
        Value::Array(tickers.into_iter().map(Value::String).collect()),
    );
}

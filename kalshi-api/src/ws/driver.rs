//! The connection task: owns the socket, reads frames and writes commands, and applies what the
//! leaf states decide (pending commands in `pending.rs`, subscriptions in `subscriptions.rs`,
//! sequencing and repair in `repair.rs`, reconnection in `reconnect.rs`, timers in `timers.rs`).
//! One task per session; the user's [`Session`](super::Session) and
//! [`Subscription`](super::Subscription) handles talk to it through a channel, so reading the
//! socket never waits on a lock the user holds.

use super::config::SessionConfig;
use super::connect::Socket;
use super::control::{Control, ControlCommand, ControlReply, MarketsAction};
use super::envelope;
use super::error::WsError;
use super::event::{Event, Received, SubscriptionId};
use super::outbox::Outbox;
use super::pending::{Answer, Done, Group, Kind, KindOf, Pending, Reply, ReplyTx, Request};
use super::protocol::{ChannelKind, Envelope};
use super::queue::Sender;
use super::reconnect::Reconnect;
use super::repair::{Ask, Repairs, SnapshotPlan};
use super::subscriptions::Subscriptions;
use super::timers::{Tick, Timers};
use crate::auth::Credentials;
use bytes::Bytes;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{FutureExt, SinkExt, StreamExt};
use std::marker::PhantomData;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::{Error as WireError, Message};

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

/// What woke the loop.
enum Step<M: Control> {
    Request(Option<Request<M>>),
    Room,
    Frame(Option<Result<Message, WireError>>),
    Timer(Tick),
}

type Sink = SplitSink<Socket, Message>;
type Stream = SplitStream<Socket>;

pub(crate) struct Driver<M: Control, C> {
    url: String,
    credentials: Credentials,
    config: SessionConfig,
    requests: mpsc::UnboundedReceiver<Request<M>>,
    out: Sender<M>,
    pending: Pending<M>,
    subs: Subscriptions<C, M::Subscribe>,
    repairs: Repairs,
    outbox: Outbox,
    /// Requests held while the connection is down or subscriptions are being restored.
    deferred: Vec<Request<M>>,
    _channel: PhantomData<fn() -> C>,
}

impl<M, C> Driver<M, C>
where
    M: Control,
    C: ChannelKind + for<'a> From<&'a str>,
{
    pub(crate) fn new(
        url: String,
        credentials: Credentials,
        config: SessionConfig,
        requests: mpsc::UnboundedReceiver<Request<M>>,
        out: Sender<M>,
    ) -> Self {
        Driver {
            url,
            credentials,
            pending: Pending::new(config.command_timeout),
            repairs: Repairs::new(config.repair_gaps),
            config,
            requests,
            out,
            subs: Subscriptions::default(),
            outbox: Outbox::default(),
            deferred: Vec::new(),
            _channel: PhantomData,
        }
    }

    /// Serves `socket`, then each replacement, until the session closes or gives up.
    pub(crate) async fn run(mut self, socket: Socket) {
        let mut socket = socket;
        loop {
            let reason = match self.serve(socket).await {
                End::Closed => return self.close(None),
                End::Lost(reason) => reason,
            };
            self.disconnected(reason);
            let lost_at = Instant::now();
            let reconnect = Reconnect {
                url: &self.url,
                credentials: &self.credentials,
                config: &self.config,
                requests: &mut self.requests,
                deferred: &mut self.deferred,
            };
            let (next, attempts) = match reconnect.run().await {
                Ok(next) => next,
                Err(error) => return self.close(error),
            };
            let downtime = lost_at.elapsed();
            self.out.push(Event::Reconnected { attempts, downtime });
            self.resubscribe_all();
            self.run_deferred();
            socket = next;
        }
    }

    /// The session ends: pending commands fail, and the stream ends after `Closed`.
    fn close(&mut self, error: Option<WsError>) {
        self.fail_all(|_| WsError::Closed);
        self.out.push(Event::Closed { error });
        self.out.finish();
    }

    /// Reads and writes one connection until it ends.
    async fn serve(&mut self, socket: Socket) -> End {
        let (mut sink, mut stream) = socket.split();
        let mut timers = Timers::new(&self.config);
        loop {
            if let Err(reason) = self.flush(&mut sink).await {
                return End::Lost(reason);
            }
            // A command's reply may sit behind unread messages: while one is awaited, keep
            // reading past a full queue (it then holds what arrives during the round trip), or a
            // consumer that awaits a command before reading on would wait forever.
            let room = self.reading();
            timers.reading(room);
            let step = tokio::select! {
                biased;
                r = self.requests.recv() => Step::Request(r),
                _ = self.out.room(), if !room => Step::Room,
                f = stream.next(), if room => Step::Frame(f),
                tick = timers.tick(room) => Step::Timer(tick),
            };
            if let Some(end) = self.step(step, &mut sink, &mut stream, &mut timers).await {
                return end;
            }
        }
    }

    /// Whether to read the socket: the consumer has room, or a reply is awaited.
    fn reading(&self) -> bool {
        self.out.has_room() || !self.pending.is_empty()
    }

    /// Applies what woke the loop; `Some` when the connection ends.
    async fn step(
        &mut self,
        step: Step<M>,
        sink: &mut Sink,
        stream: &mut Stream,
        timers: &mut Timers,
    ) -> Option<End> {
        match step {
            Step::Request(None) => {
                let _ = sink.send(Message::Close(None)).await;
                Some(End::Closed)
            }
            Step::Request(Some(Request::Close { done })) => {
                self.send_close(sink).await;
                let _ = done.send(());
                Some(End::Closed)
            }
            Step::Request(Some(Request::Command { kind, reply })) => {
                self.command(kind, reply);
                None
            }
            Step::Room => {
                if let Some(blocked) = timers.unblocked() {
                    self.pending.extend_deadlines(blocked);
                }
                None
            }
            Step::Timer(tick) => self.timer(tick, timers),
            Step::Frame(frame) => {
                timers.read();
                self.received(frame).or_else(|| self.burst(stream))
            }
        }
    }

    /// The client's close frame, sent within the command timeout.
    async fn send_close(&mut self, sink: &mut Sink) {
        let close = Message::Close(Some(CloseFrame {
            code: CloseCode::Normal,
            reason: "client closed".into(),
        }));
        let _ = tokio::time::timeout(self.config.command_timeout, sink.send(close)).await;
    }

    fn timer(&mut self, tick: Tick, timers: &mut Timers) -> Option<End> {
        match tick {
            Tick::Idle => timers.idle_fired().map(End::Lost),
            Tick::Ping => {
                self.outbox.ping();
                None
            }
            Tick::Sweep if timers.blocked() => None,
            Tick::Sweep => self.sweep().map(End::Lost),
        }
    }

    /// What the stream gave: a message, or the end of the connection.
    fn received(&mut self, frame: Option<Result<Message, WireError>>) -> Option<End> {
        match frame {
            None => Some(End::Lost("the server closed the connection".into())),
            Some(Err(e)) => Some(End::Lost(e.to_string())),
            Some(Ok(message)) => self.message(message),
        }
    }

    /// Takes what the socket has already buffered before going round the select again: one pass
    /// of the loop per burst, not per frame.
    fn burst(&mut self, stream: &mut Stream) -> Option<End> {
        for _ in 0..BURST {
            if !self.reading() {
                break;
            }
            // `None`: nothing more is buffered.
            let frame = stream.next().now_or_never()?;
            if let Some(end) = self.received(frame) {
                return Some(end);
            }
        }
        None
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
                self.out.tap_frame(&raw);
                self.frame(text.as_str(), raw);
            }
            Message::Binary(bytes) => {
                let raw = Bytes::copy_from_slice(&bytes);
                self.out.tap_frame(&raw);
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

    async fn flush(&mut self, sink: &mut Sink) -> Result<(), String> {
        let messages = self.outbox.take();
        if messages.is_empty() {
            return Ok(());
        }
        let timeout = self.config.command_timeout;
        for message in messages {
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
                let error = e.to_string();
                return self.out.push(Event::Malformed { error, raw });
            }
        };
        let is_reply = M::is_reply(&env.kind);
        let decoded = match decoded {
            None if is_reply => M::decode(&env, &raw).ok(),
            decoded => decoded,
        };
        let reply = decoded.as_ref().filter(|_| is_reply).and_then(M::reply);
        let sub = env.sid.and_then(|sid| self.subs.sub_of(sid));
        if let (Some(sid), Some(seq)) = (env.sid, env.seq) {
            self.sequence(sid, seq, is_reply, sub);
        }
        if let Some(gid) = env.id.and_then(|id| self.pending.group_of(id)) {
            let answer = self.pending.reply(gid, reply.as_ref(), &env, &raw);
            if self.answered(answer) {
                return;
            }
        }
        if self.unsolicited(&env, reply.as_ref(), sub, &raw) {
            return;
        }
        self.deliver(env, decoded, sub, raw);
    }

    /// Judges a frame's `seq`, and repairs a gap or repeat.
    fn sequence(&mut self, sid: u64, seq: u64, is_reply: bool, sub: Option<SubscriptionId>) {
        let sequenced = self.repairs.sequence(sid, seq, is_reply, sub);
        if let Some(event) = sequenced.event {
            self.out.push(event);
        }
        if let Some(ask) = sequenced.repair {
            self.snapshots(ask, None);
        }
    }

    /// A reply outside any command: the server's own `error`, or its end of a subscription.
    /// Returns whether the frame is consumed.
    fn unsolicited(
        &mut self,
        env: &Envelope<'_>,
        reply: Option<&ControlReply<'_>>,
        sub: Option<SubscriptionId>,
        raw: &Bytes,
    ) -> bool {
        match reply {
            Some(ControlReply::Error { code, message }) => {
                self.out.push(Event::ServerError {
                    subscription: sub,
                    sid: env.sid,
                    code: *code,
                    message: message.to_string(),
                    raw: raw.clone(),
                });
                true
            }
            Some(ControlReply::Unsubscribed) => {
                // The server ended a subscription on its own.
                if let Some(sid) = env.sid {
                    self.forget_sid(sid);
                }
                false
            }
            _ => false,
        }
    }

    /// Delivers a frame's message, decoding it now when the fast path did not.
    fn deliver(
        &mut self,
        env: Envelope<'_>,
        decoded: Option<M>,
        sub: Option<SubscriptionId>,
        raw: Bytes,
    ) {
        let (sid, seq) = (env.sid, env.seq);
        let decoded = match decoded {
            Some(message) => Ok(message),
            None => M::decode(&env, &raw),
        };
        self.out.push(match decoded {
            Ok(message) => Event::Message(Received {
                subscription: sub,
                sid,
                seq,
                message,
                raw,
            }),
            Err(error) => Event::DecodeFailed {
                subscription: sub,
                kind: env.kind.to_string(),
                error,
                raw,
            },
        });
    }

    /// Applies what a reply means; returns whether it is consumed.
    fn answered(&mut self, answer: Answer<M>) -> bool {
        if let Some(change) = answer.markets {
            self.subs.markets_changed(change);
        }
        match answer.done {
            Some(Done::Completed(group)) => self.completed(group),
            Some(Done::Failed(group, error)) => self.failed(group, error),
            None => {}
        }
        answer.consumed
    }

    /// Runs the requests held while the connection was down or subscriptions were being
    /// restored, once every subscription is back.
    fn run_deferred(&mut self) {
        if self.pending.resubscribing() {
            return;
        }
        for request in std::mem::take(&mut self.deferred) {
            if let Request::Command { kind, reply } = request {
                self.command(kind, reply);
            }
        }
    }

    /// A request from a handle.
    fn command(&mut self, kind: KindOf<M>, reply: ReplyTx<M>) {
        if self.pending.resubscribing() && !matches!(kind, Kind::Markets(_)) {
            // Its `sid`s are not known yet: wait for the resubscription.
            self.deferred.push(Request::Command { kind, reply });
            return;
        }
        let sent = match kind {
            Kind::Markets(id) => {
                let markets = self.subs.markets(id).ok_or_else(|| not_live(id));
                let _ = reply.send(markets.map(Reply::Markets));
                return;
            }
            Kind::Snapshot { sub, tickers } => {
                self.snapshots(Ask::Markets { sub, tickers }, Some(reply));
                return;
            }
            Kind::Subscribe { channels, params } => self
                .send(ControlCommand::Subscribe(&params))
                .map_err(Err)
                .map(|(id, cmd)| {
                    let expected = channels.len();
                    (
                        Kind::Subscribe { channels, params },
                        cmd,
                        vec![id],
                        expected,
                    )
                }),
            Kind::Unsubscribe(sub) => self.unsubscribe(sub),
            Kind::Update {
                sub,
                action,
                tickers,
            } => self.update(sub, action, tickers),
            Kind::List => self
                .send(ControlCommand::List)
                .map_err(Err)
                .map(|(id, cmd)| (Kind::List, cmd, vec![id], 1)),
            Kind::Other { cmd, params } => {
                let id = self.outbox.command(cmd, params.as_deref());
                Ok((Kind::Other { cmd, params: None }, cmd, vec![id], 1))
            }
            Kind::Resubscribe(_) | Kind::Repair(_) => return,
        };
        match sent {
            Ok((kind, cmd, ids, expected)) => {
                self.pending.track(kind, cmd, Some(reply), ids, expected)
            }
            Err(result) => {
                let _ = reply.send(result);
            }
        }
    }

    /// Sends `unsubscribe` for every `sid` of `sub` (done at once when it has none).
    fn unsubscribe(&mut self, sub: SubscriptionId) -> Sent<M> {
        let sids = self.subs.sids(sub).ok_or_else(|| Err(not_live(sub)))?;
        if sids.is_empty() {
            self.subs.remove(sub);
            return Err(Ok(Reply::Done));
        }
        let (id, cmd) = self
            .send(ControlCommand::Unsubscribe { sids: &sids })
            .map_err(Err)?;
        Ok((Kind::Unsubscribe(sub), cmd, vec![id], sids.len()))
    }

    /// Sends the change of markets `action` to every `sid` of `sub`.
    fn update(
        &mut self,
        sub: SubscriptionId,
        action: MarketsAction,
        tickers: Vec<String>,
    ) -> Sent<M> {
        let sids = self.subs.sids(sub).ok_or_else(|| Err(not_live(sub)))?;
        if sids.is_empty() {
            return Err(Err(WsError::InvalidCommand(format!(
                "none of the channels of {sub} supports `{}`",
                M::action(action)
            ))));
        }
        let (ids, cmd) = self.send_updates(&sids, action, &tickers).map_err(Err)?;
        let expected = ids.len();
        let kind = Kind::Update {
            sub,
            action,
            tickers,
        };
        Ok((kind, cmd, ids, expected))
    }

    /// Asks for snapshots, as [`Repairs::plan`] decides, and sends them.
    fn snapshots(&mut self, ask: Ask, reply: Option<ReplyTx<M>>) {
        let plan: Result<Option<SnapshotPlan<M>>, WsError> = self.repairs.plan(ask, &self.subs);
        let plan = match plan {
            Ok(Some(plan)) => plan,
            Ok(None) => return,
            Err(error) => {
                if let Some(reply) = reply {
                    let _ = reply.send(Err(error));
                }
                return;
            }
        };
        let (ids, cmd) = match self.send_updates(&plan.sids, MarketsAction::Snapshot, &plan.tickers)
        {
            Ok(sent) => sent,
            Err(error) => {
                if let Some(reply) = reply {
                    let _ = reply.send(Err(error));
                }
                return;
            }
        };
        let expected = ids.len();
        self.pending.track(plan.kind, cmd, reply, ids, expected);
        if let Some(event) = plan.event {
            self.out.push(event);
        }
    }

    /// Queues the change of markets `action` of `tickers` on each of `sids` (at least one):
    /// their ids and the `cmd` they went out as.
    fn send_updates(
        &mut self,
        sids: &[u64],
        action: MarketsAction,
        tickers: &[String],
    ) -> Result<(Vec<u64>, &'static str), WsError> {
        let mut ids = Vec::with_capacity(sids.len());
        let mut cmd = "";
        for sid in sids {
            let update = ControlCommand::Update {
                sid: *sid,
                action,
                tickers,
            };
            let (id, sent_as) = self.send(update)?;
            ids.push(id);
            cmd = sent_as;
        }
        Ok((ids, cmd))
    }

    /// Queues a control command, written by the generated [`Control`]: its id and `cmd`.
    fn send(
        &mut self,
        command: ControlCommand<'_, M::Subscribe>,
    ) -> Result<(u64, &'static str), WsError> {
        let mut params = Vec::new();
        let written = M::write_command(&command, &mut params)
            .map_err(|e| WsError::InvalidCommand(format!("encoding a command: {e}")))?;
        let params = written.has_params.then_some(params.as_slice());
        Ok((self.outbox.command(written.cmd, params), written.cmd))
    }

    /// Ends groups past their deadline. Returns a reason to drop the connection when a
    /// resubscription timed out (the connection is not serving).
    fn sweep(&mut self) -> Option<String> {
        let mut lost = None;
        let timeout_ms = u64::try_from(self.config.command_timeout.as_millis()).unwrap_or(u64::MAX);
        for group in self.pending.expired(Instant::now()) {
            match group.kind {
                Kind::Resubscribe(id) => lost = Some(format!("{id} was not resubscribed in time")),
                Kind::Repair(sid) => self.repairs.repaired(sid),
                _ => {
                    let command = group.cmd;
                    group.answer(Err(WsError::CommandTimeout {
                        command,
                        timeout_ms,
                    }));
                }
            }
        }
        lost
    }

    /// The connection is gone: pending commands fail, `sid`s and sequence numbers are forgotten.
    fn disconnected(&mut self, reason: String) {
        self.outbox.clear();
        self.fail_all(|command| WsError::Interrupted { command });
        self.subs.disconnected();
        self.repairs.clear();
        self.out.push(Event::Disconnected { reason });
    }

    fn fail_all(&mut self, error: impl Fn(&'static str) -> WsError) {
        for group in self.pending.drain() {
            let command = group.cmd;
            group.answer(Err(error(command)));
        }
    }

    /// Every reply of a group arrived.
    fn completed(&mut self, mut group: Group<M>) {
        let sids = std::mem::take(&mut group.sids);
        let kind = std::mem::replace(&mut group.kind, Kind::List);
        let reply = match kind {
            Kind::Subscribe { channels, params } => {
                Reply::Subscribed(self.subs.add(channels, params, sids))
            }
            Kind::Resubscribe(id) => {
                self.subs.restore(id, sids.clone());
                let event = Event::Resubscribed {
                    subscription: id,
                    sids,
                };
                self.out.push(event);
                return self.run_deferred();
            }
            Kind::Unsubscribe(id) => {
                for sid in self.subs.remove(id) {
                    self.repairs.forget(sid);
                }
                // In the stream too, after the subscription's last message: whoever keeps state
                // from it (the order books) learns it ends there.
                self.out.push(Event::Unsubscribed { subscription: id });
                Reply::Done
            }
            Kind::Repair(sid) => return self.repairs.repaired(sid),
            Kind::Update {
                sub,
                action: MarketsAction::Delete,
                tickers,
            } => {
                self.out.push(Event::MarketsRemoved {
                    subscription: sub,
                    markets: tickers,
                });
                Reply::Done
            }
            _ => Reply::Done,
        };
        group.answer(Ok(reply));
    }

    /// A group ended in `error`.
    fn failed(&mut self, group: Group<M>, error: WsError) {
        match group.kind {
            Kind::Subscribe { .. } if !group.sids.is_empty() => {
                // Some channels were subscribed before another failed: undo them.
                let sids: Vec<u64> = group.sids.iter().map(|(_, sid)| *sid).collect();
                // Nobody waits for this one: if it cannot be written, the server keeps them
                // until the connection ends.
                let _ = self.send(ControlCommand::Unsubscribe { sids: &sids });
            }
            Kind::Resubscribe(id) => {
                self.subs.remove(id);
                self.out.push(Event::ResubscribeFailed {
                    subscription: id,
                    error,
                });
                return self.run_deferred();
            }
            Kind::Repair(sid) => return self.repairs.repaired(sid),
            _ => {}
        }
        group.answer(Err(error));
    }

    fn forget_sid(&mut self, sid: u64) {
        self.subs.forget_sid(sid);
        self.repairs.forget(sid);
    }

    /// Sends `subscribe` again for every subscription, with its current markets.
    fn resubscribe_all(&mut self) {
        for again in self.subs.resubscriptions() {
            crate::trace::debug!(subscription = again.id.get(), "websocket resubscribing");
            match self.send(ControlCommand::Subscribe(&again.params)) {
                Ok((id, cmd)) => {
                    let kind = Kind::Resubscribe(again.id);
                    self.pending
                        .track(kind, cmd, None, vec![id], again.channels);
                }
                Err(error) => {
                    self.subs.remove(again.id);
                    self.out.push(Event::ResubscribeFailed {
                        subscription: again.id,
                        error,
                    });
                }
            }
        }
    }
}

/// A command sent (what it is, its ids, the replies expected), or the answer it gets at once.
type Sent<M> = Result<(KindOf<M>, &'static str, Vec<u64>, usize), Result<Reply<M>, WsError>>;

fn not_live(id: SubscriptionId) -> WsError {
    WsError::InvalidCommand(format!("{id} is not live"))
}

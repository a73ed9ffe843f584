//! Commands awaiting their replies: what each command is for, the ids it went out under, its
//! deadline, and who waits for the answer. The connection task asks [`Pending::reply`] what a
//! frame with an `id` means, and applies the outcome.

use super::envelope;
use super::error::WsError;
use super::event::SubscriptionId;
use super::protocol::{Envelope, Incoming};
use bytes::Bytes;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::Instant;

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

/// What a command does: asked by a handle, or sent by the session itself (a resubscription, a
/// repair). The same value says what to send and, while it waits, what its replies mean.
#[derive(Debug)]
pub(crate) enum Kind {
    Subscribe {
        channels: Vec<String>,
        params: Map<String, Value>,
    },
    /// The session's own `subscribe` of a subscription after a reconnect.
    Resubscribe(SubscriptionId),
    Unsubscribe(SubscriptionId),
    /// `update_subscription` with `action` (`add_markets`, `delete_markets`) on every `sid` of a
    /// subscription.
    Update {
        sub: SubscriptionId,
        action: &'static str,
        tickers: Vec<String>,
    },
    /// Fresh snapshots of `tickers` (`get_snapshot`), asked by the user or the book keeper.
    Snapshot {
        sub: SubscriptionId,
        tickers: Vec<String>,
    },
    /// The session's own `get_snapshot` after a gap or repeat on `sid`.
    Repair(u64),
    List,
    /// A command given by the caller as it is (its `params` are taken when it is sent).
    Other {
        cmd: &'static str,
        params: Option<Vec<u8>>,
    },
    /// Read a subscription's current markets (sends nothing).
    Markets(SubscriptionId),
}

impl Kind {
    /// The `cmd` it is sent as.
    pub(crate) fn cmd(&self) -> &'static str {
        match self {
            Kind::Subscribe { .. } | Kind::Resubscribe(_) => "subscribe",
            Kind::Unsubscribe(_) => "unsubscribe",
            Kind::Update { .. } | Kind::Snapshot { .. } | Kind::Repair(_) => "update_subscription",
            Kind::List => "list_subscriptions",
            Kind::Other { cmd, .. } => cmd,
            Kind::Markets(_) => "markets",
        }
    }
}

/// A request from a handle.
pub(crate) enum Request<M> {
    Command { kind: Kind, reply: ReplyTx<M> },
    Close { done: oneshot::Sender<()> },
}

/// A command awaiting its replies. One group can span several commands (an update sent to each
/// `sid` of a subscription) and several replies to one command (a `subscribed` per channel).
#[derive(Debug)]
pub(crate) struct Group<M> {
    pub(crate) kind: Kind,
    reply: Option<ReplyTx<M>>,
    ids: Vec<u64>,
    /// Replies still expected.
    remaining: usize,
    /// Channel and `sid` of each `subscribed` so far.
    pub(crate) sids: Vec<(String, u64)>,
    deadline: Instant,
}

impl<M> Group<M> {
    /// Answers the caller, if one waits.
    pub(crate) fn answer(self, result: Result<Reply<M>, WsError>) {
        if let Some(tx) = self.reply {
            let _ = tx.send(result);
        }
    }
}

/// A subscription's markets changed: an `ok` to `add_markets` or `delete_markets` arrived.
#[derive(Debug)]
pub(crate) struct MarketsChanged {
    pub(crate) sub: SubscriptionId,
    pub(crate) action: &'static str,
    pub(crate) tickers: Vec<String>,
    /// The full list, when the reply carries it.
    pub(crate) listed: Option<Vec<String>>,
}

/// A group that is over.
#[derive(Debug)]
pub(crate) enum Done<M> {
    /// Every reply arrived.
    Completed(Group<M>),
    /// The server answered `error`.
    Failed(Group<M>, WsError),
}

/// What a frame answering a command means.
#[derive(Debug)]
pub(crate) struct Answer<M> {
    /// A protocol reply, consumed; `false`: data to deliver as well (a snapshot answering
    /// `get_snapshot`).
    pub(crate) consumed: bool,
    pub(crate) markets: Option<MarketsChanged>,
    pub(crate) done: Option<Done<M>>,
}

impl<M> Answer<M> {
    fn consumed(consumed: bool) -> Self {
        Answer {
            consumed,
            markets: None,
            done: None,
        }
    }
}

/// The commands awaiting replies, by group and by command `id`.
#[derive(Debug)]
pub(crate) struct Pending<M> {
    groups: HashMap<u64, Group<M>>,
    by_id: HashMap<u64, u64>,
    next_group: u64,
    timeout: Duration,
}

impl<M> Pending<M> {
    /// Nothing pending; each command gets `timeout` for its replies.
    pub(crate) fn new(timeout: Duration) -> Self {
        Pending {
            groups: HashMap::new(),
            by_id: HashMap::new(),
            next_group: 1,
            timeout,
        }
    }

    /// Waits for `expected` replies (at least one) to the commands sent under `ids`.
    pub(crate) fn track(
        &mut self,
        kind: Kind,
        reply: Option<ReplyTx<M>>,
        ids: Vec<u64>,
        expected: usize,
    ) {
        let gid = self.next_group;
        self.next_group += 1;
        for id in &ids {
            self.by_id.insert(*id, gid);
        }
        let group = Group {
            kind,
            reply,
            ids,
            remaining: expected.max(1),
            sids: Vec::new(),
            deadline: Instant::now() + self.timeout,
        };
        self.groups.insert(gid, group);
    }

    /// The group a command `id` belongs to.
    pub(crate) fn group_of(&self, id: u64) -> Option<u64> {
        self.by_id.get(&id).copied()
    }

    /// Whether no command awaits a reply.
    pub(crate) fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// Whether a resubscription is waiting for its replies.
    pub(crate) fn resubscribing(&self) -> bool {
        self.groups
            .values()
            .any(|g| matches!(g.kind, Kind::Resubscribe(_)))
    }

    /// Moves every deadline `by` later (time the replies could not be read).
    pub(crate) fn extend_deadlines(&mut self, by: Duration) {
        for group in self.groups.values_mut() {
            group.deadline += by;
        }
    }

    /// Takes the groups past their deadline.
    pub(crate) fn expired(&mut self, now: Instant) -> Vec<Group<M>> {
        let late: Vec<u64> = self
            .groups
            .iter()
            .filter(|(_, g)| g.deadline <= now)
            .map(|(gid, _)| *gid)
            .collect();
        late.into_iter().filter_map(|gid| self.take(gid)).collect()
    }

    /// Takes every group.
    pub(crate) fn drain(&mut self) -> Vec<Group<M>> {
        self.by_id.clear();
        self.groups.drain().map(|(_, g)| g).collect()
    }

    fn take(&mut self, gid: u64) -> Option<Group<M>> {
        let group = self.groups.remove(&gid)?;
        for id in &group.ids {
            self.by_id.remove(id);
        }
        Some(group)
    }

    /// One reply counted for group `gid`: the group is over at the last.
    fn progress(&mut self, gid: u64) -> Option<Done<M>> {
        let group = self.groups.get_mut(&gid)?;
        group.remaining = group.remaining.saturating_sub(1);
        if group.remaining > 0 {
            return None;
        }
        self.take(gid).map(Done::Completed)
    }
}

impl<M: Incoming> Pending<M> {
    /// A frame answering a command of group `gid`: what it means for the group.
    pub(crate) fn reply(&mut self, gid: u64, env: &Envelope<'_>, raw: &Bytes) -> Answer<M> {
        let kind = env.kind.as_ref();
        let is_reply = envelope::is_reply(kind);
        if kind == "error" {
            let (code, message) = error_fields(env);
            let done = self.take(gid).map(|group| {
                let command = group.kind.cmd();
                Done::Failed(
                    group,
                    WsError::Server {
                        command,
                        code,
                        message,
                    },
                )
            });
            return Answer {
                consumed: true,
                markets: None,
                done,
            };
        }
        let Some(group) = self.groups.get_mut(&gid) else {
            return Answer::consumed(false);
        };
        let mut markets = None;
        match &group.kind {
            Kind::Subscribe { .. } | Kind::Resubscribe(_) => {
                if kind != "subscribed" {
                    return Answer::consumed(is_reply);
                }
                if let (Some(channel), Some(sid)) = subscribed_fields(env) {
                    group.sids.push((channel, sid));
                }
            }
            Kind::Unsubscribe(_) if kind != "unsubscribed" => return Answer::consumed(is_reply),
            Kind::Update { .. } | Kind::List if kind != "ok" => return Answer::consumed(is_reply),
            Kind::Update {
                sub,
                action,
                tickers,
            } => {
                markets = Some(MarketsChanged {
                    sub: *sub,
                    action,
                    tickers: tickers.clone(),
                    listed: listed_tickers(env),
                });
            }
            Kind::List => {
                let listed = listed_subscriptions(env);
                if let Some(group) = self.take(gid) {
                    group.answer(Ok(Reply::Listed(listed)));
                }
                return Answer::consumed(true);
            }
            Kind::Other { .. } => {
                self.answer_other(gid, env, raw);
                return Answer::consumed(is_reply);
            }
            // Answered by the snapshots themselves (carrying the command's id), or an `ok`.
            Kind::Snapshot { .. } | Kind::Repair(_) => {}
            Kind::Unsubscribe(_) | Kind::Markets(_) => {}
        }
        Answer {
            consumed: is_reply,
            markets,
            done: self.progress(gid),
        }
    }

    /// A command given as it is gets its first reply, decoded.
    fn answer_other(&mut self, gid: u64, env: &Envelope<'_>, raw: &Bytes) {
        let decoded = M::decode(env, raw);
        if let Some(group) = self.take(gid) {
            let command = group.kind.cmd();
            group.answer(
                decoded
                    .map(Reply::Message)
                    .map_err(|e| WsError::UnexpectedReply {
                        command,
                        detail: e.to_string(),
                    }),
            );
        }
    }
}

/// `code` and `msg` of an `error` frame's `msg`.
pub(crate) fn error_fields(env: &Envelope<'_>) -> (i64, String) {
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

/// Channel and `sid` of each entry of a `list_subscriptions` reply.
fn listed_subscriptions(env: &Envelope<'_>) -> Vec<(String, u64)> {
    env.msg
        .and_then(|m| serde_json::from_str::<Vec<Value>>(m).ok())
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| {
            Some((
                v.get("channel")?.as_str()?.to_string(),
                v.get("sid")?.as_u64()?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::ServerMessage;
    use std::borrow::Cow;

    fn env(kind: &'static str, msg: Option<&'static str>) -> Envelope<'static> {
        Envelope {
            kind: Cow::Borrowed(kind),
            id: Some(1),
            msg,
            ..Envelope::default()
        }
    }

    fn pending() -> Pending<ServerMessage> {
        Pending::new(Duration::from_secs(10))
    }

    #[test]
    fn a_subscribe_completes_after_one_subscribed_per_channel() {
        let mut p = pending();
        let kind = Kind::Subscribe {
            channels: vec!["ticker".into(), "trade".into()],
            params: Map::new(),
        };
        p.track(kind, None, vec![7], 2);
        let gid = p.group_of(7).unwrap();
        let raw = Bytes::new();
        let first = env("subscribed", Some(r#"{"channel":"ticker","sid":1}"#));
        let answer = p.reply(gid, &first, &raw);
        assert!(answer.consumed && answer.done.is_none());
        let second = env("subscribed", Some(r#"{"channel":"trade","sid":2}"#));
        let Some(Done::Completed(group)) = p.reply(gid, &second, &raw).done else {
            panic!("not completed");
        };
        assert_eq!(group.sids, [("ticker".into(), 1), ("trade".into(), 2)]);
        assert!(p.is_empty() && p.group_of(7).is_none());
    }

    #[test]
    fn an_error_fails_the_group_with_the_servers_code() {
        let mut p = pending();
        p.track(Kind::List, None, vec![3], 1);
        let gid = p.group_of(3).unwrap();
        let error = env("error", Some(r#"{"code":8,"msg":"Unknown channel name"}"#));
        let answer = p.reply(gid, &error, &Bytes::new());
        let Some(Done::Failed(_, WsError::Server { command, code, .. })) = answer.done else {
            panic!("not failed");
        };
        assert_eq!((command, code), ("list_subscriptions", 8));
    }

    #[test]
    fn an_ok_to_add_markets_changes_the_markets_and_a_snapshot_is_delivered_too() {
        let mut p = pending();
        let sub = SubscriptionId(1);
        let kind = Kind::Update {
            sub,
            action: "add_markets",
            tickers: vec!["B".into()],
        };
        p.track(kind, None, vec![4], 1);
        let ok = env("ok", Some(r#"{"market_tickers":["A","B"]}"#));
        let answer = p.reply(p.group_of(4).unwrap(), &ok, &Bytes::new());
        let changed = answer.markets.expect("markets changed");
        assert_eq!(changed.listed, Some(vec!["A".into(), "B".into()]));
        assert!(matches!(answer.done, Some(Done::Completed(_))));

        p.track(Kind::Repair(9), None, vec![5], 1);
        let snapshot = env("orderbook_snapshot", Some("{}"));
        let answer = p.reply(p.group_of(5).unwrap(), &snapshot, &Bytes::new());
        assert!(!answer.consumed && matches!(answer.done, Some(Done::Completed(_))));
    }

    #[test]
    fn late_groups_expire_and_blocked_time_moves_deadlines() {
        let mut p = pending();
        p.track(Kind::List, None, vec![1], 1);
        let now = Instant::now();
        assert!(p.expired(now).is_empty());
        assert_eq!(p.expired(now + Duration::from_secs(11)).len(), 1);
        p.track(Kind::Resubscribe(SubscriptionId(1)), None, vec![2], 1);
        assert!(p.resubscribing());
        p.extend_deadlines(Duration::from_secs(60));
        assert!(p.expired(now + Duration::from_secs(11)).is_empty());
        assert_eq!(p.drain().len(), 1);
        assert!(!p.resubscribing());
    }
}

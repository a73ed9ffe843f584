//! Commands awaiting their replies: what each command is for, the ids it went out under, its
//! deadline, and who waits for the answer. The connection task asks [`Pending::reply`] what a
//! frame with an `id` means, and applies the outcome.

use super::control::{Control, ControlReply, MarketsAction};
use super::error::WsError;
use super::event::SubscriptionId;
use super::protocol::Envelope;
use bytes::Bytes;
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
/// repair). The same value says what to send and, while it waits, what its replies mean. `S` is
/// the generated subscribe command.
#[derive(Debug)]
pub(crate) enum Kind<S> {
    Subscribe {
        channels: Vec<String>,
        params: S,
    },
    /// The session's own `subscribe` of a subscription after a reconnect.
    Resubscribe(SubscriptionId),
    Unsubscribe(SubscriptionId),
    /// A change of markets on every `sid` of a subscription.
    Update {
        sub: SubscriptionId,
        action: MarketsAction,
        tickers: Vec<String>,
    },
    /// Fresh snapshots of `tickers`, asked by the user or the book keeper.
    Snapshot {
        sub: SubscriptionId,
        tickers: Vec<String>,
    },
    /// The session's own request for snapshots after a gap or repeat on `sid`.
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

/// The kind of command of a session over messages `M`.
pub(crate) type KindOf<M> = Kind<<M as Control>::Subscribe>;

/// A request from a handle.
pub(crate) enum Request<M: Control> {
    Command { kind: KindOf<M>, reply: ReplyTx<M> },
    Close { done: oneshot::Sender<()> },
}

/// A command awaiting its replies. One group can span several commands (an update sent to each
/// `sid` of a subscription) and several replies to one command (a `subscribed` per channel).
#[derive(Debug)]
pub(crate) struct Group<M: Control> {
    pub(crate) kind: KindOf<M>,
    /// The `cmd` it went out as, for errors.
    pub(crate) cmd: &'static str,
    reply: Option<ReplyTx<M>>,
    ids: Vec<u64>,
    /// Replies still expected.
    remaining: usize,
    /// Channel and `sid` of each `subscribed` so far.
    pub(crate) sids: Vec<(String, u64)>,
    deadline: Instant,
}

impl<M: Control> Group<M> {
    /// Answers the caller, if one waits.
    pub(crate) fn answer(self, result: Result<Reply<M>, WsError>) {
        if let Some(tx) = self.reply {
            let _ = tx.send(result);
        }
    }
}

/// A subscription's markets changed: a reply to adding or removing markets arrived.
#[derive(Debug)]
pub(crate) struct MarketsChanged {
    pub(crate) sub: SubscriptionId,
    pub(crate) action: MarketsAction,
    pub(crate) tickers: Vec<String>,
    /// The full list, when the reply carries it.
    pub(crate) listed: Option<Vec<String>>,
}

/// A group that is over.
#[derive(Debug)]
pub(crate) enum Done<M: Control> {
    /// Every reply arrived.
    Completed(Group<M>),
    /// The server answered `error`.
    Failed(Group<M>, WsError),
}

/// What a frame answering a command means.
#[derive(Debug)]
pub(crate) struct Answer<M: Control> {
    /// A protocol reply, consumed; `false`: data to deliver as well (a snapshot answering
    /// `get_snapshot`).
    pub(crate) consumed: bool,
    pub(crate) markets: Option<MarketsChanged>,
    pub(crate) done: Option<Done<M>>,
}

impl<M: Control> Answer<M> {
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
pub(crate) struct Pending<M: Control> {
    groups: HashMap<u64, Group<M>>,
    by_id: HashMap<u64, u64>,
    next_group: u64,
    timeout: Duration,
}

impl<M: Control> Pending<M> {
    /// Nothing pending; each command gets `timeout` for its replies.
    pub(crate) fn new(timeout: Duration) -> Self {
        Pending {
            groups: HashMap::new(),
            by_id: HashMap::new(),
            next_group: 1,
            timeout,
        }
    }

    /// Waits for `expected` replies (at least one) to the commands sent as `cmd` under `ids`.
    pub(crate) fn track(
        &mut self,
        kind: KindOf<M>,
        cmd: &'static str,
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
            cmd,
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

impl<M: Control> Pending<M> {
    /// A frame answering a command of group `gid`, read as `reply` when it is a reply: what it
    /// means for the group.
    pub(crate) fn reply(
        &mut self,
        gid: u64,
        reply: Option<&ControlReply<'_>>,
        env: &Envelope<'_>,
        raw: &Bytes,
    ) -> Answer<M> {
        let is_reply = reply.is_some();
        if let Some(ControlReply::Error { code, message }) = reply {
            let done = self.take(gid).map(|group| {
                let error = WsError::Server {
                    command: group.cmd,
                    code: *code,
                    message: message.to_string(),
                };
                Done::Failed(group, error)
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
        match (&group.kind, reply) {
            (
                Kind::Subscribe { .. } | Kind::Resubscribe(_),
                Some(ControlReply::Subscribed { channel, sid }),
            ) => {
                if let Some(sid) = sid.or(env.sid) {
                    group.sids.push((channel.to_string(), sid));
                }
            }
            (Kind::Unsubscribe(_), Some(ControlReply::Unsubscribed)) => {}
            (
                Kind::Update {
                    sub,
                    action,
                    tickers,
                },
                Some(ControlReply::Updated { markets: listed }),
            ) => {
                markets = Some(MarketsChanged {
                    sub: *sub,
                    action: *action,
                    tickers: tickers.clone(),
                    listed: listed.map(<[String]>::to_vec),
                });
            }
            (Kind::List, Some(reply)) => {
                self.answer_list(gid, reply);
                return Answer::consumed(true);
            }
            (Kind::Other { .. }, _) => {
                self.answer_other(gid, env, raw);
                return Answer::consumed(is_reply);
            }
            // Answered by the snapshots themselves (carrying the command's id), or a reply.
            (Kind::Snapshot { .. } | Kind::Repair(_) | Kind::Markets(_), _) => {}
            // A reply of another kind, or data carrying the command's id.
            _ => return Answer::consumed(is_reply),
        }
        Answer {
            consumed: is_reply,
            markets,
            done: self.progress(gid),
        }
    }

    /// `list_subscriptions` gets its answer: the list, or an error for a reply of another kind.
    fn answer_list(&mut self, gid: u64, reply: &ControlReply<'_>) {
        let Some(group) = self.take(gid) else {
            return;
        };
        let result = match reply {
            ControlReply::Listed(list) => Ok(Reply::Listed(
                list.iter().map(|(c, sid)| (c.to_string(), *sid)).collect(),
            )),
            other => Err(WsError::UnexpectedReply {
                command: group.cmd,
                detail: format!("{other:?}"),
            }),
        };
        group.answer(result);
    }

    /// A command given as it is gets its first reply, decoded.
    fn answer_other(&mut self, gid: u64, env: &Envelope<'_>, raw: &Bytes) {
        let decoded = M::decode(env, raw);
        if let Some(group) = self.take(gid) {
            let command = group.cmd;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::{ServerMessage, Subscribe};
    use std::borrow::Cow;

    fn env(kind: &'static str) -> Envelope<'static> {
        Envelope {
            kind: Cow::Borrowed(kind),
            id: Some(1),
            ..Envelope::default()
        }
    }

    fn pending() -> Pending<ServerMessage> {
        Pending::new(Duration::from_secs(10))
    }

    fn subscribed(channel: &str, sid: u64) -> ControlReply<'_> {
        ControlReply::Subscribed {
            channel,
            sid: Some(sid),
        }
    }

    #[test]
    fn a_subscribe_completes_after_one_subscribed_per_channel() {
        let mut p = pending();
        let kind = Kind::Subscribe {
            channels: vec!["ticker".into(), "trade".into()],
            params: Subscribe::new(vec!["ticker".into(), "trade".into()]),
        };
        p.track(kind, "subscribe", None, vec![7], 2);
        let gid = p.group_of(7).unwrap();
        let (raw, env) = (Bytes::new(), env("subscribed"));
        let answer = p.reply(gid, Some(&subscribed("ticker", 1)), &env, &raw);
        assert!(answer.consumed && answer.done.is_none());
        let second = p.reply(gid, Some(&subscribed("trade", 2)), &env, &raw);
        let Some(Done::Completed(group)) = second.done else {
            panic!("not completed");
        };
        assert_eq!(group.sids, [("ticker".into(), 1), ("trade".into(), 2)]);
        assert!(p.is_empty() && p.group_of(7).is_none());
    }

    #[test]
    fn an_error_fails_the_group_with_the_servers_code() {
        let mut p = pending();
        p.track(Kind::List, "list_subscriptions", None, vec![3], 1);
        let gid = p.group_of(3).unwrap();
        let error = ControlReply::Error {
            code: 8,
            message: "Unknown channel name",
        };
        let answer = p.reply(gid, Some(&error), &env("error"), &Bytes::new());
        let Some(Done::Failed(_, WsError::Server { command, code, .. })) = answer.done else {
            panic!("not failed");
        };
        assert_eq!((command, code), ("list_subscriptions", 8));
    }

    #[test]
    fn a_list_gets_the_list_or_an_error_for_another_reply() {
        let mut p = pending();
        let (tx, mut rx) = oneshot::channel();
        p.track(Kind::List, "list_subscriptions", Some(tx), vec![1], 1);
        let listed = ControlReply::Listed(vec![("ticker", 4)]);
        let answer = p.reply(
            p.group_of(1).unwrap(),
            Some(&listed),
            &env("ok"),
            &Bytes::new(),
        );
        assert!(answer.consumed && p.is_empty());
        let Ok(Ok(Reply::Listed(list))) = rx.try_recv() else {
            panic!("no list");
        };
        assert_eq!(list, [("ticker".to_string(), 4)]);

        let (tx, mut rx) = oneshot::channel();
        p.track(Kind::List, "list_subscriptions", Some(tx), vec![2], 1);
        let other = ControlReply::Updated { markets: None };
        p.reply(
            p.group_of(2).unwrap(),
            Some(&other),
            &env("ok"),
            &Bytes::new(),
        );
        assert!(matches!(
            rx.try_recv(),
            Ok(Err(WsError::UnexpectedReply { .. }))
        ));
    }

    #[test]
    fn an_update_changes_the_markets_and_a_snapshot_is_delivered_too() {
        let mut p = pending();
        let sub = SubscriptionId(1);
        let kind = Kind::Update {
            sub,
            action: MarketsAction::Add,
            tickers: vec!["B".into()],
        };
        p.track(kind, "update_subscription", None, vec![4], 1);
        let all = ["A".to_string(), "B".to_string()];
        let ok = ControlReply::Updated {
            markets: Some(&all),
        };
        let answer = p.reply(p.group_of(4).unwrap(), Some(&ok), &env("ok"), &Bytes::new());
        let changed = answer.markets.expect("markets changed");
        assert_eq!(changed.listed, Some(all.to_vec()));
        assert!(matches!(answer.done, Some(Done::Completed(_))));

        p.track(Kind::Repair(9), "update_subscription", None, vec![5], 1);
        let snapshot = env("orderbook_snapshot");
        let answer = p.reply(p.group_of(5).unwrap(), None, &snapshot, &Bytes::new());
        assert!(!answer.consumed && matches!(answer.done, Some(Done::Completed(_))));
    }

    #[test]
    fn late_groups_expire_and_blocked_time_moves_deadlines() {
        let mut p = pending();
        p.track(Kind::List, "list_subscriptions", None, vec![1], 1);
        let now = Instant::now();
        assert!(p.expired(now).is_empty());
        assert_eq!(p.expired(now + Duration::from_secs(11)).len(), 1);
        let again = Kind::Resubscribe(SubscriptionId(1));
        p.track(again, "subscribe", None, vec![2], 1);
        assert!(p.resubscribing());
        p.extend_deadlines(Duration::from_secs(60));
        assert!(p.expired(now + Duration::from_secs(11)).is_empty());
        assert_eq!(p.drain().len(), 1);
        assert!(!p.resubscribing());
    }
}

//! Sequencing and repair: judges each `seq`, and is the one place that decides to send a
//! `get_snapshot`, whoever asks (the session after a gap or repeat, the user, the book keeper).

use super::control::{Control, MarketsAction};
use super::error::WsError;
use super::event::{Event, SubscriptionId};
use super::hash::KeyHash;
use super::pending::{Kind, KindOf};
use super::protocol::ChannelKind;
use super::sequence::{Check, Sequences};
use super::subscriptions::Subscriptions;
use std::collections::HashSet;

/// Who asks for snapshots.
#[derive(Debug)]
pub(crate) enum Ask {
    /// The session, after a gap or repeat on `sid`: every market of its subscription.
    Gap(u64),
    /// A handle (the user or the book keeper): `tickers` on each channel of `sub` that has
    /// snapshots.
    Markets {
        sub: SubscriptionId,
        tickers: Vec<String>,
    },
}

/// What to send: one request for snapshots of `tickers` per `sid`, tracked as `kind`.
#[derive(Debug)]
pub(crate) struct SnapshotPlan<M: Control> {
    pub(crate) sids: Vec<u64>,
    pub(crate) tickers: Vec<String>,
    pub(crate) kind: KindOf<M>,
    /// What to tell the user, if anything.
    pub(crate) event: Option<Event<M>>,
}

/// What a data message's `seq` says.
#[derive(Debug)]
pub(crate) struct Sequenced<M> {
    /// A gap or repeat to report.
    pub(crate) event: Option<Event<M>>,
    /// Snapshots to ask for, because of it.
    pub(crate) repair: Option<Ask>,
}

/// The sequence numbers of one connection and the repairs under way.
#[derive(Debug)]
pub(crate) struct Repairs {
    /// Whether a gap or repeat asks for snapshots.
    enabled: bool,
    seqs: Sequences,
    /// `sid`s whose repair awaits its replies: a second gap meanwhile asks nothing more.
    repairing: HashSet<u64, KeyHash>,
}

impl Repairs {
    /// Repairs gaps when `enabled`.
    pub(crate) fn new(enabled: bool) -> Self {
        Repairs {
            enabled,
            seqs: Sequences::default(),
            repairing: HashSet::default(),
        }
    }

    /// Judges `seq` of `sid`: a reply's number is only noted (it may repeat the current one); a
    /// data message's gap or repeat is reported and repaired.
    pub(crate) fn sequence<M>(
        &mut self,
        sid: u64,
        seq: u64,
        is_reply: bool,
        subscription: Option<SubscriptionId>,
    ) -> Sequenced<M> {
        if is_reply {
            self.seqs.observe(sid, seq);
            return Sequenced {
                event: None,
                repair: None,
            };
        }
        let event = match self.seqs.check(sid, seq) {
            Check::InOrder => None,
            Check::Gap { expected, received } => Some(Event::SequenceGap {
                subscription,
                sid,
                expected,
                received,
            }),
            Check::Repeat { last, received } => Some(Event::SequenceRepeat {
                subscription,
                sid,
                last,
                received,
            }),
        };
        let repair = event.is_some().then_some(Ask::Gap(sid));
        Sequenced { event, repair }
    }

    /// Decides what `get_snapshot`s to send for `ask`: `Ok(None)` when nothing is to be sent,
    /// an error when a handle asked for what cannot be done.
    pub(crate) fn plan<M, C>(
        &mut self,
        ask: Ask,
        subs: &Subscriptions<C, M::Subscribe>,
    ) -> Result<Option<SnapshotPlan<M>>, WsError>
    where
        M: Control,
        C: ChannelKind + for<'a> From<&'a str>,
    {
        let action = M::action(MarketsAction::Snapshot);
        match ask {
            Ask::Gap(sid) => Ok(self.plan_repair(sid, subs, action)),
            Ask::Markets { sub, tickers } => {
                let Some(sids) = subs.sids_supporting(sub, action) else {
                    return Err(WsError::InvalidCommand(format!("{sub} is not live")));
                };
                if sids.is_empty() {
                    return Err(WsError::InvalidCommand(format!(
                        "none of the channels of {sub} supports `{action}`"
                    )));
                }
                let kind = Kind::Snapshot {
                    sub,
                    tickers: tickers.clone(),
                };
                let event = None;
                Ok(Some(SnapshotPlan {
                    sids,
                    tickers,
                    kind,
                    event,
                }))
            }
        }
    }

    /// After a gap or repeat on `sid`: fresh snapshots of its markets, where the channel has
    /// them, unless a repair of `sid` is under way.
    fn plan_repair<M, C>(
        &mut self,
        sid: u64,
        subs: &Subscriptions<C, M::Subscribe>,
        action: &str,
    ) -> Option<SnapshotPlan<M>>
    where
        M: Control,
        C: ChannelKind + for<'a> From<&'a str>,
    {
        if !self.enabled || self.repairing.contains(&sid) {
            return None;
        }
        let sub = subs.sub_supporting(sid, action)?;
        let markets = subs.markets(sub).filter(|m| !m.is_empty())?;
        self.repairing.insert(sid);
        let event = Event::SnapshotRequested {
            subscription: sub,
            markets: markets.clone(),
        };
        Some(SnapshotPlan {
            sids: vec![sid],
            tickers: markets,
            kind: Kind::Repair(sid),
            event: Some(event),
        })
    }

    /// A repair of `sid` is over (answered, failed or timed out).
    pub(crate) fn repaired(&mut self, sid: u64) {
        self.repairing.remove(&sid);
    }

    /// Forgets a `sid` (unsubscribed).
    pub(crate) fn forget(&mut self, sid: u64) {
        self.seqs.forget(sid);
        self.repairing.remove(&sid);
    }

    /// Forgets every `sid` (a new connection numbers afresh).
    pub(crate) fn clear(&mut self) {
        self.seqs.clear();
        self.repairing.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::{Channel, ServerMessage, Subscribe};

    fn subs() -> (Subscriptions<Channel, Subscribe>, SubscriptionId) {
        let mut subs = Subscriptions::default();
        let channels = vec!["orderbook_delta".into(), "fill".into()];
        let params = Subscribe::new(channels).market_tickers(vec!["A".into(), "B".into()]);
        let sids = vec![("orderbook_delta".into(), 1), ("fill".into(), 2)];
        let id = subs.add(vec!["orderbook_delta".into(), "fill".into()], params, sids);
        (subs, id)
    }

    type Plan = Result<Option<SnapshotPlan<ServerMessage>>, WsError>;

    #[test]
    fn a_gap_is_reported_and_repaired_once_until_its_repair_is_over() {
        let (subs, id) = subs();
        let mut r = Repairs::new(true);
        let first: Sequenced<ServerMessage> = r.sequence(1, 1, false, Some(id));
        assert!(first.event.is_none() && first.repair.is_none());
        let gap: Sequenced<ServerMessage> = r.sequence(1, 3, false, Some(id));
        assert!(matches!(
            gap.event,
            Some(Event::SequenceGap { expected: 2, .. })
        ));
        let plan: Plan = r.plan(gap.repair.unwrap(), &subs);
        let plan = plan.unwrap().unwrap();
        assert_eq!(
            (plan.sids, plan.tickers),
            (vec![1], vec!["A".into(), "B".into()])
        );
        assert!(matches!(plan.event, Some(Event::SnapshotRequested { .. })));
        let again: Plan = r.plan(Ask::Gap(1), &subs);
        assert!(again.unwrap().is_none(), "a repair is under way");
        r.repaired(1);
        let after: Plan = r.plan(Ask::Gap(1), &subs);
        assert!(after.unwrap().is_some());
    }

    #[test]
    fn channels_without_snapshots_and_disabled_repair_ask_nothing() {
        let (subs, id) = subs();
        let none: Plan = Repairs::new(true).plan(Ask::Gap(2), &subs);
        assert!(none.unwrap().is_none(), "fill has no snapshots");
        let off: Plan = Repairs::new(false).plan(Ask::Gap(1), &subs);
        assert!(off.unwrap().is_none());
        let reply: Sequenced<ServerMessage> = Repairs::new(true).sequence(1, 9, true, Some(id));
        assert!(reply.event.is_none());
    }

    #[test]
    fn a_handle_asks_on_each_channel_with_snapshots_or_is_told_why_not() {
        let (subs, id) = subs();
        let mut r = Repairs::new(false);
        let ask = |tickers: &[&str]| Ask::Markets {
            sub: id,
            tickers: tickers.iter().map(|t| t.to_string()).collect(),
        };
        let plan: Plan = r.plan(ask(&["B"]), &subs);
        let plan = plan.unwrap().unwrap();
        assert_eq!((plan.sids, plan.tickers), (vec![1], vec!["B".into()]));
        assert!(plan.event.is_none());
        let gone: Plan = r.plan(
            Ask::Markets {
                sub: SubscriptionId(9),
                tickers: vec![],
            },
            &subs,
        );
        assert!(matches!(gone, Err(WsError::InvalidCommand(_))));
    }
}

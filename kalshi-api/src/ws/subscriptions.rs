//! The subscription registry: each subscription's channels and current markets, which survive
//! reconnects, and the `sid`s the current connection gave them, which do not.

use super::control::{MarketsAction, SubscribeParams};
use super::event::SubscriptionId;
use super::hash::KeyHash;
use super::pending::MarketsChanged;
use super::protocol::ChannelKind;
use std::collections::{BTreeMap, HashMap};

/// A live subscription.
#[derive(Debug)]
struct Sub<S> {
    channels: Vec<String>,
    /// The subscribe command as sent, markets kept current.
    params: S,
    /// Channel and `sid` on the current connection (empty while disconnected).
    sids: Vec<(String, u64)>,
}

/// What a `sid` belongs to.
#[derive(Debug)]
struct SidInfo<C> {
    sub: SubscriptionId,
    channel: C,
}

/// A subscription to send again on a new connection.
#[derive(Debug)]
pub(crate) struct Resubscription<S> {
    pub(crate) id: SubscriptionId,
    /// How many `subscribed` replies to expect.
    pub(crate) channels: usize,
    pub(crate) params: S,
}

/// Every subscription of a session, by its own id and by the `sid`s of the connection.
#[derive(Debug)]
pub(crate) struct Subscriptions<C, S> {
    subs: BTreeMap<SubscriptionId, Sub<S>>,
    by_sid: HashMap<u64, SidInfo<C>, KeyHash>,
    next: u64,
}

impl<C, S> Default for Subscriptions<C, S> {
    fn default() -> Self {
        Subscriptions {
            subs: BTreeMap::new(),
            by_sid: HashMap::default(),
            next: 1,
        }
    }
}

impl<C, S> Subscriptions<C, S>
where
    C: ChannelKind + for<'a> From<&'a str>,
    S: SubscribeParams,
{
    /// Registers a new subscription whose channels got `sids`.
    pub(crate) fn add(
        &mut self,
        channels: Vec<String>,
        params: S,
        sids: Vec<(String, u64)>,
    ) -> SubscriptionId {
        let id = SubscriptionId(self.next);
        self.next += 1;
        self.index(id, &sids);
        let sub = Sub {
            channels,
            params,
            sids,
        };
        self.subs.insert(id, sub);
        id
    }

    /// A resubscribed subscription's new `sid`s.
    pub(crate) fn restore(&mut self, id: SubscriptionId, sids: Vec<(String, u64)>) {
        self.index(id, &sids);
        if let Some(sub) = self.subs.get_mut(&id) {
            sub.sids = sids;
        }
    }

    fn index(&mut self, id: SubscriptionId, sids: &[(String, u64)]) {
        for (channel, sid) in sids {
            let channel = C::from(channel.as_str());
            self.by_sid.insert(*sid, SidInfo { sub: id, channel });
        }
    }

    /// Ends a subscription; returns the `sid`s it had (forgotten here).
    pub(crate) fn remove(&mut self, id: SubscriptionId) -> Vec<u64> {
        let sids: Vec<u64> = self
            .subs
            .remove(&id)
            .map(|sub| sub.sids.into_iter().map(|(_, sid)| sid).collect())
            .unwrap_or_default();
        for sid in &sids {
            self.by_sid.remove(sid);
        }
        sids
    }

    /// Forgets a `sid` the server ended on its own.
    pub(crate) fn forget_sid(&mut self, sid: u64) {
        self.by_sid.remove(&sid);
    }

    /// The subscription a `sid` of this connection belongs to.
    pub(crate) fn sub_of(&self, sid: u64) -> Option<SubscriptionId> {
        self.by_sid.get(&sid).map(|s| s.sub)
    }

    /// The subscription of a `sid` whose channel supports `action`.
    pub(crate) fn sub_supporting(&self, sid: u64, action: &str) -> Option<SubscriptionId> {
        let info = self.by_sid.get(&sid)?;
        info.channel.supports(action).then_some(info.sub)
    }

    /// The current markets of a live subscription.
    pub(crate) fn markets(&self, id: SubscriptionId) -> Option<Vec<String>> {
        self.subs.get(&id).map(|s| s.params.markets())
    }

    /// The `sid`s of a live subscription.
    pub(crate) fn sids(&self, id: SubscriptionId) -> Option<Vec<u64>> {
        let sub = self.subs.get(&id)?;
        Some(sub.sids.iter().map(|(_, sid)| *sid).collect())
    }

    /// The `sid`s of a live subscription whose channel supports `action`.
    pub(crate) fn sids_supporting(&self, id: SubscriptionId, action: &str) -> Option<Vec<u64>> {
        let sub = self.subs.get(&id)?;
        let supports = |channel: &str| C::from(channel).supports(action);
        let sids = sub.sids.iter().filter(|(channel, _)| supports(channel));
        Some(sids.map(|(_, sid)| *sid).collect())
    }

    /// Applies the reply to adding or removing markets: the list the reply carries, or the change
    /// asked for.
    pub(crate) fn markets_changed(&mut self, change: MarketsChanged) {
        let Some(sub) = self.subs.get_mut(&change.sub) else {
            return;
        };
        let all = match change.listed {
            Some(all) => all,
            None => {
                let mut all = sub.params.markets();
                if change.action == MarketsAction::Add {
                    for t in change.tickers {
                        if !all.contains(&t) {
                            all.push(t);
                        }
                    }
                } else {
                    all.retain(|t| !change.tickers.contains(t));
                }
                all
            }
        };
        sub.params.set_markets(all);
    }

    /// The connection is gone: every `sid` with it.
    pub(crate) fn disconnected(&mut self) {
        self.by_sid.clear();
        for sub in self.subs.values_mut() {
            sub.sids.clear();
        }
    }

    /// Every subscription, to send again with its current markets.
    pub(crate) fn resubscriptions(&self) -> Vec<Resubscription<S>> {
        let each = self.subs.iter().map(|(id, s)| Resubscription {
            id: *id,
            channels: s.channels.len(),
            params: s.params.clone(),
        });
        each.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ws::{Channel, Subscribe};

    fn params(markets: &[&str]) -> Subscribe {
        let channels = vec!["orderbook_delta".into(), "fill".into()];
        Subscribe::new(channels).market_tickers(markets.iter().map(|m| m.to_string()).collect())
    }

    fn registry() -> (Subscriptions<Channel, Subscribe>, SubscriptionId) {
        let mut subs = Subscriptions::default();
        let sids = vec![("orderbook_delta".into(), 10), ("fill".into(), 11)];
        let id = subs.add(
            vec!["orderbook_delta".into(), "fill".into()],
            params(&["A", "B"]),
            sids,
        );
        (subs, id)
    }

    #[test]
    fn sids_lead_to_their_subscription_until_the_connection_goes() {
        let (mut subs, id) = registry();
        assert_eq!(subs.sub_of(10), Some(id));
        assert_eq!(subs.sub_supporting(10, "get_snapshot"), Some(id));
        assert_eq!(subs.sub_supporting(11, "get_snapshot"), None);
        assert_eq!(subs.sids_supporting(id, "get_snapshot"), Some(vec![10]));
        subs.disconnected();
        assert_eq!(subs.sub_of(10), None);
        assert_eq!(subs.sids(id), Some(vec![]));
        let again = subs.resubscriptions();
        assert_eq!((again[0].id, again[0].channels), (id, 2));
        subs.restore(id, vec![("orderbook_delta".into(), 20)]);
        assert_eq!(subs.sub_of(20), Some(id));
        assert_eq!(subs.remove(id), vec![20]);
        assert_eq!((subs.sub_of(20), subs.markets(id)), (None, None));
    }

    #[test]
    fn markets_follow_the_changes_the_server_confirms() {
        let (mut subs, id) = registry();
        let change = |action, tickers: &[&str], listed: Option<Vec<String>>| MarketsChanged {
            sub: id,
            action,
            tickers: tickers.iter().map(|t| t.to_string()).collect(),
            listed,
        };
        subs.markets_changed(change(MarketsAction::Add, &["C", "A"], None));
        assert_eq!(subs.markets(id).unwrap(), ["A", "B", "C"]);
        subs.markets_changed(change(MarketsAction::Delete, &["B"], None));
        assert_eq!(subs.markets(id).unwrap(), ["A", "C"]);
        let listed = Some(vec!["D".into()]);
        subs.markets_changed(change(MarketsAction::Add, &["D"], listed));
        assert_eq!(subs.markets(id).unwrap(), ["D"]);
    }

    #[test]
    fn a_single_market_ticker_counts_among_the_markets() {
        let mut p = params(&["B", "A"]).market_ticker("A");
        assert_eq!(p.markets(), ["A", "B"]);
        p.set_markets(vec!["C".into()]);
        assert_eq!(
            (p.market_ticker.as_deref(), p.markets()),
            (None, vec!["C".into()])
        );
    }
}

//! What an FCM member sets on the margined exchange: its subtraders, each subtrader's initial
//! margin caps, and its own account-level notional value risk limit. Every key acts as an FCM
//! member here. Subtraders never trade on this exchange, so a cap's current initial margin is
//! always zero and no administrator sets their notional limits; like the Kalshi-set limit, the
//! member's limit is reported ([`effective_notional_limit`]), never enforced.

use crate::fixed::price_text;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// The notional value risk limit Kalshi sets on every account here: $1,000,000, in
/// ten-thousandths of a dollar.
pub(crate) const KALSHI_NOTIONAL_LIMIT: i64 = 1_000_000 * 10_000;

/// The asset classes a cap may be scoped to (the spec's enum).
pub(crate) const ASSET_CLASSES: [&str; 3] = ["Crypto", "Equities", "Metals"];

/// What an initial margin cap applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Every market.
    All,
    Market(String),
    AssetClass(String),
}

/// One initial margin cap, in ten-thousandths of a dollar.
#[derive(Debug, Clone)]
pub(crate) struct Cap {
    pub(crate) scope: Scope,
    pub(crate) im_cap: i64,
}

impl Cap {
    /// Its `FCMSubtraderRiskControls` JSON.
    pub(crate) fn json(&self, subtrader_id: &str) -> Value {
        let mut cap = json!({
            "subtrader_id": subtrader_id,
            "im_cap": price_text(self.im_cap),
            "current_im": price_text(0),
        });
        match &self.scope {
            Scope::All => {}
            Scope::Market(ticker) => cap["market_ticker"] = json!(ticker),
            Scope::AssetClass(class) => cap["asset_class"] = json!(class),
        }
        cap
    }
}

/// One FCM member's settings.
#[derive(Debug, Clone, Default)]
pub(crate) struct Fcm {
    /// Each subtrader's caps, at most one per scope, by subtrader id.
    pub(crate) subtraders: BTreeMap<String, Vec<Cap>>,
    /// The member-set notional value risk limit, in ten-thousandths of a dollar.
    pub(crate) notional_limit: Option<i64>,
}

impl Fcm {
    /// Sets the cap of `cap.scope` for `subtrader`, replacing the one it had.
    pub(crate) fn set_cap(&mut self, subtrader: &str, cap: Cap) -> bool {
        let Some(caps) = self.subtraders.get_mut(subtrader) else {
            return false;
        };
        caps.retain(|c| c.scope != cap.scope);
        caps.push(cap);
        true
    }

    /// Removes `subtrader`'s cap of `scope`; whether there was one.
    pub(crate) fn remove_cap(&mut self, subtrader: &str, scope: &Scope) -> bool {
        let Some(caps) = self.subtraders.get_mut(subtrader) else {
            return false;
        };
        let before = caps.len();
        caps.retain(|c| c.scope != *scope);
        caps.len() < before
    }
}

/// The limit that governs an account: the smaller of Kalshi's and the member's.
pub(crate) fn effective_notional_limit(fcm: Option<&Fcm>) -> i64 {
    fcm.and_then(|f| f.notional_limit)
        .map_or(KALSHI_NOTIONAL_LIMIT, |own| own.min(KALSHI_NOTIONAL_LIMIT))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cap_replaces_the_one_of_its_scope_only() {
        let mut fcm = Fcm::default();
        let cap = |scope, im_cap| Cap { scope, im_cap };
        assert!(!fcm.set_cap("s", cap(Scope::All, 1)), "no such subtrader");
        fcm.subtraders.insert("s".into(), Vec::new());
        assert!(fcm.set_cap("s", cap(Scope::All, 1)));
        assert!(fcm.set_cap("s", cap(Scope::Market("M".into()), 2)));
        assert!(fcm.set_cap("s", cap(Scope::All, 3)));
        let caps: Vec<i64> = fcm.subtraders["s"].iter().map(|c| c.im_cap).collect();
        assert_eq!(caps, [2, 3]);
        assert!(fcm.remove_cap("s", &Scope::Market("M".into())));
        assert!(!fcm.remove_cap("s", &Scope::Market("M".into())));
        fcm.notional_limit = Some(5);
        assert_eq!(effective_notional_limit(Some(&fcm)), 5);
        assert_eq!(effective_notional_limit(None), KALSHI_NOTIONAL_LIMIT);
    }
}

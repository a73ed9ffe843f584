//! Exit triggers on positions: isolated ones (at most one per market and kind) and cross ones
//! (any number, each with its id). They are stored, listed, updated and deleted; the exchange
//! never fires them.

use crate::clock::{now_ms, rfc3339};
use crate::fixed::{count_text, price_text};
use serde_json::{json, Value};

/// An exit trigger, as `ExitTrigger`.
#[derive(Debug, Clone)]
pub(crate) struct ExitTrigger {
    pub(crate) id: String,
    pub(crate) key_id: String,
    pub(crate) ticker: String,
    /// Cross margin (`/margin/cross/...`) rather than isolated.
    pub(crate) cross: bool,
    /// `bracket` or `trailing`.
    pub(crate) kind: String,
    pub(crate) prices: Prices,
    /// In hundredths; 0 for the whole position.
    pub(crate) count: i64,
    pub(crate) anchor_order_id: Option<String>,
    pub(crate) client_trigger_id: Option<String>,
    pub(crate) created_ms: u64,
    pub(crate) updated_ms: u64,
}

/// A trigger's levels, in ten-thousandths of a dollar (the trail in basis points).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Prices {
    pub(crate) stop_loss: Option<i64>,
    pub(crate) take_profit: Option<i64>,
    pub(crate) trail_amount: Option<i64>,
    pub(crate) trail_bps: Option<i64>,
}

impl ExitTrigger {
    /// The `ExitTrigger` JSON; `pending_on_entry` until the key holds a position.
    pub(crate) fn json(&self, position: i64) -> Value {
        let status = if position != 0 {
            "active"
        } else {
            "pending_on_entry"
        };
        let mut trigger = json!({
            "id": self.id,
            "ticker": self.ticker,
            "kind": self.kind,
            "status": status,
            "count": count_text(if self.count > 0 { self.count } else { position.abs() }),
            "filled_count": "0.00",
            "created_time": rfc3339(self.created_ms),
            "updated_time": rfc3339(self.updated_ms),
        });
        let p = &self.prices;
        for (field, price) in [
            ("stop_loss_price", p.stop_loss),
            ("take_profit_price", p.take_profit),
            ("trail_amount", p.trail_amount),
        ] {
            if let Some(price) = price {
                trigger[field] = json!(price_text(price));
            }
        }
        if let Some(bps) = p.trail_bps {
            trigger["trail_bps"] = json!(bps);
        }
        for (field, value) in [
            ("anchor_order_id", &self.anchor_order_id),
            ("client_trigger_id", &self.client_trigger_id),
        ] {
            if let Some(value) = value {
                trigger[field] = json!(value);
            }
        }
        trigger
    }

    /// Marks it changed now.
    pub(crate) fn touch(&mut self) {
        self.updated_ms = now_ms();
    }
}

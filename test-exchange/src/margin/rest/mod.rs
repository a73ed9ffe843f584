//! The margin REST routes, all 50 operations of `spec/perps/openapi.yaml` at its paths under the
//! same prefix as the event-contract routes; the app mounts them with the perps rate limit
//! ([`crate::rate_limit::limit_perps`]).

mod candles;
mod fcm;
pub(crate) mod funding;
mod groups;
mod market_data;
mod orders;
mod portfolio;
mod risk;
mod transfers;
mod triggers;

use crate::error::ApiError;
use crate::rest::Route;
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use serde_json::Value;

/// Public margin routes.
pub(crate) const PUBLIC: &[Route] = &[
    ("/margin/exchange/status", || {
        get(market_data::exchange_status)
    }),
    ("/margin/markets", || get(market_data::markets)),
    ("/margin/markets/{ticker}", || get(market_data::market)),
    ("/margin/markets/{ticker}/candlesticks", || {
        get(candles::candlesticks)
    }),
    ("/margin/markets/{ticker}/orderbook", || {
        get(market_data::orderbook)
    }),
    ("/margin/trades", || get(market_data::trades)),
    ("/margin/funding_rates/historical", || {
        get(funding::historical)
    }),
    ("/margin/funding_rates/estimate", || get(funding::estimate)),
    ("/margin/risk_parameters", || get(risk::parameters)),
];

/// Authenticated margin routes.
pub(crate) const PRIVATE: &[Route] = &[
    ("/margin/orders", || {
        get(orders::list)
            .post(orders::create)
            .delete(orders::cancel_all)
    }),
    ("/margin/orders/{order_id}", || {
        get(orders::get).delete(orders::cancel)
    }),
    ("/margin/orders/{order_id}/amend", || post(orders::amend)),
    ("/margin/orders/{order_id}/decrease", || {
        post(orders::decrease)
    }),
    ("/margin/positions", || get(portfolio::positions)),
    ("/margin/balance", || get(portfolio::balance)),
    ("/margin/fills", || get(portfolio::fills)),
    ("/margin/enabled", || get(portfolio::enabled)),
    ("/margin/risk", || get(risk::risk)),
    ("/margin/fee_tiers", || get(risk::fee_tiers)),
    ("/margin/fee_tier_rates", || get(risk::fee_tier_rates)),
    ("/margin/funding_history", || get(risk::funding_history)),
    ("/margin/notional_risk_limit", || {
        get(risk::notional_risk_limit)
    }),
    ("/account/limits/perps", || get(portfolio::limits)),
    ("/margin/order_groups", || get(groups::list)),
    ("/margin/order_groups/create", || post(groups::create)),
    ("/margin/order_groups/{order_group_id}", || {
        get(groups::get).delete(groups::delete)
    }),
    ("/margin/order_groups/{order_group_id}/reset", || {
        put(groups::reset)
    }),
    ("/margin/order_groups/{order_group_id}/trigger", || {
        put(groups::trigger)
    }),
    ("/margin/order_groups/{order_group_id}/limit", || {
        put(groups::limit)
    }),
    ("/margin/isolated/positions/{ticker}/exit_trigger", || {
        get(triggers::list::<false>)
            .put(triggers::set::<false>)
            .delete(triggers::delete::<false>)
    }),
    ("/margin/cross/positions/{ticker}/exit_trigger", || {
        get(triggers::list::<true>)
            .put(triggers::set::<true>)
            .delete(triggers::delete::<true>)
    }),
    (
        "/margin/cross/positions/{ticker}/exit_trigger/{trigger_id}",
        || put(triggers::update_cross).delete(triggers::delete_cross_by_id),
    ),
    ("/margin/fcm/subtraders", || post(fcm::create_subtrader)),
    ("/margin/fcm/subtraders/risk_controls", || {
        get(fcm::risk_controls)
            .put(fcm::set_risk_control)
            .delete(fcm::delete_risk_control)
    }),
    ("/margin/fcm/notional_risk_limit", || {
        put(fcm::set_notional_limit).delete(fcm::clear_notional_limit)
    }),
    ("/portfolio/margin/subaccounts", || {
        post(transfers::create_subaccount)
    }),
    ("/portfolio/margin/subaccounts/transfer", || {
        post(transfers::between_subaccounts)
    }),
    // In both products' specs; served here, beside the margin funds it moves.
    ("/portfolio/intra_exchange_instance_transfer", || {
        post(transfers::between_instances)
    }),
];

/// The limits of a list's `limit` parameter: the default and the most.
#[derive(Debug, Clone, Copy)]
struct Limits {
    default: usize,
    max: usize,
}

/// Fills and trades: 1 to 1000, 100 by default.
const LISTS: Limits = Limits {
    default: 100,
    max: 1000,
};

/// The page size of a `limit` parameter.
fn page_size(limit: Option<i64>, limits: Limits) -> Result<usize, ApiError> {
    match limit {
        None => Ok(limits.default),
        Some(n) if n >= 1 && n as usize <= limits.max => Ok(n as usize),
        Some(_) => Err(ApiError::invalid(format!(
            "`limit` must be within 1 to {}",
            limits.max
        ))),
    }
}

/// One page of `items` (numbered, oldest first), newest first: those numbered below the cursor
/// (all when it is empty), and the cursor of the next page (empty on the last).
fn page(
    items: impl DoubleEndedIterator<Item = (u64, Value)>,
    limit: Option<i64>,
    limits: Limits,
    cursor: Option<&str>,
) -> Result<(Vec<Value>, String), ApiError> {
    let size = page_size(limit, limits)?;
    let below = match cursor.filter(|c| !c.is_empty()) {
        None => u64::MAX,
        Some(c) => c.parse().map_err(|_| ApiError::invalid("bad cursor"))?,
    };
    let mut matching = items.rev().filter(|(n, _)| *n < below).peekable();
    let mut page = Vec::new();
    let mut last = 0;
    while page.len() < size {
        let Some((n, item)) = matching.next() else {
            break;
        };
        last = n;
        page.push(item);
    }
    let next = if matching.peek().is_some() {
        last.to_string()
    } else {
        String::new()
    };
    Ok((page, next))
}

/// A 404 for an unlisted perps market.
fn market_not_found(ticker: &str) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "market_not_found",
        message: "market not found",
        details: format!("no margin market `{ticker}`"),
    }
}

/// A 404 for what `what` names.
fn not_found(what: &str, id: &str) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        code: "not_found",
        message: "not found",
        details: format!("no {what} `{id}`"),
    }
}

/// The body as a JSON object, or a 400.
fn object(body: &[u8]) -> Result<Value, ApiError> {
    match serde_json::from_slice(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(ApiError::invalid("the body must be a JSON object")),
    }
}

/// An optional fixed-point field of `body` (`decimals` places at most), or a 400.
fn fixed_field(body: &Value, field: &str, decimals: u32) -> Result<Option<i64>, ApiError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(|t| crate::fixed::parse_fixed(t, decimals))
            .map(Some)
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "`{field}` must be a decimal string with at most {decimals} decimals"
                ))
            }),
    }
}

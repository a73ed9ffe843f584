//! Contract tests of the perps product: every operation of `spec/perps/openapi.yaml`, sent through
//! the SDK (`client.perps()`) to a Stoplight Prism mock of that spec, with the same checks as
//! `tests/contract.rs` (no spec violation in the request, a 2xx answer that decodes and encodes
//! back unchanged, every operationId exercised).
//!
//! Run with `cargo xtask contract`, which mocks each product's spec and sets
//! `KALSHI_CONTRACT_PERPS_BASE_URL` for this suite.

#[path = "contract/harness.rs"]
mod harness;

use harness::Harness;
use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::perps::{ops, types};
use kalshi_api::Client;

const ENV_BASE_URL: &str = "KALSHI_CONTRACT_PERPS_BASE_URL";
const MARKET: &str = "BTC-PERP";
const ORDER_ID: &str = "ee2a2f1c-3b5e-4b7a-9a59-1e0f1f7c8d21";
const ORDER_GROUP_ID: &str = "0d6a1a3c-6f0e-4c4b-8d3e-2b9a4f5c6d7e";
const TRIGGER_ID: &str = "3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4";
const SUBTRADER_ID: &str = "subtrader-1";
/// 2025-01-01T00:00:00Z and a day later, in Unix seconds.
const START_TS: i64 = 1_735_689_600;
const END_TS: i64 = START_TS + 86_400;

fn dollars(text: &str) -> FixedPointDollars {
    text.parse().expect("a valid dollar amount")
}

fn count(text: &str) -> FixedPointCount {
    text.parse().expect("a valid count")
}

#[tokio::test]
#[ignore = "needs a Prism mock of spec/perps/openapi.yaml: run `cargo xtask contract`"]
async fn every_perps_operation_matches_the_spec() {
    let mut h = Harness::from_var(ENV_BASE_URL, "spec/perps/openapi.yaml");
    account_and_exchange(&mut h).await;
    markets_and_funding(&mut h).await;
    orders(&mut h).await;
    order_groups(&mut h).await;
    exit_triggers(&mut h).await;
    portfolio(&mut h).await;
    fcm_and_risk(&mut h).await;
    h.finish(include_str!("../../spec/perps/openapi.yaml"));
}

async fn account_and_exchange(h: &mut Harness) {
    h.check(
        ops::GetPerpsAccountApiLimits::new(),
        async |c: &Client, op| c.perps().get_perps_account_api_limits(op).await,
    )
    .await;
    h.check(
        ops::GetMarginExchangeStatus::new(),
        async |c: &Client, op| c.perps().get_margin_exchange_status(op).await,
    )
    .await;
    h.check(ops::GetMarginEnabled::new(), async |c: &Client, op| {
        c.perps().get_margin_enabled(op).await
    })
    .await;
    h.check(ops::GetMarginFeeTiers::new(), async |c: &Client, op| {
        c.perps().get_margin_fee_tiers(op).await
    })
    .await;
    h.check(ops::GetMarginFeeTierRates::new(), async |c: &Client, op| {
        c.perps().get_margin_fee_tier_rates(op).await
    })
    .await;
}

async fn markets_and_funding(h: &mut Harness) {
    h.check(
        ops::GetMarginMarkets::new().status(types::MarginMarketStatus::Active),
        async |c: &Client, op| c.perps().get_margin_markets(op).await,
    )
    .await;
    h.check(ops::GetMarginMarket::new(MARKET), async |c: &Client, op| {
        c.perps().get_margin_market(op).await
    })
    .await;
    h.check(
        ops::GetMarginMarketOrderbook::new(MARKET).depth(10),
        async |c: &Client, op| c.perps().get_margin_market_orderbook(op).await,
    )
    .await;
    h.check(
        ops::GetMarginMarketCandlesticks::new(
            MARKET,
            START_TS,
            END_TS,
            types::GetMarginMarketCandlesticksPeriodInterval::V60,
        ),
        async |c: &Client, op| c.perps().get_margin_market_candlesticks(op).await,
    )
    .await;
    h.check(
        ops::GetMarginTrades::new(MARKET)
            .limit(5)
            .min_ts(START_TS)
            .max_ts(END_TS),
        async |c: &Client, op| c.perps().get_margin_trades(op).await,
    )
    .await;
    h.check(
        ops::GetMarginFundingHistory::new("2025-01-01", "2025-01-02"),
        async |c: &Client, op| c.perps().get_margin_funding_history(op).await,
    )
    .await;
    h.check(
        ops::GetMarginHistoricalFundingRates::new()
            .start_ts(START_TS)
            .end_ts(END_TS),
        async |c: &Client, op| c.perps().get_margin_historical_funding_rates(op).await,
    )
    .await;
    h.check(
        ops::GetMarginFundingRateEstimate::new(MARKET),
        async |c: &Client, op| c.perps().get_margin_funding_rate_estimate(op).await,
    )
    .await;
}

async fn orders(h: &mut Harness) {
    h.check(
        ops::GetMarginOrders::new().limit(5).subaccount(0),
        async |c: &Client, op| c.perps().get_margin_orders(op).await,
    )
    .await;
    let order = types::CreateMarginOrderRequest::new(
        MARKET,
        "contract-order-1",
        types::BookSide::Bid,
        count("10"),
        dollars("97250.5000"),
        types::CreateMarginOrderRequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    h.check(
        ops::CreateMarginOrder::new(order),
        async |c: &Client, op| c.perps().create_margin_order(op).await,
    )
    .await;
    h.check(
        ops::GetMarginOrder::new(ORDER_ID),
        async |c: &Client, op| c.perps().get_margin_order(op).await,
    )
    .await;
    let amend = types::AmendMarginOrderRequest::new(
        MARKET,
        types::BookSide::Bid,
        dollars("97200.0000"),
        count("10"),
    );
    h.check(
        ops::AmendMarginOrder::new(ORDER_ID, amend),
        async |c: &Client, op| c.perps().amend_margin_order(op).await,
    )
    .await;
    let decrease = types::DecreaseMarginOrderRequest::default().reduce_by(count("2"));
    h.check(
        ops::DecreaseMarginOrder::new(ORDER_ID, decrease),
        async |c: &Client, op| c.perps().decrease_margin_order(op).await,
    )
    .await;
    h.check(
        ops::CancelMarginOrder::new(ORDER_ID),
        async |c: &Client, op| c.perps().cancel_margin_order(op).await,
    )
    .await;
    h.check(ops::CancelAllMarginOrders::new(), async |c: &Client, op| {
        c.perps().cancel_all_margin_orders(op).await
    })
    .await;
}

async fn order_groups(h: &mut Harness) {
    h.check(ops::GetMarginOrderGroups::new(), async |c: &Client, op| {
        c.perps().get_margin_order_groups(op).await
    })
    .await;
    let group = types::CreateOrderGroupRequest::default().contracts_limit(100);
    h.check(
        ops::CreateMarginOrderGroup::new(group),
        async |c: &Client, op| c.perps().create_margin_order_group(op).await,
    )
    .await;
    h.check(
        ops::GetMarginOrderGroup::new(ORDER_GROUP_ID),
        async |c: &Client, op| c.perps().get_margin_order_group(op).await,
    )
    .await;
    h.check(
        ops::ResetMarginOrderGroup::new(ORDER_GROUP_ID),
        async |c: &Client, op| c.perps().reset_margin_order_group(op).await,
    )
    .await;
    h.check(
        ops::TriggerMarginOrderGroup::new(ORDER_GROUP_ID),
        async |c: &Client, op| c.perps().trigger_margin_order_group(op).await,
    )
    .await;
    let limit = types::UpdateOrderGroupLimitRequest::default().contracts_limit(50);
    h.check(
        ops::UpdateMarginOrderGroupLimit::new(ORDER_GROUP_ID, limit),
        async |c: &Client, op| c.perps().update_margin_order_group_limit(op).await,
    )
    .await;
    h.check(
        ops::DeleteMarginOrderGroup::new(ORDER_GROUP_ID),
        async |c: &Client, op| c.perps().delete_margin_order_group(op).await,
    )
    .await;
}

async fn exit_triggers(h: &mut Harness) {
    h.check(
        ops::GetIsolatedMarginExitTriggers::new(MARKET),
        async |c: &Client, op| c.perps().get_isolated_margin_exit_triggers(op).await,
    )
    .await;
    let isolated = types::SetIsolatedExitTriggerRequest::default()
        .stop_loss_price(dollars("90000.0000"))
        .take_profit_price(dollars("105000.0000"));
    h.check(
        ops::SetIsolatedMarginExitTrigger::new(MARKET, isolated),
        async |c: &Client, op| c.perps().set_isolated_margin_exit_trigger(op).await,
    )
    .await;
    h.check(
        ops::DeleteIsolatedMarginExitTrigger::new(MARKET),
        async |c: &Client, op| c.perps().delete_isolated_margin_exit_trigger(op).await,
    )
    .await;
    h.check(
        ops::GetCrossMarginExitTriggers::new(MARKET).subaccount(0),
        async |c: &Client, op| c.perps().get_cross_margin_exit_triggers(op).await,
    )
    .await;
    let cross = types::SetCrossExitTriggerRequest::default().stop_loss_price(dollars("90000.0000"));
    h.check(
        ops::SetCrossMarginExitTrigger::new(MARKET, cross),
        async |c: &Client, op| c.perps().set_cross_margin_exit_trigger(op).await,
    )
    .await;
    h.check(
        ops::DeleteCrossMarginExitTrigger::new(MARKET),
        async |c: &Client, op| c.perps().delete_cross_margin_exit_trigger(op).await,
    )
    .await;
    let update = types::UpdateExitTriggerRequest::default().stop_loss_price(dollars("91000.0000"));
    h.check(
        ops::UpdateCrossMarginExitTrigger::new(MARKET, TRIGGER_ID, update),
        async |c: &Client, op| c.perps().update_cross_margin_exit_trigger(op).await,
    )
    .await;
    h.check(
        ops::DeleteCrossMarginExitTriggerById::new(MARKET, TRIGGER_ID),
        async |c: &Client, op| c.perps().delete_cross_margin_exit_trigger_by_id(op).await,
    )
    .await;
}

async fn portfolio(h: &mut Harness) {
    h.check(
        ops::GetMarginFills::new().limit(5).min_ts(START_TS),
        async |c: &Client, op| c.perps().get_margin_fills(op).await,
    )
    .await;
    h.check(
        ops::GetMarginPositions::new().subaccount(0),
        async |c: &Client, op| c.perps().get_margin_positions(op).await,
    )
    .await;
    h.check(
        ops::GetMarginBalance::new().compute_available_balance(true),
        async |c: &Client, op| c.perps().get_margin_balance(op).await,
    )
    .await;
    let transfer = types::IntraExchangeInstanceTransferRequest::new(
        types::ExchangeInstance::EventContract,
        types::ExchangeInstance::Margined,
        10_000,
    );
    h.check(
        ops::IntraExchangeInstanceTransfer::new(transfer),
        async |c: &Client, op| c.perps().intra_exchange_instance_transfer(op).await,
    )
    .await;
    h.check(
        ops::CreateMarginSubaccount::new(),
        async |c: &Client, op| c.perps().create_margin_subaccount(op).await,
    )
    .await;
    let move_funds = types::ApplySubaccountTransferRequest::new(
        "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928".parse().unwrap(),
        0,
        1,
        5_000,
    );
    h.check(
        ops::ApplyMarginSubaccountTransfer::new(move_funds),
        async |c: &Client, op| c.perps().apply_margin_subaccount_transfer(op).await,
    )
    .await;
}

async fn fcm_and_risk(h: &mut Harness) {
    h.check(
        ops::CreateMarginFcmSubtrader::new(types::CreateMarginFcmSubtraderRequest::new("desk1")),
        async |c: &Client, op| c.perps().create_margin_fcm_subtrader(op).await,
    )
    .await;
    h.check(
        ops::GetFcmSubtraderRiskControls::new(),
        async |c: &Client, op| c.perps().get_fcm_subtrader_risk_controls(op).await,
    )
    .await;
    let controls =
        types::UpdateFcmSubtraderRiskControlsRequest::new(SUBTRADER_ID, dollars("50000.00"));
    h.check(
        ops::UpdateFcmSubtraderRiskControls::new(controls),
        async |c: &Client, op| c.perps().update_fcm_subtrader_risk_controls(op).await,
    )
    .await;
    h.check(
        ops::DeleteFcmSubtraderRiskControls::new(SUBTRADER_ID),
        async |c: &Client, op| c.perps().delete_fcm_subtrader_risk_controls(op).await,
    )
    .await;
    let notional = types::UpdateFcmNotionalRiskLimitRequest::new(dollars("1000000.00"));
    h.check(
        ops::UpdateFcmNotionalRiskLimit::new(notional),
        async |c: &Client, op| c.perps().update_fcm_notional_risk_limit(op).await,
    )
    .await;
    h.check(
        ops::DeleteFcmNotionalRiskLimit::new(),
        async |c: &Client, op| c.perps().delete_fcm_notional_risk_limit(op).await,
    )
    .await;
    h.check(
        ops::GetMarginRiskParameters::new(),
        async |c: &Client, op| c.perps().get_margin_risk_parameters(op).await,
    )
    .await;
    h.check(
        ops::GetMarginNotionalRiskLimit::new(),
        async |c: &Client, op| c.perps().get_margin_notional_risk_limit(op).await,
    )
    .await;
    h.check(ops::GetMarginRisk::new(), async |c: &Client, op| {
        c.perps().get_margin_risk(op).await
    })
    .await;
}

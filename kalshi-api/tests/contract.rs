//! Contract tests: every operation of `spec/openapi.yaml`, sent through the SDK to a Stoplight Prism
//! mock of that spec.
//!
//! Run them with `cargo xtask contract`: it installs Prism, starts `prism mock spec/openapi.yaml`,
//! and runs this suite with `KALSHI_CONTRACT_BASE_URL` pointing at it. For each operation, Prism
//! must find no violation of the spec in the request the SDK sends (it lists them in the
//! `sl-violations` header and answers anyway), must answer 2xx, and the SDK must decode the answer
//! (the spec's own example, or Prism's static example built from the schema) into the declared
//! type. The suite fails when an operationId of the spec was not exercised.
//!
//! The test is `#[ignore]`d so that a plain `cargo test` does not fail for want of a Prism; run by
//! hand with `--ignored` it fails at once, saying how to run it, when the URL is unset.

#[path = "contract/harness.rs"]
mod harness;

use chrono::{TimeZone as _, Utc};
use harness::Harness;
use kalshi_api::money::{FixedPointCount, FixedPointDollars};
use kalshi_api::{ops, types, Client};

const SERIES: &str = "KXHIGHNY";
const EVENT: &str = "KXHIGHNY-25JAN01";
const MARKET: &str = "KXHIGHNY-25JAN01-T40";
const OTHER_MARKET: &str = "KXHIGHNY-25JAN01-T41";
const COLLECTION: &str = "KXMVESPORTSMULTIGAMEEXTENDED";
const ORDER_ID: &str = "ee2a2f1c-3b5e-4b7a-9a59-1e0f1f7c8d21";
const ORDER_GROUP_ID: &str = "0d6a1a3c-6f0e-4c4b-8d3e-2b9a4f5c6d7e";
const RFQ_ID: &str = "5f0c8a8e-1d2b-4a3c-9e4f-6a7b8c9d0e1f";
const QUOTE_ID: &str = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d";
const PROPOSAL_ID: &str = "3c2b1a09-8f7e-4d6c-b5a4-93827160f5e4";
const TRANSFER_ID: &str = "7e6d5c4b-3a29-4180-9f8e-7d6c5b4a3928";
const MILESTONE_ID: &str = "2b4c6d8e-0f1a-4b3c-8d5e-7f9a1b3c5d7e";
const SUBTRADER_ID: &str = "subtrader-1";
const USER_ID: &str = "user-1";
/// 2025-01-01T00:00:00Z and a day later, in Unix seconds (well below 2^53, which Prism rejects).
const START_TS: i64 = 1_735_689_600;
const END_TS: i64 = START_TS + 86_400;

fn dollars(text: &str) -> FixedPointDollars {
    text.parse().expect("a valid dollar amount")
}

fn count(text: &str) -> FixedPointCount {
    text.parse().expect("a valid count")
}

fn order() -> types::CreateOrderV2Request {
    types::CreateOrderV2Request::new(
        MARKET,
        types::BookSide::Bid,
        count("10.00"),
        dollars("0.5600"),
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    )
    .client_order_id("contract-order-1")
    .post_only(true)
    .subaccount(0)
}

#[tokio::test]
#[ignore = "needs a Prism mock of spec/openapi.yaml: run `cargo xtask contract`"]
#[allow(deprecated)] // the spec still lists deprecated operations (GetQuote, AcceptQuote, ...)
async fn every_operation_matches_the_spec() {
    let mut h = Harness::from_env();
    let start = Utc
        .timestamp_opt(START_TS, 0)
        .single()
        .expect("a valid time");

    // exchange
    h.check(ops::GetExchangeStatus::new(), Client::get_exchange_status)
        .await;
    h.check(
        ops::GetExchangeSchedule::new(),
        Client::get_exchange_schedule,
    )
    .await;
    h.check(
        ops::GetUserDataTimestamp::new(),
        Client::get_user_data_timestamp,
    )
    .await;
    h.check(
        ops::GetSeriesFeeChanges::new()
            .series_ticker(SERIES)
            .show_historical(true),
        Client::get_series_fee_changes,
    )
    .await;

    // market
    h.check(
        ops::GetMarkets::new()
            .limit(5)
            .status(types::MarketStatusQuery::Open)
            .series_ticker(SERIES),
        Client::get_markets,
    )
    .await;
    h.check(ops::GetMarket::new(MARKET), Client::get_market)
        .await;
    h.check(
        ops::GetMarketOrderbook::new(MARKET).depth(10),
        Client::get_market_orderbook,
    )
    .await;
    h.check(
        ops::GetMarketOrderbooks::new(vec![MARKET.into(), OTHER_MARKET.into()]),
        Client::get_market_orderbooks,
    )
    .await;
    h.check(
        ops::GetTrades::new()
            .limit(5)
            .ticker(MARKET)
            .min_ts(START_TS),
        Client::get_trades,
    )
    .await;
    h.check(
        ops::GetMarketCandlesticks::new(
            SERIES,
            MARKET,
            START_TS,
            END_TS,
            types::GetMarketCandlesticksPeriodInterval::V60,
        ),
        Client::get_market_candlesticks,
    )
    .await;
    h.check(
        ops::BatchGetMarketCandlesticks::new(
            format!("{MARKET},{OTHER_MARKET}"),
            START_TS,
            END_TS,
            60,
        ),
        Client::batch_get_market_candlesticks,
    )
    .await;
    h.check(
        ops::GetSeries::new(SERIES).include_volume(true),
        Client::get_series,
    )
    .await;
    h.check(
        ops::GetSeriesList::new().category("Climate and Weather"),
        Client::get_series_list,
    )
    .await;

    // events
    h.check(
        ops::GetEvents::new()
            .limit(5)
            .with_nested_markets(true)
            .status(types::GetEventsStatus::Open),
        Client::get_events,
    )
    .await;
    h.check(
        ops::GetEvent::new(EVENT).with_nested_markets(true),
        Client::get_event,
    )
    .await;
    h.check(
        ops::GetEventMetadata::new(EVENT),
        Client::get_event_metadata,
    )
    .await;
    h.check(
        ops::GetMultivariateEvents::new().limit(5),
        Client::get_multivariate_events,
    )
    .await;
    h.check(
        ops::GetEventFeeChanges::new().event_ticker(EVENT).limit(5),
        Client::get_event_fee_changes,
    )
    .await;
    h.check(
        ops::GetMarketCandlesticksByEvent::new(
            EVENT,
            SERIES,
            START_TS,
            END_TS,
            types::GetMarketCandlesticksByEventPeriodInterval::V1440,
        ),
        Client::get_market_candlesticks_by_event,
    )
    .await;
    h.check(
        ops::GetEventForecastPercentilesHistory::new(
            EVENT,
            SERIES,
            vec![2500, 5000, 7500],
            START_TS,
            END_TS,
            types::GetEventForecastPercentilesHistoryPeriodInterval::V60,
        ),
        Client::get_event_forecast_percentiles_history,
    )
    .await;

    // orders
    h.check(
        ops::GetOrders::new()
            .ticker(MARKET)
            .status("resting")
            .limit(5),
        Client::get_orders,
    )
    .await;
    h.check(ops::GetOrder::new(ORDER_ID), Client::get_order)
        .await;
    h.check(
        ops::GetOrderQueuePositions::new().market_tickers(MARKET),
        Client::get_order_queue_positions,
    )
    .await;
    h.check(
        ops::GetOrderQueuePosition::new(ORDER_ID),
        Client::get_order_queue_position,
    )
    .await;
    h.check(ops::CreateOrderV2::new(order()), Client::create_order_v2)
        .await;
    h.check(
        ops::BatchCreateOrdersV2::new(types::BatchCreateOrdersV2Request::new(vec![
            order(),
            order(),
        ])),
        Client::batch_create_orders_v2,
    )
    .await;
    let mut cancel = types::BatchCancelOrdersV2RequestOrdersItem::new(ORDER_ID.into());
    cancel.market_ticker = Some(MARKET.into());
    h.check(
        ops::BatchCancelOrdersV2::new(types::BatchCancelOrdersV2Request::new(vec![cancel])),
        Client::batch_cancel_orders_v2,
    )
    .await;
    h.check(
        ops::CancelOrderV2::new(ORDER_ID).market_ticker(MARKET),
        Client::cancel_order_v2,
    )
    .await;
    h.check(
        ops::AmendOrderV2::new(
            ORDER_ID,
            types::AmendOrderV2Request::new(
                MARKET,
                types::BookSide::Bid,
                dollars("0.5500"),
                count("5.00"),
            ),
        ),
        Client::amend_order_v2,
    )
    .await;
    h.check(
        ops::DecreaseOrderV2::new(
            ORDER_ID,
            types::DecreaseOrderV2Request {
                reduce_by: Some(count("1.00")),
                ..Default::default()
            },
        ),
        Client::decrease_order_v2,
    )
    .await;
    h.check(
        ops::CancelAllOrders::new().subaccount(0),
        Client::cancel_all_orders,
    )
    .await;

    // order groups
    h.check(
        ops::GetOrderGroups::new().subaccount(0),
        Client::get_order_groups,
    )
    .await;
    h.check(
        ops::CreateOrderGroup::new(types::CreateOrderGroupRequest {
            contracts_limit: Some(100),
            ..Default::default()
        }),
        Client::create_order_group,
    )
    .await;
    h.check(
        ops::GetOrderGroup::new(ORDER_GROUP_ID),
        Client::get_order_group,
    )
    .await;
    h.check(
        ops::DeleteOrderGroup::new(ORDER_GROUP_ID),
        Client::delete_order_group,
    )
    .await;
    h.check(
        ops::ResetOrderGroup::new(ORDER_GROUP_ID).body(types::EmptyResponse::default()),
        Client::reset_order_group,
    )
    .await;
    h.check(
        ops::TriggerOrderGroup::new(ORDER_GROUP_ID),
        Client::trigger_order_group,
    )
    .await;
    h.check(
        ops::UpdateOrderGroupLimit::new(
            ORDER_GROUP_ID,
            types::UpdateOrderGroupLimitRequest {
                contracts_limit_fp: Some(count("50.00")),
                ..Default::default()
            },
        ),
        Client::update_order_group_limit,
    )
    .await;

    // portfolio
    h.check(ops::GetBalance::new().subaccount(0), Client::get_balance)
        .await;
    h.check(
        ops::GetPositions::new().limit(5).ticker(MARKET),
        Client::get_positions,
    )
    .await;
    h.check(
        ops::GetSettlements::new().limit(5).min_ts(START_TS),
        Client::get_settlements,
    )
    .await;
    h.check(
        ops::GetFills::new().limit(5).order_id(ORDER_ID),
        Client::get_fills,
    )
    .await;
    h.check(ops::GetDeposits::new().limit(5), Client::get_deposits)
        .await;
    h.check(ops::GetWithdrawals::new().limit(5), Client::get_withdrawals)
        .await;
    h.check(
        ops::GetPortfolioRestingOrderTotalValue::new(),
        Client::get_portfolio_resting_order_total_value,
    )
    .await;
    h.check(
        ops::IntraExchangeInstanceTransfer::new(types::IntraExchangeInstanceTransferRequest::new(
            types::ExchangeInstance::EventContract,
            types::ExchangeInstance::Margined,
            10_000,
        )),
        Client::intra_exchange_instance_transfer,
    )
    .await;
    h.check(
        ops::GetIntraExchangeInstanceTransfers::new().limit(5),
        Client::get_intra_exchange_instance_transfers,
    )
    .await;
    h.check(
        ops::GetIntraExchangeInstanceTransfer::new(TRANSFER_ID),
        Client::get_intra_exchange_instance_transfer,
    )
    .await;
    h.check(
        ops::CreateSubaccount::new().body(types::CreateSubaccountRequest::default()),
        Client::create_subaccount,
    )
    .await;
    h.check(
        ops::ApplySubaccountTransfer::new(types::ApplySubaccountTransferRequest::new(
            uuid::Uuid::from_u128(0x6f1e_2d3c_4b5a_4968_8776_6554_4332_2110),
            0,
            1,
            2_500,
        )),
        Client::apply_subaccount_transfer,
    )
    .await;
    h.check(
        ops::GetSubaccountBalances::new(),
        Client::get_subaccount_balances,
    )
    .await;
    h.check(
        ops::GetSubaccountTransfers::new().limit(5),
        Client::get_subaccount_transfers,
    )
    .await;
    h.check(
        ops::GetSubaccountNetting::new(),
        Client::get_subaccount_netting,
    )
    .await;
    h.check(
        ops::UpdateSubaccountNetting::new(types::UpdateSubaccountNettingRequest::new(1, true)),
        Client::update_subaccount_netting,
    )
    .await;
    h.check(
        ops::GetTargetBalanceAllocation::new(),
        Client::get_target_balance_allocation,
    )
    .await;
    h.check(
        ops::SetTargetBalanceAllocation::new(types::SetTargetBalanceAllocationRequest::new(vec![
            types::TargetBalanceAllocationInput::new(0, 60),
            types::TargetBalanceAllocationInput::new(1, 40),
        ])),
        Client::set_target_balance_allocation,
    )
    .await;

    // communications: block trades, RFQs and quotes
    h.check(
        ops::GetCommunicationsId::new(),
        Client::get_communications_id,
    )
    .await;
    h.check(
        ops::GetBlockTradeProposals::new()
            .market_ticker(MARKET)
            .limit(5),
        Client::get_block_trade_proposals,
    )
    .await;
    h.check(
        ops::ProposeBlockTrade::new(types::ProposeBlockTradeRequest::new(
            USER_ID,
            "user-2",
            MARKET,
            5_600,
            10_000,
            types::ProposeBlockTradeRequestMakerSide::Yes,
            start,
        )),
        Client::propose_block_trade,
    )
    .await;
    h.check(
        ops::AcceptBlockTradeProposal::new(PROPOSAL_ID).body(
            types::AcceptBlockTradeProposalRequest {
                subaccount: Some(0),
                ..Default::default()
            },
        ),
        Client::accept_block_trade_proposal,
    )
    .await;
    h.check(
        ops::GetRfqs::new().market_ticker(MARKET).limit(5),
        Client::get_rfqs,
    )
    .await;
    let mut rfq = types::CreateRfqRequest::new(MARKET, false);
    rfq.contracts_fp = Some(count("100.00"));
    h.check(ops::CreateRfq::new(rfq), Client::create_rfq).await;
    h.check(ops::GetRfq::new(RFQ_ID), Client::get_rfq).await;
    h.check(ops::DeleteRfq::new(RFQ_ID), Client::delete_rfq)
        .await;
    h.check(
        ops::GetRfqQuote::new(RFQ_ID, QUOTE_ID),
        Client::get_rfq_quote,
    )
    .await;
    h.check(
        ops::DeleteRfqQuote::new(RFQ_ID, QUOTE_ID),
        Client::delete_rfq_quote,
    )
    .await;
    h.check(
        ops::AcceptRfqQuote::new(
            RFQ_ID,
            QUOTE_ID,
            types::AcceptQuoteRequest::new(types::AcceptQuoteRequestAcceptedSide::Yes),
        ),
        Client::accept_rfq_quote,
    )
    .await;
    h.check(
        ops::ConfirmRfqQuote::new(RFQ_ID, QUOTE_ID),
        Client::confirm_rfq_quote,
    )
    .await;
    h.check(
        ops::GetQuotes::new().rfq_id(RFQ_ID).limit(5),
        Client::get_quotes,
    )
    .await;
    h.check(
        ops::CreateQuote::new(types::CreateQuoteRequest::new(
            RFQ_ID,
            "0.5600".parse().unwrap(),
            "0.4300".parse().unwrap(),
            false,
        )),
        Client::create_quote,
    )
    .await;
    h.check(ops::GetQuote::new(QUOTE_ID), Client::get_quote)
        .await;
    h.check(ops::DeleteQuote::new(QUOTE_ID), Client::delete_quote)
        .await;
    h.check(
        ops::AcceptQuote::new(
            QUOTE_ID,
            types::AcceptQuoteRequest::new(types::AcceptQuoteRequestAcceptedSide::No),
        ),
        Client::accept_quote,
    )
    .await;
    h.check(
        ops::ConfirmQuote::new(QUOTE_ID).body(types::EmptyResponse::default()),
        Client::confirm_quote,
    )
    .await;

    // API keys and account
    h.check(ops::GetApiKeys::new(), Client::get_api_keys).await;
    let mut create_key = types::CreateApiKeyRequest::new(
        "contract test key",
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n",
    );
    create_key.scopes = Some(vec![types::ApiKeyScope::Read]);
    h.check(ops::CreateApiKey::new(create_key), Client::create_api_key)
        .await;
    let mut generate_key = types::GenerateApiKeyRequest::new("contract generated key");
    generate_key.key_type = Some(types::ApiKeyType::Ed25519);
    h.check(
        ops::GenerateApiKey::new(generate_key),
        Client::generate_api_key,
    )
    .await;
    h.check(
        ops::DeleteApiKey::new("a952bcbe-ec3b-4b5b-b8f9-11dae589608c"),
        Client::delete_api_key,
    )
    .await;
    h.check(
        ops::GetAccountApiLimits::new(),
        Client::get_account_api_limits,
    )
    .await;
    h.check(
        ops::UpgradeAccountApiUsageLevel::new(),
        Client::upgrade_account_api_usage_level,
    )
    .await;
    h.check(
        ops::GetAccountApiUsageLevelVolumeProgress::new(),
        Client::get_account_api_usage_level_volume_progress,
    )
    .await;
    h.check(
        ops::GetAccountEndpointCosts::new(),
        Client::get_account_endpoint_costs,
    )
    .await;

    // search
    h.check(
        ops::GetTagsForSeriesCategories::new(),
        Client::get_tags_for_series_categories,
    )
    .await;
    h.check(
        ops::GetFiltersForSports::new(),
        Client::get_filters_for_sports,
    )
    .await;

    // live data
    h.check(
        ops::GetLiveDataByMilestone::new(MILESTONE_ID).include_player_stats(true),
        Client::get_live_data_by_milestone,
    )
    .await;
    h.check(
        ops::GetLiveData::new("football", MILESTONE_ID),
        Client::get_live_data,
    )
    .await;
    h.check(
        ops::GetLiveDatas::new(vec![MILESTONE_ID.into(), "milestone-2".into()]),
        Client::get_live_datas,
    )
    .await;
    h.check(ops::GetGameStats::new(MILESTONE_ID), Client::get_game_stats)
        .await;
    h.check(
        ops::GetEventLiveData::new(EVENT),
        Client::get_event_live_data,
    )
    .await;
    h.check(
        ops::GetWeatherIndex::new("NYC").from(START_TS).to(END_TS),
        Client::get_weather_index,
    )
    .await;
    h.check(
        ops::GetWeatherIndexCalibrations::new("NYC"),
        Client::get_weather_index_calibrations,
    )
    .await;

    // structured targets and milestones
    h.check(
        ops::GetStructuredTargets::new()
            .ids(vec!["target-1".into(), "target-2".into()])
            .page_size(10),
        Client::get_structured_targets,
    )
    .await;
    h.check(
        ops::GetStructuredTarget::new("target-1"),
        Client::get_structured_target,
    )
    .await;
    h.check(ops::GetMilestone::new(MILESTONE_ID), Client::get_milestone)
        .await;
    h.check(
        ops::GetMilestones::new(5).minimum_start_date(start),
        Client::get_milestones,
    )
    .await;

    // multivariate event collections
    h.check(
        ops::GetMultivariateEventCollections::new().limit(5),
        Client::get_multivariate_event_collections,
    )
    .await;
    h.check(
        ops::GetMultivariateEventCollection::new(COLLECTION),
        Client::get_multivariate_event_collection,
    )
    .await;
    h.check(
        ops::CreateMarketInMultivariateEventCollection::new(
            COLLECTION,
            types::CreateMarketInMultivariateEventCollectionRequest::new(vec![
                types::TickerPair::new(MARKET, EVENT, types::TickerPairSide::Yes),
            ]),
        ),
        Client::create_market_in_multivariate_event_collection,
    )
    .await;

    // incentive programs
    h.check(
        ops::GetIncentivePrograms::new()
            .status(types::GetIncentiveProgramsStatus::Active)
            .limit(5),
        Client::get_incentive_programs,
    )
    .await;

    // FCM
    h.check(
        ops::GetFcmFills::new().min_ts(START_TS).max_ts(END_TS),
        Client::get_fcm_fills,
    )
    .await;
    h.check(
        ops::GetFcmOrders::new().subtrader_id(SUBTRADER_ID).limit(5),
        Client::get_fcm_orders,
    )
    .await;
    h.check(ops::ListFcmSubtraders::new(), Client::list_fcm_subtraders)
        .await;
    h.check(
        ops::CreateFcmSubtrader::new(types::CreateFcmSubtraderRequest::new("desk-1")),
        Client::create_fcm_subtrader,
    )
    .await;
    h.check(
        ops::GetFcmEventContractDailyCap::new().subtrader_id(SUBTRADER_ID),
        Client::get_fcm_event_contract_daily_cap,
    )
    .await;
    h.check(
        ops::UpdateFcmEventContractDailyCap::new(
            types::UpdateFcmEventContractDailyCapRequest::new(SUBTRADER_ID, dollars("1000.00")),
        ),
        Client::update_fcm_event_contract_daily_cap,
    )
    .await;
    h.check(
        ops::DeleteFcmEventContractDailyCap::new(SUBTRADER_ID),
        Client::delete_fcm_event_contract_daily_cap,
    )
    .await;
    h.check(
        ops::GetFcmSubtraderBlockedCategories::new(SUBTRADER_ID),
        Client::get_fcm_subtrader_blocked_categories,
    )
    .await;
    h.check(
        ops::UpdateFcmSubtraderBlockedCategories::new(
            types::UpdateFcmSubtraderBlockedCategoriesRequest::new(SUBTRADER_ID, "Sports", true),
        ),
        Client::update_fcm_subtrader_blocked_categories,
    )
    .await;
    h.check(
        ops::GetFcmPositions::new()
            .subtrader_id(SUBTRADER_ID)
            .limit(5),
        Client::get_fcm_positions,
    )
    .await;

    // historical
    h.check(
        ops::GetHistoricalCutoff::new(),
        Client::get_historical_cutoff,
    )
    .await;
    h.check(
        ops::GetMarketCandlesticksHistorical::new(
            MARKET,
            START_TS,
            END_TS,
            types::GetMarketCandlesticksHistoricalPeriodInterval::V1440,
        ),
        Client::get_market_candlesticks_historical,
    )
    .await;
    h.check(
        ops::GetFillsHistorical::new().ticker(MARKET).limit(5),
        Client::get_fills_historical,
    )
    .await;
    h.check(
        ops::GetHistoricalOrders::new().ticker(MARKET).limit(5),
        Client::get_historical_orders,
    )
    .await;
    h.check(
        ops::GetHistoricalPositions::new()
            .event_ticker(EVENT)
            .limit(5),
        Client::get_historical_positions,
    )
    .await;
    h.check(
        ops::GetTradesHistorical::new().ticker(MARKET).limit(5),
        Client::get_trades_historical,
    )
    .await;
    h.check(
        ops::GetHistoricalMarkets::new()
            .event_ticker(EVENT)
            .limit(5),
        Client::get_historical_markets,
    )
    .await;
    h.check(
        ops::GetHistoricalMarket::new(MARKET),
        Client::get_historical_market,
    )
    .await;

    h.finish(include_str!("../../spec/openapi.yaml"));
}

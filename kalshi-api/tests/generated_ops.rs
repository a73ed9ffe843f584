//! The generated operations end to end against the test exchange: the wire form Kalshi expects
//! and the test exchange's Kalshi-shaped answers decoding into the generated types.

mod common;

use common::*;
use kalshi_api::auth::PrivateKey;
use kalshi_api::{ops, types, Client, Environment, Error};

fn order_request(ticker: &str) -> types::CreateOrderV2Request {
    let mut req = types::CreateOrderV2Request::new(
        ticker,
        types::BookSide::Bid,
        "10.00".parse().unwrap(),
        "0.56".parse().unwrap(),
        types::CreateOrderV2RequestTimeInForce::GoodTillCanceled,
        types::SelfTradePreventionType::TakerAtCross,
    );
    req.client_order_id = Some("8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1".into());
    req
}

#[tokio::test]
async fn market_data_without_a_key() {
    let exchange = kalshi_test_exchange::TestExchange::start(Default::default())
        .await
        .unwrap();
    let client = Client::new(Environment::Custom(exchange.base_url()));

    let status = client
        .get_exchange_status(ops::GetExchangeStatus::new())
        .await
        .unwrap();
    assert!(status.exchange_active && status.trading_active);

    let page = client
        .get_markets(ops::GetMarkets::new().limit(2))
        .await
        .unwrap();
    assert_eq!(page.markets.len(), 2);
    assert!(!page.cursor.is_empty(), "three markets, two per page");
    let rest = client
        .get_markets(ops::GetMarkets::new().limit(2).cursor(page.cursor.clone()))
        .await
        .unwrap();
    assert_eq!(rest.markets.len(), 1);
    assert!(rest.cursor.is_empty());

    let ticker = page.markets[0].ticker.clone();
    let one = client
        .get_market(ops::GetMarket::new(ticker.as_str()))
        .await
        .unwrap();
    assert_eq!(one.market.ticker, ticker);
    assert_eq!(one.market.yes_bid_dollars.to_string(), "0.5600");

    let err = client
        .get_market(ops::GetMarket::new("NO-SUCH-MARKET"))
        .await
        .unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404), "{err}");
    assert!(exchange
        .requests()
        .iter()
        .all(|r| r.header("kalshi-access-signature").is_none()));
}

#[tokio::test]
async fn balance_and_an_order_round_trip_signed() {
    let key = ed25519_key();
    let exchange = exchange_with(ed25519_public(&key)).await;
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(
            KEY_ID,
            PrivateKey::from_pem(&ed25519_pkcs8_pem(&key)).unwrap(),
        )
        .build()
        .unwrap();

    let balance = client.get_balance(ops::GetBalance::new()).await.unwrap();
    assert_eq!(balance.balance, 1_000_000);

    let created = client
        .create_order_v2(ops::CreateOrderV2::new(order_request(
            "KXHIGHNY-26JAN01-T60",
        )))
        .await
        .unwrap();
    let sent = exchange.last_request().unwrap();
    assert_eq!(sent.method, "POST");
    assert_eq!(sent.path, "/trade-api/v2/portfolio/events/orders");
    assert_eq!(sent.json()["side"], "bid");
    assert_eq!(sent.json()["count"], "10.00");
    assert_eq!(sent.json()["time_in_force"], "good_till_canceled");
    assert_eq!(created.remaining_count.to_string(), "10.00");

    let order = client
        .get_order(ops::GetOrder::new(created.order_id.as_str()))
        .await
        .unwrap()
        .order;
    assert_eq!(order.ticker, "KXHIGHNY-26JAN01-T60");
    assert_eq!(order.status, types::OrderStatus::Resting);

    let canceled = client
        .cancel_order_v2(ops::CancelOrderV2::new(created.order_id.as_str()))
        .await
        .unwrap();
    assert_eq!(canceled.reduced_by.to_string(), "10.00");
    let after = client
        .get_order(ops::GetOrder::new(created.order_id.as_str()))
        .await
        .unwrap()
        .order;
    assert_eq!(after.status, types::OrderStatus::Canceled);
}

#[tokio::test]
async fn batch_cancel_is_a_signed_delete_with_a_json_body() {
    let key = rsa_key();
    let exchange = exchange_with(rsa_public(key)).await;
    let client = Client::builder(Environment::Custom(exchange.base_url()))
        .credentials(KEY_ID, PrivateKey::from_pem(&rsa_pkcs1_pem(key)).unwrap())
        .build()
        .unwrap();
    let a = client
        .create_order_v2(ops::CreateOrderV2::new(order_request(
            "KXHIGHNY-26JAN01-T60",
        )))
        .await
        .unwrap();
    let b = client
        .create_order_v2(ops::CreateOrderV2::new(order_request(
            "KXBTC-26DEC31-B100000",
        )))
        .await
        .unwrap();
    // The ids of the answers go back as they came.
    let items = [a.order_id.clone(), b.order_id, "missing".into()]
        .into_iter()
        .map(types::BatchCancelOrdersV2RequestOrdersItem::new)
        .collect();
    let out = client
        .batch_cancel_orders_v2(ops::BatchCancelOrdersV2::new(
            types::BatchCancelOrdersV2Request::new(items),
        ))
        .await
        .unwrap();
    assert_eq!(out.orders.len(), 3);
    assert_eq!(out.orders[0].reduced_by.to_string(), "10.00");
    assert!(out.orders[2].error.is_some());

    let sent = exchange.last_request().unwrap();
    assert_eq!(sent.method, "DELETE");
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(sent.json()["orders"][0]["order_id"], a.order_id.as_str());
    assert_eq!(sent.status, 200);
}

#[tokio::test]
async fn generated_authenticated_ops_refuse_to_run_without_credentials() {
    let exchange = kalshi_test_exchange::TestExchange::start(Default::default())
        .await
        .unwrap();
    let client = Client::new(Environment::Custom(exchange.base_url()));
    let err = client
        .get_balance(ops::GetBalance::new())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Auth {
                operation: "GetBalance",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(exchange.requests().is_empty());
}

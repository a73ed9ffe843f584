//! The wire form of generated requests, without a network: path, query and body exactly as the
//! client sends them.

use kalshi_api::operation::{Auth, Method, Operation, QueryWriter};
use kalshi_api::{ops, types};

fn url<O: Operation>(op: &O) -> String {
    let mut out = String::new();
    op.write_path(&mut out);
    op.write_query(&mut QueryWriter::new(&mut out));
    out
}

fn body<O: Operation>(op: &O) -> Option<String> {
    let mut buf = Vec::new();
    op.write_body(&mut buf)
        .unwrap()
        .then(|| String::from_utf8(buf).unwrap())
}

#[test]
fn exploded_array_query_parameters_repeat_the_key() {
    let op = ops::GetMarketOrderbooks::new(vec!["A-1".into(), "B 2".into()]);
    assert_eq!(url(&op), "/markets/orderbooks?tickers=A-1&tickers=B%202");
    let op = ops::GetStructuredTargets::new().ids(vec!["u1".into(), "u2".into()]);
    assert_eq!(url(&op), "/structured_targets?ids=u1&ids=u2");
}

#[test]
fn unset_optional_parameters_are_left_out() {
    assert_eq!(url(&ops::GetMarkets::new()), "/markets");
    let op = ops::GetMarkets::new()
        .limit(5)
        .cursor("abc==")
        .status(types::MarketStatusQuery::Open);
    assert_eq!(url(&op), "/markets?limit=5&cursor=abc%3D%3D&status=open");
}

#[test]
fn path_parameters_are_one_encoded_segment() {
    let op = ops::GetMarket::new("KX/../ODD TICKER?#");
    assert_eq!(url(&op), "/markets/KX%2F..%2FODD%20TICKER%3F%23");
}

#[test]
fn delete_with_a_json_body() {
    let item = types::BatchCancelOrdersV2RequestOrdersItem::new("ord-1".into());
    let op = ops::BatchCancelOrdersV2::new(types::BatchCancelOrdersV2Request::new(vec![item]));
    assert_eq!(ops::BatchCancelOrdersV2::INFO.method, Method::DELETE);
    assert_eq!(ops::BatchCancelOrdersV2::INFO.auth, Auth::Required);
    assert_eq!(
        body(&op).as_deref(),
        Some(r#"{"orders":[{"order_id":"ord-1"}]}"#)
    );
}

#[test]
fn body_less_answers_decode_to_unit_and_public_operations_are_unsigned() {
    assert_eq!(ops::GetExchangeStatus::INFO.auth, Auth::None);
    assert_eq!(body(&ops::GetExchangeStatus::new()), None);
    // A body-less success answer decodes to `()`; an optional body is sent only when set.
    let () = <ops::AcceptBlockTradeProposal as Operation>::decode(b"").unwrap();
    assert_eq!(body(&ops::AcceptBlockTradeProposal::new("p1")), None);
}

//! Batch create and batch cancel (V2): per-order results in order, per-item `ErrorResponse`s, and
//! batch size limits.

mod common;

use common::{order, Api, TICKER};
use kalshi_test_exchange::Config;
use serde_json::{json, Value};

const CREATE: &str = "/portfolio/events/orders/batched";

#[tokio::test]
async fn batch_create_answers_one_entry_per_order_in_order_with_errors_in_place() {
    let api = Api::start(Config::new()).await;
    let mut orders: Vec<Value> = (0..5)
        .map(|i| {
            let mut o = order(TICKER);
            o["client_order_id"] = json!(format!("client-{i}"));
            o
        })
        .collect();
    orders[0]["ticker"] = json!("NO-SUCH-MARKET");
    orders[3]["side"] = json!("sideways");
    let reply = api.post(CREATE, &json!({ "orders": orders })).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let results = reply.json()["orders"].as_array().unwrap().clone();
    assert_eq!(results.len(), 5);

    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["client_order_id"], format!("client-{i}"), "{i}");
        match i {
            0 | 3 => {
                assert_eq!(result["order_id"], "", "{i}");
                for field in ["fill_count", "remaining_count", "ts_ms"] {
                    assert!(result[field].is_null(), "{i}.{field}");
                }
                let error = result["error"].as_object().unwrap();
                let mut keys: Vec<_> = error.keys().map(String::as_str).collect();
                keys.sort();
                assert_eq!(keys, ["code", "details", "message", "service"]);
            }
            _ => {
                assert!(result["error"].is_null(), "{i}");
                assert_eq!(result["fill_count"], "0.00");
                assert_eq!(result["remaining_count"], "10.00");
                assert!(result["ts_ms"].is_u64());
                assert!(result["average_fill_price"].is_null());
                assert!(result["average_fee_paid"].is_null());
                let id = result["order_id"].as_str().unwrap();
                let resting = api.get(&format!("/portfolio/orders/{id}")).await.json();
                assert_eq!(resting["order"]["status"], "resting");
            }
        }
    }
    assert_eq!(results[0]["error"]["code"], "market_not_found");
    assert_eq!(results[3]["error"]["code"], "invalid_parameters");
}

#[tokio::test]
async fn batch_items_are_validated_like_single_creates() {
    let api = Api::start(Config::new()).await;
    let mut missing = order(TICKER);
    missing.as_object_mut().unwrap().remove("price");
    let cases = [
        (order("NO-SUCH-MARKET"), 404, "market_not_found"),
        (missing, 400, "invalid_parameters"),
        (json!("not an object"), 400, "invalid_parameters"),
    ];
    for (item, status, code) in cases {
        let single = api.post("/portfolio/events/orders", &item).await;
        assert_eq!(single.status, status, "{item}");
        let batched = api.post(CREATE, &json!({ "orders": [item] })).await;
        assert_eq!(batched.status, 201);
        let error = &batched.json()["orders"][0]["error"];
        assert_eq!(single.json()["error"], *error, "{item}");
        assert_eq!(error["code"], code);
    }
}

#[tokio::test]
async fn oversize_and_empty_batches_are_400() {
    let api = Api::start(Config::new().max_batch_size(3)).await;
    let cancel = |n: usize| json!({ "orders": vec![json!({"order_id": "x"}); n] });
    let create = |n: usize| json!({ "orders": vec![order(TICKER); n] });
    for n in [0, 4] {
        let replies = [
            api.post(CREATE, &create(n)).await,
            api.delete(CREATE, Some(&cancel(n))).await,
        ];
        for reply in replies {
            assert_eq!(reply.status, 400, "{n}: {}", reply.text);
            assert_eq!(reply.json()["error"]["code"], "invalid_parameters");
        }
    }
    assert_eq!(api.post(CREATE, &create(3)).await.status, 201);
    assert_eq!(api.delete(CREATE, Some(&cancel(3))).await.status, 200);
    // Nothing was created by the refused batches: 3 orders, the ones from the accepted batch.
    let ids = api.post(CREATE, &create(1)).await.json()["orders"][0]["order_id"].clone();
    assert!(ids.as_str().unwrap().ends_with("000000000004"), "{ids}");
}

#[tokio::test]
async fn the_default_batch_limit_is_20() {
    let api = Api::start(Config::new()).await;
    let create = |n: usize| json!({ "orders": vec![order(TICKER); n] });
    assert_eq!(api.post(CREATE, &create(20)).await.status, 201);
    assert_eq!(api.post(CREATE, &create(21)).await.status, 400);
}

#[tokio::test]
async fn batch_cancel_reports_each_failure_as_an_error_response() {
    let api = Api::start(Config::new()).await;
    let created = api
        .post(CREATE, &json!({ "orders": [order(TICKER)] }))
        .await;
    let id = created.json()["orders"][0]["order_id"].clone();
    let body = json!({ "orders": [{"order_id": id}, {"order_id": "nope"}, {"order_id": id}] });
    let reply = api.delete(CREATE, Some(&body)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.json()["orders"].clone();
    assert_eq!(results[0]["reduced_by"], "10.00");
    assert!(results[0].get("error").is_none_or(Value::is_null));
    assert_eq!(results[1]["error"]["code"], "not_found");
    assert_eq!(results[2]["error"]["code"], "order_not_resting");
    for i in [1, 2] {
        assert!(results[i]["error"]["service"].is_string(), "{i}");
        assert!(results[i]["error"]["details"].is_string(), "{i}");
    }
    let missing_id = json!({ "orders": [{"order_id": id}, {}] });
    assert_eq!(api.delete(CREATE, Some(&missing_id)).await.status, 400);
}

//! `GET /markets` with many markets: cursor pagination, limits, and the repeating-cursor mode.

mod common;

use common::Api;
use kalshi_test_exchange::Config;
use std::collections::HashSet;

/// Walks every page of `GET /markets?{query}`: the tickers in order and the number of pages.
async fn walk(api: &Api, query: &str) -> (Vec<String>, usize) {
    let mut tickers = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let reply = api.get(&format!("/markets?{query}&cursor={cursor}")).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json();
        pages += 1;
        for m in page["markets"].as_array().unwrap() {
            tickers.push(m["ticker"].as_str().unwrap().to_string());
        }
        cursor = page["cursor"].as_str().unwrap().to_string();
        if cursor.is_empty() {
            return (tickers, pages);
        }
        assert!(pages < 100, "pagination does not end");
    }
}

/// The tickers `Config::market_count(n)` documents.
fn expected_tickers(n: usize) -> Vec<String> {
    let named = [
        "KXHIGHNY-26JAN01-T60",
        "KXHIGHNY-26JAN01-T65",
        "KXBTC-26DEC31-B100000",
    ];
    named
        .iter()
        .map(|t| t.to_string())
        .chain((3..).map(|i| format!("KXTEST-26DEC31-M{i:05}")))
        .take(n)
        .collect()
}

fn assert_all_in_order(tickers: &[String], n: usize) {
    assert_eq!(tickers.len(), n);
    assert_eq!(
        tickers.iter().collect::<HashSet<_>>().len(),
        n,
        "duplicates"
    );
    assert_eq!(tickers, expected_tickers(n));
}

#[tokio::test]
async fn five_thousand_markets_page_in_order_with_limit_1000() {
    let api = Api::start(Config::new().market_count(5000)).await;
    let (tickers, pages) = walk(&api, "limit=1000").await;
    assert_eq!(pages, 5);
    assert_all_in_order(&tickers, 5000);
}

#[tokio::test]
async fn five_thousand_markets_page_in_order_with_the_default_limit() {
    let api = Api::start(Config::new().market_count(5000)).await;
    let (tickers, pages) = walk(&api, "").await;
    assert_eq!(pages, 50);
    assert_all_in_order(&tickers, 5000);
    // `limit=0` means the default too.
    let page = api.get("/markets?limit=0").await.json();
    assert_eq!(page["markets"].as_array().unwrap().len(), 100);
}

#[tokio::test]
async fn synthetic_markets_are_full_markets_and_can_be_fetched_and_traded() {
    let api = Api::start(Config::new().market_count(10)).await;
    let named = api.get("/markets/KXHIGHNY-26JAN01-T60").await.json();
    let synthetic = api.get("/markets/KXTEST-26DEC31-M00007").await.json();
    let fields = |m: &serde_json::Value| {
        let mut keys: Vec<String> = m["market"].as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(fields(&synthetic), fields(&named));
    assert_eq!(synthetic["market"]["event_ticker"], "KXTEST-26DEC31");
    assert_eq!(api.get("/markets/KXTEST-26DEC31-M00010").await.status, 404);

    let created = api
        .post(
            "/portfolio/events/orders",
            &common::order("KXTEST-26DEC31-M00009"),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
}

#[tokio::test]
async fn fewer_than_three_markets_keeps_the_first_named_ones() {
    let api = Api::start(Config::new().market_count(2)).await;
    let (tickers, pages) = walk(&api, "limit=1").await;
    assert_eq!(pages, 2);
    assert_all_in_order(&tickers, 2);
}

#[tokio::test]
async fn the_event_filter_pages_over_matching_markets_only() {
    let api = Api::start(Config::new().market_count(250)).await;
    let (tickers, pages) = walk(&api, "limit=100&event_ticker=KXTEST-26DEC31").await;
    assert_eq!(pages, 3);
    assert_eq!(tickers, expected_tickers(250)[3..]);
    let (tickers, _) = walk(&api, "limit=1&event_ticker=KXHIGHNY-26JAN01").await;
    assert_eq!(tickers, expected_tickers(2));
}

#[tokio::test]
async fn bad_limits_and_cursors_are_400() {
    let api = Api::start(Config::new()).await;
    assert_eq!(api.get("/markets?limit=1000").await.status, 200);
    for query in ["limit=1001", "cursor=nonsense"] {
        let reply = api.get(&format!("/markets?{query}")).await;
        assert_eq!(reply.status, 400, "{query}");
        assert_eq!(
            reply.json()["error"]["code"],
            "invalid_parameters",
            "{query}"
        );
    }
}

#[tokio::test]
async fn repeat_cursor_mode_answers_the_cursor_it_was_given() {
    let api = Api::start(Config::new().market_count(1000).repeat_cursor_after(2)).await;
    let first = api.get("/markets?limit=10").await.json();
    let c1 = first["cursor"].as_str().unwrap().to_string();
    let second = api
        .get(&format!("/markets?limit=10&cursor={c1}"))
        .await
        .json();
    let c2 = second["cursor"].as_str().unwrap().to_string();
    assert_ne!(c2, c1, "the first two pages advance");
    assert_ne!(second["markets"][0], first["markets"][0]);
    for _ in 0..3 {
        let stuck = api
            .get(&format!("/markets?limit=10&cursor={c2}"))
            .await
            .json();
        assert_eq!(stuck["cursor"], c2.as_str(), "the cursor stops advancing");
        assert_eq!(stuck["markets"].as_array().unwrap().len(), 10);
    }
    // Even past the last market the cursor stays non-empty.
    let api = Api::start(Config::new().market_count(3).repeat_cursor_after(1)).await;
    let first = api.get("/markets?limit=2").await.json();
    let c1 = first["cursor"].as_str().unwrap().to_string();
    let last = api
        .get(&format!("/markets?limit=2&cursor={c1}"))
        .await
        .json();
    assert_eq!(last["cursor"], c1.as_str());
}

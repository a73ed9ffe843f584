//! Realistic WebSocket frames for the WebSocket benches: the `orderbook_delta`, `ticker` and
//! `trade` messages of a busy feed, in the shapes Kalshi sends (fixed-point strings, `ts_ms`).

/// `n` frames: 60% `orderbook_delta` (sid 1), 25% `ticker` (sid 2, no `seq`, as the spec has
/// it), 15% `trade` (sid 3), over 20 markets, with consecutive `seq` per sid.
pub fn frames(n: usize) -> Vec<String> {
    let mut rng = fastrand::Rng::with_seed(42);
    let (mut book_seq, mut trade_seq) = (0u64, 0u64);
    (0..n)
        .map(|i| {
            let market = format!("KXHIGHNY-26JAN01-T{}", 40 + (i * 7) % 20);
            let id = "9b0f6b43-5b68-4f9f-9f02-9a2d1b8ac1a1";
            let ts = 1_767_225_600_000u64 + i as u64 * 13;
            let cents = rng.u32(1..99);
            let roll = rng.u32(0..100);
            if roll < 60 {
                book_seq += 1;
                let side = if rng.bool() { "yes" } else { "no" };
                let delta = rng.i32(-500..500);
                format!(
                    r#"{{"type":"orderbook_delta","sid":1,"seq":{book_seq},"msg":{{"market_ticker":"{market}","market_id":"{id}","price_dollars":"0.{cents:02}00","delta_fp":"{delta}.00","side":"{side}","ts":"2026-01-01T00:00:00Z","ts_ms":{ts}}}}}"#
                )
            } else if roll < 85 {
                let size = rng.u32(1..5000);
                format!(
                    r#"{{"type":"ticker","sid":2,"msg":{{"market_id":"{id}","market_ticker":"{market}","price_dollars":"0.{cents:02}00","yes_bid_dollars":"0.{:02}00","yes_ask_dollars":"0.{:02}00","volume_fp":"{}.00","open_interest_fp":"{}.00","dollar_volume":{},"dollar_open_interest":{},"yes_bid_size_fp":"{size}.00","yes_ask_size_fp":"{}.00","last_trade_size_fp":"3.00","ts":{},"ts_ms":{ts},"time":"2026-01-01T00:00:00Z"}}}}"#,
                    cents.saturating_sub(1).max(1),
                    (cents + 1).min(99),
                    100_000 + i,
                    50_000 + i,
                    60_000 + i,
                    30_000 + i,
                    size + 7,
                    ts / 1000
                )
            } else {
                trade_seq += 1;
                let count = rng.u32(1..300);
                format!(
                    r#"{{"type":"trade","sid":3,"seq":{trade_seq},"msg":{{"trade_id":"d91bc706-ee49-470d-82d8-11418bda6f{:02x}","market_ticker":"{market}","yes_price_dollars":"0.{cents:02}00","no_price_dollars":"0.{:02}00","count_fp":"{count}.00","taker_side":"yes","taker_outcome_side":"yes","taker_book_side":"bid","is_block_trade":false,"ts":{},"ts_ms":{ts}}}}}"#,
                    i % 256,
                    100 - cents,
                    ts / 1000
                )
            }
        })
        .collect()
}

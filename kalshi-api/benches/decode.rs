//! Decoding a full `GetMarkets` page (1,000 markets, every property the spec lists): the SDK's typed
//! decoding, exactly as the client runs it, against parsing the same bytes into `serde_json::Value`.
//!
//! `cargo bench -p kalshi-api --bench decode` (`bench/run.py` runs it and reads criterion's
//! estimates).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kalshi_api::operation::Operation;
use kalshi_api::{ops, types};
use serde_json::Value;
use std::hint::black_box;
use std::time::Duration;
use support::{page_body, PAGE_SIZE};

mod support;

fn decode(c: &mut Criterion) {
    let body = page_body();
    // The page must decode whole, or the comparison means nothing.
    let decoded = <ops::GetMarkets as Operation>::decode(&body).unwrap();
    assert_eq!(decoded.markets.len(), PAGE_SIZE);

    let mut g = c.benchmark_group("decode_get_markets_1000");
    g.throughput(Throughput::Bytes(body.len() as u64));
    g.measurement_time(Duration::from_secs(8));
    g.sample_size(60);
    // What the client runs on a 2xx body: typed decoding that records the failing field's path.
    g.bench_function("sdk_typed", |b| {
        b.iter(|| <ops::GetMarkets as Operation>::decode(black_box(&body)).unwrap())
    });
    // The same types without path tracking: what the path costs.
    g.bench_function("serde_json_typed", |b| {
        b.iter(|| serde_json::from_slice::<types::GetMarketsResponse>(black_box(&body)).unwrap())
    });
    // The untyped baseline.
    g.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_slice::<Value>(black_box(&body)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);

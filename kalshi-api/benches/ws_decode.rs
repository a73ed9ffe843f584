//! Decoding 1,000 realistic WebSocket frames (`orderbook_delta`, `ticker`, `trade`): the session's
//! decoding (`ws::decode_frame`: the frame checked to be UTF-8, its envelope read by hand, `msg`
//! decoded straight into the generated type) against parsing the same bytes into
//! `serde_json::Value`.
//!
//! `cargo bench -p kalshi-api --bench ws_decode` (`bench/run.py` runs it).

use bytes::Bytes;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kalshi_api::ws::{decode_frame, ServerMessage};
use serde_json::Value;
use std::hint::black_box;
use std::time::Duration;

#[path = "ws_support/frames.rs"]
mod ws_frames;

fn decode(c: &mut Criterion) {
    let frames: Vec<Bytes> = ws_frames::frames(1000)
        .into_iter()
        .map(Bytes::from)
        .collect();
    let bytes: usize = frames.iter().map(Bytes::len).sum();
    // Every frame must decode into its own type, or the comparison means nothing.
    for f in &frames {
        let r = decode_frame::<ServerMessage>(f).unwrap();
        assert!(
            matches!(
                r.message,
                ServerMessage::OrderbookDelta(_)
                    | ServerMessage::Ticker(_)
                    | ServerMessage::Trade(_)
            ),
            "{:?}",
            r.message
        );
    }
    let mut g = c.benchmark_group("ws_decode_1000_frames");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.measurement_time(Duration::from_secs(6));
    g.bench_function("sdk_typed", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(decode_frame::<ServerMessage>(black_box(f)).unwrap());
            }
        })
    });
    g.bench_function("serde_json_value", |b| {
        b.iter(|| {
            for f in &frames {
                black_box(serde_json::from_slice::<Value>(black_box(f)).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);

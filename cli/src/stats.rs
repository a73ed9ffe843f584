//! `kalshi replay DIR --stats`: what a recording holds, as JSON: messages per channel and per
//! market, gaps, repeats, disconnects and reconnects, and the time span.

use crate::{progress, Failure};
use kalshi_api::record::{Replay, Replayed};
use kalshi_api::ws::{Event, ServerMessage};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Default)]
struct Counts {
    channels: BTreeMap<String, u64>,
    markets: BTreeMap<String, u64>,
    gaps: u64,
    repeats: u64,
    disconnects: u64,
    reconnects: u64,
    snapshot_requests: u64,
    malformed: u64,
    undecoded: u64,
    first_ns: Option<u64>,
    last_ns: Option<u64>,
}

impl Counts {
    fn add(&mut self, replayed: &Replayed<ServerMessage>) {
        self.first_ns.get_or_insert(replayed.wall_ns);
        self.last_ns = Some(self.last_ns.unwrap_or(0).max(replayed.wall_ns));
        match &replayed.event {
            Event::Message(received) => {
                *self.channels.entry(kind(&received.raw)).or_default() += 1;
                if let Some(market) = market(&received.raw) {
                    *self.markets.entry(market).or_default() += 1;
                }
            }
            Event::SequenceGap { .. } => self.gaps += 1,
            Event::SequenceRepeat { .. } => self.repeats += 1,
            Event::Disconnected { .. } => self.disconnects += 1,
            Event::Reconnected { .. } => self.reconnects += 1,
            Event::SnapshotRequested { .. } => self.snapshot_requests += 1,
            Event::Malformed { .. } => self.malformed += 1,
            Event::DecodeFailed { .. } => self.undecoded += 1,
            _ => {}
        }
    }
}

/// The frame's `type`.
fn kind(raw: &[u8]) -> String {
    let frame: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
    frame["type"].as_str().unwrap_or("?").to_string()
}

/// The frame's `msg.market_ticker`, when it has one.
fn market(raw: &[u8]) -> Option<String> {
    let frame: Value = serde_json::from_slice(raw).ok()?;
    frame["msg"]["market_ticker"].as_str().map(str::to_string)
}

/// Prints the recording's figures.
pub fn print(dir: &Path) -> Result<(), Failure> {
    let mut replay = Replay::<ServerMessage>::open(dir)?;
    let bar = progress::spinner("reading");
    let mut counts = Counts::default();
    for (n, replayed) in replay.by_ref().enumerate() {
        counts.add(&replayed);
        if n % 10_000 == 0 {
            bar.set_message(format!("{n} events"));
        }
    }
    bar.finish_and_clear();
    let stats = replay.stats();
    let time = |ns: Option<u64>| {
        ns.map(|ns| chrono::DateTime::from_timestamp_nanos(ns as i64).to_rfc3339())
    };
    let span = counts.last_ns.unwrap_or(0) - counts.first_ns.unwrap_or(0);
    let out = json!({
        "frames": stats.frames, "events": stats.events, "records": stats.records,
        "channels": counts.channels, "markets": counts.markets,
        "gaps": counts.gaps, "repeats": counts.repeats, "disconnects": counts.disconnects,
        "reconnects": counts.reconnects, "snapshot_requests": counts.snapshot_requests,
        "malformed": counts.malformed, "undecoded": counts.undecoded,
        "first": time(counts.first_ns), "last": time(counts.last_ns),
        "span_seconds": span as f64 / 1e9,
        "lost": stats.lost, "sequence_mismatches": stats.mismatches,
        "truncated": stats.truncated.as_ref().map(|(p, at)| format!("{} at byte {at}", p.display())),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}

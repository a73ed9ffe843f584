//! A field read as its default is warned about once per type and field through `tracing`, and every
//! read is counted (`kalshi_api::drift`). Alone in its test binary: the warning's call site and
//! the counters are global to the process.

use bytes::Bytes;
use kalshi_api::drift::defaulted_fields;
use kalshi_api::ws::{decode_frame, ServerMessage};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

fn count(type_name: &str, field: &str) -> u64 {
    defaulted_fields()
        .iter()
        .find(|d| d.type_name == type_name && d.field == field)
        .map_or(0, |d| d.count)
}

/// Decodes one WebSocket frame.
fn frame(text: &str) -> ServerMessage {
    let frame = Bytes::copy_from_slice(text.as_bytes());
    decode_frame::<ServerMessage>(&frame)
        .unwrap_or_else(|e| panic!("{e}: {text}"))
        .message
}

/// The `type_name` and `field` of each "read as its default" warning, counted.
#[derive(Clone, Default)]
struct Warnings(Arc<Mutex<BTreeMap<(String, String), usize>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Warnings {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        #[derive(Default)]
        struct Fields(BTreeMap<String, String>);
        impl tracing::field::Visit for Fields {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.insert(field.name().to_string(), value.to_string());
            }
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0
                    .insert(field.name().to_string(), format!("{value:?}"));
            }
        }
        let mut fields = Fields::default();
        event.record(&mut fields);
        let is_default = fields
            .0
            .get("message")
            .is_some_and(|m| m.contains("read as its default"));
        if is_default && *event.metadata().level() == tracing::Level::WARN {
            let key = (fields.0["type_name"].clone(), fields.0["field"].clone());
            *self.0.lock().unwrap().entry(key).or_default() += 1;
        }
    }
}

#[test]
fn a_defaulted_field_is_warned_about_once_per_type_and_field() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let warnings = Warnings::default();
    let subscriber = tracing_subscriber::registry().with(warnings.clone());
    // The process's only subscriber, set before any event: tracing caches per call site whether
    // anyone listens, and a subscriber set for one thread can lose that race with another test's
    // thread (this file holds one test for that reason).
    tracing::subscriber::set_global_default(subscriber).unwrap();

    // Three trades lacking two fields, two RFQ deletions lacking one: a warning per type and
    // field, and every read counted.
    let trade = r#"{"type":"trade","sid":5,"msg":{"trade_id":"d91bc706-ee49-470d-82d8-11418bda6fed","market_ticker":"KX-A","yes_price_dollars":"","no_price_dollars":"0.5800","count_fp":"","taker_book_side":"bid"}}"#;
    let deleted = r#"{"type":"rfq_deleted","sid":6,"msg":{"id":"rfq-1","creator_id":"c","market_ticker":"KX-A","deleted_ts":""}}"#;
    for _ in 0..3 {
        assert!(matches!(frame(trade), ServerMessage::Trade(_)));
    }
    for _ in 0..2 {
        assert!(matches!(frame(deleted), ServerMessage::RfqDeleted(_)));
    }
    let warned = warnings.0.lock().unwrap().clone();
    let key = |t: &str, f: &str| (t.to_string(), f.to_string());
    assert_eq!(warned.get(&key("Trade", "yes_price_dollars")), Some(&1));
    assert_eq!(warned.get(&key("Trade", "count_fp")), Some(&1));
    assert_eq!(warned.get(&key("RfqDeleted", "deleted_ts")), Some(&1));
    assert_eq!(warned.get(&key("Trade", "no_price_dollars")), None, "sent");
    assert_eq!(count("Trade", "yes_price_dollars"), 3);
    assert_eq!(count("Trade", "count_fp"), 3);
    assert_eq!(count("RfqDeleted", "deleted_ts"), 2);
}

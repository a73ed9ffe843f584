//! What the exchange knows about the WebSocket protocol, read from `spec/asyncapi.yaml` at build
//! time (`build.rs`): the channel names and the `x-error-codes` table, so they follow the spec.
//! A channel or code the exchange names that the spec drops no longer compiles.

// The spec lists more channels and codes than the exchange serves or sends.
#![allow(dead_code)]

include!(concat!(env!("OUT_DIR"), "/spec.rs"));

/// The spec's name for an error code (`x-error-codes`); `Error` for a code it does not list.
pub(crate) fn error_text(code: u32) -> &'static str {
    ERROR_CODES
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("Error", |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tables_come_from_the_spec() {
        assert!(CHANNELS.contains(&"orderbook_delta"), "{CHANNELS:?}");
        assert!(!CHANNELS.iter().any(|c| c.starts_with('/')), "{CHANNELS:?}");
        assert_eq!(channel::MARKET_LIFECYCLE_V2, "market_lifecycle_v2");
        assert_eq!(
            error_text(code::SUBSCRIPTION_BUFFER_OVERFLOW),
            "Subscription buffer overflow"
        );
        assert_eq!(code::UNKNOWN_SUBSCRIPTION_ID, 7);
        assert_eq!(error_text(6), "Error", "6 is not in the spec");
    }
}

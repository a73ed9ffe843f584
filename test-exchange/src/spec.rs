//! What the exchange knows about the WebSocket protocols, read from `spec/asyncapi.yaml` and
//! `spec/perps/asyncapi.yaml` at build time (`build.rs`): the channel names, the error codes and
//! the sequenced message types, and the perps REST operations' rate-limit notes, so they follow
//! the specs. A channel or code the exchange names that a spec drops no longer compiles.

// The specs list more channels and codes than the exchange serves or sends.
#![allow(dead_code)]

include!(concat!(env!("OUT_DIR"), "/spec.rs"));

/// The perps specs' tables (`spec/perps/`), named as the event-contract ones.
pub(crate) mod perps {
    include!(concat!(env!("OUT_DIR"), "/perps_spec.rs"));
}

/// The spec's name for an error code (`x-error-codes`); `Error` for a code it does not list.
pub(crate) fn error_text(code: u32) -> &'static str {
    text_in(ERROR_CODES, code)
}

/// The name `table` gives `code`; `Error` for a code it does not list.
pub(crate) fn text_in(table: &[(u32, &'static str)], code: u32) -> &'static str {
    table
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
        assert!(SEQUENCED.contains(&"orderbook_delta") && !SEQUENCED.contains(&"ticker"));
    }

    #[test]
    fn the_perps_tables_come_from_the_perps_spec() {
        assert_eq!(
            perps::CHANNELS,
            [
                "orderbook_delta",
                "ticker",
                "trade",
                "fill",
                "user_orders",
                "order_group_updates"
            ]
        );
        assert!(perps::SEQUENCED.contains(&"order_group_updates"));
        assert!(!perps::SEQUENCED.contains(&"fill"));
        // The perps spec lists bare codes; their names are the event-contract spec's.
        assert_eq!(text_in(perps::ERROR_CODES, 7), error_text(7));
        assert_eq!(text_in(perps::ERROR_CODES, 6), "Error", "6 is retired");
        assert_eq!(
            perps::RATE_LIMIT_NOTES
                .iter()
                .find(|(m, p, _, _)| *m == "GET" && *p == "/margin/balance"),
            Some(&(
                "GET",
                "/margin/balance",
                5,
                Some(("compute_available_balance", "true", 50))
            ))
        );
    }

    #[test]
    fn every_code_a_command_answers_is_a_perps_code() {
        for code in [
            code::UNABLE_TO_PROCESS_MESSAGE,
            code::PARAMS_REQUIRED,
            code::CHANNELS_REQUIRED,
            code::SUBSCRIPTION_IDS_REQUIRED,
            code::UNKNOWN_COMMAND,
            code::UNKNOWN_SUBSCRIPTION_ID,
            code::UNKNOWN_CHANNEL_NAME,
            code::MARKET_TICKER_REQUIRED,
            code::ACTION_REQUIRED,
            code::UNSUPPORTED_ACTION,
            code::INVALID_PARAMETER,
            code::EXACTLY_ONE_SUBSCRIPTION_ID_IS_REQUIRED,
        ] {
            assert!(
                perps::ERROR_CODES.iter().any(|(c, _)| *c == code),
                "{code} ({}) is not in the perps spec",
                error_text(code)
            );
        }
    }
}

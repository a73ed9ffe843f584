//! The exchange's clock: Unix milliseconds for timestamps and the signature check, RFC 3339 text
//! for the frames that carry a time as text.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_millis() as u64
}

/// RFC 3339 in UTC, whole seconds (`2022-11-22T20:44:01Z`).
pub(crate) fn rfc3339(ms: u64) -> String {
    let time = i64::try_from(ms)
        .ok()
        .and_then(chrono::DateTime::from_timestamp_millis)
        .expect("a time chrono can represent");
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    #[test]
    fn rfc3339_matches_the_spec_example() {
        assert_eq!(super::rfc3339(1_669_149_841_000), "2022-11-22T20:44:01Z");
        assert_eq!(super::rfc3339(0), "1970-01-01T00:00:00Z");
    }
}

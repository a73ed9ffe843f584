//! Per-operation rate-limit costs, read from the prose Kalshi puts in each operation's
//! documentation: `**Rate limit:** 2 tokens per request` or `**Rate limit:** 10 tokens per order
//! in the batch`. An operation without such a sentence costs the default (10 tokens).

use crate::ir::Cost;

/// The marker that starts a cost sentence (Markdown emphasis removed first).
const MARKER: &str = "Rate limit:";

/// Reads the cost stated in `text`.
///
/// `Ok(None)` when `text` states no cost; `Err` with what was expected when it has the marker but
/// not a sentence of a known form, so that the caller can warn about a rewording in a new spec
/// rather than fall back to the default silently.
pub fn parse(text: &str) -> Result<Option<Cost>, String> {
    let plain = text.replace("**", "");
    let Some(at) = plain.find(MARKER) else {
        return Ok(None);
    };
    let rest = plain[at + MARKER.len()..].trim_start();
    let sentence: String = rest.chars().take(80).collect();
    let expected = || {
        format!(
            "`Rate limit: {sentence}…`: expected `Rate limit: N tokens per request` or \
             `Rate limit: N tokens per <item> in the batch`"
        )
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let tokens: u32 = rest[..digits].parse().map_err(|_| expected())?;
    // Words only: punctuation and markup around them (`request.</Note>`) are not part of the rule.
    let words: Vec<&str> = rest[digits..]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(6)
        .collect();
    match words.as_slice() {
        ["tokens" | "token", "per", "request", ..] => Ok(Some(Cost::PerRequest(tokens))),
        ["tokens" | "token", "per", item, "in", "the", "batch"] if *item != "request" => {
            Ok(Some(Cost::PerItem(tokens)))
        }
        _ => Err(expected()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_kalshis_sentences() {
        let cases = [
            (
                "<Note>\n**Rate limit:** 2 tokens per request. See `GET /x` for costs.\n</Note>",
                Some(Cost::PerRequest(2)),
            ),
            (
                "**Rate limit:** 2 tokens per request, the same cost as cancelling one order.",
                Some(Cost::PerRequest(2)),
            ),
            (
                "**Rate limit:** 10 tokens per order in the batch — billed per item, so N × 10.",
                Some(Cost::PerItem(10)),
            ),
            (
                "**Rate limit:** 30 tokens per request.",
                Some(Cost::PerRequest(30)),
            ),
            (
                "<Note>**Rate limit:** 10 tokens per request.</Note>",
                Some(Cost::PerRequest(10)),
            ),
            (
                "Rate limits are more favorable when providing the RFQ ID.",
                None,
            ),
            ("No cost here.", None),
            ("", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse(text), Ok(want), "{text}");
        }
    }

    #[test]
    fn an_unknown_wording_is_an_error_that_quotes_it() {
        for text in [
            "**Rate limit:** cheap.",
            "**Rate limit:** 5 tokens per second.",
            "**Rate limit:** 99999999999 tokens per request.",
            "**Rate limit:** 3 tokens per order.",
        ] {
            let err = parse(text).expect_err(text);
            assert!(
                err.contains("expected `Rate limit: N tokens per request`"),
                "{err}"
            );
        }
    }
}

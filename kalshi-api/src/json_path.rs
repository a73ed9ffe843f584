//! Where in a JSON document a decoding error happened, as a path (`markets[3].status`).
//!
//! `serde_json` reports the line and column of an error, not the field. Rather than decode every
//! body with a path-tracking wrapper (slower on every success, and a second instantiation of every
//! `Deserialize` impl to compile), the client decodes with plain `serde_json` and, only when that
//! fails, walks the raw bytes up to the error's position to name the field there. The walk is one
//! non-generic function.

/// One open container on the way to the error.
enum Frame<'a> {
    /// An object and the key of its current member, once read.
    Object(Option<&'a [u8]>),
    /// An array, the index of its current element, and whether that element has begun.
    Array(usize, bool),
}

/// The path of the value `error` (from decoding `json`) is about.
pub(crate) fn path_of_error(json: &[u8], error: &serde_json::Error) -> String {
    let offset = offset_of(json, error.line(), error.column());
    // serde's message for a missing field: the error is about the object that just closed.
    let closes = error.to_string().starts_with("missing field");
    path_at(json, offset, closes)
}

/// The path of the value at byte `offset` of `json`: keys joined with `.`, array indices in
/// brackets, `.` for the root.
///
/// The walk stops just before `offset`, with two exceptions unless `closes` (the error is about
/// the container that just ended, such as a missing field):
/// - `serde_json` reports a container of the wrong kind (an array where an object belongs) at its
///   opening bracket, before reading it: that bracket is walked, so the value it opens is named;
/// - otherwise it reports a bad value one byte past it, so a comma or closing bracket right at the
///   end is not walked: it would close the value's container.
pub(crate) fn path_at(json: &[u8], offset: usize, closes: bool) -> String {
    let mut end = offset.min(json.len());
    if !closes && end < json.len() && matches!(json[end], b'{' | b'[') {
        end += 1;
    } else if !closes && end > 0 && matches!(json[end - 1], b',' | b'}' | b']') {
        end -= 1;
    }
    let mut stack: Vec<Frame<'_>> = Vec::new();
    let mut expecting_key = false;
    let mut i = 0;
    while i < end {
        let b = json[i];
        match b {
            b'{' | b'[' => {
                begin_value(&mut stack);
                if b == b'{' {
                    stack.push(Frame::Object(None));
                    expecting_key = true;
                } else {
                    stack.push(Frame::Array(0, false));
                }
            }
            b'}' | b']' => {
                stack.pop();
                expecting_key = false;
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index, started)) => {
                    *index += 1;
                    *started = false;
                }
                Some(Frame::Object(_)) => expecting_key = true,
                None => {}
            },
            b'"' => {
                let start = i + 1;
                i = start;
                while i < json.len() && json[i] != b'"' {
                    i += if json[i] == b'\\' { 2 } else { 1 };
                }
                match stack.last_mut() {
                    Some(Frame::Object(key)) if expecting_key => {
                        *key = Some(&json[start..i.min(json.len())]);
                        expecting_key = false;
                    }
                    _ => begin_value(&mut stack),
                }
            }
            b':' | b' ' | b'\t' | b'\n' | b'\r' => {}
            _ => begin_value(&mut stack),
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&String::from_utf8_lossy(key));
            }
            Frame::Array(index, true) => {
                path.push('[');
                path.push_str(itoa::Buffer::new().format(*index));
                path.push(']');
            }
            Frame::Object(None) | Frame::Array(_, false) => {}
        }
    }
    if path.is_empty() {
        path.push('.');
    }
    path
}

/// A value begins: inside an array, its current element has begun.
fn begin_value(stack: &mut [Frame<'_>]) {
    if let Some(Frame::Array(_, started)) = stack.last_mut() {
        *started = true;
    }
}

/// The byte offset of a 1-based `line` and a `column` counted in bytes from the line's start, as
/// `serde_json::Error` reports them.
pub(crate) fn offset_of(json: &[u8], line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        json.iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(line - 2)
            .map_or(json.len(), |(i, _)| i + 1)
    };
    line_start.saturating_add(column)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The path `serde_json` decoding into `T` fails at.
    fn failing_path<T: serde::de::DeserializeOwned + std::fmt::Debug>(json: &str) -> String {
        let e = serde_json::from_str::<T>(json).unwrap_err();
        path_of_error(json.as_bytes(), &e)
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Page {
        cursor: String,
        markets: Vec<Market>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Market {
        ticker: String,
        volume: u32,
        #[serde(default)]
        ranges: Vec<Range>,
        #[serde(default)]
        tags: Vec<String>,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Range {
        step: String,
    }

    #[test]
    fn names_the_failing_field_wherever_it_is() {
        let cases = [
            // A bad value in the middle, at the end, and after escapes and nesting.
            (r#"{"cursor":"c","markets":[{"ticker":"a","volume":1},{"ticker":"b","volume":"x"}]}"#, "markets[1].volume"),
            (r#"{"cursor":"c","markets":[{"volume":"x","ticker":"b"}]}"#, "markets[0].volume"),
            (r#"{"cursor":"c\"}]","markets":[{"ticker":"a\\","volume":-1}]}"#, "markets[0].volume"),
            (r#"{"cursor":"c","markets":[{"ticker":"a","volume":1,"ranges":[{"step":"s"},{"step":2}]}]}"#, "markets[0].ranges[1].step"),
            // A wrong kind of container, and a missing field (reported at its object).
            (r#"{"cursor":"c","markets":[{"ticker":{"x":1},"volume":1}]}"#, "markets[0].ticker"),
            (r#"{"cursor":"c","markets":{"ticker":"a"}}"#, "markets"),
            (r#"{"cursor":"c","markets":[{"ticker":"a","volume":1,"tags":[{"t":1}]}]}"#, "markets[0].tags[0]"),
            (r#"{"cursor":"c","markets":[{"ticker":"a","volume":1,"tags":["t", ["u"]]}]}"#, "markets[0].tags[1]"),
            (r#"{"cursor":"c","markets":[{"ticker":"a","volume":1},{"ticker":"b"},{"ticker":"c","volume":3}]}"#, "markets[1]"),
            // Pretty-printed, over several lines.
            ("{\n  \"cursor\": \"c\",\n  \"markets\": [\n    {\"ticker\": \"a\", \"volume\": true}\n  ]\n}", "markets[0].volume"),
            // The root.
            (r#"{"markets":[]}"#, "."),
            (r#""x""#, "."),
            (r#"[1]"#, "[0]"),
        ];
        for (json, want) in cases {
            assert_eq!(failing_path::<Page>(json), want, "{json}");
        }
    }

    #[test]
    fn offsets_count_lines_and_columns() {
        let json = b"ab\ncd\nef";
        assert_eq!(offset_of(json, 1, 2), 2);
        assert_eq!(offset_of(json, 2, 1), 4);
        assert_eq!(offset_of(json, 3, 2), 8);
        assert_eq!(offset_of(json, 9, 0), json.len());
        // A position past the end stops at the end.
        assert_eq!(path_at(b"{\"a\":[1,2", 99, false), "a[1]");
    }
}

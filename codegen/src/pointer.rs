//! JSON pointers (RFC 6901), the one way every problem and every model item names its place in a
//! spec: built from tokens, read back from the YAML tree, and recovered from the path
//! `serde_path_to_error` tracked.

use serde_yaml::Value;

/// Escapes one JSON pointer token (`~` and `/`).
pub fn escape(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    push_escaped(&mut out, token);
    out
}

fn push_escaped(out: &mut String, token: &str) {
    if !token.contains(['~', '/']) {
        out.push_str(token);
        return;
    }
    for c in token.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

/// Appends one token to the JSON pointer `at`, in place.
pub fn push_token(at: &mut String, token: &str) {
    at.push('/');
    push_escaped(at, token);
}

/// Undoes [`escape`]: the text of one pointer token.
pub fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

/// Appends tokens to a JSON pointer.
pub fn ptr(base: &str, tokens: &[&str]) -> String {
    let mut out = base.to_string();
    for t in tokens {
        push_token(&mut out, t);
    }
    out
}

/// A mapping key as the text of its pointer token (YAML keys need not be strings).
pub fn key_text(k: &Value) -> String {
    match k {
        Value::String(s) => s.clone(),
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// The value a JSON pointer names in a YAML document.
pub fn lookup<'v>(v: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(v);
    }
    let rest = pointer.strip_prefix('/')?;
    rest.split('/').try_fold(v, |v, token| {
        let token = unescape(token);
        match v {
            Value::Mapping(m) => m.get(token.as_str()),
            Value::Sequence(s) => token.parse::<usize>().ok().and_then(|i| s.get(i)),
            _ => None,
        }
    })
}

/// The JSON pointer of a path `serde_path_to_error` tracked (as far as it could: below an
/// untagged enum such as a `$ref`-or-item position it sees no further).
pub fn of_path(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for segment in path.iter() {
        let token = match segment {
            Segment::Seq { index } => index.to_string(),
            Segment::Map { key } => key.clone(),
            Segment::Enum { variant } => variant.clone(),
            Segment::Unknown => continue,
        };
        out = ptr(&out, &[&token]);
    }
    out
}

//! Reads what the test exchange knows about Kalshi's protocols from the specs, so it cannot drift
//! from them: for each WebSocket spec (`spec/asyncapi.yaml`, `spec/perps/asyncapi.yaml`) the
//! channel names (each data channel's `address`, as the generator reads them), the error codes
//! and the message types that carry a `seq`, written to `$OUT_DIR/spec.rs` and
//! `$OUT_DIR/perps_spec.rs` (see `src/spec.rs`); and from `spec/perps/openapi.yaml` the
//! "Rate limit" notes of its operations.

use serde_yaml::Value;
use std::fmt::Write as _;
use std::path::Path;

const SPEC: &str = "../spec/asyncapi.yaml";
const PERPS: &str = "../spec/perps/asyncapi.yaml";
const PERPS_REST: &str = "../spec/perps/openapi.yaml";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let doc = read(SPEC);
    let codes = x_error_codes(&doc);
    let mut out = String::new();
    channels(SPEC, &doc, &mut out);
    sequenced(SPEC, &doc, &mut out);
    error_codes(&codes, &mut out);
    write("spec.rs", &out);

    let perps = read(PERPS);
    let mut out = String::new();
    channels(PERPS, &perps, &mut out);
    sequenced(PERPS, &perps, &mut out);
    error_codes(&enum_codes(&perps, &codes), &mut out);
    let rest = read(PERPS_REST);
    rate_limit_notes(&rest, &mut out);
    bearer_operations(&rest, &mut out);
    write("perps_spec.rs", &out);
}

fn read(spec: &str) -> Value {
    println!("cargo:rerun-if-changed={spec}");
    let text = std::fs::read_to_string(spec).unwrap_or_else(|e| panic!("reading {spec}: {e}"));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{spec}: {e}"))
}

fn write(name: &str, text: &str) {
    let path = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// `/channels`: the name of each channel a `subscribe` can name is its `address` (its key when it
/// has none); the connection's own channels have addresses starting with `/` and are skipped.
fn channels(spec: &str, doc: &Value, out: &mut String) {
    let all = doc
        .get("channels")
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{spec}: /channels: expected a mapping"));
    let mut names = Vec::new();
    for (key, channel) in all {
        let key = key
            .as_str()
            .unwrap_or_else(|| panic!("{spec}: /channels: a key is not text"));
        let name = match channel.get("address") {
            Some(Value::String(address)) => address.as_str(),
            None | Some(Value::Null) => key,
            Some(_) => panic!("{spec}: /channels/{key}/address: expected a string or null"),
        };
        if !name.is_empty() && !name.starts_with('/') {
            names.push(name.to_string());
        }
    }
    out.push_str("/// Every channel name the spec lists, in its order.\n");
    out.push_str("pub(crate) const CHANNELS: &[&str] = &[\n");
    for name in &names {
        writeln!(out, "    {name:?},").unwrap();
    }
    out.push_str(
        "];\n\n/// Each channel's name, as a constant named after it.\npub(crate) mod channel {\n",
    );
    for name in &names {
        writeln!(
            out,
            "    pub(crate) const {}: &str = {name:?};",
            constant(name)
        )
        .unwrap();
    }
    out.push_str("}\n\n");
}

/// `/components/messages`: the `name` of each message whose payload requires a `seq`.
fn sequenced(spec: &str, doc: &Value, out: &mut String) {
    let messages = doc
        .get("components")
        .and_then(|c| c.get("messages"))
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{spec}: /components/messages: expected a mapping"));
    let mut names: Vec<&str> = Vec::new();
    for (key, message) in messages {
        let payload = message.get("payload").map(|p| resolve(doc, p));
        let required = payload
            .and_then(|p| p.get("required"))
            .and_then(Value::as_sequence);
        if required.is_some_and(|r| r.iter().any(|f| f.as_str() == Some("seq"))) {
            let name = message.get("name").and_then(Value::as_str).or(key.as_str());
            names.extend(name.filter(|n| !names.contains(n)));
        }
    }
    out.push_str("/// The message types whose payload has a `seq` (the sequenced ones).\n");
    out.push_str("pub(crate) const SEQUENCED: &[&str] = &[\n");
    for name in &names {
        writeln!(out, "    {name:?},").unwrap();
    }
    out.push_str("];\n\n");
}

/// `value`, or what its `$ref` (a local JSON pointer) points at.
fn resolve<'a>(doc: &'a Value, value: &'a Value) -> &'a Value {
    let Some(pointer) = value.get("$ref").and_then(Value::as_str) else {
        return value;
    };
    let path = pointer
        .strip_prefix("#/")
        .unwrap_or_else(|| panic!("{pointer}: only local references are read"));
    path.split('/').fold(doc, |v, key| {
        v.get(key)
            .unwrap_or_else(|| panic!("{pointer}: `{key}` not found"))
    })
}

/// `/x-error-codes/codes`: each `{code, name}`.
fn x_error_codes(doc: &Value) -> Vec<(u64, String)> {
    let at = "/x-error-codes/codes";
    let codes = doc
        .get("x-error-codes")
        .and_then(|e| e.get("codes"))
        .and_then(Value::as_sequence)
        .unwrap_or_else(|| panic!("{SPEC}: {at}: expected a list"));
    let mut entries = Vec::new();
    for (i, entry) in codes.iter().enumerate() {
        let code = entry.get("code").and_then(Value::as_u64);
        let name = entry.get("name").and_then(Value::as_str);
        let (Some(code), Some(name)) = (code, name) else {
            panic!("{SPEC}: {at}/{i}: expected an integer `code` and a text `name`");
        };
        entries.push((code, name.to_string()));
    }
    entries
}

/// The perps spec lists its codes as the `enum` of the `error` message's `msg.code` and says its
/// numbering is shared with the event-contract API: each code, named from `named`.
fn enum_codes(doc: &Value, named: &[(u64, String)]) -> Vec<(u64, String)> {
    let messages = doc
        .get("components")
        .and_then(|c| c.get("messages"))
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{PERPS}: /components/messages: expected a mapping"));
    let error = messages
        .values()
        .find(|m| m.get("name").and_then(Value::as_str) == Some("error"))
        .unwrap_or_else(|| panic!("{PERPS}: /components/messages: no message named `error`"));
    let payload = resolve(doc, error.get("payload").unwrap_or(&Value::Null));
    let codes = ["properties", "msg", "properties", "code", "enum"]
        .iter()
        .try_fold(payload, |v, key| v.get(key))
        .and_then(Value::as_sequence)
        .unwrap_or_else(|| panic!("{PERPS}: the `error` payload: expected msg.code.enum"));
    codes
        .iter()
        .map(|c| {
            let code = c
                .as_u64()
                .unwrap_or_else(|| panic!("{PERPS}: msg.code.enum: {c:?} is not an integer"));
            let name = named.iter().find(|(n, _)| *n == code).map(|(_, name)| name);
            let name = name.unwrap_or_else(|| panic!("{PERPS}: code {code}: not in {SPEC}"));
            (code, name.clone())
        })
        .collect()
}

/// Each `{code, name}`, as a table and as constants named after the name.
fn error_codes(entries: &[(u64, String)], out: &mut String) {
    out.push_str(
        "/// The spec's error codes: each code and its name, the text of an `error` reply.\n",
    );
    out.push_str("pub(crate) const ERROR_CODES: &[(u32, &str)] = &[\n");
    for (code, name) in entries {
        writeln!(out, "    ({code}, {name:?}),").unwrap();
    }
    out.push_str(
        "];\n\n/// Each error code, as a constant named after its name.\npub(crate) mod code {\n",
    );
    let mut seen = Vec::new();
    for (code, name) in entries {
        let mut constant = constant(name);
        if seen.contains(&constant) {
            write!(constant, "_{code}").unwrap();
        }
        writeln!(out, "    pub(crate) const {constant}: u32 = {code};").unwrap();
        seen.push(constant);
    }
    out.push_str("}\n\n");
}

/// Each operation's "**Rate limit:** N tokens per request" note (in its description or its
/// `x-mint` content), with an optional ", or M tokens when `param=value`": the method, the path,
/// N, and the parameter, value and M.
fn rate_limit_notes(doc: &Value, out: &mut String) {
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{PERPS_REST}: /paths: expected a mapping"));
    out.push_str(
        "/// An operation's \"Rate limit\" note: method, path, tokens per request, and the query\n",
    );
    out.push_str("/// parameter, value and tokens of an \"or M tokens when `p=v`\" clause.\n");
    out.push_str("pub(crate) type RateLimitNote = (&'static str, &'static str, u32, Option<(&'static str, &'static str, u32)>);\n\n");
    out.push_str("/// The operations' \"Rate limit\" notes.\n");
    out.push_str("pub(crate) const RATE_LIMIT_NOTES: &[RateLimitNote] = &[\n");
    for (path, item) in paths {
        let path = path.as_str().unwrap_or_default();
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let method = method.as_str().unwrap_or_default().to_ascii_uppercase();
            let text = note_text(op);
            if let Some((cost, when)) = text.as_deref().and_then(parse_note) {
                writeln!(out, "    ({method:?}, {path:?}, {cost}, {when:?}),").unwrap();
            }
        }
    }
    out.push_str("];\n");
}

/// The operations one of whose security alternatives is an HTTP bearer scheme alone (the OAuth
/// access token), as `(METHOD, path)`.
fn bearer_operations(doc: &Value, out: &mut String) {
    let bearer: Vec<&str> = doc
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
        .filter(|(_, s)| {
            s.get("type").and_then(Value::as_str) == Some("http")
                && s.get("scheme").and_then(Value::as_str) == Some("bearer")
        })
        .filter_map(|(name, _)| name.as_str())
        .collect();
    out.push_str(
        "\n/// The operations that accept an OAuth bearer token instead of a signature.\n",
    );
    out.push_str("pub(crate) const BEARER_OPERATIONS: &[(&str, &str)] = &[\n");
    let paths = doc
        .get("paths")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten();
    for (path, item) in paths {
        for (method, op) in item.as_mapping().into_iter().flatten() {
            let alternatives = op.get("security").and_then(Value::as_sequence);
            let accepts = alternatives.into_iter().flatten().any(|alt| {
                alt.as_mapping().is_some_and(|m| {
                    m.len() == 1
                        && m.keys()
                            .all(|k| k.as_str().is_some_and(|k| bearer.contains(&k)))
                })
            });
            if accepts {
                let method = method.as_str().unwrap_or_default().to_ascii_uppercase();
                writeln!(
                    out,
                    "    ({method:?}, {:?}),",
                    path.as_str().unwrap_or_default()
                )
                .unwrap();
            }
        }
    }
    out.push_str("];\n");
}

/// An operation's description and `x-mint` content, joined.
fn note_text(op: &Value) -> Option<String> {
    let description = op.get("description").and_then(Value::as_str);
    let mint = op
        .get("x-mint")
        .and_then(|m| m.get("content"))
        .and_then(Value::as_str);
    match (description, mint) {
        (None, None) => None,
        (d, m) => Some(format!(
            "{} {}",
            d.unwrap_or_default(),
            m.unwrap_or_default()
        )),
    }
}

/// A note's "or M tokens when `param=value`" clause: the parameter, the value and M.
type Condition = (String, String, u32);

/// `**Rate limit:** 5 tokens per request, or 50 tokens when `compute_available_balance=true``
/// gives `(5, Some(("compute_available_balance", "true", 50)))`.
fn parse_note(text: &str) -> Option<(u32, Option<Condition>)> {
    let rest = text.split_once("**Rate limit:**")?.1.trim_start();
    let (cost, rest) = rest.split_once(" tokens per request")?;
    let cost = cost.parse().ok()?;
    let when = rest.strip_prefix(", or ").and_then(|rest| {
        let (other, rest) = rest.split_once(" tokens when `")?;
        let (condition, _) = rest.split_once('`')?;
        let (param, value) = condition.split_once('=')?;
        Some((param.to_string(), value.to_string(), other.parse().ok()?))
    });
    Some((cost, when))
}

/// `Unknown subscription ID` -> `UNKNOWN_SUBSCRIPTION_ID`: upper case, each run of other characters
/// one `_`; a leading digit gets a `_` before it.
fn constant(name: &str) -> String {
    let mut out = String::new();
    for part in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
    {
        if !out.is_empty() {
            out.push('_');
        }
        out.push_str(&part.to_ascii_uppercase());
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) || out.is_empty() {
        out.insert(0, '_');
    }
    out
}

//! Reads what the test exchange knows about the WebSocket protocol from `spec/asyncapi.yaml`, so it
//! cannot drift from the spec: the channel names (each data channel's `address`, as the generator
//! reads them) and the `x-error-codes` table, written to `$OUT_DIR/spec.rs` (see `src/spec.rs`).

use serde_yaml::Value;
use std::fmt::Write as _;
use std::path::Path;

const SPEC: &str = "../spec/asyncapi.yaml";

fn main() {
    println!("cargo:rerun-if-changed={SPEC}");
    println!("cargo:rerun-if-changed=build.rs");
    let text = std::fs::read_to_string(SPEC).unwrap_or_else(|e| panic!("reading {SPEC}: {e}"));
    let doc: Value = serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{SPEC}: {e}"));
    let mut out = String::new();
    channels(&doc, &mut out);
    error_codes(&doc, &mut out);
    let path = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("spec.rs");
    std::fs::write(&path, out).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// `/channels`: the name of each channel a `subscribe` can name is its `address` (its key when it
/// has none); the connection's own channels have addresses starting with `/` and are skipped.
fn channels(doc: &Value, out: &mut String) {
    let all = doc
        .get("channels")
        .and_then(Value::as_mapping)
        .unwrap_or_else(|| panic!("{SPEC}: /channels: expected a mapping"));
    let mut names = Vec::new();
    for (key, channel) in all {
        let key = key
            .as_str()
            .unwrap_or_else(|| panic!("{SPEC}: /channels: a key is not text"));
        let name = match channel.get("address") {
            Some(Value::String(address)) => address.as_str(),
            None | Some(Value::Null) => key,
            Some(_) => panic!("{SPEC}: /channels/{key}/address: expected a string or null"),
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

/// `/x-error-codes/codes`: each `{code, name}`, as a table and as constants named after the name.
fn error_codes(doc: &Value, out: &mut String) {
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
        entries.push((code, name));
    }
    out.push_str("/// `x-error-codes`: each code and its name, the text of an `error` reply.\n");
    out.push_str("pub(crate) const ERROR_CODES: &[(u32, &str)] = &[\n");
    for (code, name) in &entries {
        writeln!(out, "    ({code}, {name:?}),").unwrap();
    }
    out.push_str(
        "];\n\n/// Each error code, as a constant named after its name.\npub(crate) mod code {\n",
    );
    let mut seen = Vec::new();
    for (code, name) in &entries {
        let mut constant = constant(name);
        if seen.contains(&constant) {
            write!(constant, "_{code}").unwrap();
        }
        writeln!(out, "    pub(crate) const {constant}: u32 = {code};").unwrap();
        seen.push(constant);
    }
    out.push_str("}\n");
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

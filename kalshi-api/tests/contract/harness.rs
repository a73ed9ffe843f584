//! The contract suite's harness: sends one operation, checks Prism's verdict and the SDK's decoding,
//! and keeps every failure for one report at the end.

use kalshi_api::operation::Operation;
use kalshi_api::{Client, Environment, PrivateKey};
use std::collections::BTreeSet;
use std::time::Instant;

/// The Prism base URL (no `/trade-api/v2`: Prism serves the spec's paths bare).
pub const ENV_BASE_URL: &str = "KALSHI_CONTRACT_BASE_URL";
/// Optional credentials; without them the suite signs with a throwaway key (Prism checks only that
/// the three `KALSHI-ACCESS-*` headers are present).
const ENV_KEY_ID: &str = "KALSHI_API_KEY_ID";
const ENV_KEY_PATH: &str = "KALSHI_PRIVATE_KEY_PATH";

/// Prism lists the spec violations it finds in a request in this header (a JSON array), and
/// answers all the same (without `--errors`).
const VIOLATIONS: &str = "sl-violations";

/// Runs operations against the mock and collects what went wrong.
pub struct Harness {
    base_url: String,
    client: Client,
    http: reqwest::Client,
    exercised: BTreeSet<&'static str>,
    failures: Vec<String>,
    /// Answers received so far.
    answered: usize,
    /// Set when Prism stopped answering; later operations are not sent.
    dead: Option<String>,
    started: Instant,
}

impl Harness {
    /// A harness for the Prism at `KALSHI_CONTRACT_BASE_URL`; panics with directions when unset.
    #[allow(dead_code)] // each suite uses one of the two constructors
    pub fn from_env() -> Self {
        Self::from_var(ENV_BASE_URL, "spec/openapi.yaml")
    }

    /// A harness for the Prism mocking `spec` at the URL in the environment variable `var`;
    /// panics with directions when unset.
    pub fn from_var(var: &str, spec: &str) -> Self {
        let base_url = std::env::var(var)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| {
                panic!(
                    "{var} is not set: this suite needs a running Prism mock of {spec}. Run \
                     `cargo xtask contract`, which installs and starts Prism and runs this suite \
                     against it."
                )
            });
        let base_url = base_url.trim().trim_end_matches('/').to_string();
        let (key_id, key) = credentials();
        let client = Client::builder(Environment::Custom(base_url.clone()))
            .credentials(key_id, key)
            .build()
            .expect("building the client");
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .expect("building the HTTP client");
        Self {
            base_url,
            client,
            http,
            exercised: BTreeSet::new(),
            failures: Vec::new(),
            answered: 0,
            dead: None,
            started: Instant::now(),
        }
    }

    /// Checks one operation. `op` goes out twice:
    ///
    /// 1. as the signed request [`Client::build_request`] makes, sent here so that Prism's
    ///    `sl-violations` header can be read: any violation fails, as does a non-2xx answer. The
    ///    body must decode with `O::decode`, and the decoded value must encode back to the same
    ///    JSON (a field the SDK's type drops or alters is a failure too);
    /// 2. through its typed `Client` method (`typed`, e.g. `Client::get_markets`), which must
    ///    succeed.
    pub async fn check<O, F>(&mut self, op: O, typed: F)
    where
        O: Operation + Clone,
        O::Output: serde::Serialize,
        F: AsyncFn(&Client, O) -> kalshi_api::Result<O::Output>,
    {
        let id = O::INFO.id;
        if self.dead.is_some() {
            return;
        }
        if !self.exercised.insert(id) {
            self.fail(id, "exercised twice: the suite lists it more than once");
        }
        let req = match self.client.build_request(&op) {
            Ok(req) => req,
            Err(e) => return self.fail(id, format!("building the request: {e}")),
        };
        let what = format!("{} {}", req.method(), path_and_query(req.url()));
        let resp = match self.http.execute(req).await {
            Ok(resp) => resp,
            Err(e) => return self.died(id, &what, &e),
        };
        let status = resp.status();
        let violations: Vec<String> = resp
            .headers()
            .get_all(VIOLATIONS)
            .iter()
            .map(|v| describe_violations(&String::from_utf8_lossy(v.as_bytes())))
            .collect();
        let body = match resp.bytes().await {
            Ok(body) => body,
            Err(e) => return self.died(id, &what, &e),
        };
        self.answered += 1;
        if !violations.is_empty() {
            // Without `--errors`, Prism answers a request that breaks the spec all the same
            // (usually with the declared 400); the header is the verdict.
            return self.fail(
                id,
                format!(
                    "{what}: Prism found spec violations (answered {status}): {}",
                    violations.join("; ")
                ),
            );
        }
        if !status.is_success() {
            return self.fail(
                id,
                format!(
                    "{what}: answered {status}, not 2xx; body: {}",
                    excerpt(&body)
                ),
            );
        }
        match O::decode(&body) {
            Ok(decoded) => {
                let mut changes = Vec::new();
                // Body-less answers decode to `()`; there is nothing to compare.
                if let Ok(sent) = serde_json::from_slice::<serde_json::Value>(&body) {
                    let back = serde_json::to_value(&decoded).unwrap_or_else(|e| {
                        serde_json::Value::String(format!("(cannot re-encode: {e})"))
                    });
                    compare(&sent, &back, "", &mut changes);
                }
                if !changes.is_empty() {
                    self.fail(
                        id,
                        format!(
                            "{what}: the decoded {status} body does not encode back to what \
                             Prism sent: {}",
                            changes.join("; ")
                        ),
                    );
                }
            }
            Err(e) => {
                let value = value_at(&body, &e.path);
                self.fail(
                    id,
                    format!(
                        "{what}: the {status} body does not decode: at `{}` (value {value}): {}",
                        e.path, e.source
                    ),
                );
            }
        }
        if let Err(e) = typed(&self.client, op).await {
            if matches!(
                e,
                kalshi_api::Error::Transport { .. } | kalshi_api::Error::Timeout { .. }
            ) {
                return self.died(id, &what, &e);
            }
            self.fail(id, format!("{what}: the typed Client method failed: {e}"));
        }
    }

    fn fail(&mut self, id: &str, message: impl AsRef<str>) {
        self.failures.push(format!("{id}: {}", message.as_ref()));
    }

    fn died(&mut self, id: &str, what: &str, e: &dyn std::error::Error) {
        let mut cause = e.to_string();
        let mut source = e.source();
        while let Some(s) = source {
            cause.push_str(": ");
            cause.push_str(&s.to_string());
            source = s.source();
        }
        self.dead = Some(if self.answered == 0 {
            format!(
                "cannot reach Prism at {} ({id}, {what}): {cause}. Is it running? \
                 `cargo xtask contract` starts it.",
                self.base_url
            )
        } else {
            format!(
                "Prism at {} stopped answering at {id} ({what}) after {} answers: {cause}. Its \
                 process has probably died: Prism 5 crashes when a violation message holds a \
                 character above U+00FF (it cannot put it in the sl-violations header). Its log \
                 (printed by `cargo xtask contract`) ends with the request that killed it. \
                 Operations after this one were not sent.",
                self.base_url, self.answered
            )
        });
    }

    /// Checks that every operationId in `spec` was exercised, then panics with every failure.
    pub fn finish(mut self, spec: &str) {
        let in_spec = operation_ids(spec);
        let missing: Vec<&str> = in_spec
            .iter()
            .filter(|id| !self.exercised.contains(id.as_str()))
            .map(String::as_str)
            .collect();
        let unknown: Vec<&str> = self
            .exercised
            .iter()
            .filter(|id| !in_spec.iter().any(|s| s == *id))
            .copied()
            .collect();
        if self.dead.is_none() && !missing.is_empty() {
            self.failures.push(format!(
                "coverage: {} of the spec's {} operations were not exercised: {}",
                missing.len(),
                in_spec.len(),
                missing.join(", ")
            ));
        }
        if !unknown.is_empty() {
            self.failures.push(format!(
                "coverage: exercised operations the spec does not have: {}",
                unknown.join(", ")
            ));
        }
        let elapsed = self.started.elapsed();
        println!(
            "contract: {} of the spec's {} operations exercised against {} in {:.1?}; {} failures",
            self.exercised.len(),
            in_spec.len(),
            self.base_url,
            elapsed,
            self.failures.len() + usize::from(self.dead.is_some()),
        );
        let mut report = Vec::new();
        if let Some(dead) = &self.dead {
            report.push(dead.clone());
        }
        report.extend(self.failures.iter().cloned());
        if !report.is_empty() {
            panic!(
                "{} contract failures:\n  - {}",
                report.len(),
                report.join("\n  - ")
            );
        }
    }
}

/// `KALSHI_API_KEY_ID` and `KALSHI_PRIVATE_KEY_PATH` when both are set, else a fresh Ed25519 key.
fn credentials() -> (String, PrivateKey) {
    let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
    if let (Some(id), Some(path)) = (var(ENV_KEY_ID), var(ENV_KEY_PATH)) {
        let key = PrivateKey::from_pem_file(&path)
            .unwrap_or_else(|e| panic!("{ENV_KEY_PATH} `{path}`: {e}"));
        return (id, key);
    }
    use ed25519_dalek::pkcs8::EncodePrivateKey as _;
    use rand_core::RngCore as _;
    let mut seed = [0u8; 32];
    rand_core::OsRng.fill_bytes(&mut seed);
    let pem = ed25519_dalek::SigningKey::from_bytes(&seed)
        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
        .expect("PEM-encoding a fresh Ed25519 key");
    let key = PrivateKey::from_pem(&pem).expect("loading a fresh Ed25519 key");
    ("contract-test-key".to_string(), key)
}

/// Every `operationId` of the spec, in document order.
pub fn operation_ids(spec: &str) -> Vec<String> {
    let doc: serde_yaml::Value = serde_yaml::from_str(spec).expect("spec/openapi.yaml parses");
    let paths = doc
        .get("paths")
        .and_then(serde_yaml::Value::as_mapping)
        .expect("the spec has `paths`");
    let methods = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let mut ids = Vec::new();
    for item in paths.values() {
        for method in methods {
            if let Some(id) = item
                .get(method)
                .and_then(|op| op.get("operationId"))
                .and_then(serde_yaml::Value::as_str)
            {
                ids.push(id.to_string());
            }
        }
    }
    ids
}

/// `sl-violations` is a JSON array of `{location, severity, code, message}`; one line each.
fn describe_violations(header: &str) -> String {
    let Ok(serde_json::Value::Array(items)) = serde_json::from_str(header) else {
        return header.to_string();
    };
    let lines: Vec<String> = items
        .iter()
        .map(|v| {
            let location = v["location"]
                .as_array()
                .map(|parts| {
                    parts
                        .iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            format!(
                "[{} {} at {location}] {}",
                v["severity"].as_str().unwrap_or("?"),
                v["code"],
                v["message"].as_str().unwrap_or("?")
            )
        })
        .collect();
    lines.join("; ")
}

/// The JSON value at a decode error's path (`markets[3].status`, `.` for the root).
fn value_at(body: &[u8], path: &str) -> String {
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return format!("(body is not JSON: {})", excerpt(body));
    };
    if path != "." {
        for part in path.split('.') {
            let (key, indices) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if !key.is_empty() {
                value = value.get(key).cloned().unwrap_or(serde_json::Value::Null);
            }
            for index in indices.split(['[', ']']).filter(|s| !s.is_empty()) {
                let i: usize = index.parse().unwrap_or(usize::MAX);
                value = value.get(i).cloned().unwrap_or(serde_json::Value::Null);
            }
        }
    }
    cut(&value.to_string(), 200)
}

fn excerpt(body: &[u8]) -> String {
    cut(&String::from_utf8_lossy(body), 300)
}

/// At most `max` characters of `text`, with `…` when cut.
fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

fn path_and_query(url: &reqwest::Url) -> String {
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Records where `back` (the decoded answer, encoded again) differs from `sent` (what Prism sent):
/// a field the SDK's type does not have, or a value it changed. Numbers compare by value (`0` and
/// `0.0` are equal), `null` equals absent, and fields only `back` has (defaults) are not reported.
fn compare(sent: &serde_json::Value, back: &serde_json::Value, path: &str, out: &mut Vec<String>) {
    use serde_json::Value;
    match (sent, back) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, v) in a {
                let at = format!("{path}.{key}");
                match b.get(key) {
                    Some(w) => compare(v, w, &at, out),
                    None if v.is_null() => {}
                    None => out.push(format!("`{at}` ({}) is dropped", cut(&v.to_string(), 80))),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            for (i, (v, w)) in a.iter().zip(b).enumerate() {
                compare(v, w, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(a), Value::Number(b)) if a.as_f64() == b.as_f64() => {}
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "`{}` {} comes back as {}",
            if path.is_empty() { "." } else { path },
            cut(&a.to_string(), 80),
            cut(&b.to_string(), 80)
        )),
    }
}

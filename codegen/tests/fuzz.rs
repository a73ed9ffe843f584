//! The generator fuzzed: Kalshi's spec and the construct fixtures, mutated in many ways by a seeded
//! generator (types changed, keys removed, awkward names, composition, dangling references, deep
//! nesting, odd formats, duplicate ids, path parameters out of step), must each generate or fail
//! with an error that says where: never a panic, a hang or a silent failure.
//!
//! `FUZZ_MUTANTS` sets the number of mutants (default 1200), `FUZZ_SEED` the seed.

use kalshi_codegen::{generate, Error, Settings};
use serde_yaml::{Mapping, Value};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// xorshift64*: small, seeded, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Every mapping in the document, by its path of keys/indices.
fn mappings(v: &Value, at: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Mapping(m) => {
            out.push(at.clone());
            for (k, child) in m {
                at.push(k.clone());
                mappings(child, at, out);
                at.pop();
            }
        }
        Value::Sequence(s) => {
            for (i, child) in s.iter().enumerate() {
                at.push(Value::from(i as u64));
                mappings(child, at, out);
                at.pop();
            }
        }
        _ => {}
    }
}

fn get_mut<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    let mut cur = v;
    for k in path {
        cur = match (cur, k) {
            (Value::Mapping(m), k) => m.get_mut(k)?,
            (Value::Sequence(s), Value::Number(n)) => s.get_mut(n.as_u64()? as usize)?,
            _ => return None,
        };
    }
    Some(cur)
}

const NAMES: &[&str] = &[
    "type",
    "self",
    "Self",
    "123abc",
    "",
    "a-b",
    "Ünïcode",
    "Error",
    "mod",
    "crate",
    "r#x",
    "new",
    "execute",
    "paginate",
    "WithRetry",
    "_",
    "__",
    "a/b",
    "~0",
    "Option",
    "Vec",
    "Default",
    "a b",
    "UPPER_CASE",
    "camelCase",
    "1",
];
const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null", "weird",
];
const FORMATS: &[&str] = &[
    "int128",
    "date-time",
    "uuid",
    "int32",
    "byte",
    "binary",
    "decimal",
    "",
    "💥",
];

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap()
}

/// One random mutation of `doc`; returns its name.
fn mutate(doc: &mut Value, rng: &mut Rng) -> &'static str {
    let mut all = Vec::new();
    mappings(doc, &mut Vec::new(), &mut all);
    let path = rng.pick(&all).clone();
    let Some(Value::Mapping(m)) = get_mut(doc, &path) else {
        return "none";
    };
    let keys: Vec<Value> = m.keys().cloned().collect();
    let kind = rng.below(12);
    match kind {
        0 => {
            m.insert("type".into(), (*rng.pick(TYPES)).into());
            "type changed"
        }
        1 => {
            if let Some(k) = keys.get(rng.below(keys.len())) {
                m.remove(k);
            }
            "key removed"
        }
        2 => {
            if let Some(k) = keys.get(rng.below(keys.len())) {
                let v = m.remove(k).unwrap();
                m.insert((*rng.pick(NAMES)).into(), v);
            }
            "awkward name"
        }
        3 => {
            let inner = Value::Mapping(m.clone());
            let word = *rng.pick(&["allOf", "oneOf", "anyOf"]);
            let mut alts = vec![inner, yaml("$ref: '#/components/schemas/Market'")];
            if rng.below(2) == 0 {
                alts.push(yaml("{type: object, properties: {extra: {type: string}}}"));
            }
            if rng.below(3) == 0 {
                alts.push(yaml("{type: 'null'}"));
            }
            let mut c = Mapping::new();
            c.insert(word.into(), Value::Sequence(alts));
            if rng.below(2) == 0 {
                c.insert("pattern".into(), "^x$".into());
                c.insert("nullable".into(), true.into());
            }
            if word == "oneOf" && rng.below(2) == 0 {
                c.insert("discriminator".into(), yaml("{propertyName: kind}"));
            }
            *m = c;
            "composition"
        }
        4 => {
            m.insert(
                "$ref".into(),
                (*rng.pick(&[
                    "#/components/schemas/Nope",
                    "#/nowhere",
                    "other.yaml#/x",
                    "#/components/schemas/",
                    "#",
                ]))
                .into(),
            );
            "dangling ref"
        }
        5 => {
            let mut v = yaml("{type: string}");
            for i in 0..(20 + rng.below(60)) {
                v = if i % 2 == 0 {
                    let mut o = yaml("{type: object, properties: {}}");
                    o["properties"]["n"] = v;
                    o
                } else {
                    let mut a = yaml("{type: array}");
                    a["items"] = v;
                    a
                };
            }
            let k = keys
                .get(rng.below(keys.len()))
                .cloned()
                .unwrap_or("deep".into());
            m.insert(k, v);
            "deep nesting"
        }
        6 => {
            m.insert("format".into(), (*rng.pick(FORMATS)).into());
            "odd format"
        }
        7 => {
            m.insert("operationId".into(), "GetMarkets".into());
            "duplicate id"
        }
        8 => {
            // A path parameter renamed, or a path template changed, out of step with the other.
            if let Some(k) = keys
                .iter()
                .find(|k| k.as_str().is_some_and(|s| s.contains('{')))
            {
                let v = m.remove(k).unwrap();
                let renamed = k.as_str().unwrap().replacen('{', "{x_", 1);
                m.insert(renamed.into(), v);
            } else if m.get("in").and_then(Value::as_str) == Some("path") {
                m.insert("name".into(), "not_in_path".into());
            } else {
                m.insert(
                    "in".into(),
                    (*rng.pick(&["path", "header", "cookie", "body"])).into(),
                );
            }
            "path params out of step"
        }
        9 => {
            if let Some(k) = keys.get(rng.below(keys.len())) {
                let values = [
                    Value::Null,
                    Value::from(5),
                    Value::from("text"),
                    Value::Sequence(vec![]),
                    Value::Mapping(Mapping::new()),
                    Value::from(true),
                ];
                let v = rng.pick(&values).clone();
                m.insert(k.clone(), v);
            }
            "value of another kind"
        }
        10 => {
            m.insert("enum".into(), yaml("[a, 1, null, '', A, a]"));
            "odd enum"
        }
        _ => {
            m.insert(
                "description".into(),
                (*rng.pick(&[
                    "**Rate limit:** lots of tokens",
                    "**Rate limit:** 10 tokens per order in the batch",
                    "**Rate limit:** 0 tokens per request.</Note>",
                    "**Rate limit:**",
                ]))
                .into(),
            );
            "prose"
        }
    }
}

enum Outcome {
    Generated,
    Error(Error),
    Panic(String),
}

fn run(text: String, settings: Settings) -> Outcome {
    match std::panic::catch_unwind(move || generate(&text, &settings)) {
        Ok(Ok(g)) if !g.files.is_empty() && g.files.iter().any(|f| f.path == "mod.rs") => {
            Outcome::Generated
        }
        Ok(Ok(_)) => Outcome::Panic("generated nothing, without an error".into()),
        Ok(Err(e)) => Outcome::Error(e),
        Err(p) => Outcome::Panic(
            p.downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default(),
        ),
    }
}

/// Whether an error says where: a JSON pointer for every problem, a place for a parse error.
fn located(e: &Error) -> bool {
    match e {
        Error::Spec(ps) => {
            !ps.is_empty()
                && ps
                    .iter()
                    .all(|p| p.pointer.is_empty() || p.pointer.starts_with('/'))
        }
        Error::Parse(m) => m.contains("at #") || m.contains("line ") || m.contains("version"),
        Error::Render { file, .. } => !file.is_empty(),
        _ => true,
    }
}

#[test]
fn mutated_specs_generate_or_fail_with_a_location() {
    let settings =
        Settings::from_yaml(&std::fs::read_to_string(root().join("spec/codegen.yaml")).unwrap())
            .unwrap();
    let mut bases = vec![yaml(
        &std::fs::read_to_string(root().join("spec/openapi.yaml")).unwrap(),
    )];
    let dir = root().join("codegen/tests/fixtures/constructs");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fixtures.sort();
    bases.extend(
        fixtures
            .iter()
            .map(|p| yaml(&std::fs::read_to_string(p).unwrap())),
    );
    let mutants: usize = std::env::var("FUZZ_MUTANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1200);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_1234);
    let mut rng = Rng(seed);
    let started = Instant::now();
    let (mut generated, mut errors, mut unlocated, mut panics) = (0, 0, Vec::new(), Vec::new());
    for i in 0..mutants {
        // One mutant in three is of Kalshi's whole spec, the others of the small fixtures.
        let base = if i % 3 == 0 {
            0
        } else {
            1 + rng.below(bases.len() - 1)
        };
        let mut doc = bases[base].clone();
        let mut applied = Vec::new();
        for _ in 0..(1 + rng.below(3)) {
            applied.push(mutate(&mut doc, &mut rng));
        }
        let text = serde_yaml::to_string(&doc).unwrap();
        if std::env::var_os("FUZZ_VERBOSE").is_some() {
            eprintln!("mutant {i}: {applied:?}");
            std::fs::write(std::env::temp_dir().join("fuzz-mutant.yaml"), &text).unwrap();
        }
        let (tx, rx) = mpsc::channel();
        let s = settings.clone();
        // The stack of a main thread (`cargo xtask regen` runs the generator on one).
        std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn(move || {
                let _ = tx.send(run(text, s));
            })
            .unwrap();
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Outcome::Generated) => generated += 1,
            Ok(Outcome::Error(e)) => {
                errors += 1;
                if !located(&e) {
                    unlocated.push(format!("mutant {i} ({applied:?}): {e}"));
                }
            }
            Ok(Outcome::Panic(m)) => panics.push(format!("mutant {i} ({applied:?}): {m}")),
            Err(_) => panics.push(format!(
                "mutant {i} ({applied:?}): no answer in 30 s (hang)"
            )),
        }
    }
    println!(
        "fuzz: seed {seed:#x}: {mutants} mutants, {generated} generated, {errors} errors, \
         {} unlocated, {} panics or hangs, in {:.1?}",
        unlocated.len(),
        panics.len(),
        started.elapsed()
    );
    assert!(panics.is_empty(), "panics or hangs:\n{}", panics.join("\n"));
    assert!(
        unlocated.is_empty(),
        "errors without a location:\n{}",
        unlocated.join("\n")
    );
    assert!(
        generated > 0 && errors > 0,
        "the mutations exercise both outcomes"
    );
}

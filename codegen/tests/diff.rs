//! The spec diff: Kalshi's 3.13.0 → 3.31.0 against counts computed here from the YAML alone, one
//! fixture pair per kind of change (the base fixture and the base with one edit), and the
//! WebSocket side on Kalshi's AsyncAPI file with edits.

use kalshi_codegen::diff::{diff, Change, Impact, Kind, Report, Specs};
use kalshi_codegen::Settings;
use serde_yaml::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap()
}

fn settings() -> Settings {
    Settings::from_yaml(&read("spec/codegen.yaml")).unwrap()
}

fn rest(old: &str, new: &str) -> Report {
    let specs = |openapi| Specs {
        openapi,
        asyncapi: None,
    };
    diff(specs(old), specs(new), &settings()).unwrap()
}

/// Every operationId of an OpenAPI document, read with serde_yaml only.
fn operation_ids(text: &str) -> BTreeSet<String> {
    let doc: Value = serde_yaml::from_str(text).unwrap();
    let mut ids = BTreeSet::new();
    for (_, item) in doc["paths"].as_mapping().unwrap() {
        for (_, op) in item.as_mapping().unwrap() {
            if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                ids.insert(id.to_string());
            }
        }
    }
    ids
}

#[test]
fn kalshi_3_13_to_3_31_operations_match_the_yaml() {
    let old = read("codegen/tests/fixtures/kalshi-openapi-3.13.0.yaml");
    let new = read("spec/openapi.yaml");
    let (old_ids, new_ids) = (operation_ids(&old), operation_ids(&new));
    let removed: BTreeSet<String> = old_ids.difference(&new_ids).cloned().collect();
    let added: BTreeSet<String> = new_ids.difference(&old_ids).cloned().collect();

    let report = rest(&old, &new);
    let ops = |kind: Kind| -> BTreeSet<String> {
        report
            .changes
            .iter()
            .filter(|c| c.kind == kind && c.rust.starts_with("ops::"))
            .map(|c| c.spec.split(' ').next().unwrap().to_string())
            .collect()
    };
    assert_eq!(ops(Kind::Removed), removed);
    assert_eq!(ops(Kind::Added), added);
    assert_eq!(removed.len(), 9);
    assert_eq!(added.len(), 37);
    assert!(report.changes.iter().all(|c| match c.kind {
        Kind::Removed => c.impact == Impact::Breaking,
        Kind::Added if c.rust.starts_with("ops::") => c.impact == Impact::Additive,
        _ => true,
    }));

    // Order creation moved to a new endpoint: the old one removed, the new one added, both named.
    let find = |kind: Kind, rust: &str| {
        report
            .changes
            .iter()
            .find(|c| c.kind == kind && c.rust == rust)
            .unwrap_or_else(|| panic!("no {kind:?} {rust}"))
    };
    let gone = find(Kind::Removed, "ops::CreateOrder");
    assert_eq!(gone.spec, "CreateOrder (POST /portfolio/orders)");
    assert_eq!(gone.impact, Impact::Breaking);
    let new_op = find(Kind::Added, "ops::CreateOrderV2");
    assert!(
        new_op.spec.starts_with("CreateOrderV2 (POST "),
        "{}",
        new_op.spec
    );
    assert_eq!(new_op.impact, Impact::Additive);

    assert_eq!(report.bump, "minor");
    let md = report.to_markdown();
    assert!(md.contains("- Removed `ops::CreateOrder` — CreateOrder (POST /portfolio/orders)"));
    let json: serde_json::Value = serde_json::from_str(&report.to_json()).unwrap();
    assert_eq!(
        json["summary"]["breaking"].as_u64(),
        Some(report.summary.breaking as u64)
    );
}

/// Sets (`Some`) or removes (`None`) the value at a JSON pointer.
fn edit(doc: &mut Value, pointer: &str, value: Option<&str>) {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect();
    let (last, parents) = tokens.split_last().unwrap();
    let mut at = doc;
    for t in parents {
        at = match t.parse::<usize>() {
            Ok(i) if at.is_sequence() => &mut at[i],
            _ => at
                .as_mapping_mut()
                .unwrap()
                .entry(t.as_str().into())
                .or_insert(Value::Mapping(Default::default())),
        };
    }
    match (value, last.parse::<usize>()) {
        (Some(v), Ok(i)) if at.is_sequence() => {
            let seq = at.as_sequence_mut().unwrap();
            let v: Value = serde_yaml::from_str(v).unwrap();
            if i < seq.len() {
                seq[i] = v;
            } else {
                seq.push(v);
            }
        }
        (None, Ok(i)) if at.is_sequence() => {
            at.as_sequence_mut().unwrap().remove(i);
        }
        (Some(v), _) => {
            at[last.as_str()] = serde_yaml::from_str(v).unwrap();
        }
        (None, _) => {
            at.as_mapping_mut().unwrap().remove(last.as_str()).unwrap();
        }
    }
}

const GET_ORDER: &str = "
get:
  operationId: GetOrder
  parameters:
    - { name: order_id, in: path, required: true, schema: { type: string } }
  responses:
    '200':
      description: ok
      content:
        application/json:
          schema: { $ref: '#/components/schemas/Order' }
";

/// One case: its name, the edits that make the new side, and the change expected.
type Case = (
    &'static str,
    &'static [(&'static str, Option<&'static str>)],
    (Impact, Kind, &'static str, &'static str),
);

const CASES: &[Case] = &[
    (
        "operation removed",
        &[("/paths/~1orders", None)],
        (
            Impact::Breaking,
            Kind::Removed,
            "ops::CreateOrder",
            "`Client::create_order`",
        ),
    ),
    (
        "operation added",
        &[("/paths/~1orders~1{order_id}", Some(GET_ORDER))],
        (
            Impact::Additive,
            Kind::Added,
            "ops::GetOrder",
            "`Client::get_order`",
        ),
    ),
    (
        "path changed",
        &[
            ("/paths/~1v2~1markets", Some("{}")),
            ("/paths/~1markets", None),
        ],
        (
            Impact::Documentation,
            Kind::Changed,
            "ops::GetMarkets",
            "endpoint `GET /markets` → `GET /v2/markets`",
        ),
    ),
    (
        "operation now needs credentials",
        &[("/paths/~1markets/get/security", None)],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::GetMarkets",
            "public → authenticated",
        ),
    ),
    (
        "optional parameter added",
        &[(
            "/paths/~1markets/get/parameters/2",
            Some("{ name: cursor, in: query, schema: { type: string } }"),
        )],
        (
            Impact::Additive,
            Kind::Changed,
            "ops::GetMarkets",
            "query parameter `cursor` added (optional)",
        ),
    ),
    (
        "required parameter added",
        &[(
            "/paths/~1markets/get/parameters/2",
            Some("{ name: series, in: query, required: true, schema: { type: string } }"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::GetMarkets",
            "query parameter `series` added (required",
        ),
    ),
    (
        "parameter removed",
        &[("/paths/~1markets/get/parameters/0", None)],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::GetMarkets",
            "query parameter `status` removed",
        ),
    ),
    (
        "parameter becomes required",
        &[("/paths/~1markets/get/parameters/0/required", Some("true"))],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::GetMarkets",
            "parameter `status` becomes required",
        ),
    ),
    (
        "parameter type changed",
        &[(
            "/paths/~1markets/get/parameters/1/schema/format",
            Some("int32"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::GetMarkets",
            "parameter `limit`: type `i64` → `i32`",
        ),
    ),
    (
        "request body changed",
        &[(
            "/paths/~1orders/post/requestBody/content/application~1json/schema",
            Some("{ $ref: '#/components/schemas/Order' }"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::CreateOrder",
            "request body: `types::OrderRequest` → `types::Order`",
        ),
    ),
    (
        "success type changed",
        &[(
            "/paths/~1orders/post/responses/201/content/application~1json/schema",
            Some("{ $ref: '#/components/schemas/Market' }"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "ops::CreateOrder",
            "success type `types::Order` → `types::Market`",
        ),
    ),
    (
        "rate-limit cost changed",
        &[(
            "/paths/~1orders/post/description",
            Some("'**Rate limit:** 30 tokens per request.'"),
        )],
        (
            Impact::Documentation,
            Kind::Changed,
            "ops::CreateOrder",
            "rate-limit cost 2 tokens per request → 30 tokens per request",
        ),
    ),
    (
        "operation deprecated",
        &[("/paths/~1markets/get/deprecated", Some("true"))],
        (
            Impact::Documentation,
            Kind::Changed,
            "ops::GetMarkets",
            "deprecated",
        ),
    ),
    (
        "type added",
        &[(
            "/components/schemas/Event",
            Some("{ type: object, properties: { id: { type: string } } }"),
        )],
        (Impact::Additive, Kind::Added, "types::Event", ""),
    ),
    (
        "type removed",
        &[("/components/schemas/Legacy", None)],
        (Impact::Breaking, Kind::Removed, "types::Legacy", ""),
    ),
    (
        "response field added",
        &[(
            "/components/schemas/Market/properties/no_bid",
            Some("{ type: integer }"),
        )],
        (
            Impact::Additive,
            Kind::Added,
            "types::Market::no_bid",
            "`Option<i64>`",
        ),
    ),
    (
        "required request field added",
        &[
            (
                "/components/schemas/OrderRequest/properties/price",
                Some("{ type: integer }"),
            ),
            ("/components/schemas/OrderRequest/required/2", Some("price")),
        ],
        (
            Impact::Breaking,
            Kind::Added,
            "types::OrderRequest::price",
            "a new argument of `new`",
        ),
    ),
    (
        "optional request field added",
        &[(
            "/components/schemas/OrderRequest/properties/memo",
            Some("{ type: string }"),
        )],
        (
            Impact::Additive,
            Kind::Added,
            "types::OrderRequest::memo",
            "`Option<String>`",
        ),
    ),
    (
        "field removed",
        &[("/components/schemas/Market/properties/note", None)],
        (
            Impact::Breaking,
            Kind::Removed,
            "types::Market::note",
            "`Option<String>`",
        ),
    ),
    (
        "field type changed",
        &[(
            "/components/schemas/Market/properties/yes_bid",
            Some("{ type: string }"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::Market::yes_bid",
            "type `i64` → `String`",
        ),
    ),
    (
        "field format changed",
        &[(
            "/components/schemas/Market/properties/yes_bid/format",
            Some("int32"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::Market::yes_bid",
            "type `i64` → `i32`",
        ),
    ),
    (
        "field becomes a money type",
        &[(
            "/components/schemas/Market/properties/yes_bid",
            Some("{ $ref: '#/components/schemas/FixedPointDollars' }"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::Market::yes_bid",
            "type `i64` → `types::FixedPointDollars`",
        ),
    ),
    (
        "field becomes required",
        &[("/components/schemas/Market/required/2", Some("note"))],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::Market::note",
            "type `Option<String>` → `String` (now required)",
        ),
    ),
    (
        "request field becomes optional",
        &[("/components/schemas/OrderRequest/required/1", None)],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::OrderRequest::side",
            "type `types::Side` → `Option<types::Side>` (now optional)",
        ),
    ),
    (
        "field becomes nullable",
        &[(
            "/components/schemas/Market/properties/ticker/nullable",
            Some("true"),
        )],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::Market::ticker",
            "type `String` → `Option<String>` (now nullable)",
        ),
    ),
    (
        "optional field becomes nullable",
        &[(
            "/components/schemas/Market/properties/note/nullable",
            Some("true"),
        )],
        (
            Impact::Documentation,
            Kind::Changed,
            "types::Market::note",
            "(now nullable), same Rust type",
        ),
    ),
    (
        "enum value added",
        &[("/components/schemas/Side/enum/2", Some("maybe"))],
        (
            Impact::Additive,
            Kind::Changed,
            "types::Side",
            "enum value `maybe` added (variant `Maybe`)",
        ),
    ),
    (
        "enum value removed",
        &[("/components/schemas/Side/enum/1", None)],
        (
            Impact::Breaking,
            Kind::Changed,
            "types::Side",
            "enum value `no` removed (variant `No`)",
        ),
    ),
    (
        "type documentation changed",
        &[(
            "/components/schemas/Market/description",
            Some("A market, better described."),
        )],
        (
            Impact::Documentation,
            Kind::Changed,
            "types::Market",
            "documentation",
        ),
    ),
];

#[test]
fn each_kind_of_change_is_classified() {
    let base = read("codegen/tests/fixtures/diff/base.yaml");
    let mut failures = Vec::new();
    for (name, edits, (impact, kind, rust, detail)) in CASES {
        let mut doc: Value = serde_yaml::from_str(&base).unwrap();
        for (pointer, value) in *edits {
            if *pointer == "/paths/~1v2~1markets" {
                // A move: the same operation under a new path.
                doc["paths"]["/v2/markets"] = doc["paths"]["/markets"].clone();
                continue;
            }
            edit(&mut doc, pointer, *value);
        }
        let report = rest(&base, &serde_yaml::to_string(&doc).unwrap());
        let found = report.changes.iter().any(|c: &Change| {
            c.impact == *impact && c.kind == *kind && c.rust == *rust && c.detail.contains(detail)
        });
        if !found {
            failures.push(format!(
                "{name}: expected {impact:?} {kind:?} {rust} `{detail}`, got:\n{}",
                report.to_markdown()
            ));
        }
        // Nothing else is breaking when the expected change is not.
        if *impact != Impact::Breaking && report.summary.breaking > 0 {
            failures.push(format!(
                "{name}: unexpected breaking changes:\n{}",
                report.to_markdown()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_same_spec_has_no_changes_and_needs_no_bump() {
    let text = read("codegen/tests/fixtures/diff/base.yaml");
    let mut report = rest(&text, &text);
    report.suggest_version(Some("0.1.0"));
    assert!(report.is_empty());
    assert_eq!(report.bump, "none");
    assert_eq!(report.suggested_version.as_deref(), Some("0.1.0"));
}

#[test]
fn versions_follow_semver_for_0x() {
    let old = read("codegen/tests/fixtures/diff/base.yaml");
    let mut doc: Value = serde_yaml::from_str(&old).unwrap();
    edit(&mut doc, "/components/schemas/Legacy", None);
    let mut breaking = rest(&old, &serde_yaml::to_string(&doc).unwrap());
    breaking.suggest_version(Some("0.1.3"));
    assert_eq!(breaking.suggested_version.as_deref(), Some("0.2.0"));
    assert!(breaking.bump_reason.contains("0.x"));
    breaking.suggest_version(Some("1.4.2"));
    assert_eq!(breaking.suggested_version.as_deref(), Some("2.0.0"));
    let mut doc: Value = serde_yaml::from_str(&old).unwrap();
    edit(
        &mut doc,
        "/components/schemas/Event",
        Some("{ type: string }"),
    );
    let mut additive = rest(&old, &serde_yaml::to_string(&doc).unwrap());
    additive.suggest_version(Some("0.1.3"));
    assert_eq!(additive.suggested_version.as_deref(), Some("0.1.4"));
}

/// Kalshi's AsyncAPI file against itself edited: a channel removed, a field added to a message,
/// a field no longer deprecated.
#[test]
fn websocket_changes_are_named_and_classified() {
    let old = read("spec/asyncapi.yaml");
    let mut doc: Value = serde_yaml::from_str(&old).unwrap();
    let remove = |doc: &mut Value, section: &str, key: &str| {
        doc[section].as_mapping_mut().unwrap().remove(key).unwrap();
    };
    remove(&mut doc, "channels", "trade");
    remove(&mut doc, "operations", "receiveTrade");
    // The ticker message's `msg` schema gains a field, and `ts` is no longer deprecated.
    edit(
        &mut doc,
        "/components/schemas/tickerPayload/properties/msg/properties/volume_24h_fp",
        Some("{ type: string }"),
    );
    edit(
        &mut doc,
        "/components/schemas/tickerPayload/properties/msg/properties/ts/deprecated",
        Some("false"),
    );
    let new = serde_yaml::to_string(&doc).unwrap();
    let openapi = read("codegen/tests/fixtures/diff/base.yaml");
    let specs = |asyncapi| Specs {
        openapi: &openapi,
        asyncapi: Some(asyncapi),
    };
    let report = diff(specs(&old), specs(&new), &settings()).unwrap();
    let has = |impact: Impact, kind: Kind, rust: &str| {
        report
            .changes
            .iter()
            .any(|c| c.impact == impact && c.kind == kind && c.rust == rust)
    };
    let md = report.to_markdown();
    assert!(
        has(Impact::Breaking, Kind::Removed, "ws::Channel::Trade"),
        "{md}"
    );
    assert!(
        has(Impact::Breaking, Kind::Removed, "ws::ServerMessage::Trade"),
        "{md}"
    );
    assert!(has(Impact::Breaking, Kind::Removed, "ws::Trade"), "{md}");
    let added = report
        .changes
        .iter()
        .find(|c| c.rust == "ws::Ticker::volume_24h_fp")
        .unwrap_or_else(|| panic!("{md}"));
    assert_eq!(added.impact, Impact::Additive);
    assert_eq!(added.detail, "`Option<money::FixedPointCount>`");
    assert!(
        has(Impact::Documentation, Kind::Changed, "ws::Ticker::ts"),
        "{md}"
    );
    assert!(md.contains("### WebSocket"), "{md}");
    assert!(report.old.asyncapi.is_some());
}

/// Control messages are messages like any other: the `subscribed` reply's payload gains a field
/// and the `error` reply's payload loses one, and the diff names both Rust items; regenerating
/// from the new spec then fails, naming the setting the session reads the lost field through.
#[test]
fn control_message_changes_are_reported() {
    let old = read("spec/asyncapi.yaml");
    let mut doc: Value = serde_yaml::from_str(&old).unwrap();
    edit(
        &mut doc,
        "/components/schemas/subscribedResponsePayload/properties/msg/properties/market_count",
        Some("{ type: integer }"),
    );
    let error = "/components/schemas/errorResponsePayload/properties/msg";
    edit(&mut doc, &format!("{error}/properties/msg"), None);
    edit(&mut doc, &format!("{error}/required"), Some("[code]"));
    let new = serde_yaml::to_string(&doc).unwrap();
    let openapi = read("codegen/tests/fixtures/diff/base.yaml");
    let specs = |asyncapi| Specs {
        openapi: &openapi,
        asyncapi: Some(asyncapi),
    };
    let report = diff(specs(&old), specs(&new), &settings()).unwrap();
    let md = report.to_markdown();
    let find = |rust: &str| {
        report
            .changes
            .iter()
            .find(|c| c.rust == rust)
            .unwrap_or_else(|| panic!("no change to `{rust}` in:\n{md}"))
    };
    let added = find("ws::Subscribed::market_count");
    assert_eq!(
        (added.impact, added.kind, added.detail.as_str()),
        (Impact::Additive, Kind::Added, "`Option<i64>`"),
        "{md}"
    );
    assert_eq!(
        added.spec,
        "#/components/schemas/subscribedResponsePayload/properties/msg.market_count"
    );
    let removed = find("ws::ErrorResponse::msg");
    assert_eq!(
        (removed.impact, removed.kind),
        (Impact::Breaking, Kind::Removed),
        "{md}"
    );
    assert_eq!(
        removed.spec,
        "#/components/schemas/errorResponsePayload/properties/msg.msg"
    );
    assert_eq!(report.changes.len(), 2, "{md}");
    let Err(kalshi_codegen::Error::Spec(problems)) = kalshi_codegen::generate_ws(&new, &settings())
    else {
        panic!("the session's `error` reply lost `msg`: expected a problem");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].pointer, "/control/replies/error/type");
}

/// A product in its own namespace: the report names items as its users write them, under
/// `perps::`, sent by its handle; nothing else in the text moves.
#[test]
fn a_product_in_its_own_namespace_is_named_there() {
    let old = read("spec/perps/openapi.yaml");
    let mut doc: Value = serde_yaml::from_str(&old).unwrap();
    let paths = doc["paths"].as_mapping_mut().unwrap();
    let (first_path, _) = paths
        .iter()
        .next()
        .map(|(k, v)| (k.clone(), v.clone()))
        .unwrap();
    paths.remove(&first_path);
    let new = serde_yaml::to_string(&doc).unwrap();
    let settings = Settings::from_yaml(&read("spec/perps/codegen.yaml")).unwrap();
    let products =
        kalshi_codegen::products::Products::from_yaml(&read("spec/products.yaml")).unwrap();
    let target = products.get("perps").unwrap().target();
    let specs = |openapi| Specs {
        openapi,
        asyncapi: None,
    };
    let report =
        kalshi_codegen::diff::diff_at(specs(&old), specs(&new), &settings, &target).unwrap();
    let removed: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.kind == Kind::Removed && c.rust.contains("ops::"))
        .collect();
    assert!(!removed.is_empty(), "{:#?}", report.changes);
    for c in &removed {
        assert!(c.rust.starts_with("perps::ops::"), "{c:?}");
        assert!(c.detail.starts_with("`Perps::"), "{c:?}");
    }
    for c in &report.changes {
        for text in [&c.rust, &c.detail] {
            assert!(!unqualified(text), "an unqualified path in {c:?}");
        }
    }
}

/// Whether `text` has a path starting at a generated module (`ops::`, `types::`, `ws::`) that is
/// not inside a longer path.
fn unqualified(text: &str) -> bool {
    ["ops::", "types::", "ws::"].iter().any(|module| {
        text.match_indices(module).any(|(at, _)| {
            !text[..at]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == ':')
        })
    })
}

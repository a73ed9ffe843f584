//! Generator tests: snapshots of small fixture specs (one per construct), compiled as crates over
//! the real runtime, the legacy 3.13.0 spec, error reporting and determinism.

use kalshi_codegen::{generate, generate_all, Error, Generated, Settings};
use std::path::{Path, PathBuf};
use std::process::Command;

/// One fixture spec per construct the generator must map.
const FIXTURES: &[&str] = &[
    "naming",
    "nullable",
    "containers",
    "enums",
    "formats",
    "operations",
    "docs",
    "pagination",
    "batch",
    "runtime_names",
    "composition",
];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn settings() -> Settings {
    let text = std::fs::read_to_string(root().join("spec/codegen.yaml")).unwrap();
    Settings::from_yaml(&text).unwrap()
}

fn fixture(name: &str) -> Generated {
    let path = root().join(format!("codegen/tests/fixtures/constructs/{name}.yaml"));
    let spec = std::fs::read_to_string(&path).unwrap();
    generate(&spec, &settings()).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn write_if_changed(path: &Path, contents: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(contents) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, contents).unwrap();
    }
}

/// Every fixture's output equals its committed snapshot. `UPDATE_SNAPSHOTS=1` rewrites them.
#[test]
fn snapshots_match() {
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let mut stale = Vec::new();
    for name in FIXTURES {
        let dir = root().join(format!("codegen/tests/snapshots/{name}"));
        let generated = fixture(name);
        if update {
            let _ = std::fs::remove_dir_all(&dir);
        }
        for file in &generated.files {
            let path = dir.join(&file.path);
            if update {
                write_if_changed(&path, &file.contents);
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(&file.contents) {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots differ from the generator's output (run `UPDATE_SNAPSHOTS=1 cargo test -p kalshi-codegen --test generate` and review the diff):\n{}",
        stale.join("\n")
    );
}

/// The `[dependencies]` and `[features]` sections of kalshi-api's manifest, for the check crates.
fn runtime_manifest_sections() -> String {
    let manifest = std::fs::read_to_string(root().join("kalshi-api/Cargo.toml")).unwrap();
    let mut out = String::new();
    let mut keep = false;
    for line in manifest.lines() {
        if line.starts_with('[') {
            keep = line == "[dependencies]" || line == "[features]";
        }
        if keep {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

fn copy_runtime(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap();
        if name == "generated" {
            continue;
        }
        if path.is_dir() {
            copy_runtime(&path, &dst.join(name));
        } else {
            write_if_changed(&dst.join(name), &std::fs::read_to_string(&path).unwrap());
        }
    }
}

/// Builds a crate of the real runtime plus `generated` and returns its directory. Without
/// generated WebSocket code, the runtime's `ws` feature is left out of its defaults.
fn check_crate(ws: &Path, name: &str, generated: &Generated) -> String {
    let dir = ws.join(name);
    let mut sections = runtime_manifest_sections();
    if !generated.files.iter().any(|f| f.path == "ws/mod.rs") {
        sections = sections
            .lines()
            .map(|l| {
                if l.starts_with("default = ") {
                    l.replace(", \"ws\"", "").replace("\"ws\", ", "")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
    }
    write_if_changed(
        &dir.join("Cargo.toml"),
        &format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[lib]\ndoctest = false\n\n{sections}\n"
        ),
    );
    copy_runtime(&root().join("kalshi-api/src"), &dir.join("src"));
    let gen_dir = dir.join("src/generated");
    let _ = std::fs::remove_dir_all(&gen_dir);
    for file in &generated.files {
        write_if_changed(&gen_dir.join(&file.path), &file.contents);
    }
    name.to_string()
}

/// The snapshots and the legacy 3.13.0 spec's output compile, warning-free, as crates over the
/// real hand-written runtime: broken output fails here, not in a user's build.
#[test]
fn snapshots_and_legacy_spec_compile() {
    let target = root().join("target/codegen-check");
    let ws = target.join("ws");
    let mut members = Vec::new();
    for name in FIXTURES {
        let dir = root().join(format!("codegen/tests/snapshots/{name}"));
        // Compile the committed snapshot files themselves.
        let files = fixture(name)
            .files
            .into_iter()
            .map(|f| {
                let contents = std::fs::read_to_string(dir.join(&f.path)).unwrap_or_else(|_| {
                    panic!(
                        "snapshot {name}/{} missing; run with UPDATE_SNAPSHOTS=1",
                        f.path
                    )
                });
                kalshi_codegen::GeneratedFile { contents, ..f }
            })
            .collect();
        let g = Generated {
            files,
            ..fixture(name)
        };
        members.push(check_crate(&ws, &format!("snapshot-{name}"), &g));
    }
    members.push(check_crate(&ws, "legacy-3-13-0", &legacy()));
    members.push(check_crate(&ws, "ws-variants", &ws_variants()));
    let list: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    write_if_changed(
        &ws.join("Cargo.toml"),
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            list.join(", ")
        ),
    );
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    if !ws.join("Cargo.lock").exists() {
        write_if_changed(&ws.join("Cargo.lock"), &lock);
    }
    let out = Command::new(env!("CARGO"))
        .args(["check", "--workspace", "--lib", "--quiet"])
        .env("CARGO_TARGET_DIR", target.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "generated crates do not compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // The composition fixture's types round-trip JSON: its committed snapshot, with the test file
    // codegen/tests/roundtrip/composition.rs, run as that crate's integration test. Without TLS
    // and the WebSocket side, which the types do not need, to keep the build small.
    write_if_changed(
        &ws.join("snapshot-composition/tests/roundtrip.rs"),
        &std::fs::read_to_string(root().join("codegen/tests/roundtrip/composition.rs")).unwrap(),
    );
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "-p",
            "snapshot-composition",
            "--no-default-features",
            "--features",
            "rustcrypto",
            "--test",
            "roundtrip",
            "--quiet",
        ])
        .env("CARGO_TARGET_DIR", target.join("target"))
        .env("RUSTFLAGS", "-D warnings")
        .current_dir(&ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the composition types do not round-trip:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn legacy() -> Generated {
    let spec =
        std::fs::read_to_string(root().join("codegen/tests/fixtures/kalshi-openapi-3.13.0.yaml"))
            .unwrap();
    generate(&spec, &settings()).unwrap()
}

/// 3.13.0 still has the legacy order endpoints that 3.31.0 dropped; regenerating from it keeps them.
#[test]
fn legacy_spec_has_legacy_order_operations() {
    let g = legacy();
    assert_eq!(g.version, "3.13.0");
    assert_eq!(g.operations, 89);
    let all: String = g.files.iter().map(|f| f.contents.as_str()).collect();
    for (op, method) in [
        ("CreateOrder", "create_order"),
        ("BatchCreateOrders", "batch_create_orders"),
        ("BatchCancelOrders", "batch_cancel_orders"),
        ("CreateOrderGroup", "create_order_group"),
    ] {
        assert!(all.contains(&format!("pub struct {op} {{")), "{op} missing");
        assert!(
            all.contains(&format!("pub async fn {method}(")),
            "{method} missing"
        );
    }
}

#[test]
fn same_spec_same_bytes() {
    let spec = std::fs::read_to_string(root().join("spec/openapi.yaml")).unwrap();
    let a = generate(&spec, &settings()).unwrap();
    let b = generate(&spec, &settings()).unwrap();
    assert_eq!(a.files, b.files);
}

/// A spec with several unmappable constructs is one error listing each, with its JSON pointer.
#[test]
fn invalid_spec_reports_every_problem_with_its_pointer() {
    let spec = std::fs::read_to_string(root().join("codegen/tests/fixtures/invalid.yaml")).unwrap();
    let Err(Error::Spec(problems)) = generate(&spec, &settings()) else {
        panic!("expected a spec error");
    };
    let text: Vec<String> = problems.iter().map(|p| p.to_string()).collect();
    let has = |pointer: &str, words: &str| {
        assert!(
            problems
                .iter()
                .any(|p| p.pointer == pointer && p.message.contains(words)),
            "no problem at {pointer} mentioning `{words}` in:\n{}",
            text.join("\n")
        );
    };
    has("/paths/~1a/get", "no `operationId`");
    has(
        "/paths/~1a/get/responses/200/content/application~1json/schema",
        "does not resolve",
    );
    has("/paths/~1c/get", "`operationId: Dup` is also used");
    has("/paths/~1b~1{id}/get", "`{id}` has no `in: path` parameter");
    has("/paths/~1b~1{id}/get/parameters/0", "header");
    has(
        "/paths/~1b~1{id}/get/responses/200/content/application~1json/schema/allOf/1/properties/a",
        "declared differently by another `allOf` member",
    );
}

/// Prose is not a contract: a cost sentence worded differently is the default cost and a warning
/// naming its place, not a failed regeneration.
#[test]
fn an_unknown_cost_wording_is_a_warning() {
    let spec = r#"
openapi: 3.0.0
info: { title: t, version: '1' }
paths:
  /d:
    get:
      operationId: Priced
      x-mint:
        content: "**Rate limit:** 5 tokens per second."
      responses:
        '204': { description: none }
"#;
    let g = generate(spec, &settings()).expect("generates");
    assert_eq!(g.warnings.len(), 1, "{:?}", g.warnings);
    assert_eq!(g.warnings[0].pointer, "/paths/~1d/get/x-mint/content");
    assert!(g.warnings[0].message.contains("using the default cost"));
    let ops: String = g.files.iter().map(|f| f.contents.as_str()).collect();
    assert!(ops.contains("cost: crate::ratelimit::Cost::DEFAULT"));
}

/// A document `openapiv3` cannot read says where, as a JSON pointer.
#[test]
fn an_unreadable_document_names_the_place() {
    let spec = r#"
openapi: 3.0.0
info: { title: t, version: '1' }
paths:
  /x:
    get:
      operationId: X
      parameters: 5
      responses:
        '204': { description: none }
"#;
    let Err(Error::Parse(m)) = generate(spec, &settings()) else {
        panic!("expected a parse error");
    };
    assert!(m.contains("at #/paths/~1x/get/parameters"), "{m}");
    let spec = "openapi: 3.0.0\ninfo: { title: t }\npaths: {}\n";
    let Err(Error::Parse(m)) = generate(spec, &settings()) else {
        panic!("expected a parse error");
    };
    assert!(
        m.contains("at #/info") && m.contains("missing field `version`"),
        "{m}"
    );
}

/// Operations named after `Client`'s own methods get suffixed methods (the fixture compiles in
/// `snapshots_and_legacy_spec_compile`).
#[test]
fn runtime_names_are_not_generated_twice() {
    let all: String = fixture("runtime_names")
        .files
        .iter()
        .map(|f| f.contents.clone())
        .collect();
    for method in [
        "paginate_2",
        "batch_2",
        "with_retry_2",
        "execute_2",
        "send_2",
    ] {
        assert!(all.contains(&format!("pub async fn {method}(")), "{method}");
    }
}

#[test]
fn a_per_item_cost_needs_an_array_of_items() {
    let spec = r#"
openapi: 3.0.0
info: { title: t, version: '1' }
paths:
  /orders:
    post:
      operationId: CreateMany
      description: "**Rate limit:** 10 tokens per order in the batch."
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: object, properties: { order: { type: string } } }
      responses:
        '204': { description: none }
"#;
    let Err(Error::Spec(problems)) = generate(spec, &settings()) else {
        panic!("expected a spec error");
    };
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].pointer, "/paths/~1orders/post");
    assert!(
        problems[0].message.contains("cost per item"),
        "{}",
        problems[0]
    );
}

#[test]
fn not_yaml_is_a_parse_error() {
    assert!(matches!(
        generate("{ nope", &settings()),
        Err(Error::Parse(_))
    ));
    assert!(matches!(
        generate("openapi: 3.1.0\ninfo: {title: x, version: '1'}\npaths: {}\n", &settings()),
        Err(Error::Parse(m)) if m.contains("3.1.0")
    ));
}

/// Items of the committed generated code: endpoint methods on `Client`, and every named type.
fn committed_items() -> (Vec<String>, Vec<String>) {
    fn walk(dir: &Path, fns: &mut Vec<String>, types: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, fns, types);
                continue;
            }
            let file = syn::parse_file(&std::fs::read_to_string(&path).unwrap()).unwrap();
            for item in file.items {
                match item {
                    syn::Item::Impl(imp)
                        if {
                            let ty = &imp.self_ty;
                            quote::quote!(#ty).to_string().ends_with("Client")
                        } =>
                    {
                        for it in imp.items {
                            if let syn::ImplItem::Fn(f) = it {
                                fns.push(f.sig.ident.to_string());
                            }
                        }
                    }
                    syn::Item::Struct(s) => types.push(s.ident.to_string()),
                    syn::Item::Enum(e) => types.push(e.ident.to_string()),
                    syn::Item::Type(t) => types.push(t.ident.to_string()),
                    _ => {}
                }
            }
        }
    }
    let (mut fns, mut types) = (Vec::new(), Vec::new());
    walk(
        &root().join("kalshi-api/src/generated"),
        &mut fns,
        &mut types,
    );
    (fns, types)
}

/// Every operation of `spec/openapi.yaml` has its endpoint method and request type, and every
/// schema its type, in the committed code.
#[test]
fn every_operation_and_schema_is_generated() {
    let text = std::fs::read_to_string(root().join("spec/openapi.yaml")).unwrap();
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let (fns, types) = committed_items();
    let mut ops = 0;
    for (_, item) in spec["paths"].as_mapping().unwrap() {
        for (_, op) in item.as_mapping().unwrap() {
            let Some(id) = op.get("operationId").and_then(|v| v.as_str()) else {
                continue;
            };
            ops += 1;
            let method = kalshi_codegen::names::snake(id);
            assert!(fns.contains(&method), "no `Client::{method}` for {id}");
            let request = kalshi_codegen::names::type_name(id);
            assert!(
                types.contains(&request),
                "no request type `{request}` for {id}"
            );
        }
    }
    assert_eq!(ops, 117, "3.31.0 has 117 operations");
    assert_eq!(fns.len(), ops, "one endpoint method per operation");
    let schemas = spec["components"]["schemas"].as_mapping().unwrap();
    assert_eq!(schemas.len(), 207);
    for (name, _) in schemas {
        let name = kalshi_codegen::names::type_name(name.as_str().unwrap());
        assert!(types.contains(&name), "no type `{name}`");
    }
}

fn asyncapi() -> String {
    std::fs::read_to_string(root().join("spec/asyncapi.yaml")).unwrap()
}

fn yaml(text: &str) -> serde_yaml::Value {
    serde_yaml::from_str(text).unwrap()
}

/// Kalshi's AsyncAPI file edited the ways a new version could differ: a channel added (with two
/// messages sharing one `type`), one removed, a message renamed.
fn ws_variant_spec() -> String {
    let mut doc = asyncapi_doc();
    let map = |v: &mut serde_yaml::Value, k: &str| -> serde_yaml::Mapping {
        v.get(k).and_then(|m| m.as_mapping()).cloned().unwrap()
    };
    // Removed: the trade channel and its operation.
    let mut channels = map(&mut doc, "channels");
    channels.remove("trade");
    let mut operations = map(&mut doc, "operations");
    operations.remove("receiveTrade");
    // Renamed: the ticker message.
    doc["components"]["messages"]["ticker"]["name"] = "market_ticker_v3".into();
    // Added: a channel with two messages of one `type`, told apart by their keys.
    channels.insert(
        "fancy_feed".into(),
        yaml(
            "address: fancy_feed\ntitle: Fancy Feed\ndescription: |\n  - Market specification ignored\n  - Supports `update_subscription` with `get_snapshot` actions\nmessages:\n  fancyA:\n    $ref: '#/components/messages/fancyA'\n  fancyB:\n    $ref: '#/components/messages/fancyB'\n",
        ),
    );
    operations.insert(
        "receiveFancy".into(),
        yaml("action: send\nchannel:\n  $ref: '#/channels/fancy_feed'\nmessages:\n  - $ref: '#/channels/fancy_feed/messages/fancyA'\n  - $ref: '#/channels/fancy_feed/messages/fancyB'\n"),
    );
    let payload = |keys: &str| {
        format!(
            "name: fancy\ncontentType: application/json\npayload:\n  type: object\n  properties:\n    type:\n      type: string\n      const: fancy\n    msg:\n      type: object\n      required: [{keys}]\n      properties:\n        price_dollars:\n          type: string\n        size_fp:\n          type: string\n        ticker:\n          type: string\n"
        )
    };
    doc["components"]["messages"]["fancyA"] = yaml(&payload("price_dollars, size_fp"));
    doc["components"]["messages"]["fancyB"] = yaml(&payload("ticker"));
    doc["channels"] = channels.into();
    doc["operations"] = operations.into();
    serde_yaml::to_string(&doc).unwrap()
}

fn asyncapi_doc() -> serde_yaml::Value {
    yaml(&asyncapi())
}

fn ws_variants() -> Generated {
    let spec =
        std::fs::read_to_string(root().join("codegen/tests/fixtures/constructs/naming.yaml"))
            .unwrap();
    kalshi_codegen::generate_all(&spec, Some(&ws_variant_spec()), &settings()).unwrap()
}

fn ws_text(g: &Generated) -> String {
    g.files
        .iter()
        .filter(|f| f.path.starts_with("ws/"))
        .map(|f| f.contents.as_str())
        .collect()
}

/// The whole Kalshi AsyncAPI file generates every message, command, channel and error code.
#[test]
fn kalshi_asyncapi_generates() {
    let spec = std::fs::read_to_string(root().join("spec/openapi.yaml")).unwrap();
    let g = kalshi_codegen::generate_all(&spec, Some(&asyncapi()), &settings()).unwrap();
    assert_eq!(g.ws_kinds, 27);
    assert_eq!(g.ws_channels, 13);
    let all = ws_text(&g);
    for item in [
        "OrderbookSnapshot(::std::boxed::Box<crate::generated::ws::OrderbookSnapshot>)",
        "OrderbookDelta(::std::boxed::Box<crate::generated::ws::OrderbookDelta>)",
        "Ok(OkMessage)",
        "MarketLifecycleV2(MarketLifecycleV2Message)",
        "Error(::std::boxed::Box<crate::generated::ws::ErrorResponse>)",
        "pub struct Subscribe {",
        "pub struct UpdateSubscription {",
        "pub struct ListSubscriptions {}",
        "pub delta_fp: crate::money::FixedPointCount,",
        "pub price_dollars: crate::money::FixedPointDollars,",
        "const CMD: &'static str = \"update_subscription\";",
        "SubscriptionBufferOverflow,",
        "Self::OrderbookDelta => &[\"add_markets\", \"delete_markets\", \"get_snapshot\"],",
    ] {
        assert!(all.contains(item), "{item} missing");
    }
    let b = kalshi_codegen::generate_all(&spec, Some(&asyncapi()), &settings()).unwrap();
    assert_eq!(g.files, b.files);
}

/// Channels added and removed, a message renamed and a shared `type` regenerate by the same rules
/// (the result compiles in `snapshots_and_legacy_spec_compile`).
#[test]
fn asyncapi_changes_regenerate() {
    let all = ws_text(&ws_variants());
    assert!(all.contains("FancyFeed,"));
    assert!(!all.contains("Trade(::std::boxed::Box<crate::generated::ws::Trade>)"));
    assert!(
        all.contains("MarketTickerV3(::std::boxed::Box<crate::generated::ws::MarketTickerV3>)")
            || all.contains("Ticker(::std::boxed::Box<crate::generated::ws::MarketTickerV3>)")
    );
    assert!(all.contains("pub enum FancyMessage {"));
    assert!(all.contains("protocol::has_keys(m, &[\"price_dollars\", \"size_fp\"])"));
    assert!(all.contains("Self::FancyFeed => &[\"get_snapshot\"],"));
}

/// Malformed AsyncAPI input is an error naming the place, never a panic.
#[test]
fn malformed_asyncapi_is_reported_with_its_pointer() {
    let gen = |text: &str| kalshi_codegen::generate_ws(text, &settings());
    let problems = |text: &str| match gen(text) {
        Err(Error::Spec(p)) => p,
        other => panic!("expected spec problems, got {other:?}"),
    };
    let has = |ps: &[kalshi_codegen::Problem], pointer: &str, words: &str| {
        assert!(
            ps.iter()
                .any(|p| p.pointer == pointer && p.message.contains(words)),
            "no problem at {pointer} mentioning `{words}` in {ps:?}"
        );
    };
    // No `type` const.
    let mut doc = asyncapi_doc();
    doc["components"]["schemas"]["tickerPayload"]["properties"]
        .as_mapping_mut()
        .unwrap()
        .remove("type");
    let ps = problems(&serde_yaml::to_string(&doc).unwrap());
    has(
        &ps,
        "/components/schemas/tickerPayload/properties/type",
        "`type` property with a `const`",
    );
    // A `$ref` to nowhere, in a message and in a schema.
    let mut doc = asyncapi_doc();
    doc["components"]["messages"]["trade"]["payload"]["$ref"] = "#/components/schemas/nope".into();
    doc["components"]["schemas"]["fillPayload"]["properties"]["msg"]["properties"]["side"]
        ["$ref"] = "#/components/schemas/gone".into();
    let ps = problems(&serde_yaml::to_string(&doc).unwrap());
    has(
        &ps,
        "/components/messages/trade/payload",
        "does not resolve",
    );
    has(
        &ps,
        "/components/schemas/fillPayload/properties/msg/properties/side/allOf/0",
        "does not resolve",
    );
    // A payload that is not an object.
    let mut doc = asyncapi_doc();
    doc["components"]["schemas"]["orderbookDeltaPayload"] = yaml("type: string");
    let ps = problems(&serde_yaml::to_string(&doc).unwrap());
    has(
        &ps,
        "/components/schemas/orderbookDeltaPayload",
        "expected an object schema",
    );
    // Not YAML, and the wrong version.
    assert!(matches!(gen("a: [b"), Err(Error::AsyncApi(_))));
    let Err(Error::AsyncApi(m)) = gen("asyncapi: 2.6.0\n") else {
        panic!("expected a version error");
    };
    assert!(m.contains("only 3.x"), "{m}");
    assert!(matches!(gen("openapi: 3.0.0\n"), Err(Error::AsyncApi(_))));
    // Odd but valid shapes do not panic.
    for text in [
        "asyncapi: 3.0.0\n",
        "asyncapi: 3.0.0\noperations: 5\nchannels: []\n",
        "asyncapi: 3.0.0\nx-error-codes: {codes: [{code: x}]}\n",
    ] {
        let _ = gen(text);
    }
}

/// The `order_book` settings are checked against the spec: a message or field the spec lacks, or
/// a field of the wrong shape, is a problem naming the setting or the field, never a panic; and
/// without the section no `BookFeed` impl is generated.
#[test]
fn order_book_settings_are_checked_against_the_spec() {
    let with = |edit: &dyn Fn(&mut kalshi_codegen::settings::OrderBookSettings)| {
        let mut s = settings();
        edit(
            s.order_book
                .as_mut()
                .expect("spec/codegen.yaml has `order_book`"),
        );
        s
    };
    let problems = |s: &Settings| match kalshi_codegen::generate_ws(&asyncapi(), s) {
        Err(Error::Spec(p)) => p,
        other => panic!("expected spec problems, got {other:?}"),
    };
    let has = |ps: &[kalshi_codegen::Problem], pointer: &str, words: &str| {
        assert!(
            ps.iter()
                .any(|p| p.pointer == pointer && p.message.contains(words)),
            "no problem at {pointer} mentioning `{words}` in {ps:?}"
        );
    };
    // A field of the wrong shape: the side is the ticker, a plain string.
    let ps = problems(&with(&|b| b.delta.side = "market_ticker".into()));
    assert_eq!(ps.len(), 1, "{ps:?}");
    has(
        &ps,
        "/components/schemas/orderbookDeltaPayload/properties/msg/properties/market_ticker",
        "`order_book.delta.side: market_ticker`: expected a required string enum whose values include `yes` and `no`, found a required string",
    );
    // The price is a count.
    let ps = problems(&with(&|b| b.delta.price = "delta_fp".into()));
    has(
        &ps,
        "/components/schemas/orderbookDeltaPayload/properties/msg/properties/delta_fp",
        "`crate::money::FixedPointDollars`",
    );
    // A field the message lacks, and a `type` no message has.
    let ps = problems(&with(&|b| {
        b.snapshot.levels[0] = "yes_levels".into();
        b.delta.kind = "book_delta".into();
    }));
    has(
        &ps,
        "/components/schemas/orderbookSnapshotPayload/properties/msg/properties",
        "no property `yes_levels`",
    );
    has(
        &ps,
        "/order_book/delta/type",
        "no server message has `type: book_delta`",
    );
    // A side the delta's enum does not have (the perps book's `bid`), and a side given twice:
    // problems at the settings' values.
    let ps = problems(&with(&|b| b.sides = ["bid".into(), "no".into()]));
    assert_eq!(ps.len(), 1, "{ps:?}");
    has(
        &ps,
        "/order_book/sides/0",
        "`order_book.sides.0: bid`: the delta's side is a string enum `MarketSide` of `yes`, `no`, without `bid`",
    );
    let ps = problems(&with(&|b| b.sides = ["yes".into(), "yes".into()]));
    has(
        &ps,
        "/order_book/sides/1",
        "the same value as `order_book.sides.0`",
    );
    // A snapshot's levels that are not `[string, string]` pairs.
    let ps = problems(&with(&|b| b.snapshot.levels[1] = "market_id".into()));
    has(
        &ps,
        "/components/schemas/orderbookSnapshotPayload/properties/msg/properties/market_id",
        "`order_book.snapshot.levels.1: market_id`: expected an array of `[string, string]` pairs",
    );
    // Without the section: no impl, and no problem.
    let mut none = settings();
    none.order_book = None;
    let g = kalshi_codegen::generate_ws(&asyncapi(), &none).unwrap();
    let all: String = g.iter().map(|f| f.contents.as_str()).collect();
    assert!(!all.contains("BookFeed"));
    assert!(!all.contains("pub type BookKeeper"));
    let g = kalshi_codegen::generate_ws(&asyncapi(), &settings()).unwrap();
    let all: String = g.iter().map(|f| f.contents.as_str()).collect();
    assert!(all.contains("impl protocol::BookFeed for ServerMessage {"));
    assert!(all.contains("type Sides = crate::sides::Side;"));
}

fn perps_settings() -> Settings {
    let text = std::fs::read_to_string(root().join("spec/perps/codegen.yaml")).unwrap();
    Settings::from_yaml(&text).unwrap()
}

fn perps_asyncapi() -> String {
    std::fs::read_to_string(root().join("spec/perps/asyncapi.yaml")).unwrap()
}

/// The perps book is read by the same keeper from its own settings: `asks: quoted` picks the
/// runtime's bid/ask sides, its side values are the spec's `bid` and `ask`, and the same checks
/// hold (the event-contract settings' YES/NO sides do not fit the margin spec).
#[test]
fn the_perps_order_book_settings_choose_quoted_sides_and_are_checked() {
    let g = kalshi_codegen::generate_ws(&perps_asyncapi(), &perps_settings()).unwrap();
    let all: String = g.iter().map(|f| f.contents.as_str()).collect();
    assert!(all.contains("type Sides = crate::sides::QuoteSide;"));
    assert!(all.contains("pub type BookKeeper = crate::ws::orderbook::BookKeeper<ServerMessage>;"));
    let problems = |s: &Settings| match kalshi_codegen::generate_ws(&perps_asyncapi(), s) {
        Err(Error::Spec(p)) => p,
        other => panic!("expected spec problems, got {other:?}"),
    };
    let mut yes_no = perps_settings();
    yes_no.order_book.as_mut().unwrap().sides = ["yes".into(), "no".into()];
    let ps = problems(&yes_no);
    assert_eq!(ps.len(), 2, "{ps:?}");
    for (i, value) in ["yes", "no"].iter().enumerate() {
        assert!(
            ps.iter()
                .any(|p| p.pointer == format!("/order_book/sides/{i}")
                    && p.message.contains(&format!("without `{value}`"))),
            "{ps:?}"
        );
    }
    // The event-contract field names: no such properties in the margin messages.
    let mut event_names = perps_settings();
    let b = event_names.order_book.as_mut().unwrap();
    b.snapshot.levels = ["yes_dollars_fp".into(), "no_dollars_fp".into()];
    b.delta.price = "price_dollars".into();
    let ps = problems(&event_names);
    assert_eq!(ps.len(), 3, "{ps:?}");
    assert!(
        ps.iter()
            .all(|p| p.pointer.ends_with("/properties/msg/properties")
                && p.message.contains("the message has no property")),
        "{ps:?}"
    );
    // An `asks` that is neither layout is a settings error.
    let text = std::fs::read_to_string(root().join("spec/perps/codegen.yaml"))
        .unwrap()
        .replace("asks: quoted", "asks: both");
    assert!(matches!(Settings::from_yaml(&text), Err(Error::Settings(m)) if m.contains("both")));
}

/// The `orders` settings are checked the same way.
#[test]
fn orders_settings_are_checked_against_the_spec() {
    let mut s = settings();
    let orders = s.orders.as_mut().expect("spec/codegen.yaml has `orders`");
    orders.fill.order_id = "client_order_id".into();
    orders.update.kind = "order_update".into();
    let ps = match kalshi_codegen::generate_ws(&asyncapi(), &s) {
        Err(Error::Spec(p)) => p,
        other => panic!("expected spec problems, got {other:?}"),
    };
    assert_eq!(ps.len(), 2, "{ps:?}");
    assert!(ps.iter().any(|p| p.pointer
        == "/components/schemas/fillPayload/properties/msg/properties/client_order_id"
        && p.message
            .contains("expected a required field of the runtime type `crate::OrderId`")
        && p.message.contains("found an optional string")));
    assert!(ps.iter().any(|p| p.pointer == "/orders/update/type"
        && p.message
            .contains("no server message has `type: order_update`")));
    s.orders = None;
    let g = kalshi_codegen::generate_ws(&asyncapi(), &s).unwrap();
    let all: String = g.iter().map(|f| f.contents.as_str()).collect();
    assert!(!all.contains("OrderFeed") && !all.contains("pub enum OrderUpdate"));
}

/// The `control` settings are checked against the spec: a reply or command the spec lacks, one
/// that several messages fit, a field of the wrong shape, or an action value the enum lacks is a
/// problem naming the setting or the schema; and without the section no `Control` impl is
/// generated.
#[test]
fn control_settings_are_checked_against_the_spec() {
    let mut s = settings();
    let c = s.control.as_mut().expect("spec/codegen.yaml has `control`");
    c.replies.subscribed.sid = "channel".into();
    c.replies.updated.markets = "nothing_like_it".into();
    c.replies.error.kind = "failure".into();
    c.commands.update.snapshot = "get_snapshots".into();
    c.commands.unsubscribe.cmd = "unsub".into();
    let ps = match kalshi_codegen::generate_ws(&asyncapi(), &s) {
        Err(Error::Spec(p)) => p,
        other => panic!("expected spec problems, got {other:?}"),
    };
    let has = |pointer: &str, words: &str| {
        assert!(
            ps.iter()
                .any(|p| p.pointer == pointer && p.message.contains(words)),
            "no problem at {pointer} mentioning `{words}` in {ps:?}"
        );
    };
    has(
        "/components/schemas/subscribedResponsePayload/properties/msg/properties/channel",
        "`control.replies.subscribed.sid: channel`: expected an integer, found a required string",
    );
    has(
        "/control/replies/updated/type",
        "none of the messages of `type: ok` fit; expected exactly one, a message with the properties [nothing_like_it]",
    );
    has(
        "/control/replies/error/type",
        "no server message has `type: failure`",
    );
    has(
        "/control/commands/unsubscribe/cmd",
        "none of the commands with `cmd: unsub` fit",
    );
    has(
        "/components/schemas/updateSubscriptionCommandPayload/properties/params/properties/action",
        "the action enum has no value `get_snapshots`",
    );
    assert_eq!(ps.len(), 5, "{ps:?}");
    // Naming no field of `ok`: every one of its messages fits.
    let mut s = settings();
    s.control.as_mut().unwrap().replies.unsubscribed.kind = "ok".into();
    let Err(Error::Spec(ps)) = kalshi_codegen::generate_ws(&asyncapi(), &s) else {
        panic!("expected a problem");
    };
    assert!(
        ps[0]
            .message
            .contains("several of the messages of `type: ok` fit"),
        "{ps:?}"
    );
    // Without the section: no impl, and no problem.
    s.control = None;
    let g = kalshi_codegen::generate_ws(&asyncapi(), &s).unwrap();
    let all: String = g.iter().map(|f| f.contents.as_str()).collect();
    assert!(!all.contains("protocol::Control for"));
    let g = kalshi_codegen::generate_ws(&asyncapi(), &settings()).unwrap();
    let all: String = g.iter().map(|f| f.contents.as_str()).collect();
    assert!(all.contains("impl protocol::Control for ServerMessage {"));
    assert!(all.contains("impl protocol::SubscribeParams for crate::generated::ws::Subscribe {"));
}

/// `field_types` maps order ids by name in REST schemas and WebSocket messages alike (the REST
/// spec writes them as plain strings, the WebSocket spec as `format: uuid`), and a property of
/// that name with another shape is an error at its pointer, not a silent pass.
#[test]
fn field_types_map_properties_by_name_and_reject_other_shapes() {
    let spec = r#"
openapi: 3.0.0
info: { title: t, version: "1" }
paths: {}
components:
  schemas:
    Placed:
      type: object
      required: [order_id]
      properties:
        order_id: { type: string }
        maker_order_id: { type: string, format: uuid, nullable: true }
        client_order_id: { type: string }
    Odd:
      type: object
      properties:
        order_id: { type: integer }
        taker_order_id: { type: string, enum: [a, b] }
"#;
    let Err(Error::Spec(problems)) = generate(spec, &settings()) else {
        panic!("expected a spec error");
    };
    let at = |pointer: &str| {
        problems.iter().any(|p| {
            p.pointer == pointer
                && p.message.contains("by `field_types`")
                && p.message.contains("expected an inline `type: string`")
        })
    };
    assert!(
        at("/components/schemas/Odd/properties/order_id"),
        "{problems:?}"
    );
    assert!(
        at("/components/schemas/Odd/properties/taker_order_id"),
        "{problems:?}"
    );
    assert_eq!(problems.len(), 2, "{problems:?}");

    let good = spec.split("    Odd:").next().unwrap();
    let text: String = generate(good, &settings())
        .unwrap()
        .files
        .iter()
        .map(|f| f.contents.clone())
        .collect();
    assert!(text.contains("pub order_id: crate::OrderId,"), "{text}");
    assert!(text.contains("pub maker_order_id: ::std::option::Option<crate::OrderId>,"));
    assert!(text.contains("pub client_order_id: ::std::option::Option<::std::string::String>,"));

    let ws: String = kalshi_codegen::generate_ws(&asyncapi(), &settings())
        .unwrap()
        .iter()
        .map(|f| f.contents.clone())
        .collect();
    assert!(ws.contains("pub fn order_id(&self) -> &crate::OrderId"));
    assert!(
        !ws.contains("order_id: ::uuid::Uuid"),
        "no order id is a bare uuid"
    );
}

/// A settings file whose `field_types` names something that is not a Rust path is refused.
#[test]
fn field_types_must_name_rust_paths() {
    let err = Settings::from_yaml("field_types:\n  order_id: not a path\n").unwrap_err();
    assert!(err.to_string().contains("field_types.order_id"), "{err}");
}

/// `enum_conversions` gives every generated string enum whose values are exactly an entry's spec
/// values `From<runtime>` and `TryFrom<Enum> for runtime`, and no other enum.
#[test]
fn enum_conversions_apply_to_enums_of_exactly_their_values() {
    let spec = r#"
openapi: 3.0.0
info: { title: t, version: "1" }
paths: {}
components:
  schemas:
    Outcome: { type: string, enum: ["no", "yes"] }
    Action: { type: string, enum: [bid, ask] }
    Answer: { type: string, enum: ["yes", "no", maybe] }
"#;
    let text: String = generate(spec, &settings())
        .unwrap()
        .files
        .iter()
        .map(|f| f.contents.clone())
        .collect();
    for (name, yes) in [("Outcome", "Yes"), ("Action", "Bid")] {
        assert!(
            text.contains(&format!(
                "impl ::std::convert::From<crate::sides::Side> for {name} {{"
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!(r#""yes" => Self::{yes},"#)),
            "{text}"
        );
        assert!(text.contains(&format!(
            "impl ::std::convert::TryFrom<{name}> for crate::sides::Side {{"
        )));
    }
    assert!(
        !text.contains(
            "for Answer {
    /// The value"
        ),
        "{text}"
    );
    assert!(!text.contains("TryFrom<Answer>"), "{text}");
}

/// Two entries converting one runtime enum to the same spec values would clash; a runtime that
/// is not a Rust path cannot be emitted: both are refused when the settings are read.
#[test]
fn enum_conversions_are_checked_when_the_settings_are_read() {
    let clash = "enum_conversions:\n  - { runtime: crate::S, values: { a: x, b: y } }\n  - { runtime: crate::S, values: { b: x, a: y } }\n";
    let err = Settings::from_yaml(clash).unwrap_err().to_string();
    assert!(err.contains("enum_conversions[1]"), "{err}");
    let bad = "enum_conversions:\n  - { runtime: not a path, values: { a: x } }\n";
    let err = Settings::from_yaml(bad).unwrap_err().to_string();
    assert!(err.contains("enum_conversions[0].runtime"), "{err}");
    let twice = "enum_conversions:\n  - { runtime: crate::S, values: { a: x, b: x } }\n";
    let err = Settings::from_yaml(twice).unwrap_err().to_string();
    assert!(err.contains("enum_conversions[0].values"), "{err}");
}

/// Channel prose in a wording the reader does not know is a warning naming its place, as for
/// rate-limit prose; Kalshi's own file reads without one.
#[test]
fn an_unknown_channel_wording_is_a_warning() {
    let spec = std::fs::read_to_string(root().join("spec/openapi.yaml")).unwrap();
    let text = asyncapi();
    let g = generate_all(&spec, Some(&text), &settings()).unwrap();
    assert_eq!(g.ws_warnings, []);
    let mut doc = asyncapi_doc();
    let description = &mut doc["channels"]["ticker"]["description"];
    let reworded = format!(
        "{}\n- Ticker filters are not supported",
        description.as_str().unwrap()
    );
    *description = serde_yaml::Value::String(reworded);
    let text = serde_yaml::to_string(&doc).unwrap();
    let g = generate_all(&spec, Some(&text), &settings()).unwrap();
    let pointers: Vec<&str> = g.ws_warnings.iter().map(|w| w.pointer.as_str()).collect();
    assert_eq!(pointers, ["/channels/ticker/description"]);
    assert!(
        g.ws_warnings[0]
            .message
            .starts_with("`Ticker filters are not supported`: expected"),
        "{}",
        g.ws_warnings[0]
    );
}

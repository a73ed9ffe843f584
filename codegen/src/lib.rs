//! Turns Kalshi's specs into the Rust source of the `kalshi-api` crate's generated modules, and
//! reports what changed for users between two versions of them.
//!
//! A pipeline of stages with one job each. Two front ends read the specs: [`openapi`] (the REST
//! API: load, validate, lower operations, read their shapes and costs) and [`asyncapi`] (the
//! WebSocket API: messages, commands, channels, error codes, and the feeds the settings name).
//! Both lower their schemas through the shared [`schema`] lowering into the neutral model [`ir`],
//! where every naming and typing decision is made; [`emit`] turns the model into tokens
//! (`quote!`) and [`render`] into formatted files (`syn` + `prettyplease`). [`diff`] compares the
//! models of two spec versions. Same specs and settings in, same bytes out.

#![forbid(unsafe_code)]

pub mod asyncapi;
pub mod diff;
pub mod docs;
pub mod emit;
pub mod error;
pub mod field_rules;
pub mod ir;
pub mod names;
pub mod normalise;
pub mod openapi;
pub mod pointer;
pub mod products;
pub mod provenance;
pub mod render;
pub mod schema;
pub mod settings;

pub use error::{Error, Problem};
pub use ir::Target;
pub use settings::Settings;

use provenance::Headers;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the generated module's root directory, `/`-separated.
    pub path: String,
    /// Full contents, header line included.
    pub contents: String,
}

/// The result of a generation.
#[derive(Debug)]
pub struct Generated {
    /// Every file, sorted by path.
    pub files: Vec<GeneratedFile>,
    /// `info.version` of the spec.
    pub version: String,
    /// Number of operations.
    pub operations: usize,
    /// Number of generated types (component schemas and inline ones).
    pub types: usize,
    /// The API areas' cargo features, sorted; empty unless the target has areas.
    pub areas: Vec<String>,
    /// Number of WebSocket `type` values (variants of `ServerMessage`); 0 without an AsyncAPI spec.
    pub ws_kinds: usize,
    /// Number of WebSocket channels; 0 without an AsyncAPI spec.
    pub ws_channels: usize,
    /// Things read from documentation prose that were not understood and fell back to a default
    /// (a rate-limit sentence worded differently), each with its JSON pointer. Not errors: prose
    /// is not a contract.
    pub warnings: Vec<Problem>,
    /// The same for the AsyncAPI spec (channel prose not understood); pointers into that spec.
    pub ws_warnings: Vec<Problem>,
}

/// Generates the SDK source from spec text.
pub fn generate(spec: &str, settings: &Settings) -> Result<Generated, Error> {
    generate_all(spec, None, settings)
}

fn render_all(files: &[emit::FileTokens], headers: &Headers) -> Result<Vec<GeneratedFile>, Error> {
    files
        .iter()
        .map(|f| {
            Ok(GeneratedFile {
                path: f.path.clone(),
                contents: render::render(f, headers.of(&f.path))?,
            })
        })
        .collect()
}

/// Generates the WebSocket side (`ws/...` files) from AsyncAPI text.
pub fn generate_ws(asyncapi_text: &str, settings: &Settings) -> Result<Vec<GeneratedFile>, Error> {
    Ok(ws_model(asyncapi_text, settings, &ir::Target::default())?.1)
}

/// The WebSocket model, its files and its warnings.
type WsOutput = (ir::ws::WsModel, Vec<GeneratedFile>, Vec<Problem>);

fn ws_model(text: &str, settings: &Settings, target: &ir::Target) -> Result<WsOutput, Error> {
    let (mut model, warnings) = asyncapi::read(text, settings)?;
    model.sha256 = provenance::sha256_hex(text);
    model.types.target = target.clone();
    model.types.types_path = format!("{}::ws", target.module);
    let headers = Headers::new("ws/mod.rs", &model.title, &model.version, text);
    let files = render_all(&model.emit(), &headers)?;
    Ok((model, files, warnings))
}

/// Files rendered, each with its place in the order they were emitted in.
type Rendered = Vec<(usize, Result<GeneratedFile, Error>)>;

/// The REST model, its warnings and the files rendered on this thread.
type RestOutput = (ir::Model, Vec<Problem>, Rendered);

/// Files handed to the helper thread to render: each with its place and its header.
type Handed = Vec<(usize, render::FileText, String)>;

/// Reads, lowers and emits the REST side; renders every other file here and hands the rest to
/// the helper thread through `hand` as text (parsing and formatting are half of a generation's
/// work). Which files go where depends only on their order, never on timing.
fn rest_side(
    spec: &str,
    settings: &Settings,
    target: &ir::Target,
    with_ws: bool,
    hand: std::sync::mpsc::Sender<Handed>,
) -> Result<RestOutput, Error> {
    let (mut model, warnings) = openapi::read(spec, settings)?;
    model.target = target.clone();
    model.types_path = format!("{}::types", target.namespace);
    let headers = Headers::new("mod.rs", &model.title, &model.version, spec);
    let (mine, theirs): (Vec<_>, Vec<_>) = model
        .emit_with(with_ws)
        .into_iter()
        .enumerate()
        .partition(|(i, _)| i % 2 == 0);
    let handed = theirs
        .iter()
        .map(|(i, f)| (*i, render::FileText::of(f), headers.of(&f.path).to_string()))
        .collect();
    // The helper receives before it ends, so the send cannot fail.
    let _ = hand.send(handed);
    let rendered = mine
        .iter()
        .map(|(i, f)| {
            (
                *i,
                render_file(f.path.clone(), render::render(f, headers.of(&f.path))),
            )
        })
        .collect();
    Ok((model, warnings, rendered))
}

fn render_file(path: String, contents: Result<String, Error>) -> Result<GeneratedFile, Error> {
    Ok(GeneratedFile {
        path,
        contents: contents?,
    })
}

/// The helper thread: the WebSocket side, then the REST files handed over (none when the REST
/// side failed first and dropped its sender).
fn helper(
    asyncapi_text: Option<&str>,
    settings: &Settings,
    target: &ir::Target,
    handed: std::sync::mpsc::Receiver<Handed>,
) -> (Option<Result<WsOutput, Error>>, Rendered) {
    let ws = asyncapi_text.map(|t| ws_model(t, settings, target));
    let rendered = handed
        .recv()
        .unwrap_or_default()
        .iter()
        .map(|(i, f, header)| {
            (
                *i,
                render_file(f.path.clone(), render::render_text(f, header)),
            )
        })
        .collect();
    (ws, rendered)
}

/// Generates the SDK source from the OpenAPI spec and, when given, the AsyncAPI spec (whose
/// module `ws` is behind the `ws` feature), for the event-contract API's place in the crate.
pub fn generate_all(
    spec: &str,
    asyncapi_text: Option<&str>,
    settings: &Settings,
) -> Result<Generated, Error> {
    generate_product(spec, asyncapi_text, settings, &ir::Target::default())
}

/// [`generate_all`] for one product of `spec/products.yaml`, generated at `target`: its types
/// named under `target.namespace`, its WebSocket types under `target.module`.
pub fn generate_product(
    spec: &str,
    asyncapi_text: Option<&str>,
    settings: &Settings,
    target: &ir::Target,
) -> Result<Generated, Error> {
    let ws_specs: Vec<&str> = asyncapi_text.into_iter().collect();
    field_rules::check(settings, &ws_specs)?;
    // A helper thread reads, lowers and renders the WebSocket side meanwhile, then renders the
    // REST files handed to it. Errors are returned in the order of a run in turn: the REST
    // side's reading first, then the WebSocket side's, then the first file's that fails to render.
    let (rest, (ws, handed)) = std::thread::scope(|s| {
        let (hand, handed) = std::sync::mpsc::channel();
        let help = s.spawn(move || helper(asyncapi_text, settings, target, handed));
        let rest = rest_side(spec, settings, target, asyncapi_text.is_some(), hand);
        (
            rest,
            help.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
        )
    });
    let (model, warnings, mut rendered) = rest?;
    let ws = ws.transpose()?;
    rendered.extend(handed);
    rendered.sort_by_key(|(i, _)| *i);
    let mut files = rendered
        .into_iter()
        .map(|(_, file)| file)
        .collect::<Result<Vec<_>, _>>()?;
    let (mut ws_kinds, mut ws_channels, mut ws_warnings) = (0, 0, Vec::new());
    if let Some((ws, ws_files, warnings)) = ws {
        ws_kinds = ws.kinds.len();
        ws_channels = ws.channels.len();
        ws_warnings = warnings;
        files.extend(ws_files);
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Generated {
        files,
        version: model.version.clone(),
        operations: model.ops.len(),
        types: model.types.len(),
        areas: model.area_features(),
        ws_kinds,
        ws_channels,
        warnings,
        ws_warnings,
    })
}

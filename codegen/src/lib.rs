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
    let (mut model, warnings) = openapi::read(spec, settings)?;
    model.target = target.clone();
    model.types_path = format!("{}::types", target.namespace);
    let headers = Headers::new("mod.rs", &model.title, &model.version, spec);
    let ws = asyncapi_text
        .map(|t| ws_model(t, settings, target))
        .transpose()?;
    let mut files = render_all(&model.emit_with(ws.is_some()), &headers)?;
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
        ws_kinds,
        ws_channels,
        warnings,
        ws_warnings,
    })
}

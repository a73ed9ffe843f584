//! The OpenAPI input: document checks, and the lowering of operations (parameters, bodies,
//! responses, cost, authentication) onto the shared schema lowering, then the shapes read off the
//! result (pagination, batches).

pub mod cost;
pub mod load;
mod lower;
mod shapes;
pub mod validate;

pub use lower::{CLIENT_METHODS, CLIENT_TRAIT_METHODS};

use crate::error::{Error, Problem};
use crate::ir::{self, Cost, Model, Ty};
use crate::names::Namespace;
use crate::pointer::ptr;
use crate::schema::Lowering;
use crate::settings::Settings;
use openapiv3::{OpenAPI, ReferenceOr};
use std::collections::HashMap;

/// Lowers an OpenAPI document's operations; the types live in the shared [`Lowering`].
struct Builder<'a> {
    api: &'a OpenAPI,
    schema: Lowering<'a>,
    /// Inline types of `components.parameters` entries, shared by every operation using them.
    param_types: HashMap<String, Ty>,
}

/// Reads, checks and lowers an OpenAPI spec: the model and the warnings met (prose not
/// understood), or every problem of the document checks and the lowering together.
pub fn read(text: &str, settings: &Settings) -> Result<(Model, Vec<Problem>), Error> {
    let api = load::load(text)?;
    // Both stages run so that one report lists every problem.
    let mut problems = validate::validate(&api);
    match build(&api, settings) {
        Ok(built) if problems.is_empty() => Ok(built),
        Ok(_) => Err(Error::Spec(problems)),
        Err(more) => {
            problems.extend(
                more.into_iter()
                    .filter(|p| !problems.contains(p))
                    .collect::<Vec<_>>(),
            );
            Err(Error::Spec(problems))
        }
    }
}

/// Builds the model, collecting every problem rather than stopping at the first.
/// Returns the model and the warnings met (prose not understood).
pub fn build(api: &OpenAPI, settings: &Settings) -> Result<(Model, Vec<Problem>), Vec<Problem>> {
    let schemas = api
        .components
        .as_ref()
        .map(|c| &c.schemas)
        .cloned()
        .unwrap_or_default();
    // The WebSocket field rules are the AsyncAPI spec's: REST fields are typed as written.
    let rest_settings = Settings {
        ws_field_types: Default::default(),
        ..settings.clone()
    };
    let mut b = Builder {
        api,
        schema: Lowering::new(&rest_settings, schemas, "/components/schemas"),
        param_types: HashMap::new(),
    };
    let mut ops = Vec::new();
    let mut op_names = Namespace::default();
    let reserved: Vec<&str> = CLIENT_METHODS
        .iter()
        .chain(CLIENT_TRAIT_METHODS)
        .copied()
        .collect();
    let mut fn_names = Namespace::with_reserved(&reserved);
    for (path, item) in &api.paths.paths {
        let item_ptr = ptr("/paths", &[path]);
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { .. } => {
                b.schema.problem(
                    &item_ptr,
                    "a `$ref` path item is not supported; inline the path item",
                );
                continue;
            }
        };
        for (method, op) in item.iter() {
            let op_ptr = ptr(&item_ptr, &[method]);
            let names = (&mut op_names, &mut fn_names);
            if let Some(op) = b.operation(path, method, op, &item.parameters, &op_ptr, names) {
                ops.push(op);
            }
        }
    }
    if !b.schema.problems.is_empty() {
        return Err(b.schema.problems);
    }
    let mut model = Model {
        title: api.info.title.clone(),
        version: api.info.version.clone(),
        types: std::mem::take(&mut b.schema.types),
        ops,
        types_path: "crate::types".to_string(),
        conversions: settings.enum_conversions.clone(),
        target: ir::Target::default(),
    };
    let mut problems = Vec::new();
    for i in 0..model.ops.len() {
        model.ops[i].pagination = shapes::pagination(&model, &model.ops[i]);
        model.ops[i].items_field = shapes::items_field(&model, &model.ops[i]);
        model.ops[i].batch = shapes::batch(&model, &model.ops[i], settings);
        let op = &model.ops[i];
        if matches!(op.cost, Cost::PerItem(_)) && op.items_field.is_none() {
            problems.push(Problem {
                pointer: op.pointer.clone(),
                message: "the documentation states a cost per item, but the request body has no \
                          array of items as its only required field to count them"
                    .into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    ir::mark_usage(&mut model);
    ir::box_recursion(&mut model);
    Ok((model, b.schema.warnings))
}

//! The messages' and commands' schemas lowered through the shared [`Lowering`]: the component
//! schemas they reach, each message's `msg` type and shape, each command's parameter struct, and
//! the variants of `ServerMessage`.

use super::load;
use super::messages::{Cmd, Cx, Server};
use crate::ir::ws::{Alt, CommandDef, KindBody, ServerKind};
use crate::ir::{self, Ty, TypeDef, TypeId, TypeKind};
use crate::names::{self, Namespace};
use crate::pointer::{self, key_text, ptr};
use crate::schema::{Lowering, SCHEMAS};
use crate::settings::Settings;
use indexmap::{IndexMap, IndexSet};
use openapiv3::{ReferenceOr, Schema};
use serde_yaml::Value;

/// Names the generated WebSocket items take beside the types.
pub const RESERVED: &[&str] = &[
    "ServerMessage",
    "Channel",
    "ErrorCode",
    "Incoming",
    "Command",
    "BookKeeper",
    "BookUpdate",
    "BookEvents",
    "OrderTracker",
    "OrderUpdate",
    "OrderUpdates",
];

/// A string value, owned.
pub(super) fn text(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

/// The shared lowering over the component schemas the messages and commands reach, normalised
/// into `openapiv3`.
pub(super) fn component_lowering<'s>(
    cx: &mut Cx<'_>,
    settings: &'s Settings,
    servers: &[Server<'_>],
    cmds: &[Cmd<'_>],
) -> Lowering<'s> {
    let mut roots: Vec<(String, Value)> = Vec::new();
    roots.extend(
        servers
            .iter()
            .filter_map(|s| s.body.clone())
            .map(|(p, v)| (p, v.clone())),
    );
    roots.extend(
        cmds.iter()
            .filter_map(|c| c.params.clone())
            .map(|(p, v)| (p, v.clone())),
    );
    let keys = reachable(cx, &roots);
    let mut components = IndexMap::new();
    if let Some(all) = pointer::lookup(cx.doc, "/components/schemas").and_then(Value::as_mapping) {
        for (key, v) in all {
            let key = key_text(key);
            if keys.contains(&key) {
                let at = ptr("/components/schemas", &[&key]);
                if let Some(s) = parse_schema(cx, v, &at) {
                    components.insert(key.clone(), s);
                }
            }
        }
    }
    Lowering::with_names(
        settings,
        components,
        "/components/schemas",
        Namespace::with_reserved(RESERVED),
    )
}

/// Every `#/components/schemas/...` key reachable from `v` (following references).
pub(super) fn reachable(cx: &mut Cx<'_>, roots: &[(String, Value)]) -> IndexSet<String> {
    let mut keys = IndexSet::new();
    let mut stack: Vec<(String, Value)> = roots.to_vec();
    while let Some((at, v)) = stack.pop() {
        match &v {
            Value::Mapping(m) => {
                if let Some(r) = m.get("$ref").and_then(Value::as_str) {
                    if let Some(key) = crate::schema::local_key(SCHEMAS, r) {
                        match cx
                            .doc
                            .get("components")
                            .and_then(|c| c.get("schemas"))
                            .and_then(|s| s.get(key.as_str()))
                        {
                            Some(target) => {
                                if keys.insert(key.clone()) {
                                    stack.push((
                                        ptr("/components/schemas", &[&key]),
                                        target.clone(),
                                    ));
                                }
                            }
                            None => cx.problem(
                                &at,
                                format!("`$ref: {r}` does not resolve: no such schema"),
                            ),
                        }
                    }
                }
                for (k, child) in m {
                    let k = key_text(k);
                    stack.push((ptr(&at, &[&k]), child.clone()));
                }
            }
            Value::Sequence(items) => {
                for (i, child) in items.iter().enumerate() {
                    stack.push((ptr(&at, &[&i.to_string()]), child.clone()));
                }
            }
            _ => {}
        }
    }
    keys
}

pub(super) fn parse_schema(cx: &mut Cx<'_>, v: &Value, at: &str) -> Option<ReferenceOr<Schema>> {
    match serde_yaml::from_value::<ReferenceOr<Schema>>(v.clone()) {
        Ok(s) => Some(s),
        Err(e) => {
            cx.problem(at, format!("not a schema the generator can read: {e}"));
            None
        }
    }
}

/// Each server message's `msg` lowered: its `type` value and alternative, and the types it
/// outputs.
pub(super) fn message_bodies<'d>(
    cx: &mut Cx<'d>,
    lowering: &mut Lowering<'_>,
    servers: &[Server<'d>],
) -> (Vec<(String, Alt)>, Vec<TypeId>) {
    let mut outputs: Vec<TypeId> = Vec::new();
    let mut alts: Vec<(String, Alt)> = Vec::new();
    for s in servers {
        let rust = names::type_name(&s.name);
        let doc_text = text(s.msg.value.get("summary")).or_else(|| text(s.msg.value.get("title")));
        let mut alt = Alt {
            name: rust.clone(),
            ty: None,
            doc: doc_text,
            is_array: false,
            required: Vec::new(),
            consts: Vec::new(),
        };
        if let Some((at, v)) = &s.body {
            let Some(schema) = parse_schema(cx, v, at) else {
                continue;
            };
            let (ty, _, _) = lowering.resolve(&schema, &rust, at);
            ir::named_in(&ty, &mut |id| outputs.push(id));
            alt_shape(cx, lowering, &ty, (at, v), &mut alt);
            alt.ty = Some(ty);
        }
        alts.push((s.wire.clone(), alt));
    }
    (alts, outputs)
}

/// What tells one alternative from another: an array, its required keys and `const`s.
fn alt_shape<'d>(
    cx: &mut Cx<'d>,
    lowering: &Lowering<'_>,
    ty: &Ty,
    (at, v): (&str, &'d Value),
    alt: &mut Alt,
) {
    let Some((_, obj)) = cx.deref(v, at) else {
        return;
    };
    let obj = match obj.get("allOf").and_then(Value::as_sequence) {
        Some(one) if one.len() == 1 => cx.deref(&one[0], at).map_or(obj, |(_, o)| o),
        _ => obj,
    };
    alt.is_array =
        obj.get("type").and_then(Value::as_str) == Some("array") || matches!(ty, Ty::Vec(_));
    alt.required = obj
        .get("required")
        .and_then(Value::as_sequence)
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    alt.consts = consts(lowering, ty, obj, &alt.required);
}

/// Each command's parameter struct (an empty one for a command without `params`).
pub(super) fn commands(
    cx: &mut Cx<'_>,
    lowering: &mut Lowering<'_>,
    cmds: &[Cmd<'_>],
) -> Vec<CommandDef> {
    let mut commands = Vec::new();
    for c in cmds {
        let rust = names::type_name(&c.name());
        let id = match &c.params {
            None => {
                let n = lowering.names.claim(&rust);
                let id = lowering.push(n, c.payload.clone());
                lowering.types[id].kind = TypeKind::Struct(Vec::new());
                Some(id)
            }
            Some((at, v)) => command_params(cx, lowering, &rust, (at, v)),
        };
        let Some(id) = id else { continue };
        commands.push(CommandDef {
            cmd: c.cmd.clone(),
            ty: id,
            has_params: c.params.is_some(),
        });
    }
    commands
}

/// A command's `params`, which must be an inline object schema.
fn command_params(
    cx: &mut Cx<'_>,
    lowering: &mut Lowering<'_>,
    rust: &str,
    (at, v): (&str, &Value),
) -> Option<TypeId> {
    let before = lowering.types.len();
    let schema = parse_schema(cx, v, at)?;
    let (ty, _, _) = lowering.resolve(&schema, rust, at);
    match ty {
        Ty::Named(id) if id >= before && matches!(lowering.types[id].kind, TypeKind::Struct(_)) => {
            Some(id)
        }
        _ => {
            cx.problem(
                at,
                "command `params`: expected an inline object schema with `properties`",
            );
            None
        }
    }
}

/// The variants of `ServerMessage`, grouped by `type`: one message, or an enum of alternatives.
pub(super) fn kinds(lowering: &mut Lowering<'_>, alts: Vec<(String, Alt)>) -> Vec<ServerKind> {
    let mut variants = Namespace::with_reserved(&["Unknown"]);
    let mut grouped: IndexMap<String, Vec<Alt>> = IndexMap::new();
    for (wire, alt) in alts {
        grouped.entry(wire).or_default().push(alt);
    }
    let mut kinds = Vec::new();
    for (wire, mut group) in grouped {
        let variant = variants.claim(&names::variant(&wire));
        let body = if group.len() == 1 {
            KindBody::One(group.remove(0))
        } else {
            let mut alt_names = Namespace::default();
            for a in &mut group {
                a.name = alt_names.claim(&a.name);
            }
            order_alternatives(&mut group);
            KindBody::Several {
                name: lowering.names.claim(&format!("{variant}Message")),
                alts: group,
            }
        };
        kinds.push(ServerKind {
            wire,
            variant,
            body,
        });
    }
    kinds
}

/// The types in use, with what each is used for, and the module each lives in (command
/// parameters in `commands`, the rest in `types`).
pub(super) fn finish_types(
    mut types: Vec<TypeDef>,
    outputs: Vec<TypeId>,
    commands: &[CommandDef],
) -> Vec<TypeDef> {
    let command_types: Vec<TypeId> = commands.iter().map(|c| c.ty).collect();
    ir::reach(&mut types, outputs, true);
    ir::reach(&mut types, command_types.clone(), false);
    for (id, t) in types.iter_mut().enumerate() {
        t.module = if command_types.contains(&id) {
            "commands".into()
        } else {
            "types".into()
        };
    }
    types
}

/// Required properties written as a `const` whose field is a one-value enum: the Rust field, the
/// enum type and the constant's variant.
fn consts(
    lowering: &Lowering<'_>,
    ty: &Ty,
    obj: &Value,
    required: &[String],
) -> Vec<(String, TypeId, String)> {
    let Ty::Named(id) = ty else {
        return Vec::new();
    };
    let TypeKind::Struct(fields) = &lowering.types[*id].kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for f in fields
        .iter()
        .filter(|f| required.contains(&f.wire) && !f.is_option())
    {
        let value = obj
            .get("properties")
            .and_then(|p| p.get(&f.wire))
            .and_then(load::const_str);
        let (Some(value), Ty::Named(eid)) = (value, &f.ty) else {
            continue;
        };
        if let TypeKind::StringEnum { variants, .. } = &lowering.types[*eid].kind {
            if let Some((v, _)) = variants.iter().find(|(_, w)| w == value) {
                out.push((f.name.clone(), *eid, v.clone()));
            }
        }
    }
    out
}

/// Orders alternatives as they are tried (see the module docs); the last is the fallback.
fn order_alternatives(alts: &mut [Alt]) {
    let rank = |a: &Alt| -> (u8, std::cmp::Reverse<usize>) {
        let class = if a.ty.is_none() {
            0
        } else if a.is_array {
            1
        } else if !a.consts.is_empty() {
            2
        } else if !a.required.is_empty() {
            3
        } else {
            4
        };
        (class, std::cmp::Reverse(a.required.len()))
    };
    alts.sort_by_key(rank);
}

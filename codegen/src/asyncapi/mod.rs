//! The AsyncAPI input: server messages, commands, channels and error codes, lowered onto the
//! shared schema lowering ([`crate::schema`]).
//!
//! General rules, never a channel, message or schema name:
//!
//! - Server messages are those of operations with `action: send` and JSON content (control frames
//!   in `application/octet-stream` are the WebSocket layer's). Each payload is the envelope
//!   `{type, id, sid, seq, msg}`; `properties.type` must be a `const`, and `msg` becomes the
//!   message's type, named from the message's `name`, or from its key when the name is shared by
//!   several messages or clashes with a reserved name. A message listed by several channels is one
//!   message.
//! - Messages sharing a `type` value are alternatives of one enum, chosen by shape (see
//!   [`KindBody::Several`]): a missing `msg` first, then arrays, then objects with required `const`
//!   properties (decoded, then checked), then objects by their required keys, most keys first; the
//!   last alternative (one with no required keys, when there is one) is the fallback.
//! - Commands are the messages of operations with `action: receive` and JSON content whose payload
//!   has a `cmd` const; messages sharing one payload schema are one command, named by the words
//!   their names share (the `cmd` value when they share none).
//! - Data channels are the channels whose address is not a path (`/...`).

pub mod feeds;
pub mod load;
pub mod prose;

use crate::error::{Error, Problem};
use crate::ir::ws::{Alt, ChannelDef, CommandDef, ErrorCodeDef, KindBody, ServerKind, WsModel};
use crate::ir::{self, Model, Ty, TypeId, TypeKind};
use crate::names::{self, Namespace};
use crate::pointer::{self, key_text, ptr};
use crate::schema::{Lowering, SCHEMAS};
use crate::settings::Settings;
use indexmap::{IndexMap, IndexSet};
use openapiv3::{ReferenceOr, Schema};
use serde_yaml::Value;

/// A YAML mapping.
type Object = serde_yaml::Mapping;

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

/// A message found through the operations.
struct Msg<'d> {
    /// Its JSON pointer (after following references).
    pointer: String,
    /// Its key (last pointer token).
    key: String,
    value: &'d Value,
    /// The payload's pointer and value.
    payload: (String, &'d Value),
}

struct Cx<'d> {
    doc: &'d Value,
    problems: Vec<Problem>,
}

impl<'d> Cx<'d> {
    fn problem(&mut self, pointer: &str, message: impl Into<String>) {
        self.problems.push(Problem {
            pointer: pointer.to_string(),
            message: message.into(),
        });
    }

    /// Follows `$ref`s (local JSON pointers) from `v` at `at`.
    fn deref(&mut self, v: &'d Value, at: &str) -> Option<(String, &'d Value)> {
        let (mut at, mut v) = (at.to_string(), v);
        for _ in 0..32 {
            let Some(reference) = v.get("$ref") else {
                return Some((at, v));
            };
            let target = reference
                .as_str()
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| pointer::lookup(self.doc, p).map(|t| (p, t)));
            match target {
                Some((p, t)) => {
                    at = p.to_string();
                    v = t;
                }
                None => {
                    self.problem(
                        &at,
                        format!(
                            "`$ref: {}` does not resolve: expected a local reference to an existing entry",
                            key_text(reference)
                        ),
                    );
                    return None;
                }
            }
        }
        self.problem(&at, "`$ref` chain too long (a cycle?)");
        None
    }

    /// The messages of the operations with `action`, JSON ones only, deduplicated.
    fn messages(&mut self, action: &str) -> Vec<Msg<'d>> {
        let default_type = self
            .doc
            .get("defaultContentType")
            .and_then(Value::as_str)
            .unwrap_or("application/json");
        let mut out: Vec<Msg<'d>> = Vec::new();
        let Some(ops) = self.doc.get("operations").and_then(Value::as_mapping) else {
            return out;
        };
        for (op_key, op) in ops {
            let op_ptr = ptr("/operations", &[&key_text(op_key)]);
            match op.get("action").and_then(Value::as_str) {
                Some("send" | "receive") => {}
                _ => {
                    self.problem(
                        &ptr(&op_ptr, &["action"]),
                        "expected `action: send` or `action: receive`",
                    );
                    continue;
                }
            }
            if op.get("action").and_then(Value::as_str) != Some(action) {
                continue;
            }
            let Some(list) = op.get("messages").and_then(Value::as_sequence) else {
                continue;
            };
            for (i, m) in list.iter().enumerate() {
                let m_ptr = ptr(&op_ptr, &["messages", &i.to_string()]);
                let Some((pointer, value)) = self.deref(m, &m_ptr) else {
                    continue;
                };
                if out.iter().any(|o| o.pointer == pointer) {
                    continue;
                }
                let content = value
                    .get("contentType")
                    .and_then(Value::as_str)
                    .unwrap_or(default_type);
                if !(content == "application/json" || content.ends_with("+json")) {
                    continue;
                }
                let Some(payload) = value.get("payload") else {
                    self.problem(&pointer, "a JSON message without `payload`");
                    continue;
                };
                let Some(payload) = self.deref(payload, &ptr(&pointer, &["payload"])) else {
                    continue;
                };
                let key = pointer::unescape(pointer.rsplit('/').next().unwrap_or_default());
                out.push(Msg {
                    pointer,
                    key,
                    value,
                    payload,
                });
            }
        }
        out
    }

    /// The payload's `properties` (an object schema), or a problem.
    fn properties(&mut self, m: &Msg<'d>) -> Option<&'d Object> {
        let (at, payload) = &m.payload;
        let props = payload.get("properties").and_then(Value::as_mapping);
        let is_object = payload
            .get("type")
            .is_none_or(|t| t.as_str() == Some("object"));
        match props {
            Some(p) if is_object => Some(p),
            _ => {
                self.problem(
                    at,
                    "message payload: expected an object schema with `properties`",
                );
                None
            }
        }
    }
}

/// Every `#/components/schemas/...` key reachable from `v` (following references).
fn reachable(cx: &mut Cx<'_>, roots: &[(String, Value)]) -> IndexSet<String> {
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

fn parse_schema(cx: &mut Cx<'_>, v: &Value, at: &str) -> Option<ReferenceOr<Schema>> {
    match serde_yaml::from_value::<ReferenceOr<Schema>>(v.clone()) {
        Ok(s) => Some(s),
        Err(e) => {
            cx.problem(at, format!("not a schema the generator can read: {e}"));
            None
        }
    }
}

/// The words (`_`-separated) that every name starts with.
fn common_words(names: &[&str]) -> String {
    let split: Vec<Vec<&str>> = names.iter().map(|n| n.split('_').collect()).collect();
    let Some(first) = split.first() else {
        return String::new();
    };
    let n = (0..first.len())
        .take_while(|&i| split.iter().all(|s| s.get(i) == first.get(i)))
        .count();
    first[..n].join("_")
}

/// Reads and lowers an AsyncAPI spec: the WebSocket model, or every problem.
pub fn read(text: &str, settings: &Settings) -> Result<WsModel, Error> {
    let doc = load::load(text)?;
    build(&doc, settings).map_err(Error::Spec)
}

/// Builds the WebSocket model, collecting every problem.
pub fn build(doc: &Value, settings: &Settings) -> Result<WsModel, Vec<Problem>> {
    let mut cx = Cx {
        doc,
        problems: Vec::new(),
    };
    let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
    let title = text(pointer::lookup(doc, "/info/title")).unwrap_or_else(|| "AsyncAPI".into());
    let version = text(pointer::lookup(doc, "/info/version")).unwrap_or_default();

    // Server messages: their `type` const and `msg` schema.
    struct Server<'d> {
        msg: Msg<'d>,
        wire: String,
        body: Option<(String, &'d Value)>,
        name: String,
    }
    let mut servers: Vec<Server<'_>> = Vec::new();
    for m in cx.messages("send") {
        let Some(props) = cx.properties(&m) else {
            continue;
        };
        let type_ptr = ptr(&m.payload.0, &["properties", "type"]);
        let Some(wire) = props.get("type").and_then(load::const_str) else {
            cx.problem(
                &type_ptr,
                "message payload: expected a `type` property with a `const` string value",
            );
            continue;
        };
        let body = props
            .get("msg")
            .map(|v| (ptr(&m.payload.0, &["properties", "msg"]), v));
        let name = m
            .value
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&m.key)
            .to_string();
        servers.push(Server {
            wire: wire.to_string(),
            body,
            name,
            msg: m,
        });
    }
    let rename: Vec<bool> = servers
        .iter()
        .map(|s| {
            let shared = servers.iter().filter(|o| o.name == s.name).count() > 1;
            shared || names::type_name(&s.name) != names::camel(&s.name)
        })
        .collect();
    for (s, rename) in servers.iter_mut().zip(rename) {
        if rename {
            s.name = s.msg.key.clone();
        }
    }

    // Commands: payloads with a `cmd` const, one per payload schema.
    struct Cmd<'d> {
        cmd: String,
        payload: String,
        names: Vec<String>,
        params: Option<(String, &'d Value)>,
    }
    let mut cmds: Vec<Cmd<'_>> = Vec::new();
    for m in cx.messages("receive") {
        let Some(props) = cx.properties(&m) else {
            continue;
        };
        let Some(cmd) = props.get("cmd").and_then(load::const_str) else {
            continue;
        };
        let name = m
            .value
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&m.key)
            .to_string();
        if let Some(c) = cmds.iter_mut().find(|c| c.payload == m.payload.0) {
            c.names.push(name);
            continue;
        }
        let params = props
            .get("params")
            .map(|v| (ptr(&m.payload.0, &["properties", "params"]), v));
        cmds.push(Cmd {
            cmd: cmd.to_string(),
            payload: m.payload.0.clone(),
            names: vec![name],
            params,
        });
    }

    // The component schemas the messages and commands reach, normalised into `openapiv3`.
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
    let keys = reachable(&mut cx, &roots);
    let mut components = IndexMap::new();
    if let Some(all) = pointer::lookup(doc, "/components/schemas").and_then(Value::as_mapping) {
        for (key, v) in all {
            let key = key_text(key);
            if keys.contains(&key) {
                let at = ptr("/components/schemas", &[&key]);
                if let Some(s) = parse_schema(&mut cx, v, &at) {
                    components.insert(key.clone(), s);
                }
            }
        }
    }
    let mut lowering = Lowering::with_names(
        settings,
        components,
        "/components/schemas",
        Namespace::with_reserved(RESERVED),
    );

    // Each message's `msg`.
    let mut outputs: Vec<TypeId> = Vec::new();
    let mut alts: Vec<(String, Alt)> = Vec::new();
    for s in &servers {
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
            let Some(schema) = parse_schema(&mut cx, v, at) else {
                continue;
            };
            let (ty, _, _) = lowering.resolve(&schema, &rust, at);
            ir::named_in(&ty, &mut |id| outputs.push(id));
            if let Some((_, obj)) = cx.deref(v, at) {
                let obj = match obj.get("allOf").and_then(Value::as_sequence) {
                    Some(one) if one.len() == 1 => cx.deref(&one[0], at).map_or(obj, |(_, o)| o),
                    _ => obj,
                };
                alt.is_array = obj.get("type").and_then(Value::as_str) == Some("array")
                    || matches!(ty, Ty::Vec(_));
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
                alt.consts = consts(&lowering, &ty, obj, &alt.required);
            }
            alt.ty = Some(ty);
        }
        alts.push((s.wire.clone(), alt));
    }

    // Commands.
    let mut commands = Vec::new();
    let mut inputs: Vec<TypeId> = Vec::new();
    let mut command_types: Vec<TypeId> = Vec::new();
    for c in &cmds {
        let names_ref: Vec<&str> = c.names.iter().map(String::as_str).collect();
        let name = if c.names.len() == 1 {
            c.names[0].clone()
        } else {
            Some(common_words(&names_ref))
                .filter(|w| !w.is_empty())
                .unwrap_or_else(|| c.cmd.clone())
        };
        let rust = names::type_name(&name);
        let before = lowering.types.len();
        let id = match &c.params {
            None => {
                let n = lowering.names.claim(&rust);
                let id = lowering.push(n, c.payload.clone());
                lowering.types[id].kind = TypeKind::Struct(Vec::new());
                Some(id)
            }
            Some((at, v)) => {
                let Some(schema) = parse_schema(&mut cx, v, at) else {
                    continue;
                };
                let (ty, _, _) = lowering.resolve(&schema, &rust, at);
                match ty {
                    Ty::Named(id)
                        if id >= before
                            && matches!(lowering.types[id].kind, TypeKind::Struct(_)) =>
                    {
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
        };
        let Some(id) = id else { continue };
        inputs.push(id);
        command_types.push(id);
        commands.push(CommandDef {
            cmd: c.cmd.clone(),
            ty: id,
            has_params: c.params.is_some(),
        });
    }

    // Variants of `ServerMessage`, grouped by `type`.
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

    let server_wires: Vec<(String, String)> = servers
        .iter()
        .map(|s| (s.msg.pointer.clone(), s.wire.clone()))
        .collect();
    let cmd_params: Vec<(String, Option<&Value>)> = cmds
        .iter()
        .map(|c| (c.cmd.clone(), c.params.as_ref().map(|p| p.1)))
        .collect();
    let channels = channels(&mut cx, &server_wires, &cmd_params);
    let error_codes = error_codes(&mut cx);

    let mut problems = cx.problems;
    problems.append(&mut lowering.problems);
    let book = match &settings.order_book {
        Some(s) => match feeds::book(s, &kinds, &lowering.types) {
            Ok(book) => Some(book),
            Err(mut more) => {
                problems.append(&mut more);
                None
            }
        },
        None => None,
    };
    let orders = match &settings.orders {
        Some(s) => match feeds::orders(s, &kinds, &lowering.types) {
            Ok(orders) => Some(orders),
            Err(mut more) => {
                problems.append(&mut more);
                None
            }
        },
        None => None,
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut types = lowering.types;
    ir::reach(&mut types, outputs, true);
    ir::reach(&mut types, inputs, false);
    for (id, t) in types.iter_mut().enumerate() {
        t.module = if command_types.contains(&id) {
            "commands".into()
        } else {
            "types".into()
        };
    }
    let mut model = Model {
        title: title.clone(),
        version: version.clone(),
        types,
        ops: Vec::new(),
        types_path: "crate::generated::ws".into(),
    };
    ir::box_recursion(&mut model);
    Ok(WsModel {
        title,
        version,
        types: model,
        kinds,
        commands,
        channels,
        error_codes,
        book,
        orders,
    })
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

/// The data channels, with what their prose says.
fn channels<'d>(
    cx: &mut Cx<'d>,
    servers: &[(String, String)],
    cmds: &[(String, Option<&'d Value>)],
) -> Vec<ChannelDef> {
    let Some(all) = cx.doc.get("channels").and_then(Value::as_mapping) else {
        return Vec::new();
    };
    let mut variants = Namespace::with_reserved(&["Unknown"]);
    let mut out = Vec::new();
    for (key, ch) in all {
        let key = key_text(key);
        let at = ptr("/channels", &[&key]);
        let wire = match ch.get("address") {
            Some(Value::String(a)) => a.clone(),
            None | Some(Value::Null) => key.clone(),
            Some(_) => {
                cx.problem(&ptr(&at, &["address"]), "expected a string or null");
                continue;
            }
        };
        if wire.starts_with('/') || wire.is_empty() {
            continue;
        }
        let mut message_types: Vec<String> = Vec::new();
        if let Some(ms) = ch.get("messages").and_then(Value::as_mapping) {
            for (mk, m) in ms {
                let mk = key_text(mk);
                let Some((pointer, _)) = cx.deref(m, &ptr(&at, &["messages", &mk])) else {
                    continue;
                };
                if let Some((_, wire)) = servers.iter().find(|(p, _)| *p == pointer) {
                    if !message_types.contains(wire) {
                        message_types.push(wire.clone());
                    }
                }
            }
        }
        let text = |k: &str| ch.get(k).and_then(Value::as_str).map(str::to_owned);
        out.push(ChannelDef {
            variant: variants.claim(&names::variant(&wire)),
            wire,
            title: text("title"),
            description: text("description"),
            message_types,
            rejects: Vec::new(),
            actions: Vec::new(),
        });
    }
    // Every command parameter, with its description, for the prose reader.
    let mut params: Vec<(String, String)> = Vec::new();
    for (_, p) in cmds {
        let Some(p) = p else { continue };
        let Some((_, p)) = cx.deref(p, "") else {
            continue;
        };
        if let Some(props) = p.get("properties").and_then(Value::as_mapping) {
            for (name, s) in props {
                let d = s.get("description").and_then(Value::as_str).unwrap_or("");
                params.push((key_text(name), d.to_string()));
            }
        }
    }
    let texts: Vec<prose::ChannelText<'_>> = out
        .iter()
        .map(|c| prose::ChannelText {
            wire: &c.wire,
            title: c.title.as_deref().unwrap_or(""),
            description: c.description.as_deref().unwrap_or(""),
        })
        .collect();
    let param_refs: Vec<(&str, &str)> = params
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let cmd_names: Vec<&str> = cmds.iter().map(|(c, _)| c.as_str()).collect();
    let rules = prose::read(&texts, &param_refs, &cmd_names);
    for (c, r) in out.iter_mut().zip(rules) {
        c.rejects = r.rejects;
        c.actions = r.actions;
    }
    out
}

/// `x-error-codes.codes`: `{code, name, description}` entries.
fn error_codes(cx: &mut Cx<'_>) -> Vec<ErrorCodeDef> {
    let Some(section) = cx.doc.get("x-error-codes") else {
        return Vec::new();
    };
    let Some(codes) = section.get("codes").and_then(Value::as_sequence) else {
        cx.problem("/x-error-codes", "expected a `codes` list");
        return Vec::new();
    };
    let mut variants = Namespace::with_reserved(&["Unknown"]);
    let mut out: Vec<ErrorCodeDef> = Vec::new();
    for (i, c) in codes.iter().enumerate() {
        let at = ptr("/x-error-codes/codes", &[&i.to_string()]);
        let code = c.get("code").and_then(Value::as_i64);
        let name = c.get("name").and_then(Value::as_str);
        let (Some(code), Some(name)) = (code, name) else {
            cx.problem(&at, "expected an integer `code` and a string `name`");
            continue;
        };
        if out.iter().any(|o| o.code == code) {
            cx.problem(&at, format!("error code {code} is listed twice"));
            continue;
        }
        out.push(ErrorCodeDef {
            code,
            name: name.to_string(),
            description: c
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            variant: variants.claim(&names::variant(name)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::common_words;

    #[test]
    fn shared_command_names() {
        assert_eq!(
            common_words(&["update_subscription_add", "update_subscription_delete"]),
            "update_subscription"
        );
        assert_eq!(common_words(&["a_b", "c_d"]), "");
        assert_eq!(common_words(&["subscribe"]), "subscribe");
    }
}

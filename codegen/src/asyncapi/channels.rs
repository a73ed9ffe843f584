//! The data channels (with what their prose says about them) and the error codes.

use super::messages::{Cmd, Cx, Server};
use super::prose;
use crate::error::Problem;
use crate::ir::ws::{ChannelDef, ErrorCodeDef};
use crate::names::{self, Namespace};
use crate::pointer::{key_text, ptr};
use serde_yaml::Value;

/// The data channels, with what their prose says.
pub(super) fn channels<'d>(
    cx: &mut Cx<'d>,
    servers: &[Server<'d>],
    cmds: &[Cmd<'d>],
) -> Vec<ChannelDef> {
    let (mut out, pointers) = channel_defs(cx, servers);
    let (params, param_pointers) = subscribe_params(cx, cmds);
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
    let cmd_names: Vec<&str> = cmds.iter().map(|c| c.cmd.as_str()).collect();
    let (rules, unread) = prose::read(&texts, &param_refs, &cmd_names);
    for u in unread {
        let pointer = match u.place {
            prose::Place::Channel(i) => ptr(&pointers[i], &["description"]),
            prose::Place::Param(i) => param_pointers[i].clone(),
        };
        let message = format!("{}; read from prose, not a contract", u.message);
        cx.warnings.push(Problem { pointer, message });
    }
    for (c, r) in out.iter_mut().zip(rules) {
        c.rejects = r.rejects;
        c.actions = r.actions;
    }
    out
}

/// The channels whose address is not a path, with the `type`s of the server messages each
/// carries, and the pointer of each.
fn channel_defs<'d>(cx: &mut Cx<'d>, servers: &[Server<'d>]) -> (Vec<ChannelDef>, Vec<String>) {
    let (mut out, mut pointers) = (Vec::new(), Vec::new());
    let Some(all) = cx.doc.get("channels").and_then(Value::as_mapping) else {
        return (out, pointers);
    };
    let mut variants = Namespace::with_reserved(&["Unknown"]);
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
        let message_types = message_types(cx, ch, &at, servers);
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
        pointers.push(at);
    }
    (out, pointers)
}

/// The `type`s of the server messages a channel lists, in order, once each.
fn message_types<'d>(
    cx: &mut Cx<'d>,
    ch: &'d Value,
    at: &str,
    servers: &[Server<'d>],
) -> Vec<String> {
    let mut message_types: Vec<String> = Vec::new();
    let Some(ms) = ch.get("messages").and_then(Value::as_mapping) else {
        return message_types;
    };
    for (mk, m) in ms {
        let mk = key_text(mk);
        let Some((pointer, _)) = cx.deref(m, &ptr(at, &["messages", &mk])) else {
            continue;
        };
        if let Some(s) = servers.iter().find(|s| s.msg.pointer == pointer) {
            if !message_types.contains(&s.wire) {
                message_types.push(s.wire.clone());
            }
        }
    }
    message_types
}

/// Every command parameter, with its description, for the prose reader; and the pointer of
/// each description.
fn subscribe_params<'d>(cx: &mut Cx<'d>, cmds: &[Cmd<'d>]) -> (Vec<(String, String)>, Vec<String>) {
    let (mut params, mut pointers) = (Vec::new(), Vec::new());
    for c in cmds {
        let Some((at, p)) = &c.params else { continue };
        let Some((at, p)) = cx.deref(p, at) else {
            continue;
        };
        if let Some(props) = p.get("properties").and_then(Value::as_mapping) {
            for (name, s) in props {
                let name = key_text(name);
                let d = s.get("description").and_then(Value::as_str).unwrap_or("");
                pointers.push(ptr(&at, &["properties", &name, "description"]));
                params.push((name, d.to_string()));
            }
        }
    }
    (params, pointers)
}

/// `x-error-codes.codes`: `{code, name, description}` entries.
pub(super) fn error_codes(cx: &mut Cx<'_>) -> Vec<ErrorCodeDef> {
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

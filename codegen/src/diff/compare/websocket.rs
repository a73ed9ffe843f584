//! The WebSocket side: the payload types, then server messages, commands, channels and error
//! codes, each matched by its wire identity.

use super::matcher::{matched, Entry, Item, Out};
use super::text::ty_text;
use super::types::types;
use crate::diff::{Area, Change, Impact, Kind};
use crate::ir::ws::{ChannelDef, CommandDef, ErrorCodeDef, KindBody, ServerKind, WsModel};
use crate::ir::Model;

/// The WebSocket side: message types, commands, channels, error codes, then the payload types.
pub(in crate::diff) fn websocket(old: &WsModel, new: &WsModel, changes: &mut Vec<Change>) {
    types(&old.types, &new.types, "ws::", Area::Websocket, changes);
    let mut out = Out::new(Area::Websocket, changes);
    server_messages(old, new, &mut out);
    commands(old, new, &mut out);
    channels(old, new, &mut out);
    error_codes(old, new, &mut out);
}

/// Server messages, by their wire `type`.
fn server_messages(old: &WsModel, new: &WsModel, out: &mut Out<'_>) {
    let kind_rust = |v: &str| format!("ws::ServerMessage::{v}");
    let kind_spec = |w: &str| format!("message type `{w}`");
    let m = matched(&old.kinds, &new.kinds, |k| k.wire.clone());
    let entry = |kind, k: &ServerKind| Entry::new(kind, kind_rust(&k.variant), kind_spec(&k.wire));
    for (x, y) in out.presence(m, entry) {
        let mut item = out.item(kind_rust(&y.variant), kind_spec(&y.wire));
        if x.variant != y.variant {
            let detail = format!("renamed from `{}`", kind_rust(&x.variant));
            item.changed(Impact::Breaking, detail);
        }
        let (ax, ay) = (alts(&old.types, &x.body), alts(&new.types, &y.body));
        alternatives(&ax, &ay, &mut item);
    }
}

/// The messages of one `type` (their Rust name and payload type).
fn alts(m: &Model, body: &KindBody) -> Vec<(String, String)> {
    let list = match body {
        KindBody::One(alt) => std::slice::from_ref(alt),
        KindBody::Several { alts, .. } => alts.as_slice(),
    };
    list.iter()
        .map(|a| {
            let ty =
                a.ty.as_ref()
                    .map_or("()".to_string(), |t| ty_text(m, "ws::", t));
            (a.name.clone(), ty)
        })
        .collect()
}

/// The messages of one `type` in both versions, matched by name.
fn alternatives(ax: &[(String, String)], ay: &[(String, String)], item: &mut Item<'_, '_>) {
    let m = matched(ax, ay, |(name, _)| name.clone());
    for (name, ty) in m.removed {
        item.changed(
            Impact::Breaking,
            format!("message `{name}` (`{ty}`) removed"),
        );
    }
    for ((name, ty), (_, t2)) in m.both {
        if t2 != ty {
            item.changed(
                Impact::Breaking,
                format!("message `{name}`: `{ty}` → `{t2}`"),
            );
        }
    }
    for (name, ty) in m.added {
        // A second message of one `type` turns the variant into an enum: breaking then.
        let impact = if ax.len() == 1 && ay.len() > 1 {
            Impact::Breaking
        } else {
            Impact::Additive
        };
        item.changed(impact, format!("message `{name}` (`{ty}`) added"));
    }
}

/// Commands, by `cmd`.
fn commands(old: &WsModel, new: &WsModel, out: &mut Out<'_>) {
    let (om, nm) = (&old.types, &new.types);
    let cmd_spec = |c: &str| format!("command `{c}`");
    let m = matched(&old.commands, &new.commands, |c| c.cmd.clone());
    let entry = |kind, c: &CommandDef| {
        let m = if kind == Kind::Added { nm } else { om };
        Entry::new(
            kind,
            format!("ws::{}", m.types[c.ty].name),
            cmd_spec(&c.cmd),
        )
    };
    for (x, y) in out.presence(m, entry) {
        let (nx, ny) = (&om.types[x.ty].name, &nm.types[y.ty].name);
        if nx != ny || x.has_params != y.has_params {
            let none = |has: bool| if has { "" } else { " (none)" };
            let detail = format!(
                "parameters `ws::{nx}`{} → `ws::{ny}`{}",
                none(x.has_params),
                none(y.has_params)
            );
            out.item(format!("ws::{ny}"), cmd_spec(&y.cmd))
                .changed(Impact::Breaking, detail);
        }
    }
}

/// Channels, by address.
fn channels(old: &WsModel, new: &WsModel, out: &mut Out<'_>) {
    let ch_rust = |v: &str| format!("ws::Channel::{v}");
    let ch_spec = |w: &str| format!("channel `{w}`");
    let m = matched(&old.channels, &new.channels, |c| c.wire.clone());
    let entry = |kind, c: &ChannelDef| Entry::new(kind, ch_rust(&c.variant), ch_spec(&c.wire));
    for (x, y) in out.presence(m, entry) {
        let mut item = out.item(ch_rust(&y.variant), ch_spec(&y.wire));
        if x.variant != y.variant {
            let detail = format!("renamed from `{}`", ch_rust(&x.variant));
            item.changed(Impact::Breaking, detail);
        }
        channel_rules(x, y, &mut item);
        if x.title != y.title || x.description != y.description {
            item.changed(Impact::Documentation, "documentation");
        }
    }
}

/// What a channel carries, supports and rejects.
fn channel_rules(x: &ChannelDef, y: &ChannelDef, item: &mut Item<'_, '_>) {
    // What losing and gaining an entry does: a channel that stops carrying a message type
    // breaks no code (the type's own removal is reported above); a dropped action or a newly
    // rejected parameter makes a command that worked fail.
    use Impact::{Additive, Breaking, Documentation};
    for (what, lx, ly, impacts) in [
        (
            "carries message type",
            &x.message_types,
            &y.message_types,
            (Documentation, Additive),
        ),
        (
            "supports `update_subscription` action",
            &x.actions,
            &y.actions,
            (Breaking, Additive),
        ),
        (
            "rejects subscribe parameter",
            &x.rejects,
            &y.rejects,
            (Additive, Breaking),
        ),
    ] {
        item.lost_and_gained(lx, ly, impacts, |gained, v| {
            let when = if gained { "now" } else { "no longer" };
            format!("{when} {what} `{v}`")
        });
    }
}

/// Error codes, by number.
fn error_codes(old: &WsModel, new: &WsModel, out: &mut Out<'_>) {
    let e_rust = |v: &str| format!("ws::ErrorCode::{v}");
    let e_spec = |c: i64, n: &str| format!("error code {c} ({n})");
    let m = matched(&old.error_codes, &new.error_codes, |e| e.code);
    let entry =
        |kind, e: &ErrorCodeDef| Entry::new(kind, e_rust(&e.variant), e_spec(e.code, &e.name));
    for (x, y) in out.presence(m, entry) {
        let mut item = out.item(e_rust(&y.variant), e_spec(y.code, &y.name));
        if x.variant != y.variant {
            let detail = format!("renamed from `{}`", e_rust(&x.variant));
            item.changed(Impact::Breaking, detail);
        } else if x.name != y.name || x.description != y.description {
            item.changed(Impact::Documentation, "documentation");
        }
    }
}

//! The protocol's control messages the session reads and writes through `protocol::Control`, as
//! the settings' `control` section names them: each reply and command checked against the spec,
//! then lowered for emit.
//!
//! A reply is named by its `type` and the `msg` fields the session reads; where several messages
//! share the `type` (Kalshi's `ok`), the one holding those fields is meant, and exactly one must.
//! A command is named by its `cmd` and the parameters the session sets; where several commands
//! share the `cmd`, the one holding those parameters is meant. A mismatch is a [`Problem`] at the
//! setting (a pointer into the settings file) or at the schema whose shape is wrong.

use super::feeds::{base, describe, setting_name};
use crate::error::Problem;
use crate::ir::ws::{Alt, ServerKind};
use crate::ir::ws::{CommandDef, CommandUse, ControlDef, FeedField, KindBody, ReplyMatch};
use crate::ir::{Ty, TypeDef, TypeId, TypeKind};
use crate::pointer::ptr;
use crate::settings::ControlSettings;

/// What a field must be, and the test of a field's base type and optionality.
struct Shape {
    expected: &'static str,
    fits: fn(&[TypeDef], &Ty, bool) -> bool,
}

const TEXT: Shape = Shape {
    expected: "a string",
    fits: |types, ty, _| *base(types, ty) == Ty::String,
};
const INTEGER: Shape = Shape {
    expected: "an integer",
    fits: |types, ty, _| is_integer(types, ty),
};
const STRINGS: Shape = Shape {
    expected: "an array of strings",
    fits: |types, ty, _| items(types, ty).is_some_and(|t| *base(types, t) == Ty::String),
};
const INTEGERS: Shape = Shape {
    expected: "an array of integers",
    fits: |types, ty, _| items(types, ty).is_some_and(|t| is_integer(types, t)),
};
const CHANNELS: Shape = Shape {
    expected: "a required array of strings or of a string enum",
    fits: |types, ty, optional| {
        !optional
            && items(types, ty).is_some_and(|t| *base(types, t) == Ty::String || is_enum(types, t))
    },
};
const OPTIONAL_TEXT: Shape = Shape {
    expected: "an optional string",
    fits: |types, ty, optional| optional && *base(types, ty) == Ty::String,
};
const OPTIONAL_STRINGS: Shape = Shape {
    expected: "an optional array of strings",
    fits: |types, ty, optional| optional && (STRINGS.fits)(types, ty, optional),
};
const CODE: Shape = Shape {
    expected: "a required integer or integer enum",
    fits: |types, ty, optional| {
        !optional
            && (is_integer(types, ty)
                || matches!(base(types, ty), Ty::Named(id) if matches!(types[*id].kind, TypeKind::IntEnum { .. })))
    },
};
const ACTION: Shape = Shape {
    expected: "a required string enum",
    fits: |types, ty, optional| !optional && is_enum(types, ty),
};

fn is_integer(types: &[TypeDef], ty: &Ty) -> bool {
    matches!(base(types, ty), Ty::I32 | Ty::I64)
}

fn is_enum(types: &[TypeDef], ty: &Ty) -> bool {
    matches!(base(types, ty), Ty::Named(id) if matches!(types[*id].kind, TypeKind::StringEnum { .. }))
}

/// The item type of an array.
fn items<'t>(types: &'t [TypeDef], ty: &'t Ty) -> Option<&'t Ty> {
    match base(types, ty) {
        Ty::Vec(item) => Some(item),
        _ => None,
    }
}

/// The struct a type is (aliases followed), with its id.
fn struct_of(types: &[TypeDef], ty: &Ty) -> Option<TypeId> {
    match base(types, ty) {
        Ty::Named(id) if matches!(types[*id].kind, TypeKind::Struct(_)) => Some(*id),
        _ => None,
    }
}

/// Whether struct `id` has a property of each wire name.
fn has_all(types: &[TypeDef], id: TypeId, wires: &[&str]) -> bool {
    let TypeKind::Struct(fields) = &types[id].kind else {
        return false;
    };
    wires.iter().all(|w| fields.iter().any(|f| f.wire == *w))
}

/// Checks the `control` settings against the spec, collecting every problem.
struct Check<'m> {
    kinds: &'m [ServerKind],
    commands: &'m [CommandDef],
    types: &'m [TypeDef],
    problems: Vec<Problem>,
}

impl<'m> Check<'m> {
    fn problem(&mut self, pointer: String, message: String) {
        self.problems.push(Problem { pointer, message });
    }

    /// The reply of `type` `wire` holding the fields `wires` (in each item when `array`): where
    /// it is in `ServerMessage`, and its `msg` struct.
    fn reply(
        &mut self,
        at: &str,
        wire: &str,
        wires: &[&str],
        array: bool,
    ) -> Option<(ReplyMatch, Option<TypeId>)> {
        let setting = setting_name(at);
        let Some(kind) = self.kinds.iter().find(|k| k.wire == wire) else {
            self.problem(
                at.into(),
                format!(
                    "settings `{setting}: {wire}`: no server message has `type: {wire}`; expected \
                     the `type` of a message the spec lists"
                ),
            );
            return None;
        };
        let alts: Vec<(Option<&String>, &Alt)> = match &kind.body {
            KindBody::One(alt) => vec![(None, alt)],
            KindBody::Several { name, alts } => alts.iter().map(|a| (Some(name), a)).collect(),
        };
        let fitting: Vec<_> = alts
            .iter()
            .filter_map(|(name, alt)| {
                let body = match (&alt.ty, array) {
                    (Some(Ty::Vec(item)), true) => struct_of(self.types, item),
                    (Some(ty), false) => struct_of(self.types, ty),
                    _ => None,
                };
                let fits = match body {
                    Some(id) => has_all(self.types, id, wires),
                    None => wires.is_empty() && !array,
                };
                fits.then_some((*name, *alt, body))
            })
            .collect();
        let [(enum_name, alt, body)] = fitting.as_slice() else {
            let found = if fitting.is_empty() {
                "none"
            } else {
                "several"
            };
            let what = if array {
                "an array of objects"
            } else {
                "a message"
            };
            self.problem(
                at.into(),
                format!(
                    "settings `{setting}: {wire}`: {found} of the messages of `type: {wire}` \
                     fit; expected exactly one, {what} with the properties [{}]",
                    wires.join(", ")
                ),
            );
            return None;
        };
        let reply = ReplyMatch {
            wire: wire.into(),
            variant: kind.variant.clone(),
            alt: enum_name.map(|n| (n.clone(), alt.name.clone())),
            holds: alt.ty.is_some(),
        };
        Some((reply, *body))
    }

    /// The command with `cmd` holding the parameters `wires`.
    fn command(&mut self, at: &str, cmd: &str, wires: &[&str]) -> Option<CommandUse> {
        let setting = setting_name(at);
        let fitting: Vec<&CommandDef> = self
            .commands
            .iter()
            .filter(|c| c.cmd == cmd && has_all(self.types, c.ty, wires))
            .collect();
        let [command] = fitting.as_slice() else {
            let found = if fitting.is_empty() {
                "none"
            } else {
                "several"
            };
            self.problem(
                at.into(),
                format!(
                    "settings `{setting}: {cmd}`: {found} of the commands with `cmd: {cmd}` fit; \
                     expected exactly one, with the parameters [{}]",
                    wires.join(", ")
                ),
            );
            return None;
        };
        let t = &self.types[command.ty];
        let TypeKind::Struct(fields) = &t.kind else {
            return None;
        };
        for f in fields.iter().filter(|f| !wires.contains(&f.wire.as_str())) {
            if !f.is_option() {
                self.problem(
                    ptr(&t.pointer, &["properties", &f.wire]),
                    format!(
                        "settings `{setting}`: the session cannot set the required parameter \
                         `{}`; expected every parameter the settings do not name to be optional",
                        f.wire
                    ),
                );
            }
        }
        Some(CommandUse { ty: command.ty })
    }

    /// The field `wire` of struct `id`, if it has `shape`.
    fn field(&mut self, id: TypeId, at: &str, wire: &str, shape: &Shape) -> Option<FeedField> {
        let t = &self.types[id];
        let TypeKind::Struct(fields) = &t.kind else {
            return None;
        };
        let f = fields.iter().find(|f| f.wire == wire)?;
        if !(shape.fits)(self.types, &f.ty, f.is_option()) || f.boxed {
            let found = describe(self.types, &f.ty);
            let optional = if f.is_option() {
                "optional"
            } else {
                "required"
            };
            self.problem(
                ptr(&t.pointer, &["properties", wire]),
                format!(
                    "settings `{}: {wire}`: expected {}, found a {optional} {found}",
                    setting_name(at),
                    shape.expected
                ),
            );
            return None;
        }
        Some(FeedField {
            name: f.name.clone(),
            optional: f.is_option(),
            ty: base(self.types, &f.ty).clone(),
        })
    }

    /// The variants of the action enum for each wire value in `values`.
    fn actions(
        &mut self,
        field: &FeedField,
        at: &str,
        values: [&str; 3],
    ) -> Option<[(String, String); 3]> {
        let Ty::Named(id) = field.ty else {
            return None;
        };
        let TypeKind::StringEnum { variants, .. } = &self.types[id].kind else {
            return None;
        };
        let found = values.map(|v| variants.iter().find(|(_, w)| w == v).cloned());
        if let [Some(add), Some(delete), Some(snapshot)] = found {
            return Some([add, delete, snapshot]);
        }
        let pointer = self.types[id].pointer.clone();
        for (value, found) in values.iter().zip(found) {
            if found.is_none() {
                self.problem(
                    pointer.clone(),
                    format!(
                        "settings `{}`: the action enum has no value `{value}`; expected it \
                         among the values of the action",
                        setting_name(at)
                    ),
                );
            }
        }
        None
    }
}

/// Checks the `control` settings against the messages and commands and lowers them; every
/// mismatch is a problem.
pub fn control(
    settings: &ControlSettings,
    kinds: &[ServerKind],
    commands: &[CommandDef],
    types: &[TypeDef],
) -> Result<ControlDef, Vec<Problem>> {
    let mut cx = Check {
        kinds,
        commands,
        types,
        problems: Vec::new(),
    };
    let replies = replies(&mut cx, settings);
    let sent = commands_used(&mut cx, settings);
    match (replies, sent) {
        (Some(replies), Some(sent)) if cx.problems.is_empty() => Ok(ControlDef {
            reply_types: reply_types(settings),
            subscribed: replies.0,
            unsubscribed: replies.1,
            updated: replies.2,
            listed: replies.3,
            error: replies.4,
            subscribe: sent.0,
            unsubscribe: sent.1,
            update: sent.2,
            actions: sent.3,
            list: sent.4,
        }),
        _ => Err(cx.problems),
    }
}

/// The distinct `type`s of the replies, in the settings' order.
fn reply_types(settings: &ControlSettings) -> Vec<String> {
    let r = &settings.replies;
    let mut all: Vec<String> = Vec::new();
    for kind in [
        &r.subscribed.kind,
        &r.unsubscribed.kind,
        &r.updated.kind,
        &r.listed.kind,
        &r.error.kind,
    ] {
        if !all.contains(kind) {
            all.push(kind.clone());
        }
    }
    all
}

type Replies = (
    (ReplyMatch, FeedField, FeedField),
    ReplyMatch,
    (ReplyMatch, FeedField),
    (ReplyMatch, FeedField, FeedField),
    (ReplyMatch, FeedField, FeedField),
);

fn replies(cx: &mut Check<'_>, settings: &ControlSettings) -> Option<Replies> {
    let r = &settings.replies;
    let at = |reply: &str, k: &str| format!("/control/replies/{reply}/{k}");
    let mut pair =
        |name: &str, kind: &str, a: (&str, &str, &Shape), b: (&str, &str, &Shape), array| {
            let (reply, body) = cx.reply(&at(name, "type"), kind, &[a.1, b.1], array)?;
            let first = cx.field(body?, &at(name, a.0), a.1, a.2);
            let second = cx.field(body?, &at(name, b.0), b.1, b.2);
            Some((reply, first?, second?))
        };
    let subscribed = pair(
        "subscribed",
        &r.subscribed.kind,
        ("channel", &r.subscribed.channel, &TEXT),
        ("sid", &r.subscribed.sid, &INTEGER),
        false,
    );
    let listed = pair(
        "listed",
        &r.listed.kind,
        ("channel", &r.listed.channel, &TEXT),
        ("sid", &r.listed.sid, &INTEGER),
        true,
    );
    let error = pair(
        "error",
        &r.error.kind,
        ("code", &r.error.code, &CODE),
        ("msg", &r.error.msg, &TEXT),
        false,
    );
    let unsubscribed = cx.reply(
        &at("unsubscribed", "type"),
        &r.unsubscribed.kind,
        &[],
        false,
    );
    let updated = cx
        .reply(
            &at("updated", "type"),
            &r.updated.kind,
            &[&r.updated.markets],
            false,
        )
        .and_then(|(reply, body)| {
            let markets = cx.field(
                body?,
                &at("updated", "markets"),
                &r.updated.markets,
                &STRINGS,
            )?;
            Some((reply, markets))
        });
    Some((subscribed?, unsubscribed?.0, updated?, listed?, error?))
}

type Sent = (
    (CommandUse, FeedField, FeedField, FeedField),
    (CommandUse, FeedField),
    (CommandUse, FeedField, FeedField, FeedField),
    [(String, String); 3],
    CommandUse,
);

fn commands_used(cx: &mut Check<'_>, settings: &ControlSettings) -> Option<Sent> {
    let c = &settings.commands;
    let at = |command: &str, k: &str| format!("/control/commands/{command}/{k}");
    let s = &c.subscribe;
    let subscribe = cx
        .command(
            &at("subscribe", "cmd"),
            &s.cmd,
            &[&s.channels, &s.market, &s.markets],
        )
        .and_then(|used| {
            let channels = cx.field(
                used.ty,
                &at("subscribe", "channels"),
                &s.channels,
                &CHANNELS,
            );
            let market = cx.field(
                used.ty,
                &at("subscribe", "market"),
                &s.market,
                &OPTIONAL_TEXT,
            );
            let markets = cx.field(
                used.ty,
                &at("subscribe", "markets"),
                &s.markets,
                &OPTIONAL_STRINGS,
            );
            Some((used, channels?, market?, markets?))
        });
    let u = &c.unsubscribe;
    let unsubscribe = cx
        .command(&at("unsubscribe", "cmd"), &u.cmd, &[&u.sids])
        .and_then(|used| {
            let sids = cx.field(used.ty, &at("unsubscribe", "sids"), &u.sids, &INTEGERS)?;
            Some((used, sids))
        });
    let d = &c.update;
    let mut actions = None;
    let update = cx
        .command(
            &at("update", "cmd"),
            &d.cmd,
            &[&d.sids, &d.markets, &d.action],
        )
        .and_then(|used| {
            let sids = cx.field(used.ty, &at("update", "sids"), &d.sids, &INTEGERS);
            let markets = cx.field(used.ty, &at("update", "markets"), &d.markets, &STRINGS);
            let action = cx.field(used.ty, &at("update", "action"), &d.action, &ACTION)?;
            let values = [d.add.as_str(), d.delete.as_str(), d.snapshot.as_str()];
            actions = cx.actions(&action, &at("update", "action"), values);
            Some((used, sids?, markets?, action))
        });
    let list = cx.command(&at("list", "cmd"), &c.list.cmd, &[]);
    Some((subscribe?, unsubscribe?, update?, actions?, list?))
}

//! REST operations, matched by operationId: their names, endpoint, authentication, parameters,
//! body, output and behaviour (cost, pagination, batches).

use super::matcher::{matched, Entry, Item, Out};
use super::text::{deprecation, ty_text};
use crate::diff::{Area, Change, Impact};
use crate::ir::{AuthKind, Cost, Location, Model, OpDef, Ty};

fn op_spec(op: &OpDef) -> String {
    format!("{} ({} {})", op.id, op.method, op.path)
}

fn op_rust(op: &OpDef) -> String {
    format!("ops::{}", op.struct_name)
}

/// REST operations, matched by operationId.
/// `sender` is the type whose methods send the operations (`Client`, or a product's handle).
pub(in crate::diff) fn operations(
    old: &Model,
    new: &Model,
    sender: &str,
    changes: &mut Vec<Change>,
) {
    let mut out = Out::new(Area::Operations, changes);
    let m = matched(&old.ops, &new.ops, |op| op.id.clone());
    let entry = |kind, op: &OpDef| {
        Entry::new(kind, op_rust(op), op_spec(op)).detail(format!("`{sender}::{}`", op.fn_name))
    };
    for (a, b) in out.presence(m, entry) {
        let mut item = out.item(op_rust(b), op_spec(b));
        let models = (old, new);
        identity(a, b, sender, &mut item);
        parameters(models, a, b, &mut item);
        body(models, a, b, &mut item);
        behaviour(models, a, b, &mut item);
    }
}

fn cost_text(c: Cost) -> String {
    match c {
        Cost::Default => "the default 10 tokens".into(),
        Cost::PerRequest(n) => format!("{n} tokens per request"),
        Cost::PerItem(n) => format!("{n} tokens per item"),
    }
}

fn auth_text(a: AuthKind) -> &'static str {
    match a {
        AuthKind::None => "public",
        AuthKind::Required => "authenticated",
        AuthKind::Optional => "optionally authenticated",
    }
}

/// Names, endpoint and authentication.
fn identity(a: &OpDef, b: &OpDef, sender: &str, item: &mut Item<'_, '_>) {
    if a.struct_name != b.struct_name || a.fn_name != b.fn_name {
        item.changed(
            Impact::Breaking,
            format!(
                "renamed from `ops::{}` / `{sender}::{}`",
                a.struct_name, a.fn_name
            ),
        );
    }
    if a.method != b.method || a.path != b.path {
        item.changed(
            Impact::Documentation,
            format!(
                "endpoint `{} {}` → `{} {}` (the SDK sends to the new one)",
                a.method, a.path, b.method, b.path
            ),
        );
    }
    if a.auth != b.auth {
        let impact = match (a.auth, b.auth) {
            (_, AuthKind::Required) => Impact::Breaking,
            (AuthKind::Required, _) => Impact::Additive,
            _ => Impact::Documentation,
        };
        item.changed(
            impact,
            format!("{} → {}", auth_text(a.auth), auth_text(b.auth)),
        );
    }
}

/// Parameters, matched by location and wire name.
fn parameters((om, nm): (&Model, &Model), a: &OpDef, b: &OpDef, item: &mut Item<'_, '_>) {
    let loc = |l: Location| match l {
        Location::Path => "path",
        Location::Query => "query",
    };
    let m = matched(&a.params, &b.params, |p| (p.location, p.wire.clone()));
    for p in &m.added {
        let (impact, how) = if p.required {
            (Impact::Breaking, "required: a new argument of `new`")
        } else {
            (Impact::Additive, "optional")
        };
        item.changed(
            impact,
            format!("{} parameter `{}` added ({how})", loc(p.location), p.wire),
        );
    }
    for p in &m.removed {
        item.changed(
            Impact::Breaking,
            format!("{} parameter `{}` removed", loc(p.location), p.wire),
        );
    }
    for (x, y) in m.both {
        let (tx, ty) = (ty_text(om, "types::", &x.ty), ty_text(nm, "types::", &y.ty));
        if tx != ty {
            item.changed(
                Impact::Breaking,
                format!("parameter `{}`: type `{tx}` → `{ty}`", y.wire),
            );
        }
        if x.required != y.required {
            let detail = if y.required {
                format!(
                    "parameter `{}` becomes required (an argument of `new`)",
                    y.wire
                )
            } else {
                format!(
                    "parameter `{}` becomes optional (a setter, no longer an argument of `new`)",
                    y.wire
                )
            };
            item.changed(Impact::Breaking, detail);
        }
        if x.deprecated != y.deprecated {
            item.changed(
                Impact::Documentation,
                format!("parameter `{}` {}", y.wire, deprecation(y.deprecated)),
            );
        }
        if x.doc != y.doc {
            item.changed(
                Impact::Documentation,
                format!("parameter `{}`: documentation", y.wire),
            );
        }
    }
}

/// The request body.
fn body((om, nm): (&Model, &Model), a: &OpDef, b: &OpDef, item: &mut Item<'_, '_>) {
    match (&a.body, &b.body) {
        (None, Some(y)) => item.changed(
            if y.required {
                Impact::Breaking
            } else {
                Impact::Additive
            },
            format!(
                "request body `{}` added{}",
                ty_text(nm, "types::", &y.ty),
                if y.required {
                    " (required: a new argument of `new`)"
                } else {
                    ""
                }
            ),
        ),
        (Some(x), None) => item.changed(
            Impact::Breaking,
            format!("request body `{}` removed", ty_text(om, "types::", &x.ty)),
        ),
        (Some(x), Some(y)) => {
            let (tx, ty) = (ty_text(om, "types::", &x.ty), ty_text(nm, "types::", &y.ty));
            if tx != ty {
                item.changed(Impact::Breaking, format!("request body: `{tx}` → `{ty}`"));
            }
            if x.required != y.required {
                item.changed(
                    Impact::Breaking,
                    format!(
                        "request body becomes {}",
                        if y.required { "required" } else { "optional" }
                    ),
                );
            }
        }
        (None, None) => {}
    }
}

/// The success type, cost, deprecation, paging, batching and documentation.
fn behaviour((om, nm): (&Model, &Model), a: &OpDef, b: &OpDef, item: &mut Item<'_, '_>) {
    let out_text = |m: &Model, t: &Option<Ty>| {
        t.as_ref()
            .map_or("()".to_string(), |t| ty_text(m, "types::", t))
    };
    let (ox, oy) = (out_text(om, &a.output), out_text(nm, &b.output));
    if ox != oy {
        item.changed(Impact::Breaking, format!("success type `{ox}` → `{oy}`"));
    }
    if a.cost != b.cost {
        item.changed(
            Impact::Documentation,
            format!(
                "rate-limit cost {} → {} (the limiter uses the new cost)",
                cost_text(a.cost),
                cost_text(b.cost)
            ),
        );
    }
    if a.deprecated != b.deprecated {
        item.changed(Impact::Documentation, deprecation(b.deprecated));
    }
    let gained_or_lost =
        |item: &mut Item<'_, '_>, had: bool, has: bool, what: &str| match (had, has) {
            (false, true) => item.changed(Impact::Additive, format!("now {what}")),
            (true, false) => item.changed(Impact::Breaking, format!("no longer {what}")),
            _ => {}
        };
    gained_or_lost(
        item,
        a.pagination.is_some(),
        b.pagination.is_some(),
        "pages with `Client::paginate`",
    );
    gained_or_lost(
        item,
        a.batch.is_some(),
        b.batch.is_some(),
        "a batch for `Client::batch`",
    );
    if a.summary != b.summary || a.description != b.description {
        item.changed(Impact::Documentation, "documentation");
    }
}

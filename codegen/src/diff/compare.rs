//! The comparisons: items matched by their spec identity (operationId, schema name, wire name),
//! then their Rust-visible shapes compared as text (`Option<types::Market>`), since the two
//! models' type ids do not correspond.

use super::{Area, Change, Impact, Kind};
use crate::ir::ws::{KindBody, WsModel};
use crate::ir::{AuthKind, Cost, Field, Location, Model, OpDef, Ty, TypeDef, TypeKind};
use indexmap::IndexMap;

/// Collects changes of one area.
struct Out<'a> {
    area: Area,
    changes: &'a mut Vec<Change>,
}

impl Out<'_> {
    fn push(&mut self, impact: Impact, kind: Kind, rust: &str, spec: &str, detail: String) {
        self.changes.push(Change {
            impact,
            area: self.area,
            kind,
            rust: rust.to_string(),
            spec: spec.to_string(),
            detail,
        });
    }
}

/// A type as users read it, prefixed with the module its generated types live in.
fn ty_text(m: &Model, prefix: &str, ty: &Ty) -> String {
    match ty {
        Ty::String => "String".into(),
        Ty::Bool => "bool".into(),
        Ty::I32 => "i32".into(),
        Ty::I64 => "i64".into(),
        Ty::F64 => "f64".into(),
        Ty::DateTime => "DateTime<Utc>".into(),
        Ty::Uuid => "Uuid".into(),
        Ty::Json => "serde_json::Value".into(),
        Ty::Named(id) => format!("{prefix}{}", m.types[*id].name),
        Ty::Vec(t) => format!("Vec<{}>", ty_text(m, prefix, t)),
        Ty::Map(t) => format!("BTreeMap<String, {}>", ty_text(m, prefix, t)),
        Ty::Tuple(ts) => {
            let parts: Vec<String> = ts.iter().map(|t| ty_text(m, prefix, t)).collect();
            format!("({})", parts.join(", "))
        }
        Ty::Runtime(path) => path.strip_prefix("crate::").unwrap_or(path).to_string(),
    }
}

fn option(text: String, is_option: bool) -> String {
    if is_option {
        format!("Option<{text}>")
    } else {
        text
    }
}

/// Items keyed by their spec identity, in spec order.
fn by_key<T, K: std::hash::Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> IndexMap<K, &T> {
    items.iter().map(|t| (key(t), t)).collect()
}

/// Splits two keyed collections into the items only in `new`, only in `old`, and in both.
#[allow(clippy::type_complexity)]
fn matched<'a, K: std::hash::Hash + Eq, T>(
    old: &IndexMap<K, &'a T>,
    new: &IndexMap<K, &'a T>,
) -> (Vec<&'a T>, Vec<&'a T>, Vec<(&'a T, &'a T)>) {
    let mut both = Vec::new();
    let mut removed = Vec::new();
    for (k, o) in old {
        match new.get(k) {
            Some(n) => both.push((*o, *n)),
            None => removed.push(*o),
        }
    }
    let added = new
        .iter()
        .filter(|(k, _)| !old.contains_key(*k))
        .map(|(_, n)| *n)
        .collect();
    (added, removed, both)
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

fn op_spec(op: &OpDef) -> String {
    format!("{} ({} {})", op.id, op.method, op.path)
}

fn op_rust(op: &OpDef) -> String {
    format!("ops::{}", op.struct_name)
}

/// REST operations, matched by operationId.
pub(super) fn operations(old: &Model, new: &Model, changes: &mut Vec<Change>) {
    let mut out = Out {
        area: Area::Operations,
        changes,
    };
    let (o, n) = (
        by_key(&old.ops, |op| op.id.clone()),
        by_key(&new.ops, |op| op.id.clone()),
    );
    let mut pairs = Vec::new();
    let (added, removed, both) = matched(&o, &n);
    for op in added {
        let detail = format!("`Client::{}`", op.fn_name);
        out.push(
            Impact::Additive,
            Kind::Added,
            &op_rust(op),
            &op_spec(op),
            detail,
        )
    }
    for op in removed {
        let detail = format!("`Client::{}`", op.fn_name);
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &op_rust(op),
            &op_spec(op),
            detail,
        )
    }
    pairs.extend(both);
    for (a, b) in pairs {
        operation(old, new, a, b, &mut out);
    }
}

fn operation(om: &Model, nm: &Model, a: &OpDef, b: &OpDef, out: &mut Out<'_>) {
    let rust = op_rust(b);
    let spec = op_spec(b);
    let mut push = |impact, detail: String| out.push(impact, Kind::Changed, &rust, &spec, detail);
    if a.struct_name != b.struct_name || a.fn_name != b.fn_name {
        push(
            Impact::Breaking,
            format!(
                "renamed from `ops::{}` / `Client::{}`",
                a.struct_name, a.fn_name
            ),
        );
    }
    if a.method != b.method || a.path != b.path {
        push(
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
        push(
            impact,
            format!("{} → {}", auth_text(a.auth), auth_text(b.auth)),
        );
    }
    let loc = |l: Location| match l {
        Location::Path => "path",
        Location::Query => "query",
    };
    let (pa, pb) = (
        by_key(&a.params, |p| (p.location, p.wire.clone())),
        by_key(&b.params, |p| (p.location, p.wire.clone())),
    );
    let (added, removed, both) = matched(&pa, &pb);
    for p in added {
        let (impact, how) = if p.required {
            (Impact::Breaking, "required: a new argument of `new`")
        } else {
            (Impact::Additive, "optional")
        };
        push(
            impact,
            format!("{} parameter `{}` added ({how})", loc(p.location), p.wire),
        )
    }
    for p in removed {
        push(
            Impact::Breaking,
            format!("{} parameter `{}` removed", loc(p.location), p.wire),
        )
    }
    for (x, y) in both {
        let (tx, ty) = (ty_text(om, "types::", &x.ty), ty_text(nm, "types::", &y.ty));
        if tx != ty {
            push(
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
            push(Impact::Breaking, detail);
        }
        if x.deprecated != y.deprecated {
            push(
                Impact::Documentation,
                format!("parameter `{}` {}", y.wire, deprecation(y.deprecated)),
            );
        }
        if x.doc != y.doc {
            push(
                Impact::Documentation,
                format!("parameter `{}`: documentation", y.wire),
            );
        }
    }
    match (&a.body, &b.body) {
        (None, Some(y)) => push(
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
        (Some(x), None) => push(
            Impact::Breaking,
            format!("request body `{}` removed", ty_text(om, "types::", &x.ty)),
        ),
        (Some(x), Some(y)) => {
            let (tx, ty) = (ty_text(om, "types::", &x.ty), ty_text(nm, "types::", &y.ty));
            if tx != ty {
                push(Impact::Breaking, format!("request body: `{tx}` → `{ty}`"));
            }
            if x.required != y.required {
                push(
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
    let out_text = |m: &Model, t: &Option<Ty>| {
        t.as_ref()
            .map_or("()".to_string(), |t| ty_text(m, "types::", t))
    };
    let (ox, oy) = (out_text(om, &a.output), out_text(nm, &b.output));
    if ox != oy {
        push(Impact::Breaking, format!("success type `{ox}` → `{oy}`"));
    }
    if a.cost != b.cost {
        push(
            Impact::Documentation,
            format!(
                "rate-limit cost {} → {} (the limiter uses the new cost)",
                cost_text(a.cost),
                cost_text(b.cost)
            ),
        );
    }
    if a.deprecated != b.deprecated {
        push(Impact::Documentation, deprecation(b.deprecated).to_string());
    }
    match (a.pagination.is_some(), b.pagination.is_some()) {
        (false, true) => push(Impact::Additive, "now pages with `Client::paginate`".into()),
        (true, false) => push(
            Impact::Breaking,
            "no longer pages with `Client::paginate`".into(),
        ),
        _ => {}
    }
    match (a.batch.is_some(), b.batch.is_some()) {
        (false, true) => push(Impact::Additive, "now a batch for `Client::batch`".into()),
        (true, false) => push(
            Impact::Breaking,
            "no longer a batch for `Client::batch`".into(),
        ),
        _ => {}
    }
    if a.summary != b.summary || a.description != b.description {
        push(Impact::Documentation, "documentation".into());
    }
}

fn deprecation(now: bool) -> &'static str {
    if now {
        "deprecated"
    } else {
        "no longer deprecated"
    }
}

/// The spec's name of a type: the component key, or the pointer of an inline schema.
fn type_spec(t: &TypeDef) -> String {
    let key = ["/components/schemas/"]
        .iter()
        .find_map(|p| t.pointer.strip_prefix(p))
        .filter(|k| !k.contains('/'));
    match key {
        Some(k) => crate::pointer::unescape(k),
        None => format!("#{}", t.pointer),
    }
}

fn kind_name(k: &TypeKind) -> &'static str {
    match k {
        TypeKind::Struct(_) => "a struct",
        TypeKind::StringEnum { .. } | TypeKind::IntEnum { .. } => "an enum",
        TypeKind::Alias(_) => "a type alias",
        TypeKind::Union { .. } => "an enum of alternatives",
        TypeKind::Pending => "unresolved",
    }
}

/// Data types and their fields, matched by Rust name (the name users write; component schemas
/// keep theirs across versions).
pub(super) fn types(old: &Model, new: &Model, prefix: &str, area: Area, changes: &mut Vec<Change>) {
    let mut out = Out { area, changes };
    let (o, n) = (
        by_key(&old.types, |t| t.name.clone()),
        by_key(&new.types, |t| t.name.clone()),
    );
    let mut pairs = Vec::new();
    let (added, removed, both) = matched(&o, &n);
    for t in added {
        out.push(
            Impact::Additive,
            Kind::Added,
            &format!("{prefix}{}", t.name),
            &type_spec(t),
            String::new(),
        )
    }
    for t in removed {
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &format!("{prefix}{}", t.name),
            &type_spec(t),
            String::new(),
        )
    }
    pairs.extend(both);
    for (a, b) in pairs {
        type_def(old, new, a, b, prefix, &mut out);
    }
}

fn type_def(om: &Model, nm: &Model, a: &TypeDef, b: &TypeDef, prefix: &str, out: &mut Out<'_>) {
    let rust = format!("{prefix}{}", b.name);
    let spec = type_spec(b);
    if a.deprecated != b.deprecated {
        out.push(
            Impact::Documentation,
            Kind::Changed,
            &rust,
            &spec,
            deprecation(b.deprecated).into(),
        );
    }
    if a.doc != b.doc {
        out.push(
            Impact::Documentation,
            Kind::Changed,
            &rust,
            &spec,
            "documentation".into(),
        );
    }
    match (&a.kind, &b.kind) {
        (TypeKind::Struct(fa), TypeKind::Struct(fb)) => {
            fields(om, nm, (a, fa), (b, fb), prefix, out);
        }
        (TypeKind::StringEnum { variants: va, .. }, TypeKind::StringEnum { variants: vb, .. }) => {
            let wa: Vec<(String, String)> =
                va.iter().map(|(n, w)| (n.clone(), w.clone())).collect();
            let wb: Vec<(String, String)> =
                vb.iter().map(|(n, w)| (n.clone(), w.clone())).collect();
            enum_values(&wa, &wb, &rust, &spec, out);
        }
        (TypeKind::IntEnum { variants: va, .. }, TypeKind::IntEnum { variants: vb, .. }) => {
            let text = |v: &[(String, i64)]| -> Vec<(String, String)> {
                v.iter().map(|(n, w)| (n.clone(), w.to_string())).collect()
            };
            enum_values(&text(va), &text(vb), &rust, &spec, out);
        }
        (TypeKind::Alias(x), TypeKind::Alias(y)) => {
            let (tx, ty) = (ty_text(om, prefix, x), ty_text(nm, prefix, y));
            if tx != ty {
                out.push(
                    Impact::Breaking,
                    Kind::Changed,
                    &rust,
                    &spec,
                    format!("type `{tx}` → `{ty}`"),
                );
            }
        }
        (TypeKind::Union { variants: va, .. }, TypeKind::Union { variants: vb, .. }) => {
            let (ma, mb) = (
                by_key(va, |v| v.name.clone()),
                by_key(vb, |v| v.name.clone()),
            );
            let mut pairs = Vec::new();
            let mut local = Vec::new();
            let (added, removed, both) = matched(&ma, &mb);
            for v in added {
                local.push((Impact::Additive, format!("alternative `{}` added", v.name)));
            }
            for v in removed {
                local.push((
                    Impact::Breaking,
                    format!("alternative `{}` removed", v.name),
                ))
            }
            pairs.extend(both);
            for (x, y) in pairs {
                let (tx, ty) = (ty_text(om, prefix, &x.ty), ty_text(nm, prefix, &y.ty));
                if tx != ty {
                    local.push((
                        Impact::Breaking,
                        format!("alternative `{}`: `{tx}` → `{ty}`", y.name),
                    ));
                }
            }
            for (impact, detail) in local {
                out.push(impact, Kind::Changed, &rust, &spec, detail);
            }
        }
        (ka, kb) if std::mem::discriminant(ka) != std::mem::discriminant(kb) => {
            out.push(
                Impact::Breaking,
                Kind::Changed,
                &rust,
                &spec,
                format!("was {}, now {}", kind_name(ka), kind_name(kb)),
            );
        }
        _ => {}
    }
}

fn enum_values(
    a: &[(String, String)],
    b: &[(String, String)],
    rust: &str,
    spec: &str,
    out: &mut Out<'_>,
) {
    for (name, wire) in a {
        if !b.iter().any(|(_, w)| w == wire) {
            out.push(
                Impact::Breaking,
                Kind::Changed,
                rust,
                spec,
                format!("enum value `{wire}` removed (variant `{name}`)"),
            );
        }
    }
    for (name, wire) in b {
        if !a.iter().any(|(_, w)| w == wire) {
            out.push(
                Impact::Additive,
                Kind::Changed,
                rust,
                spec,
                format!("enum value `{wire}` added (variant `{name}`)"),
            );
        }
    }
}

fn field_text(m: &Model, prefix: &str, f: &Field) -> String {
    option(ty_text(m, prefix, &f.ty), f.is_option())
}

fn fields(
    om: &Model,
    nm: &Model,
    (ta, fa): (&TypeDef, &[Field]),
    (tb, fb): (&TypeDef, &[Field]),
    prefix: &str,
    out: &mut Out<'_>,
) {
    let names = |f: &Field, t: &TypeDef| {
        (
            format!("{prefix}{}::{}", t.name, f.name),
            format!("{}.{}", type_spec(t), f.wire),
        )
    };
    let (ma, mb) = (
        by_key(fa, |f| f.wire.clone()),
        by_key(fb, |f| f.wire.clone()),
    );
    let mut pairs = Vec::new();
    let (added, removed, both) = matched(&ma, &mb);
    for f in added {
        let (rust, spec) = names(f, tb);
        let text = field_text(nm, prefix, f);
        let (impact, detail) = if tb.input && !f.is_option() {
            (
                Impact::Breaking,
                format!("`{text}`, required: a new argument of `new`"),
            )
        } else {
            (Impact::Additive, format!("`{text}`"))
        };
        out.push(impact, Kind::Added, &rust, &spec, detail)
    }
    for f in removed {
        let (rust, spec) = names(f, ta);
        let text = field_text(om, prefix, f);
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &rust,
            &spec,
            format!("`{text}`"),
        )
    }
    pairs.extend(both);
    for (x, y) in pairs {
        let (rust, spec) = names(y, tb);
        let (tx, ty) = (field_text(om, prefix, x), field_text(nm, prefix, y));
        let mut why = Vec::new();
        if x.required != y.required {
            why.push(if y.required {
                "now required"
            } else {
                "now optional"
            });
        }
        if x.nullable != y.nullable {
            why.push(if y.nullable {
                "now nullable"
            } else {
                "no longer nullable"
            });
        }
        let why = if why.is_empty() {
            String::new()
        } else {
            format!(" ({})", why.join(", "))
        };
        if tx != ty {
            out.push(
                Impact::Breaking,
                Kind::Changed,
                &rust,
                &spec,
                format!("type `{tx}` → `{ty}`{why}"),
            );
        } else if !why.is_empty() {
            // The Rust type is the same (an optional field stays an `Option`): decoding and
            // constructing are unaffected.
            out.push(
                Impact::Documentation,
                Kind::Changed,
                &rust,
                &spec,
                format!("`{ty}`{why}, same Rust type"),
            );
        }
        if x.deprecated != y.deprecated {
            out.push(
                Impact::Documentation,
                Kind::Changed,
                &rust,
                &spec,
                deprecation(y.deprecated).into(),
            );
        }
        if x.doc != y.doc {
            out.push(
                Impact::Documentation,
                Kind::Changed,
                &rust,
                &spec,
                "documentation".into(),
            );
        }
    }
}

/// The WebSocket side: message types, commands, channels, error codes, then the payload types.
pub(super) fn websocket(old: &WsModel, new: &WsModel, changes: &mut Vec<Change>) {
    types(&old.types, &new.types, "ws::", Area::Websocket, changes);
    let mut out = Out {
        area: Area::Websocket,
        changes,
    };
    let (om, nm) = (&old.types, &new.types);

    // Server messages, by their wire `type`.
    let alts = |m: &Model, body: &KindBody| -> Vec<(String, String)> {
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
    };
    let (ka, kb) = (
        by_key(&old.kinds, |k| k.wire.clone()),
        by_key(&new.kinds, |k| k.wire.clone()),
    );
    let mut pairs = Vec::new();
    let kind_rust = |v: &str| format!("ws::ServerMessage::{v}");
    let kind_spec = |w: &str| format!("message type `{w}`");
    let (added, removed, both) = matched(&ka, &kb);
    for k in added {
        out.push(
            Impact::Additive,
            Kind::Added,
            &kind_rust(&k.variant),
            &kind_spec(&k.wire),
            String::new(),
        )
    }
    for k in removed {
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &kind_rust(&k.variant),
            &kind_spec(&k.wire),
            String::new(),
        )
    }
    pairs.extend(both);
    for (x, y) in pairs {
        let (rust, spec) = (kind_rust(&y.variant), kind_spec(&y.wire));
        if x.variant != y.variant {
            out.push(
                Impact::Breaking,
                Kind::Changed,
                &rust,
                &spec,
                format!("renamed from `{}`", kind_rust(&x.variant)),
            );
        }
        let (ax, ay) = (alts(om, &x.body), alts(nm, &y.body));
        for (name, ty) in &ax {
            match ay.iter().find(|(n, _)| n == name) {
                None => out.push(
                    Impact::Breaking,
                    Kind::Changed,
                    &rust,
                    &spec,
                    format!("message `{name}` (`{ty}`) removed"),
                ),
                Some((_, t2)) if t2 != ty => out.push(
                    Impact::Breaking,
                    Kind::Changed,
                    &rust,
                    &spec,
                    format!("message `{name}`: `{ty}` → `{t2}`"),
                ),
                _ => {}
            }
        }
        for (name, ty) in &ay {
            if !ax.iter().any(|(n, _)| n == name) {
                // A second message of one `type` turns the variant into an enum: breaking then.
                let impact = if ax.len() == 1 && ay.len() > 1 {
                    Impact::Breaking
                } else {
                    Impact::Additive
                };
                out.push(
                    impact,
                    Kind::Changed,
                    &rust,
                    &spec,
                    format!("message `{name}` (`{ty}`) added"),
                );
            }
        }
    }

    // Commands, by `cmd`.
    let (ca, cb) = (
        by_key(&old.commands, |c| c.cmd.clone()),
        by_key(&new.commands, |c| c.cmd.clone()),
    );
    let cmd_spec = |c: &str| format!("command `{c}`");
    let mut pairs = Vec::new();
    let (added, removed, both) = matched(&ca, &cb);
    for c in added {
        out.push(
            Impact::Additive,
            Kind::Added,
            &format!("ws::{}", nm.types[c.ty].name),
            &cmd_spec(&c.cmd),
            String::new(),
        )
    }
    for c in removed {
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &format!("ws::{}", om.types[c.ty].name),
            &cmd_spec(&c.cmd),
            String::new(),
        )
    }
    pairs.extend(both);
    for (x, y) in pairs {
        let (nx, ny) = (&om.types[x.ty].name, &nm.types[y.ty].name);
        if nx != ny || x.has_params != y.has_params {
            out.push(
                Impact::Breaking,
                Kind::Changed,
                &format!("ws::{ny}"),
                &cmd_spec(&y.cmd),
                format!(
                    "parameters `ws::{nx}`{} → `ws::{ny}`{}",
                    if x.has_params { "" } else { " (none)" },
                    if y.has_params { "" } else { " (none)" }
                ),
            );
        }
    }

    // Channels, by address.
    let (cha, chb) = (
        by_key(&old.channels, |c| c.wire.clone()),
        by_key(&new.channels, |c| c.wire.clone()),
    );
    let ch_rust = |v: &str| format!("ws::Channel::{v}");
    let ch_spec = |w: &str| format!("channel `{w}`");
    let mut pairs = Vec::new();
    let (added, removed, both) = matched(&cha, &chb);
    for c in added {
        out.push(
            Impact::Additive,
            Kind::Added,
            &ch_rust(&c.variant),
            &ch_spec(&c.wire),
            String::new(),
        )
    }
    for c in removed {
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &ch_rust(&c.variant),
            &ch_spec(&c.wire),
            String::new(),
        )
    }
    pairs.extend(both);
    for (x, y) in pairs {
        let (rust, spec) = (ch_rust(&y.variant), ch_spec(&y.wire));
        let mut push =
            |impact, detail: String| out.push(impact, Kind::Changed, &rust, &spec, detail);
        if x.variant != y.variant {
            push(
                Impact::Breaking,
                format!("renamed from `{}`", ch_rust(&x.variant)),
            );
        }
        // What losing and gaining an entry does: a channel that stops carrying a message type
        // breaks no code (the type's own removal is reported above); a dropped action or a newly
        // rejected parameter makes a command that worked fail.
        use Impact::{Additive, Breaking, Documentation};
        for (what, lx, ly, lost, gained) in [
            (
                "carries message type",
                &x.message_types,
                &y.message_types,
                Documentation,
                Additive,
            ),
            (
                "supports `update_subscription` action",
                &x.actions,
                &y.actions,
                Breaking,
                Additive,
            ),
            (
                "rejects subscribe parameter",
                &x.rejects,
                &y.rejects,
                Additive,
                Breaking,
            ),
        ] {
            for v in lx.iter().filter(|v| !ly.contains(v)) {
                push(lost, format!("no longer {what} `{v}`"));
            }
            for v in ly.iter().filter(|v| !lx.contains(v)) {
                push(gained, format!("now {what} `{v}`"));
            }
        }
        if x.title != y.title || x.description != y.description {
            push(Impact::Documentation, "documentation".into());
        }
    }

    // Error codes, by number.
    let (ea, eb) = (
        by_key(&old.error_codes, |e| e.code),
        by_key(&new.error_codes, |e| e.code),
    );
    let e_rust = |v: &str| format!("ws::ErrorCode::{v}");
    let e_spec = |c: i64, n: &str| format!("error code {c} ({n})");
    let mut pairs = Vec::new();
    let (added, removed, both) = matched(&ea, &eb);
    for e in added {
        out.push(
            Impact::Additive,
            Kind::Added,
            &e_rust(&e.variant),
            &e_spec(e.code, &e.name),
            String::new(),
        )
    }
    for e in removed {
        out.push(
            Impact::Breaking,
            Kind::Removed,
            &e_rust(&e.variant),
            &e_spec(e.code, &e.name),
            String::new(),
        )
    }
    pairs.extend(both);
    for (x, y) in pairs {
        let (rust, spec) = (e_rust(&y.variant), e_spec(y.code, &y.name));
        if x.variant != y.variant {
            out.push(
                Impact::Breaking,
                Kind::Changed,
                &rust,
                &spec,
                format!("renamed from `{}`", e_rust(&x.variant)),
            );
        } else if x.name != y.name || x.description != y.description {
            out.push(
                Impact::Documentation,
                Kind::Changed,
                &rust,
                &spec,
                "documentation".into(),
            );
        }
    }
}

//! Data types and their fields, matched by Rust name (the name users write; component schemas
//! keep theirs across versions).

use super::matcher::{matched, Entry, Item, Out};
use super::text::{deprecation, ty_text};
use crate::diff::{Area, Change, Impact, Kind};
use crate::ir::{Field, Model, TypeDef, TypeKind};

/// The spec's name of a type: the component key, or the pointer of an inline schema.
fn type_spec(t: &TypeDef) -> String {
    let key = t
        .pointer
        .strip_prefix("/components/schemas/")
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

/// The types of two models whose generated types live in the module `prefix` (`types::`).
pub(in crate::diff) fn types(
    old: &Model,
    new: &Model,
    prefix: &str,
    area: Area,
    changes: &mut Vec<Change>,
) {
    let mut out = Out::new(area, changes);
    let m = matched(&old.types, &new.types, |t| t.name.clone());
    let entry = |kind, t: &TypeDef| Entry::new(kind, format!("{prefix}{}", t.name), type_spec(t));
    for (a, b) in out.presence(m, entry) {
        type_def((old, new), a, b, prefix, &mut out);
    }
}

fn type_def(models: (&Model, &Model), a: &TypeDef, b: &TypeDef, prefix: &str, out: &mut Out<'_>) {
    if let (TypeKind::Struct(fa), TypeKind::Struct(fb)) = (&a.kind, &b.kind) {
        fields(models, (a, fa), (b, fb), prefix, out);
    }
    let mut item = out.item(format!("{prefix}{}", b.name), type_spec(b));
    if a.deprecated != b.deprecated {
        item.changed(Impact::Documentation, deprecation(b.deprecated));
    }
    if a.doc != b.doc {
        item.changed(Impact::Documentation, "documentation");
    }
    shape(models, &a.kind, &b.kind, prefix, &mut item);
}

/// What changed in a type's shape, structs' fields aside.
fn shape(
    (om, nm): (&Model, &Model),
    a: &TypeKind,
    b: &TypeKind,
    prefix: &str,
    item: &mut Item<'_, '_>,
) {
    match (a, b) {
        (TypeKind::StringEnum { variants: va, .. }, TypeKind::StringEnum { variants: vb, .. }) => {
            enum_values(va, vb, item);
        }
        (TypeKind::IntEnum { variants: va, .. }, TypeKind::IntEnum { variants: vb, .. }) => {
            let text = |v: &[(String, i64)]| -> Vec<(String, String)> {
                v.iter().map(|(n, w)| (n.clone(), w.to_string())).collect()
            };
            enum_values(&text(va), &text(vb), item);
        }
        (TypeKind::Alias(x), TypeKind::Alias(y)) => {
            let (tx, ty) = (ty_text(om, prefix, x), ty_text(nm, prefix, y));
            if tx != ty {
                item.changed(Impact::Breaking, format!("type `{tx}` → `{ty}`"));
            }
        }
        (TypeKind::Union { variants: va, .. }, TypeKind::Union { variants: vb, .. }) => {
            let m = matched(va, vb, |v| v.name.clone());
            for v in &m.added {
                item.changed(Impact::Additive, format!("alternative `{}` added", v.name));
            }
            for v in &m.removed {
                item.changed(
                    Impact::Breaking,
                    format!("alternative `{}` removed", v.name),
                );
            }
            for (x, y) in m.both {
                let (tx, ty) = (ty_text(om, prefix, &x.ty), ty_text(nm, prefix, &y.ty));
                if tx != ty {
                    let detail = format!("alternative `{}`: `{tx}` → `{ty}`", y.name);
                    item.changed(Impact::Breaking, detail);
                }
            }
        }
        (ka, kb) if std::mem::discriminant(ka) != std::mem::discriminant(kb) => {
            let detail = format!("was {}, now {}", kind_name(ka), kind_name(kb));
            item.changed(Impact::Breaking, detail);
        }
        _ => {}
    }
}

/// Enum values (variant name, wire value), matched by wire value.
fn enum_values(a: &[(String, String)], b: &[(String, String)], item: &mut Item<'_, '_>) {
    let m = matched(a, b, |(_, wire)| wire.clone());
    for (name, wire) in m.removed {
        let detail = format!("enum value `{wire}` removed (variant `{name}`)");
        item.changed(Impact::Breaking, detail);
    }
    for (name, wire) in m.added {
        item.changed(
            Impact::Additive,
            format!("enum value `{wire}` added (variant `{name}`)"),
        );
    }
}

fn field_text(m: &Model, prefix: &str, f: &Field) -> String {
    let text = ty_text(m, prefix, &f.ty);
    if f.is_option() {
        format!("Option<{text}>")
    } else {
        text
    }
}

/// A struct's fields, matched by wire name.
fn fields(
    (om, nm): (&Model, &Model),
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
    let entry = |kind, f: &Field| {
        let (t, m) = if kind == Kind::Added {
            (tb, nm)
        } else {
            (ta, om)
        };
        let (rust, spec) = names(f, t);
        let text = field_text(m, prefix, f);
        if kind == Kind::Added && tb.input && !f.is_option() {
            Entry::new(kind, rust, spec)
                .impact(Impact::Breaking)
                .detail(format!("`{text}`, required: a new argument of `new`"))
        } else {
            Entry::new(kind, rust, spec).detail(format!("`{text}`"))
        }
    };
    let m = matched(fa, fb, |f| f.wire.clone());
    for (x, y) in out.presence(m, entry) {
        let (rust, spec) = names(y, tb);
        let texts = (field_text(om, prefix, x), field_text(nm, prefix, y));
        field(texts, x, y, &mut out.item(rust, spec));
    }
}

/// One field in both versions, given its Rust type in each.
fn field((tx, ty): (String, String), x: &Field, y: &Field, item: &mut Item<'_, '_>) {
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
        item.changed(Impact::Breaking, format!("type `{tx}` → `{ty}`{why}"));
    } else if !why.is_empty() {
        // The Rust type is the same (an optional field stays an `Option`): decoding and
        // constructing are unaffected.
        item.changed(
            Impact::Documentation,
            format!("`{ty}`{why}, same Rust type"),
        );
    }
    if x.deprecated != y.deprecated {
        item.changed(Impact::Documentation, deprecation(y.deprecated));
    }
    if x.doc != y.doc {
        item.changed(Impact::Documentation, "documentation");
    }
}

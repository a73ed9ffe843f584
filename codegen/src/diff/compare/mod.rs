//! The comparisons: items matched by their spec identity (operationId, schema name, wire name)
//! through one generic matcher, then their Rust-visible shapes compared as text
//! (`Option<types::Market>`), since the two models' type ids do not correspond.

mod operations;
mod types;
mod websocket;

pub(super) use operations::operations;
pub(super) use types::types;
pub(super) use websocket::websocket;

use super::{Area, Change, Impact, Kind};
use crate::ir::{Model, Ty};
use indexmap::IndexMap;
use std::hash::Hash;

/// The items of two versions, matched by a key.
struct Matched<'a, T> {
    /// Only in the new version, in its order.
    added: Vec<&'a T>,
    /// Only in the old version, in its order.
    removed: Vec<&'a T>,
    /// In both, old then new, in the old version's order.
    both: Vec<(&'a T, &'a T)>,
}

/// Matches the items of two versions by `key` (their spec identity).
fn matched<'a, T, K: Hash + Eq>(
    old: &'a [T],
    new: &'a [T],
    key: impl Fn(&T) -> K,
) -> Matched<'a, T> {
    let by_key =
        |items: &'a [T]| -> IndexMap<K, &'a T> { items.iter().map(|t| (key(t), t)).collect() };
    let (old, new) = (by_key(old), by_key(new));
    let mut m = Matched {
        added: Vec::new(),
        removed: Vec::new(),
        both: Vec::new(),
    };
    for (k, o) in &old {
        match new.get(k) {
            Some(n) => m.both.push((*o, *n)),
            None => m.removed.push(*o),
        }
    }
    m.added = new
        .iter()
        .filter(|(k, _)| !old.contains_key(*k))
        .map(|(_, n)| *n)
        .collect();
    m
}

/// How an added or removed item is reported.
struct Entry {
    impact: Impact,
    rust: String,
    spec: String,
    detail: String,
}

impl Entry {
    /// An item added (additive) or removed (breaking), under its Rust and spec names.
    fn new(kind: Kind, rust: String, spec: String) -> Self {
        let impact = match kind {
            Kind::Added => Impact::Additive,
            _ => Impact::Breaking,
        };
        Entry {
            impact,
            rust,
            spec,
            detail: String::new(),
        }
    }

    fn detail(self, detail: String) -> Self {
        Entry { detail, ..self }
    }

    fn impact(self, impact: Impact) -> Self {
        Entry { impact, ..self }
    }
}

/// Collects changes of one area.
struct Out<'c> {
    area: Area,
    changes: &'c mut Vec<Change>,
}

impl<'c> Out<'c> {
    fn new(area: Area, changes: &'c mut Vec<Change>) -> Self {
        Out { area, changes }
    }

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

    /// Reports every added and removed item as `entry` describes it, and returns the pairs
    /// present in both versions, for the caller to compare.
    fn presence<'a, T>(
        &mut self,
        m: Matched<'a, T>,
        entry: impl Fn(Kind, &T) -> Entry,
    ) -> Vec<(&'a T, &'a T)> {
        let added = m.added.into_iter().map(|t| (Kind::Added, t));
        let removed = m.removed.into_iter().map(|t| (Kind::Removed, t));
        for (kind, t) in added.chain(removed) {
            let e = entry(kind, t);
            self.push(e.impact, kind, &e.rust, &e.spec, e.detail);
        }
        m.both
    }

    /// The changes of one item present in both versions.
    fn item(&mut self, rust: String, spec: String) -> Item<'_, 'c> {
        Item {
            out: self,
            rust,
            spec,
        }
    }
}

/// Collects the changes of one item present in both versions.
struct Item<'o, 'c> {
    out: &'o mut Out<'c>,
    rust: String,
    spec: String,
}

impl Item<'_, '_> {
    fn changed(&mut self, impact: Impact, detail: impl Into<String>) {
        let (rust, spec) = (&self.rust, &self.spec);
        self.out
            .push(impact, Kind::Changed, rust, spec, detail.into());
    }

    /// Reports the values only in `old` as `lost` and those only in `new` as `gained`, each
    /// described by `what` ("no longer ..." / "now ...").
    fn lost_and_gained<T: PartialEq>(
        &mut self,
        old: &[T],
        new: &[T],
        (lost, gained): (Impact, Impact),
        describe: impl Fn(bool, &T) -> String,
    ) {
        for v in old.iter().filter(|v| !new.contains(v)) {
            self.changed(lost, describe(false, v));
        }
        for v in new.iter().filter(|v| !old.contains(v)) {
            self.changed(gained, describe(true, v));
        }
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

fn deprecation(now: bool) -> &'static str {
    if now {
        "deprecated"
    } else {
        "no longer deprecated"
    }
}

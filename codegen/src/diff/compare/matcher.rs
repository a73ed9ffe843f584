//! The one generic matcher: the items of two versions paired by their spec identity, additions
//! and removals reported as each kind of entity describes them, and the changes of an item in
//! both versions collected.

use crate::diff::{Area, Change, Impact, Kind};
use indexmap::IndexMap;
use std::hash::Hash;

/// The items of two versions, matched by a key.
pub(super) struct Matched<'a, T> {
    /// Only in the new version, in its order.
    pub(super) added: Vec<&'a T>,
    /// Only in the old version, in its order.
    pub(super) removed: Vec<&'a T>,
    /// In both, old then new, in the old version's order.
    pub(super) both: Vec<(&'a T, &'a T)>,
}

/// Matches the items of two versions by `key` (their spec identity).
pub(super) fn matched<'a, T, K: Hash + Eq>(
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
pub(super) struct Entry {
    impact: Impact,
    rust: String,
    spec: String,
    detail: String,
}

impl Entry {
    /// An item added (additive) or removed (breaking), under its Rust and spec names.
    pub(super) fn new(kind: Kind, rust: String, spec: String) -> Self {
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

    pub(super) fn detail(self, detail: String) -> Self {
        Entry { detail, ..self }
    }

    pub(super) fn impact(self, impact: Impact) -> Self {
        Entry { impact, ..self }
    }
}

/// Collects changes of one area.
pub(super) struct Out<'c> {
    area: Area,
    changes: &'c mut Vec<Change>,
}

impl<'c> Out<'c> {
    pub(super) fn new(area: Area, changes: &'c mut Vec<Change>) -> Self {
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
    pub(super) fn presence<'a, T>(
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
    pub(super) fn item(&mut self, rust: String, spec: String) -> Item<'_, 'c> {
        Item {
            out: self,
            rust,
            spec,
        }
    }
}

/// Collects the changes of one item present in both versions.
pub(super) struct Item<'o, 'c> {
    out: &'o mut Out<'c>,
    rust: String,
    spec: String,
}

impl Item<'_, '_> {
    pub(super) fn changed(&mut self, impact: Impact, detail: impl Into<String>) {
        let (rust, spec) = (&self.rust, &self.spec);
        self.out
            .push(impact, Kind::Changed, rust, spec, detail.into());
    }

    /// Reports the values only in `old` as `lost` and those only in `new` as `gained`, each
    /// described by `what` ("no longer ..." / "now ...").
    pub(super) fn lost_and_gained<T: PartialEq>(
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

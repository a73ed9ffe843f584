//! Fields Kalshi did not send. A required field of a type Kalshi sends that arrives absent, `null`
//! or `""` is read as its type's default so that one drifted field cannot fail a page; this module
//! makes each such read visible: a `tracing` warning the first time per type and field, and a
//! count per field that a bot can read with [`defaulted_fields`] and alert on.
//!
//! A list or map that arrives as `null` is Kalshi's Go servers' way of sending an empty one: it
//! reads as empty and is not counted here.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// A field read as its default: where, and how many times in this process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultedField {
    /// The generated type, e.g. `Market`.
    pub type_name: &'static str,
    /// The field's wire name, e.g. `yes_bid_dollars`.
    pub field: &'static str,
    /// The version of the spec the type was generated from.
    pub spec_version: &'static str,
    /// How many times it was read as its default.
    pub count: u64,
}

/// The count of one field, kept in a `static` beside the code that reads the field, so that
/// counting costs one atomic add and nothing at all while the field arrives.
#[derive(Debug)]
pub(crate) struct Tally {
    type_name: &'static str,
    field: &'static str,
    spec_version: &'static str,
    count: AtomicU64,
}

// A spec whose types Kalshi never sends (the generator's small test specs) reads no default.
#[allow(dead_code)]
impl Tally {
    pub(crate) const fn new(
        type_name: &'static str,
        field: &'static str,
        spec_version: &'static str,
    ) -> Self {
        Self {
            type_name,
            field,
            spec_version,
            count: AtomicU64::new(0),
        }
    }

    fn report(&self) -> DefaultedField {
        DefaultedField {
            type_name: self.type_name,
            field: self.field,
            spec_version: self.spec_version,
            count: self.count.load(Ordering::Relaxed),
        }
    }
}

/// The tallies that have counted at least once, in the order they first did.
static SEEN: Mutex<Vec<&'static Tally>> = Mutex::new(Vec::new());

/// Counts one default read of `tally`'s field; the first one is logged and registered.
#[cold]
#[allow(dead_code)] // see `Tally::new`
pub(crate) fn defaulted(tally: &'static Tally) {
    if tally.count.fetch_add(1, Ordering::Relaxed) == 0 {
        first_default(tally);
    }
}

#[cold]
#[allow(dead_code)] // see `Tally::new`
fn first_default(tally: &'static Tally) {
    crate::trace::warn!(
        type_name = tally.type_name,
        field = tally.field,
        spec_version = tally.spec_version,
        "a required field arrived absent, null or empty and was read as its default"
    );
    SEEN.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(tally);
}

/// Every field read as its default so far in this process, with its count, in the order each
/// was first read so.
pub fn defaulted_fields() -> Vec<DefaultedField> {
    SEEN.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .map(|t| t.report())
        .collect()
}

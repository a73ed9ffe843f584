//! What changed for users between two versions of Kalshi's specs, read off the generator's model
//! (never a text diff): operations, types and fields, WebSocket channels, commands and messages,
//! each classified by what it does to code using `kalshi-api`.
//!
//! Both versions are lowered with the same settings, so a change is reported exactly when the
//! generated Rust changes in a way a user can see; every entry names the Rust item (`ops::X`,
//! `types::Market::yes_bid_dollars`, `ws::Ticker`) beside the spec's name. The sections that map
//! messages onto the runtime's traits (`order_book`, `orders`, `control`) are left out: they
//! change no type, and a new spec that no longer fits them is still diffed (its regeneration
//! then names the setting it breaks).

mod compare;
mod render;

pub use render::{changelog_entry, insert_changelog_entry, CHANGELOG_HEADER};
// Where `cargo xtask` has always found them; they live with the headers that record the hash.
pub use crate::provenance::{recorded_sha256, sha256_hex};

use crate::error::Error;
use crate::ir::ws::WsModel;
use crate::ir::Model;
use crate::settings::Settings;
use serde::Serialize;

/// The spec texts of one version: the OpenAPI spec and, optionally, the AsyncAPI spec.
#[derive(Debug, Clone, Copy)]
pub struct Specs<'a> {
    /// OpenAPI YAML.
    pub openapi: &'a str,
    /// AsyncAPI YAML of the WebSocket API.
    pub asyncapi: Option<&'a str>,
}

/// What a change does to code using `kalshi-api`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Impact {
    /// Code that compiled or worked may not any more: something removed, a new required input, a
    /// changed type.
    Breaking,
    /// Something new; existing code is unaffected.
    Additive,
    /// Documentation, deprecation or a value the SDK handles by itself (a path, a cost); no code
    /// change needed.
    Documentation,
}

impl Impact {
    /// The heading of the impact in a report.
    pub fn title(self) -> &'static str {
        match self {
            Impact::Breaking => "Breaking",
            Impact::Additive => "Additive",
            Impact::Documentation => "Documentation only",
        }
    }
}

/// What part of the API a change is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Area {
    /// REST operations (`ops::...`, `Client` methods).
    Operations,
    /// REST data types and their fields (`types::...`).
    Types,
    /// WebSocket channels, commands, messages, error codes and their types (`ws::...`).
    Websocket,
}

impl Area {
    /// The heading of the area in a report.
    pub fn title(self) -> &'static str {
        match self {
            Area::Operations => "Operations",
            Area::Types => "Types and fields",
            Area::Websocket => "WebSocket",
        }
    }
}

/// Whether the item is new, gone, or different.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// In the new spec only.
    Added,
    /// In the old spec only.
    Removed,
    /// In both, different.
    Changed,
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What it does to users' code.
    pub impact: Impact,
    /// Where it is.
    pub area: Area,
    /// Added, removed or changed.
    pub kind: Kind,
    /// The Rust item as users write it: `ops::CreateOrderV2`, `types::Market::yes_bid_dollars`.
    pub rust: String,
    /// The spec's name: `CreateOrderV2 (POST /portfolio/events/orders)`, `Market.yes_bid_dollars`.
    pub spec: String,
    /// What changed, in a few words; empty for a plain addition or removal.
    pub detail: String,
}

/// Spec versions on one side of the comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Versions {
    /// `info.title` and `info.version` of the OpenAPI spec.
    pub openapi: String,
    /// The same for the AsyncAPI spec, when compared.
    pub asyncapi: Option<String>,
}

/// How many changes of each impact.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Breaking changes.
    pub breaking: usize,
    /// Additive changes.
    pub additive: usize,
    /// Documentation-only changes.
    pub documentation: usize,
}

/// The comparison of two spec versions.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The old versions.
    pub old: Versions,
    /// The new versions.
    pub new: Versions,
    /// Counts by impact.
    pub summary: Summary,
    /// The semver bump of `kalshi-api` the changes call for: `major`, `minor`, `patch` or `none`.
    pub bump: &'static str,
    /// The version that bump gives, when the current version was given.
    pub suggested_version: Option<String>,
    /// Why that bump.
    pub bump_reason: String,
    /// Every change, sorted by impact, area, kind (added, removed, changed), Rust name and detail.
    pub changes: Vec<Change>,
}

/// `text` with every path into a generated module (`ops::`, `types::`, `ws::`) prefixed with the
/// product's namespace `ns` (`perps`): paths the report writes start at one of those modules.
fn qualify(text: &str, ns: &str) -> String {
    let ns = ns.replace("crate::", "");
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let starts_path = ["ops::", "types::", "ws::"]
            .iter()
            .any(|m| rest.starts_with(m));
        let after_word = out
            .chars()
            .next_back()
            .is_some_and(|p| p.is_alphanumeric() || p == '_' || p == ':');
        if starts_path && !after_word {
            out.push_str(&ns);
            out.push_str("::");
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Both sides lowered.
struct Side {
    rest: Model,
    ws: Option<WsModel>,
}

fn lower(specs: Specs<'_>, settings: &Settings) -> Result<Side, Error> {
    let settings = &Settings {
        order_book: None,
        orders: None,
        control: None,
        ..settings.clone()
    };
    let (rest, _warnings) = crate::openapi::read(specs.openapi, settings)?;
    let ws = specs
        .asyncapi
        .map(|text| crate::asyncapi::read(text, settings).map(|(ws, _warnings)| ws))
        .transpose()?;
    Ok(Side { rest, ws })
}

/// Compares two versions of the specs. The AsyncAPI sides are compared when both are given.
pub fn diff(old: Specs<'_>, new: Specs<'_>, settings: &Settings) -> Result<Report, Error> {
    diff_at(old, new, settings, &crate::ir::Target::default())
}

/// [`diff`] for a product generated at `target`: its items named as users write them
/// (`perps::ops::…`, `Perps::get_margin_balance` for a product in `crate::perps` with a handle).
pub fn diff_at(
    old: Specs<'_>,
    new: Specs<'_>,
    settings: &Settings,
    target: &crate::ir::Target,
) -> Result<Report, Error> {
    let old = lower(old, settings)?;
    let new = lower(new, settings)?;
    let mut changes = Vec::new();
    let sender = target.handle.as_deref().unwrap_or("Client");
    compare::operations(&old.rest, &new.rest, sender, &mut changes);
    compare::types(&old.rest, &new.rest, "types::", Area::Types, &mut changes);
    let versions = |s: &Side, both: bool| Versions {
        openapi: format!("{} {}", s.rest.title, s.rest.version),
        asyncapi: s
            .ws
            .as_ref()
            .filter(|_| both)
            .map(|w| format!("{} {}", w.title, w.version)),
    };
    let both = old.ws.is_some() && new.ws.is_some();
    if let (Some(o), Some(n)) = (&old.ws, &new.ws) {
        compare::websocket(o, n, &mut changes);
    }
    if let Some(ns) = target.namespace.strip_prefix("crate::") {
        for c in &mut changes {
            c.rust = qualify(&c.rust, ns);
            c.detail = qualify(&c.detail, ns);
        }
    }
    changes.sort_by(|a, b| {
        (a.impact, a.area, &a.rust, a.kind, &a.detail)
            .cmp(&(b.impact, b.area, &b.rust, b.kind, &b.detail))
    });
    changes.dedup();
    let mut summary = Summary::default();
    for c in &changes {
        match c.impact {
            Impact::Breaking => summary.breaking += 1,
            Impact::Additive => summary.additive += 1,
            Impact::Documentation => summary.documentation += 1,
        }
    }
    let mut report = Report {
        old: versions(&old, both),
        new: versions(&new, both),
        summary,
        bump: "none",
        suggested_version: None,
        bump_reason: String::new(),
        changes,
    };
    report.suggest_version(None);
    Ok(report)
}

impl Report {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes of one impact.
    pub fn of(&self, impact: Impact) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(move |c| c.impact == impact)
    }

    /// Sets the suggested bump from the changes and, given the crate's current version
    /// (`0.1.0`), the version it leads to. Semver for 0.x: a breaking change bumps the minor
    /// version (0.1.0 → 0.2.0), anything else the patch version.
    pub fn suggest_version(&mut self, current: Option<&str>) {
        let parsed = current.and_then(|v| {
            let mut it = v.split('.').map(|p| p.parse::<u64>().ok());
            Some((it.next()??, it.next()??, it.next()??))
        });
        let zero = parsed.is_none_or(|(major, _, _)| major == 0);
        let s = &self.summary;
        let (bump, reason) = if s.breaking > 0 {
            if zero {
                (
                    "minor",
                    "breaking changes bump the minor version while kalshi-api is 0.x",
                )
            } else {
                ("major", "breaking changes bump the major version")
            }
        } else if s.additive > 0 {
            if zero {
                (
                    "patch",
                    "compatible additions bump the patch version while kalshi-api is 0.x",
                )
            } else {
                ("minor", "additions only bump the minor version")
            }
        } else if s.documentation > 0 {
            ("patch", "documentation-only changes bump the patch version")
        } else {
            ("none", "nothing changed for users")
        };
        self.bump = bump;
        self.bump_reason = reason.to_string();
        self.suggested_version = parsed.map(|(ma, mi, pa)| match (bump, zero) {
            ("major", _) => format!("{}.0.0", ma + 1),
            ("minor", true) => format!("0.{}.0", mi + 1),
            ("minor", false) => format!("{ma}.{}.0", mi + 1),
            ("patch", _) => format!("{ma}.{mi}.{}", pa + 1),
            _ => format!("{ma}.{mi}.{pa}"),
        });
    }

    /// The report as Markdown, for people.
    pub fn to_markdown(&self) -> String {
        render::markdown(self)
    }

    /// The report as pretty-printed JSON, for tools.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// A few lines: versions, counts, the suggested version and the first breaking changes.
    pub fn summary_text(&self, max_breaking: usize) -> String {
        render::summary(self, max_breaking)
    }
}

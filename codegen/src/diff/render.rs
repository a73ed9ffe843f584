//! The report as Markdown, as a short summary, and as a changelog entry.

use super::{Area, Change, Impact, Kind, Report};
use std::fmt::Write as _;

/// The top of a new `CHANGELOG.md`.
pub const CHANGELOG_HEADER: &str = "# Changelog\n\n\
All notable changes to kalshi-api. The format follows [Keep a Changelog](https://keepachangelog.com/en/1.1.0/); \
entries for a new Kalshi spec are written by `cargo xtask regen`, breaking changes first.\n";

fn kind(k: Kind) -> &'static str {
    match k {
        Kind::Added => "Added",
        Kind::Removed => "Removed",
        Kind::Changed => "Changed",
    }
}

/// One Markdown list item.
fn line(c: &Change) -> String {
    let mut s = format!("- {} `{}` — {}", kind(c.kind), c.rust, c.spec);
    if !c.detail.is_empty() {
        let _ = write!(s, ": {}", c.detail);
    }
    s
}

fn versions(r: &Report) -> String {
    let mut s = format!("{} → {}", r.old.openapi, short_version(&r.new.openapi));
    if let (Some(o), Some(n)) = (&r.old.asyncapi, &r.new.asyncapi) {
        let _ = write!(s, "; {o} → {}", short_version(n));
    }
    s
}

/// The version part of `Title 1.2.3`.
fn short_version(titled: &str) -> &str {
    titled.rsplit(' ').next().unwrap_or(titled)
}

fn counts(r: &Report) -> String {
    let s = &r.summary;
    format!(
        "{} breaking, {} additive, {} documentation-only",
        s.breaking, s.additive, s.documentation
    )
}

fn bump(r: &Report) -> String {
    match &r.suggested_version {
        Some(v) => format!(
            "suggested kalshi-api version {v} ({} bump: {})",
            r.bump, r.bump_reason
        ),
        None => format!("suggested bump: {} ({})", r.bump, r.bump_reason),
    }
}

pub(super) fn markdown(r: &Report) -> String {
    let mut s = format!("# Spec changes: {}\n\n", versions(r));
    let _ = writeln!(s, "**{} changes.** {}.\n", counts(r), capitalise(&bump(r)));
    if r.is_empty() {
        s.push_str("Nothing changed for code using kalshi-api.\n");
        return s;
    }
    for impact in [Impact::Breaking, Impact::Additive, Impact::Documentation] {
        let n = r.of(impact).count();
        if n == 0 {
            continue;
        }
        let _ = writeln!(s, "## {} ({n})\n", impact.title());
        for area in [Area::Operations, Area::Types, Area::Websocket] {
            let items: Vec<&Change> = r.of(impact).filter(|c| c.area == area).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(s, "### {} ({})\n", area.title(), items.len());
            for c in items {
                s.push_str(&line(c));
                s.push('\n');
            }
            s.push('\n');
        }
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(super) fn summary(r: &Report, max_breaking: usize) -> String {
    let mut s = format!("spec changes {}: {}; {}", versions(r), counts(r), bump(r));
    let breaking: Vec<&Change> = r.of(Impact::Breaking).collect();
    for c in breaking.iter().take(max_breaking) {
        let _ = write!(s, "\n  {}", line(c));
    }
    if breaking.len() > max_breaking {
        let _ = write!(
            s,
            "\n  … and {} more breaking changes",
            breaking.len() - max_breaking
        );
    }
    s
}

/// A Keep a Changelog entry for a regeneration: the spec versions and the date, the breaking
/// changes first, then the additions; documentation-only changes are counted, not listed.
pub fn changelog_entry(r: &Report, date: &str) -> String {
    let mut s = format!("## [Unreleased] - {date}\n\n");
    let _ = writeln!(
        s,
        "Regenerated for Kalshi's new spec: {}. {} changes; {}.\n",
        versions(r),
        counts(r),
        bump(r)
    );
    let sections = [
        (Impact::Breaking, "### Breaking"),
        (Impact::Additive, "### Added"),
    ];
    for (impact, heading) in sections {
        let items: Vec<&Change> = r.of(impact).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(s, "{heading}\n");
        for c in items {
            s.push_str(&line(c));
            s.push('\n');
        }
        s.push('\n');
    }
    let docs = r.summary.documentation;
    if docs > 0 {
        let _ = writeln!(
            s,
            "### Documentation\n\n- {docs} documentation-only changes (descriptions, deprecations, \
             endpoints and costs the SDK follows by itself); `cargo xtask diff` lists them.\n"
        );
    }
    s
}

/// `changelog` (empty for a new file) with `entry` added at the top, below the header; `None`
/// when the changelog already has this entry (the same versions line), so a second regeneration
/// adds nothing.
pub fn insert_changelog_entry(changelog: &str, entry: &str) -> Option<String> {
    let key = entry.lines().find(|l| l.starts_with("Regenerated for"))?;
    if changelog.lines().any(|l| l == key) {
        return None;
    }
    let base = if changelog.trim().is_empty() {
        CHANGELOG_HEADER.to_string()
    } else {
        changelog.replace("\r\n", "\n")
    };
    let at = base.find("\n## ").map(|i| i + 1).unwrap_or(base.len());
    let (head, rest) = base.split_at(at);
    let mut out = head.trim_end().to_string();
    out.push_str("\n\n");
    out.push_str(entry.trim_end());
    out.push('\n');
    if !rest.is_empty() {
        out.push('\n');
        out.push_str(rest);
    }
    Some(out)
}

//! A tolerant reader of what the spec says about channels only in prose: which subscribe
//! parameters a channel takes and which `update_subscription` actions it supports.
//!
//! Documentation wording is not a contract: nothing here fails. A sentence it does not recognise
//! changes nothing, so a parameter stays accepted (the permissive default: the server, not the
//! client, is the judge) and an action stays unsupported unless a sentence says it is supported.
//! A clause that has a rule's marker words but not a form the rule reads is reported as a
//! [`Unread`] wording (a warning, as for rate-limit prose), so that a rewording in a new spec is
//! seen rather than silently dropped.
//!
//! Rules, each applied to one clause (a line of a description, split at `;` and `(`):
//!
//! 1. A channel's clause saying a thing is "not supported" or "ignored" rejects the parameters it
//!    names in backticks (`market_ticker` also covers its plural `market_tickers`), or, when it
//!    names none, the parameters starting with the word before "specification"
//!    ("Market specification ignored": every `market_*` parameter).
//! 2. A channel's clause with "Supports" and either "action(s)" or a backticked command
//!    (`update_subscription`) supports every backticked word in it that is not a command or a
//!    known parameter.
//! 3. A parameter whose description scopes it to channels ("Orderbook channel only", "on the
//!    ticker channel", "cfbenchmarks_value and cfbenchmarks_value_5hz channels only",
//!    "for communications channel fanout") is rejected by every other channel. A word before
//!    "channel(s)" names a channel when it is its wire name, a prefix of it up to `_`, or the first
//!    word of its title; wire names anywhere in the clause count too.

use std::collections::BTreeSet;

/// A channel as the reader sees it.
#[derive(Debug, Clone)]
pub struct ChannelText<'a> {
    /// Wire name.
    pub wire: &'a str,
    /// `title`.
    pub title: &'a str,
    /// `description`.
    pub description: &'a str,
}

/// What the prose says about one channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChannelRules {
    /// Subscribe parameters the channel does not take (sorted).
    pub rejects: Vec<String>,
    /// `update_subscription` actions it supports (in order of mention).
    pub actions: Vec<String>,
}

/// Where a wording the reader did not understand is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// The description of the channel at this index.
    Channel(usize),
    /// The description of the parameter at this index.
    Param(usize),
}

/// A clause with a rule's marker words in a form the rule does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// Whose description it is in.
    pub place: Place,
    /// The clause and what was expected.
    pub message: String,
}

/// Reads the rules of every channel (in order), and the clauses it did not understand. `params`
/// are the subscribe parameters with their descriptions; `commands` the `cmd` values (never read
/// as actions).
pub fn read(
    channels: &[ChannelText<'_>],
    params: &[(&str, &str)],
    commands: &[&str],
) -> (Vec<ChannelRules>, Vec<Unread>) {
    let known: Vec<&str> = params.iter().map(|(p, _)| *p).collect();
    let mut unread = Vec::new();
    let mut out: Vec<ChannelRules> = Vec::new();
    for (i, c) in channels.iter().enumerate() {
        let (rules, messages) = channel_rules(c.description, &known, commands);
        out.push(rules);
        unread.extend(messages.into_iter().map(|message| Unread {
            place: Place::Channel(i),
            message,
        }));
    }
    for (i, (param, description)) in params.iter().enumerate() {
        let scope = scoped_channels(description, channels);
        if scope.is_empty() {
            unread.extend(unscoped(description).map(|message| Unread {
                place: Place::Param(i),
                message,
            }));
            continue;
        }
        for (i, rules) in out.iter_mut().enumerate() {
            if !scope.contains(&i) && !rules.rejects.iter().any(|r| r == param) {
                rules.rejects.push(param.to_string());
            }
        }
    }
    for rules in &mut out {
        rules.rejects.sort();
        rules.rejects.dedup();
    }
    (out, unread)
}

/// The clauses of a parameter description that read as restricting it to channels ("... channel
/// only") but name no channel.
fn unscoped(description: &str) -> impl Iterator<Item = String> + '_ {
    description
        .split(['.', ';', '(', '\n'])
        .filter_map(|clause| {
            let lower = clause.to_ascii_lowercase();
            let words: Vec<&str> = lower
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .collect();
            let scoped = words.iter().any(|w| *w == "channel" || *w == "channels")
                && words.contains(&"only");
            scoped.then(|| {
                format!(
                "`{}`: expected `<channel> channel only` naming a channel by its address or the \
                 first word of its title; the parameter is taken as accepted by every channel",
                clause.trim()
            )
            })
        })
}

/// Clauses: lines split at `;` and `(`.
fn clauses(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .flat_map(|l| l.split([';', '(']))
        .map(str::trim)
        .filter(|c| !c.is_empty())
}

/// The backticked words of a clause.
fn ticked(clause: &str) -> Vec<&str> {
    clause
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, w)| w.trim())
        .filter(|w| !w.is_empty() && !w.contains(char::is_whitespace))
        .collect()
}

/// A channel's rules, and the clauses with a rule's marker that yielded nothing.
fn channel_rules(
    description: &str,
    params: &[&str],
    commands: &[&str],
) -> (ChannelRules, Vec<String>) {
    let mut rules = ChannelRules::default();
    let mut unread = Vec::new();
    for clause in clauses(description) {
        let lower = clause.to_ascii_lowercase();
        // The clause as quoted in a warning, without its list marker.
        let shown = clause.trim_start_matches(['-', '*', ' ']);
        if lower.contains("not supported") || lower.contains("ignored") {
            let named = ticked(clause);
            let mut rejected: BTreeSet<&str> = BTreeSet::new();
            if named.is_empty() {
                if let Some(word) = word_before(&lower, "specification") {
                    let prefix = format!("{word}_");
                    rejected.extend(params.iter().filter(|p| p.starts_with(&prefix)));
                }
            } else {
                for n in named.iter() {
                    rejected.extend(
                        params
                            .iter()
                            .filter(|p| **p == *n || p.strip_suffix('s') == Some(*n)),
                    );
                }
            }
            // "timestamps are ignored" is about data, not parameters: only a clause that names
            // something a subscription is given is a rejection the reader failed to read.
            let about_params = !named.is_empty()
                || ["parameter", "filter", "specification", "market"]
                    .iter()
                    .any(|w| lower.contains(w));
            if rejected.is_empty() && about_params {
                unread.push(format!(
                    "`{shown}`: expected the subscribe parameters it rejects in backticks \
                     (`market_ticker`) or `<prefix> specification`; no parameter is rejected"
                ));
            }
            rules
                .rejects
                .extend(rejected.into_iter().map(str::to_owned));
        }
        let names_command = ticked(clause).iter().any(|w| commands.contains(w));
        if lower.contains("supports") && (lower.contains("action") || names_command) {
            let mut named = false;
            for w in ticked(clause) {
                let known = commands.contains(&w) || params.contains(&w);
                named |= !known;
                if !known && !rules.actions.iter().any(|a| a == w) {
                    rules.actions.push(w.to_string());
                }
            }
            if !named {
                unread.push(format!(
                    "`{shown}`: expected the `update_subscription` actions it supports in \
                     backticks; no action is taken as supported"
                ));
            }
        }
    }
    (rules, unread)
}

/// The word just before `marker` in `text` (both lower case).
fn word_before<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    let at = text.find(marker)?;
    text[..at]
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .rfind(|w| !w.is_empty())
}

/// Indices of the channels a parameter description restricts the parameter to (empty: no
/// restriction).
fn scoped_channels(description: &str, channels: &[ChannelText<'_>]) -> BTreeSet<usize> {
    let mut out = BTreeSet::new();
    for clause in description.split(['.', ';', '(', '\n']) {
        let lower = clause.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
            .collect();
        let Some(at) = words
            .iter()
            .position(|w| *w == "channel" || *w == "channels")
        else {
            continue;
        };
        // Channel names anywhere in the clause, and the word right before "channel".
        for (i, c) in channels.iter().enumerate() {
            let wire = c.wire.to_ascii_lowercase();
            let title_word = c
                .title
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            let named = words.contains(&wire.as_str());
            let before = at.checked_sub(1).map(|j| words[j]).is_some_and(|w| {
                w == wire || wire.starts_with(&format!("{w}_")) || w == title_word
            });
            if named || before {
                out.insert(i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ch<'a>(wire: &'a str, title: &'a str, description: &'a str) -> ChannelText<'a> {
        ChannelText {
            wire,
            title,
            description,
        }
    }

    const PARAMS: &[(&str, &str)] = &[
        ("channels", "List of channels to subscribe to"),
        ("market_ticker", "Subscribe to a single market."),
        ("market_tickers", "Subscribe to multiple markets."),
        ("market_id", "by UUID (ticker only; mutually exclusive)"),
        ("market_ids", "by UUID (ticker only)"),
        ("send_initial_snapshot", "If true, receive an initial snapshot for requested market tickers on the ticker channel"),
        ("use_yes_price", "Orderbook channel only. When true, ..."),
        ("shard_factor", "Number of shards for communications channel fanout (optional)"),
        ("index_ids", "cfbenchmarks_value and cfbenchmarks_value_5hz channels only. CF Benchmarks index IDs"),
    ];

    fn channels() -> Vec<ChannelText<'static>> {
        vec![
            ch("orderbook_delta", "Orderbook Updates", "- `market_id`/`market_ids` are not supported for this channel\n- Supports `update_subscription` with `add_markets` / `delete_markets` / `get_snapshot` actions\n- `get_snapshot` returns an `orderbook_snapshot`"),
            ch("ticker", "Market Ticker", "- Supports `market_ticker`/`market_tickers` and `market_id`/`market_ids`"),
            ch("communications", "Communications", "- Market specification ignored\n- Optional sharding: `shard_factor`"),
            ch("fill", "User Fills", "- Supports `update_subscription` with `add_markets` / `delete_markets`"),
            ch("market_lifecycle_v2", "Lifecycle", "- Receives all notifications (`market_ticker` filters are not supported)"),
            ch("cfbenchmarks_value", "CF", "- `market_ticker`/`market_tickers`/`market_id`/`market_ids` are not supported for this channel\n- Supports `update_subscription` with `subscribe_indices` / `unsubscribe_indices` / `indexlist` actions"),
            ch("cfbenchmarks_value_5hz", "CF 5Hz", "Something new and unrecognised."),
        ]
    }

    fn rules() -> Vec<ChannelRules> {
        let (rules, unread) = read(&channels(), PARAMS, &["subscribe", "update_subscription"]);
        assert_eq!(unread, []);
        rules
    }

    #[test]
    fn channel_sentences_reject_parameters() {
        let r = rules();
        assert!(r[0].rejects.contains(&"market_id".to_string()));
        assert!(r[0].rejects.contains(&"market_ids".to_string()));
        assert!(!r[0].rejects.contains(&"market_ticker".to_string()));
        // "Market specification ignored": every market_* parameter.
        for p in ["market_id", "market_ids", "market_ticker", "market_tickers"] {
            assert!(r[2].rejects.contains(&p.to_string()), "{p}");
        }
        // A singular name covers its plural.
        assert!(r[4].rejects.contains(&"market_tickers".to_string()));
        assert!(!r[4].rejects.contains(&"market_id".to_string()));
    }

    #[test]
    fn parameter_scopes_reject_other_channels() {
        let r = rules();
        // "Orderbook channel only": the title's first word.
        assert!(!r[0].rejects.contains(&"use_yes_price".to_string()));
        assert!(r[1].rejects.contains(&"use_yes_price".to_string()));
        // "on the ticker channel".
        assert!(!r[1].rejects.contains(&"send_initial_snapshot".to_string()));
        assert!(r[0].rejects.contains(&"send_initial_snapshot".to_string()));
        // "for communications channel fanout".
        assert!(!r[2].rejects.contains(&"shard_factor".to_string()));
        assert!(r[1].rejects.contains(&"shard_factor".to_string()));
        // Two channels named.
        assert!(!r[5].rejects.contains(&"index_ids".to_string()));
        assert!(!r[6].rejects.contains(&"index_ids".to_string()));
        assert!(r[0].rejects.contains(&"index_ids".to_string()));
        // No channel named: accepted everywhere.
        assert!(r
            .iter()
            .all(|c| !c.rejects.contains(&"channels".to_string())));
    }

    #[test]
    fn supported_actions() {
        let r = rules();
        assert_eq!(
            r[0].actions,
            ["add_markets", "delete_markets", "get_snapshot"]
        );
        assert_eq!(
            r[5].actions,
            ["subscribe_indices", "unsubscribe_indices", "indexlist"]
        );
        assert_eq!(r[3].actions, ["add_markets", "delete_markets"]);
        // A "Supports" sentence about parameters, not actions.
        assert!(r[1].actions.is_empty());
    }

    #[test]
    fn unrecognised_wording_is_permissive() {
        let r = read(
            &[ch(
                "x",
                "X",
                "Whatever the future says; (unbalanced `tick\n\n",
            )],
            &[("market_ticker", "")],
            &[],
        );
        assert_eq!(r.0, [ChannelRules::default()]);
        assert_eq!(r.1, []);
        assert_eq!(read(&[], &[], &[]), (vec![], vec![]));
    }

    #[test]
    fn a_marked_clause_of_an_unknown_form_is_reported() {
        let (rules, unread) = read(
            &[ch(
                "x",
                "X",
                "- Ticker filters are not supported\n- Supports `update_subscription` actions",
            )],
            &[("market_ticker", ""), ("use_bids", "Trades channel only")],
            &["update_subscription"],
        );
        // The permissive defaults still hold.
        assert_eq!(rules, [ChannelRules::default()]);
        let places: Vec<Place> = unread.iter().map(|u| u.place).collect();
        assert_eq!(
            places,
            [Place::Channel(0), Place::Channel(0), Place::Param(1)]
        );
        assert!(unread[0]
            .message
            .starts_with("`Ticker filters are not supported`: expected"));
        assert!(unread[1].message.contains("`update_subscription` actions"));
        assert!(unread[2]
            .message
            .starts_with("`Trades channel only`: expected"));
    }
}

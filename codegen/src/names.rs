//! Naming: every Rust identifier the generator emits is decided here, once.

use heck::{ToSnakeCase, ToUpperCamelCase};
use std::collections::HashSet;

/// Rust keywords (strict and reserved, 2021 edition and later) that cannot be identifiers.
const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "try", "typeof", "unsized", "virtual", "yield", "union",
];

/// Type names that would shadow std, the prelude or this crate's runtime when a user glob-imports
/// the generated types; a schema with one of these names gets the `Kalshi` prefix.
const RESERVED_TYPES: &[&str] = &[
    "Error",
    "Result",
    "Option",
    "Some",
    "None",
    "Ok",
    "Err",
    "Box",
    "String",
    "Vec",
    "Client",
    "Default",
    "Clone",
    "Copy",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "From",
    "Into",
    "Drop",
    "Fn",
    "ToString",
    "ToOwned",
    "Environment",
    "Operation",
    "Signer",
    "Auth",
    "Value",
    "Self",
];

/// Splits plural acronyms so casing keeps them whole: `GetRFQs` -> `GetRfqs` (then `get_rfqs`),
/// where plain `heck` would give `get_rf_qs`.
fn fix_plural_acronyms(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_uppercase() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_uppercase() {
                i += 1;
            }
            let run = &chars[start..i];
            let plural_s = i < chars.len()
                && chars[i] == 's'
                && (i + 1 == chars.len() || !chars[i + 1].is_ascii_lowercase());
            if run.len() >= 2 && plural_s {
                out.push(run[0]);
                out.extend(run[1..].iter().map(|c| c.to_ascii_lowercase()));
                out.push('s');
                i += 1;
            } else {
                out.extend(run);
            }
        } else {
            out.push(chars[i]);
            i += 1;
        }
    }
    out
}

/// `snake_case` identifier text for a wire name (not yet deduplicated).
pub fn snake(wire: &str) -> String {
    let s = fix_plural_acronyms(wire).to_snake_case();
    let s = if s.is_empty() { "value".to_string() } else { s };
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    };
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// `UpperCamelCase` identifier text for a wire name (not yet deduplicated).
pub fn camel(wire: &str) -> String {
    let s = fix_plural_acronyms(wire).to_upper_camel_case();
    let s = if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("V{s}")
    } else {
        s
    };
    if KEYWORDS.contains(&s.as_str()) {
        format!("{s}_")
    } else {
        s
    }
}

/// The Rust name of a type, with std/prelude/runtime clashes avoided.
pub fn type_name(wire: &str) -> String {
    let s = camel(wire);
    let s = if s.is_empty() {
        "Unnamed".to_string()
    } else {
        s
    };
    if RESERVED_TYPES.contains(&s.trim_end_matches('_')) {
        format!("Kalshi{}", s.trim_end_matches('_'))
    } else {
        s
    }
}

/// The variant name for an enum value: `''` is `Empty`, others follow [`camel`].
pub fn variant(value: &str) -> String {
    let s = camel(value);
    if s.is_empty() {
        "Empty".to_string()
    } else {
        s
    }
}

/// Hands out unique names within one namespace (a module's types, a struct's fields, ...).
#[derive(Debug, Default)]
pub struct Namespace {
    taken: HashSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> Self {
        Self {
            taken: reserved.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Whether `name` is free.
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(name)
    }

    /// Takes `base`, or `base2`, `base3`, ... (`base_2` for snake case) if taken.
    pub fn claim(&mut self, base: &str) -> String {
        if self.taken.insert(base.to_string()) {
            return base.to_string();
        }
        let sep = if base.contains('_') || base.chars().all(|c| !c.is_uppercase()) {
            "_"
        } else {
            ""
        };
        let base = base.trim_end_matches('_');
        (2..)
            .map(|n| format!("{base}{sep}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .expect("an unbounded range always yields a free name")
    }
}

/// Assigns unique snake-case names to wire names: a wire name that is already its own snake form
/// keeps it; the others are deduplicated in order. So `order_id`, `orderId`, `order-id` become
/// `order_id`, `order_id_2`, `order_id_3` whatever their order.
pub fn unique_snake(wires: &[&str], reserved: &[&str]) -> Vec<String> {
    let mut ns = Namespace::with_reserved(reserved);
    let bases: Vec<String> = wires.iter().map(|w| snake(w)).collect();
    let mut out: Vec<Option<String>> = vec![None; wires.len()];
    for (i, w) in wires.iter().enumerate() {
        if bases[i] == *w && ns.is_free(&bases[i]) {
            out[i] = Some(ns.claim(&bases[i]));
        }
    }
    for (i, base) in bases.iter().enumerate() {
        if out[i].is_none() {
            out[i] = Some(ns.claim(base));
        }
    }
    out.into_iter()
        .map(|n| n.expect("every slot filled"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acronyms_stay_whole() {
        assert_eq!(snake("GetRFQs"), "get_rfqs");
        assert_eq!(snake("GetCommunicationsID"), "get_communications_id");
        assert_eq!(snake("GetFCMFills"), "get_fcm_fills");
        assert_eq!(snake("GetAPIKeys"), "get_api_keys");
        assert_eq!(camel("GetRFQsResponse"), "GetRfqsResponse");
        assert_eq!(snake("CreateOrderV2"), "create_order_v2");
    }

    #[test]
    fn keywords_digits_and_reserved_types() {
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("self"), "self_");
        assert_eq!(snake("async"), "async_");
        assert_eq!(snake("1h"), "_1h");
        assert_eq!(variant("self"), "Self_");
        assert_eq!(variant(""), "Empty");
        assert_eq!(variant("read::portfolio_balance"), "ReadPortfolioBalance");
        assert_eq!(variant("1"), "V1");
        assert_eq!(type_name("Error"), "KalshiError");
        assert_eq!(type_name("Client"), "KalshiClient");
        assert_eq!(type_name("Market"), "Market");
    }

    #[test]
    fn collisions_after_case_conversion() {
        assert_eq!(
            unique_snake(&["orderId", "order_id", "order-id"], &[]),
            ["order_id_2", "order_id", "order_id_3"]
        );
        let mut ns = Namespace::default();
        assert_eq!(ns.claim("Market"), "Market");
        assert_eq!(ns.claim("Market"), "Market2");
    }
}

//! Benchmark-only switches that swap a hand-written part of the session for the plain alternative,
//! so `bench/run.py --only ablation` can measure what each part buys on its own.
//!
//! Set at build time: `KALSHI_ABLATE=plain_json` (cargo rebuilds the crate when it changes). Unset,
//! as in every normal build, each switch is `false` and the alternative is compiled out.

/// The switches, comma-separated (`""` when unset).
const SWITCHES: &str = match option_env!("KALSHI_ABLATE") {
    Some(s) => s,
    None => "",
};

/// Whether `name` is one of the comma-separated [`SWITCHES`].
const fn switched(name: &str) -> bool {
    listed(SWITCHES, name)
}

/// Whether `name` is one of the comma-separated names in `list`.
const fn listed(list: &str, name: &str) -> bool {
    let (all, name) = (list.as_bytes(), name.as_bytes());
    let mut start = 0;
    while start <= all.len() {
        let mut end = start;
        while end < all.len() && all[end] != b',' {
            end += 1;
        }
        if end - start == name.len() && same(all, start, name) {
            return true;
        }
        start = end + 1;
    }
    false
}

/// Whether `all[at..]` starts with `name`.
const fn same(all: &[u8], at: usize, name: &[u8]) -> bool {
    let mut i = 0;
    while i < name.len() {
        if all[at + i] != name[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// `plain_json`: decode a data frame's `msg` in one pass with `serde_json`'s own deserializer
/// instead of [`PlainJson`](super::plain_json::PlainJson).
pub(crate) const PLAIN_JSON: bool = switched("plain_json");

#[cfg(test)]
mod tests {
    use super::listed;

    #[test]
    fn a_switch_is_on_only_when_named_whole() {
        assert!(listed("hash", "hash"));
        assert!(listed("plain_json,hash,queue", "hash"));
        assert!(listed("plain_json,queue", "queue"));
        assert!(!listed("", "hash"));
        assert!(!listed("hashes", "hash"));
        assert!(!listed("plain_json,has", "hash"));
        assert!(!listed("plain_json", "json"));
    }
}

//! Spec prose to rustdoc that renders cleanly: no accidental doc tests, broken links or HTML.

/// Turns spec text (CommonMark from Kalshi's docs) into doc lines.
///
/// - Indentation is removed outside fenced blocks, so indented text cannot become a code block
///   (which rustdoc would compile as a doc test). Fenced blocks are marked `text` for the same reason.
/// - `[`, `]` and `<` outside code are escaped, so prose like `[a, b]` or `<Note>` is not read as an
///   intra-doc link or HTML; Markdown links `[text](url)` and autolinks `<https://...>` are kept.
/// - Bare URLs become autolinks.
pub fn lines(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_fence = false;
    for raw in text.replace("\r\n", "\n").replace('\r', "\n").lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            let fence = &trimmed[..3];
            out.push(if in_fence {
                fence.to_string()
            } else {
                format!("{fence}text")
            });
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            out.push(raw.trim_end().to_string());
        } else {
            out.push(escape_line(trimmed));
        }
    }
    if in_fence {
        out.push("```".to_string());
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    while out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    out
}

fn escape_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while let Some(c) = rest.chars().next() {
        // A code span: copied verbatim up to its closing run of backticks.
        if c == '`' {
            let ticks = rest.len() - rest.trim_start_matches('`').len();
            let fence = &rest[..ticks];
            if let Some(end) = rest[ticks..].find(fence) {
                let span = &rest[..ticks + end + ticks];
                out.push_str(span);
                rest = &rest[span.len()..];
                continue;
            }
            out.push_str("\\`");
            rest = &rest[1..];
            continue;
        }
        // A Markdown link `[text](http...)`: kept.
        if c == '[' {
            if let Some(len) = markdown_link(rest) {
                out.push_str(&rest[..len]);
                rest = &rest[len..];
                continue;
            }
        }
        // An autolink `<https://...>`: kept.
        if c == '<' && (rest.starts_with("<http://") || rest.starts_with("<https://")) {
            if let Some(end) = rest.find('>') {
                out.push_str(&rest[..=end]);
                rest = &rest[end + 1..];
                continue;
            }
        }
        if rest.starts_with("http://") || rest.starts_with("https://") {
            let end = rest
                .find(|ch: char| {
                    ch.is_whitespace() || ch == ')' || ch == '>' || ch == '"' || ch == '\''
                })
                .unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':']);
            out.push('<');
            out.push_str(url);
            out.push('>');
            rest = &rest[url.len()..];
            continue;
        }
        match c {
            '[' | ']' | '<' | '>' | '\\' | '*' | '_' if needs_escape(c, &out, rest) => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `[`, `]`, `<` and a backslash are always escaped; `>` only at the start of a line (a quote);
/// `*` and `_` never (emphasis is harmless).
fn needs_escape(c: char, out: &str, _rest: &str) -> bool {
    match c {
        '[' | ']' | '<' | '\\' => true,
        '>' => out.is_empty(),
        _ => false,
    }
}

/// Length of a `[text](http...)` link at the start of `s`.
fn markdown_link(s: &str) -> Option<usize> {
    let close = s.find("](")?;
    if s[1..close].contains('[') || s[1..close].contains(']') {
        return None;
    }
    let target = &s[close + 2..];
    if !(target.starts_with("http://") || target.starts_with("https://") || target.starts_with('/'))
    {
        return None;
    }
    let end = target.find(')')?;
    if target[..end].contains(char::is_whitespace) {
        return None;
    }
    Some(close + 2 + end + 1)
}

#[cfg(test)]
mod tests {
    use super::lines;

    #[test]
    fn escapes_links_html_and_indentation() {
        assert_eq!(lines("as [a, b] pairs"), ["as \\[a, b\\] pairs"]);
        assert_eq!(lines("<Note>x</Note>"), ["\\<Note>x\\</Note>"]);
        assert_eq!(lines("see `[x]` and `<T>`"), ["see `[x]` and `<T>`"]);
        assert_eq!(lines("    indented"), ["indented"]);
        assert_eq!(lines("go https://x.io/a."), ["go <https://x.io/a>."]);
        assert_eq!(lines("[Docs](https://x.io)"), ["[Docs](https://x.io)"]);
        assert_eq!(lines("```\nfn x\n```"), ["```text", "fn x", "```"]);
        assert_eq!(lines("a */ b é"), ["a */ b é"]);
        assert_eq!(lines("> quote"), ["\\> quote"]);
    }
}

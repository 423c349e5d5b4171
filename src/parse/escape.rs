//! Messages quoted inside JSON documents or source-code string literals.

/// Undoes JSON (and Python/JavaScript) string escapes: `\t \n \r \" \' \\ \/
/// \uXXXX`. Unknown escapes are kept as they are; broken `\u` escapes become
/// U+FFFD.
pub fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('b') | Some('f') => out.push(' '),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let ch = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(ch.unwrap_or('\u{FFFD}'));
            }
            Some(other @ ('"' | '\'' | '\\' | '/')) => out.push(other),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// Unescapes until no escaped tab or newline is left (a message quoted twice,
/// as in JSON test fixtures that embed JSON, shows `\\t`); at most three rounds.
pub fn unescape_fully(s: &str) -> String {
    let mut out = unescape(s);
    for _ in 0..2 {
        if !(out.contains("\\t") || out.contains("\\n") || out.contains("\\\"")) {
            break;
        }
        out = unescape(&out);
    }
    out
}

/// The text of the string literal opened by the quote at `open`, joined with
/// the literals that directly follow it (`"a" "b"`, `"a" + "b"`, also across
/// lines, as source code splits long strings), and the position after the last
/// closing quote. A literal not closed on its line runs to the end of the line.
pub fn quoted_literal(buf: &[u8], open: usize, quote: u8, line_end: usize) -> (Vec<u8>, usize) {
    let mut text = Vec::new();
    let mut start = open + 1;
    let mut end_of_line = line_end;
    loop {
        let close = closing_quote(&buf[..end_of_line], start, quote);
        let stop = close.unwrap_or(end_of_line);
        text.extend_from_slice(&buf[start..stop]);
        let Some(close) = close else {
            return (text, stop);
        };
        let mut i = close + 1;
        while i < buf.len() && (buf[i].is_ascii_whitespace() || buf[i] == b'+') {
            i += 1;
        }
        if i >= buf.len() || buf[i] != quote {
            return (text, close + 1);
        }
        start = i + 1;
        end_of_line = memchr::memchr(b'\n', &buf[start..]).map_or(buf.len(), |j| start + j);
    }
}

/// Finds the quote that closes a quoted string starting right after `from`:
/// the first `quote` byte not escaped by a backslash, before the end of the line.
pub fn closing_quote(line: &[u8], from: usize, quote: u8) -> Option<usize> {
    let mut i = from;
    while i < line.len() {
        match line[i] {
            b'\\' => i += 2,
            c if c == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// Finds the unescaped quote (`"` or `'`) that opens the string around `pos`,
/// searching backwards on the line. Returns its index and the quote byte.
pub fn opening_quote(line: &[u8], pos: usize) -> Option<(usize, u8)> {
    let mut end = pos;
    while let Some(i) = memchr::memrchr2(b'"', b'\'', &line[..end]) {
        if !(i > 0 && line[i - 1] == b'\\') {
            return Some((i, line[i]));
        }
        end = i;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes() {
        assert_eq!(unescape(r#"a\tb\nc\"d\\e\u00e9"#), "a\tb\nc\"d\\eé");
        assert_eq!(unescape(r"x\q"), r"x\q");
    }

    #[test]
    fn adjacent_literals_are_joined() {
        let src = b"x = (\"REPORT a \"\n      \"ms b\"\n)";
        let (text, end) = quoted_literal(src, 5, b'"', 16);
        assert_eq!(String::from_utf8(text).unwrap(), "REPORT a ms b");
        assert_eq!(src[end], b'\n');
        assert_eq!(unescape_fully(r"a\\tb"), "a\tb");
    }

    #[test]
    fn quotes() {
        let line = br#""message": "REPORT \"x\" y", "n": 1"#;
        let (open, q) = opening_quote(line, 14).unwrap();
        assert_eq!((open, q), (11, b'"'));
        assert_eq!(closing_quote(line, open + 1, q), Some(26));
    }
}

//! Messages for the terminal: text from file names and logs never reaches it raw (control characters
//! such as ESC are shown as `\u{1b}`), and a closed stderr (a broken pipe) is not a panic.

use std::borrow::Cow;
use std::io::Write;

/// `s` with every control character but tab written as a visible escape (`\u{1b}`).
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| c.is_control() && c != '\t') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() && c != '\t' {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Writes one line to stderr, control characters escaped; a failed write (stderr closed) is ignored,
/// since there is nowhere left to report it.
pub fn say(line: std::fmt::Arguments<'_>) {
    let text = line.to_string();
    let _ = writeln!(std::io::stderr().lock(), "{}", printable(&text));
}

/// `eprintln!` for lambdastat's messages: see [`say`].
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::term::say(format_args!($($arg)*)) };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(printable("plain\ttext"), "plain\ttext");
        assert_eq!(printable("a\u{1b}[31mred\nb\u{9b}"), "a\\u{1b}[31mred\\u{a}b\\u{9b}");
    }
}

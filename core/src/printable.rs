//! Untrusted text quoted in a message: every error is one line, whatever the input held.

/// `text` with its control characters (newlines, NULs, escapes) written as `\n`, `\u{0}`, …,
/// so that a value quoted from the input cannot break the message's one line.
pub fn printable(text: &str) -> String {
    let mut shown = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            shown.extend(c.escape_default());
        } else {
            shown.push(c);
        }
    }
    shown
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(super::printable("warni\ng\0é `x`"), "warni\\ng\\u{0}é `x`");
    }
}

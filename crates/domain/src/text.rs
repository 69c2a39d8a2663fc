//! Small helpers for the free-text fields that several entities share.

use crate::FieldError;

/// Trims the value and turns an empty string into `None`.
pub fn optional(value: &str) -> Option<String> {
    let trimmed = value.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// A required single-line text, trimmed, at most `max` characters.
pub fn required(value: &str, what: &str, max: usize) -> Result<String, FieldError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(format!("{what} is required")));
    }
    bounded(trimmed, what, max).map(str::to_owned)
}

/// Rejects text longer than `max` characters.
pub fn bounded<'a>(value: &'a str, what: &str, max: usize) -> Result<&'a str, FieldError> {
    if value.chars().count() > max {
        return Err(FieldError::new(format!(
            "{what} is longer than {max} characters"
        )));
    }
    Ok(value)
}

/// The characters no field may hold: control characters (tab and line breaks aside), and the
/// invisible ones that make two texts look alike while differing (zero-width spaces and
/// joiners, a byte-order mark inside the text, direction overrides, soft hyphens).
pub fn is_invisible(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Refuses text holding a character [`is_invisible`] names, saying which and where.
pub fn visible(value: &str) -> Result<(), FieldError> {
    match value.char_indices().find(|(_, c)| is_invisible(*c)) {
        None => Ok(()),
        Some((at, c)) => Err(FieldError::new(format!(
            "contains an invisible or control character (U+{:04X}) at position {}: remove it (it often comes from copying from another program)",
            c as u32,
            value[..at].chars().count() + 1
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invisible_and_control_characters_are_named() {
        assert!(visible("Ada Lovelace, line\nbreak\ttab").is_ok());
        for bad in [
            "a\0b",
            "zero\u{200B}width",
            "bom\u{FEFF}",
            "rtl\u{202E}x",
            "del\u{7F}",
        ] {
            assert!(visible(bad).is_err(), "{bad:?}");
        }
        let error = visible("ab\u{200B}c").unwrap_err();
        assert!(
            error.0.contains("U+200B") && error.0.contains("position 3"),
            "{}",
            error.0
        );
    }
}

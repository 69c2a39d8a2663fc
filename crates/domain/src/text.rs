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

//! Numbers and names as pages show them.

use std::borrow::Borrow;

/// `0.753` → `75 %`.
pub fn percent(value: impl Borrow<f64>) -> String {
    format!("{:.0} %", value.borrow() * 100.0)
}

/// Three decimals: scores and seconds.
pub fn decimal(value: impl Borrow<f64>) -> String {
    format!("{:.3}", value.borrow())
}

/// A field or state name in words: `level_gap` → `Level gap`.
pub fn words(name: &str) -> String {
    sentence(&name.replace('_', " "))
}

/// The text with a capital first letter.
pub fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `1 pair`, `2 pairs`.
pub fn count(n: impl Borrow<u32>, noun: &str) -> String {
    let n = *n.borrow();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// The criteria that contributed most to a score, strongest first: what a pair has going for it.
pub fn strongest(explanation: &upward_domain::PairExplanation) -> String {
    let mut parts: Vec<_> = explanation
        .criteria
        .iter()
        .filter(|c| c.contribution > 0.0)
        .collect();
    parts.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
    parts
        .iter()
        .take(2)
        .map(|c| c.criterion.label())
        .collect::<Vec<_>>()
        .join(", ")
}

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

/// A moment as `<time>`: the date and time in UTC, said to be UTC, which a small script
/// (`/static/local-times.js`) rewrites into the reader's own time zone when scripts run.
pub fn when(at: &jiff::Timestamp) -> String {
    format!(
        "<time datetime=\"{at}\" data-local=\"datetime\">{} UTC</time>",
        at.strftime("%Y-%m-%d %H:%M")
    )
}

/// A moment as its date, in `<time>` like [`when`].
pub fn day(at: &jiff::Timestamp) -> String {
    format!(
        "<time datetime=\"{at}\" data-local=\"date\">{}</time>",
        at.strftime("%Y-%m-%d")
    )
}

/// An email address, as HTML that may wrap after its `@`: a table column then need be only as
/// wide as the longer half (the manager's pairings table was wider than the page at 1,200 px).
pub fn email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => format!(
            "{}@<wbr>{}",
            ammonia::clean_text(local),
            ammonia::clean_text(domain)
        ),
        None => ammonia::clean_text(address),
    }
}

/// An audit trail action in words.
pub fn action(code: &str) -> String {
    let words = match code {
        "account.create" => "Created an account",
        "account.role" => "Changed a role",
        "demo.load" => "Loaded the demo organisation",
        "enrolments.import" => "Imported enrolments",
        "matching.manual_pair" => "Paired people by hand",
        "matching.publish" => "Published a matching run",
        "matching.rule" => "Pinned, forbade or cleared a pair",
        "matching.start" => "Started matching",
        "pairing.state" => "A pairing changed",
        "people.import" => "Imported the directory",
        "person.erase" => "Erased a person at their request",
        "programme.clone" => "Cloned a programme",
        "programme.create" => "Created a programme",
        "programme.invite" => "Sent invitations",
        "programme.manager_add" => "Added a co-manager",
        "programme.manager_remove" => "Removed a manager",
        "programme.phase" => "Moved a programme to another phase",
        "programme.update" => "Changed a programme's design",
        "scim.create" => "The identity provider added a person",
        "scim.delete" => "The identity provider deleted (deactivated) a person",
        "scim.replace" => "The identity provider updated a person",
        "scim.token_create" => "Made a SCIM token",
        "scim.token_revoke" => "Revoked a SCIM token",
        other => return words(other),
    };
    words.to_owned()
}

/// Topics with scores as a person reads them: `cloud:4;data literacy:2` → `cloud (4), data literacy (2)`.
pub fn topics(topics: &upward_domain::TopicLevels) -> String {
    topics
        .to_string()
        .split(';')
        .filter(|part| !part.is_empty())
        .map(|part| match part.rsplit_once(':') {
            Some((topic, score)) => format!("{topic} ({score})"),
            None => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A Big Five trait as a person would recognise it.
pub fn trait_words(name: &str) -> &'static str {
    match name {
        "openness" => "Open to new ideas",
        "conscientiousness" => "Organised and dependable",
        "extraversion" => "Outgoing and energised by people",
        "agreeableness" => "Warm and cooperative",
        "neuroticism" => "Prone to worry or stress",
        _ => "Trait",
    }
}

/// Weekly free times as a person reads them: `Mon 07:00-08:30;Wed 13:00-14:30` →
/// `Mon 07:00–08:30, Wed 13:00–14:30`.
pub fn availability(availability: &upward_domain::Availability) -> String {
    availability
        .to_string()
        .split(';')
        .filter(|slot| !slot.is_empty())
        .map(|slot| slot.replace('-', "–"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Markdown written by a manager (an agreement) as HTML for a page: rendered by pulldown-cmark
/// and cleaned by ammonia, so no script, style or event handler can come through.
pub fn markdown(text: &str) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(text));
    ammonia::clean(&html)
}

#[cfg(test)]
mod markdown_tests {
    #[test]
    fn markdown_is_rendered_and_nothing_active_survives() {
        let html = super::markdown(
            "## Ours\n\n1. **Confidential** <script>alert(1)</script>\n\n<a href=\"javascript:x()\" onclick=\"y()\">z</a>",
        );
        assert!(html.contains("<h2>Ours</h2>"), "{html}");
        assert!(html.contains("<strong>Confidential</strong>"), "{html}");
        assert!(
            !html.contains("<script") && !html.contains("javascript:") && !html.contains("onclick"),
            "{html}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_may_wrap_after_its_at_sign_and_is_escaped() {
        assert_eq!(email("ada@x.org"), "ada@<wbr>x.org");
        assert_eq!(email("<b>o'neil@x.org"), "&lt;b&gt;o&apos;neil@<wbr>x.org");
        assert_eq!(email("nobody"), "nobody");
    }
}

//! Access for the people of a directory: the one-time links Upward mails (sign-in, password
//! reset, invitation) and whom a programme manager invites.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Email, FieldError, JobLevel};

/// What a mailed link does when it is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LinkPurpose {
    /// Signs the person in (their account is made from the directory on first use).
    SignIn,
    /// Lets an account holder choose a new password, then signs them in.
    Reset,
    /// Signs the person in and opens a programme's enrolment form.
    Invitation,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SignIn => "sign_in",
            LinkPurpose::Reset => "reset",
            LinkPurpose::Invitation => "invitation",
        }
    }
}

impl std::str::FromStr for LinkPurpose {
    type Err = FieldError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "sign_in" => Ok(LinkPurpose::SignIn),
            "reset" => Ok(LinkPurpose::Reset),
            "invitation" => Ok(LinkPurpose::Invitation),
            other => Err(FieldError::new(format!("unknown link purpose '{other}'"))),
        }
    }
}

/// Whom a manager invites to a programme. Invitations are never enrolments: each person still
/// opts in on the enrolment form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience {
    /// Everyone in the directory.
    Everyone,
    /// People of a department (exact name, any case) and/or within a range of job levels.
    Filter {
        department: Option<String>,
        levels: Option<(JobLevel, JobLevel)>,
    },
    /// These addresses (those not in the directory are reported back, not invited).
    Emails(Vec<Email>),
}

/// At most this many addresses in one pasted list; a larger audience is a department or a
/// level range.
pub const MAX_LISTED_EMAILS: usize = 5_000;

impl Audience {
    /// A department and/or level range; at least one must be given, and the range must run
    /// upwards.
    pub fn filter(
        department: Option<String>,
        min_level: Option<JobLevel>,
        max_level: Option<JobLevel>,
    ) -> Result<Self, FieldError> {
        let levels = match (min_level, max_level) {
            (None, None) => None,
            (min, max) => {
                let min = min.unwrap_or(JobLevel::new(JobLevel::MIN).expect("in range"));
                let max = max.unwrap_or(JobLevel::new(JobLevel::MAX).expect("in range"));
                if min > max {
                    return Err(FieldError::new(format!(
                        "the lowest level ({}) is above the highest ({})",
                        min.get(),
                        max.get()
                    )));
                }
                Some((min, max))
            }
        };
        if department.is_none() && levels.is_none() {
            return Err(FieldError::new(
                "choose a department, a range of job levels, or both",
            ));
        }
        Ok(Audience::Filter { department, levels })
    }

    /// Addresses separated by commas, semicolons, spaces or new lines; repeats count once.
    /// Every address that does not parse is named.
    pub fn emails(text: &str) -> Result<Self, FieldError> {
        let mut emails: Vec<Email> = Vec::new();
        let mut bad = Vec::new();
        for word in text
            .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|word| !word.is_empty())
        {
            match Email::parse(word.trim_matches(['<', '>'])) {
                Ok(email) if !emails.iter().any(|e| e.key() == email.key()) => emails.push(email),
                Ok(_) => {}
                Err(_) => bad.push(word.to_owned()),
            }
        }
        if !bad.is_empty() {
            let shown: Vec<_> = bad.iter().take(10).map(|b| format!("'{b}'")).collect();
            let more = bad.len().saturating_sub(shown.len());
            return Err(FieldError::new(format!(
                "not email addresses: {}{}",
                shown.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            )));
        }
        if emails.is_empty() {
            return Err(FieldError::new("paste at least one email address"));
        }
        if emails.len() > MAX_LISTED_EMAILS {
            return Err(FieldError::new(format!(
                "{} addresses is more than {MAX_LISTED_EMAILS} at once; invite a department or a range of levels instead",
                emails.len()
            )));
        }
        Ok(Audience::Emails(emails))
    }

    /// Words for the audit trail and confirmations.
    pub fn describe(&self) -> String {
        match self {
            Audience::Everyone => "everyone in the directory".into(),
            Audience::Filter { department, levels } => {
                let mut parts = Vec::new();
                if let Some(department) = department {
                    parts.push(format!("department {department}"));
                }
                if let Some((min, max)) = levels {
                    parts.push(format!("job levels {}–{}", min.get(), max.get()));
                }
                parts.join(", ")
            }
            Audience::Emails(emails) => format!("{} listed addresses", emails.len()),
        }
    }
}

/// How far a programme's invitations have got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct InvitationCounts {
    /// People invited (once each, however often).
    pub invited: i64,
    /// Invitees who followed their link and signed in.
    pub signed_in: i64,
    /// Invitees who are enrolled in the programme (by any route).
    pub enrolled: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(n: i64) -> Option<JobLevel> {
        Some(JobLevel::new(n).unwrap())
    }

    #[test]
    fn a_pasted_list_splits_on_any_separator_and_counts_repeats_once() {
        let Audience::Emails(emails) =
            Audience::emails("ana@x.org, Ben@x.org;\nben@X.org  <cy@x.org>").unwrap()
        else {
            panic!("a list");
        };
        let keys: Vec<_> = emails.iter().map(Email::key).collect();
        assert_eq!(keys, ["ana@x.org", "ben@x.org", "cy@x.org"]);
    }

    #[test]
    fn a_pasted_list_names_every_bad_address() {
        let error = Audience::emails("ana@x.org, nobody, also-bad").unwrap_err();
        assert_eq!(error.0, "not email addresses: 'nobody', 'also-bad'");
        assert_eq!(
            Audience::emails(" \n ").unwrap_err().0,
            "paste at least one email address"
        );
    }

    #[test]
    fn a_filter_needs_something_and_a_range_that_runs_upwards() {
        assert!(Audience::filter(None, None, None).is_err());
        let error = Audience::filter(None, level(9), level(3)).unwrap_err();
        assert_eq!(error.0, "the lowest level (9) is above the highest (3)");
        let open_top = Audience::filter(None, level(12), None).unwrap();
        assert_eq!(open_top.describe(), "job levels 12–20");
        let both = Audience::filter(Some("Tech".into()), None, level(5)).unwrap();
        assert_eq!(both.describe(), "department Tech, job levels 1–5");
    }
}

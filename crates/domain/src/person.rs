//! People in the organisation directory: who they are, where they sit and whom they report to.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct PersonId(pub i64);

/// An email address as given, compared without regard to case (`key`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "ada@example.com")]
pub struct Email(String);

impl Email {
    /// A deliberately loose check (one `@`, a dotted domain, no spaces): the directory is the
    /// source of truth and stricter RFC parsing would only reject real addresses.
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(FieldError::new("email is required"));
        }
        // Addresses are kept in their ASCII form (international domains as `xn--…`), so a
        // look-alike (a Cyrillic letter, a zero-width space) cannot pass for someone else.
        if let Some(c) = value.chars().find(|c| !c.is_ascii()) {
            return Err(FieldError::new(format!(
                "'{}' contains the character '{c}' (U+{:04X}), which is not plain ASCII: write the address in its ASCII form (an international domain as xn--…)",
                value.escape_debug(),
                c as u32
            )));
        }
        if let Some(c) = value.chars().find(|c| c.is_ascii_control()) {
            return Err(FieldError::new(format!(
                "'{}' contains a control character (U+{:04X})",
                value.escape_debug(),
                c as u32
            )));
        }
        let valid = value.len() <= 254
            && !value.chars().any(char::is_whitespace)
            && matches!(value.split_once('@'), Some((local, domain))
                if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                    && !domain.starts_with('.') && !domain.ends_with('.'));
        if !valid {
            return Err(FieldError::new(format!(
                "'{value}' is not an email address"
            )));
        }
        Ok(Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-insensitive identity of the address, used for uniqueness and look-ups.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Seniority from 1 (most junior) to 20 (most senior).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(try_from = "i64", into = "i64")]
#[schema(value_type = i64, example = 7)]
pub struct JobLevel(u8);

impl JobLevel {
    pub const MIN: i64 = 1;
    pub const MAX: i64 = 20;

    pub fn new(level: i64) -> Result<Self, FieldError> {
        if (Self::MIN..=Self::MAX).contains(&level) {
            Ok(Self(level as u8))
        } else {
            Err(FieldError::new(format!(
                "job level {level} is outside {}–{}",
                Self::MIN,
                Self::MAX
            )))
        }
    }

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        let level = value
            .parse::<i64>()
            .map_err(|_| FieldError::new(format!("job level '{value}' is not a whole number")))?;
        Self::new(level)
    }

    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl TryFrom<i64> for JobLevel {
    type Error = FieldError;
    fn try_from(value: i64) -> Result<Self, Self::Error> {
        Self::new(value)
    }
}

impl From<JobLevel> for i64 {
    fn from(level: JobLevel) -> Self {
        level.get()
    }
}

/// An IANA time zone name that exists in the bundled time zone database.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Europe/London")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        if value.is_empty() {
            return Err(FieldError::new("time zone is required"));
        }
        let zone = jiff::tz::TimeZone::get(value).map_err(|_| {
            FieldError::new(format!(
                "'{value}' is not an IANA time zone name (such as Europe/Paris)"
            ))
        })?;
        // Store the database's own spelling so "europe/paris" and "Europe/Paris" agree.
        Ok(Self(zone.iana_name().unwrap_or(value).to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::get(&self.0).expect("validated at parse time")
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TimeZoneName> for String {
    fn from(zone: TimeZoneName) -> Self {
        zone.0
    }
}

/// A birth year between 1900 and the current year (passed in: the domain reads no clock).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct BirthYear(i16);

impl BirthYear {
    pub fn parse(value: &str, current_year: i16) -> Result<Self, FieldError> {
        let value = value.trim();
        let year = value
            .parse::<i16>()
            .map_err(|_| FieldError::new(format!("birth year '{value}' is not a year")))?;
        Self::new(year, current_year)
    }

    pub fn new(year: i16, current_year: i16) -> Result<Self, FieldError> {
        if (1900..=current_year).contains(&year) {
            Ok(Self(year))
        } else {
            Err(FieldError::new(format!(
                "birth year {year} is outside 1900–{current_year}"
            )))
        }
    }

    /// A year that was validated when it was first stored.
    pub fn from_storage(year: i16) -> Self {
        Self(year)
    }

    pub fn get(self) -> i16 {
        self.0
    }
}

/// One person of the directory. Demographic fields are optional and sensitive: they feed
/// matching and aggregate reports, never another participant's screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Person {
    pub email: Email,
    pub name: String,
    pub job_level: JobLevel,
    pub manager_email: Option<Email>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub time_zone: TimeZoneName,
    pub birth_year: Option<BirthYear>,
    pub gender: Option<String>,
}

/// What a person keeps current themselves: where they are and when they like to meet. The
/// directory (an import or SCIM) also keeps the time zone and location, and wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OwnProfile {
    pub time_zone: TimeZoneName,
    pub location: Option<String>,
    /// Their usual preference, which their enrolments follow.
    pub preferred_time: Option<crate::PreferredTime>,
    /// When the directory last replaced a time zone or location they had set.
    #[schema(value_type = Option<String>)]
    pub overridden_by_directory_at: Option<jiff::Timestamp>,
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_compare_without_case_but_keep_their_spelling() {
        let email = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(email.as_str(), "Ada.Lovelace@Example.COM");
        assert_eq!(email.key(), "ada.lovelace@example.com");
    }

    #[test]
    fn malformed_emails_are_rejected() {
        for bad in [
            "",
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a da@example.com",
            "a@b@c.d",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn job_level_must_be_a_number_from_1_to_20() {
        assert_eq!(JobLevel::parse("20").unwrap().get(), 20);
        assert!(JobLevel::parse("0").is_err());
        assert!(JobLevel::parse("21").is_err());
        let err = JobLevel::parse("senior").unwrap_err();
        assert!(err.0.contains("not a whole number"), "{err}");
    }

    #[test]
    fn time_zones_are_checked_against_the_iana_database() {
        assert_eq!(
            TimeZoneName::parse("Europe/Paris").unwrap().as_str(),
            "Europe/Paris"
        );
        assert!(TimeZoneName::parse("Mars/Olympus_Mons").is_err());
        assert!(TimeZoneName::parse("").is_err());
    }

    #[test]
    fn birth_year_is_bounded_by_1900_and_the_current_year() {
        assert!(BirthYear::parse("1899", 2026).is_err());
        assert!(BirthYear::parse("2027", 2026).is_err());
        assert_eq!(BirthYear::parse("1990", 2026).unwrap().get(), 1990);
        assert!(BirthYear::parse("nineteen", 2026).is_err());
    }
}

//! The mentoring agreement a pair signs when their pairing becomes active (DOMAIN §5): a short
//! text per programme, versioned so that each signature says which words were signed. Upward
//! ships a default text; a programme's managers may replace it.

use jiff::Timestamp;
use serde::Serialize;
use utoipa::ToSchema;

use crate::pairing::Side;
use crate::{FieldError, text};

/// The longest an agreement may be: a page or two, not a contract.
pub const MAX_AGREEMENT_CHARS: usize = 8000;

/// The agreement every programme starts with (Markdown). It covers what the seeds say makes
/// reverse mentoring work: goals, confidentiality, the junior's licence to interrupt and
/// correct, candid feedback both ways, a neutral place, the rhythm and the length.
pub const DEFAULT_AGREEMENT: &str = "\
## Our mentoring agreement

We agree to the following for the length of the programme.

1. **Learning goals.** We write down what the mentee wants to learn, and why, in our first \
weeks, and look at our progress together from time to time.
2. **Confidentiality.** What we say to each other stays between us. Neither of us repeats it, \
and it never counts in anyone's performance review.
3. **Permission to interrupt and correct.** The mentor may stop the mentee, ask questions and \
say when something is wrong or out of date. Seniority does not decide who is right here.
4. **Feedback both ways.** We each give the other honest, constructive feedback, and take it \
as meant: to help.
5. **A neutral place.** We meet where both of us are at ease: a virtual call, a café, a shared \
space. Not the mentee's office.
6. **Our schedule.** We keep the meetings we agreed to, and when one of us cannot make it, \
we say so early and find another time.
7. **The length.** We take part until the programme ends. Either of us may end the pairing \
earlier, without giving a reason and without penalty.
";

/// A version of a programme's agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AgreementText {
    /// 1 for the text a programme starts with; each edit adds one.
    pub version: i64,
    /// Markdown.
    pub body: String,
}

/// One person's signature on their pair's agreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Signature {
    #[schema(value_type = String)]
    pub side: Side,
    /// The version of the text they signed.
    pub version: i64,
    #[schema(value_type = String)]
    pub signed_at: Timestamp,
}

/// Checks an edited agreement: something to sign, of a readable length, with no hidden
/// characters.
pub fn checked_body(body: &str) -> Result<String, FieldError> {
    let body = text::required(body, "the agreement", MAX_AGREEMENT_CHARS)?;
    text::visible(&body).map_err(|e| FieldError(format!("the agreement {}", e.0)))?;
    Ok(body)
}

/// Whether both sides have signed (any version: a later edit does not undo a signature).
pub fn signed_by_both(signatures: &[Signature]) -> bool {
    [Side::Mentor, Side::Mentee]
        .iter()
        .all(|side| signatures.iter().any(|s| s.side == *side))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_agreement_covers_what_the_programme_asks_of_a_pair() {
        for subject in [
            "Learning goals",
            "Confidentiality",
            "Permission to interrupt and correct",
            "Feedback both ways",
            "A neutral place",
            "Not the mentee's office",
            "Our schedule",
            "The length",
        ] {
            assert!(DEFAULT_AGREEMENT.contains(subject), "{subject}");
        }
        assert!(checked_body(DEFAULT_AGREEMENT).is_ok());
    }

    #[test]
    fn an_edited_agreement_must_say_something_readable() {
        assert!(checked_body("   ").is_err());
        assert!(checked_body(&"x".repeat(MAX_AGREEMENT_CHARS + 1)).is_err());
        assert!(checked_body("We meet\u{200B} weekly").is_err());
        assert_eq!(
            checked_body("  We meet weekly. ").unwrap(),
            "We meet weekly."
        );
    }

    #[test]
    fn an_agreement_is_signed_when_both_sides_have_signed_any_version() {
        let at = Timestamp::UNIX_EPOCH;
        let mentor = Signature {
            side: Side::Mentor,
            version: 1,
            signed_at: at,
        };
        let mentee = Signature {
            side: Side::Mentee,
            version: 2,
            signed_at: at,
        };
        assert!(!signed_by_both(&[]));
        assert!(!signed_by_both(std::slice::from_ref(&mentor)));
        assert!(signed_by_both(&[mentor, mentee]));
    }
}

//! Upward's domain: the people, programmes and enrolments the product is about, as types that
//! can only hold valid values, plus the lifecycle rules between them. Nothing here does I/O.
#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod agreement;
pub mod engagement;
pub mod enrolment;
pub mod goal;
pub mod matching;
pub mod meeting;
pub mod pairing;
pub mod person;
pub mod programme;
pub mod schedule;
pub mod text;

pub use access::{Audience, InvitationCounts, LinkPurpose};
pub use account::{Role, User, UserId};
pub use agreement::{AgreementText, Signature};
pub use engagement::{Engagement, EngagementSettings, EngagementStatus};
pub use enrolment::{
    Availability, BigFive, Channel, Enrolment, EnrolmentId, EnrolmentProfile, EnrolmentRole,
    PreferredTime, TopicLevels, WeeklySlot,
};
pub use goal::{Goal, GoalDraft, GoalFigures, GoalId, GoalOutcome};
pub use matching::{
    Criterion, CriterionPart, MatchingRun, PairExplanation, PairOrigin, Pairing, ProposedPair,
    RunId, RunResult, RunStatus, RunSummary, UnmatchedPerson,
};
pub use meeting::{Meeting, MeetingId, MeetingStatus, Outcome, OutcomeError, ScheduleAgreement};
pub use pairing::{Answer, PairingEvent, PairingId, PairingState, Side, TransitionError};
pub use person::{BirthYear, Email, JobLevel, OwnProfile, Person, PersonId, TimeZoneName};
pub use programme::{
    Cadence, DiversityDimension, MatchingSettings, Objective, Phase, PhaseError, Programme,
    ProgrammeDraft, ProgrammeId, Weights,
};

/// Why a single value did not parse. It names the problem in words a user can act on; callers
/// add where the value came from (a form field, a CSV line and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FieldError(pub String);

impl FieldError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// A problem with one named field of an input, so a form can show it next to that field.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FieldProblem {
    pub field: &'static str,
    pub problem: String,
}

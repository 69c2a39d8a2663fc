//! Matching runs and published pairings as the product keeps them: a run's proposal (pairs with
//! their explanations, unmatched people with the reason) and the pairings it publishes.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Email, EnrolmentId, PairingId, PairingState, ProgrammeId, Side, Weights};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct RunId(pub i64);

/// Where a matching run is: queued and running in the background, then done (its proposal
/// can be reviewed), failed, or published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Queued,
    Running,
    Done,
    Failed,
    Published,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Queued => "queued",
            RunStatus::Running => "running",
            RunStatus::Done => "done",
            RunStatus::Failed => "failed",
            RunStatus::Published => "published",
        }
    }
}

impl std::str::FromStr for RunStatus {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [
            RunStatus::Queued,
            RunStatus::Running,
            RunStatus::Done,
            RunStatus::Failed,
            RunStatus::Published,
        ]
        .into_iter()
        .find(|status| status.as_str() == text)
        .ok_or_else(|| format!("unknown run status '{text}'"))
    }
}

/// A scored criterion, as explanations name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Criterion {
    Expertise,
    Diversity,
    LevelGap,
    Personality,
    Schedule,
    Channel,
}

impl Criterion {
    pub fn label(self) -> &'static str {
        match self {
            Criterion::Expertise => "Expertise ↔ interests",
            Criterion::Diversity => "Diversity",
            Criterion::LevelGap => "Level gap",
            Criterion::Personality => "Personality",
            Criterion::Schedule => "Schedule",
            Criterion::Channel => "Channel and place",
        }
    }
}

/// One criterion's part in a pair's score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CriterionPart {
    pub criterion: Criterion,
    /// The criterion's own value, 0 to 1.
    pub value: f64,
    pub weight: f64,
    /// `weight × value ÷ Σ weights`; the parts add up to the score.
    pub contribution: f64,
}

/// Why a pair scores what it scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PairExplanation {
    pub score: f64,
    pub criteria: Vec<CriterionPart>,
}

impl PairExplanation {
    /// The pair's reasons as sentences a person reads, strongest first: what each criterion
    /// that counted says about these two (the arithmetic stays in `criteria`).
    pub fn sentences(&self) -> Vec<String> {
        let mut parts: Vec<&CriterionPart> =
            self.criteria.iter().filter(|c| c.weight > 0.0).collect();
        parts.sort_by(|a, b| b.contribution.total_cmp(&a.contribution));
        parts
            .into_iter()
            .filter_map(|c| c.criterion.sentence(c.value))
            .map(str::to_owned)
            .collect()
    }
}

impl Criterion {
    /// What a value of this criterion says about a pair, in a sentence; `None` when it says
    /// nothing worth reading (a weak value is left out rather than spelled out).
    fn sentence(self, value: f64) -> Option<&'static str> {
        let strong = value >= 0.7;
        if value < 0.3 {
            return None;
        }
        Some(match (self, strong) {
            (Criterion::Expertise, true) => {
                "What the mentor offers is close to what the mentee most wants to learn."
            }
            (Criterion::Expertise, false) => {
                "Some of what the mentor offers is on the mentee's list."
            }
            (Criterion::Diversity, true) => {
                "You differ on most of the programme's diversity dimensions, so each brings a view the other lacks."
            }
            (Criterion::Diversity, false) => {
                "You differ on some of the programme's diversity dimensions."
            }
            (Criterion::LevelGap, true) => {
                "The distance in seniority suits reverse mentoring well."
            }
            (Criterion::LevelGap, false) => {
                "The distance in seniority is enough for reverse mentoring."
            }
            (Criterion::Personality, true) => {
                "Your personalities are likely to work well together."
            }
            (Criterion::Personality, false) => "Your personalities should work together.",
            (Criterion::Schedule, true) => {
                "Your free times overlap well, in both of your time zones."
            }
            (Criterion::Schedule, false) => "Your free times overlap, in both of your time zones.",
            (Criterion::Channel, true) => "You want to meet the same way (virtually or in person).",
            (Criterion::Channel, false) => "Your ways of meeting are compatible.",
        })
    }
}

/// How a proposed pair came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PairOrigin {
    /// The engine chose it.
    Engine,
    /// The manager pinned it and the engine kept it.
    Pinned,
    /// The manager put it together by hand.
    Manual,
}

impl PairOrigin {
    pub fn as_str(self) -> &'static str {
        match self {
            PairOrigin::Engine => "engine",
            PairOrigin::Pinned => "pinned",
            PairOrigin::Manual => "manual",
        }
    }
}

impl std::str::FromStr for PairOrigin {
    type Err = String;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        [PairOrigin::Engine, PairOrigin::Pinned, PairOrigin::Manual]
            .into_iter()
            .find(|origin| origin.as_str() == text)
            .ok_or_else(|| format!("unknown pair origin '{text}'"))
    }
}

/// A pair in a run's proposal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProposedPair {
    pub mentor: EnrolmentId,
    pub mentee: EnrolmentId,
    pub explanation: PairExplanation,
    pub origin: PairOrigin,
}

/// Someone a run left unmatched, and why, in words for the manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UnmatchedPerson {
    pub enrolment: EnrolmentId,
    pub reason: String,
}

/// A run's headline figures.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct RunSummary {
    /// Mentors and mentees the run matched (not counting live pairings it kept).
    pub mentors: u32,
    pub mentees: u32,
    pub pairs: u32,
    /// Pairs ÷ mentees (0 when there are none).
    pub matched_share: f64,
    pub mean_score: f64,
    /// The mean diversity value of the pairs (how different the two people are on the
    /// programme's chosen dimensions).
    pub mean_diversity: f64,
    /// How long the engine took.
    pub seconds: f64,
    /// What the manager should know about the run, in sentences (a pin that lapsed, say).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// What the engine produced for a run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, ToSchema)]
pub struct RunResult {
    pub pairs: Vec<ProposedPair>,
    pub unmatched: Vec<UnmatchedPerson>,
    pub summary: RunSummary,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatchingRun {
    pub id: RunId,
    pub programme_id: ProgrammeId,
    pub status: RunStatus,
    pub started_by: String,
    /// Only people without a live pairing were matched; live pairings were kept.
    pub incremental: bool,
    pub weights: Weights,
    /// 0 to 1 while running.
    pub progress: f64,
    pub summary: Option<RunSummary>,
    pub error: Option<String>,
    #[schema(value_type = String)]
    pub created_at: Timestamp,
    #[schema(value_type = Option<String>)]
    pub finished_at: Option<Timestamp>,
}

/// A published pair and where it stands. `reason` (why a side said no) is for the programme
/// manager only: participant views leave it out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Pairing {
    pub id: PairingId,
    pub programme_id: ProgrammeId,
    pub run_id: Option<RunId>,
    pub mentor: EnrolmentId,
    pub mentee: EnrolmentId,
    pub mentor_name: String,
    pub mentee_name: String,
    pub mentor_email: Email,
    pub mentee_email: Email,
    pub state: PairingState,
    pub reason: Option<String>,
    pub explanation: PairExplanation,
    #[schema(value_type = String)]
    pub published_at: Timestamp,
    /// When an unanswered proposal expires.
    #[schema(value_type = String)]
    pub answer_due: Timestamp,
    #[schema(value_type = Option<String>)]
    pub reminded_at: Option<Timestamp>,
    /// When both confirmed and the pairing became active.
    #[schema(value_type = Option<String>)]
    pub active_since: Option<Timestamp>,
    /// Changes apply only to the version they read (see the store).
    pub version: i64,
}

impl Pairing {
    /// The email address of the person on `side`.
    pub fn email_of(&self, side: Side) -> &Email {
        match side {
            Side::Mentor => &self.mentor_email,
            Side::Mentee => &self.mentee_email,
        }
    }

    /// The name of the person on `side`.
    pub fn name_of(&self, side: Side) -> &str {
        match side {
            Side::Mentor => &self.mentor_name,
            Side::Mentee => &self.mentee_name,
        }
    }

    /// The side `email` is on, if they are in this pairing.
    pub fn side_of(&self, email: &Email) -> Option<Side> {
        if self.mentor_email.key() == email.key() {
            Some(Side::Mentor)
        } else if self.mentee_email.key() == email.key() {
            Some(Side::Mentee)
        } else {
            None
        }
    }
}

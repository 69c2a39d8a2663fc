//! A pair's learning goals (DOMAIN §5): what the mentee wants to learn, why, and by when; the
//! progress the pair sees; and, at the end, the outcome against each. The text is the pair's;
//! managers see only counts and attainment.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::pairing::PairingId;
use crate::{FieldProblem, text};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct GoalId(pub i64);

/// How a goal turned out, recorded by the pair at the end (or when it is settled earlier).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GoalOutcome {
    Achieved,
    PartlyAchieved,
    NotAchieved,
}

impl GoalOutcome {
    pub const ALL: [GoalOutcome; 3] = [
        GoalOutcome::Achieved,
        GoalOutcome::PartlyAchieved,
        GoalOutcome::NotAchieved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "achieved",
            GoalOutcome::PartlyAchieved => "partly_achieved",
            GoalOutcome::NotAchieved => "not_achieved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.as_str() == text)
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "Achieved",
            GoalOutcome::PartlyAchieved => "Partly achieved",
            GoalOutcome::NotAchieved => "Not achieved",
        }
    }
}

/// What a pair writes about a goal; the whole of it, for a new goal or an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoalDraft {
    pub what: String,
    pub why: String,
    pub by_when: Option<Date>,
    /// 0 to 100.
    pub progress: u8,
    pub outcome: Option<GoalOutcome>,
}

/// A goal as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goal {
    pub id: GoalId,
    pub pairing: PairingId,
    pub draft: GoalDraft,
    pub version: i64,
}

/// The most goals a pair keeps: a handful focuses a programme; dozens dilute it.
pub const MAX_GOALS: usize = 10;

impl GoalDraft {
    /// The draft trimmed, or every problem with it by field.
    pub fn checked(self) -> Result<GoalDraft, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let what = match text::required(&self.what, "what you want to learn", 200)
            .and_then(|what| text::visible(&what).map(|()| what))
        {
            Ok(what) => what,
            Err(problem) => {
                problems.push(FieldProblem {
                    field: "what",
                    problem: problem.0,
                });
                String::new()
            }
        };
        let why = self.why.trim().to_owned();
        if let Err(problem) = text::bounded(&why, "why it matters", 1000).and_then(text::visible) {
            problems.push(FieldProblem {
                field: "why",
                problem: problem.0,
            });
        }
        if self.progress > 100 {
            problems.push(FieldProblem {
                field: "progress",
                problem: "progress is a percentage from 0 to 100".into(),
            });
        }
        if problems.is_empty() {
            Ok(GoalDraft { what, why, ..self })
        } else {
            Err(problems)
        }
    }
}

/// What managers see of a programme's goals: how many and how they turned out, never the
/// text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, ToSchema)]
pub struct GoalFigures {
    /// Active or finished pairings that wrote at least one goal.
    pub pairings_with_goals: i64,
    pub goals: i64,
    pub achieved: i64,
    pub partly_achieved: i64,
    pub not_achieved: i64,
    /// Goals with no outcome recorded yet.
    pub open: i64,
    /// The mean progress of the open goals, 0 to 100 (0 when there are none).
    pub mean_progress: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn draft() -> GoalDraft {
        GoalDraft {
            what: "  Use an AI assistant for my board papers ".into(),
            why: " Half my week is writing ".into(),
            by_when: Some(date(2027, 6, 30)),
            progress: 20,
            outcome: None,
        }
    }

    #[test]
    fn a_goal_is_trimmed_and_kept() {
        let checked = draft().checked().unwrap();
        assert_eq!(checked.what, "Use an AI assistant for my board papers");
        assert_eq!(checked.why, "Half my week is writing");
        assert_eq!(checked.by_when, Some(date(2027, 6, 30)));
    }

    #[test]
    fn every_problem_of_a_goal_is_named_by_field() {
        let wrong = GoalDraft {
            what: " ".into(),
            why: "x".repeat(1001),
            progress: 101,
            ..draft()
        };
        let fields: Vec<&str> = wrong
            .checked()
            .unwrap_err()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["what", "why", "progress"]);
        let hidden = GoalDraft {
            what: "Learn\u{200B}".into(),
            ..draft()
        };
        assert_eq!(hidden.checked().unwrap_err()[0].field, "what");
    }

    #[test]
    fn outcomes_read_back_from_their_names() {
        for outcome in GoalOutcome::ALL {
            assert_eq!(GoalOutcome::parse(outcome.as_str()), Some(outcome));
        }
        assert_eq!(GoalOutcome::parse("done"), None);
    }
}

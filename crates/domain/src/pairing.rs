//! Pairings: a published mentor–mentee pair and the consent, exploratory meeting, commitment and
//! no-penalty exit it goes through (DOMAIN §4), as one state machine. Every move is checked
//! here; the store records only what this module allows, and the web layer maps its refusals to
//! 409 Conflict.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct PairingId(pub i64);

/// Which side of a pairing someone is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Mentor,
    Mentee,
}

impl Side {
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Mentor => "mentor",
            Side::Mentee => "mentee",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Mentor => Side::Mentee,
            Side::Mentee => Side::Mentor,
        }
    }
}

/// One side's answer to the step a pairing is at: accepting the proposal, or confirming after
/// the exploratory meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Pending,
    Yes,
}

/// Where a pairing is. `Proposed`, `Exploring` and `Active` are live: they hold a mentor's seat
/// and the mentee. The others are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PairingState {
    /// Published: each side accepts or declines, privately.
    Proposed { mentor: Answer, mentee: Answer },
    /// Both accepted: they hold an exploratory meeting, then each confirms or steps back.
    Exploring { mentor: Answer, mentee: Answer },
    /// Both confirmed.
    Active,
    /// One side declined the proposal. The other side is never told which.
    Declined { by: Side },
    /// Not answered by both in time.
    Expired,
    /// One side stepped back after the exploratory meeting, without penalty.
    SteppedBack { by: Side },
    /// One side ended the active pairing (the no-penalty escape clause).
    Ended { by: Side },
}

/// Something that happens to a pairing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(tag = "event", content = "side", rename_all = "snake_case")]
pub enum PairingEvent {
    Accept(Side),
    Decline(Side),
    /// After the exploratory meeting: this side wants to go on.
    Confirm(Side),
    /// After the exploratory meeting: this side does not.
    StepBack(Side),
    /// This side ends the active pairing.
    End(Side),
    /// The answer period passed.
    Expire,
}

/// A move the state machine refuses, in words for the person who tried it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct TransitionError {
    pub from: PairingState,
    pub event: PairingEvent,
    pub reason: String,
}

impl PairingState {
    pub const PUBLISHED: PairingState = PairingState::Proposed {
        mentor: Answer::Pending,
        mentee: Answer::Pending,
    };

    /// The state after `event`, or why the event cannot happen now.
    pub fn apply(self, event: PairingEvent) -> Result<PairingState, TransitionError> {
        use Answer::*;
        use PairingEvent::*;
        use PairingState::*;
        let refuse = |reason: String| TransitionError {
            from: self,
            event,
            reason,
        };
        match (self, event) {
            (Proposed { mentor, mentee }, Accept(side)) => {
                let (own, other) = by_side(side, mentor, mentee);
                if own == Yes {
                    return Err(refuse(format!(
                        "the {} has already accepted",
                        side.as_str()
                    )));
                }
                Ok(match other {
                    Yes => Exploring {
                        mentor: Pending,
                        mentee: Pending,
                    },
                    Pending => with_side(side, mentor, mentee, |mentor, mentee| Proposed {
                        mentor,
                        mentee,
                    }),
                })
            }
            (Proposed { mentor, mentee }, Decline(side)) => {
                let (own, _) = by_side(side, mentor, mentee);
                if own == Yes {
                    // Accepting is a commitment to the exploratory meeting; stepping back comes
                    // after it.
                    return Err(refuse(format!(
                        "the {} has already accepted; either side may step back after the exploratory meeting",
                        side.as_str()
                    )));
                }
                Ok(Declined { by: side })
            }
            (Proposed { .. }, Expire) => Ok(Expired),
            (Exploring { mentor, mentee }, Confirm(side)) => {
                let (own, other) = by_side(side, mentor, mentee);
                if own == Yes {
                    return Err(refuse(format!(
                        "the {} has already confirmed",
                        side.as_str()
                    )));
                }
                Ok(match other {
                    Yes => Active,
                    Pending => with_side(side, mentor, mentee, |mentor, mentee| Exploring {
                        mentor,
                        mentee,
                    }),
                })
            }
            (Exploring { .. }, StepBack(side)) => Ok(SteppedBack { by: side }),
            (Active, End(side)) => Ok(Ended { by: side }),
            (state, event) => Err(refuse(format!(
                "a pairing that is {} cannot be {}",
                state.describe(),
                event.describe()
            ))),
        }
    }

    /// Whether the pairing holds its mentor's seat and its mentee.
    pub fn is_live(self) -> bool {
        matches!(
            self,
            PairingState::Proposed { .. } | PairingState::Exploring { .. } | PairingState::Active
        )
    }

    /// Whether the pair must never be proposed again: someone said no (declined, stepped back
    /// or ended). An expired proposal may be proposed again: nobody said no.
    pub fn excludes_pair(self) -> bool {
        matches!(
            self,
            PairingState::Declined { .. }
                | PairingState::SteppedBack { .. }
                | PairingState::Ended { .. }
        )
    }

    /// Every state's [`name`](Self::name), in the order a pairing goes through them.
    pub const NAMES: [&'static str; 7] = [
        "proposed",
        "exploring",
        "active",
        "declined",
        "expired",
        "stepped_back",
        "ended",
    ];

    /// The state's name, as stored and as the API shows it.
    pub fn name(self) -> &'static str {
        match self {
            PairingState::Proposed { .. } => "proposed",
            PairingState::Exploring { .. } => "exploring",
            PairingState::Active => "active",
            PairingState::Declined { .. } => "declined",
            PairingState::Expired => "expired",
            PairingState::SteppedBack { .. } => "stepped_back",
            PairingState::Ended { .. } => "ended",
        }
    }

    /// One side's answer at the current step (`None` when the state asks nothing of anyone).
    pub fn answer(self, side: Side) -> Option<Answer> {
        match self {
            PairingState::Proposed { mentor, mentee }
            | PairingState::Exploring { mentor, mentee } => Some(by_side(side, mentor, mentee).0),
            _ => None,
        }
    }

    /// The side that said no, for a state that ended that way.
    pub fn ended_by(self) -> Option<Side> {
        match self {
            PairingState::Declined { by }
            | PairingState::SteppedBack { by }
            | PairingState::Ended { by } => Some(by),
            _ => None,
        }
    }

    /// The state as stored: its name, both answers (the current step's, or `Pending` when
    /// the step is over) and the side that said no.
    pub fn to_parts(self) -> (&'static str, Answer, Answer, Option<Side>) {
        let (mentor, mentee) = match self {
            PairingState::Proposed { mentor, mentee }
            | PairingState::Exploring { mentor, mentee } => (mentor, mentee),
            _ => (Answer::Pending, Answer::Pending),
        };
        (self.name(), mentor, mentee, self.ended_by())
    }

    /// The state from its stored parts; `None` for a combination [`Self::to_parts`] never
    /// writes.
    pub fn from_parts(
        name: &str,
        mentor: Answer,
        mentee: Answer,
        by: Option<Side>,
    ) -> Option<Self> {
        Some(match (name, by) {
            ("proposed", None) => PairingState::Proposed { mentor, mentee },
            ("exploring", None) => PairingState::Exploring { mentor, mentee },
            ("active", None) => PairingState::Active,
            ("expired", None) => PairingState::Expired,
            ("declined", Some(by)) => PairingState::Declined { by },
            ("stepped_back", Some(by)) => PairingState::SteppedBack { by },
            ("ended", Some(by)) => PairingState::Ended { by },
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            PairingState::Proposed { .. } => "proposed",
            PairingState::Exploring { .. } => "at its exploratory meeting",
            PairingState::Active => "active",
            PairingState::Declined { .. } => "declined",
            PairingState::Expired => "expired",
            PairingState::SteppedBack { .. } => "stepped back from",
            PairingState::Ended { .. } => "ended",
        }
    }
}

impl PairingEvent {
    pub fn side(self) -> Option<Side> {
        match self {
            PairingEvent::Accept(side)
            | PairingEvent::Decline(side)
            | PairingEvent::Confirm(side)
            | PairingEvent::StepBack(side)
            | PairingEvent::End(side) => Some(side),
            PairingEvent::Expire => None,
        }
    }

    /// The event in words, for the audit trail: "the mentee accepted".
    pub fn label(self) -> String {
        match self.side() {
            Some(side) => format!("the {} {}", side.as_str(), self.describe()),
            None => format!("the proposal {}", self.describe()),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            PairingEvent::Accept(_) => "accepted",
            PairingEvent::Decline(_) => "declined",
            PairingEvent::Confirm(_) => "confirmed",
            PairingEvent::StepBack(_) => "stepped back from",
            PairingEvent::End(_) => "ended",
            PairingEvent::Expire => "expired",
        }
    }
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Pending => "pending",
            Answer::Yes => "yes",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "pending" => Some(Answer::Pending),
            "yes" => Some(Answer::Yes),
            _ => None,
        }
    }
}

impl Side {
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "mentor" => Some(Side::Mentor),
            "mentee" => Some(Side::Mentee),
            _ => None,
        }
    }
}

/// (this side's answer, the other side's answer)
fn by_side(side: Side, mentor: Answer, mentee: Answer) -> (Answer, Answer) {
    match side {
        Side::Mentor => (mentor, mentee),
        Side::Mentee => (mentee, mentor),
    }
}

/// The state `make` builds with `side`'s answer set to yes.
fn with_side(
    side: Side,
    mentor: Answer,
    mentee: Answer,
    make: fn(Answer, Answer) -> PairingState,
) -> PairingState {
    match side {
        Side::Mentor => make(Answer::Yes, mentee),
        Side::Mentee => make(mentor, Answer::Yes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Answer::*;
    use PairingEvent::*;
    use PairingState::*;

    fn run(events: &[PairingEvent]) -> Result<PairingState, TransitionError> {
        events
            .iter()
            .try_fold(PairingState::PUBLISHED, |state, &event| state.apply(event))
    }

    #[test]
    fn both_accept_then_both_confirm_makes_an_active_pairing_in_either_order() {
        for (first, second) in [(Side::Mentor, Side::Mentee), (Side::Mentee, Side::Mentor)] {
            assert_eq!(
                run(&[Accept(first)]).unwrap().answer(first),
                Some(Yes),
                "one acceptance is recorded"
            );
            assert_eq!(
                run(&[Accept(first), Accept(second)]).unwrap(),
                Exploring {
                    mentor: Pending,
                    mentee: Pending
                }
            );
            assert_eq!(
                run(&[
                    Accept(first),
                    Accept(second),
                    Confirm(second),
                    Confirm(first)
                ])
                .unwrap(),
                Active
            );
        }
    }

    #[test]
    fn a_decline_ends_the_proposal_and_the_pair_is_not_proposed_again() {
        let state = run(&[Accept(Side::Mentor), Decline(Side::Mentee)]).unwrap();
        assert_eq!(state, Declined { by: Side::Mentee });
        assert!(!state.is_live() && state.excludes_pair());
        // Once accepted, the way out is after the exploratory meeting.
        let error = run(&[Accept(Side::Mentor), Decline(Side::Mentor)]).unwrap_err();
        assert!(
            error
                .reason
                .contains("step back after the exploratory meeting")
        );
    }

    #[test]
    fn either_side_may_step_back_after_the_exploratory_meeting_or_end_an_active_pairing() {
        let exploring = [Accept(Side::Mentor), Accept(Side::Mentee)];
        let stepped = run(&[
            exploring[0],
            exploring[1],
            Confirm(Side::Mentor),
            StepBack(Side::Mentor),
        ]);
        assert_eq!(stepped.unwrap(), SteppedBack { by: Side::Mentor });
        let ended = run(&[
            exploring[0],
            exploring[1],
            Confirm(Side::Mentor),
            Confirm(Side::Mentee),
            End(Side::Mentee),
        ])
        .unwrap();
        assert_eq!(ended, Ended { by: Side::Mentee });
        assert!(ended.excludes_pair());
    }

    #[test]
    fn illegal_moves_are_refused_with_a_reason() {
        let twice = run(&[Accept(Side::Mentee), Accept(Side::Mentee)]).unwrap_err();
        assert_eq!(twice.reason, "the mentee has already accepted");
        let early = run(&[Confirm(Side::Mentor)]).unwrap_err();
        assert_eq!(
            early.reason,
            "a pairing that is proposed cannot be confirmed"
        );
        let late = run(&[Expire, Accept(Side::Mentor)]).unwrap_err();
        assert_eq!(late.reason, "a pairing that is expired cannot be accepted");
        assert!(run(&[End(Side::Mentor)]).is_err());
        assert!(Active.apply(Expire).is_err());
        assert!(!Expired.excludes_pair() && !Expired.is_live());
    }

    #[test]
    fn every_state_survives_its_stored_parts() {
        let states = [
            PairingState::PUBLISHED,
            Proposed {
                mentor: Yes,
                mentee: Pending,
            },
            Exploring {
                mentor: Pending,
                mentee: Yes,
            },
            Active,
            Declined { by: Side::Mentor },
            Expired,
            SteppedBack { by: Side::Mentee },
            Ended { by: Side::Mentor },
        ];
        for state in states {
            let (name, mentor, mentee, by) = state.to_parts();
            assert_eq!(
                PairingState::from_parts(name, mentor, mentee, by),
                Some(state)
            );
        }
        assert_eq!(
            PairingState::from_parts("active", Pending, Pending, Some(Side::Mentor)),
            None
        );
    }
}

//! Meetings of an active pair: the settled series and how each meeting ended (DOMAIN §5). A
//! meeting is scheduled until it is logged held, cancelled or missed; these rules decide which
//! log entries are allowed when, and what a change does to the calendar's version of it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::pairing::{PairingId, Side};
use crate::schedule::{MeetingChannel, ScheduleProposal};
use crate::text;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct MeetingId(pub i64);

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MeetingStatus {
    Scheduled,
    Held,
    Cancelled,
    Missed,
}

impl MeetingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Scheduled => "scheduled",
            MeetingStatus::Held => "held",
            MeetingStatus::Cancelled => "cancelled",
            MeetingStatus::Missed => "missed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "scheduled" => MeetingStatus::Scheduled,
            "held" => MeetingStatus::Held,
            "cancelled" => MeetingStatus::Cancelled,
            "missed" => MeetingStatus::Missed,
            _ => return None,
        })
    }
}

impl MeetingChannel {
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingChannel::Virtual => "virtual",
            MeetingChannel::InPerson => "in_person",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "virtual" => Some(MeetingChannel::Virtual),
            "in_person" => Some(MeetingChannel::InPerson),
            _ => None,
        }
    }
}

/// Where a pair's agreement on its series stands: the series the first of them accepted, who
/// has accepted, and when it was settled (both accepted; its meetings exist from then on).
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleAgreement {
    pub series: ScheduleProposal,
    pub mentor_accepted_at: Option<Timestamp>,
    pub mentee_accepted_at: Option<Timestamp>,
    pub settled_at: Option<Timestamp>,
}

impl ScheduleAgreement {
    pub fn accepted_by(&self, side: Side) -> bool {
        match side {
            Side::Mentor => self.mentor_accepted_at.is_some(),
            Side::Mentee => self.mentee_accepted_at.is_some(),
        }
    }
}

/// One meeting of a pair, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: MeetingId,
    pub pairing: PairingId,
    pub start: Timestamp,
    pub end: Timestamp,
    pub channel: MeetingChannel,
    pub status: MeetingStatus,
    /// The calendar's version of the event (iCalendar `SEQUENCE`): each change the pair's
    /// calendars must pick up (a move, a cancellation) bumps it.
    pub sequence: i64,
    /// Who called a cancelled meeting off, and when they did: a cancellation counts against
    /// its side from that moment, not from the meeting's date.
    pub cancelled_by: Option<Side>,
    pub cancelled_at: Option<Timestamp>,
    /// Whether a cancelled meeting was (or will be) made up at another time.
    pub rescheduled: bool,
    /// How long a held meeting lasted.
    pub minutes: Option<i64>,
    pub topics: Vec<String>,
    /// The pair's own notes: an agenda before, notes after, or why it was cancelled. Private to
    /// the pair; no manager or admin route reads them.
    pub notes: String,
    /// Changes apply only to the version they read (see the store).
    pub version: i64,
}

/// How a meeting ended, as one of the pair logs it.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Held {
        minutes: i64,
        channel: MeetingChannel,
        topics: Vec<String>,
        notes: String,
    },
    Cancelled {
        by: Side,
        rescheduled: bool,
        notes: String,
    },
    Missed {
        notes: String,
    },
}

/// A log entry these rules refuse, in words for the person who tried it: a value out of bounds
/// (named by its field), or an entry that cannot be made now.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OutcomeError {
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("{0}")]
    NotNow(String),
}

impl OutcomeError {
    fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        OutcomeError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The message alone.
    pub fn message(&self) -> &str {
        match self {
            OutcomeError::Invalid { message, .. } | OutcomeError::NotNow(message) => message,
        }
    }
}

/// The most topics one meeting keeps, and the longest each may be.
pub const MAX_TOPICS: usize = 12;
pub const MAX_TOPIC_CHARS: usize = 80;
/// The longest a pair's notes on one meeting may be.
pub const MAX_NOTES_CHARS: usize = 8000;
/// The longest a meeting can be logged as lasting: a working day.
pub const MAX_MINUTES: i64 = 600;

impl Meeting {
    /// The meeting once `outcome` is logged at `now`. A meeting cannot be held or missed before
    /// it starts; it can be cancelled ahead. A logged outcome may be corrected (people mistype),
    /// except that a meeting already held or missed cannot become a cancellation after the
    /// fact. A change of whether the meeting takes place bumps the calendar's sequence.
    pub fn log(&self, outcome: Outcome, now: Timestamp) -> Result<Meeting, OutcomeError> {
        let mut next = self.clone();
        match outcome {
            Outcome::Held {
                minutes,
                channel,
                topics,
                notes,
            } => {
                self.started_by(now, "held")?;
                if !(1..=MAX_MINUTES).contains(&minutes) {
                    return Err(OutcomeError::invalid(
                        "minutes",
                        format!("the minutes must be between 1 and {MAX_MINUTES}"),
                    ));
                }
                next.status = MeetingStatus::Held;
                next.channel = channel;
                next.minutes = Some(minutes);
                next.topics = clean_topics(topics)?;
                next.notes = clean_notes(notes)?;
                next.cancelled_by = None;
                next.cancelled_at = None;
                next.rescheduled = false;
            }
            Outcome::Cancelled {
                by,
                rescheduled,
                notes,
            } => {
                if matches!(self.status, MeetingStatus::Held | MeetingStatus::Missed) {
                    return Err(OutcomeError::NotNow(format!(
                        "this meeting is already logged as {}; correct that entry instead of cancelling it",
                        self.status.as_str()
                    )));
                }
                next.status = MeetingStatus::Cancelled;
                // Correcting who cancelled keeps the moment it was first called off.
                next.cancelled_at = self.cancelled_at.or(Some(now));
                next.cancelled_by = Some(by);
                next.rescheduled = rescheduled;
                next.minutes = None;
                next.topics = Vec::new();
                next.notes = clean_notes(notes)?;
            }
            Outcome::Missed { notes } => {
                self.started_by(now, "missed")?;
                next.status = MeetingStatus::Missed;
                next.minutes = None;
                next.topics = Vec::new();
                next.notes = clean_notes(notes)?;
                next.cancelled_by = None;
                next.cancelled_at = None;
                next.rescheduled = false;
            }
        }
        if (next.status == MeetingStatus::Cancelled) != (self.status == MeetingStatus::Cancelled) {
            next.sequence += 1;
        }
        Ok(next)
    }

    /// A meeting the pair held outside their series (the exploratory one, or an extra), as
    /// they record it afterwards: it must have started by `now`.
    pub fn held_outside_series(
        pairing: PairingId,
        start: Timestamp,
        outcome: Outcome,
        now: Timestamp,
    ) -> Result<Meeting, OutcomeError> {
        let Outcome::Held { minutes, .. } = outcome else {
            return Err(OutcomeError::invalid(
                "status",
                "a meeting outside the series is recorded once it has been held",
            ));
        };
        let end = start
            .checked_add(jiff::SignedDuration::from_mins(
                minutes.clamp(0, MAX_MINUTES),
            ))
            .map_err(|_| OutcomeError::invalid("start", "that time is out of range"))?;
        let planned = Meeting {
            id: MeetingId(0),
            pairing,
            start,
            end,
            channel: MeetingChannel::Virtual,
            status: MeetingStatus::Scheduled,
            sequence: 0,
            cancelled_by: None,
            cancelled_at: None,
            rescheduled: false,
            minutes: None,
            topics: Vec::new(),
            notes: String::new(),
            version: 0,
        };
        planned.log(outcome, now)
    }

    /// The meeting at another time (one of the pair moved it); only a scheduled meeting moves.
    pub fn moved_to(&self, start: Timestamp, now: Timestamp) -> Result<Meeting, OutcomeError> {
        if self.status != MeetingStatus::Scheduled {
            return Err(OutcomeError::NotNow(format!(
                "this meeting is {}; only a scheduled meeting can be moved",
                self.status.as_str()
            )));
        }
        if start <= now {
            return Err(OutcomeError::invalid(
                "start",
                "a meeting can only be moved to a time still to come",
            ));
        }
        let length = self.end.duration_since(self.start);
        let mut next = self.clone();
        next.start = start;
        next.end = start
            .checked_add(length)
            .map_err(|_| OutcomeError::invalid("start", "that time is out of range"))?;
        next.sequence += 1;
        Ok(next)
    }

    fn started_by(&self, now: Timestamp, what: &str) -> Result<(), OutcomeError> {
        if now < self.start {
            return Err(OutcomeError::NotNow(format!(
                "a meeting cannot be logged as {what} before it starts; cancel it instead if it will not take place"
            )));
        }
        Ok(())
    }

    /// Whether the meeting still lies ahead and will take place.
    pub fn is_upcoming(&self, now: Timestamp) -> bool {
        self.status == MeetingStatus::Scheduled && self.start > now
    }
}

/// The place suggested for each meeting, in order: the programme's neutral places in turn, for
/// the in-person meetings only (a virtual meeting needs none).
pub fn suggested_places(
    channels: impl IntoIterator<Item = MeetingChannel>,
    places: &[String],
) -> Vec<Option<String>> {
    let mut next = places.iter().cycle();
    channels
        .into_iter()
        .map(|channel| match channel {
            MeetingChannel::InPerson => next.next().cloned(),
            MeetingChannel::Virtual => None,
        })
        .collect()
}

fn clean_topics(topics: Vec<String>) -> Result<Vec<String>, OutcomeError> {
    let topics: Vec<String> = topics
        .iter()
        .filter_map(|topic| text::optional(topic))
        .collect();
    if topics.len() > MAX_TOPICS {
        return Err(OutcomeError::invalid(
            "topics",
            format!("at most {MAX_TOPICS} topics can be logged for one meeting"),
        ));
    }
    for topic in &topics {
        text::bounded(topic, "a topic", MAX_TOPIC_CHARS)
            .map_err(|e| OutcomeError::invalid("topics", e.0))?;
        text::visible(topic)
            .map_err(|e| OutcomeError::invalid("topics", format!("a topic {}", e.0)))?;
    }
    Ok(topics)
}

fn clean_notes(notes: String) -> Result<String, OutcomeError> {
    let notes = notes.trim().to_owned();
    text::bounded(&notes, "the notes", MAX_NOTES_CHARS)
        .map_err(|e| OutcomeError::invalid("notes", e.0))?;
    text::visible(&notes)
        .map_err(|e| OutcomeError::invalid("notes", format!("the notes {}", e.0)))?;
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::ToSpan;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn meeting() -> Meeting {
        Meeting {
            id: MeetingId(1),
            pairing: PairingId(1),
            start: at("2027-02-02T09:00:00Z"),
            end: at("2027-02-02T10:00:00Z"),
            channel: MeetingChannel::Virtual,
            status: MeetingStatus::Scheduled,
            sequence: 0,
            cancelled_by: None,
            cancelled_at: None,
            rescheduled: false,
            minutes: None,
            topics: Vec::new(),
            notes: String::new(),
            version: 0,
        }
    }

    fn held(minutes: i64) -> Outcome {
        Outcome::Held {
            minutes,
            channel: MeetingChannel::InPerson,
            topics: vec![" AI tools ".into(), "".into(), "feedback".into()],
            notes: "  went well ".into(),
        }
    }

    fn cancelled(by: Side) -> Outcome {
        Outcome::Cancelled {
            by,
            rescheduled: true,
            notes: "travelling".into(),
        }
    }

    #[test]
    fn a_meeting_cannot_be_held_or_missed_before_it_starts() {
        let before = at("2027-02-02T08:59:59Z");
        let error = meeting().log(held(60), before).unwrap_err();
        assert!(
            matches!(&error, OutcomeError::NotNow(m) if m.contains("before it starts")),
            "{error}"
        );
        let missed = Outcome::Missed {
            notes: String::new(),
        };
        assert!(meeting().log(missed.clone(), before).is_err());
        assert_eq!(
            meeting()
                .log(missed, at("2027-02-02T09:00:00Z"))
                .unwrap()
                .status,
            MeetingStatus::Missed
        );
    }

    #[test]
    fn a_held_meeting_keeps_its_minutes_channel_and_cleaned_topics_and_notes() {
        let logged = meeting().log(held(45), at("2027-02-02T10:00:00Z")).unwrap();
        assert_eq!(logged.status, MeetingStatus::Held);
        assert_eq!(logged.minutes, Some(45));
        assert_eq!(logged.channel, MeetingChannel::InPerson);
        assert_eq!(logged.topics, ["AI tools", "feedback"]);
        assert_eq!(logged.notes, "went well");
        assert_eq!(logged.sequence, 0, "a held meeting's calendar entry stays");
        for minutes in [0, MAX_MINUTES + 1] {
            assert!(
                meeting()
                    .log(held(minutes), at("2027-02-03T00:00:00Z"))
                    .is_err()
            );
        }
    }

    #[test]
    fn a_cancellation_can_be_made_ahead_and_counts_from_when_it_was_made() {
        let early = at("2027-01-20T12:00:00Z");
        let logged = meeting().log(cancelled(Side::Mentee), early).unwrap();
        assert_eq!(logged.status, MeetingStatus::Cancelled);
        assert_eq!(logged.cancelled_by, Some(Side::Mentee));
        assert_eq!(logged.cancelled_at, Some(early));
        assert!(logged.rescheduled);
        assert_eq!(logged.sequence, 1, "calendars must see the cancellation");
        // Correcting who cancelled keeps the first moment and does not bump the version again.
        let corrected = logged
            .log(
                cancelled(Side::Mentor),
                early.checked_add(2.hours()).unwrap(),
            )
            .unwrap();
        assert_eq!(corrected.cancelled_by, Some(Side::Mentor));
        assert_eq!(corrected.cancelled_at, Some(early));
        assert_eq!(corrected.sequence, 1);
    }

    #[test]
    fn a_cancelled_meeting_logged_held_after_all_comes_back_to_calendars() {
        let cancelled = meeting()
            .log(cancelled(Side::Mentor), at("2027-01-30T00:00:00Z"))
            .unwrap();
        let held = cancelled.log(held(60), at("2027-02-02T10:00:00Z")).unwrap();
        assert_eq!(held.sequence, 2);
        assert_eq!(held.cancelled_by, None);
    }

    #[test]
    fn a_meeting_held_or_missed_cannot_be_cancelled_after_the_fact() {
        let logged = meeting().log(held(60), at("2027-02-02T10:00:00Z")).unwrap();
        let error = logged
            .log(cancelled(Side::Mentee), at("2027-02-02T11:00:00Z"))
            .unwrap_err();
        assert!(
            error.message().contains("already logged as held"),
            "{error}"
        );
    }

    #[test]
    fn topics_and_notes_are_bounded_and_visible() {
        let now = at("2027-02-02T10:00:00Z");
        let many = Outcome::Held {
            minutes: 60,
            channel: MeetingChannel::Virtual,
            topics: (0..=MAX_TOPICS).map(|k| format!("topic {k}")).collect(),
            notes: String::new(),
        };
        assert!(meeting().log(many, now).is_err());
        let hidden = Outcome::Missed {
            notes: "a\u{200B}b".into(),
        };
        let error = meeting().log(hidden, now).unwrap_err();
        assert!(
            matches!(&error, OutcomeError::Invalid { field: "notes", message } if message.contains("U+200B")),
            "{error}"
        );
        let long = Outcome::Missed {
            notes: "x".repeat(MAX_NOTES_CHARS + 1),
        };
        assert!(meeting().log(long, now).is_err());
    }

    #[test]
    fn a_meeting_outside_the_series_is_recorded_once_held() {
        let start = at("2027-02-05T12:00:00Z");
        let recorded =
            Meeting::held_outside_series(PairingId(1), start, held(90), at("2027-02-05T14:00:00Z"))
                .unwrap();
        assert_eq!(recorded.status, MeetingStatus::Held);
        assert_eq!(recorded.end, at("2027-02-05T13:30:00Z"));
        assert_eq!(recorded.channel, MeetingChannel::InPerson);
        let ahead =
            Meeting::held_outside_series(PairingId(1), start, held(90), at("2027-02-05T11:00:00Z"));
        assert!(matches!(ahead, Err(OutcomeError::NotNow(_))));
        let cancelled =
            Meeting::held_outside_series(PairingId(1), start, cancelled(Side::Mentor), start);
        assert!(matches!(
            cancelled,
            Err(OutcomeError::Invalid {
                field: "status",
                ..
            })
        ));
    }

    #[test]
    fn in_person_meetings_take_the_neutral_places_in_turn() {
        use MeetingChannel::{InPerson, Virtual};
        let places = vec!["Café".to_owned(), "Level 3".to_owned()];
        assert_eq!(
            suggested_places([InPerson, Virtual, InPerson, InPerson], &places),
            [
                Some("Café".to_owned()),
                None,
                Some("Level 3".to_owned()),
                Some("Café".to_owned())
            ]
        );
        assert_eq!(suggested_places([InPerson], &[]), [None]);
    }

    #[test]
    fn only_a_scheduled_meeting_moves_and_only_ahead_keeping_its_length() {
        let now = at("2027-01-25T00:00:00Z");
        let moved = meeting().moved_to(at("2027-02-03T15:30:00Z"), now).unwrap();
        assert_eq!(moved.end, at("2027-02-03T16:30:00Z"));
        assert_eq!(moved.sequence, 1);
        assert!(meeting().moved_to(now, now).is_err());
        let cancelled = meeting().log(cancelled(Side::Mentor), now).unwrap();
        assert!(cancelled.moved_to(at("2027-02-03T15:30:00Z"), now).is_err());
    }
}

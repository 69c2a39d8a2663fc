//! A pair's meetings once they have a schedule: accepting the proposed series (settled when
//! both have), the meetings as the pair sees them, and logging how each one ended. Only the
//! pair's two members reach any of it; notes never leave these use cases for anyone else.

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};
use upward_domain::meeting::suggested_places;
use upward_domain::schedule::MeetingChannel;
use upward_domain::{
    Meeting, MeetingId, MeetingStatus, Outcome, OutcomeError, Pairing, PairingId, PairingState,
    ScheduleAgreement, Side, User,
};
use upward_store::{Mail, NewAuditEntry, StoreError};

use crate::schedule::{in_words, rfc3339};
use crate::{App, AppError, AppResult};

/// Where the pair's agreement on their series stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AgreementView {
    /// `mentor` and/or `mentee`.
    pub accepted_by: Vec<Side>,
    /// Both have accepted: the meetings exist.
    pub settled: bool,
    /// How many meetings the series holds.
    pub meetings: usize,
    /// What happens next, in a sentence.
    pub message: String,
}

/// One of the pair's meetings, as one of the pair sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingItem {
    #[schema(value_type = i64)]
    pub id: MeetingId,
    #[schema(value_type = i64)]
    pub pairing: PairingId,
    /// RFC 3339, in the caller's own time zone with its offset.
    pub start: String,
    pub end: String,
    /// `virtual` or `in_person`.
    pub channel: String,
    /// `scheduled`, `held`, `cancelled` or `missed`.
    #[schema(value_type = String)]
    pub status: MeetingStatus,
    pub mentor_local: String,
    pub mentee_local: String,
    /// For an in-person meeting, the neutral place suggested from the programme's list.
    pub place: Option<String>,
    /// Who called it off, for a cancelled meeting.
    #[schema(value_type = Option<String>)]
    pub cancelled_by: Option<Side>,
    /// Whether a cancelled meeting is made up at another time.
    pub rescheduled: bool,
    /// How long a held meeting lasted.
    pub minutes: Option<i64>,
    pub topics: Vec<String>,
    /// The pair's own notes (an agenda, notes, or why it was cancelled): only the pair reads them.
    pub notes: String,
    /// The calendar's version of the meeting (iCalendar `SEQUENCE`).
    pub sequence: i64,
}

/// Topics as a list, or as one line separated by commas.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Topics {
    List(Vec<String>),
    Line(String),
}

impl Topics {
    fn into_list(self) -> Vec<String> {
        match self {
            Topics::List(list) => list,
            Topics::Line(line) => line.split(',').map(str::to_owned).collect(),
        }
    }
}

/// How a meeting ended, as one of the pair logs it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct OutcomeRequest {
    /// `held`, `cancelled` or `missed`.
    #[schema(pattern = "^(held|cancelled|missed)$")]
    pub status: String,
    /// Who called it off (`mentor` or `mentee`); required for a cancellation.
    #[schema(value_type = Option<String>, pattern = "^(mentor|mentee)$")]
    pub cancelled_by: Option<String>,
    /// How long a held meeting lasted; the scheduled length if left out.
    #[schema(minimum = 1, maximum = 600)]
    pub minutes: Option<i64>,
    #[schema(value_type = Option<Vec<String>>)]
    pub topics: Option<Topics>,
    /// The pair's own notes, at most 8,000 characters.
    #[schema(max_length = 8000)]
    pub notes: Option<String>,
    /// How a held meeting took place (`virtual` or `in_person`); as planned if left out.
    #[schema(pattern = "^(virtual|in_person)$")]
    pub channel: Option<String>,
    /// Whether a cancelled meeting is made up at another time.
    pub rescheduled: Option<bool>,
}

/// Another time for a scheduled meeting.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct MoveRequest {
    /// The new start: RFC 3339 with an offset, or a local date and time in your own time zone.
    /// The meeting keeps its length.
    pub start: String,
}

/// A meeting the pair held outside its series (the exploratory meeting, or an extra one),
/// recorded afterwards.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RecordRequest {
    /// When it started: RFC 3339 with an offset, or a local date and time
    /// (`2027-02-05T12:00`) in your own time zone.
    pub start: String,
    #[schema(minimum = 1, maximum = 600)]
    pub minutes: i64,
    /// `virtual` (the default) or `in_person`.
    #[schema(pattern = "^(virtual|in_person)$")]
    pub channel: Option<String>,
    #[schema(value_type = Option<Vec<String>>)]
    pub topics: Option<Topics>,
    #[schema(max_length = 8000)]
    pub notes: Option<String>,
}

impl App {
    /// The user accepts the proposed series for their active pairing. The first of the pair to
    /// accept fixes the series (what they saw); once the other accepts too, the meetings exist
    /// and both are told. Accepting again changes nothing.
    pub async fn accept_schedule(&self, user: &User, id: PairingId) -> AppResult<AgreementView> {
        let pairing = self.own_pairing(user, id).await?;
        if pairing.state != PairingState::Active {
            return Err(AppError::Conflict(
                "the schedule is agreed once the pairing is active: both of you confirm after the exploratory meeting first".into(),
            ));
        }
        let side = side_of(&pairing, user);
        let agreement = match self.store.schedule_agreement(id).await? {
            Some(agreement) if agreement.accepted_by(side) => agreement,
            Some(agreement) => {
                let now = Timestamp::now();
                let ahead = agreement.series.meetings.iter().filter(|m| m.start > now);
                let mail = settled_mail(&pairing, ahead.count());
                self.store
                    .accept_schedule(
                        &pairing,
                        side,
                        &agreement.series,
                        user.email.as_str(),
                        &mail,
                    )
                    .await?
            }
            None => {
                let mut series = self.proposal_for(&pairing).await?;
                let now = Timestamp::now();
                series.meetings.retain(|meeting| meeting.start > now);
                let mail = settled_mail(&pairing, series.meetings.len());
                self.store
                    .accept_schedule(&pairing, side, &series, user.email.as_str(), &mail)
                    .await?
            }
        };
        Ok(agreement_view(&agreement, side))
    }

    /// Where the pair's agreement stands, if either has accepted.
    pub async fn schedule_agreement(
        &self,
        user: &User,
        id: PairingId,
    ) -> AppResult<Option<AgreementView>> {
        let pairing = self.own_pairing(user, id).await?;
        let side = side_of(&pairing, user);
        Ok(self
            .store
            .schedule_agreement(id)
            .await?
            .map(|agreement| agreement_view(&agreement, side)))
    }

    /// The pair's meetings, earliest first, in the caller's time zone.
    pub async fn pairing_meetings(
        &self,
        user: &User,
        id: PairingId,
    ) -> AppResult<Vec<MeetingItem>> {
        let pairing = self.own_pairing(user, id).await?;
        let zones = self.pair_context(&pairing).await?;
        let meetings = self.store.pairing_meetings(id).await?;
        Ok(meetings
            .iter()
            .map(|meeting| meeting_item(meeting, &zones, side_of(&pairing, user)))
            .collect())
    }

    /// One of the user's meetings; anyone else's is not found.
    pub async fn my_meeting(&self, user: &User, id: MeetingId) -> AppResult<MeetingItem> {
        let (meeting, pairing) = self.own_meeting(user, id).await?;
        let zones = self.pair_context(&pairing).await?;
        Ok(meeting_item(&meeting, &zones, side_of(&pairing, user)))
    }

    async fn own_meeting(&self, user: &User, id: MeetingId) -> AppResult<(Meeting, Pairing)> {
        let meeting = match self.store.meeting(id).await {
            Err(StoreError::NotFound { .. }) => {
                return Err(AppError::NotFound("the meeting".into()));
            }
            other => other?,
        };
        let pairing =
            self.own_pairing(user, meeting.pairing)
                .await
                .map_err(|error| match error {
                    AppError::NotFound(_) => AppError::NotFound("the meeting".into()),
                    other => other,
                })?;
        Ok((meeting, pairing))
    }

    /// One of the pair logs how a meeting ended: held (not before it starts), cancelled (ahead
    /// is fine) or missed. A correction replaces the entry. The audit trail records that it was
    /// logged and how, never the notes or topics.
    pub async fn log_meeting(
        &self,
        user: &User,
        id: MeetingId,
        request: OutcomeRequest,
    ) -> AppResult<MeetingItem> {
        let (meeting, pairing) = self.own_meeting(user, id).await?;
        let outcome = outcome_from(request, &meeting)?;
        let next = meeting.log(outcome, Timestamp::now()).map_err(refusal)?;
        let detail = match next.cancelled_by {
            Some(by) => format!("meeting {}: cancelled by the {}", id.0, by.as_str()),
            None => format!("meeting {}: {}", id.0, next.status.as_str()),
        };
        let entry = NewAuditEntry {
            actor: user.email.as_str(),
            action: "meeting.outcome",
            subject: &format!("pairing {}", pairing.id.0),
            detail: &detail,
            programme: Some(pairing.programme_id),
        };
        let saved = self.store.save_meeting(&meeting, &next, &entry).await?;
        let zones = self.pair_context(&pairing).await?;
        Ok(meeting_item(&saved, &zones, side_of(&pairing, user)))
    }

    /// One of the pair moves a scheduled meeting to a time still to come; calendars pick up
    /// the change (a higher `SEQUENCE`).
    pub async fn move_meeting(
        &self,
        user: &User,
        id: MeetingId,
        request: MoveRequest,
    ) -> AppResult<MeetingItem> {
        let (meeting, pairing) = self.own_meeting(user, id).await?;
        let side = side_of(&pairing, user);
        let context = self.pair_context(&pairing).await?;
        let start = parse_start(&request.start, context.of(side))?;
        let next = meeting.moved_to(start, Timestamp::now()).map_err(refusal)?;
        let entry = NewAuditEntry {
            actor: user.email.as_str(),
            action: "meeting.moved",
            subject: &format!("pairing {}", pairing.id.0),
            detail: &format!("meeting {}", id.0),
            programme: Some(pairing.programme_id),
        };
        let saved = self.store.save_meeting(&meeting, &next, &entry).await?;
        Ok(meeting_item(&saved, &context, side))
    }

    /// One of the pair records a meeting they held outside the series: while exploring (the
    /// exploratory meeting) or active, started by now and not before the day the pairing was
    /// made.
    pub async fn record_meeting(
        &self,
        user: &User,
        id: PairingId,
        request: RecordRequest,
    ) -> AppResult<MeetingItem> {
        let pairing = self.own_pairing(user, id).await?;
        if !matches!(
            pairing.state,
            PairingState::Active | PairingState::Exploring { .. }
        ) {
            return Err(AppError::Conflict(
                "meetings are recorded while the pairing is under way".into(),
            ));
        }
        let zones = self.pair_context(&pairing).await?;
        let side = side_of(&pairing, user);
        let start = parse_start(&request.start, zones.of(side))?;
        // A day's margin: people recall the day of a meeting better than its minute.
        let earliest = pairing
            .published_at
            .checked_sub(jiff::SignedDuration::from_hours(24))
            .unwrap_or(pairing.published_at);
        if start < earliest {
            return Err(AppError::invalid(
                "start",
                "that is before the pairing was made",
            ));
        }
        let outcome = held(
            request.minutes,
            request.channel.as_deref(),
            MeetingChannel::Virtual,
            request.topics,
            request.notes,
        )?;
        let meeting =
            Meeting::held_outside_series(id, start, outcome, Timestamp::now()).map_err(refusal)?;
        let entry = NewAuditEntry {
            actor: user.email.as_str(),
            action: "meeting.recorded",
            subject: &format!("pairing {}", id.0),
            detail: "a meeting held outside the series",
            programme: Some(pairing.programme_id),
        };
        let saved = self.store.add_meeting(&meeting, &entry).await?;
        Ok(meeting_item(&saved, &zones, side))
    }

    /// Both people's time zones and the places suggested for the pair's in-person meetings.
    pub(crate) async fn pair_context(&self, pairing: &Pairing) -> AppResult<PairContext> {
        let mentor = self.store.enrolment(pairing.mentor).await?;
        let mentee = self.store.enrolment(pairing.mentee).await?;
        let programme = self.store.programme(pairing.programme_id).await?;
        let meetings = self.store.pairing_meetings(pairing.id).await?;
        let suggested = suggested_places(
            meetings.iter().map(|m| m.channel),
            &programme.draft.meeting_places,
        );
        Ok(PairContext {
            mentor: self.zone_of(&mentor).await?,
            mentee: self.zone_of(&mentee).await?,
            places: meetings
                .iter()
                .zip(suggested)
                .filter_map(|(meeting, place)| Some((meeting.id, place?)))
                .collect(),
            programme_places: programme.draft.meeting_places,
        })
    }
}

/// What a pair's meetings are shown with: the time zones of its two people and the neutral
/// place suggested for each in-person meeting.
pub(crate) struct PairContext {
    pub mentor: TimeZone,
    pub mentee: TimeZone,
    /// The place suggested for each in-person meeting that exists.
    pub places: HashMap<MeetingId, String>,
    /// The programme's neutral places, for a series not settled yet.
    pub programme_places: Vec<String>,
}

impl PairContext {
    pub fn of(&self, side: Side) -> &TimeZone {
        match side {
            Side::Mentor => &self.mentor,
            Side::Mentee => &self.mentee,
        }
    }
}

/// The user's side of one of their own pairings (as `own_pairing` found it).
pub(crate) fn side_of(pairing: &Pairing, user: &User) -> Side {
    pairing
        .side_of(&user.email)
        .expect("checked by own_pairing")
}

fn agreement_view(agreement: &ScheduleAgreement, viewer: Side) -> AgreementView {
    let accepted_by: Vec<Side> = [Side::Mentor, Side::Mentee]
        .into_iter()
        .filter(|side| agreement.accepted_by(*side))
        .collect();
    let settled = agreement.settled_at.is_some();
    let count = agreement.series.meetings.len();
    let message = if settled {
        format!("Your schedule is settled: {count} meetings are in your calendar.")
    } else if agreement.accepted_by(viewer) {
        format!(
            "You accepted the schedule; it is settled once the {} accepts it too.",
            viewer.other().as_str()
        )
    } else {
        format!(
            "The {} accepted this schedule; accept it too to settle it.",
            viewer.other().as_str()
        )
    };
    AgreementView {
        accepted_by,
        settled,
        meetings: count,
        message,
    }
}

fn settled_mail(pairing: &Pairing, count: usize) -> Vec<Mail> {
    [Side::Mentor, Side::Mentee]
        .map(|side| Mail {
            recipient: pairing.email_of(side).as_str().to_owned(),
            subject: "Your mentoring schedule is settled".into(),
            body: format!(
                "Hello {},\n\nYou and {} have both accepted your schedule: {count} meetings until \
                 the programme ends. Add them to your calendar from your pairing's page, or \
                 subscribe to your private calendar feed so changes reach you by themselves.\n",
                pairing.name_of(side),
                pairing.name_of(side.other()),
            ),
        })
        .to_vec()
}

fn refusal(refused: OutcomeError) -> AppError {
    match refused {
        OutcomeError::Invalid { field, message } => AppError::invalid(field, message),
        OutcomeError::NotNow(message) => AppError::Conflict(message),
    }
}

/// A held meeting's outcome from what was sent; the channel `planned` if none was named.
fn held(
    minutes: i64,
    channel: Option<&str>,
    planned: MeetingChannel,
    topics: Option<Topics>,
    notes: Option<String>,
) -> AppResult<Outcome> {
    let channel = match channel {
        None => planned,
        Some(text) => MeetingChannel::parse(text)
            .ok_or_else(|| AppError::invalid("channel", "use virtual or in_person"))?,
    };
    Ok(Outcome::Held {
        minutes,
        channel,
        topics: topics.map(Topics::into_list).unwrap_or_default(),
        notes: notes.unwrap_or_default(),
    })
}

/// A start given with its offset, or as a local date and time in `zone`.
pub(crate) fn parse_start(text: &str, zone: &TimeZone) -> AppResult<Timestamp> {
    let text = text.trim();
    if let Ok(at) = text.parse::<Timestamp>() {
        return Ok(at);
    }
    text.parse::<jiff::civil::DateTime>()
        .ok()
        .and_then(|local| local.to_zoned(zone.clone()).ok())
        .map(|zoned| zoned.timestamp())
        .ok_or_else(|| {
            AppError::invalid(
                "start",
                "give a date and time such as 2027-02-05T12:00 (or with an offset, 2027-02-05T12:00:00+01:00)",
            )
        })
}

fn outcome_from(request: OutcomeRequest, meeting: &Meeting) -> AppResult<Outcome> {
    match request.status.as_str() {
        "held" => {
            let planned = meeting.end.duration_since(meeting.start).as_mins();
            held(
                request.minutes.unwrap_or(planned),
                request.channel.as_deref(),
                meeting.channel,
                request.topics,
                request.notes,
            )
        }
        "cancelled" => {
            let by = request
                .cancelled_by
                .as_deref()
                .map(|text| {
                    Side::parse(text)
                        .ok_or_else(|| AppError::invalid("cancelled_by", "use mentor or mentee"))
                })
                .transpose()?
                .ok_or_else(|| {
                    AppError::invalid(
                        "cancelled_by",
                        "say who called the meeting off: mentor or mentee",
                    )
                })?;
            Ok(Outcome::Cancelled {
                by,
                rescheduled: request.rescheduled.unwrap_or(false),
                notes: request.notes.unwrap_or_default(),
            })
        }
        "missed" => Ok(Outcome::Missed {
            notes: request.notes.unwrap_or_default(),
        }),
        _ => Err(AppError::invalid("status", "use held, cancelled or missed")),
    }
}

pub(crate) fn meeting_item(meeting: &Meeting, zones: &PairContext, viewer: Side) -> MeetingItem {
    MeetingItem {
        id: meeting.id,
        pairing: meeting.pairing,
        start: rfc3339(meeting.start, zones.of(viewer)),
        end: rfc3339(meeting.end, zones.of(viewer)),
        channel: meeting.channel.as_str().to_owned(),
        status: meeting.status,
        mentor_local: in_words(&meeting.start.to_zoned(zones.mentor.clone())),
        mentee_local: in_words(&meeting.start.to_zoned(zones.mentee.clone())),
        place: zones.places.get(&meeting.id).cloned(),
        cancelled_by: meeting.cancelled_by,
        rescheduled: meeting.rescheduled,
        minutes: meeting.minutes,
        topics: meeting.topics.clone(),
        notes: meeting.notes.clone(),
        sequence: meeting.sequence,
    }
}

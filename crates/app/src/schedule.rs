//! A pairing's meeting schedule as its two people see it: the fair proposal from the pairing's
//! start (today, or the programme's first day if later) to the programme's last day. Accepting
//! it and the meetings it makes are in `meetings`.

use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use upward_domain::enrolment::day_name;
use upward_domain::schedule::{
    Attendee, ChangeError, ScheduleError, ScheduleProposal, ScheduleRequest, propose_schedule,
};
use upward_domain::{Enrolment, Pairing, PairingId, PairingState, Side, User};

use crate::meetings::{PairContext, side_of};
use upward_domain::meeting::suggested_places;

use crate::{App, AppError, AppResult};

/// The proposed series, for one of the pair.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ScheduleView {
    pub meetings: Vec<MeetingView>,
    /// Whether the series alternates between two weekly times to share the inconvenience.
    pub rotates: bool,
    /// Minutes, over the whole series, outside each person's preferred time of day.
    pub mentor_minutes_outside_preference: i64,
    pub mentee_minutes_outside_preference: i64,
    /// Why this series is fair, in a sentence.
    pub why: String,
    /// Meeting weeks with no time that fits both people (their clocks change on different
    /// dates, say), as the week's Monday in the mentor's calendar.
    #[schema(value_type = Vec<String>)]
    pub skipped_weeks: Vec<jiff::civil::Date>,
    /// Who has accepted this series (`mentor`, `mentee`): once one has, it stays as they saw it.
    pub accepted_by: Vec<Side>,
    /// Both have accepted: the meetings exist (`GET /api/v1/pairings/{id}/meetings`).
    pub settled: bool,
}

/// One proposed meeting.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MeetingView {
    /// RFC 3339, in the caller's own time zone with its offset.
    pub start: String,
    pub end: String,
    /// `virtual` or `in_person`.
    pub channel: String,
    /// The start in each person's own words, e.g. "Tue 12 Jan 08:00 (Europe/London)".
    pub mentor_local: String,
    pub mentee_local: String,
    /// Held at another time that week, because the series' usual time does not fit both.
    pub moved: bool,
    /// For an in-person meeting, the neutral place suggested from the programme's list.
    pub place: Option<String>,
}

impl App {
    /// The fair schedule proposed for one of the user's pairings; anyone else's answers 404.
    /// Once one of the pair has accepted a series, it is that series (so both accept the same
    /// meetings). A pair without a weekly time inside both availabilities in every week is a
    /// conflict whose message says what to do.
    pub async fn schedule_proposal(&self, user: &User, id: PairingId) -> AppResult<ScheduleView> {
        let pairing = self.own_pairing(user, id).await?;
        let agreement = self.store.schedule_agreement(id).await?;
        let proposal = match &agreement {
            Some(agreement) => agreement.series.clone(),
            None => self.proposal_for(&pairing).await?,
        };
        let zones = self.pair_context(&pairing).await?;
        let mut view = view(&proposal, &zones, side_of(&pairing, user));
        if let Some(agreement) = agreement {
            view.accepted_by = [Side::Mentor, Side::Mentee]
                .into_iter()
                .filter(|side| agreement.accepted_by(*side))
                .collect();
            view.settled = agreement.settled_at.is_some();
        }
        Ok(view)
    }

    /// The series proposed today for the pairing, from today (or the programme's first day) to
    /// the programme's last.
    pub(crate) async fn proposal_for(&self, pairing: &Pairing) -> AppResult<ScheduleProposal> {
        let programme = self.store.programme(pairing.programme_id).await?;
        let people = self.pair_people(pairing).await?;
        let today = Timestamp::now().to_zoned(people.mentor_zone.clone()).date();
        let request = ScheduleRequest {
            mentor: attendee(&people.mentor, &people.mentor_zone),
            mentee: attendee(&people.mentee, &people.mentee_zone),
            first_day: today.max(programme.draft.start_date),
            last_day: programme.draft.end_date,
            cadence: programme.draft.cadence,
            minutes: i64::from(programme.draft.matching.session_minutes),
        };
        propose_schedule(&request).map_err(|error| match error {
            ScheduleError::NoDays => AppError::Conflict(
                "the programme has ended, so there is nothing to schedule".into(),
            ),
            other => AppError::Conflict(other.to_string()),
        })
    }

    /// One of the pair changes the series they are agreeing on before it is settled: skips a
    /// meeting, or moves it (to a time still to come; a start without an offset is in their own
    /// zone). They accept the changed series; the other must accept it again.
    pub async fn change_schedule(
        &self,
        user: &User,
        id: PairingId,
        change: ScheduleChange,
    ) -> AppResult<ScheduleView> {
        let pairing = self.own_pairing(user, id).await?;
        if pairing.state != PairingState::Active {
            return Err(AppError::Conflict(
                "the schedule is agreed once the pairing is active".into(),
            ));
        }
        let current = match self.store.schedule_agreement(id).await? {
            Some(agreement) => agreement.series,
            None => self.proposal_for(&pairing).await?,
        };
        let side = side_of(&pairing, user);
        let changed = match (change.skip.unwrap_or(false), change.start.as_deref()) {
            (true, None) => current.without(change.meeting),
            (false, Some(start)) => {
                let people = self.pair_people(&pairing).await?;
                let zone = match side {
                    Side::Mentor => &people.mentor_zone,
                    Side::Mentee => &people.mentee_zone,
                };
                let start = crate::meetings::parse_start(start, zone)?;
                current.with_moved(
                    change.meeting,
                    start,
                    &attendee(&people.mentor, &people.mentor_zone),
                    &attendee(&people.mentee, &people.mentee_zone),
                    Timestamp::now(),
                )
            }
            _ => {
                return Err(AppError::invalid(
                    "skip",
                    "either skip the meeting (\"skip\": true) or give its new start, not both",
                ));
            }
        }
        .map_err(|error| match error {
            ChangeError::NoSuchMeeting(_) => AppError::invalid("meeting", error.to_string()),
            ChangeError::InThePast => AppError::invalid("start", error.to_string()),
        })?;
        self.store
            .change_schedule(&pairing, side, &changed, user.email.as_str())
            .await?;
        self.schedule_proposal(user, id).await
    }

    /// Both enrolments of the pair, with their people's time zones.
    async fn pair_people(&self, pairing: &Pairing) -> AppResult<PairPeople> {
        let mentor = self.store.enrolment(pairing.mentor).await?;
        let mentee = self.store.enrolment(pairing.mentee).await?;
        Ok(PairPeople {
            mentor_zone: self.zone_of(&mentor).await?,
            mentee_zone: self.zone_of(&mentee).await?,
            mentor,
            mentee,
        })
    }

    pub(crate) async fn zone_of(&self, enrolment: &Enrolment) -> AppResult<TimeZone> {
        let person = self.store.person(&enrolment.email.key()).await?;
        // Someone erased from the directory keeps no zone; UTC is as good a guess as any.
        Ok(person.map_or(TimeZone::UTC, |person| person.time_zone.zone()))
    }
}

struct PairPeople {
    mentor: Enrolment,
    mentee: Enrolment,
    mentor_zone: TimeZone,
    mentee_zone: TimeZone,
}

/// A change to one meeting of a series not settled yet.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ScheduleChange {
    /// Which meeting of the proposal, counting from 0 in its `meetings`.
    pub meeting: usize,
    /// Leave this meeting out.
    pub skip: Option<bool>,
    /// Or move it here: RFC 3339 with an offset, or a local date and time in your own zone.
    pub start: Option<String>,
}

/// An instant in RFC 3339 with the offset it has in `zone`.
pub(crate) fn rfc3339(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned(zone.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

fn attendee<'a>(enrolment: &'a Enrolment, zone: &'a TimeZone) -> Attendee<'a> {
    Attendee {
        time_zone: zone,
        availability: &enrolment.profile.availability,
        preferred: enrolment.profile.preferred_time,
        channel: enrolment.profile.channel,
    }
}

fn view(proposal: &ScheduleProposal, pair: &PairContext, viewer: Side) -> ScheduleView {
    let places = suggested_places(
        proposal.meetings.iter().map(|m| m.channel),
        &pair.programme_places,
    );
    let meetings = proposal
        .meetings
        .iter()
        .zip(places)
        .map(|(meeting, place)| MeetingView {
            start: rfc3339(meeting.start, pair.of(viewer)),
            end: rfc3339(meeting.end, pair.of(viewer)),
            channel: meeting.channel.as_str().to_owned(),
            mentor_local: in_words(&meeting.start.to_zoned(pair.mentor.clone())),
            mentee_local: in_words(&meeting.start.to_zoned(pair.mentee.clone())),
            moved: meeting.moved,
            place,
        })
        .collect();
    let why = [Some(fairness(proposal)), exceptions(proposal)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    ScheduleView {
        meetings,
        rotates: proposal.rotates(),
        mentor_minutes_outside_preference: proposal.mentor_cost(),
        mentee_minutes_outside_preference: proposal.mentee_cost(),
        why,
        skipped_weeks: proposal.skipped_weeks.clone(),
        accepted_by: Vec::new(),
        settled: false,
    }
}

/// Why the series' time (or times) is fair, in a sentence.
fn fairness(proposal: &ScheduleProposal) -> String {
    if proposal.rotates() {
        let times: Vec<String> = proposal
            .weekly_times
            .iter()
            .map(|&(day, time)| format!("{} {}", day_name(day), time.strftime("%H:%M")))
            .collect();
        format!(
            "No single weekly time suits you both, so the meetings alternate between {} (the \
             mentor's time) to share the early or late hours.",
            times.join(" and ")
        )
    } else {
        "This weekly time leaves whichever of you it suits less with the fewest minutes outside \
         your preferred time of day."
            .to_owned()
    }
}

/// The weeks that depart from the series, in a sentence, if any.
fn exceptions(proposal: &ScheduleProposal) -> Option<String> {
    let moved = proposal.meetings.iter().filter(|m| m.moved).count();
    let skipped = proposal.skipped_weeks.len();
    let meetings = |n: usize| {
        if n == 1 {
            "1 meeting moves".to_owned()
        } else {
            format!("{n} meetings move")
        }
    };
    let weeks = |n: usize| {
        if n == 1 {
            "1 week".to_owned()
        } else {
            format!("{n} weeks")
        }
    };
    match (moved, skipped) {
        (0, 0) => None,
        (moved, 0) => Some(format!(
            "{} to another time that week, when your clocks change on different dates.",
            meetings(moved)
        )),
        (0, skipped) => Some(format!(
            "{} without a time that fits you both (your clocks change on different dates) \
             {} no meeting.",
            weeks(skipped),
            if skipped == 1 { "has" } else { "have" }
        )),
        (moved, skipped) => Some(format!(
            "{} to another time that week and {} without a time that fits you both \
             {} no meeting, when your clocks change on different dates.",
            meetings(moved),
            weeks(skipped),
            if skipped == 1 { "has" } else { "have" }
        )),
    }
}

pub(crate) fn in_words(at: &Zoned) -> String {
    format!(
        "{} ({})",
        at.strftime("%a %-d %b %H:%M"),
        at.time_zone().iana_name().unwrap_or("UTC")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{Time, Weekday, date};
    use upward_domain::schedule::{MeetingChannel, ProposedMeeting};

    fn proposal(moved: usize, skipped: usize) -> ScheduleProposal {
        let meeting = |moved| ProposedMeeting {
            start: Timestamp::UNIX_EPOCH,
            end: Timestamp::UNIX_EPOCH,
            channel: MeetingChannel::Virtual,
            mentor_cost: 0,
            mentee_cost: 0,
            moved,
        };
        ScheduleProposal {
            meetings: (0..3).map(|k| meeting(k < moved)).collect(),
            weekly_times: vec![(Weekday::Monday, Time::constant(9, 0, 0, 0))],
            skipped_weeks: vec![date(2027, 3, 22); skipped],
        }
    }

    #[test]
    fn the_reason_names_moved_meetings_and_skipped_weeks_only_when_there_are_some() {
        assert_eq!(exceptions(&proposal(0, 0)), None);
        assert_eq!(
            exceptions(&proposal(2, 0)).unwrap(),
            "2 meetings move to another time that week, when your clocks change on different dates."
        );
        assert_eq!(
            exceptions(&proposal(0, 1)).unwrap(),
            "1 week without a time that fits you both (your clocks change on different dates) \
             has no meeting."
        );
        assert_eq!(
            exceptions(&proposal(1, 2)).unwrap(),
            "1 meeting moves to another time that week and 2 weeks without a time that fits you \
             both have no meeting, when your clocks change on different dates."
        );
    }
}

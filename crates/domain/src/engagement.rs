//! Early warning: whether an active pair is meeting as its programme intends, as `healthy`,
//! `at_risk` or `stalled` with the reasons in words, and which side is drifting (DOMAIN §6).
//! The seeds' main failure is the senior mentee who stops prioritising the meetings, so
//! cancellations are counted per side, from the moment they are made.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldProblem;
use crate::meeting::{Meeting, MeetingStatus};
use crate::pairing::Side;
use crate::programme::Cadence;

/// How healthy a pairing is, worst last.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EngagementStatus {
    Healthy,
    AtRisk,
    Stalled,
}

impl EngagementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EngagementStatus::Healthy => "healthy",
            EngagementStatus::AtRisk => "at_risk",
            EngagementStatus::Stalled => "stalled",
        }
    }

    /// In words, for pages and mail.
    pub fn label(self) -> &'static str {
        match self {
            EngagementStatus::Healthy => "Healthy",
            EngagementStatus::AtRisk => "At risk",
            EngagementStatus::Stalled => "Stalled",
        }
    }
}

/// A pairing's status with every reason for it (none when healthy).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Engagement {
    pub status: EngagementStatus,
    pub reasons: Vec<String>,
}

/// A programme's thresholds. The defaults follow what the platforms HR teams know use (a
/// first meeting within 10 days; a check-in once a pair is a week past its cadence) and the
/// seeds' warning about repeated cancellations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct EngagementSettings {
    /// A pair with no meeting booked this many days after becoming active is at risk (and
    /// stalled at three times as many).
    #[schema(minimum = 1, maximum = 90)]
    pub first_meeting_days: u16,
    /// A pair that has not both signed its agreement this many days after becoming active is
    /// at risk.
    #[schema(minimum = 1, maximum = 90)]
    pub agreement_days: u16,
    /// Days of grace past the cadence's interval before a pair with no held meeting is at risk;
    /// past twice the interval plus this, it is stalled.
    #[schema(minimum = 0, maximum = 90)]
    pub overdue_grace_days: u16,
    /// How many of the latest meetings (held, cancelled or missed, a cancellation counted when
    /// it was made) the counts below look at.
    #[schema(minimum = 2, maximum = 12)]
    pub recent_meetings: u8,
    /// Cancellations by one side among those that make the pair at risk, and stalled.
    #[schema(minimum = 1, maximum = 12)]
    pub cancellations_at_risk: u8,
    #[schema(minimum = 1, maximum = 12)]
    pub cancellations_stalled: u8,
    /// Missed meetings among those that make the pair at risk, and stalled.
    #[schema(minimum = 1, maximum = 12)]
    pub missed_at_risk: u8,
    #[schema(minimum = 1, maximum = 12)]
    pub missed_stalled: u8,
}

impl Default for EngagementSettings {
    fn default() -> Self {
        Self {
            first_meeting_days: 10,
            agreement_days: 14,
            overdue_grace_days: 7,
            recent_meetings: 4,
            cancellations_at_risk: 2,
            cancellations_stalled: 3,
            missed_at_risk: 1,
            missed_stalled: 2,
        }
    }
}

impl EngagementSettings {
    /// Every problem at once, named by field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, ok: bool, problem: String| {
            if !ok {
                problems.push(FieldProblem { field, problem });
            }
        };
        check(
            "first_meeting_days",
            (1..=90).contains(&self.first_meeting_days),
            "the days allowed for booking a first meeting must be between 1 and 90".into(),
        );
        check(
            "agreement_days",
            (1..=90).contains(&self.agreement_days),
            "the days allowed for signing the agreement must be between 1 and 90".into(),
        );
        check(
            "overdue_grace_days",
            self.overdue_grace_days <= 90,
            "the days of grace must be at most 90".into(),
        );
        check(
            "recent_meetings",
            (2..=12).contains(&self.recent_meetings),
            "the number of recent meetings looked at must be between 2 and 12".into(),
        );
        let window = self.recent_meetings;
        for (field, value) in [
            ("cancellations_at_risk", self.cancellations_at_risk),
            ("cancellations_stalled", self.cancellations_stalled),
            ("missed_at_risk", self.missed_at_risk),
            ("missed_stalled", self.missed_stalled),
        ] {
            check(
                field,
                (1..=window).contains(&value),
                format!("must be between 1 and the {window} recent meetings looked at"),
            );
        }
        check(
            "cancellations_stalled",
            self.cancellations_stalled >= self.cancellations_at_risk,
            "the cancellations that stall a pair cannot be fewer than those that put it at risk"
                .into(),
        );
        check(
            "missed_stalled",
            self.missed_stalled >= self.missed_at_risk,
            "the missed meetings that stall a pair cannot be fewer than those that put it at risk"
                .into(),
        );
        problems
    }
}

/// The interval the cadence asks for between meetings, in days: its virtual rhythm if it has
/// one, else its in-person one (a month counted as 30 days).
pub fn cadence_days(cadence: Cadence) -> i64 {
    match (cadence.virtual_every_weeks, cadence.in_person_every_months) {
        (Some(weeks), _) => 7 * i64::from(weeks),
        (None, Some(months)) => 30 * i64::from(months),
        (None, None) => 14,
    }
}

/// What happened to a meeting that took place or was called off, and when it counts: a held or
/// missed meeting at its start, a cancellation when it was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    Held,
    Missed,
    CancelledBy(Side),
}

/// All the assessment needs of a pair's meetings, so that a store can compute it where the
/// meetings are (a year of them for thousands of pairs) and hand over a few values per pair.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MeetingSummary {
    /// Whether any meeting exists (booked, held, anything).
    pub booked: bool,
    /// The earliest meeting's start.
    pub first_start: Option<Timestamp>,
    /// The latest held meeting's start.
    pub last_held: Option<Timestamp>,
    /// The latest events up to `now`, newest first, at most `recent_meetings` of them.
    pub recent: Vec<(Timestamp, Event)>,
}

impl MeetingSummary {
    /// The summary of `meetings` at `now`, keeping the latest `recent` events. A store's own
    /// way of computing it must agree with this one (a conformance test holds it to that).
    pub fn of(meetings: &[Meeting], now: Timestamp, recent: u8) -> Self {
        let mut events: Vec<(Timestamp, Event)> = meetings
            .iter()
            .filter_map(|m| match m.status {
                MeetingStatus::Held => Some((m.start, Event::Held)),
                MeetingStatus::Missed => Some((m.start, Event::Missed)),
                MeetingStatus::Cancelled => Some((
                    m.cancelled_at.unwrap_or(m.start),
                    Event::CancelledBy(m.cancelled_by?),
                )),
                MeetingStatus::Scheduled => None,
            })
            .filter(|(at, _)| *at <= now)
            .collect();
        events.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
        events.truncate(usize::from(recent));
        MeetingSummary {
            booked: !meetings.is_empty(),
            first_start: meetings.iter().map(|m| m.start).min(),
            last_held: meetings
                .iter()
                .filter(|m| m.status == MeetingStatus::Held)
                .map(|m| m.start)
                .max(),
            recent: events,
        }
    }
}

/// What the assessment reads of one active pair.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairFacts {
    /// When both confirmed.
    pub active_since: Timestamp,
    /// Whether both have signed their agreement.
    pub agreement_signed: bool,
    pub meetings: MeetingSummary,
}

/// The engagement of an active pair at `now`.
pub fn assess(
    pair: &PairFacts,
    cadence: Cadence,
    settings: &EngagementSettings,
    now: Timestamp,
) -> Engagement {
    let (active_since, meetings) = (pair.active_since, &pair.meetings);
    let mut findings: Vec<(EngagementStatus, String)> = Vec::new();
    findings.extend(unsigned(pair, settings, now));
    findings.extend(first_meeting(active_since, meetings, settings, now));
    findings.extend(overdue(
        active_since,
        meetings,
        cadence_days(cadence),
        settings,
        now,
    ));
    findings.extend(recent(meetings, settings));
    let status = findings
        .iter()
        .map(|(status, _)| *status)
        .max()
        .unwrap_or(EngagementStatus::Healthy);
    Engagement {
        status,
        reasons: findings.into_iter().map(|(_, reason)| reason).collect(),
    }
}

fn days_between(from: Timestamp, to: Timestamp) -> i64 {
    to.duration_since(from).as_secs() / 86_400
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

/// The agreement still not signed by both some days after activation.
fn unsigned(
    pair: &PairFacts,
    settings: &EngagementSettings,
    now: Timestamp,
) -> Option<(EngagementStatus, String)> {
    let waited = days_between(pair.active_since, now);
    (!pair.agreement_signed && waited >= i64::from(settings.agreement_days)).then(|| {
        (
            EngagementStatus::AtRisk,
            format!(
                "the agreement is not signed by both {} after the pairing became active",
                days(waited)
            ),
        )
    })
}

/// No meeting at all yet (the series not accepted, nothing booked) some days after activation.
fn first_meeting(
    active_since: Timestamp,
    meetings: &MeetingSummary,
    settings: &EngagementSettings,
    now: Timestamp,
) -> Option<(EngagementStatus, String)> {
    if meetings.booked {
        return None;
    }
    let waited = days_between(active_since, now);
    let allowed = i64::from(settings.first_meeting_days);
    let status = if waited >= 3 * allowed {
        EngagementStatus::Stalled
    } else if waited >= allowed {
        EngagementStatus::AtRisk
    } else {
        return None;
    };
    Some((
        status,
        format!(
            "no meeting has been booked in the {} since the pairing became active",
            days(waited)
        ),
    ))
}

/// Too long without a held meeting for the cadence: counted from the last held meeting, or
/// from when the first was due if none was held (a series that starts later is not overdue).
fn overdue(
    active_since: Timestamp,
    meetings: &MeetingSummary,
    interval: i64,
    settings: &EngagementSettings,
    now: Timestamp,
) -> Option<(EngagementStatus, String)> {
    let last_held = meetings.last_held;
    let since = match last_held {
        Some(held) => held,
        None => meetings.first_start?.max(active_since),
    };
    if since > now {
        return None;
    }
    let quiet = days_between(since, now);
    let grace = i64::from(settings.overdue_grace_days);
    let status = if quiet > 2 * interval + grace {
        EngagementStatus::Stalled
    } else if quiet > interval + grace {
        EngagementStatus::AtRisk
    } else {
        return None;
    };
    let what = match last_held {
        Some(_) => format!("no meeting has been held for {}", days(quiet)),
        None => format!(
            "no meeting has been held in the {} since the first was due",
            days(quiet)
        ),
    };
    Some((
        status,
        format!(
            "{what}, and the programme's cadence is every {}",
            days(interval)
        ),
    ))
}

/// Cancellations per side and missed meetings among the latest meetings that happened or were
/// called off: a cancellation counts from when it was made, so a senior who calls off the next
/// three meetings is flagged the day they do.
fn recent(
    meetings: &MeetingSummary,
    settings: &EngagementSettings,
) -> Vec<(EngagementStatus, String)> {
    let events = &meetings.recent[..meetings
        .recent
        .len()
        .min(usize::from(settings.recent_meetings))];
    let window = events.len();
    let count = |wanted: fn(Event) -> bool| events.iter().filter(|(_, e)| wanted(*e)).count();
    let level = |n: usize, at_risk: u8, stalled: u8| {
        if n >= usize::from(stalled) {
            Some(EngagementStatus::Stalled)
        } else if n >= usize::from(at_risk) {
            Some(EngagementStatus::AtRisk)
        } else {
            None
        }
    };
    let mut findings = Vec::new();
    let cancellations = [
        (
            Side::Mentee,
            count(|e| matches!(e, Event::CancelledBy(Side::Mentee))),
        ),
        (
            Side::Mentor,
            count(|e| matches!(e, Event::CancelledBy(Side::Mentor))),
        ),
    ];
    for (side, n) in cancellations {
        if let Some(status) = level(
            n,
            settings.cancellations_at_risk,
            settings.cancellations_stalled,
        ) {
            findings.push((
                status,
                format!("the {} cancelled {n} of the last {window}", side.as_str()),
            ));
        }
    }
    let missed = count(|e| matches!(e, Event::Missed));
    if let Some(status) = level(missed, settings.missed_at_risk, settings.missed_stalled) {
        findings.push((
            status,
            format!(
                "{missed} of the last {window} meetings {} missed",
                if missed == 1 { "was" } else { "were" }
            ),
        ));
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meeting::MeetingId;
    use crate::pairing::PairingId;
    use crate::schedule::MeetingChannel;
    use jiff::ToSpan;

    /// Day `n` of the pairing, at 09:00 UTC; the pair became active on day 0.
    fn day(n: i64) -> Timestamp {
        "2027-01-04T09:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .checked_add(jiff::SignedDuration::from_hours(24 * n))
            .unwrap()
    }

    fn meeting(on: i64, status: MeetingStatus) -> Meeting {
        Meeting {
            id: MeetingId(on),
            pairing: PairingId(1),
            start: day(on),
            end: day(on).checked_add(1.hour()).unwrap(),
            channel: MeetingChannel::Virtual,
            status,
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

    fn cancelled(on: i64, by: Side, made_on: i64) -> Meeting {
        Meeting {
            cancelled_by: Some(by),
            cancelled_at: Some(day(made_on)),
            ..meeting(on, MeetingStatus::Cancelled)
        }
    }

    /// A fortnightly series from day 7 to day 7 + 14 × (count − 1).
    fn series(count: i64) -> Vec<Meeting> {
        (0..count)
            .map(|k| meeting(7 + 14 * k, MeetingStatus::Scheduled))
            .collect()
    }

    fn facts(meetings: &[Meeting], today: i64, recent: u8) -> PairFacts {
        PairFacts {
            active_since: day(0),
            agreement_signed: true,
            meetings: MeetingSummary::of(meetings, day(today), recent),
        }
    }

    fn assess_on(meetings: &[Meeting], today: i64) -> Engagement {
        let settings = EngagementSettings::default();
        let pair = facts(meetings, today, settings.recent_meetings);
        assess(&pair, Cadence::default(), &settings, day(today))
    }

    fn healthy() -> Engagement {
        Engagement {
            status: EngagementStatus::Healthy,
            reasons: vec![],
        }
    }

    #[test]
    fn a_pair_meeting_to_its_cadence_is_healthy() {
        let mut meetings = series(10);
        for m in &mut meetings[..4] {
            m.status = MeetingStatus::Held;
        }
        // Day 49 + 14 + 7 is the last day before the fifth meeting is overdue.
        assert_eq!(assess_on(&meetings, 49 + 21), healthy());
        // A new pair with nothing booked yet, within the days allowed.
        assert_eq!(assess_on(&[], 9), healthy());
    }

    #[test]
    fn no_first_meeting_booked_puts_the_pair_at_risk_then_stalls_it() {
        let at_risk = assess_on(&[], 10);
        assert_eq!(at_risk.status, EngagementStatus::AtRisk);
        assert_eq!(
            at_risk.reasons,
            ["no meeting has been booked in the 10 days since the pairing became active"]
        );
        assert_eq!(assess_on(&[], 30).status, EngagementStatus::Stalled);
        assert_eq!(
            assess_on(&series(1), 10),
            healthy(),
            "a booked meeting is enough"
        );
    }

    #[test]
    fn an_agreement_left_unsigned_puts_the_pair_at_risk() {
        let settings = EngagementSettings::default();
        let unsigned = |today| {
            let pair = PairFacts {
                agreement_signed: false,
                ..facts(&series(3), today, 4)
            };
            assess(&pair, Cadence::default(), &settings, day(today))
        };
        assert_eq!(unsigned(13).status, EngagementStatus::Healthy);
        let late = unsigned(14);
        assert_eq!(late.status, EngagementStatus::AtRisk);
        assert_eq!(
            late.reasons,
            ["the agreement is not signed by both 14 days after the pairing became active"]
        );
    }

    #[test]
    fn too_long_without_a_held_meeting_for_the_cadence_is_at_risk_then_stalled() {
        let mut meetings = series(10);
        meetings[0].status = MeetingStatus::Held;
        // Held on day 7; fortnightly with 7 days' grace: at risk after day 28, stalled after 42.
        assert_eq!(assess_on(&meetings, 28), healthy());
        let at_risk = assess_on(&meetings, 29);
        assert_eq!(at_risk.status, EngagementStatus::AtRisk);
        assert_eq!(
            at_risk.reasons,
            ["no meeting has been held for 22 days, and the programme's cadence is every 14 days"]
        );
        assert_eq!(assess_on(&meetings, 43).status, EngagementStatus::Stalled);
        // With none held, the clock starts when the first was due, not at activation.
        let none_held = assess_on(&series(10), 29);
        assert_eq!(
            none_held.reasons,
            [
                "no meeting has been held in the 22 days since the first was due, and the programme's cadence is every 14 days"
            ]
        );
        // A series that starts later is not overdue.
        let later: Vec<Meeting> = (0..3)
            .map(|k| meeting(60 + 14 * k, MeetingStatus::Scheduled))
            .collect();
        assert_eq!(assess_on(&later, 40), healthy());
    }

    #[test]
    fn a_mentee_who_cancels_the_next_meetings_is_flagged_the_day_they_do() {
        let mut meetings = series(10);
        meetings[0].status = MeetingStatus::Held;
        meetings[1].status = MeetingStatus::Held;
        // On day 25 the mentee calls off the meetings of days 35, 49 and 63.
        for (k, meeting) in meetings.iter_mut().enumerate().take(5).skip(2) {
            *meeting = cancelled(7 + 14 * k as i64, Side::Mentee, 25);
        }
        let flagged = assess_on(&meetings, 25);
        assert_eq!(flagged.status, EngagementStatus::Stalled);
        assert_eq!(flagged.reasons, ["the mentee cancelled 3 of the last 4"]);
        // Before the calls, nothing was wrong.
        assert_eq!(assess_on(&meetings, 24), healthy());
    }

    #[test]
    fn cancellations_are_counted_per_side() {
        let mut meetings = series(6);
        meetings[0].status = MeetingStatus::Held;
        meetings[1] = cancelled(21, Side::Mentor, 20);
        meetings[2].status = MeetingStatus::Held;
        meetings[3] = cancelled(49, Side::Mentee, 45);
        let mixed = assess_on(&meetings, 46);
        assert_eq!(mixed, healthy(), "one cancellation each is ordinary life");
        meetings[4] = cancelled(63, Side::Mentor, 46);
        let mentor = assess_on(&meetings, 46);
        assert_eq!(mentor.status, EngagementStatus::AtRisk);
        assert_eq!(mentor.reasons, ["the mentor cancelled 2 of the last 4"]);
    }

    #[test]
    fn missed_meetings_put_the_pair_at_risk_then_stall_it() {
        let mut meetings = series(6);
        meetings[0].status = MeetingStatus::Held;
        meetings[1].status = MeetingStatus::Missed;
        let one = assess_on(&meetings, 22);
        assert_eq!(one.status, EngagementStatus::AtRisk);
        assert_eq!(one.reasons, ["1 of the last 2 meetings was missed"]);
        meetings[2].status = MeetingStatus::Missed;
        let two = assess_on(&meetings, 36);
        assert_eq!(two.status, EngagementStatus::Stalled);
        assert_eq!(
            two.reasons,
            [
                "no meeting has been held for 29 days, and the programme's cadence is every 14 days",
                "2 of the last 3 meetings were missed"
            ]
        );
    }

    #[test]
    fn only_the_latest_meetings_count() {
        let mut meetings = series(8);
        meetings[0] = cancelled(7, Side::Mentee, 6);
        meetings[1] = cancelled(21, Side::Mentee, 20);
        for m in &mut meetings[2..6] {
            m.status = MeetingStatus::Held;
        }
        assert_eq!(assess_on(&meetings, 78), healthy());
    }

    #[test]
    fn the_worst_reason_decides_and_every_reason_is_listed() {
        let mut meetings = series(6);
        meetings[0].status = MeetingStatus::Missed;
        meetings[1] = cancelled(21, Side::Mentee, 15);
        meetings[2] = cancelled(35, Side::Mentee, 15);
        meetings[3] = cancelled(49, Side::Mentee, 15);
        let engagement = assess_on(&meetings, 30);
        assert_eq!(engagement.status, EngagementStatus::Stalled);
        assert_eq!(
            engagement.reasons,
            [
                "no meeting has been held in the 23 days since the first was due, and the programme's cadence is every 14 days",
                "the mentee cancelled 3 of the last 4",
                "1 of the last 4 meetings was missed",
            ]
        );
    }

    #[test]
    fn thresholds_are_the_programmes_settings() {
        let strict = EngagementSettings {
            first_meeting_days: 3,
            cancellations_at_risk: 1,
            ..EngagementSettings::default()
        };
        let at = |meetings: &[Meeting], today| {
            let pair = facts(meetings, today, strict.recent_meetings);
            assess(&pair, Cadence::default(), &strict, day(today)).status
        };
        assert_eq!(at(&[], 3), EngagementStatus::AtRisk);
        let mut meetings = series(3);
        meetings[0] = cancelled(7, Side::Mentor, 5);
        assert_eq!(at(&meetings, 5), EngagementStatus::AtRisk);
        let monthly = Cadence {
            virtual_every_weeks: None,
            in_person_every_months: Some(1),
        };
        assert_eq!(cadence_days(monthly), 30);
    }

    #[test]
    fn settings_out_of_range_are_named_by_field() {
        let wrong = EngagementSettings {
            first_meeting_days: 0,
            recent_meetings: 3,
            cancellations_at_risk: 3,
            cancellations_stalled: 2,
            missed_stalled: 4,
            ..EngagementSettings::default()
        };
        let fields: Vec<&str> = wrong.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "first_meeting_days",
                "missed_stalled",
                "cancellations_stalled"
            ]
        );
        assert!(EngagementSettings::default().problems().is_empty());
    }
}

//! A fair meeting schedule for a pair across time zones: recurring meetings from the pairing's
//! start to the programme's end that fall inside both people's weekly availability in every
//! week (daylight-saving changes included), follow the programme's cadence, and share the
//! inconvenience of the hour between the two. The series takes the weekly time that fits both
//! in the most meeting weeks; in a week it does not fit (two clocks that change on different
//! dates), that meeting moves to the fairest time that fits that week, or the week is skipped
//! and named.
//!
//! Fairness rule. Each meeting costs each person its distance, in minutes, from their
//! preferred time of day (0 inside it; "any time" costs nothing). A series held at one weekly
//! time costs each person the sum over its meetings. The proposal takes the weekly time whose
//! worse-off person pays least (then the least in all, then the earliest); when two weekly
//! times alternated would leave the worse-off person paying less still, because one time
//! favours the mentor and the other the mentee, it rotates between them, as the Node.js TSC
//! rotates its meeting times to spread the inconvenience.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp, ToSpan, Zoned};

use crate::{Availability, Cadence, Channel, PreferredTime};

/// One side of the pair, as the schedule needs it.
#[derive(Debug, Clone)]
pub struct Attendee<'a> {
    pub time_zone: &'a TimeZone,
    pub availability: &'a Availability,
    pub preferred: PreferredTime,
    pub channel: Channel,
}

/// What to schedule: a pair, the days the series may use, the cadence and a meeting's length.
#[derive(Debug, Clone)]
pub struct ScheduleRequest<'a> {
    pub mentor: Attendee<'a>,
    pub mentee: Attendee<'a>,
    /// The first and last day a meeting may fall on, in the mentor's calendar.
    pub first_day: Date,
    pub last_day: Date,
    pub cadence: Cadence,
    pub minutes: i64,
}

/// How a proposed meeting is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingChannel {
    Virtual,
    InPerson,
}

/// One proposed meeting, with what its hour costs each person.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ProposedMeeting {
    pub start: Timestamp,
    pub end: Timestamp,
    pub channel: MeetingChannel,
    /// Minutes outside the mentor's (mentee's) preferred time of day.
    pub mentor_cost: i64,
    pub mentee_cost: i64,
    /// Held at another time that week, because the series' time does not fit both people
    /// then (their clocks change on different dates, say).
    pub moved: bool,
}

/// The proposed series and why it is fair. It serialises so that the series a pair is agreeing
/// on can be kept as it was first accepted.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScheduleProposal {
    pub meetings: Vec<ProposedMeeting>,
    /// The weekly times used, in the mentor's time zone (two when the series rotates).
    #[serde(with = "weekdays_by_number")]
    pub weekly_times: Vec<(Weekday, Time)>,
    /// The Mondays (mentor's calendar) of meeting weeks with no time that fits both people.
    pub skipped_weeks: Vec<Date>,
}

/// jiff's `Weekday` has no serde form; it is kept as its number, Monday being 1.
mod weekdays_by_number {
    use jiff::civil::{Time, Weekday};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(times: &[(Weekday, Time)], to: S) -> Result<S::Ok, S::Error> {
        let numbered: Vec<(i8, Time)> = times
            .iter()
            .map(|&(day, time)| (day.to_monday_one_offset(), time))
            .collect();
        numbered.serialize(to)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        from: D,
    ) -> Result<Vec<(Weekday, Time)>, D::Error> {
        Vec::<(i8, Time)>::deserialize(from)?
            .into_iter()
            .map(|(day, time)| {
                Weekday::from_monday_one_offset(day)
                    .map(|day| (day, time))
                    .map_err(serde::de::Error::custom)
            })
            .collect()
    }
}

/// A change one of the pair makes to a proposed series before it is settled.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChangeError {
    #[error("there is no meeting number {0} in the proposed series")]
    NoSuchMeeting(usize),
    #[error("a meeting can only be moved to a time still to come")]
    InThePast,
}

impl ScheduleProposal {
    /// The series without its `index`-th meeting (one of the pair cannot make it).
    pub fn without(&self, index: usize) -> Result<ScheduleProposal, ChangeError> {
        if index >= self.meetings.len() {
            return Err(ChangeError::NoSuchMeeting(index));
        }
        let mut changed = self.clone();
        changed.meetings.remove(index);
        Ok(changed)
    }

    /// The series with its `index`-th meeting moved to `start` (keeping its length), its cost
    /// to each person counted again at the new time, and the series kept in time order.
    pub fn with_moved(
        &self,
        index: usize,
        start: Timestamp,
        mentor: &Attendee,
        mentee: &Attendee,
        now: Timestamp,
    ) -> Result<ScheduleProposal, ChangeError> {
        let meeting = self
            .meetings
            .get(index)
            .ok_or(ChangeError::NoSuchMeeting(index))?;
        if start <= now {
            return Err(ChangeError::InThePast);
        }
        let end = start + meeting.end.duration_since(meeting.start);
        let at = |who: &Attendee, t: Timestamp| t.to_zoned(who.time_zone.clone());
        let moved = ProposedMeeting {
            start,
            end,
            channel: meeting.channel,
            mentor_cost: cost(mentor.preferred, &at(mentor, start), &at(mentor, end)),
            mentee_cost: cost(mentee.preferred, &at(mentee, start), &at(mentee, end)),
            moved: true,
        };
        let mut changed = self.clone();
        changed.meetings[index] = moved;
        changed.meetings.sort_by_key(|m| m.start);
        Ok(changed)
    }

    pub fn rotates(&self) -> bool {
        self.weekly_times.len() > 1
    }

    /// Minutes, over the series, outside the mentor's preferred time of day.
    pub fn mentor_cost(&self) -> i64 {
        self.meetings.iter().map(|m| m.mentor_cost).sum()
    }

    /// Minutes, over the series, outside the mentee's preferred time of day.
    pub fn mentee_cost(&self) -> i64 {
        self.meetings.iter().map(|m| m.mentee_cost).sum()
    }
}

/// Why no schedule can be proposed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    #[error("the programme ends before the pairing starts")]
    NoDays,
    #[error("the cadence sets neither virtual nor in-person meetings")]
    NoCadence,
    #[error(
        "no weekly time fits both people's availability in any week of the programme; \
         one of them can add a slot, or the pair can plan meetings one by one"
    )]
    NoCommonTime,
}

/// Candidate start times are on the quarter hour.
const STEP_MINUTES: i64 = 15;

/// Proposes the fairest series for the request (see the module's fairness rule).
///
/// Complexity: O(c · w) for c candidate weekly times (four a slot hour of the mentor's and
/// the mentee's availability) and w meetings, plus O(c²) to find the best rotation.
pub fn propose_schedule(request: &ScheduleRequest) -> Result<ScheduleProposal, ScheduleError> {
    if request.last_day < request.first_day {
        return Err(ScheduleError::NoDays);
    }
    let dates = meeting_dates(request)?;
    let series: Vec<Series> = weekly_candidates(request)
        .into_iter()
        .map(|anchor| Series::held_at(request, anchor, &dates))
        .filter(|series| series.meetings.iter().any(Option::is_some))
        .collect();
    // Fewest weeks the time does not fit first, then the fairness rule.
    let single = series
        .iter()
        .min_by_key(|s| {
            (
                s.unfit.len(),
                s.mentor_cost.max(s.mentee_cost),
                s.mentor_cost + s.mentee_cost,
            )
        })
        .ok_or(ScheduleError::NoCommonTime)?;
    let rotation = best_rotation(&series);
    let mut skipped_weeks = Vec::new();
    let (weekly_times, meetings) = match rotation {
        Some((a, b)) if worse(a, b) < single.mentor_cost.max(single.mentee_cost) => (
            vec![a.anchor, b.anchor],
            alternate(a, b).cloned().collect::<Vec<_>>(),
        ),
        _ => {
            let mut meetings = single.meetings.clone();
            for &week in &single.unfit {
                meetings[week] = moved_for_the_week(&series, week);
                if meetings[week].is_none() {
                    skipped_weeks.push(dates[week].0);
                }
            }
            (
                vec![single.anchor],
                meetings.into_iter().flatten().collect(),
            )
        }
    };
    Ok(ScheduleProposal {
        weekly_times,
        meetings,
        skipped_weeks,
    })
}

/// For a week the series' own time does not fit: the fairest other time that fits that week.
fn moved_for_the_week(series: &[Series], week: usize) -> Option<ProposedMeeting> {
    let meeting = series
        .iter()
        .filter_map(|s| s.meetings[week].as_ref())
        .min_by_key(|m| {
            (
                m.mentor_cost.max(m.mentee_cost),
                m.mentor_cost + m.mentee_cost,
            )
        })?;
    Some(ProposedMeeting {
        moved: true,
        ..meeting.clone()
    })
}

/// A series held every time at one weekly time of the mentor's.
#[derive(Debug)]
struct Series {
    anchor: (Weekday, Time),
    /// One per meeting week; `None` where the anchor's day of that week falls outside the
    /// days the series may use (in its first or last week), or the time does not fit.
    meetings: Vec<Option<ProposedMeeting>>,
    /// The meeting weeks where the time falls outside either person's availability.
    unfit: Vec<usize>,
    mentor_cost: i64,
    mentee_cost: i64,
}

impl Series {
    /// The series at `anchor` on each of `dates` (their weekday is the anchor's), noting the
    /// weeks where it falls outside either person's availability.
    fn held_at(
        request: &ScheduleRequest,
        anchor: (Weekday, Time),
        dates: &[(Date, MeetingChannel)],
    ) -> Series {
        let mut unfit = Vec::new();
        let meetings: Vec<Option<ProposedMeeting>> = dates
            .iter()
            .enumerate()
            .map(|(k, &(week, channel))| {
                meeting_in_week(request, anchor, week, channel).unwrap_or_else(|| {
                    unfit.push(k);
                    None
                })
            })
            .collect();
        Series {
            anchor,
            mentor_cost: meetings.iter().flatten().map(|m| m.mentor_cost).sum(),
            mentee_cost: meetings.iter().flatten().map(|m| m.mentee_cost).sum(),
            meetings,
            unfit,
        }
    }
}

/// The meetings of series `a` and `b` alternated week by week, `a` first.
fn alternate<'s>(a: &'s Series, b: &'s Series) -> impl Iterator<Item = &'s ProposedMeeting> {
    a.meetings
        .iter()
        .zip(&b.meetings)
        .enumerate()
        .filter_map(|(k, (ours, theirs))| if k % 2 == 0 { ours } else { theirs }.as_ref())
}

/// The worse-off person's cost when series `a` and `b` alternate, `a` first.
fn worse(a: &Series, b: &Series) -> i64 {
    let (mentor, mentee) = alternate(a, b).fold((0, 0), |(mentor, mentee), meeting| {
        (mentor + meeting.mentor_cost, mentee + meeting.mentee_cost)
    });
    mentor.max(mentee)
}

/// The two weekly times whose alternation leaves the worse-off person paying least, when
/// there are two that favour different people.
fn best_rotation(series: &[Series]) -> Option<(&Series, &Series)> {
    let mut best: Option<(i64, &Series, &Series)> = None;
    for a in series {
        for b in series {
            let favours_mentor = |s: &Series| s.mentor_cost < s.mentee_cost;
            let fits = |s: &Series| s.unfit.is_empty();
            if std::ptr::eq(a, b) || favours_mentor(a) == favours_mentor(b) || !fits(a) || !fits(b)
            {
                continue;
            }
            let cost = worse(a, b);
            if best.is_none_or(|(least, _, _)| cost < least) {
                best = Some((cost, a, b));
            }
        }
    }
    best.map(|(_, a, b)| (a, b))
}

/// The meeting at `anchor` in the week starting `week` (a Monday, mentor's calendar):
/// `Some(None)` when that day falls outside the days the series may use, `None` when the
/// meeting would fall outside either person's availability.
fn meeting_in_week(
    request: &ScheduleRequest,
    (day, time): (Weekday, Time),
    week: Date,
    channel: MeetingChannel,
) -> Option<Option<ProposedMeeting>> {
    let date = week
        .checked_add(i64::from(day.to_monday_zero_offset()).days())
        .ok()?;
    if date < request.first_day || date > request.last_day {
        return Some(None);
    }
    let start = date
        .to_datetime(time)
        .to_zoned(request.mentor.time_zone.clone())
        .ok()?;
    // A start that a daylight-saving change skips does not exist that week.
    if start.time() != time {
        return None;
    }
    let end = start
        .checked_add(Span::new().minutes(request.minutes))
        .ok()?;
    let mentee_start = start.with_time_zone(request.mentee.time_zone.clone());
    let mentee_end = end.with_time_zone(request.mentee.time_zone.clone());
    if !free(request.mentor.availability, &start, &end)
        || !free(request.mentee.availability, &mentee_start, &mentee_end)
    {
        return None;
    }
    Some(Some(ProposedMeeting {
        start: start.timestamp(),
        end: end.timestamp(),
        channel,
        mentor_cost: cost(request.mentor.preferred, &start, &end),
        mentee_cost: cost(request.mentee.preferred, &mentee_start, &mentee_end),
        moved: false,
    }))
}

/// Whether the meeting from `start` to `end` (one person's local times) lies inside one of
/// their weekly slots. Slots do not cross midnight, so neither may the meeting.
fn free(availability: &Availability, start: &Zoned, end: &Zoned) -> bool {
    start.date() == end.date()
        && availability.slots().iter().any(|slot| {
            slot.day == start.weekday() && slot.start <= start.time() && end.time() <= slot.end
        })
}

/// Minutes of the meeting outside the preferred time of day.
fn cost(preferred: PreferredTime, start: &Zoned, end: &Zoned) -> i64 {
    let window = match preferred {
        PreferredTime::Morning => (8, 12),
        PreferredTime::Afternoon => (12, 17),
        PreferredTime::Evening => (17, 20),
        PreferredTime::Any => return 0,
    };
    let minute_of_day = |t: Time| i64::from(t.hour()) * 60 + i64::from(t.minute());
    let (from, to) = (minute_of_day(start.time()), minute_of_day(end.time()));
    let (open, close) = (window.0 * 60, window.1 * 60);
    (open - from).max(0).min(to - from) + (to - close).max(0).min(to - from)
}

/// Every weekly time at which a meeting of the request's length fits a slot of either person,
/// as the mentor's weekday and time. The mentee's slots count too: across time zones a time
/// that suits the mentee best may be found only from their side.
fn weekly_candidates(request: &ScheduleRequest) -> Vec<(Weekday, Time)> {
    let reference = request.first_day;
    let mut candidates = Vec::new();
    for (person, mentor_side) in [(&request.mentor, true), (&request.mentee, false)] {
        for slot in person.availability.slots() {
            let mut start = slot.start;
            while let Ok(end) = start.checked_add(Span::new().minutes(request.minutes)) {
                if end > slot.end || end < start {
                    break;
                }
                let local = (slot.day, start);
                let anchor = if mentor_side {
                    Some(local)
                } else {
                    in_mentor_time(request, reference, local)
                };
                candidates.extend(anchor);
                match start.checked_add(Span::new().minutes(STEP_MINUTES)) {
                    Ok(next) if next > start => start = next,
                    _ => break,
                }
            }
        }
    }
    candidates.sort_by_key(|&(day, time)| (day.to_monday_zero_offset(), time));
    candidates.dedup();
    candidates
}

/// The mentee's weekly time `local` in the first week of the programme, as the mentor's.
fn in_mentor_time(
    request: &ScheduleRequest,
    reference: Date,
    (day, time): (Weekday, Time),
) -> Option<(Weekday, Time)> {
    let offset =
        (day.to_monday_zero_offset() - reference.weekday().to_monday_zero_offset()).rem_euclid(7);
    let date = reference.checked_add(i64::from(offset).days()).ok()?;
    let zoned = date
        .to_datetime(time)
        .to_zoned(request.mentee.time_zone.clone())
        .ok()?
        .with_time_zone(request.mentor.time_zone.clone());
    Some((zoned.weekday(), zoned.time()))
}

/// The Monday of each meeting week (mentor's calendar) and how that meeting is held: every
/// `virtual_every_weeks` weeks from the first, the first meeting of every
/// `in_person_every_months`-th month in person when both people can meet in person. With
/// in-person meetings only, the first week of each such month. Months are counted by each
/// meeting week's Monday (or the first day, in the first week). A series keeps one weekly
/// time of the mentor's; a time that only a fixed hour of the mentee's would keep inside both
/// weeks across a clock change is not proposed.
fn meeting_dates(request: &ScheduleRequest) -> Result<Vec<(Date, MeetingChannel)>, ScheduleError> {
    let in_person_allowed = [request.mentor.channel, request.mentee.channel]
        .iter()
        .all(|&c| c != Channel::Virtual);
    let cadence = request.cadence;
    let first_monday = monday_of(request.first_day);
    let weeks = (request.last_day - first_monday).get_days() / 7 + 1;
    let every_weeks = match (cadence.virtual_every_weeks, cadence.in_person_every_months) {
        (Some(weeks), _) => i64::from(weeks),
        (None, Some(_)) => 1,
        (None, None) => return Err(ScheduleError::NoCadence),
    };
    let in_person_months = cadence.in_person_every_months.map(i64::from);
    let first_month = month_index(request.first_day);
    let mut dates = Vec::new();
    let mut last_in_person_month = None;
    for week in (0..i64::from(weeks)).step_by(every_weeks as usize) {
        let monday = first_monday
            .checked_add(week.weeks())
            .map_err(|_| ScheduleError::NoDays)?;
        let month = month_index(monday.max(request.first_day)) - first_month;
        let in_person = in_person_allowed
            && in_person_months.is_some_and(|every| month % every == 0)
            && last_in_person_month != Some(month);
        if in_person {
            last_in_person_month = Some(month);
        }
        let channel = if in_person {
            MeetingChannel::InPerson
        } else if cadence.virtual_every_weeks.is_some() {
            MeetingChannel::Virtual
        } else {
            continue;
        };
        dates.push((monday, channel));
    }
    Ok(dates)
}

fn monday_of(date: Date) -> Date {
    date.checked_sub(i64::from(date.weekday().to_monday_zero_offset()).days())
        .unwrap_or(date)
}

fn month_index(date: Date) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    fn slots(text: &str) -> Availability {
        Availability::parse(text).unwrap()
    }

    /// A request for a weekly hour from `first` to `last`, both able to meet in person.
    fn request<'a>(
        (mentor_zone, mentor_slots, mentor_time): (&'a TimeZone, &'a Availability, PreferredTime),
        (mentee_zone, mentee_slots, mentee_time): (&'a TimeZone, &'a Availability, PreferredTime),
        first_day: Date,
        last_day: Date,
    ) -> ScheduleRequest<'a> {
        let attendee = |time_zone, availability, preferred| Attendee {
            time_zone,
            availability,
            preferred,
            channel: Channel::Either,
        };
        ScheduleRequest {
            mentor: attendee(mentor_zone, mentor_slots, mentor_time),
            mentee: attendee(mentee_zone, mentee_slots, mentee_time),
            first_day,
            last_day,
            cadence: Cadence {
                virtual_every_weeks: Some(1),
                in_person_every_months: None,
            },
            minutes: 60,
        }
    }

    /// The proposal for the request, checked to lie inside both people's availability.
    fn proposed(request: &ScheduleRequest) -> ScheduleProposal {
        let proposal = propose_schedule(request).unwrap();
        assert_inside_both(request, &proposal);
        proposal
    }

    /// Every meeting lies inside a slot of each person, in each person's own local time.
    fn assert_inside_both(request: &ScheduleRequest, proposal: &ScheduleProposal) {
        assert!(!proposal.meetings.is_empty());
        for meeting in &proposal.meetings {
            for person in [&request.mentor, &request.mentee] {
                let start = meeting.start.to_zoned(person.time_zone.clone());
                let end = meeting.end.to_zoned(person.time_zone.clone());
                assert!(
                    free(person.availability, &start, &end),
                    "{start} – {end} is outside {:?}",
                    person.availability
                );
            }
        }
    }

    #[test]
    fn a_proposed_meeting_is_skipped_or_moved_with_its_cost_counted_again() {
        let (london, singapore) = (zone("Europe/London"), zone("Asia/Singapore"));
        let free = slots("Mon 08:00-18:00;Tue 08:00-18:00;Wed 08:00-18:00");
        let request = request(
            (&london, &free, PreferredTime::Morning),
            (&singapore, &free, PreferredTime::Afternoon),
            date(2027, 1, 4),
            date(2027, 3, 31),
        );
        let proposal = propose_schedule(&request).unwrap();
        let now: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
        let skipped = proposal.without(1).unwrap();
        assert_eq!(skipped.meetings.len(), proposal.meetings.len() - 1);
        assert_eq!(skipped.meetings[1], proposal.meetings[2]);
        assert_eq!(proposal.without(99), Err(ChangeError::NoSuchMeeting(99)));
        // To 09:00 London on 20 January: 01:00 after the mentee's afternoon (17:00 Singapore
        // ends at 18:00, an hour past it), nothing for the mentor.
        let start: Timestamp = "2027-01-20T09:00:00Z".parse().unwrap();
        let moved = proposal
            .with_moved(0, start, &request.mentor, &request.mentee, now)
            .unwrap();
        let found = moved.meetings.iter().find(|m| m.start == start).unwrap();
        assert!(found.moved);
        assert_eq!((found.mentor_cost, found.mentee_cost), (0, 60));
        assert!(
            moved.meetings.windows(2).all(|w| w[0].start <= w[1].start),
            "in time order"
        );
        assert_eq!(
            proposal.with_moved(0, now, &request.mentor, &request.mentee, now),
            Err(ChangeError::InThePast)
        );
    }

    #[test]
    fn london_and_singapore_keep_inside_both_weeks_across_the_clock_change() {
        let (london, singapore) = (zone("Europe/London"), zone("Asia/Singapore"));
        // London 08:00 is 16:00 in Singapore in winter, 15:00 in summer (from 28 March 2027).
        let (mentor, mentee) = (slots("Tue 08:00-10:00"), slots("Tue 15:00-18:00"));
        let request = request(
            (&london, &mentor, PreferredTime::Morning),
            (&singapore, &mentee, PreferredTime::Afternoon),
            date(2027, 1, 11),
            date(2027, 6, 30),
        );
        let proposal = proposed(&request);
        assert_eq!(proposal.meetings.len(), 25);
        let change = date(2027, 3, 28)
            .to_zoned(london.clone())
            .unwrap()
            .timestamp();
        assert!(proposal.meetings.iter().any(|m| m.start < change));
        assert!(proposal.meetings.iter().any(|m| m.start > change));
    }

    #[test]
    fn new_york_and_kolkata_drop_the_hour_that_only_fits_before_american_summer_time() {
        let (new_york, kolkata) = (zone("America/New_York"), zone("Asia/Kolkata"));
        // 07:00 in New York is 17:30 in Kolkata in winter but 16:30 from 14 March 2027, before
        // the mentee is free; 08:00 is 18:30, then 17:30: inside all year.
        let (mentor, mentee) = (slots("Mon 07:00-09:00"), slots("Mon 17:30-19:30"));
        let request = request(
            (&new_york, &mentor, PreferredTime::Any),
            (&kolkata, &mentee, PreferredTime::Any),
            date(2027, 1, 4),
            date(2027, 5, 31),
        );
        let proposal = proposed(&request);
        assert_eq!(
            proposal.weekly_times,
            [(Weekday::Monday, Time::constant(8, 0, 0, 0))]
        );
    }

    #[test]
    fn a_pair_across_the_date_line_meets_on_different_days_inside_both_weeks() {
        let (auckland, los_angeles) = (zone("Pacific/Auckland"), zone("America/Los_Angeles"));
        // Tuesday 09:00 in Auckland is Monday 12:00, 13:00 or 14:00 in Los Angeles as the two
        // change their clocks (14 March and 4 April 2027); 10:00 would end at 16:00 in April.
        let (mentor, mentee) = (slots("Tue 09:00-11:00"), slots("Mon 12:00-15:00"));
        let request = request(
            (&auckland, &mentor, PreferredTime::Any),
            (&los_angeles, &mentee, PreferredTime::Any),
            date(2027, 1, 4),
            date(2027, 6, 28),
        );
        let proposal = proposed(&request);
        assert_eq!(
            proposal.weekly_times,
            [(Weekday::Tuesday, Time::constant(9, 0, 0, 0))]
        );
        let first = &proposal.meetings[0];
        assert_eq!(first.start.to_zoned(los_angeles).weekday(), Weekday::Monday);
    }

    #[test]
    fn a_week_when_the_clocks_disagree_is_moved_or_skipped_not_the_whole_series() {
        // From the demo: Berlin and New York are six hours apart except from 14 to 28 March
        // 2027, when New York has changed its clocks and Berlin has not. Monday 13:30 in
        // Berlin is 07:30 in New York all year but 08:30 then, after the mentee's slot; no
        // other time fits that week either.
        let (berlin, new_york) = (zone("Europe/Berlin"), zone("America/New_York"));
        let mentor = slots("Mon 13:00-14:30;Tue 12:00-13:30;Wed 15:00-16:30");
        let mentee = slots("Mon 07:00-08:30;Wed 13:00-14:30;Fri 07:00-08:30");
        let mut request = request(
            (&berlin, &mentor, PreferredTime::Afternoon),
            (&new_york, &mentee, PreferredTime::Morning),
            date(2027, 1, 11),
            date(2027, 10, 29),
        );
        request.cadence = Cadence::default();
        let proposal = proposed(&request);
        // 13:30 costs the mentee 30 minutes before 08:00; 13:00 would cost 60.
        assert_eq!(
            proposal.weekly_times,
            [(Weekday::Monday, Time::constant(13, 30, 0, 0))]
        );
        assert_eq!(proposal.skipped_weeks, [date(2027, 3, 22)]);
        assert!(proposal.meetings.iter().all(|m| !m.moved));
        // Give the mentee Tuesday 07:00–08:00 as well: Tuesday 12:00 in Berlin is 06:00 in
        // New York most weeks but 07:00 that week, so that week's meeting moves there.
        let wider = slots("Mon 07:00-08:30;Tue 07:00-08:00;Wed 13:00-14:30;Fri 07:00-08:30");
        request.mentee.availability = &wider;
        let proposal = proposed(&request);
        assert!(proposal.skipped_weeks.is_empty());
        let moved: Vec<_> = proposal.meetings.iter().filter(|m| m.moved).collect();
        assert_eq!(moved.len(), 1);
        assert_eq!(
            moved[0].start.to_zoned(berlin).datetime(),
            date(2027, 3, 23).at(12, 0, 0, 0)
        );
    }

    #[test]
    fn a_time_inside_both_preferences_costs_nothing_and_the_earliest_is_taken() {
        let utc = TimeZone::UTC;
        let both = slots("Wed 07:00-13:00");
        let request = request(
            (&utc, &both, PreferredTime::Morning),
            (&utc, &both, PreferredTime::Morning),
            date(2027, 1, 4),
            date(2027, 1, 31),
        );
        let proposal = propose_schedule(&request).unwrap();
        // 07:00 costs an hour each; 08:00–11:00 cost nothing; the earliest is 08:00.
        assert_eq!(
            proposal.weekly_times,
            [(Weekday::Wednesday, Time::constant(8, 0, 0, 0))]
        );
        assert_eq!((proposal.mentor_cost(), proposal.mentee_cost()), (0, 0));
        assert!(!proposal.rotates());
    }

    #[test]
    fn when_every_hour_favours_one_side_the_series_rotates_and_halves_the_worse_cost() {
        let utc = TimeZone::UTC;
        let both = slots("Wed 10:00-19:00");
        // Morning (08–12) against evening (17–20): five hours apart, so every hour-long
        // meeting lies wholly outside one of the two windows and costs someone 60 minutes.
        // Four weekly meetings at one time cost the worse-off person 240; alternating a time
        // the mentor likes (10:00: 0 and 60) with one the mentee likes (17:00: 60 and 0)
        // costs each 120.
        let request = request(
            (&utc, &both, PreferredTime::Morning),
            (&utc, &both, PreferredTime::Evening),
            date(2027, 1, 4),
            date(2027, 1, 31),
        );
        let proposal = propose_schedule(&request).unwrap();
        assert!(proposal.rotates());
        assert_eq!(proposal.meetings.len(), 4);
        assert_eq!((proposal.mentor_cost(), proposal.mentee_cost()), (120, 120));
        // Five meetings: three at the first time, two at the second; 180 against 300.
        let longer = ScheduleRequest {
            last_day: date(2027, 2, 7),
            ..request
        };
        let proposal = propose_schedule(&longer).unwrap();
        assert_eq!(proposal.meetings.len(), 5);
        assert_eq!(proposal.mentor_cost().max(proposal.mentee_cost()), 180);
    }

    #[test]
    fn the_cost_of_an_hour_is_its_minutes_outside_the_preferred_window() {
        let at = |h, m| {
            date(2027, 1, 6)
                .at(h, m, 0, 0)
                .to_zoned(TimeZone::UTC)
                .unwrap()
        };
        let morning = PreferredTime::Morning;
        assert_eq!(cost(morning, &at(7, 30), &at(8, 30)), 30);
        assert_eq!(cost(morning, &at(11, 30), &at(13, 0)), 60);
        assert_eq!(cost(morning, &at(9, 0), &at(10, 0)), 0);
        assert_eq!(cost(morning, &at(14, 0), &at(15, 0)), 60);
        assert_eq!(cost(PreferredTime::Any, &at(2, 0), &at(3, 0)), 0);
    }

    #[test]
    fn the_cadence_sets_the_weeks_and_the_first_meeting_of_each_month_is_in_person() {
        let utc = TimeZone::UTC;
        let both = slots("Thu 10:00-12:00");
        let mut request = request(
            (&utc, &both, PreferredTime::Any),
            (&utc, &both, PreferredTime::Any),
            date(2027, 1, 4),
            date(2027, 3, 28),
        );
        request.cadence = Cadence::default(); // virtual every 2 weeks, in person monthly
        let proposal = propose_schedule(&request).unwrap();
        let days: Vec<(i8, MeetingChannel)> = proposal
            .meetings
            .iter()
            .map(|m| (m.start.to_zoned(utc.clone()).day(), m.channel))
            .collect();
        use MeetingChannel::{InPerson, Virtual};
        // Thursdays 7 and 21 January, 4 and 18 February, 4 and 18 March.
        assert_eq!(
            days,
            [
                (7, InPerson),
                (21, Virtual),
                (4, InPerson),
                (18, Virtual),
                (4, InPerson),
                (18, Virtual)
            ]
        );
        // One of the two only meets virtually: nothing in person.
        request.mentee.channel = Channel::Virtual;
        let proposal = propose_schedule(&request).unwrap();
        assert!(proposal.meetings.iter().all(|m| m.channel == Virtual));
    }

    #[test]
    fn no_common_time_and_no_days_are_errors_that_say_what_to_do() {
        let utc = TimeZone::UTC;
        let (mornings, evenings) = (slots("Mon 08:00-10:00"), slots("Mon 18:00-20:00"));
        let apart = request(
            (&utc, &mornings, PreferredTime::Any),
            (&utc, &evenings, PreferredTime::Any),
            date(2027, 1, 4),
            date(2027, 3, 1),
        );
        let error = propose_schedule(&apart).unwrap_err();
        assert_eq!(error, ScheduleError::NoCommonTime);
        assert!(error.to_string().contains("add a slot"));
        let backwards = ScheduleRequest {
            last_day: date(2026, 12, 1),
            ..apart
        };
        assert_eq!(propose_schedule(&backwards), Err(ScheduleError::NoDays));
    }
}

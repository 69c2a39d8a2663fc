//! Weekly availability across time zones: each person's local slots become a bit mask over the
//! minutes of a UTC week (5-minute steps), once per reference week of the programme, so a
//! daylight-saving change between those weeks is seen. Two masks overlap if they share a
//! contiguous run at least one session long in every reference week.

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

/// Minutes per step of a mask. Slots are rounded inwards to it (08:10 starts at 08:10, 08:12
/// at 08:15), so an overlap is never overstated.
pub const STEP_MINUTES: i64 = 5;
const STEPS: usize = (7 * 24 * 60 / STEP_MINUTES) as usize;
const WORDS: usize = STEPS.div_ceil(64);

/// A local weekly slot: a day and a start and end time on it, in the person's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalSlot {
    pub day: Weekday,
    pub start: Time,
    pub end: Time,
}

/// One week of availability in UTC, from the Monday 00:00 UTC that starts the reference week.
#[derive(Clone, PartialEq, Eq)]
pub struct WeekMask {
    words: [u64; WORDS],
}

impl std::fmt::Debug for WeekMask {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "WeekMask({} minutes)", self.minutes())
    }
}

impl WeekMask {
    pub fn empty() -> Self {
        Self { words: [0; WORDS] }
    }

    /// The mask of `slots` (local to `zone`) during the week that starts on `monday`.
    pub fn of(slots: &[LocalSlot], zone: &TimeZone, monday: Date) -> Self {
        let mut mask = Self::empty();
        let week_start = monday
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0);
        for slot in slots {
            let Ok(date) = monday
                .checked_add(jiff::Span::new().days(i64::from(slot.day.to_monday_zero_offset())))
            else {
                continue;
            };
            let at = |time: Time| -> Option<i64> {
                let local = if time == Time::MAX {
                    date.tomorrow().ok()?.to_datetime(Time::midnight())
                } else {
                    date.to_datetime(time)
                };
                Some((local.to_zoned(zone.clone()).ok()?.timestamp().as_second() - week_start) / 60)
            };
            if let (Some(start), Some(end)) = (at(slot.start), at(slot.end)) {
                mask.add_minutes(start, end);
            }
        }
        mask
    }

    /// Adds `[start, end)` minutes from the week start, wrapping around the week.
    fn add_minutes(&mut self, start: i64, end: i64) {
        let week = 7 * 24 * 60;
        let first = start.div_euclid(STEP_MINUTES) + i64::from(start.rem_euclid(STEP_MINUTES) != 0);
        let last = end.div_euclid(STEP_MINUTES);
        for step in first..last {
            let index = (step * STEP_MINUTES).rem_euclid(week) / STEP_MINUTES;
            self.words[index as usize / 64] |= 1 << (index % 64);
        }
    }

    pub fn and(&self, other: &Self) -> Self {
        let mut words = [0; WORDS];
        for (k, word) in words.iter_mut().enumerate() {
            *word = self.words[k] & other.words[k];
        }
        Self { words }
    }

    pub fn minutes(&self) -> i64 {
        self.words
            .iter()
            .map(|w| i64::from(w.count_ones()))
            .sum::<i64>()
            * STEP_MINUTES
    }

    /// Whether some contiguous run is at least `minutes` long, counting a run across
    /// Sunday→Monday as one. Word-parallel: the week is laid out twice in a row and the mask is
    /// ANDed with shifted copies of itself until only runs of the wanted length survive.
    pub fn has_run_minutes(&self, minutes: i64) -> bool {
        let steps = (minutes.max(0) as usize).div_ceil(STEP_MINUTES as usize);
        if steps == 0 {
            return true;
        }
        if steps > STEPS || (self.minutes() / STEP_MINUTES) < steps as i64 {
            return false;
        }
        // Two weeks back to back: bit i and bit i + STEPS (STEPS = 31 words + 32 bits).
        let mut run = [0u64; 2 * WORDS];
        for (k, &word) in self.words.iter().enumerate() {
            run[k] |= word;
            run[k + 31] |= word << 32;
            if k + 32 < run.len() {
                run[k + 32] |= word >> 32;
            }
        }
        // Bit i of `run` now means "steps i..i+covered are all free".
        let mut covered = 1;
        while covered < steps {
            let shift = covered.min(steps - covered);
            let (words, bits) = (shift / 64, shift % 64);
            for k in 0..run.len() {
                let low = run.get(k + words).copied().unwrap_or(0);
                let high = run.get(k + words + 1).copied().unwrap_or(0);
                let shifted = if bits == 0 {
                    low
                } else {
                    (low >> bits) | (high << (64 - bits))
                };
                run[k] &= shifted;
            }
            covered += shift;
        }
        // A run must start within the first week.
        run[..31].iter().any(|&w| w != 0) || run[31] & 0xFFFF_FFFF != 0
    }

    /// Each run as `(start, end)` minutes from the week start (for time-of-day checks).
    pub fn runs(&self) -> Vec<(i64, i64)> {
        let bit = |i: usize| self.words[i / 64] >> (i % 64) & 1 == 1;
        let mut runs = Vec::new();
        let mut start = None;
        for i in 0..=STEPS {
            match (i < STEPS && bit(i), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    runs.push((s as i64 * STEP_MINUTES, i as i64 * STEP_MINUTES));
                    start = None;
                }
                _ => {}
            }
        }
        runs
    }
}

/// The Monday on or before `date`: reference weeks start on Mondays.
pub fn monday_of(date: Date) -> Date {
    date.checked_sub(jiff::Span::new().days(i64::from(date.weekday().to_monday_zero_offset())))
        .unwrap_or(date)
}

/// Reference weeks from `start` to `end`: the first week and then every four weeks, which is
/// enough to see every daylight-saving regime a programme of up to a year passes through.
pub fn reference_weeks(start: Date, end: Date) -> Vec<Date> {
    let mut weeks = vec![monday_of(start)];
    while let Some(next) = weeks
        .last()
        .and_then(|w| w.checked_add(jiff::Span::new().weeks(4)).ok())
    {
        if next > end {
            break;
        }
        weeks.push(next);
    }
    weeks
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::{date, time};

    fn slot(day: Weekday, start: (i8, i8), end: (i8, i8)) -> LocalSlot {
        LocalSlot {
            day,
            start: time(start.0, start.1, 0, 0),
            end: time(end.0, end.1, 0, 0),
        }
    }

    fn zone(name: &str) -> TimeZone {
        TimeZone::get(name).unwrap()
    }

    #[test]
    fn london_and_new_york_overlap_for_an_hour_in_winter() {
        // Monday 13 January 2025. London 14:00-16:00 is 14:00-16:00 UTC; New York 09:00-10:00 is
        // 14:00-15:00 UTC.
        let monday = date(2025, 1, 13);
        let london = WeekMask::of(
            &[slot(Weekday::Monday, (14, 0), (16, 0))],
            &zone("Europe/London"),
            monday,
        );
        let new_york = WeekMask::of(
            &[slot(Weekday::Monday, (9, 0), (10, 0))],
            &zone("America/New_York"),
            monday,
        );
        let both = london.and(&new_york);
        assert_eq!(both.minutes(), 60);
        assert_eq!(both.runs(), [(14 * 60, 15 * 60)]);
    }

    #[test]
    fn a_daylight_saving_gap_between_europe_and_america_shifts_the_overlap() {
        // 10-16 March 2025: New York is on summer time (UTC-4) from 9 March, London not until
        // 30 March (UTC+0). New York 10:00-11:00 is 14:00-15:00 UTC that week, 15:00-16:00 UTC
        // in January. London is free 15:00-16:00 local = UTC in both weeks.
        let london_slots = [slot(Weekday::Tuesday, (15, 0), (16, 0))];
        let new_york_slots = [slot(Weekday::Tuesday, (10, 0), (11, 0))];
        let overlap = |monday| {
            WeekMask::of(&london_slots, &zone("Europe/London"), monday)
                .and(&WeekMask::of(
                    &new_york_slots,
                    &zone("America/New_York"),
                    monday,
                ))
                .minutes()
        };
        assert_eq!(
            overlap(date(2025, 1, 13)),
            60,
            "in January both are on standard time"
        );
        assert_eq!(
            overlap(date(2025, 3, 10)),
            0,
            "in mid-March the hour has moved"
        );
        assert_eq!(
            overlap(date(2025, 4, 7)),
            60,
            "in April both are on summer time again"
        );
    }

    #[test]
    fn a_slot_that_crosses_the_utc_week_end_wraps_and_counts_as_one_run() {
        // Sunday 20:00-24:00 in Sydney (UTC+11 in January) is Sunday 09:00-13:00 UTC; Monday
        // 06:00-08:00 in Sydney is Sunday 19:00-21:00 UTC of the same week.
        let monday = date(2025, 1, 13);
        let sydney = WeekMask::of(
            &[slot(Weekday::Monday, (6, 0), (8, 0))],
            &zone("Australia/Sydney"),
            monday,
        );
        assert_eq!(sydney.minutes(), 120);
        let honolulu = WeekMask::of(
            &[slot(Weekday::Sunday, (9, 0), (10, 0))],
            &zone("Pacific/Honolulu"),
            monday,
        );
        // Honolulu (UTC-10) Sunday 09:00-10:00 is Sunday 19:00-20:00 UTC.
        assert_eq!(sydney.and(&honolulu).minutes(), 60);
        let midnight = [
            LocalSlot {
                day: Weekday::Sunday,
                start: time(23, 0, 0, 0),
                end: Time::MAX,
            },
            slot(Weekday::Monday, (0, 0), (1, 0)),
            slot(Weekday::Wednesday, (9, 0), (10, 30)),
        ];
        let mask = WeekMask::of(&midnight, &TimeZone::UTC, monday);
        assert!(
            mask.has_run_minutes(120),
            "Sunday 23:00 to Monday 01:00 is one run"
        );
        assert!(!mask.has_run_minutes(125));
        assert!(mask.has_run_minutes(90), "Wednesday 09:00-10:30");
    }

    #[test]
    fn runs_are_found_at_any_position_and_length() {
        let monday = date(2025, 1, 13);
        for (day, start, length) in [
            (Weekday::Monday, (0, 0), 60),
            (Weekday::Thursday, (13, 35), 65),
            (Weekday::Sunday, (20, 0), 240),
        ] {
            let end_minutes = i64::from(start.0) * 60 + i64::from(start.1) + length;
            let end = if end_minutes == 24 * 60 {
                Time::MAX
            } else {
                time((end_minutes / 60) as i8, (end_minutes % 60) as i8, 0, 0)
            };
            let mask = WeekMask::of(
                &[LocalSlot {
                    day,
                    start: time(start.0, start.1, 0, 0),
                    end,
                }],
                &TimeZone::UTC,
                monday,
            );
            assert!(mask.has_run_minutes(length), "{day:?} {start:?} {length}");
            assert!(
                !mask.has_run_minutes(length + 5),
                "{day:?} {start:?} {length}"
            );
        }
        assert!(WeekMask::empty().has_run_minutes(0));
        assert!(!WeekMask::empty().has_run_minutes(5));
    }

    #[test]
    fn odd_minutes_round_inwards() {
        let monday = date(2025, 1, 13);
        let mask = WeekMask::of(
            &[slot(Weekday::Monday, (8, 2), (9, 58))],
            &TimeZone::UTC,
            monday,
        );
        assert_eq!(mask.runs(), [(8 * 60 + 5, 9 * 60 + 55)]);
    }

    #[test]
    fn reference_weeks_start_on_mondays_every_four_weeks() {
        let weeks = reference_weeks(date(2025, 1, 15), date(2025, 3, 31));
        assert_eq!(
            weeks,
            [date(2025, 1, 13), date(2025, 2, 10), date(2025, 3, 10)]
        );
    }
}

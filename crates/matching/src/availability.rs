//! Weekly availability across time zones: each person's local slots become the runs of minutes
//! of a UTC week (5-minute steps) they are free, once per reference week of the programme, so a
//! daylight-saving change between those weeks is seen. Two people overlap if they share a
//! contiguous run at least one session long in every reference week.
//!
//! Runs rather than a bit mask: people give a handful of slots, so intersecting two sorted run
//! lists costs a few comparisons where a week of 5-minute bits costs 32 words, and pair checks
//! are the hot loop of candidate generation.

use std::iter::Peekable;

use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;

/// Minutes per step. Slots are rounded inwards to it (08:10 starts at 08:10, 08:12 at 08:15),
/// so an overlap is never overstated.
pub const STEP_MINUTES: i64 = 5;
/// Minutes in a week.
pub const WEEK_MINUTES: i64 = 7 * 24 * 60;

/// A run of free minutes `[start, end)` from the start of the week.
pub type Run = (u16, u16);

/// A local weekly slot: a day and a start and end time on it, in the person's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocalSlot {
    pub day: Weekday,
    pub start: Time,
    pub end: Time,
}

/// One week of availability in UTC from the Monday 00:00 UTC that starts it: sorted, disjoint,
/// non-touching runs on 5-minute steps. A run that ends at the end of the week and one that
/// starts at its beginning are one run across Sunday → Monday.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Week {
    runs: Vec<Run>,
}

impl Week {
    /// The week of `slots` (local to `zone`) that starts on `monday`.
    pub fn of(slots: &[LocalSlot], zone: &TimeZone, monday: Date) -> Self {
        let week_start = monday
            .to_zoned(TimeZone::UTC)
            .map(|z| z.timestamp().as_second())
            .unwrap_or(0);
        let minutes = slots.iter().filter_map(|slot| {
            let date = monday
                .checked_add(jiff::Span::new().days(i64::from(slot.day.to_monday_zero_offset())))
                .ok()?;
            let at = |time: Time| -> Option<i64> {
                let local = if time == Time::MAX {
                    date.tomorrow().ok()?.to_datetime(Time::midnight())
                } else {
                    date.to_datetime(time)
                };
                Some((local.to_zoned(zone.clone()).ok()?.timestamp().as_second() - week_start) / 60)
            };
            Some((at(slot.start)?, at(slot.end)?))
        });
        Self::from_minutes(minutes)
    }

    /// The week made of `[start, end)` minute ranges counted from the week start; ranges are
    /// rounded inwards to whole steps and wrap around the week.
    pub fn from_minutes(ranges: impl IntoIterator<Item = (i64, i64)>) -> Self {
        let mut runs: Vec<(i64, i64)> = Vec::new();
        for (start, end) in ranges {
            let first = ceil_step(start);
            let last = end.div_euclid(STEP_MINUTES) * STEP_MINUTES;
            if first >= last {
                continue;
            }
            if last - first >= WEEK_MINUTES {
                runs.push((0, WEEK_MINUTES));
                continue;
            }
            let start = first.rem_euclid(WEEK_MINUTES);
            let end = start + (last - first);
            if end > WEEK_MINUTES {
                runs.push((start, WEEK_MINUTES));
                runs.push((0, end - WEEK_MINUTES));
            } else {
                runs.push((start, end));
            }
        }
        runs.sort_unstable();
        let mut merged: Vec<Run> = Vec::with_capacity(runs.len());
        for (start, end) in runs {
            let (start, end) = (start as u16, end as u16);
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Self { runs: merged }
    }

    /// Each run as `[start, end)` minutes from the week start, a run across Sunday → Monday
    /// appearing as its two parts.
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    pub fn and(&self, other: &Self) -> Self {
        Self {
            runs: intersect(self.runs.iter().copied(), other.runs.iter().copied()).collect(),
        }
    }

    pub fn minutes(&self) -> i64 {
        minutes(self.runs.iter().copied())
    }

    /// The longest contiguous run, counting a run across Sunday → Monday as one.
    pub fn longest_run(&self) -> i64 {
        measure(self.runs.iter().copied()).1
    }
}

/// The smallest multiple of the step at or after `minute`.
fn ceil_step(minute: i64) -> i64 {
    minute.div_euclid(STEP_MINUTES) * STEP_MINUTES
        + if minute.rem_euclid(STEP_MINUTES) == 0 {
            0
        } else {
            STEP_MINUTES
        }
}

/// The total length of `runs`.
pub fn minutes(runs: impl Iterator<Item = Run>) -> i64 {
    runs.map(|(start, end)| i64::from(end - start)).sum()
}

/// The total length and the longest run (joining the week's end to its start) of sorted `runs`,
/// in one pass.
pub fn measure(runs: impl Iterator<Item = Run>) -> (i64, i64) {
    let (mut total, mut longest, mut opening, mut closing) = (0i64, 0i64, 0i64, 0i64);
    for (start, end) in runs {
        let length = i64::from(end - start);
        total += length;
        longest = longest.max(length);
        if start == 0 {
            opening = length;
        }
        closing = if i64::from(end) == WEEK_MINUTES {
            length
        } else {
            0
        };
    }
    if opening == WEEK_MINUTES {
        return (total, WEEK_MINUTES);
    }
    (total, longest.max(opening + closing))
}

/// The runs common to two sorted run lists, without allocating.
pub fn intersect<A, B>(a: A, b: B) -> Intersection<A, B>
where
    A: Iterator<Item = Run>,
    B: Iterator<Item = Run>,
{
    Intersection {
        a: a.peekable(),
        b: b.peekable(),
    }
}

/// See [`intersect`].
pub struct Intersection<A: Iterator<Item = Run>, B: Iterator<Item = Run>> {
    a: Peekable<A>,
    b: Peekable<B>,
}

impl<A: Iterator<Item = Run>, B: Iterator<Item = Run>> Iterator for Intersection<A, B> {
    type Item = Run;

    fn next(&mut self) -> Option<Run> {
        loop {
            let (x, y) = (*self.a.peek()?, *self.b.peek()?);
            if x.1 <= y.1 {
                self.a.next();
            } else {
                self.b.next();
            }
            let (start, end) = (x.0.max(y.0), x.1.min(y.1));
            if start < end {
                return Some((start, end));
            }
        }
    }
}

/// The minutes of the week (from Monday 00:00 UTC) that fall inside the local daily window
/// `[from, to)` of someone `offset_minutes` ahead of UTC, on 5-minute steps: a step counts when
/// its first minute is inside the window.
pub fn daily_window(from: i64, to: i64, offset_minutes: i64) -> Week {
    let day = 24 * 60;
    Week::from_minutes((-1..=7).map(|d| {
        let start = d * day + from - offset_minutes;
        let end = d * day + to - offset_minutes;
        // A step at minute m is in the window when start ≤ m < end; on whole steps that is
        // ceil(start) ≤ m < ceil(end).
        (ceil_step(start).max(0), ceil_step(end).min(WEEK_MINUTES))
    }))
}

/// The length of the coarse grid's blocks for sessions of `session_minutes`: the largest
/// multiple of the step that divides the week such that every common run of a session holds a
/// whole aligned block (a run of `2B − 5` minutes on whole steps always does); 0 if none does.
pub fn block_minutes(session_minutes: i64) -> i64 {
    (1..=WEEK_MINUTES / STEP_MINUTES)
        .map(|k| k * STEP_MINUTES)
        .filter(|&b| WEEK_MINUTES % b == 0 && 2 * b - STEP_MINUTES <= session_minutes)
        .max()
        .unwrap_or(0)
}

/// A week on a grid of aligned blocks, as bit sets: the blocks its runs cover whole and the
/// blocks they touch. Two weeks share at most `block` minutes per block both touch, and at
/// least `block` minutes per block both cover; with [`block_minutes`] blocks, a common run of a
/// session covers a whole block. Candidate generation bounds pairs with these before it
/// merges run lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    pub covered: Vec<u64>,
    pub touched: Vec<u64>,
}

impl Grid {
    pub fn of(runs: &[Run], block: i64) -> Self {
        let words = ((WEEK_MINUTES / block) as usize).div_ceil(64);
        let mut grid = Self {
            covered: vec![0; words],
            touched: vec![0; words],
        };
        let set = |bits: &mut Vec<u64>, blocks: std::ops::Range<i64>| {
            for b in blocks {
                bits[b as usize / 64] |= 1 << (b % 64);
            }
        };
        for &(start, end) in runs {
            let (start, end) = (i64::from(start), i64::from(end));
            set(&mut grid.covered, (start + block - 1) / block..end / block);
            set(&mut grid.touched, start / block..(end + block - 1) / block);
        }
        grid
    }
}

/// How many blocks two bit sets of the same grid share.
pub fn shared_blocks(a: &[u64], b: &[u64]) -> i64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| i64::from((x & y).count_ones()))
        .sum()
}

/// The blocks in a bit set, in order.
pub fn blocks(bits: &[u64]) -> impl Iterator<Item = usize> + '_ {
    bits.iter().enumerate().flat_map(|(w, &word)| {
        let mut rest = word;
        std::iter::from_fn(move || {
            (rest != 0).then(|| {
                let bit = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                w * 64 + bit
            })
        })
    })
}

/// The windows candidate generation indexes free time by, for sessions of a given length:
/// windows of `length` minutes starting every `grid` minutes of the week (wrapping at its end).
/// A common run of a session always holds a whole window: a run `[a, b)` on whole steps with
/// `b − a ≥ session` reaches the next grid start `t ≤ a + grid − 5` and holds `[t, t + length)`
/// because `length = session − grid + 5` (the session rounded up to a step). So two people who
/// share a session's time share a window, and, the window being almost a session long, few who
/// share a window do not. A finer grid would be exact for the first week but make a busy
/// person's window list several times longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionWindows {
    pub grid: i64,
    pub length: i64,
}

/// The grid for session windows: 15 minutes, or the session itself if shorter.
const WINDOW_GRID_MINUTES: i64 = 15;

impl SessionWindows {
    /// `None` when no two people can share a session (it is empty or longer than a week).
    pub fn for_session(session_minutes: i64) -> Option<Self> {
        let session = ceil_step(session_minutes);
        if session <= 0 || session > WEEK_MINUTES {
            return None;
        }
        let grid = WINDOW_GRID_MINUTES.min(session);
        Some(Self {
            grid,
            length: session - grid + STEP_MINUTES,
        })
    }

    /// How many windows a week holds.
    pub fn count(self) -> usize {
        (WEEK_MINUTES / self.grid) as usize
    }

    /// The windows (by start ÷ grid) that sorted, disjoint `runs` cover whole, joining a run that
    /// ends with the week to one that starts it; each window once.
    pub fn covered(self, runs: &[Run]) -> Vec<u16> {
        let mut joined: Vec<(i64, i64)> = runs
            .iter()
            .map(|&(start, end)| (i64::from(start), i64::from(end)))
            .collect();
        if joined.first() == Some(&(0, WEEK_MINUTES)) {
            return (0..self.count() as u16).collect();
        }
        if joined.len() > 1 && joined[0].0 == 0 && joined[joined.len() - 1].1 == WEEK_MINUTES {
            let opening = joined.remove(0);
            if let Some(last) = joined.last_mut() {
                last.1 += opening.1;
            }
        }
        let mut windows = Vec::new();
        for (start, end) in joined {
            let mut t = (start + self.grid - 1) / self.grid * self.grid;
            while t + self.length <= end {
                windows.push((t.rem_euclid(WEEK_MINUTES) / self.grid) as u16);
                t += self.grid;
            }
        }
        windows.sort_unstable();
        windows
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
        let london = Week::of(
            &[slot(Weekday::Monday, (14, 0), (16, 0))],
            &zone("Europe/London"),
            monday,
        );
        let new_york = Week::of(
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
            Week::of(&london_slots, &zone("Europe/London"), monday)
                .and(&Week::of(
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
        let sydney = Week::of(
            &[slot(Weekday::Monday, (6, 0), (8, 0))],
            &zone("Australia/Sydney"),
            monday,
        );
        assert_eq!(sydney.minutes(), 120);
        let honolulu = Week::of(
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
        let week = Week::of(&midnight, &TimeZone::UTC, monday);
        assert_eq!(
            week.longest_run(),
            120,
            "Sunday 23:00 to Monday 01:00 is one run"
        );
        assert_eq!(
            week.runs()[1],
            (9 * 60 + 2 * 24 * 60, 10 * 60 + 30 + 2 * 24 * 60)
        );
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
            let week = Week::of(
                &[LocalSlot {
                    day,
                    start: time(start.0, start.1, 0, 0),
                    end,
                }],
                &TimeZone::UTC,
                monday,
            );
            assert_eq!(week.longest_run(), length, "{day:?} {start:?}");
        }
        assert_eq!(Week::default().longest_run(), 0);
    }

    #[test]
    fn odd_minutes_round_inwards() {
        let monday = date(2025, 1, 13);
        let mask = Week::of(
            &[slot(Weekday::Monday, (8, 2), (9, 58))],
            &TimeZone::UTC,
            monday,
        );
        assert_eq!(mask.runs(), [(8 * 60 + 5, 9 * 60 + 55)]);
    }

    #[test]
    fn blocks_fit_inside_every_run_of_a_session() {
        assert_eq!(block_minutes(60), 30);
        assert_eq!(block_minutes(45), 20);
        assert_eq!(block_minutes(30), 15);
        assert_eq!(block_minutes(4), 0);
        for session in 5..=240 {
            let block = block_minutes(session);
            assert_eq!(WEEK_MINUTES % block, 0);
            // Every run of `session` minutes on whole steps holds a whole aligned block.
            for start in (0..WEEK_MINUTES).step_by(5) {
                let end = start + session / 5 * 5;
                let first = (start + block - 1) / block;
                assert!(
                    (first + 1) * block <= end,
                    "session {session} start {start}"
                );
            }
        }
    }

    #[test]
    fn grids_hold_the_blocks_runs_cover_and_touch() {
        let grid = Grid::of(&[(0, 30), (35, 95), (100, 110)], 30);
        assert_eq!(blocks(&grid.covered).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(blocks(&grid.touched).collect::<Vec<_>>(), [0, 1, 2, 3]);
        assert_eq!(
            grid.covered.len(),
            6,
            "336 blocks of 30 minutes in six words"
        );
    }

    #[test]
    fn session_windows_start_on_the_grid_and_wrap_around_the_week() {
        let hour = SessionWindows::for_session(60).unwrap();
        assert_eq!(
            hour,
            SessionWindows {
                grid: 15,
                length: 50
            }
        );
        assert_eq!(hour.count(), 672);
        // 08:05–09:10 holds the 50 minutes from 08:15 only.
        assert_eq!(hour.covered(&[(485, 550)]), [33]);
        // Sunday 23:30 → Monday 00:40 is one run: windows from 23:30 and 23:45.
        let end = WEEK_MINUTES as u16;
        assert_eq!(hour.covered(&[(0, 40), (end - 30, end)]), [670, 671]);
        assert_eq!(hour.covered(&[(0, end)]).len(), 672);
        assert_eq!(
            SessionWindows::for_session(10),
            Some(SessionWindows {
                grid: 10,
                length: 5
            })
        );
        assert_eq!(SessionWindows::for_session(0), None);
        assert_eq!(SessionWindows::for_session(WEEK_MINUTES + 5), None);
    }

    #[test]
    fn reference_weeks_start_on_mondays_every_four_weeks() {
        let weeks = reference_weeks(date(2025, 1, 15), date(2025, 3, 31));
        assert_eq!(
            weeks,
            [date(2025, 1, 13), date(2025, 2, 10), date(2025, 3, 10)]
        );
    }

    /// The obvious model: one flag per 5-minute step of the week.
    fn steps_of(ranges: &[(i64, i64)]) -> Vec<bool> {
        let steps = (WEEK_MINUTES / STEP_MINUTES) as usize;
        let mut free = vec![false; steps];
        for &(start, end) in ranges {
            let first =
                start.div_euclid(STEP_MINUTES) + i64::from(start.rem_euclid(STEP_MINUTES) != 0);
            for step in first..end.div_euclid(STEP_MINUTES) {
                free[(step * STEP_MINUTES).rem_euclid(WEEK_MINUTES) as usize
                    / STEP_MINUTES as usize] = true;
            }
        }
        free
    }

    fn longest_circular(free: &[bool]) -> i64 {
        if free.iter().all(|&f| f) {
            return WEEK_MINUTES;
        }
        let (mut longest, mut current) = (0, 0);
        for &f in free.iter().chain(free) {
            current = if f { current + 1 } else { 0 };
            longest = longest.max(current);
        }
        longest * STEP_MINUTES
    }

    fn ranges() -> impl proptest::strategy::Strategy<Value = Vec<(i64, i64)>> {
        use proptest::prelude::*;
        prop::collection::vec(
            (-2000i64..WEEK_MINUTES + 2000, 0i64..900)
                .prop_map(|(start, length)| (start, start + length)),
            0..6,
        )
    }

    proptest::proptest! {
        #[test]
        fn runs_agree_with_a_step_by_step_model(a in ranges(), b in ranges()) {
            let (x, y) = (Week::from_minutes(a.clone()), Week::from_minutes(b.clone()));
            let (fx, fy) = (steps_of(&a), steps_of(&b));
            let both: Vec<bool> = fx.iter().zip(&fy).map(|(p, q)| *p && *q).collect();
            let step_count = |f: &[bool]| f.iter().filter(|&&s| s).count() as i64 * STEP_MINUTES;
            proptest::prop_assert_eq!(x.minutes(), step_count(&fx));
            proptest::prop_assert_eq!(x.and(&y).minutes(), step_count(&both));
            proptest::prop_assert_eq!(x.longest_run(), longest_circular(&fx));
            proptest::prop_assert_eq!(x.and(&y).longest_run(), longest_circular(&both));
            for &(start, end) in x.runs() {
                proptest::prop_assert!(start < end && i64::from(end) <= WEEK_MINUTES);
            }
            proptest::prop_assert!(x.runs().windows(2).all(|w| w[0].1 < w[1].0));
        }

        #[test]
        fn grids_bound_the_common_minutes_and_catch_every_long_common_run(
            a in ranges(), b in ranges(), session in 5i64..240
        ) {
            let block = block_minutes(session);
            proptest::prop_assume!(block > 0);
            let (x, y) = (Week::from_minutes(a), Week::from_minutes(b));
            let (gx, gy) = (Grid::of(x.runs(), block), Grid::of(y.runs(), block));
            let common = x.and(&y);
            let covered = shared_blocks(&gx.covered, &gy.covered);
            proptest::prop_assert!(covered * block <= common.minutes());
            proptest::prop_assert!(common.minutes() <= shared_blocks(&gx.touched, &gy.touched) * block);
            if common.longest_run() >= session {
                proptest::prop_assert!(covered > 0);
            }
            let listed: Vec<usize> = blocks(&gx.covered).collect();
            proptest::prop_assert_eq!(listed.len() as i64, shared_blocks(&gx.covered, &gx.covered));
            proptest::prop_assert!(listed.windows(2).all(|w| w[0] < w[1]));
        }

        #[test]
        fn people_who_share_a_session_share_a_window(
            a in ranges(), b in ranges(), session in 5i64..300
        ) {
            let windows = SessionWindows::for_session(session).expect("a session under a week");
            let (x, y) = (Week::from_minutes(a), Week::from_minutes(b));
            let (wx, wy) = (windows.covered(x.runs()), windows.covered(y.runs()));
            proptest::prop_assert!(wx.windows(2).all(|w| w[0] < w[1]));
            proptest::prop_assert!(wx.iter().all(|&w| (w as usize) < windows.count()));
            let shared = wx.iter().any(|w| wy.binary_search(w).is_ok());
            let longest = x.and(&y).longest_run();
            if longest >= session {
                proptest::prop_assert!(shared);
            }
            if shared {
                proptest::prop_assert!(longest >= windows.length);
            }
        }

        #[test]
        fn daily_windows_hold_exactly_the_steps_whose_local_time_is_inside(
            from in 0i64..1440, length in 0i64..1440, offset in -840i64..840
        ) {
            let to = (from + length).min(1440);
            let window = daily_window(from, to, offset);
            let expected = (0..WEEK_MINUTES).step_by(STEP_MINUTES as usize)
                .filter(|m| (from..to).contains(&(m + offset).rem_euclid(1440)))
                .count() as i64 * STEP_MINUTES;
            proptest::prop_assert_eq!(window.minutes(), expected);
            for &(start, end) in window.runs() {
                proptest::prop_assert!((from..to).contains(&(i64::from(start) + offset).rem_euclid(1440)));
                proptest::prop_assert!((from..to).contains(&(i64::from(end) - STEP_MINUTES + offset).rem_euclid(1440)));
            }
        }
    }
}

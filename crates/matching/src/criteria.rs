//! The hard rules a pair must pass and the six scored criteria, each in [0, 1], with the
//! explanation of a pair's score criterion by criterion.
//!
//! The models, and why:
//! - **Expertise**: how much of what the mentee wants the mentor can teach:
//!   `Σ over shared topics (level/5)·(priority/5) ÷ Σ over the mentee's topics (priority/5)`.
//! - **Diversity**: the share of the programme's chosen dimensions on which the two differ
//!   (generation by birth cohort: up to 1964, 1965–80, 1981–96, from 1997). A dimension either
//!   person left blank counts one half, so not disclosing neither helps nor hurts.
//! - **Level gap**: the gap beyond the required minimum, up to six levels: `min(gap − min, 6) ÷ 6`.
//! - **Personality**: similarity in openness and conscientiousness, the two traits that studies
//!   of mentoring dyads link to satisfaction: `1 − (|ΔO| + |ΔC|) ÷ 8`; one half when either
//!   person skipped the questionnaire.
//! - **Schedule**: half for the amount of common weekly time (three sessions' worth or more
//!   scores full), half for how much of it falls in both people's preferred time of day.
//! - **Channel and place**: 1 when both can meet in person on the same site; 0.75 when both
//!   can meet virtually; 0.25 when both insist on meeting in person on different sites
//!   (travel); 0 when one wants only in person and the other only virtual.

use crate::availability::WeekMask;
use crate::profile::{Channel, Dimension, Participant, Settings};

/// A rule that no proposed pair ever breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HardRule {
    /// The mentee is not enough levels above the mentor.
    LevelGap,
    /// One reports (directly or not) to the other.
    ReportingChain,
    /// No common time long enough for a session, in some week of the programme.
    Availability,
    /// The manager forbade the pair, or it ended or was declined before.
    Excluded,
}

impl HardRule {
    pub const ALL: [HardRule; 4] = [
        HardRule::LevelGap,
        HardRule::ReportingChain,
        HardRule::Availability,
        HardRule::Excluded,
    ];
}

/// A participant with their availability prepared for every reference week.
#[derive(Debug)]
pub struct Prepared<'a> {
    pub participant: &'a Participant,
    pub weeks: Vec<WeekMask>,
    /// The participant's UTC offset in minutes at the start of the first reference week.
    pub offset_minutes: i64,
}

impl<'a> Prepared<'a> {
    pub fn new(participant: &'a Participant, settings: &Settings) -> Self {
        let weeks = settings
            .reference_weeks
            .iter()
            .map(|&monday| WeekMask::of(&participant.availability, &participant.time_zone, monday))
            .collect();
        let offset_minutes = settings
            .reference_weeks
            .first()
            .and_then(|monday| monday.to_zoned(participant.time_zone.clone()).ok())
            .map(|zoned| i64::from(zoned.offset().seconds()) / 60)
            .unwrap_or(0);
        Self {
            participant,
            weeks,
            offset_minutes,
        }
    }
}

/// The first hard rule (in [`HardRule::ALL`] order) that the pair breaks, exclusions aside
/// (the engine knows those).
pub fn broken_rule(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Option<HardRule> {
    let (a, b) = (mentor.participant, mentee.participant);
    if i32::from(b.level) - i32::from(a.level) < i32::from(settings.min_level_gap) {
        return Some(HardRule::LevelGap);
    }
    if a.managers.contains(&b.person) || b.managers.contains(&a.person) {
        return Some(HardRule::ReportingChain);
    }
    let enough = mentor
        .weeks
        .iter()
        .zip(&mentee.weeks)
        .all(|(x, y)| x.and(y).has_run_minutes(settings.session_minutes));
    if !enough {
        return Some(HardRule::Availability);
    }
    None
}

/// A scored criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Criterion {
    Expertise,
    Diversity,
    LevelGap,
    Personality,
    Schedule,
    Channel,
}

/// One criterion's part in a pair's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CriterionScore {
    pub criterion: Criterion,
    /// The criterion's own value, in [0, 1].
    pub value: f64,
    /// The programme's weight for it.
    pub weight: f64,
    /// `weight · value ÷ Σ weights`: the criteria's contributions add up to the pair's score.
    pub contribution: f64,
}

/// A pair's score in [0, 1] and how each criterion made it up.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub score: f64,
    pub criteria: Vec<CriterionScore>,
}

/// Scores a pair that passes the hard rules.
pub fn explain(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Explanation {
    let (a, b) = (mentor.participant, mentee.participant);
    let w = settings.weights;
    let diversity_weight = if settings.diversity.is_empty() {
        0.0
    } else {
        w.diversity
    };
    let values = [
        (Criterion::Expertise, expertise(a, b), w.expertise),
        (
            Criterion::Diversity,
            diversity(a, b, &settings.diversity),
            diversity_weight,
        ),
        (
            Criterion::LevelGap,
            level_gap(a, b, settings.min_level_gap),
            w.level_gap,
        ),
        (Criterion::Personality, personality(a, b), w.personality),
        (
            Criterion::Schedule,
            schedule(mentor, mentee, settings.session_minutes),
            w.schedule,
        ),
        (Criterion::Channel, channel(a, b), w.channel),
    ];
    let total_weight: f64 = values.iter().map(|v| v.2.max(0.0)).sum();
    let criteria: Vec<CriterionScore> = values
        .iter()
        .map(|&(criterion, value, weight)| {
            let weight = weight.max(0.0);
            let contribution = if total_weight > 0.0 {
                weight * value / total_weight
            } else {
                0.0
            };
            CriterionScore {
                criterion,
                value,
                weight,
                contribution,
            }
        })
        .collect();
    Explanation {
        score: criteria.iter().map(|c| c.contribution).sum(),
        criteria,
    }
}

pub fn expertise(mentor: &Participant, mentee: &Participant) -> f64 {
    let wanted: f64 = mentee
        .topics
        .iter()
        .map(|&(_, priority)| f64::from(priority) / 5.0)
        .sum();
    if wanted == 0.0 {
        return 0.0;
    }
    let covered: f64 = mentee
        .topics
        .iter()
        .filter_map(|&(topic, priority)| {
            let level = mentor.topics.iter().find(|&&(t, _)| t == topic)?.1;
            Some(f64::from(level) / 5.0 * f64::from(priority) / 5.0)
        })
        .sum();
    covered / wanted
}

fn generation(birth_year: i16) -> u8 {
    match birth_year {
        ..=1964 => 0,
        1965..=1980 => 1,
        1981..=1996 => 2,
        _ => 3,
    }
}

pub fn diversity(mentor: &Participant, mentee: &Participant, dimensions: &[Dimension]) -> f64 {
    if dimensions.is_empty() {
        return 0.0;
    }
    fn differ<T: PartialEq>(a: Option<T>, b: Option<T>) -> f64 {
        match (a, b) {
            (Some(a), Some(b)) => f64::from(u8::from(a != b)),
            _ => 0.5,
        }
    }
    let text = |value: &Option<String>| value.as_deref().map(|v| v.trim().to_lowercase());
    let sum: f64 = dimensions
        .iter()
        .map(|dimension| match dimension {
            Dimension::Generation => differ(
                mentor.birth_year.map(generation),
                mentee.birth_year.map(generation),
            ),
            Dimension::Gender => differ(text(&mentor.gender), text(&mentee.gender)),
            Dimension::Location => differ(text(&mentor.location), text(&mentee.location)),
            Dimension::Department => differ(text(&mentor.department), text(&mentee.department)),
        })
        .sum();
    sum / dimensions.len() as f64
}

pub fn level_gap(mentor: &Participant, mentee: &Participant, minimum: u8) -> f64 {
    let beyond =
        (i32::from(mentee.level) - i32::from(mentor.level) - i32::from(minimum)).clamp(0, 6);
    f64::from(beyond) / 6.0
}

pub fn personality(mentor: &Participant, mentee: &Participant) -> f64 {
    match (mentor.big_five, mentee.big_five) {
        (Some(a), Some(b)) => 1.0 - ((a[0] - b[0]).abs() + (a[1] - b[1]).abs()) / 8.0,
        _ => 0.5,
    }
}

pub fn schedule(mentor: &Prepared, mentee: &Prepared, session_minutes: i64) -> f64 {
    let Some(common) = mentor
        .weeks
        .iter()
        .zip(&mentee.weeks)
        .map(|(a, b)| a.and(b))
        .reduce(|worst, week| {
            if week.minutes() < worst.minutes() {
                week
            } else {
                worst
            }
        })
    else {
        return 0.0;
    };
    let minutes = common.minutes();
    if minutes == 0 {
        return 0.0;
    }
    let volume = (minutes as f64 / (3 * session_minutes.max(1)) as f64).min(1.0);
    let first = mentor.weeks[0].and(&mentee.weeks[0]);
    let (mentor_window, mentee_window) = (
        mentor.participant.time_of_day.window(),
        mentee.participant.time_of_day.window(),
    );
    let in_window = |minute: i64, offset: i64, (from, to): (i64, i64)| {
        let local = (minute + offset).rem_euclid(24 * 60);
        local >= from && local < to
    };
    let step = crate::availability::STEP_MINUTES;
    let (mut fitting, mut all) = (0i64, 0i64);
    for (start, end) in first.runs() {
        for minute in (start..end).step_by(step as usize) {
            all += step;
            if in_window(minute, mentor.offset_minutes, mentor_window)
                && in_window(minute, mentee.offset_minutes, mentee_window)
            {
                fitting += step;
            }
        }
    }
    let fit = if all > 0 {
        fitting as f64 / all as f64
    } else {
        0.0
    };
    0.5 * volume + 0.5 * fit
}

pub fn channel(mentor: &Participant, mentee: &Participant) -> f64 {
    let in_person = |c: Channel| matches!(c, Channel::InPerson | Channel::Either);
    let remote = |c: Channel| matches!(c, Channel::Virtual | Channel::Either);
    let same_site = match (&mentor.location, &mentee.location) {
        (Some(a), Some(b)) => a.trim().eq_ignore_ascii_case(b.trim()),
        _ => false,
    };
    if in_person(mentor.channel) && in_person(mentee.channel) && same_site {
        1.0
    } else if remote(mentor.channel) && remote(mentee.channel) {
        0.75
    } else if in_person(mentor.channel) && in_person(mentee.channel) {
        0.25
    } else {
        0.0
    }
}

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

use crate::availability::{self, Week, daily_window, intersect};
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

/// A participant made ready for fast pair checks: availability for every reference week, the
/// preferred time of day as UTC minutes, and text attributes compared without case.
#[derive(Debug)]
pub struct Prepared<'a> {
    pub participant: &'a Participant,
    /// Availability in each reference week.
    pub weeks: Vec<Week>,
    /// `repeats[w]`: week `w` is the same as week `w − 1`, so a pair where both people repeat
    /// need not look at it again.
    repeats: Vec<bool>,
    /// The minutes of the first reference week inside the person's preferred time of day (at
    /// their UTC offset at the start of that week).
    preferred: Week,
    department: Option<String>,
    location: Option<String>,
    gender: Option<String>,
}

impl<'a> Prepared<'a> {
    pub fn new(participant: &'a Participant, settings: &Settings) -> Self {
        let weeks: Vec<Week> = settings
            .reference_weeks
            .iter()
            .map(|&monday| Week::of(&participant.availability, &participant.time_zone, monday))
            .collect();
        let repeats = (0..weeks.len())
            .map(|w| w > 0 && weeks[w] == weeks[w - 1])
            .collect();
        let offset_minutes = settings
            .reference_weeks
            .first()
            .and_then(|monday| monday.to_zoned(participant.time_zone.clone()).ok())
            .map(|zoned| i64::from(zoned.offset().seconds()) / 60)
            .unwrap_or(0);
        let (from, to) = participant.time_of_day.window();
        let folded = |text: &Option<String>| text.as_deref().map(|t| t.trim().to_lowercase());
        Self {
            participant,
            weeks,
            repeats,
            preferred: daily_window(from, to, offset_minutes),
            department: folded(&participant.department),
            location: folded(&participant.location),
            gender: folded(&participant.gender),
        }
    }
}

/// What two people's availabilities have in common over the reference weeks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct CommonTime {
    /// Every week has a common run of a whole session.
    enough: bool,
    /// The fewest common minutes in any reference week.
    fewest_minutes: i64,
}

fn common_time(mentor: &Prepared, mentee: &Prepared, session_minutes: i64) -> CommonTime {
    let mut common = CommonTime {
        enough: true,
        fewest_minutes: i64::MAX,
    };
    for (w, (a, b)) in mentor.weeks.iter().zip(&mentee.weeks).enumerate() {
        if mentor.repeats[w] && mentee.repeats[w] {
            continue;
        }
        let (minutes, longest) = availability::measure(intersect(
            a.runs().iter().copied(),
            b.runs().iter().copied(),
        ));
        if longest < session_minutes {
            common.enough = false;
            return common;
        }
        common.fewest_minutes = common.fewest_minutes.min(minutes);
    }
    if common.fewest_minutes == i64::MAX {
        common.fewest_minutes = 0;
    }
    common
}

/// The first hard rule (in [`HardRule::ALL`] order) that the pair breaks, exclusions aside
/// (the engine knows those).
pub fn broken_rule(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Option<HardRule> {
    assess(mentor, mentee, settings).err()
}

/// The pair's score if it passes the hard rules (exclusions aside), or the first rule it
/// breaks. The candidate generator's hot path: no allocation, and the same arithmetic as
/// [`explain`], so the solver's total is the sum of the explained scores.
pub fn assess(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Result<f64, HardRule> {
    let (a, b) = (mentor.participant, mentee.participant);
    if i32::from(b.level) - i32::from(a.level) < i32::from(settings.min_level_gap) {
        return Err(HardRule::LevelGap);
    }
    if a.managers.contains(&b.person) || b.managers.contains(&a.person) {
        return Err(HardRule::ReportingChain);
    }
    let common = common_time(mentor, mentee, settings.session_minutes);
    if !common.enough {
        return Err(HardRule::Availability);
    }
    let (_, score) = weigh(&values(mentor, mentee, settings, common));
    Ok(score)
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

/// Each criterion with its value and the programme's weight for it.
fn values(
    mentor: &Prepared,
    mentee: &Prepared,
    settings: &Settings,
    common: CommonTime,
) -> [(Criterion, f64, f64); 6] {
    let (a, b) = (mentor.participant, mentee.participant);
    let w = settings.weights;
    let diversity_weight = if settings.diversity.is_empty() {
        0.0
    } else {
        w.diversity
    };
    [
        (Criterion::Expertise, expertise(a, b), w.expertise),
        (
            Criterion::Diversity,
            diversity(mentor, mentee, &settings.diversity),
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
            schedule_of(mentor, mentee, settings.session_minutes, common),
            w.schedule,
        ),
        (Criterion::Channel, channel(mentor, mentee), w.channel),
    ]
}

/// Each criterion's contribution (negative weights count as zero) and their sum, the score.
fn weigh(values: &[(Criterion, f64, f64); 6]) -> ([f64; 6], f64) {
    let total_weight: f64 = values.iter().map(|v| v.2.max(0.0)).sum();
    let contributions = values.map(|(_, value, weight)| {
        if total_weight > 0.0 {
            weight.max(0.0) * value / total_weight
        } else {
            0.0
        }
    });
    (contributions, contributions.iter().sum())
}

/// Scores a pair that passes the hard rules.
pub fn explain(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Explanation {
    let common = common_time(mentor, mentee, settings.session_minutes);
    let values = values(mentor, mentee, settings, common);
    let (contributions, score) = weigh(&values);
    let criteria = values
        .iter()
        .zip(contributions)
        .map(
            |(&(criterion, value, weight), contribution)| CriterionScore {
                criterion,
                value,
                weight: weight.max(0.0),
                contribution,
            },
        )
        .collect();
    Explanation { score, criteria }
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

pub fn diversity(mentor: &Prepared, mentee: &Prepared, dimensions: &[Dimension]) -> f64 {
    if dimensions.is_empty() {
        return 0.0;
    }
    fn differ<T: PartialEq>(a: Option<T>, b: Option<T>) -> f64 {
        match (a, b) {
            (Some(a), Some(b)) => f64::from(u8::from(a != b)),
            _ => 0.5,
        }
    }
    let (a, b) = (mentor, mentee);
    let sum: f64 = dimensions
        .iter()
        .map(|dimension| match dimension {
            Dimension::Generation => differ(
                a.participant.birth_year.map(generation),
                b.participant.birth_year.map(generation),
            ),
            Dimension::Gender => differ(a.gender.as_ref(), b.gender.as_ref()),
            Dimension::Location => differ(a.location.as_ref(), b.location.as_ref()),
            Dimension::Department => differ(a.department.as_ref(), b.department.as_ref()),
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
    schedule_of(
        mentor,
        mentee,
        session_minutes,
        common_time(mentor, mentee, session_minutes),
    )
}

fn schedule_of(
    mentor: &Prepared,
    mentee: &Prepared,
    session_minutes: i64,
    common: CommonTime,
) -> f64 {
    if common.fewest_minutes == 0 {
        return 0.0;
    }
    let volume = (common.fewest_minutes as f64 / (3 * session_minutes.max(1)) as f64).min(1.0);
    let (Some(a), Some(b)) = (mentor.weeks.first(), mentee.weeks.first()) else {
        return 0.0;
    };
    let first = || intersect(a.runs().iter().copied(), b.runs().iter().copied());
    let all = availability::minutes(first());
    let preferred = || {
        intersect(
            mentor.preferred.runs().iter().copied(),
            mentee.preferred.runs().iter().copied(),
        )
    };
    let fitting = availability::minutes(intersect(first(), preferred()));
    let fit = if all > 0 {
        fitting as f64 / all as f64
    } else {
        0.0
    };
    0.5 * volume + 0.5 * fit
}

pub fn channel(mentor: &Prepared, mentee: &Prepared) -> f64 {
    let in_person = |c: Channel| matches!(c, Channel::InPerson | Channel::Either);
    let remote = |c: Channel| matches!(c, Channel::Virtual | Channel::Either);
    let same_site = matches!((&mentor.location, &mentee.location), (Some(a), Some(b)) if a == b);
    let (a, b) = (mentor.participant.channel, mentee.participant.channel);
    if in_person(a) && in_person(b) && same_site {
        1.0
    } else if remote(a) && remote(b) {
        0.75
    } else if in_person(a) && in_person(b) {
        0.25
    } else {
        0.0
    }
}

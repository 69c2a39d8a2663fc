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

use std::collections::HashMap;
use std::num::NonZeroU64;

use smallvec::SmallVec;

use crate::availability::{
    self, Grid, SessionWindows, Week, block_minutes, daily_window, intersect,
};
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
/// preferred time of day as UTC minutes, and the fields the criteria read in one flat record.
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
    pub(crate) card: Card,
    /// The first reference week on the coarse grid, when the settings allow one.
    pub(crate) coarse: Option<Coarse>,
}

/// What the scored criteria (schedule aside) and the level and reporting-chain rules read, in
/// one record without pointers for the usual sizes: candidate generation reads it for
/// thousands of mentors per mentee, and a record it can stream through in order is several
/// times faster than following a participant's vectors and strings.
#[derive(Debug, Clone)]
pub(crate) struct Card {
    level: u8,
    channel: Channel,
    generation: Option<u8>,
    topics: SmallVec<[(u32, u8); 4]>,
    /// Openness and conscientiousness.
    traits: Option<[f64; 2]>,
    department: Option<Fingerprint>,
    location: Option<Fingerprint>,
    gender: Option<Fingerprint>,
}

/// A 64-bit fingerprint of a trimmed, lower-cased text, so texts compare without a pointer
/// chase in a record of under a hundred bytes. Two different texts share one with probability
/// 2⁻⁶⁴; a directory holds a few thousand distinct departments and sites at most, so the
/// chance that any two of them collide is below 10⁻¹¹.
type Fingerprint = NonZeroU64;

fn fingerprint(text: &Option<String>) -> Option<Fingerprint> {
    use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
    let folded = text.as_deref()?.trim().to_lowercase();
    let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(folded.as_str());
    Some(NonZeroU64::new(hash).unwrap_or(NonZeroU64::MIN))
}

impl Card {
    fn of(participant: &Participant) -> Self {
        Self {
            level: participant.level,
            channel: participant.channel,
            generation: participant.birth_year.map(generation),
            topics: participant.topics.iter().copied().collect(),
            traits: participant.big_five.map(|b| [b[0], b[1]]),
            department: fingerprint(&participant.department),
            location: fingerprint(&participant.location),
            gender: fingerprint(&participant.gender),
        }
    }
}

/// A person's first reference week as candidate generation sees it, to find possible partners
/// and bound a pair's score without merging runs: the session windows it covers and the grid
/// of [`block_minutes`] blocks.
#[derive(Debug)]
pub(crate) struct Coarse {
    /// The [`SessionWindows`] free time covers whole, in order.
    pub windows: Vec<u16>,
    pub block: i64,
    /// The blocks free time covers whole, then the blocks it touches, then the blocks touched
    /// by free time inside the preferred time of day: the same number of words each.
    pub bits: Vec<u64>,
}

impl Coarse {
    /// [`Coarse::bits`] as a list of the blocks free time touches, each `block << 2 | covered
    /// << 1 | touched inside the preferred time`: a dozen entries for most people where the bit
    /// sets span the week, so the index keeps the mentors' lists and streams through them.
    pub fn touched_blocks(&self) -> Vec<u16> {
        let words = self.bits.len() / 3;
        let part = |p: usize| &self.bits[p * words..(p + 1) * words];
        let has = |p: usize, b: usize| part(p)[b / 64] >> (b % 64) & 1 == 1;
        availability::blocks(part(1))
            .map(|b| (b as u16) << 2 | u16::from(has(0, b)) << 1 | u16::from(has(2, b)))
            .collect()
    }
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
        let preferred = daily_window(from, to, offset_minutes);
        let block = block_minutes(settings.session_minutes);
        let windows = SessionWindows::for_session(settings.session_minutes);
        let coarse = weeks
            .first()
            .filter(|_| block > 0)
            .zip(windows)
            .map(|(first, windows)| {
                let free = Grid::of(first.runs(), block);
                let inside = Grid::of(first.and(&preferred).runs(), block);
                Coarse {
                    windows: windows.covered(first.runs()),
                    block,
                    bits: [free.covered, free.touched, inside.touched].concat(),
                }
            });
        Self {
            participant,
            weeks,
            repeats,
            preferred,
            card: Card::of(participant),
            coarse,
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
///
/// Cheaper than [`assess`] for most pairs that fail: two people with a session's common time
/// in the first reference week share one of its [`SessionWindows`], so people without a common
/// window fail the availability rule without their weeks being compared (naming why someone
/// is unmatched checks them against the whole other side).
pub fn broken_rule(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Option<HardRule> {
    if let Err(rule) = quick_rules(mentor.participant, mentee.participant, settings) {
        return Some(rule);
    }
    if let (Some(a), Some(b)) = (&mentor.coarse, &mentee.coarse)
        && !share_a_window(a, b)
    {
        return Some(HardRule::Availability);
    }
    assess(mentor, mentee, settings).err()
}

/// Whether two people's first reference weeks cover a common session window: if not, they
/// fail the availability rule.
pub(crate) fn share_a_window(a: &Coarse, b: &Coarse) -> bool {
    let (mut x, mut y) = (a.windows.iter().peekable(), b.windows.iter().peekable());
    while let (Some(&&p), Some(&&q)) = (x.peek(), y.peek()) {
        match p.cmp(&q) {
            std::cmp::Ordering::Less => {
                x.next();
            }
            std::cmp::Ordering::Greater => {
                y.next();
            }
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// The pair's score if it passes the hard rules (exclusions aside), or the first rule it
/// breaks. The candidate generator's hot path: no allocation, and the same arithmetic as
/// [`explain`], so the solver's total is the sum of the explained scores.
pub fn assess(mentor: &Prepared, mentee: &Prepared, settings: &Settings) -> Result<f64, HardRule> {
    quick_rules(mentor.participant, mentee.participant, settings)?;
    assess_screened(mentor, mentee, settings)
}

/// [`assess`] for a pair the candidate index has already screened for the level and
/// reporting-chain rules (by its level order and the chain lists): their check reads both
/// people's records, two cache misses for every pair scored.
pub(crate) fn assess_screened(
    mentor: &Prepared,
    mentee: &Prepared,
    settings: &Settings,
) -> Result<f64, HardRule> {
    debug_assert_eq!(
        quick_rules(mentor.participant, mentee.participant, settings),
        Ok(())
    );
    let common = common_time(mentor, mentee, settings.session_minutes);
    if !common.enough {
        return Err(HardRule::Availability);
    }
    let schedule = schedule_of(mentor, mentee, settings.session_minutes, common);
    let (_, score) = weigh(&values(&mentor.card, &mentee.card, settings, schedule));
    Ok(score)
}

/// The level and reporting-chain rules: the ones that need no look at availability.
fn quick_rules(
    mentor: &Participant,
    mentee: &Participant,
    settings: &Settings,
) -> Result<(), HardRule> {
    if i32::from(mentee.level) - i32::from(mentor.level) < i32::from(settings.min_level_gap) {
        return Err(HardRule::LevelGap);
    }
    if mentor.managers.contains(&mentee.person) || mentee.managers.contains(&mentor.person) {
        return Err(HardRule::ReportingChain);
    }
    Ok(())
}

/// For each mentee, the mentors (by index) that break the reporting-chain rule with it, sorted:
/// candidate generation rules them out by list instead of reading both chains for every pair.
pub(crate) fn chain_conflicts(mentors: &[Participant], mentees: &[Participant]) -> Vec<Vec<u32>> {
    let by_person = |people: &[Participant]| {
        let mut map: HashMap<u32, Vec<u32>> = HashMap::new();
        for (index, person) in people.iter().enumerate() {
            map.entry(person.person).or_default().push(index as u32);
        }
        map
    };
    let (mentor_by_person, mentee_by_person) = (by_person(mentors), by_person(mentees));
    let mut conflicts = vec![Vec::new(); mentees.len()];
    for (mentee, list) in mentees.iter().zip(&mut conflicts) {
        for manager in &mentee.managers {
            list.extend(mentor_by_person.get(manager).into_iter().flatten());
        }
    }
    for (mentor, person) in mentors.iter().enumerate() {
        for manager in &person.managers {
            for &mentee in mentee_by_person.get(manager).into_iter().flatten() {
                conflicts[mentee as usize].push(mentor as u32);
            }
        }
    }
    for list in &mut conflicts {
        list.sort_unstable();
        list.dedup();
    }
    conflicts
}

/// An upper bound on the score [`assess`] gives a pair that passes the hard rules, from the
/// mentee's side: worked out once for the thousands of
/// mentors candidate generation bounds it against: the weights divided by their total, and
/// the mentee's topics with what each is worth. Every criterion but the schedule is exact; the
/// schedule is bounded on the coarse grid (see [`schedule_bound`]), so a bound costs a few
/// operations where [`assess`] merges run lists week by week. The arithmetic is ordered
/// differently from [`weigh`]'s, so the bound adds [`ROUNDING`] to stay above the score in
/// floating point too.
pub(crate) struct MenteeBound<'a> {
    mentee: &'a Card,
    /// The mentee's [`block_table`] and block length, when it has a coarse grid.
    blocks: Option<(Vec<u8>, i64)>,
    /// The mentee's topics, each with `weight · (priority/5) ÷ Σ priorities/5 ÷ 5`: times the
    /// mentor's level, its part of the expertise contribution.
    topics: SmallVec<[(u32, f64); 4]>,
    dimensions: &'a [Dimension],
    /// Contribution per unit of each criterion's value: weight ÷ total weight (diversity also
    /// ÷ the number of dimensions, level gap ÷ 6).
    diversity: f64,
    gap: f64,
    personality: f64,
    schedule: f64,
    channel: f64,
    min_level_gap: u8,
    session_minutes: i64,
}

/// Far above the rounding error of six terms in [0, 1], far below any difference in scores
/// that matters. Candidate generation takes a bound within it of a score as a tie.
pub(crate) const ROUNDING: f64 = 1e-12;

impl<'a> MenteeBound<'a> {
    pub fn new(mentee: &'a Prepared, settings: &'a Settings) -> Self {
        let w = settings.weights;
        let diversity_weight = if settings.diversity.is_empty() {
            0.0
        } else {
            w.diversity.max(0.0)
        };
        let total = w.expertise.max(0.0)
            + diversity_weight
            + w.level_gap.max(0.0)
            + w.personality.max(0.0)
            + w.schedule.max(0.0)
            + w.channel.max(0.0);
        let share = |weight: f64| {
            if total > 0.0 {
                weight.max(0.0) / total
            } else {
                0.0
            }
        };
        let card = &mentee.card;
        let wanted: f64 = card.topics.iter().map(|&(_, p)| f64::from(p) / 5.0).sum();
        let topics = card
            .topics
            .iter()
            .map(|&(topic, priority)| {
                let worth = if wanted > 0.0 {
                    share(w.expertise) * (f64::from(priority) / 5.0) / wanted / 5.0
                } else {
                    0.0
                };
                (topic, worth)
            })
            .collect();
        Self {
            mentee: card,
            blocks: mentee
                .coarse
                .as_ref()
                .map(|c| (block_table(&c.bits), c.block)),
            topics,
            dimensions: &settings.diversity,
            diversity: if settings.diversity.is_empty() {
                0.0
            } else {
                share(diversity_weight) / settings.diversity.len() as f64
            },
            gap: share(w.level_gap) / 6.0,
            personality: share(w.personality),
            schedule: share(w.schedule),
            channel: share(w.channel),
            min_level_gap: settings.min_level_gap,
            session_minutes: settings.session_minutes,
        }
    }

    /// The bound for the pair of this mentee with the mentor of `card`, whose
    /// [`Coarse::touched_blocks`] are `blocks`.
    pub fn bound(&self, mentor: &Card, blocks: Option<&[u16]>) -> f64 {
        let mut sum = ROUNDING;
        for &(topic, worth) in &self.topics {
            if let Some(&(_, level)) = mentor.topics.iter().find(|&&(t, _)| t == topic) {
                sum += f64::from(level) * worth;
            }
        }
        if self.diversity > 0.0 {
            let b = self.mentee;
            let differ = |same: Option<bool>| match same {
                Some(true) => 0.0,
                Some(false) => 1.0,
                None => 0.5,
            };
            let compare =
                |x: Option<Fingerprint>, y: Option<Fingerprint>| x.zip(y).map(|(x, y)| x == y);
            let differences: f64 = self
                .dimensions
                .iter()
                .map(|dimension| {
                    differ(match dimension {
                        Dimension::Generation => {
                            mentor.generation.zip(b.generation).map(|(x, y)| x == y)
                        }
                        Dimension::Gender => compare(mentor.gender, b.gender),
                        Dimension::Location => compare(mentor.location, b.location),
                        Dimension::Department => compare(mentor.department, b.department),
                    })
                })
                .sum();
            sum += differences * self.diversity;
        }
        let beyond = (i32::from(self.mentee.level)
            - i32::from(mentor.level)
            - i32::from(self.min_level_gap))
        .clamp(0, 6);
        sum += f64::from(beyond) * self.gap;
        sum += similarity(mentor.traits, self.mentee.traits) * self.personality;
        sum += channel_of(mentor, self.mentee) * self.channel;
        let schedule = match (blocks, &self.blocks) {
            (Some(a), Some((table, block))) => {
                schedule_bound(a, table, *block, self.session_minutes)
            }
            _ => 1.0,
        };
        sum + schedule * self.schedule
    }
}

/// A mentee's [`Coarse::bits`] as one byte per block, read once per entry of a mentor's
/// [`Coarse::touched_blocks`]: bit 0 the mentee touches the block, bit 1 covers it, bit 2
/// touches it inside its preferred time (the last two imply the first).
fn block_table(bits: &[u64]) -> Vec<u8> {
    let words = bits.len() / 3;
    let has = |part: usize, b: usize| u8::from(bits[part * words + b / 64] >> (b % 64) & 1 == 1);
    (0..words * 64)
        .map(|b| has(1, b) | has(0, b) << 1 | has(2, b) << 2)
        .collect()
}

/// At least the schedule criterion of any pair that passes the availability rule, from the
/// mentor's [`Coarse::touched_blocks`] and the mentee's [`block_table`]. The first week's
/// common minutes are at most the blocks both touch (which bounds the volume, a minimum over
/// the weeks); the part of them in both preferred times is at most the blocks both touch
/// inside their preferred times, and the common minutes are at least a session (the pair
/// passes) and at least the blocks both cover.
fn schedule_bound(mentor: &[u16], mentee: &[u8], block: i64, session_minutes: i64) -> f64 {
    let (mut covered, mut touched, mut inside) = (0i64, 0i64, 0i64);
    for &entry in mentor {
        let t = mentee[usize::from(entry >> 2)];
        touched += i64::from(t & 1);
        covered += i64::from(t >> 1 & (entry as u8) >> 1 & 1);
        inside += i64::from(t >> 2 & entry as u8 & 1);
    }
    let volume = ((touched * block) as f64 / (3 * session_minutes.max(1)) as f64).min(1.0);
    let least = (covered * block).max(session_minutes);
    let fit = if least > 0 {
        ((inside * block) as f64 / least as f64).min(1.0)
    } else {
        1.0
    };
    0.5 * volume + 0.5 * fit
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
    mentor: &Card,
    mentee: &Card,
    settings: &Settings,
    schedule: f64,
) -> [(Criterion, f64, f64); 6] {
    let w = settings.weights;
    let diversity_weight = if settings.diversity.is_empty() {
        0.0
    } else {
        w.diversity
    };
    [
        (
            Criterion::Expertise,
            expertise_of(&mentor.topics, &mentee.topics),
            w.expertise,
        ),
        (
            Criterion::Diversity,
            diversity_of(mentor, mentee, &settings.diversity),
            diversity_weight,
        ),
        (
            Criterion::LevelGap,
            gap_value(mentor.level, mentee.level, settings.min_level_gap),
            w.level_gap,
        ),
        (
            Criterion::Personality,
            similarity(mentor.traits, mentee.traits),
            w.personality,
        ),
        (Criterion::Schedule, schedule, w.schedule),
        (Criterion::Channel, channel_of(mentor, mentee), w.channel),
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
    let schedule = schedule_of(mentor, mentee, settings.session_minutes, common);
    let values = values(&mentor.card, &mentee.card, settings, schedule);
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
    expertise_of(&mentor.topics, &mentee.topics)
}

fn expertise_of(offers: &[(u32, u8)], interests: &[(u32, u8)]) -> f64 {
    let wanted: f64 = interests
        .iter()
        .map(|&(_, priority)| f64::from(priority) / 5.0)
        .sum();
    if wanted == 0.0 {
        return 0.0;
    }
    let covered: f64 = interests
        .iter()
        .filter_map(|&(topic, priority)| {
            let level = offers.iter().find(|&&(t, _)| t == topic)?.1;
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
    diversity_of(&mentor.card, &mentee.card, dimensions)
}

fn diversity_of(a: &Card, b: &Card, dimensions: &[Dimension]) -> f64 {
    if dimensions.is_empty() {
        return 0.0;
    }
    fn differ<T: PartialEq>(a: Option<T>, b: Option<T>) -> f64 {
        match (a, b) {
            (Some(a), Some(b)) => f64::from(u8::from(a != b)),
            _ => 0.5,
        }
    }
    let sum: f64 = dimensions
        .iter()
        .map(|dimension| match dimension {
            Dimension::Generation => differ(a.generation, b.generation),
            Dimension::Gender => differ(a.gender, b.gender),
            Dimension::Location => differ(a.location, b.location),
            Dimension::Department => differ(a.department, b.department),
        })
        .sum();
    sum / dimensions.len() as f64
}

pub fn level_gap(mentor: &Participant, mentee: &Participant, minimum: u8) -> f64 {
    gap_value(mentor.level, mentee.level, minimum)
}

fn gap_value(mentor: u8, mentee: u8, minimum: u8) -> f64 {
    let beyond = (i32::from(mentee) - i32::from(mentor) - i32::from(minimum)).clamp(0, 6);
    f64::from(beyond) / 6.0
}

pub fn personality(mentor: &Participant, mentee: &Participant) -> f64 {
    let traits = |p: &Participant| p.big_five.map(|b| [b[0], b[1]]);
    similarity(traits(mentor), traits(mentee))
}

fn similarity(a: Option<[f64; 2]>, b: Option<[f64; 2]>) -> f64 {
    match (a, b) {
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
    channel_of(&mentor.card, &mentee.card)
}

fn channel_of(mentor: &Card, mentee: &Card) -> f64 {
    let in_person = |c: Channel| matches!(c, Channel::InPerson | Channel::Either);
    let remote = |c: Channel| matches!(c, Channel::Virtual | Channel::Either);
    let same_site = matches!((mentor.location, mentee.location), (Some(a), Some(b)) if a == b);
    let (a, b) = (mentor.channel, mentee.channel);
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

//! Matching a cohort: candidate pairs that pass the hard rules, scored and explained; the exact
//! assignment over them; and the reason for everyone left unmatched.

use std::collections::HashSet;

use rayon::prelude::*;

use crate::candidates::{Index, MentorTops, Pool, Shortlist};
use crate::criteria::{
    Explanation, HardRule, Prepared, assess_screened, broken_rule, chain_conflicts, explain,
    share_a_window,
};
use crate::profile::{Participant, Settings};
use crate::solver::{raise_prices, solve_from};
use crate::split::{maximum_matching, solve_parts};
use crate::{Instance, InstanceError, Objective, Solution, solve, verify};

/// How many candidates each side keeps before the solver first runs (see
/// the `candidates` module); the cut only decides speed, never the result.
#[derive(Debug, Clone, Copy)]
struct Cut {
    per_mentee: usize,
    per_mentor: usize,
}

/// The largest cohort (mentors × mentees) for which candidate generation keeps every bound
/// for the pricing step ([`crate::candidates::Shortlist::bounds`]).
const KEPT_BOUNDS_LIMIT: u64 = 2_000_000_000;

/// The pricing step solves afresh when pairs join for more than one mentee in this many.
const FRESH_SOLVE_SHARE: usize = 10;

const CUT: Cut = Cut {
    per_mentee: 32,
    per_mentor: 16,
};

/// Pairs by `(mentor index, mentee index)` into the cohort's slices.
pub type PairSet = HashSet<(usize, usize)>;

/// The manager's decisions and the programme's history that bind the matching.
#[derive(Debug, Clone, Default)]
pub struct Constraints {
    /// Pairs that must be in the result.
    pub pinned: Vec<(usize, usize)>,
    /// Pairs the manager ruled out.
    pub forbidden: PairSet,
    /// Pairs excluded by an earlier decline or exit.
    pub excluded: PairSet,
    /// Seats each mentor already gives to pairings kept from before (a re-match), by mentor;
    /// empty means none.
    pub seats_taken: Vec<u32>,
}

/// A proposed pair with its explanation.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedPair {
    pub mentor: usize,
    pub mentee: usize,
    pub pinned: bool,
    pub explanation: Explanation,
}

/// Why someone is left unmatched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unmatched {
    /// Nobody on the other side passes this rule (the first rule, in order, that leaves no one).
    NoCandidate(HardRule),
    /// There were candidates, but every one of them is taken by pairs that serve the objective
    /// better (mentors at capacity, mentees with other mentors).
    CandidatesTaken,
}

/// The engine's answer for a cohort.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub pairs: Vec<ProposedPair>,
    pub unmatched_mentors: Vec<(usize, Unmatched)>,
    pub unmatched_mentees: Vec<(usize, Unmatched)>,
    pub total_score: f64,
    /// How many pairs were checked against every hard rule and scored (most pairs need not
    /// be; see the `candidates` module).
    pub scored_pairs: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MatchingError {
    #[error("the pinned pair ({mentor}, {mentee}) names someone outside the cohort")]
    PinOutOfRange { mentor: usize, mentee: usize },
    #[error("the pinned pair ({mentor}, {mentee}) breaks a hard rule: {rule:?}")]
    PinBreaksRule {
        mentor: usize,
        mentee: usize,
        rule: HardRule,
    },
    #[error("mentee {mentee} is pinned to more than one mentor")]
    MenteePinnedTwice { mentee: usize },
    #[error("mentor {mentor} has more pinned mentees than their capacity")]
    MentorOverPinned { mentor: usize },
    #[error(transparent)]
    Instance(#[from] InstanceError),
}

/// Matches the cohort optimally for the settings' objective, honouring the constraints.
///
/// Steps, each in parallel on all cores: availabilities prepared once per person and reference
/// week, O((n + m) · w); candidate generation through the index of the `candidates` module,
/// which bounds only pairs far enough apart in level, outside each other's reporting chain,
/// that share a session window in the first week, and scores them in falling order of bound
/// until each mentee's best 32 are known (each mentor keeps its best 16 mentees by bound too);
/// the pairs of augmenting paths over every passing pair, so the shortlists match as many
/// people as the cohort can (the index's `complete_matching`); [`solve`] on that graph (under
/// maximum cardinality with the `split` module's left-out mentor), with the mentors' prices
/// then raised as high as the graph allows (so a mentor few shortlists name does not look
/// cheap); then pricing: pairs left out that could improve the result (their reduced cost
/// under the solver's duals is negative) are added and the graph solved again (afresh when
/// pairs joined for many mentees, else from the previous solution), until the duals prove the
/// result optimal for every candidate pair. The answer is the same as solving on all
/// candidate pairs. Errors on a pin that is out of range, repeated, over capacity, forbidden
/// or against a hard rule.
pub fn propose(
    mentors: &[Participant],
    mentees: &[Participant],
    settings: &Settings,
    constraints: &Constraints,
) -> Result<Proposal, MatchingError> {
    propose_with(mentors, mentees, settings, constraints, CUT)
}

fn propose_with(
    mentors: &[Participant],
    mentees: &[Participant],
    settings: &Settings,
    constraints: &Constraints,
    cut: Cut,
) -> Result<Proposal, MatchingError> {
    let prepared_mentors: Vec<Prepared> = mentors
        .par_iter()
        .map(|p| Prepared::new(p, settings))
        .collect();
    let prepared_mentees: Vec<Prepared> = mentees
        .par_iter()
        .map(|p| Prepared::new(p, settings))
        .collect();
    // Forbidden and excluded pairs by mentee, sorted: looked up for every checked pair.
    let mut excluded_by_mentee = vec![Vec::new(); mentees.len()];
    for &(mentor, mentee) in constraints.forbidden.iter().chain(&constraints.excluded) {
        if let Some(list) = excluded_by_mentee.get_mut(mentee) {
            list.push(mentor as u32);
        }
    }
    for list in &mut excluded_by_mentee {
        list.sort_unstable();
    }
    let excluded = |mentor: usize, mentee: usize| {
        excluded_by_mentee[mentee]
            .binary_search(&(mentor as u32))
            .is_ok()
    };
    let rule = |mentor: usize, mentee: usize| {
        broken_rule(
            &prepared_mentors[mentor],
            &prepared_mentees[mentee],
            settings,
        )
        .or_else(|| excluded(mentor, mentee).then_some(HardRule::Excluded))
    };

    let mut capacity: Vec<u32> = (0..mentors.len())
        .map(|j| {
            let taken = constraints.seats_taken.get(j).copied().unwrap_or(0);
            settings.mentor_capacity.saturating_sub(taken)
        })
        .collect();
    let mut pinned_mentee = vec![false; mentees.len()];
    for &(mentor, mentee) in &constraints.pinned {
        if mentor >= mentors.len() || mentee >= mentees.len() {
            return Err(MatchingError::PinOutOfRange { mentor, mentee });
        }
        if let Some(rule) = rule(mentor, mentee) {
            return Err(MatchingError::PinBreaksRule {
                mentor,
                mentee,
                rule,
            });
        }
        if std::mem::replace(&mut pinned_mentee[mentee], true) {
            return Err(MatchingError::MenteePinnedTwice { mentee });
        }
        capacity[mentor] = capacity[mentor]
            .checked_sub(1)
            .ok_or(MatchingError::MentorOverPinned { mentor })?;
    }

    let mut ruled_out = chain_conflicts(mentors, mentees);
    for (list, excluded) in ruled_out.iter_mut().zip(&excluded_by_mentee) {
        if !excluded.is_empty() {
            list.extend(excluded);
            list.sort_unstable();
            list.dedup();
        }
    }
    let pool = Pool {
        mentors: &prepared_mentors,
        mentees: &prepared_mentees,
        settings,
        has_room: capacity.iter().map(|&c| c > 0).collect(),
        ruled_out: &ruled_out,
    };
    let index = Index::new(&prepared_mentors, settings);
    // A byte per possible pair, about a tenth of all pairs: 43 MB at 20,000 a side, and up to
    // about 200 MB below this limit; larger cohorts work the bounds out again when pricing.
    let keep_bounds = (mentors.len() as u64) * (mentees.len() as u64) <= KEPT_BOUNDS_LIMIT;
    // One chunk per thread: each chunk keeps its own top mentees per mentor, merged at the
    // end, and a mentor's heap in a smaller chunk takes more offers before its floor rises
    // (at 20,000 a side on two cores, this step took 3.0–3.6 s in eight chunks, 2.6–2.9 s in
    // two).
    let chunk = mentees.len().div_ceil(rayon::current_num_threads()).max(64);
    let (listed, tops) = (0..mentees.len())
        .into_par_iter()
        .with_min_len(chunk)
        .fold(
            || {
                (
                    Vec::new(),
                    MentorTops::new(mentors.len(), cut.per_mentor),
                    Vec::new(),
                )
            },
            |(mut listed, mut tops, mut scratch), mentee| {
                if !pinned_mentee[mentee] {
                    let list = index.shortlist(
                        &pool,
                        mentee,
                        cut.per_mentee,
                        &mut scratch,
                        &mut tops,
                        keep_bounds,
                    );
                    listed.push((mentee, list));
                }
                (listed, tops, scratch)
            },
        )
        .map(|(listed, tops, _)| (listed, tops))
        .reduce(
            || (Vec::new(), MentorTops::new(mentors.len(), cut.per_mentor)),
            |(mut a, tops_a), (b, tops_b)| {
                a.extend(b);
                (a, tops_a.merge(tops_b))
            },
        );
    let mut shortlists = vec![Shortlist::default(); mentees.len()];
    for (mentee, list) in listed {
        shortlists[mentee] = list;
    }
    // Each mentor's best by bound joins the shortlists once scored (a pair scored and left
    // out keeps its score), if it passes the rules.
    let unlisted: Vec<(u32, u32)> = tops
        .pairs(&index)
        .filter(|&(mentor, mentee)| {
            let kept = &shortlists[mentee as usize].kept;
            kept.binary_search_by_key(&mentor, |p| p.0).is_err()
        })
        .collect();
    let scored_tops: Vec<(u32, u32, Option<f64>)> = unlisted
        .par_iter()
        .map(|&(mentor, mentee)| {
            let known = shortlists[mentee as usize].scored_out(mentor);
            let pair = (
                &prepared_mentors[mentor as usize],
                &prepared_mentees[mentee as usize],
            );
            let score = known.or_else(|| assess_screened(pair.0, pair.1, settings).ok());
            (mentor, mentee, score)
        })
        .collect();
    for (mentor, mentee, score) in scored_tops {
        if let Some(score) = score {
            shortlists[mentee as usize].keep(mentor, score);
        }
    }
    // The shortlists can match fewer people than the cohort can: the pairs of augmenting paths
    // over every passing pair join them, and the split's parts come from every passing pair.
    let graph_of = |shortlists: &[Shortlist]| {
        Instance::from_pairs(
            capacity.clone(),
            mentees.len(),
            shortlists.iter().enumerate().flat_map(|(mentee, list)| {
                list.kept
                    .iter()
                    .map(move |&(mentor, score)| (mentor, mentee as u32, score))
            }),
        )
    };
    let shortlist_graph = graph_of(&shortlists)?;
    let eligible: Vec<bool> = pinned_mentee.iter().map(|&p| !p).collect();
    let completing = index.complete_matching(
        &pool,
        &capacity,
        maximum_matching(&shortlist_graph),
        |mentor, mentee| {
            shortlists[mentee as usize]
                .kept
                .binary_search_by_key(&mentor, |p| p.0)
                .is_ok()
        },
        &eligible,
    );
    for &(mentor, mentee, score) in &completing.added {
        shortlists[mentee as usize].keep(mentor, score);
    }
    // Solve on the shortlists, then price out the pairs left out: the certificate (u, v) of
    // the shortlist problem proves it optimal for every candidate pair once each left-out pair
    // has u_i + v_j ≥ s_ij. No left-out score is above the mentee's best left-out score or
    // bound, so a mentee whose u_i covers that passes at once (v ≥ 0); for the others the
    // remembered left-out pairs are checked, and all possible mentors again only if the pairs
    // beyond those could still break the condition. The pairs that break it join the problem,
    // which is solved again from the previous solution.
    let mut previous: Option<Solution> = None;
    // Solving afresh is cheaper than from the previous solution when pairs join for many
    // mentees: each of them is taken off its mentor and placed again by a search, while a
    // fresh solve places most mentees at the auction's prices at once.
    let mut afresh = true;
    let (instance, solution) = loop {
        let instance = graph_of(&shortlists)?.with_score_range(0.0, 1.0);
        let solution = match &previous {
            Some(start) if !afresh => solve_from(&instance, settings.objective, start),
            _ => {
                let mut solution = (settings.objective == Objective::MaxCardinality)
                    .then(|| solve_parts(&instance, &completing.in_e, &completing.in_o))
                    .flatten()
                    .unwrap_or_else(|| solve(&instance, settings.objective));
                raise_prices(&instance, &mut solution);
                solution
            }
        };
        let (u, v) = (
            &solution.certificate.mentee_duals,
            &solution.certificate.mentor_duals,
        );
        let tolerance = 1e-9;
        // A left-out pair that passed against the previous duals can fail now only if u_i or
        // v_j fell: a mentee whose dual fell is checked in full, the others only against the
        // mentors whose dual fell.
        let earlier = previous.as_ref().map(|old| &old.certificate);
        let fell = |now: &[f64], before: Option<&Vec<f64>>| -> Vec<bool> {
            match before {
                Some(before) => now.iter().zip(before).map(|(n, b)| n < b).collect(),
                None => vec![true; now.len()],
            }
        };
        let fallen_mentee = fell(u, earlier.map(|c| &c.mentee_duals));
        let cheaper = fell(v, earlier.map(|c| &c.mentor_duals));
        let cheaper_set = index.select(|j| cheaper[j]);
        let any_cheaper = cheaper.contains(&true);
        // A mentee some largest matching leaves out pairs only with mentors of O (the split's
        // parts over every passing pair, see the `split` module): its pairs are checked
        // against those mentors alone, and their cheapest dual is a floor under v_j.
        let (in_e, in_o) = (&completing.in_e, &completing.in_o);
        let o_floor = v
            .iter()
            .zip(in_o)
            .filter(|(_, o)| **o)
            .map(|(v, _)| *v)
            .fold(f64::INFINITY, f64::min);
        let floor = |i: usize| if in_e[i] { o_floor } else { 0.0 };
        let o_set = index.select(|j| in_o[j]);
        let cheaper_o_set = index.select(|j| in_o[j] && cheaper[j]);
        let violations: Vec<(usize, Vec<(u32, f64)>)> = (0..mentees.len())
            .into_par_iter()
            .filter(|&i| {
                shortlists[i]
                    .best_dropped()
                    .is_some_and(|s| u[i] + floor(i) + tolerance < s)
                    && (any_cheaper || fallen_mentee[i])
            })
            .map_init(Vec::new, |scratch, i| {
                let list = &shortlists[i];
                let everyone = fallen_mentee[i];
                let below = |j: usize, most: f64| u[i] + v[j] + tolerance < most;
                let found = if list.beyond.is_some_and(|b| u[i] + floor(i) + tolerance < b) {
                    // The remembered pairs may not hold every violation: look again at every
                    // mentor whose bound allows one.
                    let most = list.best_dropped().unwrap_or(f64::NEG_INFINITY);
                    let worth = |j: usize, bound: f64| {
                        below(j, most.min(bound))
                            && list
                                .kept
                                .binary_search_by_key(&(j as u32), |p| p.0)
                                .is_err()
                    };
                    let among = match (everyone, in_e[i]) {
                        (true, false) => None,
                        (true, true) => Some(&o_set[..]),
                        (false, false) => Some(&cheaper_set[..]),
                        (false, true) => Some(&cheaper_o_set[..]),
                    };
                    // Bounds are the cost here: no pair scores above `most`, so a mentor whose
                    // dual alone covers it needs none.
                    let hopeful = |j: usize| below(j, most);
                    let cached = Some(&list.bounds[..]).filter(|b| !b.is_empty());
                    index
                        .feasible(&pool, i, scratch, among, hopeful, worth, cached)
                        .filter(|&(j, s)| below(j as usize, s))
                        .collect()
                } else {
                    // v ≥ 0, so nothing after a pair whose `most` is at most u_i can violate.
                    list.dropped
                        .iter()
                        .take_while(|&&(_, most)| u[i] + tolerance < most)
                        .filter(|&&(j, most)| {
                            (everyone || cheaper[j as usize]) && below(j as usize, most)
                        })
                        .filter_map(|&(j, _)| {
                            let pair = (&prepared_mentors[j as usize], &prepared_mentees[i]);
                            assess_screened(pair.0, pair.1, settings)
                                .ok()
                                .map(|s| (j, s))
                        })
                        .filter(|&(j, s)| below(j as usize, s))
                        .collect()
                };
                (i, found)
            })
            .filter(|(_, found): &(usize, Vec<_>)| !found.is_empty())
            .collect();
        if violations.is_empty() {
            break (instance, solution);
        }
        afresh = violations.len() * FRESH_SOLVE_SHARE > mentees.len();
        previous = Some(solution);
        for (mentee, found) in violations {
            let list = &mut shortlists[mentee];
            list.dropped.retain(|p| !found.iter().any(|f| f.0 == p.0));
            list.kept.extend(found);
            list.kept.sort_unstable_by_key(|p| p.0);
        }
    };
    debug_assert_eq!(verify(&instance, settings.objective, &solution), Ok(()));
    let scored_pairs = shortlists.iter().map(|list| list.scored).sum();

    let explained = |mentor: usize, mentee: usize, pinned: bool| ProposedPair {
        mentor,
        mentee,
        pinned,
        explanation: explain(
            &prepared_mentors[mentor],
            &prepared_mentees[mentee],
            settings,
        ),
    };
    let mut pairs: Vec<ProposedPair> = constraints
        .pinned
        .iter()
        .map(|&(mentor, mentee)| explained(mentor, mentee, true))
        .collect();
    pairs.extend(
        solution
            .pairs
            .iter()
            .map(|&(mentor, mentee)| explained(mentor as usize, mentee as usize, false)),
    );
    pairs.sort_by_key(|pair| pair.mentee);

    let mut mentor_matched = vec![false; mentors.len()];
    let mut mentee_matched = vec![false; mentees.len()];
    for pair in &pairs {
        mentor_matched[pair.mentor] = true;
        mentee_matched[pair.mentee] = true;
    }
    // Every pair that passes the rules is in some shortlist whenever it could be matched: a
    // mentee's shortlist holds its best passing pairs, and every mentor keeps its best few
    // (by bound: a mentor whose best by bound all fail the rules is replayed, and still found
    // to have candidates).
    // So someone listed has candidates, and only the others have the rules replayed against
    // everyone, to name the rule that leaves no one.
    let mut mentor_listed = vec![false; mentors.len()];
    for list in &shortlists {
        for &(mentor, _) in &list.kept {
            mentor_listed[mentor as usize] = true;
        }
    }
    // `rule` for the replay, which meets mostly pairs that fail early: levels read from a flat
    // list, the chain and exclusions from the lists candidate generation uses, and the weeks
    // compared only for pairs that pass those (and `broken_rule`'s window check).
    let mentor_levels: Vec<u8> = mentors.iter().map(|p| p.level).collect();
    let mentee_levels: Vec<u8> = mentees.iter().map(|p| p.level).collect();
    let replay = |mentor: usize, mentee: usize| {
        let gap = i32::from(mentee_levels[mentee]) - i32::from(mentor_levels[mentor]);
        if gap < i32::from(settings.min_level_gap) {
            return Some(HardRule::LevelGap);
        }
        let listed = ruled_out[mentee].binary_search(&(mentor as u32)).is_ok();
        if !listed
            && let (Some(a), Some(b)) = (
                &prepared_mentors[mentor].coarse,
                &prepared_mentees[mentee].coarse,
            )
            && !share_a_window(a, b)
        {
            return Some(HardRule::Availability);
        }
        rule(mentor, mentee)
    };
    let reason = |furthest: Option<HardRule>| match furthest {
        None => Unmatched::CandidatesTaken,
        Some(rule) => Unmatched::NoCandidate(rule),
    };
    let unmatched_mentees = (0..mentees.len())
        .into_par_iter()
        .filter(|&i| !mentee_matched[i])
        .map(|i| {
            if !shortlists[i].kept.is_empty() {
                return (i, Unmatched::CandidatesTaken);
            }
            (
                i,
                reason(furthest((0..mentors.len()).map(|j| replay(j, i)))),
            )
        })
        .collect();
    let unmatched_mentors = (0..mentors.len())
        .into_par_iter()
        .filter(|&j| !mentor_matched[j])
        .map(|j| {
            if mentor_listed[j] {
                return (j, Unmatched::CandidatesTaken);
            }
            // Mentees pinned to someone else count as taken candidates.
            (
                j,
                reason(furthest((0..mentees.len()).map(|i| replay(j, i)))),
            )
        })
        .collect();
    let total_score = pairs.iter().map(|p| p.explanation.score).sum();
    Ok(Proposal {
        pairs,
        unmatched_mentors,
        unmatched_mentees,
        total_score,
        scored_pairs,
    })
}

/// The furthest any pair gets through the rules (checked in order), as the rule it breaks;
/// `None` when some pair passes them all.
fn furthest(broken: impl Iterator<Item = Option<HardRule>>) -> Option<HardRule> {
    let mut furthest = HardRule::ALL[0];
    for rule in broken {
        furthest = furthest.max(rule?);
    }
    Some(furthest)
}

#[cfg(test)]
mod tests {
    use crate::criteria::assess;
    use jiff::civil::{Time, Weekday, date};
    use jiff::tz::TimeZone;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    use super::*;
    use crate::availability::LocalSlot;
    use crate::criteria::{Coarse, MenteeBound};
    use crate::profile::{Channel, Dimension, TimeOfDay, Weights};
    use crate::{Objective, availability};

    const ZONES: [&str; 4] = [
        "Europe/London",
        "America/New_York",
        "Asia/Kolkata",
        "Australia/Sydney",
    ];

    fn participant(rng: &mut StdRng, person: u32, level: u8) -> Participant {
        let days = [Weekday::Monday, Weekday::Wednesday, Weekday::Friday];
        let availability = (0..rng.random_range(1..=3))
            .map(|_| {
                let start = rng.random_range(6..=18);
                LocalSlot {
                    day: days[rng.random_range(0..days.len())],
                    start: Time::constant(start, 0, 0, 0),
                    end: Time::constant(start + rng.random_range(1..=3), 30, 0, 0),
                }
            })
            .collect();
        Participant {
            person,
            managers: (0..2).map(|_| rng.random_range(0..80)).collect(),
            level,
            department: Some(format!("D{}", rng.random_range(0..3))),
            location: Some(format!("Site {}", rng.random_range(0..3))),
            time_zone: TimeZone::get(ZONES[rng.random_range(0..ZONES.len())]).unwrap(),
            availability,
            channel: [Channel::InPerson, Channel::Virtual, Channel::Either][rng.random_range(0..3)],
            time_of_day: [TimeOfDay::Morning, TimeOfDay::Afternoon, TimeOfDay::Any]
                [rng.random_range(0..3)],
            topics: (0..rng.random_range(0..4))
                .map(|t| (t * 3 + rng.random_range(0..3), rng.random_range(1..=5)))
                .collect(),
            big_five: rng
                .random_bool(0.5)
                .then(|| [(); 5].map(|_| rng.random_range(1.0..=5.0))),
            birth_year: Some(rng.random_range(1960..2004)),
            gender: None,
        }
    }

    fn cohort(seed: u64, size: usize) -> (Vec<Participant>, Vec<Participant>, Settings) {
        let mut rng = StdRng::seed_from_u64(seed);
        let mentors = (0..size)
            .map(|k| {
                let level = rng.random_range(1..=6);
                participant(&mut rng, k as u32, level)
            })
            .collect();
        let mentees = (0..size)
            .map(|k| {
                let level = rng.random_range(5..=12);
                participant(&mut rng, (size + k) as u32, level)
            })
            .collect();
        let settings = Settings {
            min_level_gap: 3,
            mentor_capacity: rng.random_range(1..=2),
            session_minutes: 60,
            weights: Weights::default(),
            diversity: vec![Dimension::Generation, Dimension::Department],
            reference_weeks: availability::reference_weeks(date(2027, 2, 1), date(2027, 6, 30)),
            objective: if rng.random_bool(0.5) {
                Objective::MaxCardinality
            } else {
                Objective::MaxTotal
            },
        };
        (mentors, mentees, settings)
    }

    #[test]
    fn the_cut_and_pricing_give_the_answer_of_solving_every_candidate_pair() {
        for seed in 0..12 {
            let (mentors, mentees, settings) = cohort(seed, 40);
            let full = without_cut(&mentors, &mentees, &settings);
            for cut in [
                Cut {
                    per_mentee: 1,
                    per_mentor: 0,
                },
                Cut {
                    per_mentee: 2,
                    per_mentor: 1,
                },
                CUT,
            ] {
                let trimmed =
                    propose_with(&mentors, &mentees, &settings, &Constraints::default(), cut)
                        .unwrap();
                assert_eq!(trimmed.pairs.len(), full.pairs.len(), "seed {seed} {cut:?}");
                assert!(
                    (trimmed.total_score - full.total_score).abs() < 1e-9,
                    "seed {seed} {cut:?}: {} vs {}",
                    trimmed.total_score,
                    full.total_score
                );
                assert_eq!(
                    trimmed.unmatched_mentees, full.unmatched_mentees,
                    "seed {seed}"
                );
            }
            assert!(full.scored_pairs > 0, "seed {seed} has candidates");
        }
    }

    /// The proposal with every candidate pair scored and given to the solver.
    fn without_cut(
        mentors: &[Participant],
        mentees: &[Participant],
        settings: &Settings,
    ) -> Proposal {
        let everything = Cut {
            per_mentee: usize::MAX,
            per_mentor: 0,
        };
        propose_with(
            mentors,
            mentees,
            settings,
            &Constraints::default(),
            everything,
        )
        .unwrap()
    }

    fn prepare<'a>(people: &'a [Participant], settings: &Settings) -> Vec<Prepared<'a>> {
        people.iter().map(|p| Prepared::new(p, settings)).collect()
    }

    #[test]
    fn the_index_finds_every_pair_that_passes_the_rules() {
        let mut across_chains = 0;
        for seed in 0..6 {
            let (mentors, mentees, settings) = cohort(seed, 40);
            let (a, b) = (prepare(&mentors, &settings), prepare(&mentees, &settings));
            let by_rules = a
                .iter()
                .flat_map(|m| b.iter().map(move |e| (m, e)))
                .filter(|(m, e)| assess(m, e, &settings).is_ok())
                .count();
            across_chains += a
                .iter()
                .flat_map(|m| b.iter().map(move |e| (m, e)))
                .filter(|(m, e)| assess(m, e, &settings) == Err(HardRule::ReportingChain))
                .count();
            let proposal = without_cut(&mentors, &mentees, &settings);
            assert_eq!(proposal.scored_pairs, by_rules, "seed {seed}");
            let cut = propose(&mentors, &mentees, &settings, &Constraints::default()).unwrap();
            assert!(
                cut.scored_pairs <= by_rules,
                "seed {seed}: {} > {by_rules}",
                cut.scored_pairs
            );
        }
        assert!(
            across_chains > 0,
            "the cohorts have pairs in one reporting chain"
        );
    }

    #[test]
    fn completing_from_nothing_finds_a_largest_matching_and_the_split_s_parts() {
        for seed in 0..8 {
            let (mentors, mentees, settings) = cohort(seed, 40);
            let (a, b) = (prepare(&mentors, &settings), prepare(&mentees, &settings));
            let capacity = vec![settings.mentor_capacity; a.len()];
            let ruled_out = chain_conflicts(&mentors, &mentees);
            let pool = Pool {
                mentors: &a,
                mentees: &b,
                settings: &settings,
                has_room: vec![true; a.len()],
                ruled_out: &ruled_out,
            };
            let index = Index::new(&a, &settings);
            let completion = index.complete_matching(
                &pool,
                &capacity,
                vec![u32::MAX; b.len()],
                |_, _| false,
                &vec![true; b.len()],
            );
            // Every pair that passes the rules, as one instance.
            let whole = Instance::from_pairs(
                capacity.clone(),
                b.len(),
                (0..a.len()).flat_map(|j| {
                    let (a, b, settings) = (&a, &b, &settings);
                    (0..b.len()).filter_map(move |i| {
                        let score = assess(&a[j], &b[i], settings).ok()?;
                        Some((j as u32, i as u32, score))
                    })
                }),
            )
            .unwrap();
            let largest = maximum_matching(&whole);
            let matched = largest.iter().filter(|&&j| j != u32::MAX).count();
            let mut held = vec![0; a.len()];
            for (mentee, &mentor) in completion.mentor_of.iter().enumerate() {
                if mentor != u32::MAX {
                    held[mentor as usize] += 1;
                    let added = completion
                        .added
                        .iter()
                        .find(|p| (p.0, p.1) == (mentor, mentee as u32));
                    let score = whole.score(mentor, mentee as u32);
                    assert!(score.is_some(), "seed {seed}: a pair that breaks a rule");
                    assert_eq!(added.map(|p| p.2), score, "seed {seed}");
                }
            }
            assert!(
                held.iter().all(|&h| h <= settings.mentor_capacity),
                "seed {seed}"
            );
            let found = completion
                .mentor_of
                .iter()
                .filter(|&&j| j != u32::MAX)
                .count();
            assert_eq!(found, matched, "seed {seed}");
            let (in_e, in_o) = crate::split::deficient_part(&whole, &largest);
            assert_eq!(completion.in_e, in_e, "seed {seed}");
            assert_eq!(completion.in_o, in_o, "seed {seed}");
            assert!(matched < b.len(), "seed {seed}: someone is left out");
        }
    }

    #[test]
    fn the_touched_block_lists_hold_what_the_grids_hold() {
        let (mentors, _, settings) = cohort(3, 30);
        for mentor in prepare(&mentors, &settings) {
            let coarse = mentor.coarse.as_ref().unwrap();
            let words = coarse.bits.len() / 3;
            let part = |p: usize| availability::blocks(&coarse.bits[p * words..(p + 1) * words]);
            let touched = coarse.touched_blocks();
            let listed = |flag: u16| -> Vec<usize> {
                let entries = touched.iter().filter(|&&e| e & flag == flag);
                entries.map(|&e| usize::from(e >> 2)).collect()
            };
            assert_eq!(listed(0), part(1).collect::<Vec<_>>());
            assert_eq!(listed(2), part(0).collect::<Vec<_>>());
            assert_eq!(listed(1), part(2).collect::<Vec<_>>());
            assert!(!touched.is_empty());
        }
    }

    #[test]
    fn the_bound_is_never_below_the_score() {
        let mut checked = 0;
        for seed in 0..6 {
            let (mentors, mentees, mut settings) = cohort(seed, 30);
            settings.session_minutes = [30, 45, 60, 90][seed as usize % 4];
            let (a, b) = (prepare(&mentors, &settings), prepare(&mentees, &settings));
            // Only the schedule is bounded loosely: the bound is above the score by at most
            // the schedule's share of the weights.
            let schedule_share = 2.0 / 9.0;
            for mentee in &b {
                let bounds = MenteeBound::new(mentee, &settings);
                for mentor in &a {
                    if let Ok(score) = assess(mentor, mentee, &settings) {
                        let blocks = mentor.coarse.as_ref().map(Coarse::touched_blocks);
                        let most = bounds.bound(&mentor.card, blocks.as_deref());
                        assert!(most >= score, "seed {seed}: bound {most} below {score}");
                        assert!(
                            most <= score + schedule_share + 1e-9,
                            "seed {seed}: bound {most} far above {score}"
                        );
                        checked += 1;
                    }
                }
            }
        }
        assert!(checked > 100, "{checked} pairs checked");
    }

    #[test]
    fn the_fast_score_is_the_explained_score() {
        let (mentors, mentees, settings) = cohort(7, 30);
        let mut checked = 0;
        for mentor in &mentors {
            for mentee in &mentees {
                let (a, b) = (
                    Prepared::new(mentor, &settings),
                    Prepared::new(mentee, &settings),
                );
                if let Ok(score) = assess(&a, &b, &settings) {
                    assert_eq!(score, explain(&a, &b, &settings).score);
                    checked += 1;
                }
            }
        }
        assert!(checked > 20);
    }
}

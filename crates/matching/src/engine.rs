//! Matching a cohort: candidate pairs that pass the hard rules, scored and explained; the exact
//! assignment over them; and the reason for everyone left unmatched.

use std::collections::HashSet;

use rayon::prelude::*;

use crate::criteria::{Explanation, HardRule, Prepared, broken_rule, explain};
use crate::profile::{Participant, Settings};
use crate::{Instance, InstanceError, solve, verify};

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
    /// How many pairs passed the hard rules (the size of the graph the solver saw).
    pub candidate_pairs: usize,
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
/// Complexity: preparing availabilities O((n + m) · w) for w reference weeks; candidate
/// generation visits, for each mentee, only mentors far enough below them (mentors are sorted by
/// level) and checks the other rules with bit masks, in parallel; scoring only candidates that
/// pass; then [`solve`] on the candidate graph. Errors on a pin that is out of range, repeated,
/// over capacity, forbidden or against a hard rule.
pub fn propose(
    mentors: &[Participant],
    mentees: &[Participant],
    settings: &Settings,
    constraints: &Constraints,
) -> Result<Proposal, MatchingError> {
    let prepared_mentors: Vec<Prepared> = mentors
        .par_iter()
        .map(|p| Prepared::new(p, settings))
        .collect();
    let prepared_mentees: Vec<Prepared> = mentees
        .par_iter()
        .map(|p| Prepared::new(p, settings))
        .collect();
    let excluded = |mentor: usize, mentee: usize| {
        constraints.forbidden.contains(&(mentor, mentee))
            || constraints.excluded.contains(&(mentor, mentee))
    };
    let rule = |mentor: usize, mentee: usize| {
        broken_rule(
            &prepared_mentors[mentor],
            &prepared_mentees[mentee],
            settings,
        )
        .or_else(|| excluded(mentor, mentee).then_some(HardRule::Excluded))
    };

    let mut capacity = vec![settings.mentor_capacity; mentors.len()];
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

    // Mentors by level, so a mentee's possible mentors are a prefix of this order.
    let mut by_level: Vec<usize> = (0..mentors.len()).collect();
    by_level.sort_by_key(|&j| (mentors[j].level, j));
    let levels: Vec<u8> = by_level.iter().map(|&j| mentors[j].level).collect();
    let candidates: Vec<Vec<(usize, f64)>> = (0..mentees.len())
        .into_par_iter()
        .map(|mentee| {
            if pinned_mentee[mentee] {
                return Vec::new();
            }
            let highest = i32::from(mentees[mentee].level) - i32::from(settings.min_level_gap);
            let end = levels.partition_point(|&level| i32::from(level) <= highest);
            let mut found: Vec<(usize, f64)> = by_level[..end]
                .iter()
                .filter(|&&mentor| capacity[mentor] > 0 && rule(mentor, mentee).is_none())
                .map(|&mentor| {
                    (
                        mentor,
                        explain(
                            &prepared_mentors[mentor],
                            &prepared_mentees[mentee],
                            settings,
                        )
                        .score,
                    )
                })
                .collect();
            found.sort_by_key(|&(mentor, _)| mentor);
            found
        })
        .collect();
    let candidate_pairs = candidates.iter().map(Vec::len).sum();
    let instance = Instance::from_pairs(
        capacity,
        mentees.len(),
        candidates.iter().enumerate().flat_map(|(mentee, list)| {
            list.iter()
                .map(move |&(mentor, score)| (mentor as u32, mentee as u32, score))
        }),
    )?;
    let solution = solve(&instance, settings.objective);
    debug_assert_eq!(verify(&instance, settings.objective, &solution), Ok(()));

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
    let reason = |has_candidate: bool, rules_left: &dyn Fn(HardRule) -> bool| {
        if has_candidate {
            Unmatched::CandidatesTaken
        } else {
            let rule = HardRule::ALL
                .into_iter()
                .find(|&rule| !rules_left(rule))
                .unwrap_or(HardRule::Excluded);
            Unmatched::NoCandidate(rule)
        }
    };
    let unmatched_mentees = (0..mentees.len())
        .into_par_iter()
        .filter(|&i| !mentee_matched[i])
        .map(|i| {
            let has_candidate = (0..mentors.len()).any(|j| rule(j, i).is_none());
            let survives =
                |upto: HardRule| (0..mentors.len()).any(|j| passes_up_to(rule(j, i), upto));
            (i, reason(has_candidate, &survives))
        })
        .collect();
    let unmatched_mentors = (0..mentors.len())
        .into_par_iter()
        .filter(|&j| !mentor_matched[j])
        .map(|j| {
            let has_candidate =
                (0..mentees.len()).any(|i| !pinned_mentee[i] && rule(j, i).is_none());
            let survives =
                |upto: HardRule| (0..mentees.len()).any(|i| passes_up_to(rule(j, i), upto));
            (j, reason(has_candidate, &survives))
        })
        .collect();
    let total_score = pairs.iter().map(|p| p.explanation.score).sum();
    Ok(Proposal {
        pairs,
        unmatched_mentors,
        unmatched_mentees,
        total_score,
        candidate_pairs,
    })
}

/// Whether a pair passes every rule up to and including `upto` (rules are checked in order, so
/// the first broken rule tells which ones it passes).
fn passes_up_to(broken: Option<HardRule>, upto: HardRule) -> bool {
    broken.is_none_or(|rule| rule > upto)
}

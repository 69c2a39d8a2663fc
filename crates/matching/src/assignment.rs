//! The assignment problem Upward solves, stripped of people: mentors with capacities, mentees
//! who take one mentor each, and a score on each allowed (mentor, mentee) pair. Absent pairs are
//! forbidden. This is what `upward solve` reads and what the solver and `verify` work on.

use std::fmt;

/// A mentor's index in an [`Instance`].
pub type Mentor = u32;
/// A mentee's index in an [`Instance`].
pub type Mentee = u32;

/// What "best" means for a cohort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Objective {
    /// Match as many people as possible; among those matchings, the highest total score.
    #[default]
    MaxCardinality,
    /// The highest total score, even if fewer people are matched.
    MaxTotal,
}

impl std::str::FromStr for Objective {
    type Err = String;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value {
            "max-cardinality" => Ok(Objective::MaxCardinality),
            "max-total" => Ok(Objective::MaxTotal),
            other => Err(format!(
                "unknown objective '{other}': use max-cardinality or max-total"
            )),
        }
    }
}

/// Why an instance cannot be built.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InstanceError {
    #[error("mentor {mentor} does not exist (there are {mentors} mentors)")]
    MentorOutOfRange { mentor: Mentor, mentors: usize },
    #[error("mentee {mentee} does not exist (there are {mentees} mentees)")]
    MenteeOutOfRange { mentee: Mentee, mentees: usize },
    #[error("the score of mentor {mentor} and mentee {mentee} is not a finite number")]
    NonFiniteScore { mentor: Mentor, mentee: Mentee },
    #[error("the pair of mentor {mentor} and mentee {mentee} is given twice")]
    DuplicatePair { mentor: Mentor, mentee: Mentee },
    #[error("{mentors} mentors need {mentors} capacities, not {capacities}")]
    CapacityCount { mentors: usize, capacities: usize },
    #[error("more than {} pairs or people", u32::MAX)]
    TooLarge,
}

/// A sparse bipartite instance, stored by mentee (compressed rows) for the solver.
#[derive(Clone, PartialEq)]
pub struct Instance {
    capacities: Vec<u32>,
    /// `row_start[i]..row_start[i + 1]` indexes mentee i's candidate pairs.
    row_start: Vec<usize>,
    mentors: Vec<Mentor>,
    scores: Vec<f64>,
    /// Bounds the caller promises for every score, including pairs left out of this instance
    /// (see [`Instance::with_score_range`]).
    declared_range: Option<(f64, f64)>,
}

impl fmt::Debug for Instance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Instance");
        debug
            .field("capacities", &self.capacities)
            .field("mentees", &self.mentee_count())
            .field("pairs", &self.pair_count());
        if self.pair_count() <= 64 {
            // Small instances (test failures) show every pair as (mentor, mentee, score).
            let pairs: Vec<(Mentor, Mentee, f64)> = (0..self.mentee_count() as Mentee)
                .flat_map(|i| self.candidates(i).map(move |(j, s)| (j, i, s)))
                .collect();
            debug.field("list", &pairs);
        }
        debug.finish()
    }
}

impl Instance {
    /// Builds an instance from `(mentor, mentee, score)` triples in any order.
    ///
    /// O(p log p) for p pairs. Fails on an index out of range, a NaN or infinite score, or a
    /// pair given twice.
    ///
    /// ```
    /// use upward_matching::Instance;
    /// let instance = Instance::from_pairs(vec![1, 2], 3, [(0, 0, 0.5), (1, 2, 0.9)]).unwrap();
    /// assert_eq!((instance.mentor_count(), instance.mentee_count(), instance.pair_count()), (2, 3, 2));
    /// ```
    pub fn from_pairs(
        capacities: Vec<u32>,
        mentees: usize,
        pairs: impl IntoIterator<Item = (Mentor, Mentee, f64)>,
    ) -> Result<Self, InstanceError> {
        let mentors = capacities.len();
        if mentors > u32::MAX as usize || mentees > u32::MAX as usize {
            return Err(InstanceError::TooLarge);
        }
        let mut triples: Vec<(Mentee, Mentor, f64)> = Vec::new();
        for (mentor, mentee, score) in pairs {
            if mentor as usize >= mentors {
                return Err(InstanceError::MentorOutOfRange { mentor, mentors });
            }
            if mentee as usize >= mentees {
                return Err(InstanceError::MenteeOutOfRange { mentee, mentees });
            }
            if !score.is_finite() {
                return Err(InstanceError::NonFiniteScore { mentor, mentee });
            }
            triples.push((mentee, mentor, score));
        }
        triples.sort_unstable_by_key(|&(mentee, mentor, _)| (mentee, mentor));
        if let Some(pair) = triples
            .windows(2)
            .find(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
        {
            return Err(InstanceError::DuplicatePair {
                mentor: pair[0].1,
                mentee: pair[0].0,
            });
        }
        let mut row_start = vec![0usize; mentees + 1];
        for &(mentee, _, _) in &triples {
            row_start[mentee as usize + 1] += 1;
        }
        for i in 0..mentees {
            row_start[i + 1] += row_start[i];
        }
        Ok(Self {
            capacities,
            row_start,
            mentors: triples.iter().map(|t| t.1).collect(),
            scores: triples.iter().map(|t| t.2).collect(),
            declared_range: None,
        })
    }

    /// Declares that every score of the underlying problem lies in `[low, high]`, including
    /// pairs this instance leaves out, so the value of leaving a mentee unmatched is the same
    /// for any subset of the pairs. The engine solves on a subset and proves the result optimal
    /// for the whole candidate graph; that proof needs one unmatched value for both. Scores of
    /// the instance outside the range widen it.
    pub fn with_score_range(mut self, low: f64, high: f64) -> Self {
        self.declared_range = Some((low, high));
        self
    }

    pub fn mentor_count(&self) -> usize {
        self.capacities.len()
    }

    pub fn mentee_count(&self) -> usize {
        self.row_start.len() - 1
    }

    pub fn pair_count(&self) -> usize {
        self.mentors.len()
    }

    pub fn capacity(&self, mentor: Mentor) -> u32 {
        self.capacities[mentor as usize]
    }

    /// Mentee `mentee`'s candidate mentors and scores, by mentor index.
    pub fn candidates(&self, mentee: Mentee) -> impl Iterator<Item = (Mentor, f64)> + '_ {
        let range = self.row_start[mentee as usize]..self.row_start[mentee as usize + 1];
        self.mentors[range.clone()]
            .iter()
            .copied()
            .zip(self.scores[range].iter().copied())
    }

    /// The score of a pair, if the pair is allowed. O(log d) for d candidates of the mentee.
    pub fn score(&self, mentor: Mentor, mentee: Mentee) -> Option<f64> {
        let range = self.row_start[mentee as usize]..self.row_start[mentee as usize + 1];
        let row = &self.mentors[range.clone()];
        row.binary_search(&mentor)
            .ok()
            .map(|k| self.scores[range.start + k])
    }

    /// Each mentor's candidate mentees and scores (the transpose, built on demand). O(n + m + p).
    pub fn by_mentor(&self) -> Vec<Vec<(Mentee, f64)>> {
        let mut lists = vec![Vec::new(); self.mentor_count()];
        for mentee in 0..self.mentee_count() as Mentee {
            for (mentor, score) in self.candidates(mentee) {
                lists[mentor as usize].push((mentee, score));
            }
        }
        lists
    }

    /// The value of leaving a mentee unmatched in the solver's model: 0 when maximising the
    /// total; under maximum cardinality, a penalty larger than anything a longer matching could
    /// lose in score, so one more matched person always wins (`rows · range + max |s| + 1`).
    pub fn unmatched_value(&self, objective: Objective) -> f64 {
        match objective {
            Objective::MaxTotal => 0.0,
            Objective::MaxCardinality => {
                let (low, high) = self.scores.iter().fold(
                    self.declared_range
                        .unwrap_or((f64::INFINITY, f64::NEG_INFINITY)),
                    |(lo, hi), &s| (lo.min(s), hi.max(s)),
                );
                if low > high {
                    return -1.0;
                }
                let largest = low.abs().max(high.abs());
                -((self.mentee_count() as f64 + 1.0) * (high - low) + largest + 1.0)
            }
        }
    }
}

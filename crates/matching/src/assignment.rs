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

/// The lowest and highest of some scores, `None` when there are none.
fn range_of(scores: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    scores.fold(None, |range, s| match range {
        None => Some((s, s)),
        Some((low, high)) => Some((s.min(low), s.max(high))),
    })
}

/// The most distinct scores an instance may have for [`Instance::coarse_scores`].
const COARSE: usize = 64;

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
    /// The lowest and highest score of the pairs, taken while building: the solver needs them
    /// at once, and a pass of its own over a dense matrix cost a third of a 1,000² solve
    /// (docs/decisions/025).
    present_range: Option<(f64, f64)>,
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
            present_range: range_of(triples.iter().map(|t| t.2)),
            scores: triples.iter().map(|t| t.2).collect(),
            declared_range: None,
        })
    }

    /// Builds an instance from a complete score table: `score(mentor, mentee)` for every pair,
    /// `None` for a forbidden one (a dense matrix, as `upward solve --dense` reads). O(n · m),
    /// with no sorting. Fails on a NaN or infinite score.
    ///
    /// ```
    /// use upward_matching::Instance;
    /// let table = [[1.0, f64::NAN], [0.5, 2.0]]; // rows are mentors, NaN forbids a pair
    /// let score = |j: u32, i: u32| Some(table[j as usize][i as usize]).filter(|s| !s.is_nan());
    /// let instance = Instance::from_dense(vec![1, 1], 2, score).unwrap();
    /// assert_eq!((instance.pair_count(), instance.score(1, 1)), (3, Some(2.0)));
    /// ```
    pub fn from_dense(
        capacities: Vec<u32>,
        mentees: usize,
        score: impl Fn(Mentor, Mentee) -> Option<f64>,
    ) -> Result<Self, InstanceError> {
        let mentors = capacities.len();
        if mentors > u32::MAX as usize || mentees > u32::MAX as usize {
            return Err(InstanceError::TooLarge);
        }
        let mut row_start = Vec::with_capacity(mentees + 1);
        row_start.push(0);
        let (mut mentor_list, mut scores) = (Vec::new(), Vec::new());
        for mentee in 0..mentees as Mentee {
            for mentor in 0..mentors as Mentor {
                if let Some(value) = score(mentor, mentee) {
                    if !value.is_finite() {
                        return Err(InstanceError::NonFiniteScore { mentor, mentee });
                    }
                    mentor_list.push(mentor);
                    scores.push(value);
                }
            }
            row_start.push(mentor_list.len());
        }
        Ok(Self {
            capacities,
            row_start,
            mentors: mentor_list,
            present_range: range_of(scores.iter().copied()),
            scores,
            declared_range: None,
        })
    }

    /// An instance over the same people from rows already sorted by mentor, without repeats
    /// (the solver's own subgraphs; nothing is checked).
    pub(crate) fn from_rows(
        capacities: Vec<u32>,
        rows: &[Vec<(Mentor, f64)>],
        declared_range: Option<(f64, f64)>,
    ) -> Self {
        let mut row_start = Vec::with_capacity(rows.len() + 1);
        row_start.push(0);
        let total = rows.iter().map(Vec::len).sum();
        let (mut mentors, mut scores) = (Vec::with_capacity(total), Vec::with_capacity(total));
        for row in rows {
            debug_assert!(row.windows(2).all(|w| w[0].0 < w[1].0));
            mentors.extend(row.iter().map(|p| p.0));
            scores.extend(row.iter().map(|p| p.1));
            row_start.push(mentors.len());
        }
        Self {
            capacities,
            row_start,
            mentors,
            present_range: range_of(scores.iter().copied()),
            scores,
            declared_range,
        }
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

    pub(crate) fn capacities(&self) -> &[u32] {
        &self.capacities
    }

    /// Mentee `mentee`'s candidate mentors (ascending) and their scores, as two slices.
    pub(crate) fn row(&self, mentee: Mentee) -> (&[Mentor], &[f64]) {
        let range = self.row_start[mentee as usize]..self.row_start[mentee as usize + 1];
        (&self.mentors[range.clone()], &self.scores[range])
    }

    /// Asks the processor to start loading `mentee`'s row, without waiting for it: the start of
    /// its mentors and of its scores, and the next line of scores (a shortlist of 16 holds
    /// 128 bytes of them).
    pub(crate) fn prefetch_row(&self, mentee: Mentee) {
        let start = self.row_start[mentee as usize];
        let end = self.row_start[mentee as usize + 1];
        if start < end {
            prefetch_index::prefetch_index(&self.mentors, start);
            prefetch_index::prefetch_index(&self.scores, start);
            prefetch_index::prefetch_index(&self.scores, (start + 8).min(end - 1));
        }
    }

    /// The lowest and highest score, of the pairs and the declared range together; `None` for
    /// an instance with neither. O(1).
    pub(crate) fn score_range(&self) -> Option<(f64, f64)> {
        match (self.present_range, self.declared_range) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        }
    }

    /// The highest score of any pair of this instance (not the declared range's): a mentee
    /// with enough candidates at this score need not read the rest of its row.
    pub(crate) fn highest_score(&self) -> Option<f64> {
        self.present_range.map(|range| range.1)
    }

    /// Whether the scores take only a few distinct values, as ratings, levels and categories
    /// give, so that most pairs tie with many others: at most [`COARSE`] values among up to
    /// 2¹² scores sampled evenly across the pairs, each shared by eight of them on average.
    /// Only speed depends on the answer. Sampling 2¹⁶ read most of a 1,000² matrix's cache
    /// lines (0.4 ms of a 2 ms solve); 2¹² still sees 64 samples per value at the limit.
    pub(crate) fn coarse_scores(&self) -> bool {
        let step = (self.scores.len() >> 12).max(1);
        let mut seen: Vec<u64> = Vec::with_capacity(COARSE + 1);
        let mut sampled = 0;
        for score in self.scores.iter().step_by(step) {
            sampled += 1;
            let bits = score.to_bits();
            if let Err(at) = seen.binary_search(&bits) {
                if seen.len() == COARSE {
                    return false;
                }
                seen.insert(at, bits);
            }
        }
        8 * seen.len() <= sampled
    }

    /// Mentee `mentee`'s candidate mentors and scores, by mentor index.
    pub fn candidates(&self, mentee: Mentee) -> impl Iterator<Item = (Mentor, f64)> + '_ {
        let (mentors, scores) = self.row(mentee);
        mentors.iter().copied().zip(scores.iter().copied())
    }

    /// The score of a pair, if the pair is allowed. O(log d) for d candidates of the mentee, O(1)
    /// when the mentee may have every mentor.
    pub fn score(&self, mentor: Mentor, mentee: Mentee) -> Option<f64> {
        let (mentors, scores) = self.row(mentee);
        if mentors.len() == self.mentor_count() {
            // A complete row (sorted, no repeats) holds every mentor at its own index.
            return Some(scores[mentor as usize]);
        }
        mentors.binary_search(&mentor).ok().map(|k| scores[k])
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
                let Some((low, high)) = self.score_range() else {
                    return -1.0;
                };
                let largest = low.abs().max(high.abs());
                -((self.mentee_count() as f64 + 1.0) * (high - low) + largest + 1.0)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_range_is_the_pairs_and_the_declared_range_together() {
        let pairs =
            Instance::from_pairs(vec![1, 1], 2, [(0, 0, 2.0), (1, 0, -1.0), (1, 1, 5.0)]).unwrap();
        assert_eq!(pairs.score_range(), Some((-1.0, 5.0)));
        assert_eq!(pairs.highest_score(), Some(5.0));
        let narrower = pairs.clone().with_score_range(0.0, 3.0);
        assert_eq!(narrower.score_range(), Some((-1.0, 5.0)));
        let wider = pairs.with_score_range(-10.0, 10.0);
        assert_eq!(wider.score_range(), Some((-10.0, 10.0)));
        // The highest score is the pairs' own: the declared range may promise more.
        assert_eq!(wider.highest_score(), Some(5.0));

        // A forbidden pair's place in a dense table does not count.
        let table = [[1.0, f64::NAN], [0.5, 3.0]];
        let dense = Instance::from_dense(vec![1, 1], 2, |j, i| {
            Some(table[j as usize][i as usize]).filter(|s| !s.is_nan())
        })
        .unwrap();
        assert_eq!(dense.score_range(), Some((0.5, 3.0)));

        let rows = Instance::from_rows(vec![1, 1], &[vec![(0, 4.0)], vec![(1, 7.5)]], None);
        assert_eq!(rows.score_range(), Some((4.0, 7.5)));

        let empty = Instance::from_pairs(vec![1], 1, []).unwrap();
        assert_eq!((empty.score_range(), empty.highest_score()), (None, None));
        let declared = empty.with_score_range(0.0, 1.0);
        assert_eq!(
            (declared.score_range(), declared.highest_score()),
            (Some((0.0, 1.0)), None)
        );
    }
}

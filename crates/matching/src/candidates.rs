//! Candidate generation: for each mentee, the mentors who pass every hard rule, found without
//! looking at most pairs, scored, and cut to the best few.
//!
//! The index. Mentors are sorted by level, so the mentors far enough below a mentee are a
//! prefix of that order. The first reference week is cut into aligned blocks of `B` minutes,
//! and each block holds the bit set of mentors free for all of it. A common run of at least
//! `2B − 5` minutes (on 5-minute steps) always contains a whole aligned block, so with `B` the
//! largest such block that divides the week, every pair with a common run of a session shares
//! a block: a mentee's possible mentors are the union of its blocks' sets, cut to the level
//! prefix. Only those pairs are checked rule by rule and scored. Building the index is
//! O(m · b) for b blocks a mentor covers; a mentee's lookup is O(b · m / 64) word operations.
//!
//! The cut. Solving on every feasible pair would give the solver tens of millions of pairs
//! for a 20,000-a-side cohort; each mentee keeps its best `limit` and remembers the best score
//! it dropped. The engine then proves the cut harmless from the solver's duals (see
//! [`crate::propose`]) and widens it for the few mentees where it cannot.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::availability::WEEK_MINUTES;
use crate::criteria::{Prepared, assess};
use crate::profile::Settings;

/// The mentors worth checking for each mentee.
pub(crate) struct Index {
    /// Mentor indices by level (then index).
    by_level: Vec<usize>,
    levels: Vec<u8>,
    /// `blocks[b · words .. (b + 1) · words]`: the mentors (positions in `by_level`) free for
    /// all of block `b` of the first reference week. Empty when there is no index (then every
    /// mentor in the level prefix is checked).
    blocks: Vec<u64>,
    block_minutes: i64,
    words: usize,
}

/// The cohort as candidate generation sees it.
pub(crate) struct Pool<'a> {
    pub mentors: &'a [Prepared<'a>],
    pub mentees: &'a [Prepared<'a>],
    pub settings: &'a Settings,
    /// Mentors with a seat left after the pinned pairs.
    pub has_room: Vec<bool>,
    /// For each mentee, the mentors it must not be paired with, sorted.
    pub excluded_by_mentee: &'a [Vec<u32>],
}

/// Each mentor's best few mentees: the other half of the cut. Cutting only by mentee would
/// leave mentors nobody ranks highly with no pairs at all, and a cohort matched on that graph
/// would match fewer people; each mentor keeps its best `limit` mentees as well.
#[derive(Debug, Clone)]
pub(crate) struct MentorTops {
    limit: usize,
    /// Per mentor, a min-heap of `(score, mentee)` of at most `limit` entries.
    heaps: Vec<BinaryHeap<Reverse<(Score, u32)>>>,
}

/// A score ordered by `total_cmp`, for heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Score(f64);

impl Eq for Score {}

impl PartialOrd for Score {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Score {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&other.0)
    }
}

impl MentorTops {
    pub fn new(mentors: usize, limit: usize) -> Self {
        Self {
            limit,
            heaps: vec![BinaryHeap::new(); mentors],
        }
    }

    /// Offers the pair of `mentor` and `mentee`. Ties keep the lower mentee index, so the
    /// result does not depend on the order of offers.
    pub fn offer(&mut self, mentor: u32, mentee: u32, score: f64) {
        let heap = &mut self.heaps[mentor as usize];
        // Reverse order on the mentee index: among equal scores the higher index is "worse".
        let entry = Reverse((Score(score), u32::MAX - mentee));
        if heap.len() < self.limit {
            heap.push(entry);
        } else if heap.peek().is_some_and(|worst| entry < *worst) {
            heap.pop();
            heap.push(entry);
        }
    }

    pub fn merge(mut self, other: Self) -> Self {
        for (mentor, heap) in other.heaps.into_iter().enumerate() {
            for Reverse((score, mentee)) in heap {
                self.offer(mentor as u32, u32::MAX - mentee, score.0);
            }
        }
        self
    }

    /// Every kept `(mentor, mentee, score)`.
    pub fn pairs(self) -> impl Iterator<Item = (u32, u32, f64)> {
        self.heaps
            .into_iter()
            .enumerate()
            .flat_map(|(mentor, heap)| {
                heap.into_iter().map(move |Reverse((score, mentee))| {
                    (mentor as u32, u32::MAX - mentee, score.0)
                })
            })
    }
}

/// A mentee's candidates after the cut.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shortlist {
    /// `(mentor, score)` by mentor index.
    pub kept: Vec<(u32, f64)>,
    /// The best score among the feasible pairs left out, if any were.
    pub best_dropped: Option<f64>,
    /// How many mentors pass every rule with this mentee (before the cut).
    pub feasible: usize,
}

/// The largest block length (a multiple of the step that divides the week) such that every
/// common run of `session_minutes` holds a whole aligned block; 0 if none does.
fn block_minutes(session_minutes: i64) -> i64 {
    let step = crate::availability::STEP_MINUTES;
    (1..=WEEK_MINUTES / step)
        .map(|k| k * step)
        .filter(|&b| WEEK_MINUTES % b == 0 && 2 * b - step <= session_minutes)
        .max()
        .unwrap_or(0)
}

/// The aligned blocks of length `block` that `runs` cover entirely.
fn covered_blocks(runs: &[(u16, u16)], block: i64) -> impl Iterator<Item = usize> + '_ {
    runs.iter().flat_map(move |&(start, end)| {
        let first = (i64::from(start) + block - 1) / block;
        let last = i64::from(end) / block;
        (first..last.max(first)).map(|b| b as usize)
    })
}

impl Index {
    pub fn new(mentors: &[Prepared], settings: &Settings) -> Self {
        let mut by_level: Vec<usize> = (0..mentors.len()).collect();
        by_level.sort_by_key(|&j| (mentors[j].participant.level, j));
        let levels = by_level
            .iter()
            .map(|&j| mentors[j].participant.level)
            .collect();
        let words = mentors.len().div_ceil(64);
        let mut block = block_minutes(settings.session_minutes);
        if settings.reference_weeks.is_empty() || settings.session_minutes <= 0 {
            block = 0;
        }
        let mut blocks = Vec::new();
        if block > 0 {
            blocks = vec![0u64; (WEEK_MINUTES / block) as usize * words];
            for (position, &mentor) in by_level.iter().enumerate() {
                let runs = mentors[mentor].weeks.first().map_or(&[][..], |w| w.runs());
                for b in covered_blocks(runs, block) {
                    blocks[b * words + position / 64] |= 1 << (position % 64);
                }
            }
        }
        Self {
            by_level,
            levels,
            blocks,
            block_minutes: block,
            words,
        }
    }

    /// The mentors (indices) who may pass the level and availability rules with `mentee`, in
    /// level order. `scratch` is a reusable buffer.
    fn possible<'s>(
        &'s self,
        mentee: &Prepared,
        settings: &Settings,
        scratch: &'s mut Vec<u64>,
    ) -> impl Iterator<Item = usize> + 's {
        let highest = i32::from(mentee.participant.level) - i32::from(settings.min_level_gap);
        let end = self
            .levels
            .partition_point(|&level| i32::from(level) <= highest);
        let words = end.div_ceil(64);
        scratch.clear();
        if self.block_minutes == 0 {
            scratch.resize(words, u64::MAX);
        } else {
            scratch.resize(words, 0);
            let runs = mentee.weeks.first().map_or(&[][..], |w| w.runs());
            for b in covered_blocks(runs, self.block_minutes) {
                let set = &self.blocks[b * self.words..b * self.words + words];
                for (into, &from) in scratch.iter_mut().zip(set) {
                    *into |= from;
                }
            }
        }
        if end % 64 != 0
            && let Some(last) = scratch.last_mut()
        {
            *last &= (1u64 << (end % 64)) - 1;
        }
        scratch.iter().enumerate().flat_map(move |(w, &word)| {
            let mut bits = word;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let bit = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    self.by_level[w * 64 + bit]
                })
            })
        })
    }

    /// Mentee `mentee`'s feasible mentors with spare capacity among those `worth` checking,
    /// with their scores, by level.
    pub fn feasible<'s>(
        &'s self,
        pool: &'s Pool,
        mentee: usize,
        scratch: &'s mut Vec<u64>,
        worth: impl Fn(usize) -> bool + 's,
    ) -> impl Iterator<Item = (u32, f64)> + 's {
        let excluded = &pool.excluded_by_mentee[mentee];
        let prepared = &pool.mentees[mentee];
        self.possible(prepared, pool.settings, scratch)
            .filter(move |&j| {
                pool.has_room[j] && worth(j) && excluded.binary_search(&(j as u32)).is_err()
            })
            .filter_map(move |j| {
                assess(&pool.mentors[j], prepared, pool.settings)
                    .ok()
                    .map(|score| (j as u32, score))
            })
    }

    /// Mentee `mentee`'s feasible mentors with spare capacity, scored, cut to the best `limit`
    /// (ties broken by mentor index, so the cut is deterministic).
    pub fn shortlist(
        &self,
        pool: &Pool,
        mentee: usize,
        limit: usize,
        scratch: &mut Vec<u64>,
        mut seen: impl FnMut(u32, f64),
    ) -> Shortlist {
        let mut found: Vec<(u32, f64)> = self
            .feasible(pool, mentee, scratch, |_| true)
            .inspect(|&(j, score)| seen(j, score))
            .collect();
        let feasible = found.len();
        let mut best_dropped = None;
        if found.len() > limit {
            let better = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
            if limit > 0 {
                found.select_nth_unstable_by(limit - 1, better);
            }
            best_dropped = found[limit..].iter().map(|p| p.1).max_by(f64::total_cmp);
            found.truncate(limit);
        }
        found.sort_unstable_by_key(|p| p.0);
        Shortlist {
            kept: found,
            best_dropped,
            feasible,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn covered_blocks_are_the_whole_blocks_inside_runs() {
        let blocks: Vec<usize> = covered_blocks(&[(0, 30), (35, 95), (100, 110)], 30).collect();
        assert_eq!(blocks, [0, 2]);
    }
}

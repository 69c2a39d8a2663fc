//! Candidate generation: for each mentee, the mentors who pass every hard rule, found without
//! looking at most pairs, scored, and cut to the best few.
//!
//! The index. Mentors are sorted by level, so the mentors far enough below a mentee are a
//! prefix of that order. Each session window of the first reference week (see
//! [`SessionWindows`]: almost a session long, every 15 minutes) holds the bit set of mentors
//! free for all of it. Every pair with a common run of a session shares a window, so a
//! mentee's possible mentors are the union of its windows' sets, cut to the level prefix, and
//! few of them fail the availability rule. Building the index is O(m · w) for w windows a
//! mentor covers; a mentee's lookup is O(w · m / 64) word operations.
//!
//! Bounds and the cut. Solving on every feasible pair would give the solver tens of millions
//! of pairs for a 20,000-a-side cohort, and scoring them all was most of the time. Each
//! possible pair gets a cheap upper bound on its score ([`crate::criteria`]'s `bound`, from
//! the mentors' compact cards stored here in level order); pairs are scored in falling order
//! of bound until a mentee's best `limit` are known, and the best pairs left out are
//! remembered with their score or bound (and every bound, rounded up to a byte, for the
//! pricing step: docs/decisions/012). The engine then proves the cut harmless from the
//! solver's duals (see [`crate::propose`]) and widens it where it cannot
//! (docs/decisions/005).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

use crate::availability::{self, SessionWindows};
use crate::criteria::{Card, MenteeBound, Prepared, assess_screened};
use crate::profile::Settings;
use crate::split::flip_path;

/// The mentors worth checking for each mentee.
pub(crate) struct Index {
    /// Mentor indices by level (then first free window, then index).
    by_level: Vec<usize>,
    levels: Vec<u8>,
    /// The mentors' cards and touched blocks in the same order, so that the many bounds a
    /// mentee's lookup computes read memory in order: the mentor at `position` touches
    /// `touched[touched_at[position] .. touched_at[position + 1]]`.
    cards: Vec<Card>,
    touched: Vec<u16>,
    touched_at: Vec<u32>,
    /// `windows[w · words .. (w + 1) · words]`: the mentors (positions in `by_level`) free for
    /// all of session window `w` of the first reference week. Empty when there is no index
    /// (then every mentor in the level prefix is checked).
    windows: Vec<u64>,
    words: usize,
}

/// The cohort as candidate generation sees it.
pub(crate) struct Pool<'a> {
    pub mentors: &'a [Prepared<'a>],
    pub mentees: &'a [Prepared<'a>],
    pub settings: &'a Settings,
    /// Mentors with a seat left after the pinned pairs.
    pub has_room: Vec<bool>,
    /// For each mentee, the mentors that break the reporting-chain rule with it or that it
    /// must not be paired with, sorted.
    pub ruled_out: &'a [Vec<u32>],
}

/// Each mentor's best few mentees by the bound on the pair's score: the other half of the cut.
/// Cutting only by mentee would leave mentors nobody ranks highly with few pairs or none, and
/// the first solve would then need many more pricing rounds; each mentor keeps its best
/// `limit` mentees as well. Ranked by bound rather than score, so that only the pairs kept are
/// scored (at 20,000 a side, ranking by score scored 2.5 million pairs for these heaps), and
/// kept by the mentor's position in the [`Index`]'s level order, which the offers come in.
#[derive(Debug, Clone)]
pub(crate) struct MentorTops {
    limit: usize,
    /// Per mentor position, a min-heap of `(bound, mentee)` of at most `limit` entries.
    heaps: Vec<BinaryHeap<Reverse<(Score, u32)>>>,
    /// Per mentor, the lowest score in a full heap: most offers fall below it, and are turned
    /// away without reading the heap.
    floors: Vec<f64>,
}

/// A score ordered by `total_cmp`, for heaps.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Score(f64);

/// A mentor for a mentee with its bound or score, ranked by it and then by a per-mentee order
/// of the mentors ([`crate::pricing::place`]), highest first in a max-heap.
type Ranked = (Score, Reverse<(u64, u32)>);

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
            floors: vec![f64::NEG_INFINITY; mentors],
        }
    }

    /// Offers the pair of the mentor at `mentor` (its position) and `mentee`. Ties keep the lower mentee index, so the
    /// result does not depend on the order of offers.
    pub fn offer(&mut self, mentor: u32, mentee: u32, score: f64) {
        if score < self.floors[mentor as usize] {
            return;
        }
        let heap = &mut self.heaps[mentor as usize];
        // Reverse order on the mentee index: among equal scores the higher index is "worse".
        let entry = Reverse((Score(score), u32::MAX - mentee));
        if heap.len() < self.limit {
            heap.push(entry);
        } else if heap.peek().is_some_and(|worst| entry < *worst) {
            heap.pop();
            heap.push(entry);
        } else {
            return;
        }
        if heap.len() == self.limit
            && let Some(worst) = heap.peek()
        {
            self.floors[mentor as usize] = worst.0.0.0;
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

    /// Every kept `(mentor, mentee)`, the mentor by index (not position).
    pub fn pairs(self, index: &Index) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.heaps
            .into_iter()
            .enumerate()
            .flat_map(move |(position, heap)| {
                let mentor = index.by_level[position] as u32;
                heap.into_iter()
                    .map(move |Reverse((_, mentee))| (mentor, u32::MAX - mentee))
            })
    }
}

/// A mentee's candidates after the cut.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shortlist {
    /// `(mentor, score)` by mentor index.
    pub kept: Vec<(u32, f64)>,
    /// The best pairs left out, `(mentor, most)` from the highest `most` down, where `most` is
    /// the pair's score or a bound on it: the pricing step looks here first.
    pub dropped: Vec<(u32, f64)>,
    /// The highest score or bound among the pairs left out and not in `dropped`.
    pub beyond: Option<f64>,
    /// How many pairs of this mentee were scored.
    pub scored: usize,
    /// The pairs scored and then left out, `(mentor, score)`: the engine need not score them
    /// again when a mentor's best or the matching wants them.
    pub scored_out: Vec<(u32, f64)>,
    /// Every bound worked out, rounded up to a 255th ([`round_up`]), by the mentor's rank among
    /// the mentee's possible mentors; empty when not kept. The pricing step looks at most
    /// possible pairs again, several times, and reads a byte here instead of working out a
    /// bound (about 20 million bounds at 20,000 a side, 43 MB kept).
    pub bounds: Vec<u8>,
}

/// A bound in [0, 1] as a byte that [`unround`] turns into a bound at least as high.
fn round_up(bound: f64) -> u8 {
    (bound * 255.0).ceil().clamp(0.0, 255.0) as u8
}

/// At least any bound that [`round_up`] gave `rounded` for: a 255th more covers the rounding
/// of the product, and bounds above 1 (by at most the bound's rounding margin) give 255.
fn unround(rounded: u8) -> f64 {
    (f64::from(rounded) + 1.0) / 255.0
}

/// How many left-out pairs a shortlist remembers for pricing, per kept pair.
const DROPPED_PER_KEPT: usize = 2;

impl Shortlist {
    /// Adds the pair with `mentor`, scored `score`, to the kept pairs (if not there yet),
    /// counting it as scored unless it was scored before.
    pub fn keep(&mut self, mentor: u32, score: f64) {
        if let Err(at) = self.kept.binary_search_by_key(&mentor, |p| p.0) {
            self.kept.insert(at, (mentor, score));
            self.dropped.retain(|p| p.0 != mentor);
            if !self.scored_out.iter().any(|p| p.0 == mentor) {
                self.scored += 1;
            }
        }
    }

    /// The score of the pair with `mentor` if it was scored and left out.
    pub fn scored_out(&self, mentor: u32) -> Option<f64> {
        self.scored_out.iter().find(|p| p.0 == mentor).map(|p| p.1)
    }

    /// The highest score or bound among the pairs left out.
    pub fn best_dropped(&self) -> Option<f64> {
        let first = self.dropped.first().map(|p| p.1);
        match (first, self.beyond) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

impl Index {
    pub fn new(mentors: &[Prepared], settings: &Settings) -> Self {
        let mut by_level: Vec<usize> = (0..mentors.len()).collect();
        // Within a level, mentors free at the same times sit together: a mentee's possible
        // mentors then lie in runs, and reading their cards streams through the cache.
        by_level.sort_by_key(|&j| {
            let first_window = mentors[j].coarse.as_ref().and_then(|c| c.windows.first());
            (mentors[j].participant.level, first_window.copied(), j)
        });
        let levels = by_level
            .iter()
            .map(|&j| mentors[j].participant.level)
            .collect();
        let words = mentors.len().div_ceil(64);
        let has_grid = mentors.iter().all(|p| p.coarse.is_some());
        let window_count = SessionWindows::for_session(settings.session_minutes)
            .filter(|_| has_grid)
            .map_or(0, SessionWindows::count);
        let cards = by_level.iter().map(|&j| mentors[j].card.clone()).collect();
        let mut touched = Vec::new();
        let mut touched_at = vec![0u32];
        for &j in &by_level {
            if let Some(coarse) = &mentors[j].coarse {
                touched.extend(coarse.touched_blocks());
            }
            touched_at.push(touched.len() as u32);
        }
        let mut windows = vec![0u64; window_count * words];
        for (position, &mentor) in by_level.iter().enumerate() {
            if let Some(coarse) = &mentors[mentor].coarse {
                for &w in &coarse.windows {
                    windows[usize::from(w) * words + position / 64] |= 1 << (position % 64);
                }
            }
        }
        Self {
            by_level,
            levels,
            cards,
            touched,
            touched_at,
            windows,
            words,
        }
    }

    /// Whether every mentor has a coarse grid (the settings allow one): the windows and the
    /// touched blocks are filled only then.
    fn has_grid(&self) -> bool {
        !self.windows.is_empty()
    }

    /// The mentors (positions in level order) who may pass the level and availability rules
    /// with `mentee`, in that order. `scratch` is a reusable buffer.
    fn possible<'s>(
        &'s self,
        mentee: &Prepared,
        settings: &Settings,
        scratch: &'s mut Vec<u64>,
        among: Option<&[u64]>,
    ) -> impl Iterator<Item = usize> + 's {
        self.screen(mentee, settings, scratch);
        if let Some(among) = among {
            for (into, &keep) in scratch.iter_mut().zip(among) {
                *into &= keep;
            }
        }
        availability::blocks(scratch)
    }

    /// [`Index::possible`] with each mentor's rank among all of the mentee's possible mentors
    /// (`among` left aside): where its bound sits in [`Shortlist::bounds`].
    fn possible_ranked<'s>(
        &'s self,
        mentee: &Prepared,
        settings: &Settings,
        scratch: &'s mut Vec<u64>,
        among: Option<&[u64]>,
    ) -> impl Iterator<Item = (usize, usize)> + 's {
        self.screen(mentee, settings, scratch);
        let words = scratch.len();
        scratch.extend_from_within(..);
        if let Some(among) = among {
            for (into, &keep) in scratch[words..].iter_mut().zip(among) {
                *into &= keep;
            }
        }
        let (all, kept) = scratch.split_at(words);
        let mut before = 0;
        all.iter()
            .zip(kept)
            .enumerate()
            .flat_map(move |(w, (&all, &kept))| {
                let first = before;
                before += all.count_ones() as usize;
                let mut rest = kept;
                std::iter::from_fn(move || {
                    (rest != 0).then(|| {
                        let bit = rest.trailing_zeros();
                        rest &= rest - 1;
                        let rank = first + (all & ((1u64 << bit) - 1)).count_ones() as usize;
                        (w * 64 + bit as usize, rank)
                    })
                })
            })
    }

    /// Fills `scratch` with the bit set (by position in level order) of the mentors who may
    /// pass the level and availability rules with `mentee`.
    fn screen(&self, mentee: &Prepared, settings: &Settings, scratch: &mut Vec<u64>) {
        let highest = i32::from(mentee.participant.level) - i32::from(settings.min_level_gap);
        let end = self
            .levels
            .partition_point(|&level| i32::from(level) <= highest);
        let words = end.div_ceil(64);
        scratch.clear();
        match &mentee.coarse {
            Some(coarse) if self.has_grid() => {
                scratch.resize(words, 0);
                for &w in &coarse.windows {
                    let w = usize::from(w);
                    let set = &self.windows[w * self.words..w * self.words + words];
                    for (into, &from) in scratch.iter_mut().zip(set) {
                        *into |= from;
                    }
                }
            }
            _ => scratch.resize(words, u64::MAX),
        }
        if end % 64 != 0
            && let Some(last) = scratch.last_mut()
        {
            *last &= (1u64 << (end % 64)) - 1;
        }
    }

    /// The bit set, by position in level order, of the mentors `keep` selects: the `among`
    /// argument of [`Index::feasible`].
    pub fn select(&self, keep: impl Fn(usize) -> bool) -> Vec<u64> {
        let mut bits = vec![0u64; self.words];
        for (position, &j) in self.by_level.iter().enumerate() {
            if keep(j) {
                bits[position / 64] |= 1 << (position % 64);
            }
        }
        bits
    }

    /// Mentee `mentee`'s possible mentors with spare capacity that pass the level and
    /// reporting-chain rules, are not ruled out and are `hopeful` (a cheap test before the
    /// bound), by level, as `(position, rank, mentor, bound)`: the bound on their score should
    /// they pass the availability rule, read from `cached` (a [`Shortlist::bounds`]) if given,
    /// else worked out ([`MenteeBound`]), and the rank for [`Shortlist::bounds`].
    fn bounded<'s>(
        &'s self,
        pool: &'s Pool,
        mentee: usize,
        scratch: &'s mut Vec<u64>,
        among: Option<&'s [u64]>,
        hopeful: impl Fn(usize) -> bool + 's,
        cached: Option<&'s [u8]>,
    ) -> impl Iterator<Item = (usize, usize, u32, f64)> + 's {
        let ruled_out = &pool.ruled_out[mentee];
        let prepared = &pool.mentees[mentee];
        let bounds = MenteeBound::new(prepared, pool.settings);
        self.possible_ranked(prepared, pool.settings, scratch, among)
            .filter_map(move |(position, rank)| {
                let j = self.by_level[position];
                if !pool.has_room[j] || !hopeful(j) || ruled_out.binary_search(&(j as u32)).is_ok()
                {
                    return None;
                }
                let bound = match cached.and_then(|c| c.get(rank)) {
                    Some(&rounded) => unround(rounded),
                    None => self.bound(&bounds, position),
                };
                Some((position, rank, j as u32, bound))
            })
    }

    /// The bound on the score of the pair of the mentor at `position` with the mentee of
    /// `bounds`.
    fn bound(&self, bounds: &MenteeBound, position: usize) -> f64 {
        let span = self.touched_at[position] as usize..self.touched_at[position + 1] as usize;
        let grid = self.has_grid().then(|| &self.touched[span]);
        bounds.bound(&self.cards[position], grid)
    }

    /// Mentee `mentee`'s feasible mentors with spare capacity, among the set `among` if given
    /// (see [`Index::select`]), those `hopeful` (given the mentor, before the bound is
    /// computed) and those `worth` checking (given the mentor and the bound on the pair's
    /// score), with their scores, by level. `cached` is the mentee's [`Shortlist::bounds`]: a
    /// pair worth checking by its rounded bound is checked again with its exact bound.
    #[allow(clippy::too_many_arguments)]
    pub fn feasible<'s>(
        &'s self,
        pool: &'s Pool,
        mentee: usize,
        scratch: &'s mut Vec<u64>,
        among: Option<&'s [u64]>,
        hopeful: impl Fn(usize) -> bool + 's,
        worth: impl Fn(usize, f64) -> bool + 's,
        cached: Option<&'s [u8]>,
    ) -> impl Iterator<Item = (u32, f64)> + 's {
        let prepared = &pool.mentees[mentee];
        let bounds = MenteeBound::new(prepared, pool.settings);
        self.bounded(pool, mentee, scratch, among, hopeful, cached)
            .filter(move |&(position, _, j, b)| {
                worth(j as usize, b)
                    && (cached.is_none() || worth(j as usize, self.bound(&bounds, position)))
            })
            .filter_map(move |(_, _, j, _)| {
                assess_screened(&pool.mentors[j as usize], prepared, pool.settings)
                    .ok()
                    .map(|score| (j, score))
            })
    }

    /// Mentee `mentee`'s best `limit` feasible mentors with spare capacity, scored. Pairs are
    /// scored in falling order of their bound, and scoring stops once the `limit`-th best score
    /// found is at least every remaining bound, less the bound's margin for rounding (else every
    /// pair that ties it, a bound exactly that margin above its score, is scored: a twelfth of
    /// all pairs when profiles are alike, docs/decisions/031), so most pairs are never scored;
    /// the best pairs left out are remembered for the pricing step. Every bounded pair is
    /// offered to `tops` with its bound.
    pub fn shortlist(
        &self,
        pool: &Pool,
        mentee: usize,
        limit: usize,
        scratch: &mut Vec<u64>,
        tops: &mut MentorTops,
        keep_bounds: bool,
    ) -> Shortlist {
        let prepared = &pool.mentees[mentee];
        // Every pair is offered to its mentor's best by its bound, in level order, so that the
        // offers read the mentors' floors in order.
        let mut rounded = Vec::new();
        let bounded: Vec<Ranked> = self
            .bounded(pool, mentee, scratch, None, |_| true, None)
            .map(|(position, rank, j, b)| {
                tops.offer(position as u32, mentee as u32, b);
                if keep_bounds {
                    rounded.resize(rank + 1, u8::MAX);
                    rounded[rank] = round_up(b);
                }
                (
                    Score(b),
                    Reverse((crate::pricing::place(mentee as u32, j), j)),
                )
            })
            .collect();
        // Highest bound first, then a per-mentee order of the mentors (deterministic, and
        // spread, so that when bounds tie the mentees do not all score the same mentors).
        let mut waiting = BinaryHeap::from(bounded);
        // The best `limit` scores so far: a min-heap, worst on top.
        let mut best: BinaryHeap<Reverse<Ranked>> = BinaryHeap::new();
        let mut left_out: Vec<(u32, f64)> = Vec::new();
        let mut scored = 0;
        while let Some(&(Score(top), _)) = waiting.peek() {
            if best.len() == limit
                && best
                    .peek()
                    .is_none_or(|w| w.0.0.0 >= top - crate::criteria::ROUNDING)
            {
                break;
            }
            let Some((_, Reverse((tie, j)))) = waiting.pop() else {
                break;
            };
            let Ok(score) = assess_screened(&pool.mentors[j as usize], prepared, pool.settings)
            else {
                continue;
            };
            scored += 1;
            best.push(Reverse((Score(score), Reverse((tie, j)))));
            if best.len() > limit
                && let Some(Reverse((Score(score), Reverse((_, j))))) = best.pop()
            {
                left_out.push((j, score));
            }
        }
        let scored_out = left_out.clone();
        // The best left out: among those scored and pushed out of `best`, and the top of
        // what is still waiting.
        let remembered = DROPPED_PER_KEPT.saturating_mul(limit);
        for _ in 0..remembered {
            let Some((Score(most), Reverse((_, j)))) = waiting.pop() else {
                break;
            };
            left_out.push((j, most));
        }
        let remembered = remembered.min(left_out.len());
        let higher = |a: &(u32, f64), b: &(u32, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
        if remembered > 0 && remembered < left_out.len() {
            left_out.select_nth_unstable_by(remembered - 1, higher);
        }
        let beyond = left_out[remembered..]
            .iter()
            .map(|p| p.1)
            .chain(waiting.peek().map(|p| p.0.0))
            .max_by(f64::total_cmp);
        left_out.truncate(remembered);
        left_out.sort_unstable_by(higher);
        let mut kept: Vec<(u32, f64)> = best
            .into_iter()
            .map(|Reverse((Score(score), Reverse((_, j))))| (j, score))
            .collect();
        kept.sort_unstable_by_key(|p| p.0);
        rounded.shrink_to_fit();
        Shortlist {
            kept,
            dropped: left_out,
            beyond,
            scored,
            scored_out,
            bounds: rounded,
        }
    }

    /// Pairs that bring the largest matching of the shortlists up to the largest over every
    /// pair that passes the rules, `(mentor, mentee, score)`. `mentor_of` is a largest matching
    /// of the shortlists (mentor of each mentee, or `u32::MAX`), `listed` says whether a pair
    /// is in them, and `eligible` which mentees take part (pinned ones do not).
    ///
    /// Why. The shortlists hold each mentee's best pairs and each mentor's, but they can match
    /// fewer people than the whole cohort can (at 20,000 a side, 173 fewer). Then the first
    /// solve leaves people unmatched who need not be, its duals are off by the unmatched value,
    /// and pricing adds pairs for almost every mentee. Here the missing augmenting paths are
    /// searched for on the index's screen of possible pairs, a superset of the pairs that pass
    /// (phases of breadth-first searches, one per unmatched mentee, sharing their marks within
    /// the phase, until a phase augments nothing), each pair checked against the rules when
    /// first reached. A mentee's neighbours are its screen's bit set minus the mentors already
    /// reached, so a phase costs O(n · w · m / 64) word operations at most. A mentee that can
    /// pair with a mentor with a seat left ends its search there without marking its other
    /// mentors, which later searches of the phase may need (27 phases at 20,000 a side without
    /// this look-ahead, 20 with it).
    pub fn complete_matching(
        &self,
        pool: &Pool,
        capacity: &[u32],
        mut mentor_of: Vec<u32>,
        listed: impl Fn(u32, u32) -> bool,
        eligible: &[bool],
    ) -> Completion {
        const NONE: u32 = u32::MAX;
        let mut held: Vec<Vec<u32>> = vec![Vec::new(); capacity.len()];
        for (i, &j) in mentor_of.iter().enumerate() {
            if j != NONE {
                held[j as usize].push(i as u32);
            }
        }
        let mut added = Vec::new();
        let mut reach = Reach {
            index: self,
            pool,
            listed: &listed,
            unreached: vec![0u64; self.words],
            with_room: vec![0u64; self.words],
            scratch: Vec::new(),
            partners: Vec::new(),
        };
        let mut position_of = vec![0usize; capacity.len()];
        for (position, &j) in self.by_level.iter().enumerate() {
            position_of[j] = position;
            if (held[j].len() as u32) < capacity[j] {
                reach.with_room[position / 64] |= 1 << (position % 64);
            }
        }
        let mut from = vec![NONE; capacity.len()];
        let mut queue = VecDeque::new();
        loop {
            reach.unreached.fill(u64::MAX);
            let mut augmented = false;
            for root in 0..mentor_of.len() as u32 {
                if mentor_of[root as usize] != NONE || !eligible[root as usize] {
                    continue;
                }
                queue.clear();
                queue.push_back(root);
                let mut end = NONE;
                'search: while let Some(i) = queue.pop_front() {
                    for &j in reach.partners(i) {
                        from[j as usize] = i;
                        if (held[j as usize].len() as u32) < capacity[j as usize] {
                            end = j;
                            break 'search;
                        }
                        queue.extend(held[j as usize].iter().copied());
                    }
                }
                if end == NONE {
                    continue;
                }
                augmented = true;
                if held[end as usize].len() as u32 + 1 >= capacity[end as usize] {
                    let position = position_of[end as usize];
                    reach.with_room[position / 64] &= !(1 << (position % 64));
                }
                flip_path(
                    &mut mentor_of,
                    &mut held,
                    &from,
                    root,
                    end,
                    |mentor, mentee| {
                        if !listed(mentor, mentee) {
                            let pair = (
                                &pool.mentors[mentor as usize],
                                &pool.mentees[mentee as usize],
                            );
                            let score = assess_screened(pair.0, pair.1, pool.settings)
                                .expect("checked on the way");
                            added.push((mentor, mentee, score));
                        }
                    },
                );
            }
            if !augmented {
                break;
            }
        }
        // The parts of the Dulmage–Mendelsohn split over every passing pair: mentees reached
        // by alternating paths from an unmatched one, and the mentors on the way.
        let mut in_e = vec![false; mentor_of.len()];
        let mut in_o = vec![false; capacity.len()];
        reach.unreached.fill(u64::MAX);
        queue.clear();
        for (i, &j) in mentor_of.iter().enumerate() {
            if j == NONE && eligible[i] {
                in_e[i] = true;
                queue.push_back(i as u32);
            }
        }
        while let Some(i) = queue.pop_front() {
            for &j in reach.partners(i) {
                in_o[j as usize] = true;
                for &k in &held[j as usize] {
                    if !std::mem::replace(&mut in_e[k as usize], true) {
                        queue.push_back(k);
                    }
                }
            }
        }
        Completion {
            added,
            #[cfg(test)]
            mentor_of,
            in_e,
            in_o,
        }
    }
}

/// The state of [`Index::complete_matching`]'s breadth-first searches over the index's screen.
struct Reach<'a, L> {
    index: &'a Index,
    pool: &'a Pool<'a>,
    /// Whether a pair is in the shortlists (then it passes the rules without a check).
    listed: &'a L,
    /// The mentors not yet reached, a bit set by position.
    unreached: Vec<u64>,
    /// The mentors with a seat left, a bit set by position: derivable from the seats held, but
    /// kept beside them because a search tests it for every mentor it meets (tens of millions
    /// of tests at 20,000 a side), and a bit is cheaper to read than a mentor's list of mentees.
    with_room: Vec<u64>,
    scratch: Vec<u64>,
    partners: Vec<u32>,
}

impl<L: Fn(u32, u32) -> bool> Reach<'_, L> {
    /// The mentors mentee `i` may pair with among those not yet reached, each now marked
    /// reached: the pairs `listed`, and the others that pass the rules. If one of them has a
    /// seat left, it alone: the search ends there, and leaves the other mentors to the searches
    /// after it.
    fn partners(&mut self, i: u32) -> &[u32] {
        let (index, pool) = (self.index, self.pool);
        let mentee = &pool.mentees[i as usize];
        let positions: Vec<usize> = index
            .possible(
                mentee,
                pool.settings,
                &mut self.scratch,
                Some(&self.unreached),
            )
            .collect();
        let ruled_out = &pool.ruled_out[i as usize];
        let listed = self.listed;
        let passes = |position: usize| {
            let j = index.by_level[position] as u32;
            pool.has_room[j as usize]
                && ruled_out.binary_search(&j).is_err()
                && (listed(j, i)
                    || assess_screened(&pool.mentors[j as usize], mentee, pool.settings).is_ok())
        };
        let with_room = &self.with_room;
        let has_room = |position: usize| with_room[position / 64] >> (position % 64) & 1 == 1;
        let first_with_room = positions
            .iter()
            .copied()
            .find(|&position| has_room(position) && passes(position));
        let reached: Vec<usize> = match first_with_room {
            Some(position) => vec![position],
            None => positions
                .into_iter()
                .filter(|&position| !has_room(position) && passes(position))
                .collect(),
        };
        self.partners.clear();
        for position in reached {
            self.unreached[position / 64] &= !(1 << (position % 64));
            self.partners.push(index.by_level[position] as u32);
        }
        &self.partners
    }
}

/// What [`Index::complete_matching`] finds.
pub(crate) struct Completion {
    /// Pairs to add to the shortlists, `(mentor, mentee, score)`: every pair the augmenting
    /// paths used, some of which later paths moved away from.
    pub added: Vec<(u32, u32, f64)>,
    /// The largest matching found (mentor of each mentee, or `u32::MAX`), for the tests.
    #[cfg(test)]
    pub mentor_of: Vec<u32>,
    /// The split's parts over every passing pair (see [`crate::split`]).
    pub in_e: Vec<bool>,
    pub in_o: Vec<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rounded_bound_is_never_below_the_bound() {
        let mut bound = 0.0;
        while bound <= 1.0 {
            let back = unround(round_up(bound));
            assert!(back >= bound, "{bound} came back as {back}");
            assert!(
                back - bound < 2.0 / 255.0 + 1e-12,
                "{bound} came back as {back}"
            );
            bound += 1.0 / 2048.0 + 1e-7;
        }
        for bound in [0.0, 1.0 / 255.0, 0.5, 1.0, 1.0 + 1e-12] {
            assert!(unround(round_up(bound)) >= bound);
        }
    }
}

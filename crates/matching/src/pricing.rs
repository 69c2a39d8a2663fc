//! Instances with many candidates per mentee (dense score matrices above all), solved on each
//! mentee's few best candidates and proved optimal for every pair by pricing.
//!
//! Why. In an optimal assignment almost every mentee ends with one of its best few candidates:
//! on 5,000 × 5,000 uniform scores, the best 16 per mentee hold the optimum. Solving on that
//! subgraph costs a fraction of solving on all 25 million pairs, and reading every pair once
//! more to check the duals is cheap and parallel (docs/decisions/007).
//!
//! How (column generation). Solve the subgraph exactly; its certificate `(u, v)` proves the
//! result optimal for the whole instance once every left-out pair has `u_i + v_j ≥ s_ij`
//! (declaring the whole instance's score range keeps the unmatched value the same, so the
//! other conditions carry over). The pairs that break it join the subgraph (the most violated
//! few per mentee) and the subgraph is solved again, from the previous solution unless much
//! changed. Each round adds at least one pair, so this ends; after a fixed number of rounds
//! the caller solves the whole instance instead.

use rayon::prelude::*;

use crate::assignment::{Instance, Mentee, Mentor, Objective};
use crate::solver::{Solution, solve_from, solve_whole, violated};
use crate::split::{grow_to_maximum, maximum_matching};

const NONE: u32 = u32::MAX;

/// A mentee's pairs in the subgraph, `(mentor, score)` sorted by mentor.
type Row = Vec<(Mentor, f64)>;

/// The violated left-out pairs a mentee brings into the subgraph.
struct Addition {
    mentee: usize,
    pairs: Row,
    /// Whether it had more than it could bring in.
    truncated: bool,
}

/// How the subgraph starts and grows; only speed depends on these, never the result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Plan {
    /// Candidates each mentee brings into the first subgraph.
    pub first: usize,
    /// Candidates each mentee brings in instead when its best `first` fall unevenly on the
    /// mentors (their [`dispersion`] is above `uneven`).
    pub wider: usize,
    pub uneven: f64,
    /// At most this many violated pairs join per mentee and round.
    pub added: usize,
    /// Pricing is used only with at least this many candidates per mentee on average; below
    /// it the whole instance is about as cheap to solve.
    pub worth_it: usize,
    /// When more than one mentee in `fresh` brings in pairs, the next subgraph is solved from
    /// scratch: re-placing that many from the old duals costs more than starting again.
    pub fresh: usize,
    /// Rounds before giving up on pricing (never reached on the benchmark families).
    pub rounds: usize,
}

impl Plan {
    /// Tuned on the benchmark families (README): the best 16 per mentee when mentors take one
    /// mentee each. A mentor with c seats pools its candidates, so mentees need fewer: 16/√c
    /// was fastest both at capacity 1 and at capacity 4 (8 per mentee).
    pub(crate) fn for_instance(instance: &Instance) -> Self {
        let seats: u64 = instance.capacities().iter().map(|&c| u64::from(c)).sum();
        let mean_capacity = seats as f64 / instance.mentor_count().max(1) as f64;
        let first = (16.0 / mean_capacity.max(1.0).sqrt()).round().max(4.0) as usize;
        Self {
            first,
            wider: 4 * first,
            uneven: 1.2,
            added: 8,
            worth_it: 3 * first,
            fresh: 20,
            rounds: 64,
        }
    }
}

/// The exact solution of `instance` by pricing, or `None` when the instance is too sparse for
/// it to pay or pricing did not finish within the plan's rounds.
///
/// Complexity per round: O(p / cores) to price the p pairs (after the first round only the
/// pairs whose duals fell), plus the subgraph's solve.
pub(crate) fn solve_by_pricing(
    instance: &Instance,
    objective: Objective,
    plan: Plan,
) -> Option<Solution> {
    let n = instance.mentee_count();
    if n == 0 || instance.pair_count() < plan.worth_it * n {
        return None;
    }
    let (low, high) = instance.score_range()?;
    let (mut rows, ceiling) = first_subgraph(instance, objective, plan);
    let mut previous: Option<Solution> = None;
    // Mentees with more violations than they could bring in: checked in full next round.
    let mut recheck = vec![false; n];
    for _ in 0..plan.rounds {
        let sub = Instance::from_rows(instance.capacities().to_vec(), &rows, Some((low, high)));
        let solution = match &previous {
            Some(start) => solve_from(&sub, objective, start),
            None => solve_whole(&sub, objective),
        };
        let pricing = Pricing {
            instance,
            rows: &rows,
            ceiling: &ceiling,
            recheck: &recheck,
            added: plan.added,
        };
        let additions = pricing.violations(&solution, previous.as_ref());
        if additions.is_empty() {
            return Some(solution);
        }
        let start_again = additions.len().saturating_mul(plan.fresh) > n;
        recheck.fill(false);
        for addition in additions {
            join(&mut rows[addition.mentee], addition.pairs);
            recheck[addition.mentee] = addition.truncated;
        }
        previous = (!start_again).then_some(solution);
    }
    None
}

/// Each mentee's best `first` candidates (best `wider` if those fall unevenly on the mentors),
/// and under maximum cardinality the pairs of a maximum matching, as rows sorted by mentor;
/// and per mentee the ceiling of the scores left out (the lowest of its best, or -∞ when
/// nothing is left out).
fn first_subgraph(instance: &Instance, objective: Objective, plan: Plan) -> (Vec<Row>, Vec<f64>) {
    let spread_ties = instance.coarse_scores();
    let best_of_each = |k: usize| -> Vec<Row> {
        (0..instance.mentee_count() as Mentee)
            .into_par_iter()
            .map_init(Scratch::default, |scratch, mentee| {
                best_candidates(instance, mentee, k, spread_ties, scratch)
            })
            .collect()
    };
    let mut rows = best_of_each(plan.first);
    if plan.wider > plan.first && dispersion(instance.mentor_count(), &rows) > plan.uneven {
        rows = best_of_each(plan.wider);
    }
    let ceiling = rows
        .iter()
        .enumerate()
        .map(|(i, row)| {
            if row.len() < instance.row(i as Mentee).0.len() {
                row.iter().map(|p| p.1).fold(f64::INFINITY, f64::min)
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    if objective == Objective::MaxCardinality {
        ensure_maximum_cardinality(instance, &mut rows);
    }
    (rows, ceiling)
}

/// One round's check of the left-out pairs against the subgraph's duals.
struct Pricing<'a> {
    instance: &'a Instance,
    rows: &'a [Row],
    /// No left-out score of mentee i is above `ceiling[i]`.
    ceiling: &'a [f64],
    recheck: &'a [bool],
    added: usize,
}

impl Pricing<'_> {
    /// Per mentee with violated left-out pairs: the strongest `added` of them, and whether
    /// there were more. After the first round (`earlier` is the previous round's solution) a
    /// pair that passed can fail only if its u_i or v_j fell, so a mentee whose dual did not
    /// fall is checked only against the mentors whose dual did.
    fn violations(&self, solution: &Solution, earlier: Option<&Solution>) -> Vec<Addition> {
        let (u, v) = (
            &solution.certificate.mentee_duals,
            &solution.certificate.mentor_duals,
        );
        let earlier = earlier.map(|old| &old.certificate);
        let cheaper: Vec<Mentor> = earlier.map_or_else(Vec::new, |old| {
            (0..v.len() as Mentor)
                .filter(|&j| v[j as usize] < old.mentor_duals[j as usize])
                .collect()
        });
        // A mentee whose dual plus the cheapest mentor covers its ceiling has no violation.
        let cheapest = v.iter().copied().fold(f64::INFINITY, f64::min).max(0.0);
        (0..self.rows.len())
            .into_par_iter()
            .filter(|&i| u[i] + cheapest < self.ceiling[i])
            .map_init(Vec::new, |scratch, i| {
                let mentee = i as Mentee;
                let whole_row = self.recheck[i]
                    || earlier.is_none_or(|old| u[i] < old.mentee_duals[i])
                    || 8 * cheaper.len() > self.instance.row(mentee).0.len();
                let kept = &self.rows[i];
                let found = if whole_row {
                    let all = self.instance.candidates(mentee);
                    violations(all, kept, u[i], v)
                } else {
                    let among = cheaper
                        .iter()
                        .filter_map(|&j| self.instance.score(j, mentee).map(|s| (j, s)));
                    violations(among, kept, u[i], v)
                };
                Addition {
                    mentee: i,
                    truncated: found.len() > self.added,
                    pairs: strongest(mentee, found, self.added, u[i], v, scratch),
                }
            })
            .filter(|addition| !addition.pairs.is_empty())
            .collect()
    }
}

/// How unevenly the mentees' best candidates fall on mentors: the variance of the number of
/// rows each mentor is in, over its mean. About 1 when every mentee ranks mentors
/// independently (uniform random scores); above when mentees near each other share their
/// favourites (scores from distances: about 1.4), and then many mentees compete for the same
/// few and need more than their best few.
fn dispersion(mentors: usize, rows: &[Row]) -> f64 {
    let mut rows_of = vec![0u32; mentors];
    for row in rows {
        for &(mentor, _) in row {
            rows_of[mentor as usize] += 1;
        }
    }
    let mean = rows_of.iter().map(|&k| f64::from(k)).sum::<f64>() / mentors.max(1) as f64;
    let variance = rows_of
        .iter()
        .map(|&k| (f64::from(k) - mean).powi(2))
        .sum::<f64>()
        / mentors.max(1) as f64;
    if mean > 0.0 { variance / mean } else { 0.0 }
}

/// Adds pairs to a row, keeping it sorted by mentor and without repeats.
fn join(row: &mut Row, pairs: Row) {
    row.extend(pairs);
    row.sort_unstable_by_key(|p| p.0);
    row.dedup_by_key(|p| p.0);
}

/// Adds to the subgraph the pairs of a maximum matching of the whole instance, so that the
/// subgraph can match as many people as the whole. Without them, under maximum cardinality, a
/// mentee whose few best candidates are all taken is left unmatched in the first round, duals
/// fall to the scale of the unmatched penalty, and undoing that in later rounds costs far more
/// than the whole solve (100,000 a side with 8 of 64 random candidates: 51 s against 1.2 s).
fn ensure_maximum_cardinality(instance: &Instance, rows: &mut [Row]) {
    let sub = Instance::from_rows(instance.capacities().to_vec(), rows, None);
    let start = maximum_matching(&sub);
    if !start.contains(&NONE) {
        return;
    }
    let matching = grow_to_maximum(instance, start);
    for (i, &j) in matching.iter().enumerate() {
        if j != NONE {
            let score = instance
                .score(j, i as Mentee)
                .expect("a pair of the instance");
            join(&mut rows[i], vec![(j, score)]);
        }
    }
}

/// A 64-bit mix of the pair (SplitMix64's finaliser): a mentor's place among equally good
/// candidates of `mentee` when pricing ranks violated pairs, and the seed of the order in
/// which [`best_candidates`] reads a mentee's row. Distinct per mentor, as the finaliser is a
/// bijection of u64.
pub(crate) fn place(mentee: Mentee, mentor: Mentor) -> u64 {
    let mut x = (u64::from(mentee) << 32 | u64::from(mentor)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// A candidate with its place among equally good ones (distinct within one mentee's row).
type Ranked = (Mentor, f64, u64);

/// Ranks a mentee's candidates: score (or gain) descending, then by place. A total order, so
/// the choice is deterministic.
fn rank_order(a: &Ranked, b: &Ranked) -> std::cmp::Ordering {
    b.1.total_cmp(&a.1).then(a.2.cmp(&b.2))
}

/// A mentee's `k` best candidates, sorted by mentor: the highest scores, and among equal
/// scores the first read. When ties are common (`spread_ties`, for coarse scores) the row is
/// read in an order that differs from mentee to mentee ([`reading_order`]); otherwise in
/// order, a tighter loop (the spread one cost 2,000² uniform scores 14.1 ms against 11.5 ms).
/// Either way a later pair that only ties the k-th best ranks below it and one comparison
/// turns it away, and once k pairs reach the instance's highest score the rest of the row is
/// not read: with few distinct scores the best is common, and a mentee reads a small part of
/// its row (all equal: its first k pairs; whole numbers 0–9: about 10k). O(d) for d
/// candidates: a pair enters the buffer only if it beats the k-th best found so far, and the
/// buffer is cut back to k whenever it fills.
///
/// Why not the lower mentor first: when scores tie (ratings, levels, categories), every
/// mentee's best few would then be the same low-numbered mentors, the first subgraph could
/// seat only a few of them on their best score, and pricing took 17 rounds on 1,000² scores in
/// 0–2 instead of one. Reading from a random start with stride 1, or ranking ties by the pair
/// times an odd constant (every mentee then has the same circular order, only turned), seated
/// mentees in clumps: with 4s on 60 % of a 1,000² matrix the best 16 could not seat everyone
/// on a 4 and pricing needed three more rounds. Ranking ties by [`place`] spread them well but
/// mixed every tied pair it met: 4.2 ms instead of 2.2 ms on 1,000² scores in 0–2
/// (docs/decisions/021, 025).
fn best_candidates(
    instance: &Instance,
    mentee: Mentee,
    k: usize,
    spread_ties: bool,
    scratch: &mut Scratch,
) -> Vec<(Mentor, f64)> {
    let (mentors, scores) = instance.row(mentee);
    let k = k.max(1);
    let Scratch {
        ranked: buffer,
        runs,
    } = scratch;
    buffer.clear();
    let d = mentors.len();
    if d == 0 {
        return Vec::new();
    }
    let complete = d == instance.mentor_count();
    let top = instance.highest_score().unwrap_or(f64::INFINITY);
    // A complete row holds every mentor at its own index: reading the mentor list too would
    // add half again to the memory read.
    let pair_at = |at: usize| {
        (
            if complete { at as Mentor } else { mentors[at] },
            scores[at],
        )
    };
    if spread_ties {
        let mut scan = Scan::new(buffer, k, top);
        let mut order = reading_order(mentee, d).map(pair_at);
        let first = 4 * k - 1;
        if scan.run(order.by_ref().take(first)) {
            // Not settled by the first pairs, which are all still in the buffer, in reading
            // order (its first cut comes at 4k). If, at the rate the best score came so far,
            // the scan would read about as many pairs as the row has cache lines, it would wait
            // on memory for most lines anyway, in no order the processor can guess: one pass
            // in order, which it loads ahead, finds the row's best score and how many share it,
            // and when k do, the k best are the first k read at it (decision 029).
            let expected_reads = k * first / scan.at_top.max(1);
            let shared_best = (expected_reads >= d / RUN)
                .then(|| highest_of_row(scores))
                .filter(|&best| scores.iter().filter(|&&score| score == best).count() >= k);
            match shared_best {
                Some(best) => scan.first_at(best, order),
                None => {
                    scan.run(order);
                }
            }
        }
    } else if d >= FLOOR_FIRST * k {
        let floor = runs.floor_of_the_best(scores, k);
        // Every pair of a run that reaches the floor is written, and kept by moving on past
        // it: no branch waits on a comparison that goes either way as often as this one.
        let reaching = runs.reaching(floor);
        buffer.resize(reaching.len() * RUN, (0, 0.0, 0));
        let mut kept = 0;
        for &run in reaching {
            let start = RUN * run as usize;
            for (at, &score) in (start..).zip(&scores[start..(start + RUN).min(d)]) {
                buffer[kept] = (pair_at(at).0, score, at as u64);
                kept += usize::from(score >= floor);
            }
        }
        buffer.truncate(kept);
    } else {
        Scan::new(buffer, k, top).run((0..d).map(pair_at));
    }
    if buffer.len() > k {
        buffer.select_nth_unstable_by(k - 1, rank_order);
        buffer.truncate(k);
    }
    let mut best: Vec<(Mentor, f64)> = buffer.iter().map(|&(j, s, _)| (j, s)).collect();
    best.sort_unstable_by_key(|p| p.0);
    best
}

/// Rows at least this many times longer than the shortlist find a floor first (so that a row
/// has at least `k` runs of [`RUN`]).
const FLOOR_FIRST: usize = RUN;

/// Scores a row's floor is found over, best by best: eight, one cache line.
const RUN: usize = 8;

/// What [`best_candidates`] reuses from one row to the next on a thread.
#[derive(Default)]
pub(crate) struct Scratch {
    ranked: Vec<Ranked>,
    runs: Runs,
}

/// A row's runs of [`RUN`] scores.
#[derive(Default)]
struct Runs {
    /// The best score of each run, in order.
    best: Vec<f64>,
    /// The same, to select from.
    selected: Vec<f64>,
    /// The runs whose best reaches the floor.
    reaching: Vec<u32>,
}

impl Runs {
    /// A score that at least `k` of `scores` reach: the k-th highest of the runs' best scores
    /// (each of the k runs at or above it holds one). On varied scores hardly more than k pairs
    /// reach it (uniform, 1,000 a row, k = 16: 16.9 on average), so only about k runs are read
    /// again; the pass over the row that finds the runs' best has no branch and turns into
    /// vector instructions. The floor before it, the lowest best of k parts of the row, let
    /// about 50 pairs by from 40 % of the runs, and the branch on each of their scores, taken
    /// at random, cost more than reading the row (docs/decisions/029).
    fn floor_of_the_best(&mut self, scores: &[f64], k: usize) -> f64 {
        self.best.clear();
        self.best.extend(scores.chunks(RUN).map(highest));
        self.selected.clear();
        self.selected.extend_from_slice(&self.best);
        let at = self.selected.len() - k;
        *self.selected.select_nth_unstable_by(at, f64::total_cmp).1
    }

    /// The runs whose best reaches `floor`, in order; found without a branch on each.
    fn reaching(&mut self, floor: f64) -> &[u32] {
        self.reaching.clear();
        self.reaching.resize(self.best.len(), 0);
        let mut count = 0;
        for (run, &best) in (0..).zip(&self.best) {
            self.reaching[count] = run;
            count += usize::from(best >= floor);
        }
        &self.reaching[..count]
    }
}

/// The highest of a run of scores (none NaN), in halves so that a whole run of eight turns
/// into vector instructions.
fn highest(run: &[f64]) -> f64 {
    let higher = |a: f64, b: f64| if a > b { a } else { b };
    match <&[f64; RUN]>::try_from(run) {
        Ok(eight) => {
            let four: [f64; 4] = std::array::from_fn(|lane| higher(eight[lane], eight[lane + 4]));
            higher(higher(four[0], four[2]), higher(four[1], four[3]))
        }
        Err(_) => run.iter().copied().fold(f64::NEG_INFINITY, higher),
    }
}

/// The highest of a row's scores (none NaN), [`RUN`] lanes at a time so that it turns into
/// vector instructions.
fn highest_of_row(scores: &[f64]) -> f64 {
    let higher = |a: f64, b: f64| if a > b { a } else { b };
    let mut lanes = [f64::NEG_INFINITY; RUN];
    let mut runs = scores.chunks_exact(RUN);
    for run in &mut runs {
        for (lane, &score) in lanes.iter_mut().zip(run) {
            *lane = higher(score, *lane);
        }
    }
    runs.remainder()
        .iter()
        .copied()
        .fold(highest(&lanes), higher)
}

/// One pass over a mentee's row for [`best_candidates`].
struct Scan<'a> {
    buffer: &'a mut Vec<Ranked>,
    k: usize,
    /// A pair enters the buffer only above the k-th best score found so far.
    threshold: f64,
    /// The instance's highest score: once k pairs reach it, nothing later can rank above them
    /// (ties go to the first read).
    top: f64,
    at_top: usize,
    /// Pairs offered so far.
    step: u64,
}

impl<'a> Scan<'a> {
    fn new(buffer: &'a mut Vec<Ranked>, k: usize, top: f64) -> Self {
        Scan {
            buffer,
            k,
            threshold: f64::NEG_INFINITY,
            top,
            at_top: 0,
            step: 0,
        }
    }

    /// Offers a pair read at `step`; false once the k best are certain.
    #[inline(always)]
    fn offer(&mut self, mentor: Mentor, score: f64, step: u64) -> bool {
        if score > self.threshold {
            self.buffer.push((mentor, score, step));
            if score == self.top {
                self.at_top += 1;
                if self.at_top == self.k {
                    return false;
                }
            }
            if self.buffer.len() == 4 * self.k {
                let k = self.k;
                self.buffer.select_nth_unstable_by(k - 1, rank_order);
                self.buffer.truncate(k);
                self.threshold = self.buffer[k - 1].1;
            }
        }
        true
    }

    /// Offers the pairs in turn; false once the k best are certain.
    fn run(&mut self, pairs: impl Iterator<Item = (Mentor, f64)>) -> bool {
        for (mentor, score) in pairs {
            let step = self.step;
            self.step += 1;
            if !self.offer(mentor, score, step) {
                return false;
            }
        }
        true
    }

    /// Ends the scan knowing that at least k pairs of the row score `best`, its highest: the k
    /// best are then the first k read at `best`. Called before the first cut, so the buffer
    /// holds every pair read so far, in reading order. It ends with exactly k pairs, so the
    /// places of those added here (0) are never compared.
    fn first_at(&mut self, best: f64, rest: impl Iterator<Item = (Mentor, f64)>) {
        let k = self.k;
        let mut kept = 0;
        self.buffer.retain(|pair| {
            let keep = pair.1 == best && kept < k;
            kept += usize::from(keep);
            keep
        });
        self.buffer.extend(
            rest.filter(|pair| pair.1 == best)
                .take(k - kept)
                .map(|(mentor, score)| (mentor, score, 0)),
        );
    }
}

/// The order in which `mentee` reads a row of `d` candidates when ties are common: from a
/// start and with a stride that both come from a mix of the mentee, the stride coprime to `d`
/// so every candidate is read once. Single pairs, not blocks of neighbours: with blocks of
/// eight (a cache line), alike mentees' best 16 fell on the same few blocks, and all-equal
/// scores took 3.3 ms instead of 1.1 at 2,000² (docs/decisions/025).
fn reading_order(mentee: Mentee, d: usize) -> impl Iterator<Item = usize> {
    let modulus = d.max(1);
    let mix = place(mentee, Mentor::MAX);
    let mut at = (mix % modulus as u64) as usize;
    let mut stride = ((mix >> 32) % modulus as u64) as usize | 1;
    while gcd(stride, modulus) != 1 {
        stride += 2;
    }
    let stride = stride % modulus;
    (0..d).map(move |_| {
        let here = at;
        at += stride;
        if at >= d {
            at -= d;
        }
        here
    })
}

fn gcd(mut a: usize, mut b: usize) -> usize {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// The pairs among `candidates` (ascending by mentor) that are left out (not in `kept`, sorted
/// by mentor) and break `u + v_j ≥ s_j` by more than rounding. Linear in both.
fn violations(
    candidates: impl Iterator<Item = (Mentor, f64)>,
    kept: &[(Mentor, f64)],
    u: f64,
    v: &[f64],
) -> Vec<(Mentor, f64)> {
    let mut kept = kept.iter().map(|p| p.0).peekable();
    let mut found = Vec::new();
    for (mentor, score) in candidates {
        let v = v[mentor as usize];
        if u + v < score && violated(u, v, score) {
            while kept.next_if(|&k| k < mentor).is_some() {}
            if kept.peek() != Some(&mentor) {
                found.push((mentor, score));
            }
        }
    }
    found
}

/// The `k` pairs of `found` with the most negative reduced cost, sorted by mentor.
fn strongest(
    mentee: Mentee,
    mut found: Vec<(Mentor, f64)>,
    k: usize,
    u: f64,
    v: &[f64],
    scratch: &mut Vec<Ranked>,
) -> Vec<(Mentor, f64)> {
    if found.len() > k {
        // Rank by the gain s - u - v_j; keep the real score beside the mentor.
        scratch.clear();
        scratch.extend(
            found
                .iter()
                .map(|&(j, s)| (j, s - u - v[j as usize], place(mentee, j))),
        );
        scratch.select_nth_unstable_by(k - 1, rank_order);
        scratch.truncate(k);
        scratch.sort_unstable_by_key(|p| p.0);
        found.retain(|p| scratch.binary_search_by_key(&p.0, |q| q.0).is_ok());
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify::verify;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    /// Plans that take every path: one candidate per mentee and one pair added per round,
    /// warm or fresh re-solves, with and without widening.
    fn eager(wider: usize, fresh: usize) -> Plan {
        Plan {
            first: 1,
            wider,
            uneven: 0.0,
            added: 1,
            worth_it: 0,
            fresh,
            rounds: 10_000,
        }
    }

    fn random_instance(seed: u64) -> Instance {
        let mut rng = StdRng::seed_from_u64(seed);
        let (mentors, mentees) = (rng.random_range(1..=14), rng.random_range(1..=18));
        let capacities = (0..mentors).map(|_| rng.random_range(1..=3)).collect();
        let density = rng.random_range(0.3..=1.0);
        let geometric = rng.random_bool(0.5);
        let points: Vec<(f64, f64)> = (0..mentors + mentees)
            .map(|_| (rng.random(), rng.random()))
            .collect();
        let mut pairs = Vec::new();
        for j in 0..mentors {
            for i in 0..mentees {
                if rng.random_bool(density) {
                    let score = if geometric {
                        let (a, b) = (points[j], points[mentors + i]);
                        -((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
                    } else {
                        // Few distinct values, so ties are common.
                        f64::from(rng.random_range(-4i32..12)) / 4.0
                    };
                    pairs.push((j as Mentor, i as Mentee, score));
                }
            }
        }
        Instance::from_pairs(capacities, mentees, pairs).unwrap()
    }

    #[test]
    fn pricing_gives_the_whole_solve_s_optimum_with_a_certificate_for_every_pair() {
        for seed in 0..400 {
            let instance = random_instance(seed);
            if instance.pair_count() == 0 {
                continue;
            }
            let plan = eager(
                if seed % 3 == 0 { 3 } else { 0 },
                [1, 4, usize::MAX][seed as usize % 3],
            );
            for objective in [Objective::MaxCardinality, Objective::MaxTotal] {
                let whole = solve_whole(&instance, objective);
                let priced = solve_by_pricing(&instance, objective, plan)
                    .unwrap_or_else(|| panic!("seed {seed}: pricing did not finish"));
                if objective == Objective::MaxCardinality {
                    assert_eq!(priced.pairs.len(), whole.pairs.len(), "seed {seed}");
                }
                assert!(
                    (priced.total_score - whole.total_score).abs() < 1e-9,
                    "seed {seed} {objective:?}: {} vs {}",
                    priced.total_score,
                    whole.total_score
                );
                assert_eq!(verify(&instance, objective, &priced), Ok(()), "seed {seed}");
            }
        }
    }

    #[test]
    fn dense_instances_are_priced_with_the_default_plan_and_match_the_whole_solve() {
        let mut rng = StdRng::seed_from_u64(11);
        for (n, capacity, geometric) in [(150, 1, false), (150, 1, true), (240, 3, true)] {
            let mentors = n / capacity as usize;
            let points: Vec<(f64, f64)> = (0..mentors + n)
                .map(|_| (rng.random(), rng.random()))
                .collect();
            let uniform: Vec<f64> = (0..mentors * n).map(|_| rng.random()).collect();
            let instance = Instance::from_dense(vec![capacity; mentors], n, |j, i| {
                let (j, i) = (j as usize, i as usize);
                Some(if geometric {
                    let (a, b) = (points[j], points[mentors + i]);
                    -((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
                } else {
                    uniform[j * n + i]
                })
            })
            .unwrap();
            for objective in [Objective::MaxCardinality, Objective::MaxTotal] {
                let plan = Plan::for_instance(&instance);
                let priced = solve_by_pricing(&instance, objective, plan).expect("priced");
                let whole = solve_whole(&instance, objective);
                assert!((priced.total_score - whole.total_score).abs() < 1e-9);
                assert_eq!(priced.pairs.len(), whole.pairs.len());
                assert_eq!(verify(&instance, objective, &priced), Ok(()));
            }
        }
    }

    #[test]
    fn the_best_candidates_are_the_highest_scores() {
        let scores = [0.5, 0.9, 0.1, 0.9, 0.7, 0.9, 0.2, 0.8, 0.3];
        let instance =
            Instance::from_dense(vec![1; scores.len()], 1, |j, _| Some(scores[j as usize]))
                .unwrap();
        let mut buffer = Scratch::default();
        // Three 0.9s then 0.8: the buffer is cut at 4·k = 8 pairs on the way.
        let two = best_candidates(&instance, 0, 2, true, &mut buffer);
        assert!(two.iter().all(|&(j, s)| s == 0.9 && [1, 3, 5].contains(&j)));
        assert!(two[0].0 < two[1].0, "sorted by mentor: {two:?}");
        assert_eq!(
            best_candidates(&instance, 0, 4, true, &mut buffer),
            [(1, 0.9), (3, 0.9), (5, 0.9), (7, 0.8)]
        );
        assert_eq!(
            best_candidates(&instance, 0, 20, true, &mut buffer).len(),
            9
        );
        // Read in order, ties go to the lower mentor.
        assert_eq!(
            best_candidates(&instance, 0, 2, false, &mut buffer),
            [(1, 0.9), (3, 0.9)]
        );
    }

    #[test]
    fn the_best_candidates_are_those_of_reading_the_whole_row() {
        // Against a plain reference: every pair in reading order, ranked by score and then by
        // when it was read. Complete and partial rows, coarse and varied scores, every k; a
        // scan that stops at the instance's highest score must choose the same.
        let mut rng = StdRng::seed_from_u64(5);
        let mut buffer = Scratch::default();
        for case in 0..300 {
            let (mentors, mentees) = (rng.random_range(1..=90), rng.random_range(1..=4));
            let density = if case % 2 == 0 {
                1.0
            } else {
                rng.random_range(0.2..1.0)
            };
            let levels = [1, 3, 10, 1000][case % 4];
            let mut pairs = Vec::new();
            for j in 0..mentors {
                for i in 0..mentees {
                    if rng.random_bool(density) {
                        pairs.push((j, i, f64::from(rng.random_range(0..levels))));
                    }
                }
            }
            let instance =
                Instance::from_pairs(vec![1; mentors as usize], mentees as usize, pairs).unwrap();
            for mentee in 0..mentees {
                let (row_mentors, row_scores) = instance.row(mentee);
                let d = row_mentors.len();
                for spread_ties in [true, false] {
                    let order: Vec<usize> = if spread_ties {
                        reading_order(mentee, d).collect()
                    } else {
                        (0..d).collect()
                    };
                    let mut read: Vec<Ranked> = order
                        .iter()
                        .enumerate()
                        .map(|(step, &at)| (row_mentors[at], row_scores[at], step as u64))
                        .collect();
                    read.sort_by(rank_order);
                    for k in 1..=20 {
                        let mut expected: Vec<(Mentor, f64)> =
                            read.iter().take(k).map(|&(j, s, _)| (j, s)).collect();
                        expected.sort_unstable_by_key(|p| p.0);
                        let chosen =
                            best_candidates(&instance, mentee, k, spread_ties, &mut buffer);
                        assert_eq!(chosen, expected, "case {case} mentee {mentee} k {k}");
                    }
                }
            }
        }
    }

    #[test]
    fn every_candidate_is_read_once_in_the_spread_order() {
        for d in [0, 1, 7, 8, 9, 64, 100, 1000, 1001] {
            for mentee in 0..50 {
                let mut seen: Vec<usize> = reading_order(mentee, d).collect();
                seen.sort_unstable();
                assert_eq!(seen, (0..d).collect::<Vec<_>>(), "d {d} mentee {mentee}");
            }
        }
    }

    #[test]
    fn tied_candidates_are_spread_over_the_mentors() {
        // Every score equal: 200 mentees each take 16 of 1,000 mentors, 3.2 a mentor on
        // average. Ranking ties by mentor would give mentors 0–15 all 200.
        let instance = Instance::from_dense(vec![1; 1000], 200, |_, _| Some(1.0)).unwrap();
        let mut chosen = vec![0u32; 1000];
        let mut buffer = Scratch::default();
        for mentee in 0..200 {
            for (mentor, _) in best_candidates(&instance, mentee, 16, true, &mut buffer) {
                chosen[mentor as usize] += 1;
            }
        }
        let most = *chosen.iter().max().unwrap();
        assert!(most <= 12, "a mentor is among {most} mentees' best");
        // The same mentee always gets the same choice.
        assert_eq!(
            best_candidates(&instance, 7, 16, true, &mut buffer),
            best_candidates(&instance, 7, 16, true, &mut Scratch::default())
        );
    }

    #[test]
    fn only_left_out_pairs_that_beat_the_duals_are_violations_and_the_strongest_are_kept() {
        let scores = [1.0, 2.0, 3.0, 4.0];
        let instance =
            Instance::from_dense(vec![1; 4], 1, |j, _| Some(scores[j as usize])).unwrap();
        let v = [0.0, 0.5, 0.0, 1.5];
        // With u = 1: pair 0 is not violated (1 + 0 = 1), 1 is (1.5 < 2), 2 is kept, 3 is
        // (2.5 < 4).
        let found = violations(instance.candidates(0), &[(2, 3.0)], 1.0, &v);
        assert_eq!(found, [(1, 2.0), (3, 4.0)]);
        // Gains: pair 1 gains 0.5, pair 3 gains 1.5.
        assert_eq!(strongest(0, found, 1, 1.0, &v, &mut Vec::new()), [(3, 4.0)]);
    }

    #[test]
    fn sparse_instances_are_left_to_the_whole_solve() {
        let instance = Instance::from_pairs(vec![1, 1], 2, [(0, 0, 1.0), (1, 1, 1.0)]).unwrap();
        let plan = Plan::for_instance(&instance);
        assert!(solve_by_pricing(&instance, Objective::MaxCardinality, plan).is_none());
    }
}

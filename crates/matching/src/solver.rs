//! The exact solver: a successive-shortest-path (Hungarian) method on the sparse candidate graph,
//! with mentor capacities handled directly rather than by copying mentors.
//!
//! Model. Every mentee gets a private "unmatched" option worth `z` (see
//! [`Instance::unmatched_value`]), so each mentee is assigned either to a mentor or to that
//! option, and the best such assignment is the best matching for the objective. We keep dual
//! values `u` (mentees) and `v ≥ 0` (mentors) with `u_i + v_j ≥ s_ij` on every pair and
//! `u_i ≥ z` for every mentee, equality on every assigned pair, and `v_j > 0` only for full
//! mentors. Those are the linear programme's optimality conditions, so the final duals are a
//! certificate that [`crate::verify`] checks independently.
//!
//! Method (docs/decisions/003): an ε-scaling auction guesses mentor prices; an auction-like row
//! reduction places most mentees on a best mentor at those prices; each remaining mentee runs
//! Dijkstra over reduced costs (`u_i + v_j - s_ij ≥ 0`) to the nearest mentor with spare
//! capacity (or to its own unmatched option), through full mentors and the mentees they hold,
//! and the path is flipped and the duals moved so it is tight; finally a mentor left with room
//! but a positive price searches from its side until it is full or free of charge. Search
//! state is reset only where it was touched, so a short search costs what it visits.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

mod phases;

use crate::assignment::{Instance, Mentee, Mentor, Objective};

/// A matching with the duals that prove it optimal.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// `(mentor, mentee)` pairs, sorted by mentee.
    pub pairs: Vec<(Mentor, Mentee)>,
    pub total_score: f64,
    pub certificate: Certificate,
}

/// Dual values: one per mentee, one per mentor, and the value of leaving a mentee unmatched.
#[derive(Debug, Clone, PartialEq)]
pub struct Certificate {
    pub mentee_duals: Vec<f64>,
    pub mentor_duals: Vec<f64>,
    pub unmatched_value: f64,
}

impl Solution {
    pub fn matched(&self) -> usize {
        self.pairs.len()
    }
}

const NONE: u32 = u32::MAX;

/// A heap entry ordered by distance, then by node for determinism (smallest first).
#[derive(Clone, Copy, PartialEq)]
struct Entry {
    distance: f64,
    /// A mentor index, or `mentors + mentee` for a mentee's unmatched option.
    node: u32,
}

impl Eq for Entry {}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .distance
            .total_cmp(&self.distance)
            .then_with(|| other.node.cmp(&self.node))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

struct State<'a> {
    instance: &'a Instance,
    /// Whether scores take few distinct values ([`Instance::coarse_scores`]): then the start
    /// skips the auction and the searches go in phases.
    coarse: bool,
    /// Phases run while at least this many mentees are unplaced.
    phases_from: usize,
    z: f64,
    u: Vec<f64>,
    v: Vec<f64>,
    /// The mentor a mentee moves to on a mentor-side search path.
    mentee_to: Vec<u32>,
    /// The mentor each mentee holds, or NONE (unassigned or on its unmatched option).
    mentor_of: Vec<u32>,
    /// Whether a mentee has been placed (on a mentor or on its unmatched option).
    placed: Vec<bool>,
    /// Mentees held by each mentor.
    held: Vec<Vec<Mentee>>,
    // Dijkstra scratch, reset through the `touched_*` lists.
    mentor_distance: Vec<f64>,
    mentor_from: Vec<u32>,
    mentor_done: Vec<bool>,
    mentee_distance: Vec<f64>,
    mentee_seen: Vec<bool>,
    touched_mentors: Vec<Mentor>,
    touched_mentees: Vec<Mentee>,
    heap: BinaryHeap<Entry>,
}

/// Solves the instance exactly for the objective and returns the matching with its certificate.
///
/// Complexity: O(n · (p + m) · log p) in the worst case for n mentees, m mentors and p pairs;
/// in practice most mentees are placed by the auction-guided start and the rest by searches
/// that stop after a few steps (benchmarks in the README). An instance with many candidates
/// per mentee (a dense score matrix) is solved on each mentee's best few and priced out on the
/// rest (the `pricing` module). Memory O(n + m + p). Deterministic: the same instance always
/// gives the same answer.
///
/// ```
/// use upward_matching::{Instance, Objective, solve, verify};
/// // Mentor 0 takes two mentees; mentee 2 can only have mentor 1.
/// let instance = Instance::from_pairs(vec![2, 1], 3, [(0, 0, 0.9), (0, 1, 0.8), (1, 1, 0.7), (1, 2, 0.1)]).unwrap();
/// let solution = solve(&instance, Objective::MaxCardinality);
/// assert_eq!(solution.pairs, vec![(0, 0), (0, 1), (1, 2)]);
/// verify(&instance, Objective::MaxCardinality, &solution).unwrap();
/// ```
pub fn solve(instance: &Instance, objective: Objective) -> Solution {
    let plan = crate::pricing::Plan::for_instance(instance);
    crate::pricing::solve_by_pricing(instance, objective, plan)
        .unwrap_or_else(|| solve_whole(instance, objective))
}

/// Starts the worker threads [`solve`] shares its work with, so that the first solve in a
/// process does not pay for starting them (on 1,000² scores that is a good part of the solve).
/// Optional: a solve starts them anyway.
pub fn start_workers() {
    rayon::broadcast(|_| ());
}

/// Whether duals `u` and `v` break `u + v ≥ s` by more than rounding: a relative 10⁻¹², far
/// inside [`crate::verify`]'s 10⁻⁹, so what passes here verifies, while the last-place errors
/// the searches leave are not taken for violations.
pub(crate) fn violated(u: f64, v: f64, score: f64) -> bool {
    u + v + 1e-12 * (1.0 + u.abs() + v.abs() + score.abs()) < score
}

/// [`solve`] on every pair at once, without pricing.
pub(crate) fn solve_whole(instance: &Instance, objective: Objective) -> Solution {
    started(instance, objective).finish()
}

/// The state before the exact phase: mentor prices guessed and most mentees placed.
fn started(instance: &Instance, objective: Objective) -> State<'_> {
    let mut state = State::new(instance, objective);
    // With few distinct scores the auction's prices split ties by fractions of ε, and the
    // pairs that tie at prices zero are what lets the phases place many mentees at once; with
    // many distinct scores the prices spare most of the searches (docs/decisions/003, 021).
    let queue = if state.coarse {
        (0..instance.mentee_count() as Mentee).collect()
    } else {
        let auction = crate::auction::run(instance, state.z);
        state.v = auction.prices;
        state.keep_best_seats(&auction.mentor_of)
    };
    state.reduce_rows(queue);
    state
}

/// Moves an optimal solution's duals to the highest mentor prices the instance allows: each
/// mentor's price rises, and its mentees' duals fall, by as much as keeps every pair feasible,
/// every mentee's dual at least the unmatched value, and a mentor with room at price zero, but
/// by no more than twice the range of the scores. The matching stays the same and stays proven
/// optimal.
///
/// Why: the engine solves on shortlists and checks the pairs left out against these duals. A
/// mentor few shortlists name can come out cheap although its mentee has no better choice,
/// and then every left-out pair with it looks like an improvement; at its highest price only
/// pairs that could really do better do.
///
/// How: the rise of mentor j is bounded by the rise of every mentor j' one of its mentees k
/// could move to plus that pair's reduced cost, and by k's own slack above the unmatched
/// value, so the highest rises are shortest distances to the mentors with room and to the
/// unmatched options: one Dijkstra over the pairs, O(p log p).
pub(crate) fn raise_prices(instance: &Instance, solution: &mut Solution) {
    let m = instance.mentor_count();
    let Certificate {
        mentee_duals: u,
        mentor_duals: v,
        unmatched_value: z,
    } = &mut solution.certificate;
    let mut mentor_of = vec![NONE; instance.mentee_count()];
    let mut held = vec![0u32; m];
    for &(j, i) in &solution.pairs {
        mentor_of[i as usize] = j;
        held[j as usize] += 1;
    }
    // Under maximum cardinality the unmatched value is far below every score, and a mentor
    // whose mentees have no other way out would rise by about that much, dropping its mentees'
    // duals to it and making every pair they left out look like an improvement. So no rise goes
    // beyond twice the range of the scores (any smaller rise keeps the proof: the rises allowed
    // are closed under taking the smaller of two). Twice, not once: in a cohort with more
    // mentees than seats the duals spread above the unmatched value by more than one range
    // (up to 1.64 at 20,000 a side, scores in [0, 1]), and a cap of one range left 271,000
    // pairs to the first pricing round instead of 204,000.
    let most = 2.0 * instance.score_range().map_or(0.0, |(low, high)| high - low);
    let mut rise: Vec<f64> = (0..m)
        .map(|j| {
            if held[j] < instance.capacity(j as Mentor) {
                0.0
            } else {
                most
            }
        })
        .collect();
    for (i, &j) in mentor_of.iter().enumerate() {
        if j != NONE {
            let slack = (u[i] - *z).max(0.0);
            rise[j as usize] = rise[j as usize].min(slack);
        }
    }
    let by_mentor = instance.by_mentor();
    let mut heap: BinaryHeap<Entry> = (0..m as u32)
        .map(|j| Entry {
            distance: rise[j as usize],
            node: j,
        })
        .collect();
    let mut done = vec![false; m];
    while let Some(Entry { distance, node }) = heap.pop() {
        let target = node as usize;
        if std::mem::replace(&mut done[target], true) {
            continue;
        }
        for &(k, score) in &by_mentor[target] {
            let j = mentor_of[k as usize];
            if j == NONE || j == node || done[j as usize] {
                continue;
            }
            let reduced = (u[k as usize] + v[target] - score).max(0.0);
            if distance + reduced < rise[j as usize] {
                rise[j as usize] = distance + reduced;
                heap.push(Entry {
                    distance: distance + reduced,
                    node: j,
                });
            }
        }
    }
    for (i, &j) in mentor_of.iter().enumerate() {
        if j != NONE {
            u[i] -= rise[j as usize];
        }
    }
    for (v, rise) in v.iter_mut().zip(&rise) {
        *v += rise;
    }
}

/// Solves `instance` starting from `start`, an optimal solution of the same cohort with fewer
/// pairs (the engine adds pairs and solves again). Every pair of `start` must be a pair of
/// `instance`, and both must have the same unmatched value (see
/// [`Instance::with_score_range`]); otherwise this is [`solve`].
///
/// The old duals are kept. Only mentees with a new pair that has a negative reduced cost are
/// taken off their mentor and placed again (by the row reduction at the old prices, then by
/// searches), so the work is proportional to what changed.
pub fn solve_from(instance: &Instance, objective: Objective, start: &Solution) -> Solution {
    let mut state = State::new(instance, objective);
    let old = &start.certificate;
    let fits = old.unmatched_value == state.z
        && old.mentee_duals.len() == instance.mentee_count()
        && old.mentor_duals.len() == instance.mentor_count()
        && start
            .pairs
            .iter()
            .all(|&(mentor, mentee)| instance.score(mentor, mentee).is_some());
    if !fits {
        return solve(instance, objective);
    }
    state.u.clone_from(&old.mentee_duals);
    state.v.clone_from(&old.mentor_duals);
    for &(mentor, mentee) in &start.pairs {
        state.assign(mentee, mentor);
    }
    let mut released = std::collections::VecDeque::new();
    for mentee in 0..instance.mentee_count() as Mentee {
        let i = mentee as usize;
        let violated = instance
            .candidates(mentee)
            .any(|(j, s)| violated(state.u[i], state.v[j as usize], s));
        if violated {
            state.release(mentee);
            state.placed[i] = false;
            released.push_back(mentee);
        } else {
            state.placed[i] = true;
        }
    }
    state.reduce_rows(released);
    state.finish()
}

impl<'a> State<'a> {
    fn new(instance: &'a Instance, objective: Objective) -> Self {
        let (n, m) = (instance.mentee_count(), instance.mentor_count());
        let z = instance.unmatched_value(objective);
        let u = (0..n as Mentee)
            .map(|i| instance.candidates(i).map(|(_, s)| s).fold(z, f64::max))
            .collect();
        Self {
            instance,
            coarse: instance.coarse_scores(),
            phases_from: phases::FEW,
            z,
            u,
            v: vec![0.0; m],
            mentee_to: vec![NONE; n],
            mentor_of: vec![NONE; n],
            placed: vec![false; n],
            held: vec![Vec::new(); m],
            mentor_distance: vec![f64::INFINITY; m],
            mentor_from: vec![NONE; m],
            mentor_done: vec![false; m],
            mentee_distance: vec![f64::INFINITY; n],
            mentee_seen: vec![false; n],
            touched_mentors: Vec::new(),
            touched_mentees: Vec::new(),
            heap: BinaryHeap::new(),
        }
    }

    /// Seats each mentee on the mentor the auction gave it when that is exactly a best choice
    /// at the auction's prices (with tied scores most are), and returns the others to be
    /// placed. Without this the row reduction, which ranks tied mentors the same way for every
    /// mentee, left 70 % of a tied instance to the exact searches (docs/decisions/021).
    fn keep_best_seats(&mut self, won: &[Mentor]) -> std::collections::VecDeque<Mentee> {
        let mut queue = std::collections::VecDeque::new();
        for (i, &mentor) in won.iter().enumerate() {
            let mentee = i as Mentee;
            let best = self
                .instance
                .candidates(mentee)
                .map(|(j, s)| s - self.v[j as usize])
                .fold(self.z, f64::max);
            let own = (mentor != NONE)
                .then(|| self.instance.score(mentor, mentee))
                .flatten()
                .map(|s| s - self.v[mentor as usize]);
            match own {
                Some(value) if value >= best && self.has_room(mentor) => {
                    self.assign(mentee, mentor)
                }
                _ => queue.push_back(mentee),
            }
        }
        queue
    }

    /// An auction-like start (Jonker and Volgenant's "augmenting row reduction", extended to
    /// capacities): each unplaced mentee takes its best mentor at current prices `v`; if that
    /// mentor is full, its price rises just enough to free one holder (the one with the least
    /// to lose) without making any other holder prefer another mentor. Everyone placed stays on
    /// a best choice at current prices, so the state is a valid start for the exact searches.
    /// Bounded to a few bids per mentee; whoever is still unplaced goes to the searches.
    fn reduce_rows(&mut self, mut queue: std::collections::VecDeque<Mentee>) {
        let n = self.instance.mentee_count();
        // What each mentee already on a mentor would lose by moving to its next choice (its
        // choice is a best one, so ties lose nothing).
        let mut margin = vec![0.0f64; n];
        for mentee in 0..n as Mentee {
            let mentor = self.mentor_of[mentee as usize];
            if mentor != NONE {
                let (best, best_value, _, second_value) = self.two_best(mentee);
                if best == Some(mentor) {
                    margin[mentee as usize] = best_value - second_value;
                }
            }
        }
        let mut budget = 3 * queue.len() + 16;
        while let Some(mentee) = queue.pop_front() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let i = mentee as usize;
            let (best, best_value, second, second_value) = self.two_best(mentee);
            let Some(best) = best else {
                self.placed[i] = true; // nothing beats staying unmatched
                continue;
            };
            let gap = best_value - second_value;
            if self.has_room(best) {
                self.assign(mentee, best);
                margin[i] = gap;
                continue;
            }
            if gap <= 0.0 {
                // A tie: take any equally good mentor with room (with tied scores there are
                // often dozens), else stay unmatched if that is the tie, else leave the mentee
                // to the exact search.
                if let Some(other) = self.tied_with_room(mentee, best_value) {
                    self.assign(mentee, other);
                    margin[i] = 0.0;
                } else if second.is_none() {
                    self.placed[i] = true;
                }
                continue;
            }
            let j = best as usize;
            let (slot, &evicted) = self.held[j]
                .iter()
                .enumerate()
                .min_by(|a, b| {
                    margin[*a.1 as usize]
                        .total_cmp(&margin[*b.1 as usize])
                        .then(a.0.cmp(&b.0))
                })
                .expect("a full mentor holds someone");
            let rise = gap.min(margin[evicted as usize]).max(0.0);
            self.v[j] += rise;
            for &holder in &self.held[j] {
                margin[holder as usize] -= rise;
            }
            self.held[j].swap_remove(slot);
            self.mentor_of[evicted as usize] = NONE;
            self.placed[evicted as usize] = false;
            queue.push_back(evicted);
            self.assign(mentee, best);
            margin[i] = gap - rise;
        }
        self.settle_duals();
    }

    /// The best and second-best mentors for a mentee at current prices; `None` is the mentee's
    /// unmatched option (worth `z`).
    fn two_best(&self, mentee: Mentee) -> (Option<Mentor>, f64, Option<Mentor>, f64) {
        let (mut best, mut best_value) = (None, self.z);
        let (mut second, mut second_value) = (None, f64::NEG_INFINITY);
        for (mentor, score) in self.instance.candidates(mentee) {
            let value = score - self.v[mentor as usize];
            if value > best_value {
                (second, second_value) = (best, best_value);
                (best, best_value) = (Some(mentor), value);
            } else if value > second_value {
                (second, second_value) = (Some(mentor), value);
            }
        }
        if best.is_some() && second_value < self.z {
            (second, second_value) = (None, self.z);
        }
        (best, best_value, second, second_value)
    }

    /// A mentor worth `value` to the mentee at current prices (its best value) with a free seat.
    fn tied_with_room(&self, mentee: Mentee, value: f64) -> Option<Mentor> {
        self.instance
            .candidates(mentee)
            .find(|&(mentor, score)| {
                score - self.v[mentor as usize] >= value && self.has_room(mentor)
            })
            .map(|(mentor, _)| mentor)
    }

    /// Sets each mentee's dual from the prices: its assigned pair's value (tight), or its best
    /// value if it is not yet placed on a mentor.
    fn settle_duals(&mut self) {
        for mentee in 0..self.instance.mentee_count() as Mentee {
            let i = mentee as usize;
            let mentor = self.mentor_of[i];
            self.u[i] = if mentor != NONE {
                self.instance
                    .score(mentor, mentee)
                    .expect("an assigned pair")
                    - self.v[mentor as usize]
            } else {
                self.instance
                    .candidates(mentee)
                    .map(|(j, s)| s - self.v[j as usize])
                    .fold(self.z, f64::max)
            };
        }
    }

    fn assign(&mut self, mentee: Mentee, mentor: Mentor) {
        self.mentor_of[mentee as usize] = mentor;
        self.placed[mentee as usize] = true;
        self.held[mentor as usize].push(mentee);
    }

    fn has_room(&self, mentor: Mentor) -> bool {
        (self.held[mentor as usize].len() as u32) < self.instance.capacity(mentor)
    }

    /// Scans a mentee reached at `distance`: its unmatched option and its mentors join the
    /// search. Returns a mentor with room reached at the same distance (over a pair with no
    /// reduced cost), which ends the search at once: nothing left in the heap is closer.
    /// Jonker and Volgenant stop the same way; without it, when scores tie, a search scanned
    /// every mentor at the frontier's distance, often most of them, before taking the free one
    /// (docs/decisions/021).
    fn reach_mentee(&mut self, mentee: Mentee, distance: f64) -> Option<Mentor> {
        let i = mentee as usize;
        self.mentee_seen[i] = true;
        self.mentee_distance[i] = distance;
        self.touched_mentees.push(mentee);
        let unmatched_option = self.instance.mentor_count() as u32 + mentee;
        // Leaving this mentee unmatched frees its mentor: a sink at the reduced cost u - z.
        self.heap.push(Entry {
            distance: distance + (self.u[i] - self.z).max(0.0),
            node: unmatched_option,
        });
        for (mentor, score) in self.instance.candidates(mentee) {
            let j = mentor as usize;
            if self.mentor_done[j] {
                continue;
            }
            let candidate = distance + (self.u[i] + self.v[j] - score).max(0.0);
            if candidate < self.mentor_distance[j] {
                if self.mentor_distance[j] == f64::INFINITY {
                    self.touched_mentors.push(mentor);
                }
                self.mentor_distance[j] = candidate;
                self.mentor_from[j] = mentee;
                if candidate <= distance && self.has_room(mentor) {
                    return Some(mentor);
                }
                self.heap.push(Entry {
                    distance: candidate,
                    node: mentor,
                });
            }
        }
        None
    }

    /// One shortest augmenting path from an unplaced mentee, then the dual update and flip.
    fn augment_from(&mut self, root: Mentee) {
        let m = self.instance.mentor_count() as u32;
        let mut free = self.reach_mentee(root, 0.0).map(|mentor| (mentor, 0.0));
        let (sink, length) = loop {
            if let Some(found) = free {
                break found;
            }
            let entry = self
                .heap
                .pop()
                .expect("the root's unmatched option is always reachable");
            if entry.node >= m {
                break (entry.node, entry.distance);
            }
            let j = entry.node as usize;
            if self.mentor_done[j] || entry.distance > self.mentor_distance[j] {
                continue;
            }
            self.mentor_done[j] = true;
            if self.has_room(entry.node) {
                break (entry.node, entry.distance);
            }
            for k in 0..self.held[j].len() {
                let held = self.held[j][k];
                if !self.mentee_seen[held as usize] {
                    free = self
                        .reach_mentee(held, entry.distance)
                        .map(|mentor| (mentor, entry.distance));
                    if free.is_some() {
                        break;
                    }
                }
            }
        };
        self.update_duals(length);
        self.flip_path(root, sink);
        self.reset_search();
    }

    /// Moves the duals of everything scanned closer than the sink so the path becomes tight
    /// and every reduced cost stays non-negative.
    fn update_duals(&mut self, length: f64) {
        for &mentor in &self.touched_mentors {
            let j = mentor as usize;
            if self.mentor_done[j] && self.mentor_distance[j] < length {
                self.v[j] += length - self.mentor_distance[j];
            }
        }
        for &mentee in &self.touched_mentees {
            let i = mentee as usize;
            self.u[i] -= length - self.mentee_distance[i];
        }
    }

    fn flip_path(&mut self, root: Mentee, sink: u32) {
        let m = self.instance.mentor_count() as u32;
        // The path ends at a mentor with room, or at a mentee leaving for its unmatched option
        // (which frees the mentor it held; if that mentee is the root, nothing else moves).
        let mut next_mentor = if sink >= m {
            let leaving = sink - m;
            let freed = self.mentor_of[leaving as usize];
            self.release(leaving);
            self.placed[leaving as usize] = true;
            if freed == NONE {
                return;
            }
            freed
        } else {
            sink
        };
        // Walk back to the root: each mentee on the path moves to the mentor after it.
        loop {
            let current = self.mentor_from[next_mentor as usize];
            let previous = self.mentor_of[current as usize];
            self.release(current);
            self.assign(current, next_mentor);
            if current == root {
                break;
            }
            next_mentor = previous;
        }
    }

    /// The auction's prices are a guess: a mentor that ends with room must end with price 0.
    /// For each such mentor, a search from the mentor side either brings it one more mentee
    /// along a shortest path (through mentors that give one up) or lowers its price to zero,
    /// keeping every dual condition; repeated until the mentor is full or free of charge.
    fn release_unearned_prices(&mut self) {
        let unearned: Vec<Mentor> = (0..self.instance.mentor_count() as Mentor)
            .filter(|&j| self.v[j as usize] > 0.0 && self.has_room(j))
            .collect();
        if unearned.is_empty() {
            return;
        }
        let by_mentor = self.instance.by_mentor();
        for mentor in unearned {
            while self.v[mentor as usize] > 0.0 && self.has_room(mentor) {
                self.pull_towards(mentor, &by_mentor);
            }
        }
    }

    /// One mentor-side search from `root` (a mentor with room and a positive price).
    fn pull_towards(&mut self, root: Mentor, by_mentor: &[Vec<(Mentee, f64)>]) {
        let (m, n) = (
            self.instance.mentor_count() as u32,
            self.instance.mentee_count() as u32,
        );
        let price_zero = |mentor: Mentor| m + n + mentor;
        self.reach_mentor_backwards(root, 0.0, price_zero(root));
        let (sink, length) = loop {
            let entry = self
                .heap
                .pop()
                .expect("the root's own price is always a sink");
            match entry.node {
                node if node >= m + n => break (node, entry.distance),
                node if node >= m => {
                    let mentee = node - m;
                    let i = mentee as usize;
                    if self.mentee_seen[i] {
                        continue;
                    }
                    self.mentee_seen[i] = true;
                    let holder = self.mentor_of[i];
                    if holder == NONE {
                        break (node, entry.distance); // an unmatched mentee joins
                    }
                    if !self.mentor_done[holder as usize]
                        && entry.distance < self.mentor_distance[holder as usize]
                    {
                        self.mentor_from[holder as usize] = mentee;
                        self.reach_mentor_backwards(holder, entry.distance, price_zero(holder));
                    }
                }
                mentor => {
                    let j = mentor as usize;
                    if self.mentor_done[j] || entry.distance > self.mentor_distance[j] {
                        continue;
                    }
                    self.mentor_done[j] = true;
                    for &(mentee, score) in &by_mentor[j] {
                        let i = mentee as usize;
                        if self.mentee_seen[i] || self.mentor_of[i] == mentor {
                            continue;
                        }
                        let candidate = entry.distance + (self.u[i] + self.v[j] - score).max(0.0);
                        if candidate < self.mentee_distance[i] {
                            if self.mentee_distance[i] == f64::INFINITY {
                                self.touched_mentees.push(mentee);
                            }
                            self.mentee_distance[i] = candidate;
                            self.mentee_to[i] = mentor;
                            self.heap.push(Entry {
                                distance: candidate,
                                node: m + mentee,
                            });
                        }
                    }
                }
            }
        };
        self.lower_prices(length);
        self.pull_path(root, sink);
        self.reset_search();
    }

    /// Lowers the price of each mentor scanned closer than the sink and raises the duals of all
    /// its mentees by as much, so their pairs stay tight. (Every mentee of such a mentor is at
    /// least as far from the root as the mentor, which keeps their other pairs feasible.)
    fn lower_prices(&mut self, length: f64) {
        for &mentor in &self.touched_mentors {
            let j = mentor as usize;
            if self.mentor_done[j] && self.mentor_distance[j] < length {
                let delta = length - self.mentor_distance[j];
                self.v[j] = (self.v[j] - delta).max(0.0);
                for &holder in &self.held[j] {
                    self.u[holder as usize] += delta;
                }
            }
        }
    }

    /// Moves everyone on a mentor-side path one step towards the root (nothing moves when the
    /// sink is the root's own price reaching zero).
    fn pull_path(&mut self, root: Mentor, sink: u32) {
        let (m, n) = (
            self.instance.mentor_count() as u32,
            self.instance.mentee_count() as u32,
        );
        let mut mentee = if sink >= m + n {
            let end = sink - m - n;
            if end == root {
                return;
            }
            self.mentor_from[end as usize]
        } else {
            sink - m
        };
        loop {
            let to = self.mentee_to[mentee as usize];
            self.release(mentee);
            self.assign(mentee, to);
            if to == root {
                break;
            }
            mentee = self.mentor_from[to as usize];
        }
    }

    fn reach_mentor_backwards(&mut self, mentor: Mentor, distance: f64, price_zero: u32) {
        let j = mentor as usize;
        if self.mentor_distance[j] == f64::INFINITY {
            self.touched_mentors.push(mentor);
        }
        self.mentor_distance[j] = distance;
        self.heap.push(Entry {
            distance,
            node: mentor,
        });
        self.heap.push(Entry {
            distance: distance + self.v[j],
            node: price_zero,
        });
    }

    fn release(&mut self, mentee: Mentee) {
        let mentor = self.mentor_of[mentee as usize];
        if mentor != NONE {
            let held = &mut self.held[mentor as usize];
            let k = held
                .iter()
                .position(|&h| h == mentee)
                .expect("a held mentee");
            held.swap_remove(k);
            self.mentor_of[mentee as usize] = NONE;
        }
    }

    fn reset_search(&mut self) {
        for mentor in self.touched_mentors.drain(..) {
            let j = mentor as usize;
            self.mentor_distance[j] = f64::INFINITY;
            self.mentor_from[j] = NONE;
            self.mentor_done[j] = false;
        }
        for mentee in self.touched_mentees.drain(..) {
            self.mentee_distance[mentee as usize] = f64::INFINITY;
            self.mentee_seen[mentee as usize] = false;
            self.mentee_to[mentee as usize] = NONE;
        }
        self.heap.clear();
    }

    /// The exact phase: a search for every mentee still unplaced, then prices of mentors left
    /// with room brought to zero.
    fn finish(mut self) -> Solution {
        if self.coarse {
            self.place_in_phases();
        }
        for mentee in 0..self.instance.mentee_count() as Mentee {
            if !self.placed[mentee as usize] {
                self.augment_from(mentee);
            }
        }
        self.release_unearned_prices();
        self.into_solution()
    }

    fn into_solution(self) -> Solution {
        let mut pairs = Vec::new();
        let mut total_score = 0.0;
        for (mentee, &mentor) in self.mentor_of.iter().enumerate() {
            if mentor != NONE {
                pairs.push((mentor, mentee as Mentee));
                total_score += self
                    .instance
                    .score(mentor, mentee as Mentee)
                    .expect("an assigned pair exists");
            }
        }
        Solution {
            pairs,
            total_score,
            certificate: Certificate {
                mentee_duals: self.u,
                mentor_duals: self.v,
                unmatched_value: self.z,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verify;

    #[test]
    fn raised_prices_are_the_highest_the_pairs_allow() {
        // Mentee 0 can only have mentor 0; mentee 1 takes mentor 1 and could take mentor 0.
        let instance =
            Instance::from_pairs(vec![1, 1], 2, [(0, 0, 0.5), (0, 1, 0.9), (1, 1, 0.8)]).unwrap();
        let mut solution = solve(&instance, Objective::MaxTotal);
        assert_eq!(solution.pairs, [(0, 0), (1, 1)]);
        raise_prices(&instance, &mut solution);
        // Mentor 0 rises until mentee 0 would rather be unmatched (u ≥ 0); mentor 1 until
        // mentee 1 would rather move to mentor 0 (0.8 − v₁ ≥ 0.9 − 0.5).
        let close = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9);
        let certificate = &solution.certificate;
        assert!(
            close(&certificate.mentor_duals, &[0.5, 0.4]),
            "{certificate:?}"
        );
        assert!(
            close(&certificate.mentee_duals, &[0.0, 0.4]),
            "{certificate:?}"
        );
        verify(&instance, Objective::MaxTotal, &solution).unwrap();
    }

    #[test]
    fn raising_prices_keeps_the_matching_and_its_proof() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        for seed in 0..200 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mentors, mentees) = (rng.random_range(1..=10), rng.random_range(1..=14));
            let capacities = (0..mentors).map(|_| rng.random_range(1..=3)).collect();
            let pairs: Vec<(Mentor, Mentee, f64)> = (0..mentors as u32)
                .flat_map(|j| (0..mentees as u32).map(move |i| (j, i)))
                .collect::<Vec<_>>()
                .into_iter()
                .filter_map(|(j, i)| {
                    let score = f64::from(rng.random_range(0..100)) / 100.0;
                    rng.random_bool(0.4).then_some((j, i, score))
                })
                .collect();
            let instance = Instance::from_pairs(capacities, mentees, pairs).unwrap();
            for objective in [Objective::MaxTotal, Objective::MaxCardinality] {
                let before = solve(&instance, objective);
                let mut raised = before.clone();
                raise_prices(&instance, &mut raised);
                assert_eq!(raised.pairs, before.pairs, "seed {seed}");
                verify(&instance, objective, &raised).unwrap();
                let (old, new) = (
                    &before.certificate.mentor_duals,
                    &raised.certificate.mentor_duals,
                );
                assert!(old.iter().zip(new).all(|(a, b)| b >= a), "seed {seed}");
            }
        }
    }
}

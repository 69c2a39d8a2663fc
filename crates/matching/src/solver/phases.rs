//! Placing many mentees at once when scores tie: one search from all of them together, then as
//! many disjoint augmenting paths as the pairs with no reduced cost allow (docs/decisions/021).
//!
//! Why. A search from one mentee stops at the nearest mentor with room. When scores tie, most
//! pairs have no reduced cost, so the mentees and mentors within the search's distance form
//! one large region, and when none of them has room every search scans all of it: tens of
//! thousands of searches over most of the graph (176 s on 100,000 a side with scores 0–9).
//! Here one search from every unplaced mentee at once finds the shortest distance to any
//! sink, moves the duals as [`State::update_duals`] does for one search (the same argument
//! holds with many roots at distance 0), and then a depth-first search along the pairs left
//! tight takes vertex-disjoint augmenting paths, as in Hopcroft and Karp's phases, so one
//! scan of the region places many mentees instead of one.

use super::{NONE, State};
use crate::assignment::{Mentee, Mentor};

/// Below this many unplaced mentees the one-at-a-time searches are cheaper than a phase.
pub(super) const FEW: usize = 32;

/// A mentee on the depth-first path: which of its candidates comes next, and the mentor it
/// would move to whose holders are being tried.
struct Step {
    mentee: Mentee,
    next_candidate: usize,
    towards: Mentor,
    next_holder: usize,
}

impl Step {
    fn new(mentee: Mentee) -> Self {
        Self {
            mentee,
            next_candidate: 0,
            towards: NONE,
            next_holder: 0,
        }
    }
}

/// How a path found along tight pairs ends.
enum End {
    /// The last mentee on the path moves to this mentor, which has room.
    Room(Mentor),
    /// This mentee, held by the last path mentee's `towards`, leaves for its unmatched option.
    Leaves(Mentee),
}

/// Whether `a` equals `b` up to rounding (the same relative 10⁻¹² as [`super::violated`]).
fn level(a: f64, b: f64) -> bool {
    a - b <= 1e-12 * (1.0 + a.abs() + b.abs())
}

impl State<'_> {
    /// Places unplaced mentees phase by phase while many remain; returns when fewer than
    /// `phases_from` ([`FEW`]) are left (or a phase places nobody, which the one-at-a-time searches then
    /// settle).
    pub(super) fn place_in_phases(&mut self) {
        loop {
            let unplaced: Vec<Mentee> = (0..self.instance.mentee_count() as Mentee)
                .filter(|&mentee| !self.placed[mentee as usize])
                .collect();
            if unplaced.len() < self.phases_from {
                return;
            }
            let distance = self.nearest_sink(&unplaced);
            self.update_duals(distance);
            self.reset_search();
            let mut placed = 0;
            for &root in &unplaced {
                placed += usize::from(self.augment_tight(root));
            }
            self.reset_search();
            if placed == 0 {
                return;
            }
        }
    }

    /// One search from every root at distance 0, up to the nearest sink: a mentor with room or
    /// a mentee's unmatched option. Leaves the distances for [`State::update_duals`].
    fn nearest_sink(&mut self, roots: &[Mentee]) -> f64 {
        let m = self.instance.mentor_count() as u32;
        for &root in roots {
            if self.reach_mentee(root, 0.0).is_some() {
                return 0.0;
            }
        }
        loop {
            let entry = self
                .heap
                .pop()
                .expect("every root's unmatched option is reachable");
            if entry.node >= m {
                return entry.distance;
            }
            let j = entry.node as usize;
            if self.mentor_done[j] || entry.distance > self.mentor_distance[j] {
                continue;
            }
            self.mentor_done[j] = true;
            if self.has_room(entry.node) {
                return entry.distance;
            }
            for k in 0..self.held[j].len() {
                let held = self.held[j][k];
                if !self.mentee_seen[held as usize]
                    && self.reach_mentee(held, entry.distance).is_some()
                {
                    return entry.distance;
                }
            }
        }
    }

    /// A depth-first search from `root` along tight pairs to a mentor with room or a mentee
    /// free to leave, avoiding what earlier searches of this phase visited (so the paths taken
    /// are disjoint); flips the path found. Returns whether `root` was placed.
    fn augment_tight(&mut self, root: Mentee) -> bool {
        let r = root as usize;
        if self.placed[r] || self.mentee_seen[r] {
            return false;
        }
        self.visit_mentee(root);
        if level(self.u[r], self.z) {
            self.placed[r] = true; // staying unmatched is as good as any pair
            return true;
        }
        let mut path = vec![Step::new(root)];
        while let Some(step) = path.last_mut() {
            if step.towards != NONE {
                let held = &self.held[step.towards as usize];
                if let Some(&next) = held.get(step.next_holder) {
                    step.next_holder += 1;
                    if self.mentee_seen[next as usize] {
                        continue;
                    }
                    self.visit_mentee(next);
                    if level(self.u[next as usize], self.z) {
                        self.flip_tight(&path, End::Leaves(next));
                        return true;
                    }
                    path.push(Step::new(next));
                    continue;
                }
                step.towards = NONE;
            }
            match self.next_tight_mentor(step) {
                Some(mentor) if self.has_room(mentor) => {
                    self.flip_tight(&path, End::Room(mentor));
                    return true;
                }
                Some(mentor) => {
                    step.towards = mentor;
                    step.next_holder = 0;
                }
                None => {
                    path.pop();
                }
            }
        }
        false
    }

    /// The next unvisited mentor over a tight pair of the step's mentee (marked visited). The
    /// first call looks ahead for one with room, which ends the path at once (the look-ahead
    /// of Duff's MC21: without it the search wanders down long paths first).
    fn next_tight_mentor(&mut self, step: &mut Step) -> Option<Mentor> {
        let i = step.mentee as usize;
        let (mentors, scores) = self.instance.row(step.mentee);
        if step.next_candidate == 0 {
            let free = mentors.iter().zip(scores).find(|&(&mentor, &score)| {
                self.has_room(mentor)
                    && !self.mentor_done[mentor as usize]
                    && level(self.u[i] + self.v[mentor as usize], score)
            });
            if let Some((&mentor, _)) = free {
                self.visit_mentor(mentor);
                return Some(mentor);
            }
        }
        while let Some((&mentor, &score)) = mentors
            .get(step.next_candidate)
            .zip(scores.get(step.next_candidate))
        {
            step.next_candidate += 1;
            let j = mentor as usize;
            if self.mentor_done[j]
                || self.mentor_of[i] == mentor
                || !level(self.u[i] + self.v[j], score)
            {
                continue;
            }
            self.visit_mentor(mentor);
            return Some(mentor);
        }
        None
    }

    fn visit_mentor(&mut self, mentor: Mentor) {
        self.mentor_done[mentor as usize] = true;
        self.mentor_distance[mentor as usize] = 0.0;
        self.touched_mentors.push(mentor);
    }

    fn visit_mentee(&mut self, mentee: Mentee) {
        self.mentee_seen[mentee as usize] = true;
        self.touched_mentees.push(mentee);
    }

    /// Moves each mentee on the path to the mentor after it; the last moves to the mentor with
    /// room, or takes the seat of the mentee that leaves.
    fn flip_tight(&mut self, path: &[Step], end: End) {
        let last = path.last().expect("a path has its root");
        let mut to = match end {
            End::Room(mentor) => mentor,
            End::Leaves(leaving) => {
                self.release(leaving);
                self.placed[leaving as usize] = true;
                last.towards
            }
        };
        for step in path.iter().rev() {
            let from = self.mentor_of[step.mentee as usize];
            self.release(step.mentee);
            self.assign(step.mentee, to);
            to = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::started;
    use crate::assignment::{Instance, Mentor, Objective};
    use crate::verify::verify;
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};

    fn tied_instance(seed: u64, mentors: usize, mentees: usize) -> Instance {
        let mut rng = StdRng::seed_from_u64(seed);
        let capacities = (0..mentors).map(|_| rng.random_range(1..=3)).collect();
        let density = rng.random_range(0.2..=1.0);
        let pairs: Vec<(Mentor, u32, f64)> = (0..mentors as u32)
            .flat_map(|j| (0..mentees as u32).map(move |i| (j, i)))
            .collect::<Vec<_>>()
            .into_iter()
            .filter_map(|(j, i)| {
                let score = f64::from(rng.random_range(0..=2));
                rng.random_bool(density).then_some((j, i, score))
            })
            .collect();
        Instance::from_pairs(capacities, mentees, pairs).unwrap()
    }

    /// Phases from the first unplaced mentee on, against the one-at-a-time searches after the
    /// auction: both must reach the same optimum, and the phases' certificate must hold.
    #[test]
    fn phases_reach_the_optimum_the_single_searches_reach() {
        for seed in 0..300 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mentors, mentees) = (rng.random_range(1..=16), rng.random_range(1..=20));
            let instance = tied_instance(seed, mentors, mentees);
            for objective in [Objective::MaxCardinality, Objective::MaxTotal] {
                let mut phased = started(&instance, objective);
                phased.coarse = true;
                phased.phases_from = 1;
                let phased = phased.finish();
                let mut single = started(&instance, objective);
                single.coarse = false;
                let single = single.finish();
                assert_eq!(verify(&instance, objective, &phased), Ok(()), "seed {seed}");
                assert!(
                    (phased.total_score - single.total_score).abs() < 1e-9,
                    "seed {seed} {objective:?}: {} vs {}",
                    phased.total_score,
                    single.total_score
                );
                if objective == Objective::MaxCardinality {
                    assert_eq!(phased.matched(), single.matched(), "seed {seed}");
                }
            }
        }
    }

    #[test]
    fn tied_scores_are_coarse_and_varied_ones_are_not() {
        assert!(tied_instance(1, 40, 40).coarse_scores());
        let varied =
            Instance::from_dense(vec![1; 40], 40, |j, i| Some(f64::from(j * 40 + i) / 1600.0))
                .unwrap();
        assert!(!varied.coarse_scores());
        // Few pairs: too few share each score for the ties to matter.
        let few = Instance::from_pairs(vec![1; 3], 3, [(0, 0, 1.0), (1, 1, 2.0), (2, 2, 3.0)]);
        assert!(!few.unwrap().coarse_scores());
    }
}

//! Maximum cardinality as a problem where everyone is matched: a Dulmage–Mendelsohn split of
//! the candidate graph, so the exact solver never runs a search that ends with its mentee
//! unmatched.
//!
//! Why. Under [`Objective::MaxCardinality`] a mentee that ends unmatched learns it only after
//! its shortest-path search has visited everything it can reach, and with equal sides hundreds
//! of mentees end so: those searches were most of the solve time on generated cohorts.
//!
//! How. A maximum matching (augmenting breadth-first searches, O(p) per phase) shows which
//! mentees can be left out: those reachable from an unmatched mentee by an alternating path
//! (the set E). Their neighbours (the set O) are mentors full in every maximum matching, and
//! in every maximum matching they hold only mentees of E; every other mentee is matched in every
//! maximum matching, and pairs between such a mentee and a mentor of O are in none. So every
//! maximum matching leaves exactly |E| − (seats of O) mentees of E out.
//!
//! One more mentor, "left out", with that many seats and a pair of the same score to every
//! mentee of E, turns the problem into one where everyone is matched: a perfect matching of
//! the larger instance is a maximum matching of the instance plus who it leaves out, and the
//! best one is the best maximum matching. Every search then ends at a seat with room, none
//! runs out of places to look, and every mentor of O ends full, so a price the auction put on
//! it never has to be searched away.
//!
//! The left-out pairs score the instance's lowest score, so both instances have the same
//! unmatched value z. The certificate comes back to the instance by one shift: with d the
//! left-out mentor's dual and ℓ the lowest score, every mentee of E gains d − ℓ + z (one it held
//! then has exactly z) and every mentor of O loses as much, which keeps the pairs between them
//! as they were and gives the pairs from the rest to O more slack (d − ℓ + z ≤ 0, as no
//! mentee's dual is below z). The solution is checked with
//! [`crate::verify`]; if the check fails (scores so spread that |z| does not cover the duals),
//! the caller solves the whole.
//!
//! Before this (decision 010) E against O was solved with the sides swapped, mentor seats as
//! rows, from prices of zero: 2.5 s of the first solve at 20,000 a side, against 0.2 s now.
//!
//! In `propose` the parts come from every pair that passes the rules, not from the shortlists
//! (`candidates::Index::complete_matching`): on the shortlists alone E was smaller, and every
//! pair from a mentee of E to a mentor outside O became a violation of the size of z.
//!
//! Where. [`crate::propose`] uses it; [`crate::solve`] does not. On the plain benchmark
//! instances (100,000 a side, 64 random candidates each) everyone can be matched, so the split
//! finds nothing to do and only adds its maximum matching (3.1 s without, 4.0 s with it, in
//! back-to-back runs on 2026-11-22); on generated cohorts with equal sides it cut the first
//! solve at 10,000 a side from 4.0 s to 1.3 s, and with the left-out mentor the first solve at
//! 20,000 a side takes 0.24 s.

use std::collections::VecDeque;

use crate::assignment::{Instance, Mentee, Mentor, Objective};
use crate::solver::{Certificate, Solution, solve_whole};
use crate::verify::verify;

const NONE: u32 = u32::MAX;

/// The best maximum matching of `instance`, solved by parts; `None` when splitting does not
/// help (every mentee can be matched) or the joined certificate does not check.
#[cfg(test)]
pub(crate) fn solve_by_parts(instance: &Instance) -> Option<Solution> {
    let mentor_of = maximum_matching(instance);
    let (in_e, in_o) = deficient_part(instance, &mentor_of);
    solve_parts(instance, &in_e, &in_o)
}

/// [`solve_by_parts`] with the parts given: `in_e` the mentees some maximum matching leaves
/// out, `in_o` their neighbours, as found on a larger graph with the same maximum matchings
/// (see [`crate::candidates::Index::complete_matching`]).
pub(crate) fn solve_parts(instance: &Instance, in_e: &[bool], in_o: &[bool]) -> Option<Solution> {
    let (n, m) = (instance.mentee_count(), instance.mentor_count());
    let seats: usize = (0..m as Mentor)
        .filter(|&j| in_o[j as usize])
        .map(|j| instance.capacity(j) as usize)
        .sum();
    // Every maximum matching leaves this many mentees of E out (module doc).
    let left_out = in_e.iter().filter(|&&e| e).count().checked_sub(seats)?;
    if left_out == 0 {
        return None;
    }
    let left_out_mentor = m as Mentor;
    // Any score for the left-out pairs gives the same matching, since every maximum matching
    // leaves the same number out; the lowest keeps the unmatched value.
    let (lowest, highest) = instance.score_range()?;
    let mut capacities = instance.capacities().to_vec();
    capacities.push(u32::try_from(left_out).ok()?);
    let augmented = Instance::from_pairs(
        capacities,
        n,
        (0..n as Mentee).flat_map(|i| {
            instance
                .candidates(i)
                .map(move |(j, s)| (j, i, s))
                .chain(in_e[i as usize].then_some((left_out_mentor, i, lowest)))
        }),
    )
    .ok()?
    .with_score_range(lowest, highest);
    let solved = solve_whole(&augmented, Objective::MaxCardinality);

    // Back to the instance: a mentee held by the left-out mentor is unmatched, so its dual must
    // fall to z; every dual of E and O moves by the same amount (module doc).
    let z = solved.certificate.unmatched_value;
    let mut u = solved.certificate.mentee_duals;
    let mut v = solved.certificate.mentor_duals;
    let shift = v.pop()? - lowest + z;
    for (u, _) in u.iter_mut().zip(in_e).filter(|(_, e)| **e) {
        *u += shift;
    }
    for (v, _) in v.iter_mut().zip(in_o).filter(|(_, o)| **o) {
        *v -= shift;
    }
    let pairs: Vec<(Mentor, Mentee)> = solved
        .pairs
        .into_iter()
        .filter(|&(j, _)| j != left_out_mentor)
        .collect();
    let total_score = pairs
        .iter()
        .map(|&(j, i)| instance.score(j, i).expect("a pair of the instance"))
        .sum();
    let solution = Solution {
        pairs,
        total_score,
        certificate: Certificate {
            mentee_duals: u,
            mentor_duals: v,
            unmatched_value: z,
        },
    };
    verify(instance, Objective::MaxCardinality, &solution)
        .is_ok()
        .then_some(solution)
}

/// A maximum matching (mentor of each mentee, or NONE): a greedy start, then phases of
/// breadth-first augmenting searches that share their marks within a phase, until a phase
/// augments nothing. A search that fails leaves marks only on mentors from which no mentor with
/// room can be reached, so a phase without augmentation proves the matching maximum.
pub(crate) fn maximum_matching(instance: &Instance) -> Vec<u32> {
    let (n, m) = (instance.mentee_count(), instance.mentor_count());
    let mut mentor_of = vec![NONE; n];
    let mut held = vec![0u32; m];
    for i in 0..n as Mentee {
        if let Some((j, _)) = instance
            .candidates(i)
            .find(|&(j, _)| held[j as usize] < instance.capacity(j))
        {
            mentor_of[i as usize] = j;
            held[j as usize] += 1;
        }
    }
    grow_to_maximum(instance, mentor_of)
}

/// A maximum matching grown from `mentor_of`, a valid matching of `instance` (mentor of each
/// mentee, or NONE), by the phases of [`maximum_matching`]. Cheap when `mentor_of` is nearly
/// maximum: each phase searches only from unmatched mentees.
pub(crate) fn grow_to_maximum(instance: &Instance, mut mentor_of: Vec<u32>) -> Vec<u32> {
    let (n, m) = (instance.mentee_count(), instance.mentor_count());
    let mut held: Vec<Vec<Mentee>> = vec![Vec::new(); m];
    for (i, &j) in mentor_of.iter().enumerate() {
        if j != NONE {
            held[j as usize].push(i as Mentee);
        }
    }
    let mut visited = vec![false; m];
    let mut from = vec![NONE; m]; // the mentee a mentor was reached from
    let mut queue = VecDeque::new();
    loop {
        visited.fill(false);
        let mut augmented = false;
        for root in 0..n as Mentee {
            if mentor_of[root as usize] != NONE {
                continue;
            }
            queue.clear();
            queue.push_back(root);
            let mut end = NONE;
            'search: while let Some(i) = queue.pop_front() {
                for (j, _) in instance.candidates(i) {
                    let jj = j as usize;
                    if visited[jj] {
                        continue;
                    }
                    visited[jj] = true;
                    from[jj] = i;
                    if (held[jj].len() as u32) < instance.capacity(j) {
                        end = j;
                        break 'search;
                    }
                    queue.extend(held[jj].iter().copied());
                }
            }
            if end == NONE {
                continue;
            }
            augmented = true;
            flip_path(&mut mentor_of, &mut held, &from, root, end, |_, _| {});
        }
        if !augmented {
            return mentor_of;
        }
    }
}

/// Walks an augmenting path back from `end`, a mentor with room reached from `root`, an
/// unmatched mentee (`from`: the mentee each mentor on the path was reached from): each mentee
/// on it moves to the mentor reached from it, and `on_pair(mentor, mentee)` sees each new pair.
pub(crate) fn flip_path(
    mentor_of: &mut [u32],
    held: &mut [Vec<Mentee>],
    from: &[Mentee],
    root: Mentee,
    end: Mentor,
    mut on_pair: impl FnMut(Mentor, Mentee),
) {
    let mut mentor = end;
    loop {
        let mentee = from[mentor as usize];
        let previous = mentor_of[mentee as usize];
        if previous != NONE {
            let list = &mut held[previous as usize];
            let at = list.iter().position(|&k| k == mentee).expect("held");
            list.swap_remove(at);
        }
        mentor_of[mentee as usize] = mentor;
        held[mentor as usize].push(mentee);
        on_pair(mentor, mentee);
        if mentee == root {
            break;
        }
        mentor = previous;
    }
}

/// The mentees reachable from an unmatched mentee by alternating paths in a maximum matching
/// (E), and the mentors reached on the way (O).
#[cfg(test)]
pub(crate) fn deficient_part(instance: &Instance, mentor_of: &[u32]) -> (Vec<bool>, Vec<bool>) {
    let (n, m) = (instance.mentee_count(), instance.mentor_count());
    let mut held: Vec<Vec<Mentee>> = vec![Vec::new(); m];
    for (i, &j) in mentor_of.iter().enumerate() {
        if j != NONE {
            held[j as usize].push(i as Mentee);
        }
    }
    let mut in_e = vec![false; n];
    let mut in_o = vec![false; m];
    let mut queue: VecDeque<Mentee> = (0..n as Mentee)
        .filter(|&i| mentor_of[i as usize] == NONE)
        .collect();
    for &i in &queue {
        in_e[i as usize] = true;
    }
    while let Some(i) = queue.pop_front() {
        for (j, _) in instance.candidates(i) {
            if std::mem::replace(&mut in_o[j as usize], true) {
                continue;
            }
            for &k in &held[j as usize] {
                if !std::mem::replace(&mut in_e[k as usize], true) {
                    queue.push_back(k);
                }
            }
        }
    }
    (in_e, in_o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_left_out_mentees_compete_for_the_mentors_they_reach() {
        // Mentees 0 and 1 both want only mentor 0; mentee 2 has mentor 1 to itself and may
        // also take mentor 0, which no maximum matching gives it.
        let instance = Instance::from_pairs(
            vec![1, 1],
            3,
            [(0, 0, 0.2), (0, 1, 0.9), (0, 2, 1.0), (1, 2, 0.1)],
        )
        .unwrap();
        let mentor_of = maximum_matching(&instance);
        assert_eq!(mentor_of.iter().filter(|&&j| j != NONE).count(), 2);
        let (in_e, in_o) = deficient_part(&instance, &mentor_of);
        assert_eq!(in_e, [true, true, false]);
        assert_eq!(in_o, [true, false]);
        let solution = solve_by_parts(&instance).expect("a split that checks");
        assert_eq!(solution.pairs, [(0, 1), (1, 2)]);
        assert_eq!(solution.total_score, 1.0);
    }

    #[test]
    fn a_pinned_mentee_outside_the_parts_is_left_alone() {
        // As in `propose`: mentee 3 is pinned elsewhere, so it has no pairs here and is not in
        // E; mentees 0 and 1 compete for mentor 0, and one of them is left out.
        let instance = Instance::from_pairs(
            vec![1, 1],
            4,
            [(0, 0, 0.2), (0, 1, 0.9), (0, 2, 1.0), (1, 2, 0.1)],
        )
        .unwrap();
        let (in_e, in_o) = ([true, true, false, false], [true, false]);
        let solution = solve_parts(&instance, &in_e, &in_o).expect("a certificate that checks");
        assert_eq!(solution.pairs, [(0, 1), (1, 2)]);
        let z = instance.unmatched_value(Objective::MaxCardinality);
        assert_eq!(solution.certificate.mentee_duals[0], z);
        assert_eq!(solution.certificate.mentee_duals[3], z);
    }

    #[test]
    fn a_cohort_where_everyone_can_be_matched_is_not_split() {
        let instance = Instance::from_pairs(vec![2], 2, [(0, 0, 0.5), (0, 1, 0.5)]).unwrap();
        assert!(solve_by_parts(&instance).is_none());
    }

    #[test]
    fn the_parts_give_the_whole_solve_s_answer_and_usually_check() {
        use rand::rngs::StdRng;
        use rand::{Rng, SeedableRng};
        let mut split = 0;
        for seed in 0..300 {
            let mut rng = StdRng::seed_from_u64(seed);
            let (mentors, mentees) = (rng.random_range(1..=12), rng.random_range(1..=16));
            let capacities = (0..mentors).map(|_| rng.random_range(1..=3)).collect();
            let density = rng.random_range(0.1..0.6);
            let pairs: Vec<(Mentor, Mentee, f64)> = (0..mentors as u32)
                .flat_map(|j| (0..mentees as u32).map(move |i| (j, i)))
                .collect::<Vec<_>>()
                .into_iter()
                .filter_map(|(j, i)| {
                    let score = f64::from(rng.random_range(-20i32..100)) / 4.0;
                    rng.random_bool(density).then_some((j, i, score))
                })
                .collect();
            let instance = Instance::from_pairs(capacities, mentees, pairs).unwrap();
            let whole = solve_whole(&instance, Objective::MaxCardinality);
            if let Some(parts) = solve_by_parts(&instance) {
                split += 1;
                assert_eq!(parts.pairs.len(), whole.pairs.len(), "seed {seed}");
                assert!(
                    (parts.total_score - whole.total_score).abs() < 1e-9,
                    "seed {seed}: {} vs {}",
                    parts.total_score,
                    whole.total_score
                );
            }
        }
        // Most random instances leave someone out, and their joined certificates check.
        assert!(split > 150, "split {split} of 300");
    }
}

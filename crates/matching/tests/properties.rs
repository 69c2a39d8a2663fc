//! Properties of the solver and the verifier on random instances: every result is a valid,
//! certified optimum equal to brute force, and corrupted results are rejected.

use proptest::prelude::*;
use upward_matching::{Instance, Objective, Solution, solve, solve_from, verify};

/// A small instance: capacities, mentee count, and pairs with scores (some negative).
fn small_instance(max_side: usize) -> impl Strategy<Value = Instance> {
    (1..=max_side, 1..=max_side)
        .prop_flat_map(|(mentors, mentees)| {
            (
                proptest::collection::vec(1u32..=3, mentors),
                Just(mentees),
                proptest::collection::vec(
                    proptest::option::weighted(0.6, -20i32..100),
                    mentors * mentees,
                ),
            )
        })
        .prop_map(|(capacities, mentees, cells)| {
            let mentors = capacities.len();
            let pairs = cells.iter().enumerate().filter_map(|(k, cell)| {
                cell.map(|score| {
                    (
                        (k % mentors) as u32,
                        (k / mentors) as u32,
                        f64::from(score) / 4.0,
                    )
                })
            });
            Instance::from_pairs(capacities, mentees, pairs.collect::<Vec<_>>()).unwrap()
        })
}

/// Every matching's (size, total), by trying every assignment. Exponential: small instances only.
fn all_matchings(instance: &Instance) -> Vec<(usize, f64)> {
    fn go(
        instance: &Instance,
        mentee: u32,
        room: &mut Vec<u32>,
        matched: usize,
        total: f64,
        out: &mut Vec<(usize, f64)>,
    ) {
        if mentee as usize == instance.mentee_count() {
            out.push((matched, total));
            return;
        }
        go(instance, mentee + 1, room, matched, total, out);
        for (mentor, score) in instance.candidates(mentee) {
            if room[mentor as usize] > 0 {
                room[mentor as usize] -= 1;
                go(instance, mentee + 1, room, matched + 1, total + score, out);
                room[mentor as usize] += 1;
            }
        }
    }
    let mut room: Vec<u32> = (0..instance.mentor_count() as u32)
        .map(|j| instance.capacity(j))
        .collect();
    let mut all = Vec::new();
    go(instance, 0, &mut room, 0, 0.0, &mut all);
    all
}

/// The best (matched, total) for the objective, by brute force.
fn brute_force(instance: &Instance, objective: Objective) -> (usize, f64) {
    let better = |a: &(usize, f64), b: &(usize, f64)| match objective {
        Objective::MaxTotal => a.1.total_cmp(&b.1),
        Objective::MaxCardinality => a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)),
    };
    all_matchings(instance).into_iter().max_by(better).unwrap()
}

/// A tie-heavy instance of up to `max_side` a side: whole-number scores 0–2 (so most pairs tie
/// with many others), capacities 1–3, and a density that goes up to every pair allowed.
fn tied_instance(max_side: usize) -> impl Strategy<Value = Instance> {
    (1..=max_side, 1..=max_side, 0.3f64..=1.0)
        .prop_flat_map(|(mentors, mentees, density)| {
            (
                proptest::collection::vec(1u32..=3, mentors),
                Just(mentees),
                proptest::collection::vec(
                    proptest::option::weighted(density, 0u8..=2),
                    mentors * mentees,
                ),
            )
        })
        .prop_map(|(capacities, mentees, cells)| {
            let mentors = capacities.len();
            let pairs = cells.iter().enumerate().filter_map(|(k, cell)| {
                cell.map(|score| ((k % mentors) as u32, (k / mentors) as u32, f64::from(score)))
            });
            Instance::from_pairs(capacities, mentees, pairs.collect::<Vec<_>>()).unwrap()
        })
}

/// The best (matched, total) for the objective by trying every assignment, remembering the
/// best completion for each mentee and seats left (capacities up to 3, so up to 4⁸ states):
/// exhaustive like [`brute_force`], but fast enough for dense 8×8 instances.
fn exhaustive(instance: &Instance, objective: Objective) -> (usize, f64) {
    use std::collections::HashMap;
    fn best(
        instance: &Instance,
        objective: Objective,
        mentee: u32,
        room: &mut Vec<u32>,
        memo: &mut HashMap<(u32, Vec<u32>), (usize, f64)>,
    ) -> (usize, f64) {
        if mentee as usize == instance.mentee_count() {
            return (0, 0.0);
        }
        if let Some(&known) = memo.get(&(mentee, room.clone())) {
            return known;
        }
        let better = |a: (usize, f64), b: (usize, f64)| {
            let order = match objective {
                Objective::MaxTotal => a.1.total_cmp(&b.1),
                Objective::MaxCardinality => a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)),
            };
            if order.is_gt() { a } else { b }
        };
        let mut found = best(instance, objective, mentee + 1, room, memo);
        for (mentor, score) in instance.candidates(mentee) {
            if room[mentor as usize] > 0 {
                room[mentor as usize] -= 1;
                let (matched, total) = best(instance, objective, mentee + 1, room, memo);
                room[mentor as usize] += 1;
                found = better((matched + 1, total + score), found);
            }
        }
        memo.insert((mentee, room.clone()), found);
        found
    }
    let mut room: Vec<u32> = (0..instance.mentor_count() as u32)
        .map(|j| instance.capacity(j))
        .collect();
    best(instance, objective, 0, &mut room, &mut HashMap::new())
}

/// The solver's answer is certified and as good as `best` (matched, total) for the objective.
fn solves_to(
    instance: &Instance,
    objective: Objective,
    best: (usize, f64),
) -> Result<(), TestCaseError> {
    let solution = solve(instance, objective);
    prop_assert_eq!(verify(instance, objective, &solution), Ok(()));
    if objective == Objective::MaxCardinality {
        prop_assert_eq!(solution.matched(), best.0);
    }
    prop_assert!(
        (solution.total_score - best.1).abs() < 1e-9,
        "solver {} vs {}",
        solution.total_score,
        best.1
    );
    Ok(())
}

fn objectives() -> impl Strategy<Value = Objective> {
    prop_oneof![Just(Objective::MaxCardinality), Just(Objective::MaxTotal)]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn every_solution_is_certified_and_equals_brute_force(instance in small_instance(6), objective in objectives()) {
        solves_to(&instance, objective, brute_force(&instance, objective))?;
    }

    #[test]
    fn tied_scores_give_a_certified_optimum_equal_to_exhaustive_search(instance in tied_instance(8), objective in objectives()) {
        solves_to(&instance, objective, exhaustive(&instance, objective))?;
    }

    #[test]
    fn exhaustive_search_agrees_with_brute_force(instance in small_instance(5), objective in objectives()) {
        let (matched, total) = brute_force(&instance, objective);
        let (found_matched, found_total) = exhaustive(&instance, objective);
        if objective == Objective::MaxCardinality {
            prop_assert_eq!(found_matched, matched);
        }
        prop_assert!((found_total - total).abs() < 1e-9);
    }

    #[test]
    fn a_warm_start_from_fewer_pairs_reaches_the_same_optimum(
        instance in small_instance(6),
        objective in objectives(),
        keep in proptest::collection::vec(any::<bool>(), 36),
    ) {
        // Solve on a subset of the pairs, then on all of them from that solution, with one
        // declared score range so both have the same unmatched value.
        let all: Vec<(u32, u32, f64)> = (0..instance.mentee_count() as u32)
            .flat_map(|i| instance.candidates(i).map(move |(j, s)| (j, i, s)).collect::<Vec<_>>())
            .collect();
        let capacities: Vec<u32> = (0..instance.mentor_count() as u32).map(|j| instance.capacity(j)).collect();
        let build = |pairs: Vec<(u32, u32, f64)>| {
            Instance::from_pairs(capacities.clone(), instance.mentee_count(), pairs)
                .unwrap()
                .with_score_range(-5.0, 25.0)
        };
        let subset = build(all.iter().zip(keep.iter().cycle()).filter(|(_, k)| **k).map(|(p, _)| *p).collect());
        let whole = build(all);
        let start = solve(&subset, objective);
        let warm = solve_from(&whole, objective, &start);
        prop_assert_eq!(verify(&whole, objective, &warm), Ok(()));
        let cold = solve(&whole, objective);
        if objective == Objective::MaxCardinality {
            // Under max-total, ties between matchings of different sizes may go either way.
            prop_assert_eq!(warm.matched(), cold.matched());
        }
        prop_assert!((warm.total_score - cold.total_score).abs() < 1e-9);
    }

    #[test]
    fn maximising_equals_minimising_the_negated_scores(instance in small_instance(5)) {
        // Brute-force minimum of the negated scores over maximum matchings.
        let negated = Instance::from_pairs(
            (0..instance.mentor_count() as u32).map(|j| instance.capacity(j)).collect(),
            instance.mentee_count(),
            (0..instance.mentee_count() as u32).flat_map(|i| instance.candidates(i).map(move |(j, s)| (j, i, -s))).collect::<Vec<_>>(),
        ).unwrap();
        let every = all_matchings(&negated);
        let maximum = every.iter().map(|m| m.0).max().unwrap();
        let best_min = every.iter().filter(|m| m.0 == maximum).map(|m| m.1).fold(f64::INFINITY, f64::min);
        let solution = solve(&instance, Objective::MaxCardinality);
        prop_assert!((solution.total_score + best_min).abs() < 1e-9);
    }

    #[test]
    fn a_corrupted_solution_is_rejected(instance in small_instance(6), objective in objectives(), pick in any::<prop::sample::Index>()) {
        let solution = solve(&instance, objective);
        prop_assume!(!solution.pairs.is_empty());
        let k = pick.index(solution.pairs.len());
        let (mentor, mentee) = solution.pairs[k];
        let score = instance.score(mentor, mentee).unwrap();

        // A lowered dual on a matched mentee makes its own pair look improvable.
        let mut lowered = solution.clone();
        lowered.certificate.mentee_duals[mentee as usize] -= 1.0;
        prop_assert!(verify(&instance, objective, &lowered).is_err());

        // Dropping a pair (with an honest total) is strictly worse unless the pair was worth
        // nothing under max-total; the certificate must not vouch for it.
        prop_assume!(objective == Objective::MaxCardinality || score > 1e-9);
        let mut dropped: Solution = solution.clone();
        dropped.pairs.remove(k);
        dropped.total_score -= score;
        prop_assert!(verify(&instance, objective, &dropped).is_err());
    }
}

#[test]
fn brute_force_agrees_on_eight_by_eight_instances_with_capacities() {
    // A deterministic family of 8×8 instances (too slow to brute-force hundreds of times).
    for seed in 0..12u64 {
        let mut state = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u32
        };
        let capacities: Vec<u32> = (0..8).map(|_| 1 + next() % 2).collect();
        let pairs: Vec<(u32, u32, f64)> = (0..8u32)
            .flat_map(|j| (0..8u32).map(move |i| (j, i)))
            .filter_map(|(j, i)| {
                if next() % 10 < 4 {
                    Some((j, i, f64::from(next() % 1000) / 10.0))
                } else {
                    None
                }
            })
            .collect();
        let instance = Instance::from_pairs(capacities, 8, pairs).unwrap();
        for objective in [Objective::MaxCardinality, Objective::MaxTotal] {
            let solution = solve(&instance, objective);
            verify(&instance, objective, &solution).unwrap();
            let (matched, total) = brute_force(&instance, objective);
            assert_eq!(solution.matched(), matched, "seed {seed}");
            assert!(
                (solution.total_score - total).abs() < 1e-9,
                "seed {seed}: {} vs {total}",
                solution.total_score
            );
        }
    }
}

//! Solve times on seeded random families, the same ones `scripts/bench-peers.py` gives to the
//! peer solvers. Prints the median of three solves (generation and verification not timed).
//!
//! cargo bench -p upward-matching --bench solve -- [FAMILY ...]
//! families: sparse (100,000 a side, 64 candidates), capacity (100,000 mentees, 25,000 mentors
//! of capacity 4, 64 candidates), dense-uniform-N and dense-geometric-N (N a side).

use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use upward_matching::{Instance, Objective, solve, verify};

fn sparse(mentors: usize, mentees: usize, capacity: u32, candidates: usize, seed: u64) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut pairs = Vec::with_capacity(mentees * candidates);
    for mentee in 0..mentees {
        for mentor in sample(&mut rng, mentors, candidates) {
            pairs.push((mentor as u32, mentee as u32, rng.random::<f64>()));
        }
    }
    Instance::from_pairs(vec![capacity; mentors], mentees, pairs).expect("a valid instance")
}

fn dense(n: usize, geometric: bool, seed: u64) -> Instance {
    let mut rng = StdRng::seed_from_u64(seed);
    let scores: Vec<f64> = if geometric {
        let points = |rng: &mut StdRng| {
            (0..n)
                .map(|_| (rng.random::<f64>(), rng.random::<f64>()))
                .collect::<Vec<_>>()
        };
        let (mentors, mentees) = (points(&mut rng), points(&mut rng));
        mentors
            .iter()
            .flat_map(|a| {
                mentees
                    .iter()
                    .map(move |b| -((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt())
            })
            .collect()
    } else {
        (0..n * n).map(|_| rng.random::<f64>()).collect()
    };
    Instance::from_dense(vec![1; n], n, |j, i| {
        Some(scores[j as usize * n + i as usize])
    })
    .expect("a valid instance")
}

fn instance(family: &str) -> Option<Instance> {
    if let Some(n) = family.strip_prefix("dense-uniform-") {
        return Some(dense(n.parse().ok()?, false, 7));
    }
    if let Some(n) = family.strip_prefix("dense-geometric-") {
        return Some(dense(n.parse().ok()?, true, 7));
    }
    match family {
        "sparse" => Some(sparse(100_000, 100_000, 1, 64, 7)),
        "capacity" => Some(sparse(25_000, 100_000, 4, 64, 7)),
        _ => None,
    }
}

fn main() {
    let families: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if !std::env::args().any(|a| a == "--bench") {
        return; // `cargo test --benches` runs nothing
    }
    let families = if families.is_empty() {
        [
            "dense-uniform-1000",
            "dense-geometric-1000",
            "sparse",
            "capacity",
        ]
        .map(String::from)
        .to_vec()
    } else {
        families
    };
    for family in families {
        let Some(instance) = instance(&family) else {
            eprintln!("unknown family {family}");
            continue;
        };
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let started = Instant::now();
            let solution = solve(&instance, Objective::MaxCardinality);
            times.push(started.elapsed().as_secs_f64());
            last = Some(solution);
        }
        let solution = last.expect("three runs");
        let certified = verify(&instance, Objective::MaxCardinality, &solution).is_ok();
        times.sort_by(f64::total_cmp);
        println!(
            "{family:<24} {:>8} pairs  matched {:>7}  total {:>14.4}  median {:>8.3} s  certified {certified}",
            instance.pair_count(),
            solution.matched(),
            solution.total_score,
            times[1]
        );
    }
}

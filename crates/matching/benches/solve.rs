//! Solve times on seeded random families, the same ones `scripts/bench-peers.py` gives to the
//! peer solvers. Prints the median of three solves (generation and verification not timed).
//!
//! cargo bench -p upward-matching --bench solve -- [FAMILY ...]   (RUNS=N for N solves, default 3)
//! families: sparse (100,000 a side, 64 candidates), capacity (100,000 mentees, 25,000 mentors
//! of capacity 4, 64 candidates), capacity-40 (2,500 mentors of capacity 40), sparse-ties and
//! capacity-ties (the same graphs with whole-number scores 0–9), and N a side:
//! dense-uniform-N, dense-geometric-N, dense-ties10-N (0–9), dense-ties3-N (0–2),
//! dense-equal-N (all 1) and dense-plateau-N (60 % score 4, the rest 0–3). The generators are
//! not NumPy's, so the instances are alike, not the same, as the peers'.

use std::time::Instant;

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use upward_matching::{Instance, Objective, solve, verify};

fn sparse(mentors: usize, capacity: u32, whole_numbers: bool) -> Instance {
    let (mentees, candidates) = (100_000, 64);
    let mut rng = StdRng::seed_from_u64(7);
    let mut pairs = Vec::with_capacity(mentees * candidates);
    for mentee in 0..mentees {
        for mentor in sample(&mut rng, mentors, candidates) {
            let score = rng.random::<f64>();
            let score = if whole_numbers {
                (score * 10.0).floor()
            } else {
                score
            };
            pairs.push((mentor as u32, mentee as u32, score));
        }
    }
    Instance::from_pairs(vec![capacity; mentors], mentees, pairs).expect("a valid instance")
}

fn dense(n: usize, kind: &str) -> Option<Instance> {
    let mut rng = StdRng::seed_from_u64(7);
    let scores: Vec<f64> = match kind {
        "geometric" => {
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
        }
        "uniform" => (0..n * n).map(|_| rng.random::<f64>()).collect(),
        "ties10" => (0..n * n)
            .map(|_| f64::from(rng.random_range(0..10)))
            .collect(),
        "ties3" => (0..n * n)
            .map(|_| f64::from(rng.random_range(0..3)))
            .collect(),
        "equal" => vec![1.0; n * n],
        "plateau" => (0..n * n)
            .map(|_| {
                if rng.random_bool(0.6) {
                    4.0
                } else {
                    f64::from(rng.random_range(0..4))
                }
            })
            .collect(),
        _ => return None,
    };
    let instance = Instance::from_dense(vec![1; n], n, |j, i| {
        Some(scores[j as usize * n + i as usize])
    });
    Some(instance.expect("a valid instance"))
}

fn instance(family: &str) -> Option<Instance> {
    if let Some((kind, n)) = family
        .strip_prefix("dense-")
        .and_then(|rest| rest.split_once('-'))
    {
        return dense(n.parse().ok()?, kind);
    }
    match family {
        "sparse" => Some(sparse(100_000, 1, false)),
        "sparse-ties" => Some(sparse(100_000, 1, true)),
        "capacity" => Some(sparse(25_000, 4, false)),
        "capacity-ties" => Some(sparse(25_000, 4, true)),
        "capacity-40" => Some(sparse(2_500, 40, false)),
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
        for _ in 0..std::env::var("RUNS")
            .ok()
            .and_then(|r| r.parse().ok())
            .unwrap_or(3)
        {
            let started = Instant::now();
            let solution = solve(&instance, Objective::MaxCardinality);
            times.push(started.elapsed().as_secs_f64());
            last = Some(solution);
        }
        let solution = last.expect("three runs");
        let certified = verify(&instance, Objective::MaxCardinality, &solution).is_ok();
        times.sort_by(f64::total_cmp);
        println!(
            "{family:<24} {:>8} pairs  matched {:>7}  total {:>14.4}  median {:>9.5} s  certified {certified}",
            instance.pair_count(),
            solution.matched(),
            solution.total_score,
            times[times.len() / 2]
        );
    }
}

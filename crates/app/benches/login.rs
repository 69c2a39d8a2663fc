//! What a password log-in costs: one Argon2id check with the `argon2` crate's defaults
//! (19 MiB of memory, two passes, one lane), deliberately slow so that a stolen hash is slow to
//! guess. Prints the median of three rounds of 40 checks, and what that allows per core.
//!
//! cargo bench -p upward-app --bench login

use std::time::Instant;

use upward_app::auth::{hash_password, verify_password};

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let hash = hash_password("a long enough password").expect("a hash");
    let mut rounds: Vec<f64> = (0..3)
        .map(|_| {
            let started = Instant::now();
            for _ in 0..40 {
                assert!(verify_password(&hash, "a long enough password"));
            }
            started.elapsed().as_secs_f64() * 1000.0 / 40.0
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    println!(
        "one log-in (Argon2id check): median {:.1} ms of one core, so about {:.0} log-ins a second per core  (rounds: {})",
        rounds[1],
        1000.0 / rounds[1],
        rounds
            .iter()
            .map(|ms| format!("{ms:.1} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

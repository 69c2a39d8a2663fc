//! Upward's matching engine, a pure library: hard rules and explainable scores for
//! mentor–mentee pairs ([`propose`]), an exact assignment solver that proves its answer optimal
//! ([`solve`]), and an independent verifier ([`verify`]). No I/O, no async, no database.
//!
//! ```
//! use upward_matching::{Instance, Objective, solve, verify};
//! let instance = Instance::from_pairs(vec![1, 1], 2, [(0, 0, 3.0), (0, 1, 2.0), (1, 0, 2.5)]).unwrap();
//! let best = solve(&instance, Objective::MaxCardinality);
//! assert_eq!(best.pairs, vec![(1, 0), (0, 1)]);
//! assert_eq!(best.total_score, 4.5);
//! assert!(verify(&instance, Objective::MaxCardinality, &best).is_ok());
//! ```
#![forbid(unsafe_code)]

mod assignment;
mod auction;
pub mod availability;
mod candidates;
pub mod criteria;
mod engine;
mod pricing;
mod profile;
mod solver;
mod split;
mod verify;

pub use assignment::{Instance, InstanceError, Mentee, Mentor, Objective};
pub use criteria::{Criterion, CriterionScore, Explanation, HardRule};
pub use engine::{Constraints, MatchingError, PairSet, Proposal, ProposedPair, Unmatched, propose};
pub use profile::{Channel, Dimension, Participant, Settings, TimeOfDay, Weights};
pub use solver::{Certificate, Solution, solve, solve_from, start_workers};
pub use verify::{CertificateError, verify};

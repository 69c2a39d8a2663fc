//! Independent checking of a solution: it must be a valid matching, and its certificate must
//! prove it optimal (dual feasibility and complementary slackness of the assignment LP).

use crate::assignment::{Instance, Mentee, Mentor, Objective};
use crate::solver::Solution;

/// Why a solution is not a proven optimum.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CertificateError {
    #[error("mentor {mentor} and mentee {mentee} are not an allowed pair")]
    NotAPair { mentor: Mentor, mentee: Mentee },
    #[error("mentee {mentee} has more than one mentor")]
    MenteeTwice { mentee: Mentee },
    #[error("mentor {mentor} has {held} mentees but capacity {capacity}")]
    OverCapacity {
        mentor: Mentor,
        held: u32,
        capacity: u32,
    },
    #[error("the reported total {reported} differs from the pairs' total {actual}")]
    WrongTotal { reported: f64, actual: f64 },
    #[error(
        "the certificate has {mentees} mentee and {mentors} mentor duals for a {expected_mentees}×{expected_mentors} instance"
    )]
    WrongShape {
        mentees: usize,
        mentors: usize,
        expected_mentees: usize,
        expected_mentors: usize,
    },
    #[error("the unmatched value {given} is not the objective's {expected}")]
    WrongUnmatchedValue { given: f64, expected: f64 },
    #[error(
        "the pair of mentor {mentor} and mentee {mentee} could improve the matching (reduced cost {slack})"
    )]
    Improvable {
        mentor: Mentor,
        mentee: Mentee,
        slack: f64,
    },
    #[error("mentor {mentor}'s dual is negative ({dual})")]
    NegativeMentorDual { mentor: Mentor, dual: f64 },
    #[error("the matched pair of mentor {mentor} and mentee {mentee} is not tight (slack {slack})")]
    NotTight {
        mentor: Mentor,
        mentee: Mentee,
        slack: f64,
    },
    #[error("mentor {mentor} has room but a positive dual ({dual})")]
    RoomWithPositiveDual { mentor: Mentor, dual: f64 },
    #[error("mentee {mentee} is {state} but its dual {dual} says otherwise")]
    MenteeDual {
        mentee: Mentee,
        state: &'static str,
        dual: f64,
    },
}

/// Checks that `solution` is a valid matching for `instance` and that its certificate proves
/// it optimal for `objective`, within a relative tolerance of 10⁻⁹ of the numbers compared.
///
/// Complexity O(n + m + p). The conditions, with `z` the value of an unmatched mentee: every
/// pair has `u_i + v_j ≥ s_ij`; `v_j ≥ 0`; matched pairs are tight; a mentor with room has
/// `v_j = 0`; a matched mentee has `u_i ≥ z`; an unmatched one has `u_i ≤ z`.
pub fn verify(
    instance: &Instance,
    objective: Objective,
    solution: &Solution,
) -> Result<(), CertificateError> {
    let (n, m) = (instance.mentee_count(), instance.mentor_count());
    let certificate = &solution.certificate;
    let (u, v) = (&certificate.mentee_duals, &certificate.mentor_duals);
    if u.len() != n || v.len() != m {
        return Err(CertificateError::WrongShape {
            mentees: u.len(),
            mentors: v.len(),
            expected_mentees: n,
            expected_mentors: m,
        });
    }
    let z = instance.unmatched_value(objective);
    if certificate.unmatched_value != z {
        return Err(CertificateError::WrongUnmatchedValue {
            given: certificate.unmatched_value,
            expected: z,
        });
    }
    // Tolerances are relative to the numbers compared: a large unmatched value (maximum
    // cardinality over many mentees) must not loosen the check of ordinary pairs.
    let close = |scale: f64| 1e-9 * (1.0 + scale);
    let largest = instance
        .score_range()
        .map_or(0.0, |(low, high)| low.abs().max(high.abs()));

    let mut mentor_of = vec![None; n];
    let mut held = vec![0u32; m];
    let (mut total, mut total_size) = (0.0, 0.0);
    for &(mentor, mentee) in &solution.pairs {
        let score = instance
            .score(mentor, mentee)
            .ok_or(CertificateError::NotAPair { mentor, mentee })?;
        if mentor_of[mentee as usize].replace(mentor).is_some() {
            return Err(CertificateError::MenteeTwice { mentee });
        }
        held[mentor as usize] += 1;
        total += score;
        total_size += score.abs();
    }
    if let Some(mentor) = (0..m as Mentor).find(|&j| held[j as usize] > instance.capacity(j)) {
        return Err(CertificateError::OverCapacity {
            mentor,
            held: held[mentor as usize],
            capacity: instance.capacity(mentor),
        });
    }
    if (total - solution.total_score).abs() > close(total_size) {
        return Err(CertificateError::WrongTotal {
            reported: solution.total_score,
            actual: total,
        });
    }

    for mentor in 0..m as Mentor {
        let dual = v[mentor as usize];
        if dual < -close(largest) {
            return Err(CertificateError::NegativeMentorDual { mentor, dual });
        }
        if dual > close(largest) && held[mentor as usize] < instance.capacity(mentor) {
            return Err(CertificateError::RoomWithPositiveDual { mentor, dual });
        }
    }
    for mentee in 0..n as Mentee {
        let i = mentee as usize;
        for (mentor, score) in instance.candidates(mentee) {
            let slack = u[i] + v[mentor as usize] - score;
            let tolerance = close(u[i].abs() + v[mentor as usize].abs() + score.abs());
            if slack < -tolerance {
                return Err(CertificateError::Improvable {
                    mentor,
                    mentee,
                    slack,
                });
            }
            if mentor_of[i] == Some(mentor) && slack > tolerance {
                return Err(CertificateError::NotTight {
                    mentor,
                    mentee,
                    slack,
                });
            }
        }
        match mentor_of[i] {
            Some(_) if u[i] < z - close(z.abs()) => {
                return Err(CertificateError::MenteeDual {
                    mentee,
                    state: "matched",
                    dual: u[i],
                });
            }
            None if u[i] > z + close(z.abs()) => {
                return Err(CertificateError::MenteeDual {
                    mentee,
                    state: "unmatched",
                    dual: u[i],
                });
            }
            _ => {}
        }
    }
    Ok(())
}

//! Published reference instances with their published optima: the small cost matrices that
//! SciPy's `linear_sum_assignment` and `min_weight_full_bipartite_matching` are tested on
//! (`scipy/sparse/csgraph/tests/test_matching.py`, BSD licence), and the worker–task examples
//! of the OR-Tools assignment guides (developers.google.com/optimization/assignment). Costs are
//! minimised there; Upward maximises, so each cost c becomes the score −c, and an infinite
//! cost is a forbidden pair. Each instance is solved both ways round (rows as mentees, then
//! rows as mentors), and under maximum cardinality, which is what "full matching" means there.

use upward_matching::{Instance, Objective, solve, verify};

const X: f64 = f64::INFINITY;

/// Rows take one column each; every column has capacity 1.
fn instance(costs: &[&[f64]], rows_are_mentees: bool) -> Instance {
    let (rows, columns) = (costs.len(), costs[0].len());
    let (mentors, mentees) = if rows_are_mentees {
        (columns, rows)
    } else {
        (rows, columns)
    };
    Instance::from_dense(vec![1; mentors], mentees, |mentor, mentee| {
        let (row, column) = if rows_are_mentees {
            (mentee, mentor)
        } else {
            (mentor, mentee)
        };
        let cost = costs[row as usize][column as usize];
        cost.is_finite().then_some(-cost)
    })
    .unwrap()
}

fn assert_optimum(name: &str, costs: &[&[f64]], matched: usize, total_cost: f64) {
    for rows_are_mentees in [true, false] {
        let instance = instance(costs, rows_are_mentees);
        let solution = solve(&instance, Objective::MaxCardinality);
        assert_eq!(solution.matched(), matched, "{name}");
        assert_eq!(-solution.total_score, total_cost, "{name}");
        assert_eq!(
            verify(&instance, Objective::MaxCardinality, &solution),
            Ok(()),
            "{name}"
        );
    }
}

#[test]
fn scipy_reference_matrices() {
    // Expected row costs as SciPy's tests give them: [150, 400, 300], [150, 2, 300],
    // [10, 1, 7], [10, 1, 4], [10, 1, 7].
    assert_optimum(
        "square",
        &[
            &[400., 150., 400.],
            &[400., 450., 600.],
            &[300., 225., 300.],
        ],
        3,
        850.0,
    );
    assert_optimum(
        "rectangular variant",
        &[
            &[400., 150., 400., 1.],
            &[400., 450., 600., 2.],
            &[300., 225., 300., 3.],
        ],
        3,
        452.0,
    );
    assert_optimum(
        "square 2",
        &[&[10., 10., 8.], &[9., 8., 1.], &[9., 7., 4.]],
        3,
        18.0,
    );
    assert_optimum(
        "rectangular 2",
        &[&[10., 10., 8., 11.], &[9., 8., 1., 1.], &[9., 7., 4., 10.]],
        3,
        15.0,
    );
    assert_optimum(
        "forbidden pairs",
        &[&[10., X, X], &[X, X, 1.], &[X, 7., X]],
        3,
        18.0,
    );
}

#[test]
fn or_tools_worker_task_examples() {
    // The linear sum assignment guide: total cost 265.
    assert_optimum(
        "4 workers, 4 tasks",
        &[
            &[90., 76., 75., 70.],
            &[35., 85., 55., 65.],
            &[125., 95., 90., 105.],
            &[45., 110., 95., 115.],
        ],
        4,
        265.0,
    );
    // The MIP assignment guide: five workers for four tasks, total cost 265.
    assert_optimum(
        "5 workers, 4 tasks",
        &[
            &[90., 80., 75., 70.],
            &[35., 85., 55., 65.],
            &[125., 95., 90., 95.],
            &[45., 110., 95., 115.],
            &[50., 100., 90., 100.],
        ],
        4,
        265.0,
    );
}

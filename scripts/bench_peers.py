"""Side-by-side solve times: `upward solve` against peer assignment solvers on the same instances.

Each family is generated once with a fixed seed, written to target/bench-instances/ for
`upward solve`, and given in memory to each peer. Only the solve is timed on both sides
(`upward solve` reports `solve_seconds`, which excludes reading the file). Each timing is the
median of three solves in one process, on both sides (`upward solve --repeat 3`). Scores are
maximised; peers that minimise get the negated scores, and OR-Tools (integer costs only) gets
scores scaled by 1e6 and rounded, so its optimum can differ from the float optimum in the last
digits. Every peer's matching is re-scored with the float
scores, and the table shows its gap to Upward's certified optimum.

Families:
  dense-uniform-N     N×N, uniform scores in [0, 1)
  dense-geometric-N   N×N, minus the distance between random points in the unit square
  dense-ties10-N      N×N, whole numbers 0–9 (ratings, levels): most pairs tie with many others
  dense-ties3-N       N×N, whole numbers 0–2
  dense-equal-N       N×N, every score 1
  dense-plateau-N     N×N, a long flat top: 60 % of pairs score 4, the rest 0–3
  sparse              100,000 a side, 64 random candidates per mentee, uniform scores
  sparse-ties         the same graph, whole-number scores 0–9
  capacity            100,000 mentees, 25,000 mentors of capacity 4, 64 candidates each
  capacity-ties       the same graph, whole-number scores 0–9
  capacity-40         100,000 mentees, 2,500 mentors of capacity 40, 64 candidates each
"""

import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UPWARD = os.path.join(ROOT, "target", "release", "upward")
INSTANCES = os.path.join(ROOT, "target", "bench-instances")
RUNS = 3
DENSE_KINDS = ["uniform", "geometric", "ties10", "ties3", "equal", "plateau"]
DEFAULT = [f"dense-{kind}-{n}" for n in (1000, 2000, 5000) for kind in DENSE_KINDS] + [
    "sparse", "sparse-ties", "capacity", "capacity-ties", "capacity-40"]
# Each sparse family: mentors, their capacity, and whether scores are whole numbers 0–9.
SPARSE = {"sparse": (100_000, 1, False), "sparse-ties": (100_000, 1, True),
          "capacity": (25_000, 4, False), "capacity-ties": (25_000, 4, True), "capacity-40": (2_500, 40, False)}


def median_time(solve, setup=None, extract=None):
    """Times `solve` only: `setup` (building a solver) and `extract` (reading its answer) are not."""
    times, result = [], None
    for _ in range(RUNS):
        state = setup() if setup else None
        started = time.perf_counter()
        result = solve(state) if setup else solve()
        times.append(time.perf_counter() - started)
        if extract:
            result = extract(state)
    return statistics.median(times), result


def dense_instance(n, kind, seed=7):
    rng = np.random.default_rng(seed)
    if kind == "geometric":
        mentors, mentees = rng.random((n, 2)), rng.random((n, 2))
        return -np.sqrt(((mentors[:, None, :] - mentees[None, :, :]) ** 2).sum(axis=2))
    if kind == "ties10":
        return rng.integers(0, 10, (n, n)).astype(np.float64)
    if kind == "ties3":
        return rng.integers(0, 3, (n, n)).astype(np.float64)
    if kind == "equal":
        return np.ones((n, n))
    if kind == "plateau":
        return np.where(rng.random((n, n)) < 0.6, 4.0, rng.integers(0, 4, (n, n)).astype(np.float64))
    return rng.random((n, n))


def sparse_instance(mentors, mentees, candidates, whole_numbers, seed=7):
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(mentees), candidates)
    cols = np.concatenate([rng.choice(mentors, candidates, replace=False) for _ in range(mentees)])
    scores = rng.random(mentees * candidates)
    if whole_numbers:
        scores = np.floor(scores * 10)
    return cols.astype(np.int64), rows.astype(np.int64), scores  # mentor, mentee, score


def run_upward(args):
    # Three solves in one process, as each peer's three below: neither side pays for a cold
    # first solve that the other does not.
    out = subprocess.run([UPWARD, "solve", "--no-pairs", "--repeat", str(RUNS), *args],
                         check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    if not result["certified"]:
        raise SystemExit("upward's result was not certified")
    return result["solve_seconds"], result["total_score"], result["matched"]


def dense_peers(scores):
    n = scores.shape[0]
    cost = -scores
    peers = {}
    try:
        import lapjv
        peers["lapjv"] = lambda: lapjv.lapjv(np.ascontiguousarray(cost, dtype=np.float32))[0]
    except ImportError:
        pass
    import lap
    from scipy.optimize import linear_sum_assignment
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching
    from ortools.graph.python import linear_sum_assignment as ortools_lsa

    peers["lap.lapjv"] = lambda: lap.lapjv(cost)[1]
    peers["scipy linear_sum_assignment"] = lambda: linear_sum_assignment(scores, maximize=True)[1]
    if n <= 1000:
        # Built for sparse graphs: on a dense one it takes minutes beyond n = 1,000, so larger
        # dense families leave it out. Shifted so no explicit zero is dropped.
        dense_csr = csr_matrix(cost - cost.min() + 1.0)
        peers["scipy min_weight_full_bipartite_matching"] = lambda: min_weight_full_bipartite_matching(dense_csr)[1]
    integer = np.rint(cost * 1e6).astype(np.int64)

    def setup():
        solver = ortools_lsa.SimpleLinearSumAssignment()
        rows, cols = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
        solver.add_arcs_with_cost(rows.ravel(), cols.ravel(), integer.ravel())
        return solver

    results = {}
    for name, solve in peers.items():
        seconds, assignment = median_time(solve)
        results[name] = (seconds, float(scores[np.arange(n), np.asarray(assignment)].sum()))
    seconds, assignment = median_time(lambda solver: solver.solve(), setup,
                                      lambda solver: np.array([solver.right_mate(i) for i in range(n)]))
    results["ortools SimpleLinearSumAssignment"] = (seconds, float(scores[np.arange(n), assignment].sum()))
    return results


def sparse_peers(mentor, mentee, score, mentors, mentees, capacity):
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching
    from ortools.graph.python import linear_sum_assignment as ortools_lsa
    from ortools.graph.python import min_cost_flow

    integer = np.rint(-score * 1e6).astype(np.int64)
    lookup = {}
    results = {}
    if capacity == 1:
        matrix = csr_matrix((score + 1.0, (mentee, mentor)), shape=(mentees, mentors))

        def scipy_full():
            rows, cols = min_weight_full_bipartite_matching(matrix, maximize=True)
            return rows, cols

        seconds, (rows, cols) = median_time(scipy_full)
        results["scipy min_weight_full_bipartite_matching"] = (seconds, rows, cols)

        def setup():
            solver = ortools_lsa.SimpleLinearSumAssignment()
            solver.add_arcs_with_cost(mentee, mentor, integer)
            return solver

        seconds, (rows, cols) = median_time(
            lambda solver: solver.solve(), setup,
            lambda solver: (np.arange(mentees), np.array([solver.right_mate(i) for i in range(mentees)])))
        results["ortools SimpleLinearSumAssignment"] = (seconds, rows, cols)
    else:
        def setup():
            # source -> mentee (1) -> mentor (capacity) -> sink; supplies force every mentee through.
            solver = min_cost_flow.SimpleMinCostFlow()
            source, sink = mentees + mentors, mentees + mentors + 1
            solver.add_arcs_with_capacity_and_unit_cost(np.full(mentees, source), np.arange(mentees), np.ones(mentees, np.int64), np.zeros(mentees, np.int64))
            arcs = solver.add_arcs_with_capacity_and_unit_cost(mentee, mentees + mentor, np.ones(len(mentee), np.int64), integer)
            solver.add_arcs_with_capacity_and_unit_cost(mentees + np.arange(mentors), np.full(mentors, sink), np.full(mentors, capacity, np.int64), np.zeros(mentors, np.int64))
            solver.set_nodes_supplies(np.array([source, sink]), np.array([mentees, -mentees]))
            return solver, arcs

        def solve(state):
            status = state[0].solve()
            if status != state[0].OPTIMAL:
                raise SystemExit(f"min cost flow status {status}")

        def extract(state):
            used = state[0].flows(state[1]) > 0
            return mentee[used], mentor[used]

        seconds, (rows, cols) = median_time(solve, setup, extract)
        results["ortools SimpleMinCostFlow"] = (seconds, rows, cols)
    if not lookup:
        lookup = {(int(j), int(i)): s for j, i, s in zip(mentor, mentee, score)}
    return {name: (seconds, float(sum(lookup[(int(c), int(r))] for r, c in zip(rows, cols) if c >= 0)))
            for name, (seconds, rows, cols) in results.items()}


def family(name):
    os.makedirs(INSTANCES, exist_ok=True)
    if name.startswith("dense-"):
        kind, n = name.split("-")[1], int(name.split("-")[2])
        scores = dense_instance(n, kind)
        path = os.path.join(INSTANCES, f"{name}.npy")
        if not os.path.exists(path):
            np.save(path, scores)
        return run_upward(["--dense", path]), dense_peers(scores)
    mentors, capacity, whole_numbers = SPARSE[name]
    mentor, mentee, score = sparse_instance(mentors, 100_000, 64, whole_numbers)
    path = os.path.join(INSTANCES, f"{name}.csv")
    if not os.path.exists(path):
        table = np.empty(len(mentor), dtype=[("mentor", np.int64), ("mentee", np.int64), ("score", np.float64)])
        table["mentor"], table["mentee"], table["score"] = mentor, mentee, score
        np.savetxt(path, table, fmt=["%d", "%d", "%.17g"], delimiter=",", header="mentor,mentee,score", comments="")
    upward = run_upward(["--edges", path, "--mentor-capacity", str(capacity)])
    return upward, sparse_peers(mentor, mentee, score, mentors, 100_000, capacity)


def main():
    names = sys.argv[1:] or DEFAULT
    print("| family | solver | median solve (s) | total score | gap to Upward |")
    print("| --- | --- | --- | --- | --- |")
    summary = []
    for name in names:
        (seconds, total, matched), peers = family(name)
        print(f"| {name} | **upward** ({matched} matched, certified) | **{seconds:.4f}** | {total:.4f} | |", flush=True)
        for peer, (peer_seconds, peer_total) in peers.items():
            print(f"| {name} | {peer} | {peer_seconds:.4f} | {peer_total:.4f} | {peer_total - total:+.2e} |", flush=True)
        fastest = min(peers.items(), key=lambda item: item[1][0])
        summary.append((name, seconds, fastest[0], fastest[1][0]))
    # Issue 16's measure: Upward's time over the fastest peer's, at most 0.5 on every family.
    print()
    print("| family | upward (s) | fastest peer | its time (s) | upward ÷ fastest |")
    print("| --- | --- | --- | --- | --- |")
    for name, seconds, peer, peer_seconds in summary:
        print(f"| {name} | {seconds:.4f} | {peer} | {peer_seconds:.4f} | {seconds / peer_seconds:.2f} |")


if __name__ == "__main__":
    main()

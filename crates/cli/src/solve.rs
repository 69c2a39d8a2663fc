//! `upward solve`: reads a plain assignment instance (an edge list as CSV or a dense NumPy
//! score matrix), solves it exactly and prints the result as JSON, so the engine can be checked
//! against other solvers on the same data. Input problems exit with code 2 and name the line.

// Ids and pairs are hashed millions of times while a large file is read; the default SipHash
// took most of that time, and nothing here needs its resistance to chosen keys.
use rustc_hash::FxHashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use upward_matching::{Instance, Objective, solve, verify};

/// An instance with the names of its mentors and mentees.
pub struct NamedInstance {
    pub instance: Instance,
    pub mentors: Vec<String>,
    pub mentees: Vec<String>,
}

/// A problem with the input file, reported with exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InputError(pub String);

/// Reads `mentor,mentee,score` CSV (header required). Ids are any strings; absent pairs are
/// forbidden.
pub fn read_edges(bytes: &[u8], capacity: u32) -> Result<NamedInstance, InputError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        Some(Ok(header)) => header,
        Some(Err(error)) => return Err(InputError(format!("line 1: {error}"))),
        None => {
            return Err(InputError(
                "line 1: the file is empty; expected the header mentor,mentee,score".into(),
            ));
        }
    };
    let columns: Vec<String> = header
        .iter()
        .map(|c| c.trim().to_ascii_lowercase())
        .collect();
    if columns != ["mentor", "mentee", "score"] {
        return Err(InputError(format!(
            "line 1: the header must be mentor,mentee,score, not {}",
            header.iter().collect::<Vec<_>>().join(",")
        )));
    }
    let (mut mentors, mut mentees) = (Ids::default(), Ids::default());
    let mut pairs = Vec::new();
    let mut first_line: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    for record in records {
        let record = record.map_err(|e| {
            InputError(format!(
                "line {}: {e}",
                e.position().map_or(0, |p| p.line())
            ))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != 3 {
            return Err(InputError(format!(
                "line {line}: expected 3 fields (mentor,mentee,score), found {}",
                record.len()
            )));
        }
        let score: f64 = record[2].trim().parse().map_err(|_| {
            InputError(format!(
                "line {line}: the score '{}' is not a number",
                &record[2]
            ))
        })?;
        if !score.is_finite() {
            return Err(InputError(format!(
                "line {line}: the score '{}' is not a finite number",
                &record[2]
            )));
        }
        let (mentor, mentee) = (
            mentors.index(record[0].trim()),
            mentees.index(record[1].trim()),
        );
        if let Some(first) = first_line.insert((mentor, mentee), line) {
            return Err(InputError(format!(
                "line {line}: the pair {},{} is already on line {first}",
                &record[0], &record[1]
            )));
        }
        pairs.push((mentor, mentee, score));
    }
    let instance = Instance::from_pairs(
        vec![capacity; mentors.names.len()],
        mentees.names.len(),
        pairs,
    )
    .map_err(|e| InputError(e.to_string()))?;
    Ok(NamedInstance {
        instance,
        mentors: mentors.names,
        mentees: mentees.names,
    })
}

#[derive(Default)]
struct Ids {
    names: Vec<String>,
    index: FxHashMap<String, u32>,
}

impl Ids {
    fn index(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.index.insert(name.to_owned(), i);
        i
    }
}

/// Reads an n×m float32 or float64 NumPy matrix: rows are mentors, columns mentees, NaN marks
/// a forbidden pair. Mentors and mentees are named by their index.
pub fn read_dense(bytes: &[u8], capacity: u32) -> Result<NamedInstance, InputError> {
    let npy =
        npyz::NpyFile::new(bytes).map_err(|e| InputError(format!("not a NumPy .npy file: {e}")))?;
    let shape = npy.shape().to_vec();
    let [rows, columns] = shape[..] else {
        return Err(InputError(format!(
            "expected a 2-D matrix, found shape {shape:?}"
        )));
    };
    let (rows, columns) = (rows as usize, columns as usize);
    let fortran = npy.order() == npyz::Order::Fortran;
    let descr = npy.dtype().descr();
    let values: Vec<f64> = if descr.contains("f4") {
        npy.into_vec::<f32>()
            .map_err(|e| InputError(format!("cannot read the matrix: {e}")))?
            .into_iter()
            .map(f64::from)
            .collect()
    } else if descr.contains("f8") {
        npy.into_vec::<f64>()
            .map_err(|e| InputError(format!("cannot read the matrix: {e}")))?
    } else {
        return Err(InputError(format!(
            "expected float32 or float64 scores, found dtype {descr}"
        )));
    };
    let at = |mentor: u32, mentee: u32| {
        let (mentor, mentee) = (mentor as usize, mentee as usize);
        if fortran {
            values[mentee * rows + mentor]
        } else {
            values[mentor * columns + mentee]
        }
    };
    if let Some(k) = values.iter().position(|s| s.is_infinite()) {
        let (mentor, mentee) = if fortran {
            (k % rows, k / rows)
        } else {
            (k / columns, k % columns)
        };
        return Err(InputError(format!(
            "the score at row {mentor}, column {mentee} is infinite"
        )));
    }
    let instance = Instance::from_dense(vec![capacity; rows], columns, |mentor, mentee| {
        Some(at(mentor, mentee)).filter(|s| !s.is_nan())
    })
    .map_err(|e| InputError(e.to_string()))?;
    Ok(NamedInstance {
        instance,
        mentors: (0..rows).map(|i| i.to_string()).collect(),
        mentees: (0..columns).map(|i| i.to_string()).collect(),
    })
}

#[derive(Serialize)]
struct Output<'a> {
    matched: usize,
    total_score: f64,
    /// The median over `runs` solves of the same instance.
    solve_seconds: f64,
    runs: u32,
    /// Whether `verify` accepted the optimality certificate.
    certified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pairs: Option<Vec<PairOut<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unmatched_mentors: Option<Vec<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unmatched_mentees: Option<Vec<&'a str>>,
}

#[derive(Serialize)]
struct PairOut<'a> {
    mentor: &'a str,
    mentee: &'a str,
    score: f64,
}

/// Solves `runs` times and writes the JSON result of the last solve (the solver is
/// deterministic, so every solve gives the same); `solve_seconds` is the median time and
/// covers the solve only: not reading the instance, and not starting the solver's worker
/// threads, as the peers' timings in the README leave out building their solver objects.
pub fn run(
    named: &NamedInstance,
    objective: Objective,
    with_pairs: bool,
    runs: u32,
    out: impl Write,
) -> anyhow::Result<()> {
    upward_matching::start_workers();
    let mut times = Vec::new();
    let mut solution = None;
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        solution = Some(solve(&named.instance, objective));
        times.push(started.elapsed().as_secs_f64());
    }
    let solution = solution.expect("at least one solve");
    times.sort_by(f64::total_cmp);
    let solve_seconds = times[times.len() / 2];
    let certified = verify(&named.instance, objective, &solution).is_ok();
    let lists = with_pairs.then(|| {
        let mut mentor_used = vec![false; named.mentors.len()];
        let mut mentee_used = vec![false; named.mentees.len()];
        let pairs = solution
            .pairs
            .iter()
            .map(|&(mentor, mentee)| {
                mentor_used[mentor as usize] = true;
                mentee_used[mentee as usize] = true;
                let score = named.instance.score(mentor, mentee).unwrap_or(f64::NAN);
                PairOut {
                    mentor: &named.mentors[mentor as usize],
                    mentee: &named.mentees[mentee as usize],
                    score,
                }
            })
            .collect::<Vec<_>>();
        (
            pairs,
            unused(&named.mentors, &mentor_used),
            unused(&named.mentees, &mentee_used),
        )
    });
    let (pairs, unmatched_mentors, unmatched_mentees) = match lists {
        Some((p, m, e)) => (Some(p), Some(m), Some(e)),
        None => (None, None, None),
    };
    let output = Output {
        matched: solution.matched(),
        total_score: solution.total_score,
        solve_seconds,
        runs: runs.max(1),
        certified,
        pairs,
        unmatched_mentors,
        unmatched_mentees,
    };
    let mut out = std::io::BufWriter::new(out);
    serde_json::to_writer(&mut out, &output)?;
    writeln!(out)?;
    Ok(())
}

/// One of the input formats' readers.
type Reader = fn(&[u8], u32) -> Result<NamedInstance, InputError>;

fn unused<'a>(names: &'a [String], used: &[bool]) -> Vec<&'a str> {
    names
        .iter()
        .zip(used)
        .filter(|(_, u)| !**u)
        .map(|(n, _)| n.as_str())
        .collect()
}

pub fn read_instance(
    edges: Option<&Path>,
    dense: Option<&Path>,
    capacity: u32,
) -> Result<NamedInstance, InputError> {
    let (path, reader): (&Path, Reader) = match (edges, dense) {
        (Some(path), None) => (path, read_edges),
        (None, Some(path)) => (path, read_dense),
        _ => {
            return Err(InputError(
                "give exactly one of --edges FILE.csv or --dense FILE.npy".into(),
            ));
        }
    };
    let bytes = std::fs::read(path)
        .map_err(|e| InputError(format!("cannot read {}: {e}", path.display())))?;
    reader(&bytes, capacity).map_err(|e| InputError(format!("{}: {}", path.display(), e.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(csv: &str) -> String {
        read_edges(csv.as_bytes(), 1).err().unwrap().0
    }

    #[test]
    fn edges_are_read_with_string_ids() {
        let named = read_edges(
            b"mentor,mentee,score\nann,bob,0.5\nann,cy,1.5\ndee,bob,2\n",
            2,
        )
        .unwrap();
        assert_eq!(named.mentors, ["ann", "dee"]);
        assert_eq!(named.mentees, ["bob", "cy"]);
        assert_eq!(named.instance.score(1, 0), Some(2.0));
        assert_eq!(named.instance.capacity(0), 2);
    }

    #[test]
    fn bad_edge_files_name_the_line() {
        assert_eq!(
            error("mentor,mentee,score\na,b,1\nc,d\n"),
            "line 3: expected 3 fields (mentor,mentee,score), found 2"
        );
        assert_eq!(
            error("mentor,mentee,score\na,b,high\n"),
            "line 2: the score 'high' is not a number"
        );
        assert_eq!(
            error("mentor,mentee,score\na,b,1\na,b,2\n"),
            "line 3: the pair a,b is already on line 2"
        );
        assert_eq!(
            error("mentor,mentee,score\na,b,inf\n"),
            "line 2: the score 'inf' is not a finite number"
        );
        assert!(error("a,b,c\n").starts_with("line 1: the header must be mentor,mentee,score"));
    }

    #[test]
    fn a_dense_matrix_reads_rows_as_mentors_and_nan_as_forbidden() {
        // A 2×3 float64 matrix in C order, written as NumPy would.
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        let padded = format!("{header:<117}\n");
        bytes.extend_from_slice(&(padded.len() as u16).to_le_bytes());
        bytes.extend_from_slice(padded.as_bytes());
        for value in [1.0f64, f64::NAN, 3.0, 4.0, 5.0, 6.0] {
            bytes.extend_from_slice(&value.to_le_bytes());
        }
        let named = read_dense(&bytes, 1).unwrap();
        assert_eq!(
            (
                named.instance.mentor_count(),
                named.instance.mentee_count(),
                named.instance.pair_count()
            ),
            (2, 3, 5)
        );
        assert_eq!(named.instance.score(0, 1), None);
        assert_eq!(named.instance.score(1, 2), Some(6.0));
    }
}

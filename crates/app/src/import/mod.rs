//! CSV imports (the directory and enrolments): all or nothing, with every problem reported by
//! line and column. The file is parsed and checked completely before anything is stored.

mod enrolments;
mod people;

use std::collections::HashMap;

pub use enrolments::{ENROLMENT_COLUMNS, parse_enrolments};
pub use people::{PEOPLE_COLUMNS, export_people, parse_people};

/// One thing wrong with an import file. `line` counts from 1 with the header as line 1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportProblem {
    pub line: u64,
    pub column: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(column) => write!(f, "line {}, column {}: {}", self.line, column, self.problem),
            None => write!(f, "line {}: {}", self.line, self.problem),
        }
    }
}

/// A CSV file read into rows keyed by column name, after the header has been checked.
pub(crate) struct CsvTable {
    pub rows: Vec<CsvRow>,
    /// Non-blank lines after the header, readable or not.
    pub data_lines: usize,
}

pub(crate) struct CsvRow {
    pub line: u64,
    values: HashMap<&'static str, String>,
}

impl CsvRow {
    /// The trimmed value of a column, or "" if the file has no such column.
    pub fn get(&self, column: &str) -> &str {
        self.values.get(column).map(|v| v.trim()).unwrap_or("")
    }
}

/// Collects problems so a whole file is checked before the verdict.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<ImportProblem>);

impl Problems {
    pub fn add(&mut self, line: u64, column: Option<&str>, problem: impl Into<String>) {
        self.0.push(ImportProblem {
            line,
            column: column.map(str::to_owned),
            problem: problem.into(),
        });
    }

    /// Keeps the value if it parsed, noting the problem under its column otherwise.
    pub fn check<T>(
        &mut self,
        row: &CsvRow,
        column: &str,
        result: Result<T, upward_domain::FieldError>,
    ) -> Option<T> {
        result
            .map_err(|error| self.add(row.line, Some(column), error.0))
            .ok()
    }
}

/// Reads the header and rows. `known` lists every accepted column; `required` must be present.
pub(crate) fn read_table(
    bytes: &[u8],
    known: &[&'static str],
    required: &[&'static str],
    problems: &mut Problems,
) -> Option<CsvTable> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(false)
        .from_reader(bytes);
    let mut records = reader.records();
    let header = match records.next() {
        None => {
            problems.add(
                1,
                None,
                format!(
                    "the file is empty; the first line must be a header such as {}",
                    known.join(",")
                ),
            );
            return None;
        }
        Some(Err(error)) => {
            problems.add(1, None, format!("the header cannot be read: {error}"));
            return None;
        }
        Some(Ok(header)) => header,
    };
    let columns = header_columns(&header, known, required, problems)?;
    let mut rows = Vec::new();
    let mut data_lines = 0;
    for record in records {
        data_lines += 1;
        match record {
            Err(error) => {
                let line = error.position().map(|p| p.line()).unwrap_or(0);
                problems.add(
                    line,
                    None,
                    format!("the line cannot be read: {}", csv_error_text(&error)),
                );
            }
            Ok(record) => {
                let line = record.position().map(|p| p.line()).unwrap_or(0);
                if record.iter().all(|field| field.trim().is_empty()) {
                    data_lines -= 1;
                    continue;
                }
                if record.len() != columns.len() {
                    problems.add(
                        line,
                        None,
                        format!(
                            "expected {} fields as in the header, found {}",
                            columns.len(),
                            record.len()
                        ),
                    );
                    continue;
                }
                let values = columns
                    .iter()
                    .copied()
                    .zip(record.iter().map(str::to_owned))
                    .collect();
                rows.push(CsvRow { line, values });
            }
        }
    }
    Some(CsvTable { rows, data_lines })
}

fn header_columns(
    header: &csv::StringRecord,
    known: &[&'static str],
    required: &[&'static str],
    problems: &mut Problems,
) -> Option<Vec<&'static str>> {
    let before = problems.0.len();
    let mut columns = Vec::with_capacity(header.len());
    for name in header.iter() {
        let name = name.trim().to_ascii_lowercase();
        match known.iter().find(|k| **k == name) {
            Some(known_name) if columns.contains(known_name) => {
                problems.add(1, Some(known_name), "this column appears twice")
            }
            Some(known_name) => columns.push(*known_name),
            None => problems.add(
                1,
                Some(&name),
                format!("unknown column; the columns are {}", known.join(", ")),
            ),
        }
    }
    for name in required {
        if !columns.contains(name) {
            problems.add(
                1,
                Some(name),
                "this required column is missing from the header",
            );
        }
    }
    (problems.0.len() == before).then_some(columns)
}

fn csv_error_text(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "it is not valid UTF-8 text (save the file as CSV UTF-8)".into()
        }
        _ => error.to_string(),
    }
}

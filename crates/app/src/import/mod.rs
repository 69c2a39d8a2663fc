//! CSV imports (the directory and enrolments): all or nothing, with every problem reported by
//! line and column. The file is parsed and checked completely before anything is stored.

pub mod enrolments;
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
    /// The trimmed value of a column, or "" if the file has no such column; a value Upward's
    /// own export protected from spreadsheets comes back as it was.
    pub fn get(&self, column: &str) -> &str {
        self.values
            .get(column)
            .map(|v| from_spreadsheet(v.trim()).trim())
            .unwrap_or("")
    }
}

/// A cell as it may go into a CSV file that people open in a spreadsheet: one that a
/// spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return) gets a leading apostrophe, as does one that already starts with an apostrophe, so
/// that the import, which takes one leading apostrophe off ([`from_spreadsheet`]), gives back
/// exactly what was exported.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\'') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// The reverse of [`spreadsheet_safe`]: one leading apostrophe is taken off.
pub fn from_spreadsheet(cell: &str) -> &str {
    cell.strip_prefix('\'').unwrap_or(cell)
}

/// Writes one CSV record with every cell made [`spreadsheet_safe`].
pub fn write_safe_record<W: std::io::Write>(
    writer: &mut csv::Writer<W>,
    cells: &[&str],
) -> csv::Result<()> {
    writer.write_record(cells.iter().map(|cell| spreadsheet_safe(cell).into_owned()))
}

/// Collects problems so a whole file is checked before the verdict; keeps the first
/// [`Problems::LISTED`] and counts the rest, so a huge broken file gets a short answer.
#[derive(Default)]
pub(crate) struct Problems {
    listed: Vec<ImportProblem>,
    more: u64,
}

impl Problems {
    pub const LISTED: usize = 1000;

    pub fn add(&mut self, line: u64, column: Option<&str>, problem: impl Into<String>) {
        if self.listed.len() >= Self::LISTED {
            self.more += 1;
            return;
        }
        self.listed.push(ImportProblem {
            line,
            column: column.map(str::to_owned),
            problem: problem.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    pub fn count(&self) -> u64 {
        self.listed.len() as u64 + self.more
    }

    /// The problems by line, and a last one saying how many more were not listed.
    pub fn into_sorted(mut self) -> Vec<ImportProblem> {
        self.listed.sort_by_key(|p| p.line);
        if self.more > 0 {
            let last = self.listed.last().map_or(1, |p| p.line);
            self.listed.push(ImportProblem {
                line: last,
                column: None,
                problem: format!(
                    "and {} more problems after these (only the first {} are listed): correct these and import again to see the rest",
                    self.more,
                    Self::LISTED
                ),
            });
        }
        self.listed
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
    let mut lines = LineCounter::new(bytes);
    for record in records {
        data_lines += 1;
        match record {
            Err(error) => {
                let line = lines.line_of(error.position());
                problems.add(
                    line,
                    None,
                    format!("the line cannot be read: {}", csv_error_text(&error)),
                );
            }
            Ok(record) => {
                let line = lines.line_of(record.position());
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
                if !cells_are_clean(&columns, &record, line, problems) {
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

/// The longest cell kept: longer than any real field (statements are 2,000 characters).
const MAX_CELL_CHARS: usize = 10_000;

/// Refuses cells with invisible or control characters (a leading tab, which spreadsheets
/// write, aside) and cells too long to be real, naming line and column.
fn cells_are_clean(
    columns: &[&'static str],
    record: &csv::StringRecord,
    line: u64,
    problems: &mut Problems,
) -> bool {
    let mut clean = true;
    for (column, cell) in columns.iter().zip(record.iter()) {
        let problem = if cell.chars().count() > MAX_CELL_CHARS {
            Some(format!(
                "the value is longer than {MAX_CELL_CHARS} characters"
            ))
        } else {
            upward_domain::text::visible(cell)
                .err()
                .map(|e| format!("the value {}", e.0))
        };
        if let Some(problem) = problem {
            problems.add(line, Some(column), problem);
            clean = false;
        }
    }
    clean
}

/// Line numbers (the header is line 1) worked out from byte offsets, because the csv crate's
/// own line count is off for the files HR systems write: a record after blank lines is placed
/// on the first blank line, and after Windows line endings (CRLF) every record one line early.
/// The offsets are right, so the line is one plus the line breaks before the record's first
/// character. Records come in order, so the count carries on from the last one (linear time).
struct LineCounter<'a> {
    bytes: &'a [u8],
    counted_to: usize,
    breaks: u64,
}

impl<'a> LineCounter<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self {
            bytes,
            counted_to: 0,
            breaks: 0,
        }
    }

    fn line_of(&mut self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else {
            return 0;
        };
        let mut start = (position.byte() as usize).clamp(self.counted_to, self.bytes.len());
        // A record's offset may point at the line breaks the reader skipped before it.
        while start < self.bytes.len() && matches!(self.bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        let newly = &self.bytes[self.counted_to..start];
        self.breaks += newly.iter().filter(|&&b| b == b'\n').count() as u64;
        self.counted_to = start;
        self.breaks + 1
    }
}

fn header_columns(
    header: &csv::StringRecord,
    known: &[&'static str],
    required: &[&'static str],
    problems: &mut Problems,
) -> Option<Vec<&'static str>> {
    let before = problems.count();
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
    (problems.count() == before).then_some(columns)
}

fn csv_error_text(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => {
            "it is not valid UTF-8 text (save the file as CSV UTF-8)".into()
        }
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// The lines of every problem in a people file.
    fn people_problem_lines(csv: &str) -> Vec<u64> {
        parse_people(csv.as_bytes(), &[], 2026)
            .unwrap_err()
            .iter()
            .map(|p| p.line)
            .collect()
    }

    const PEOPLE_HEADER: &str = "email,name,job_level,time_zone";

    #[test]
    fn line_numbers_hold_for_lf_crlf_blank_lines_and_quoted_line_breaks() {
        let rows = [
            PEOPLE_HEADER,
            "ann@x.org,Ann,3,UTC",
            "bad,Bob,4,UTC",
            "",
            "",
            "cy@x.org,\"Cy\nSecond line\",5,UTC",
            "dee@x.org,Dee,99,UTC",
            "",
        ];
        for ending in ["\n", "\r\n"] {
            let csv = rows.join(ending);
            assert_eq!(
                people_problem_lines(&csv),
                [3, 8],
                "{ending:?}: the bad email on line 3, the level on line 8 after blank lines and a quoted break"
            );
        }
        let bom = format!("\u{feff}{PEOPLE_HEADER}\r\n\r\nbad,Bob,4,UTC\r\n");
        assert_eq!(people_problem_lines(&bom), [3]);
    }

    #[test]
    fn enrolment_line_numbers_hold_for_crlf_and_blank_lines() {
        let directory: HashSet<String> = ["jun@x.org".to_owned()].into();
        let csv = "email,role,offers,availability\r\n\r\njun@x.org,mentor,ai:9,Mon 08:00-09:00\r\n";
        let problems = parse_enrolments(csv.as_bytes(), &directory).unwrap_err();
        assert_eq!(problems[0].line, 3, "{problems:?}");
        assert_eq!(problems[0].column.as_deref(), Some("offers"));
    }

    #[test]
    fn an_unreadable_line_after_blank_lines_names_its_own_line() {
        let mut bytes = b"email,name,job_level,time_zone\r\n\r\n\r\n".to_vec();
        bytes.extend_from_slice(b"b\xff@x.org,B,3,UTC\r\n");
        let problems = parse_people(&bytes, &[], 2026).unwrap_err();
        assert_eq!(problems[0].line, 4, "{problems:?}");
    }
}

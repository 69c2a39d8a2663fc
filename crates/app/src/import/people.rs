//! The directory import and export (`email,name,job_level,manager_email,…`).

use std::collections::HashMap;

use upward_domain::{BirthYear, Email, JobLevel, Person, TimeZoneName, text};

use super::{CsvRow, ImportProblem, Problems, read_table};

pub const PEOPLE_COLUMNS: [&str; 9] = [
    "email",
    "name",
    "job_level",
    "manager_email",
    "department",
    "location",
    "time_zone",
    "birth_year",
    "gender",
];
const REQUIRED: [&str; 4] = ["email", "name", "job_level", "time_zone"];

/// Parses and checks a directory file against the people already stored (`stored`: each
/// email key with its manager's). Returns every person of the file, or every problem.
pub fn parse_people(
    bytes: &[u8],
    stored: &[(String, Option<String>)],
    current_year: i16,
) -> Result<Vec<Person>, Vec<ImportProblem>> {
    let mut problems = Problems::default();
    let Some(table) = read_table(bytes, &PEOPLE_COLUMNS, &REQUIRED, &mut problems) else {
        return Err(problems.into_sorted());
    };
    let mut zones: HashMap<String, Result<TimeZoneName, upward_domain::FieldError>> =
        HashMap::new();
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut people = Vec::with_capacity(table.rows.len());
    // Every row's email and manager that parse, even on rows with other problems, so the
    // manager checks report everything in one pass.
    let mut references: Vec<ManagerReference> = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        references.push(ManagerReference {
            line: row.line,
            email: Email::parse(row.get("email")).ok().map(|e| e.key()),
            manager: Email::parse(row.get("manager_email")).ok(),
        });
        let Some(person) = parse_row(row, current_year, &mut zones, &mut problems) else {
            continue;
        };
        if let Some(first) = first_line_of.insert(person.email.key(), row.line) {
            first_line_of.insert(person.email.key(), first);
            problems.add(
                row.line,
                Some("email"),
                format!(
                    "{} is already on line {first} (emails are unique, ignoring case)",
                    person.email
                ),
            );
            continue;
        }
        people.push((row.line, person));
    }
    if table.data_lines == 0 {
        problems.add(2, None, "the file has a header but no people");
    }
    check_managers(&people, &references, stored, &mut problems);
    if problems.is_empty() {
        Ok(people.into_iter().map(|(_, p)| p).collect())
    } else {
        Err(problems.into_sorted())
    }
}

fn parse_row(
    row: &CsvRow,
    current_year: i16,
    zones: &mut HashMap<String, Result<TimeZoneName, upward_domain::FieldError>>,
    problems: &mut Problems,
) -> Option<Person> {
    let email = problems.check(row, "email", Email::parse(row.get("email")));
    let name = problems.check(
        row,
        "name",
        text::required(row.get("name"), "the name", 200),
    );
    let job_level = problems.check(row, "job_level", JobLevel::parse(row.get("job_level")));
    let manager_email = match row.get("manager_email") {
        "" => Some(None),
        value => problems
            .check(row, "manager_email", Email::parse(value))
            .map(Some),
    };
    // Parsing a zone reads the bundled database; a directory repeats a handful of zones.
    let zone_text = row.get("time_zone");
    let zone = zones
        .entry(zone_text.to_owned())
        .or_insert_with(|| TimeZoneName::parse(zone_text))
        .clone();
    let time_zone = problems.check(row, "time_zone", zone);
    let birth_year = match row.get("birth_year") {
        "" => Some(None),
        value => problems
            .check(row, "birth_year", BirthYear::parse(value, current_year))
            .map(Some),
    };
    let department = problems.check(
        row,
        "department",
        bounded_optional(row.get("department"), "the department"),
    );
    let location = problems.check(
        row,
        "location",
        bounded_optional(row.get("location"), "the location"),
    );
    let gender = problems.check(
        row,
        "gender",
        bounded_optional(row.get("gender"), "the gender"),
    );
    Some(Person {
        email: email?,
        name: name?,
        job_level: job_level?,
        manager_email: manager_email?,
        department: department?,
        location: location?,
        time_zone: time_zone?,
        birth_year: birth_year?,
        gender: gender?,
    })
}

fn bounded_optional(value: &str, what: &str) -> Result<Option<String>, upward_domain::FieldError> {
    text::bounded(value, what, 200)?;
    Ok(text::optional(value))
}

struct ManagerReference {
    line: u64,
    email: Option<String>,
    manager: Option<Email>,
}

/// Every manager must exist (in the file or already stored), nobody manages themselves, and
/// the reporting lines of the stored directory updated by the file must not loop.
fn check_managers(
    people: &[(u64, Person)],
    references: &[ManagerReference],
    stored: &[(String, Option<String>)],
    problems: &mut Problems,
) {
    let mut manager_of: HashMap<String, Option<String>> = stored.iter().cloned().collect();
    let mut line_of: HashMap<String, u64> = HashMap::with_capacity(people.len());
    for (line, person) in people {
        manager_of.insert(
            person.email.key(),
            person.manager_email.as_ref().map(Email::key),
        );
        line_of.insert(person.email.key(), *line);
    }
    // Rows with other problems still count as present, so they cause no extra complaint here.
    let known: std::collections::HashSet<&str> = references
        .iter()
        .filter_map(|r| r.email.as_deref())
        .chain(manager_of.keys().map(String::as_str))
        .collect();
    for reference in references {
        let Some(manager) = &reference.manager else {
            continue;
        };
        let manager_key = manager.key();
        if reference.email.as_deref() == Some(manager_key.as_str()) {
            problems.add(
                reference.line,
                Some("manager_email"),
                "a person cannot be their own manager",
            );
        } else if !known.contains(manager_key.as_str()) {
            problems.add(
                reference.line,
                Some("manager_email"),
                format!("{manager} is neither in this file nor in the directory"),
            );
        }
    }
    for cycle in reporting_cycles(&manager_of) {
        let Some(line) = cycle.iter().filter_map(|key| line_of.get(key)).min() else {
            continue;
        };
        let mut chain = cycle.clone();
        chain.push(cycle[0].clone());
        problems.add(
            *line,
            Some("manager_email"),
            format!("the manager chain loops: {}", chain.join(" → ")),
        );
    }
}

/// Each loop in the manager graph once, in O(people): every walk stops at the first person
/// already explained.
fn reporting_cycles(manager_of: &HashMap<String, Option<String>>) -> Vec<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Seen {
        OnPath,
        Done,
    }
    let mut seen: HashMap<&str, Seen> = HashMap::with_capacity(manager_of.len());
    let mut cycles = Vec::new();
    let mut starts: Vec<&String> = manager_of.keys().collect();
    starts.sort(); // a stable report for the same file
    for start in starts {
        let mut path: Vec<&str> = Vec::new();
        let mut current = Some(start.as_str());
        while let Some(key) = current {
            match seen.get(key) {
                Some(Seen::Done) => break,
                Some(Seen::OnPath) => {
                    let from = path.iter().position(|k| *k == key).unwrap_or(0);
                    cycles.push(path[from..].iter().map(|k| (*k).to_owned()).collect());
                    break;
                }
                None => {
                    seen.insert(key, Seen::OnPath);
                    path.push(key);
                    current = manager_of
                        .get(key)
                        .and_then(|m| m.as_deref())
                        .filter(|m| manager_of.contains_key(*m));
                }
            }
        }
        for key in path {
            seen.insert(key, Seen::Done);
        }
    }
    cycles
}

/// Writes the directory in the import format, so export → import is a round trip.
pub fn export_people(people: &[Person], out: impl std::io::Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(PEOPLE_COLUMNS)?;
    for person in people {
        let level = person.job_level.get().to_string();
        let birth_year = person
            .birth_year
            .map(|y| y.get().to_string())
            .unwrap_or_default();
        super::write_safe_record(
            &mut writer,
            &[
                person.email.as_str(),
                &person.name,
                &level,
                person
                    .manager_email
                    .as_ref()
                    .map(Email::as_str)
                    .unwrap_or(""),
                person.department.as_deref().unwrap_or(""),
                person.location.as_deref().unwrap_or(""),
                person.time_zone.as_str(),
                &birth_year,
                person.gender.as_deref().unwrap_or(""),
            ],
        )?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str =
        "email,name,job_level,manager_email,department,location,time_zone,birth_year,gender\n";

    fn problems(csv: &str, stored: &[(String, Option<String>)]) -> Vec<String> {
        parse_people(csv.as_bytes(), stored, 2026)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_file_parses_with_columns_in_any_order() {
        let csv = "time_zone,name,email,job_level\nEurope/Paris,Ann,ann@x.org,3\n";
        let people = parse_people(csv.as_bytes(), &[], 2026).unwrap();
        assert_eq!(people.len(), 1);
        assert_eq!(people[0].time_zone.as_str(), "Europe/Paris");
        assert_eq!(people[0].manager_email, None);
    }

    #[test]
    fn every_bad_field_is_reported_with_its_line_and_column() {
        let csv = format!(
            "{HEADER}ann@x.org,Ann,senior,,,,Europe/Paris,,\nbob@x,Bob,4,,,,Mars/Base,1850,\n,,25,,,,UTC,,\n"
        );
        assert_eq!(
            problems(&csv, &[]),
            [
                "line 2, column job_level: job level 'senior' is not a whole number",
                "line 3, column email: 'bob@x' is not an email address",
                "line 3, column time_zone: 'Mars/Base' is not an IANA time zone name (such as Europe/Paris)",
                "line 3, column birth_year: birth year 1850 is outside 1900–2026",
                "line 4, column email: email is required",
                "line 4, column name: the name is required",
                "line 4, column job_level: job level 25 is outside 1–20",
            ]
        );
    }

    #[test]
    fn duplicate_emails_ignoring_case_name_the_first_line() {
        let csv = format!("{HEADER}ann@x.org,Ann,3,,,,UTC,,\nANN@x.org,Ann B,3,,,,UTC,,\n");
        assert_eq!(
            problems(&csv, &[]),
            [
                "line 3, column email: ANN@x.org is already on line 2 (emails are unique, ignoring case)"
            ]
        );
    }

    #[test]
    fn managers_must_exist_in_the_file_or_the_directory() {
        let csv = format!(
            "{HEADER}ann@x.org,Ann,3,boss@x.org,,,UTC,,\nbob@x.org,Bob,3,ghost@x.org,,,UTC,,\n"
        );
        let stored = [("boss@x.org".to_owned(), None)];
        assert_eq!(
            problems(&csv, &stored),
            [
                "line 3, column manager_email: ghost@x.org is neither in this file nor in the directory"
            ]
        );
    }

    #[test]
    fn a_loop_in_the_manager_chain_is_reported_once() {
        let csv = format!(
            "{HEADER}a@x.org,A,3,b@x.org,,,UTC,,\nb@x.org,B,5,c@x.org,,,UTC,,\nc@x.org,C,9,a@x.org,,,UTC,,\nd@x.org,D,1,a@x.org,,,UTC,,\n"
        );
        assert_eq!(
            problems(&csv, &[]),
            [
                "line 2, column manager_email: the manager chain loops: a@x.org → b@x.org → c@x.org → a@x.org"
            ]
        );
    }

    #[test]
    fn a_loop_through_stored_people_is_caught_too() {
        // The directory says boss reports to ann; the file now says ann reports to boss.
        let stored = [
            ("boss@x.org".to_owned(), Some("ann@x.org".to_owned())),
            ("ann@x.org".to_owned(), None),
        ];
        let csv = format!("{HEADER}ann@x.org,Ann,3,boss@x.org,,,UTC,,\n");
        assert_eq!(
            problems(&csv, &stored),
            [
                "line 2, column manager_email: the manager chain loops: ann@x.org → boss@x.org → ann@x.org"
            ]
        );
    }

    #[test]
    fn self_management_is_rejected() {
        let csv = format!("{HEADER}ann@x.org,Ann,3,ANN@x.org,,,UTC,,\n");
        let found = problems(&csv, &[]);
        assert_eq!(
            found[0],
            "line 2, column manager_email: a person cannot be their own manager"
        );
    }

    #[test]
    fn header_problems_stop_the_import_before_the_rows() {
        assert_eq!(
            problems("email,name,level,time_zone\n", &[]),
            [
                "line 1, column level: unknown column; the columns are email, name, job_level, manager_email, department, location, time_zone, birth_year, gender",
                "line 1, column job_level: this required column is missing from the header"
            ]
        );
        assert_eq!(
            problems("", &[])[0],
            "line 1: the file is empty; the first line must be a header such as email,name,job_level,manager_email,department,location,time_zone,birth_year,gender"
        );
    }

    #[test]
    fn ragged_lines_and_invalid_utf8_are_reported() {
        let mut bytes = format!("{HEADER}ann@x.org,Ann,3\n").into_bytes();
        bytes.extend_from_slice(b"b\xff@x.org,B,3,,,,UTC,,\n");
        let found: Vec<String> = parse_people(&bytes, &[], 2026)
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            found[0],
            "line 2: expected 9 fields as in the header, found 3"
        );
        assert!(
            found[1].starts_with("line 3: the line cannot be read: it is not valid UTF-8"),
            "{found:?}"
        );
    }

    #[test]
    fn export_then_import_is_a_round_trip() {
        let csv = format!(
            "{HEADER}ann@x.org,Ann,3,boss@x.org,Sales,\"Paris, FR\",Europe/Paris,1999,f\nboss@x.org,Boss,12,,,,UTC,,\n"
        );
        let people = parse_people(csv.as_bytes(), &[], 2026).unwrap();
        let mut exported = Vec::new();
        export_people(&people, &mut exported).unwrap();
        assert_eq!(String::from_utf8(exported.clone()).unwrap(), csv);
        assert_eq!(parse_people(&exported, &[], 2026).unwrap(), people);
    }
}

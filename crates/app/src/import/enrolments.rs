//! The enrolment import (`email,role,offers,interests,availability,…`): a manager enrols many
//! volunteers at once, for example from a sign-up survey run elsewhere.

use std::collections::{HashMap, HashSet};

use upward_domain::{
    Availability, BigFive, Channel, Email, EnrolmentProfile, EnrolmentRole, FieldError,
    PreferredTime, TopicLevels, text,
};

use super::{CsvRow, ImportProblem, Problems, read_table};

pub const ENROLMENT_COLUMNS: [&str; 13] = [
    "email",
    "role",
    "offers",
    "interests",
    "availability",
    "channel",
    "preferred_time",
    "openness",
    "conscientiousness",
    "extraversion",
    "agreeableness",
    "neuroticism",
    "statement",
];
const REQUIRED: [&str; 3] = ["email", "role", "availability"];

/// Parses an enrolment file; every email must already be in the directory (`directory` holds
/// their email keys). Returns `(email key, profile)` per row, or every problem.
pub fn parse_enrolments(
    bytes: &[u8],
    directory: &HashSet<String>,
) -> Result<Vec<(String, EnrolmentProfile)>, Vec<ImportProblem>> {
    let mut problems = Problems::default();
    let Some(table) = read_table(bytes, &ENROLMENT_COLUMNS, &REQUIRED, &mut problems) else {
        return Err(problems.into_sorted());
    };
    let mut first_line_of: HashMap<String, u64> = HashMap::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    for row in &table.rows {
        let email = problems.check(row, "email", Email::parse(row.get("email")));
        let profile = parse_profile(row, &mut problems);
        let Some(email) = email else { continue };
        let key = email.key();
        if !directory.contains(&key) {
            problems.add(
                row.line,
                Some("email"),
                format!("{email} is not in the directory; import them as people first"),
            );
        } else if let Some(first) = first_line_of.get(&key) {
            problems.add(
                row.line,
                Some("email"),
                format!("{email} is already enrolled on line {first}"),
            );
        } else {
            first_line_of.insert(key.clone(), row.line);
            if let Some(profile) = profile {
                rows.push((key, profile));
            }
        }
    }
    if table.data_lines == 0 {
        problems.add(2, None, "the file has a header but no enrolments");
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems.into_sorted())
    }
}

fn parse_profile(row: &CsvRow, problems: &mut Problems) -> Option<EnrolmentProfile> {
    let role = problems.check(row, "role", row.get("role").parse::<EnrolmentRole>());
    let offers = problems.check(row, "offers", TopicLevels::parse(row.get("offers")));
    let interests = problems.check(row, "interests", TopicLevels::parse(row.get("interests")));
    let availability = problems.check(
        row,
        "availability",
        Availability::parse(row.get("availability")),
    );
    let channel = problems.check(
        row,
        "channel",
        keyword_or(row.get("channel"), Channel::Either),
    );
    let preferred_time = problems.check(
        row,
        "preferred_time",
        keyword_or(row.get("preferred_time"), PreferredTime::Any),
    );
    let big_five = parse_big_five(row, problems);
    let statement = problems.check(
        row,
        "statement",
        text::bounded(row.get("statement"), "the statement", 2000).map(str::to_owned),
    );
    let profile = EnrolmentProfile {
        role: role?,
        offers: offers?,
        interests: interests?,
        availability: availability?,
        channel: channel?,
        preferred_time: preferred_time?,
        big_five: big_five?,
        statement: statement?,
    };
    let found = profile.problems();
    for problem in &found {
        problems.add(row.line, Some(problem.field), problem.problem.clone());
    }
    found.is_empty().then_some(profile)
}

fn keyword_or<T: std::str::FromStr<Err = FieldError>>(
    value: &str,
    default: T,
) -> Result<T, FieldError> {
    if value.is_empty() {
        Ok(default)
    } else {
        value.parse()
    }
}

/// The five scores come together or not at all.
fn parse_big_five(row: &CsvRow, problems: &mut Problems) -> Option<Option<BigFive>> {
    let given: Vec<&str> = BigFive::TRAITS.iter().map(|name| row.get(name)).collect();
    if given.iter().all(|v| v.is_empty()) {
        return Some(None);
    }
    if let Some(missing) = BigFive::TRAITS
        .iter()
        .zip(&given)
        .find(|(_, v)| v.is_empty())
    {
        problems.add(
            row.line,
            Some(missing.0),
            "give all five personality scores or none",
        );
        return None;
    }
    let mut scores = [0.0; 5];
    for (i, (name, value)) in BigFive::TRAITS.iter().zip(&given).enumerate() {
        match value.parse::<f64>() {
            Ok(score) => scores[i] = score,
            Err(_) => {
                problems.add(
                    row.line,
                    Some(name),
                    format!("'{value}' is not a number from 1.0 to 5.0"),
                );
                return None;
            }
        }
    }
    match BigFive::from_scores(scores) {
        Ok(big_five) => Some(Some(big_five)),
        Err(error) => {
            let column = BigFive::TRAITS
                .iter()
                .find(|name| error.0.starts_with(**name))
                .copied();
            problems.add(row.line, column, error.0);
            None
        }
    }
}

/// Writes enrolments as CSV in the import format, so an export imports back as it was.
pub fn export_enrolments(
    enrolments: &[upward_domain::Enrolment],
    out: impl std::io::Write,
) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(ENROLMENT_COLUMNS)?;
    for enrolment in enrolments {
        let profile = &enrolment.profile;
        let traits = profile
            .big_five
            .map(|b| b.scores().map(|s| s.to_string()))
            .unwrap_or_default();
        let mut record = vec![
            enrolment.email.as_str().to_owned(),
            profile.role.as_str().to_owned(),
            profile.offers.to_string(),
            profile.interests.to_string(),
            profile.availability.to_string(),
            profile.channel.as_str().to_owned(),
            profile.preferred_time.as_str().to_owned(),
        ];
        record.extend(traits);
        record.push(profile.statement.clone());
        let cells: Vec<&str> = record.iter().map(String::as_str).collect();
        super::write_safe_record(&mut writer, &cells)?;
    }
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "email,role,offers,interests,availability,channel,preferred_time,openness,conscientiousness,extraversion,agreeableness,neuroticism,statement\n";

    fn directory() -> HashSet<String> {
        ["jun@x.org", "sen@x.org"]
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    fn problems(csv: &str) -> Vec<String> {
        parse_enrolments(csv.as_bytes(), &directory())
            .unwrap_err()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn a_good_file_parses_with_defaults_for_empty_preferences() {
        let csv = format!(
            "{HEADER}jun@x.org,mentor,tiktok:5;ai:4,,Mon 08:00-10:00,,,4,3.5,2,4,2.5,Happy to help\nSEN@x.org,mentee,,ai:5,Tue 07:00-08:00,in_person,morning,,,,,,\n"
        );
        let rows = parse_enrolments(csv.as_bytes(), &directory()).unwrap();
        assert_eq!(rows[0].0, "jun@x.org");
        assert_eq!(rows[0].1.channel, Channel::Either);
        assert_eq!(rows[0].1.big_five.unwrap().conscientiousness, 3.5);
        assert_eq!(rows[1].0, "sen@x.org");
        assert_eq!(rows[1].1.preferred_time, PreferredTime::Morning);
    }

    #[test]
    fn each_kind_of_bad_row_is_reported_in_place() {
        let csv = format!(
            "{HEADER}ghost@x.org,mentor,ai:3,,Mon 08:00-09:00,,,,,,,,\njun@x.org,boss,ai:3,,Mon 08:00-09:00,,,,,,,,\nsen@x.org,mentee,,ai:9,Mon 10:00-09:00,by post,dawn,3,,,,,\n"
        );
        assert_eq!(
            problems(&csv),
            [
                "line 2, column email: ghost@x.org is not in the directory; import them as people first",
                "line 3, column role: 'boss' is not one of mentor, mentee",
                "line 4, column interests: the score '9' of 'ai' must be 1 to 5",
                "line 4, column availability: the slot Mon 10:00-09:00 ends before it starts",
                "line 4, column channel: 'by post' is not one of in_person, virtual, either",
                "line 4, column preferred_time: 'dawn' is not one of morning, afternoon, evening, any",
                "line 4, column conscientiousness: give all five personality scores or none",
            ]
        );
    }

    #[test]
    fn role_rules_and_duplicates_are_checked() {
        let csv = format!(
            "{HEADER}jun@x.org,mentor,,ai:3,Mon 08:00-09:00,,,,,,,,\nJUN@x.org,mentor,ai:3,,Mon 08:00-09:00,,,,,,,,\nsen@x.org,mentee,,ai:3,Mon 08:00-09:00,,,3,3,3,3,7,\n"
        );
        assert_eq!(
            problems(&csv),
            [
                "line 2, column offers: a mentor lists at least one topic they can offer",
                "line 3, column email: JUN@x.org is already enrolled on line 2",
                "line 4, column neuroticism: neuroticism must be between 1.0 and 5.0, not 7",
            ]
        );
    }
}

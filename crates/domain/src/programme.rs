//! Programmes: their purpose, planning and matching settings, and the phases they move through.

use crate::engagement::EngagementSettings;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{FieldProblem, text};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct ProgrammeId(pub i64);

/// Where a programme is in its life. The order is the usual path; `next_phases` says which
/// moves are legal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Draft,
    Pilot,
    Enrolling,
    Matching,
    Running,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a programme cannot move from {from} to {to}; from {from} it can move to {allowed}")]
pub struct PhaseError {
    pub from: Phase,
    pub to: Phase,
    allowed: String,
}

impl Phase {
    pub const ALL: [Phase; 6] = [
        Phase::Draft,
        Phase::Pilot,
        Phase::Enrolling,
        Phase::Matching,
        Phase::Running,
        Phase::Closed,
    ];

    /// Legal moves: forward one step; a draft may skip the pilot; matching may reopen
    /// enrolment (late volunteers); any open programme may be closed, since a programme ends
    /// when its objectives are met, whenever that is.
    pub fn next_phases(self) -> &'static [Phase] {
        use Phase::*;
        match self {
            Draft => &[Pilot, Enrolling, Closed],
            Pilot => &[Enrolling, Closed],
            Enrolling => &[Matching, Closed],
            // The usual next step first: forms offer it by default.
            Matching => &[Running, Enrolling, Closed],
            Running => &[Closed],
            Closed => &[],
        }
    }

    pub fn transition(self, to: Phase) -> Result<Phase, PhaseError> {
        if self.next_phases().contains(&to) {
            return Ok(to);
        }
        let allowed = match self.next_phases() {
            [] => "nothing (it is closed)".to_owned(),
            phases => phases
                .iter()
                .map(|p| p.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
        };
        Err(PhaseError {
            from: self,
            to,
            allowed,
        })
    }

    pub fn accepts_enrolment(self) -> bool {
        matches!(self, Phase::Pilot | Phase::Enrolling)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Draft => "draft",
            Phase::Pilot => "pilot",
            Phase::Enrolling => "enrolling",
            Phase::Matching => "matching",
            Phase::Running => "running",
            Phase::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Phase::Draft => "Draft",
            Phase::Pilot => "Pilot",
            Phase::Enrolling => "Enrolling",
            Phase::Matching => "Matching",
            Phase::Running => "Running",
            Phase::Closed => "Closed",
        }
    }
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Phase {
    type Err = crate::FieldError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Phase::ALL
            .into_iter()
            .find(|phase| phase.as_str() == value.trim())
            .ok_or_else(|| crate::FieldError::new(format!("unknown phase '{value}'")))
    }
}

/// An objective tag tying the programme to an organisational goal, as a lowercase slug.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "tech-upskilling")]
pub struct Objective(String);

impl Objective {
    pub const SUGGESTED: [&'static str; 4] =
        ["tech-upskilling", "inclusion", "culture", "retention"];

    pub fn parse(value: &str) -> Result<Self, crate::FieldError> {
        let slug = value.trim().to_lowercase().replace([' ', '_'], "-");
        let valid = !slug.is_empty()
            && slug.len() <= 40
            && slug.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !valid {
            return Err(crate::FieldError::new(format!(
                "objective '{}' must be a short tag of letters, digits and hyphens, such as tech-upskilling",
                value.trim()
            )));
        }
        Ok(Self(slug))
    }

    /// Parses a comma-separated list, dropping repeats.
    pub fn parse_list(value: &str) -> Result<Vec<Self>, crate::FieldError> {
        let mut objectives: Vec<Self> = Vec::new();
        for part in value.split(',').filter(|part| !part.trim().is_empty()) {
            let objective = Self::parse(part)?;
            if !objectives.contains(&objective) {
                objectives.push(objective);
            }
        }
        Ok(objectives)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Objective {
    type Error = crate::FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Objective> for String {
    fn from(objective: Objective) -> Self {
        objective.0
    }
}

/// How often a pair meets: virtual meetings every few weeks and/or in-person ones every few
/// months (the articles' typical rhythm is virtual every two weeks plus in person monthly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Cadence {
    /// At least one of the two is set.
    #[schema(minimum = 1, maximum = 8)]
    pub virtual_every_weeks: Option<u8>,
    #[schema(minimum = 1, maximum = 12)]
    pub in_person_every_months: Option<u8>,
}

impl Default for Cadence {
    fn default() -> Self {
        Self {
            virtual_every_weeks: Some(2),
            in_person_every_months: Some(1),
        }
    }
}

impl std::fmt::Display for Cadence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let virtual_part = self.virtual_every_weeks.map(|weeks| match weeks {
            1 => "virtual weekly".to_owned(),
            n => format!("virtual every {n} weeks"),
        });
        let in_person_part = self.in_person_every_months.map(|months| match months {
            1 => "in person monthly".to_owned(),
            3 => "in person quarterly".to_owned(),
            n => format!("in person every {n} months"),
        });
        let parts: Vec<String> = virtual_part.into_iter().chain(in_person_part).collect();
        f.write_str(&parts.join(" + "))
    }
}

/// A dimension along which the programme wants pairs to differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DiversityDimension {
    Generation,
    Gender,
    Location,
    Department,
}

impl DiversityDimension {
    pub const ALL: [DiversityDimension; 4] = [
        DiversityDimension::Generation,
        DiversityDimension::Gender,
        DiversityDimension::Location,
        DiversityDimension::Department,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DiversityDimension::Generation => "generation",
            DiversityDimension::Gender => "gender",
            DiversityDimension::Location => "location",
            DiversityDimension::Department => "department",
        }
    }
}

/// The weight of each scored matching criterion, each from 0 (ignored) to 10.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Weights {
    #[schema(minimum = 0, maximum = 10)]
    pub expertise: f64,
    #[schema(minimum = 0, maximum = 10)]
    pub diversity: f64,
    #[schema(minimum = 0, maximum = 10)]
    pub level_gap: f64,
    #[schema(minimum = 0, maximum = 10)]
    pub personality: f64,
    #[schema(minimum = 0, maximum = 10)]
    pub schedule: f64,
    #[schema(minimum = 0, maximum = 10)]
    pub channel: f64,
}

impl Weights {
    pub const MAX: f64 = 10.0;

    /// The form field of each weight, in the order of [`Weights::named`].
    pub const FIELDS: [&'static str; 6] = [
        "weight_expertise",
        "weight_diversity",
        "weight_level_gap",
        "weight_personality",
        "weight_schedule",
        "weight_channel",
    ];

    pub fn named(&self) -> [(&'static str, f64); 6] {
        [
            ("expertise", self.expertise),
            ("diversity", self.diversity),
            ("level_gap", self.level_gap),
            ("personality", self.personality),
            ("schedule", self.schedule),
            ("channel", self.channel),
        ]
    }

    /// Each weight by the same names as [`Weights::named`], to set one at a time (forms).
    pub fn named_mut(&mut self) -> [(&'static str, &mut f64); 6] {
        [
            ("expertise", &mut self.expertise),
            ("diversity", &mut self.diversity),
            ("level_gap", &mut self.level_gap),
            ("personality", &mut self.personality),
            ("schedule", &mut self.schedule),
            ("channel", &mut self.channel),
        ]
    }
}

impl Default for Weights {
    /// Expertise fit matters most, schedule next: a pair that cannot meet does not last.
    fn default() -> Self {
        Self {
            expertise: 3.0,
            diversity: 1.0,
            level_gap: 1.0,
            personality: 1.0,
            schedule: 2.0,
            channel: 1.0,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatchingSettings {
    /// The mentee must be at least this many job levels above the mentor.
    #[schema(minimum = 0, maximum = 19)]
    pub min_level_gap: u8,
    /// How many mentees one mentor may take.
    #[schema(minimum = 1, maximum = 10)]
    pub mentor_capacity: u8,
    /// The length of one session; availabilities must overlap by at least this much.
    #[schema(minimum = 15, maximum = 240)]
    pub session_minutes: u16,
    pub weights: Weights,
    pub diversity_dimensions: Vec<DiversityDimension>,
    /// Days each person has to answer a proposal; halfway through, the one who has not
    /// answered is reminded, and at the end the proposal expires.
    #[serde(default = "MatchingSettings::default_answer_days")]
    #[schema(minimum = 1, maximum = 60)]
    pub answer_days: u8,
}

impl MatchingSettings {
    fn default_answer_days() -> u8 {
        7
    }
}

impl Default for MatchingSettings {
    fn default() -> Self {
        Self {
            min_level_gap: 3,
            mentor_capacity: 1,
            session_minutes: 60,
            weights: Weights::default(),
            diversity_dimensions: vec![
                DiversityDimension::Generation,
                DiversityDimension::Department,
            ],
            answer_days: Self::default_answer_days(),
        }
    }
}

/// What a manager writes to create or change a programme.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeDraft {
    #[schema(min_length = 1, max_length = 120, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 4000)]
    pub purpose: String,
    pub objectives: Vec<Objective>,
    #[schema(max_length = 4000)]
    pub learning_expectations: String,
    #[schema(value_type = String, format = Date, example = "2027-01-04")]
    pub start_date: Date,
    #[schema(value_type = String, format = Date, example = "2027-09-30")]
    pub end_date: Date,
    pub cadence: Cadence,
    pub matching: MatchingSettings,
    /// When an active pair counts as at risk or stalled; the defaults if left out.
    #[serde(default)]
    pub engagement: EngagementSettings,
    /// Neutral places for in-person meetings (a café, a shared space; not a senior's office),
    /// suggested in turn. At most 20, each at most 120 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub meeting_places: Vec<String>,
}

impl ProgrammeDraft {
    /// Every problem at once, so a form can show them all next to their fields.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut check = |field: &'static str, result: Result<(), String>| {
            if let Err(problem) = result {
                problems.push(FieldProblem { field, problem });
            }
        };
        check(
            "name",
            text::required(&self.name, "the name", 120)
                .map(drop)
                .map_err(|e| e.0),
        );
        check(
            "purpose",
            text::bounded(&self.purpose, "the purpose", 4000)
                .map(drop)
                .map_err(|e| e.0),
        );
        check(
            "learning_expectations",
            text::bounded(
                &self.learning_expectations,
                "the learning expectations",
                4000,
            )
            .map(drop)
            .map_err(|e| e.0),
        );
        check(
            "end_date",
            if self.end_date > self.start_date {
                Ok(())
            } else {
                Err("the end date must come after the start date".into())
            },
        );
        check("cadence", cadence_problem(&self.cadence));
        let m = &self.matching;
        check(
            "min_level_gap",
            in_range(i64::from(m.min_level_gap), 0, 19, "the minimum level gap"),
        );
        check(
            "mentor_capacity",
            in_range(i64::from(m.mentor_capacity), 1, 10, "the mentor capacity"),
        );
        check(
            "session_minutes",
            in_range(i64::from(m.session_minutes), 15, 240, "the session length"),
        );
        check(
            "answer_days",
            in_range(
                i64::from(m.answer_days),
                1,
                60,
                "the days to answer a proposal",
            ),
        );
        for ((name, weight), field) in m.weights.named().into_iter().zip(Weights::FIELDS) {
            let ok = weight.is_finite() && (0.0..=Weights::MAX).contains(&weight);
            check(
                field,
                if ok {
                    Ok(())
                } else {
                    Err(format!(
                        "the {} weight must be between 0 and 10",
                        name.replace('_', " ")
                    ))
                },
            );
        }
        if m.weights.named().iter().all(|(_, weight)| *weight == 0.0) {
            check(
                "weights",
                Err("give at least one criterion a weight above 0: with every weight at 0, every pair scores the same and matching cannot choose".into()),
            );
        }
        problems.extend(self.engagement.problems());
        if let Err(problem) = places_problem(&self.meeting_places) {
            problems.push(FieldProblem {
                field: "meeting_places",
                problem,
            });
        }
        problems
    }

    /// A warning, not an error: the articles recommend 6 to 12 months, but a short pilot is fine.
    pub fn duration_warning(&self) -> Option<String> {
        let span = self
            .start_date
            .until((jiff::Unit::Month, self.end_date))
            .ok()?;
        let (months, days) = (span.get_months(), span.get_days());
        let length = match days {
            0 => plural(months, "month"),
            _ => format!("{} and {}", plural(months, "month"), plural(days, "day")),
        };
        if months < 6 {
            Some(format!(
                "This programme lasts {length}; reverse mentoring usually needs 6 to 12 months to show results."
            ))
        } else if months > 12 || (months == 12 && days > 0) {
            Some(format!(
                "This programme lasts {length}, over 12 months; consider closing it at 12 months and starting a new cohort."
            ))
        } else {
            None
        }
    }
}

fn plural(count: i32, unit: &str) -> String {
    if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    }
}

fn in_range(value: i64, min: i64, max: i64, what: &str) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!("{what} must be between {min} and {max}"))
    }
}

fn places_problem(places: &[String]) -> Result<(), String> {
    if places.len() > 20 {
        return Err("list at most 20 meeting places".into());
    }
    for place in places {
        text::required(place, "a meeting place", 120).map_err(|e| e.0)?;
        text::visible(place).map_err(|e| format!("a meeting place {}", e.0))?;
    }
    Ok(())
}

fn cadence_problem(cadence: &Cadence) -> Result<(), String> {
    match (cadence.virtual_every_weeks, cadence.in_person_every_months) {
        (None, None) => Err("choose at least one kind of meeting".into()),
        (Some(weeks), _) if !(1..=8).contains(&weeks) => {
            Err("virtual meetings must be every 1 to 8 weeks".into())
        }
        (_, Some(months)) if !(1..=12).contains(&months) => {
            Err("in-person meetings must be every 1 to 12 months".into())
        }
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Programme {
    pub id: ProgrammeId,
    #[serde(flatten)]
    pub draft: ProgrammeDraft,
    pub phase: Phase,
    /// The pilot this programme was cloned from, if any.
    pub cloned_from: Option<ProgrammeId>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn draft(start: Date, end: Date) -> ProgrammeDraft {
        ProgrammeDraft {
            engagement: Default::default(),
            meeting_places: vec![],
            name: "Tech for leaders".into(),
            purpose: String::new(),
            objectives: vec![Objective::parse("tech-upskilling").unwrap()],
            learning_expectations: String::new(),
            start_date: start,
            end_date: end,
            cadence: Cadence::default(),
            matching: MatchingSettings::default(),
        }
    }

    #[test]
    fn phases_move_forward_and_a_draft_may_skip_the_pilot() {
        assert_eq!(Phase::Draft.transition(Phase::Pilot), Ok(Phase::Pilot));
        assert_eq!(
            Phase::Draft.transition(Phase::Enrolling),
            Ok(Phase::Enrolling)
        );
        assert_eq!(
            Phase::Matching.transition(Phase::Enrolling),
            Ok(Phase::Enrolling)
        );
        assert_eq!(Phase::Running.transition(Phase::Closed), Ok(Phase::Closed));
    }

    #[test]
    fn illegal_phase_moves_say_what_is_allowed() {
        let err = Phase::Draft.transition(Phase::Running).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a programme cannot move from draft to running; from draft it can move to pilot or enrolling or closed"
        );
        assert!(
            Phase::Closed
                .transition(Phase::Draft)
                .unwrap_err()
                .to_string()
                .contains("it is closed")
        );
        assert!(Phase::Running.transition(Phase::Enrolling).is_err());
    }

    #[test]
    fn objectives_become_slugs_and_bad_ones_are_rejected() {
        let list = Objective::parse_list("Tech upskilling, inclusion,, inclusion").unwrap();
        let slugs: Vec<&str> = list.iter().map(Objective::as_str).collect();
        assert_eq!(slugs, ["tech-upskilling", "inclusion"]);
        assert!(Objective::parse("d&i!").is_err());
    }

    #[test]
    fn duration_outside_six_to_twelve_months_warns() {
        assert!(
            draft(date(2027, 1, 1), date(2027, 9, 1))
                .duration_warning()
                .is_none()
        );
        assert!(
            draft(date(2027, 1, 1), date(2028, 1, 1))
                .duration_warning()
                .is_none()
        );
        assert_eq!(
            draft(date(2027, 1, 1), date(2027, 2, 2))
                .duration_warning()
                .unwrap(),
            "This programme lasts 1 month and 1 day; reverse mentoring usually needs 6 to 12 months to show results."
        );
        assert!(
            draft(date(2027, 1, 1), date(2028, 3, 1))
                .duration_warning()
                .unwrap()
                .contains("over 12 months")
        );
    }

    #[test]
    fn a_draft_reports_every_problem_with_its_field() {
        let mut bad = draft(date(2027, 5, 1), date(2027, 1, 1));
        bad.name = "  ".into();
        bad.matching.mentor_capacity = 0;
        bad.matching.weights.schedule = 11.0;
        bad.matching.weights.channel = -1.0;
        bad.cadence = Cadence {
            virtual_every_weeks: None,
            in_person_every_months: None,
        };
        let fields: Vec<&str> = bad.problems().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                "name",
                "end_date",
                "cadence",
                "mentor_capacity",
                "weight_schedule",
                "weight_channel"
            ]
        );
        assert!(
            draft(date(2027, 1, 1), date(2027, 9, 1))
                .problems()
                .is_empty()
        );
        let mut flat = draft(date(2027, 1, 1), date(2027, 9, 1));
        flat.matching.weights = Weights {
            expertise: 0.0,
            diversity: 0.0,
            level_gap: 0.0,
            personality: 0.0,
            schedule: 0.0,
            channel: 0.0,
        };
        let problems = flat.problems();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0]
                .problem
                .contains("at least one criterion a weight above 0")
        );
    }

    #[test]
    fn cadence_reads_like_the_articles() {
        assert_eq!(
            Cadence::default().to_string(),
            "virtual every 2 weeks + in person monthly"
        );
        let quarterly = Cadence {
            virtual_every_weeks: None,
            in_person_every_months: Some(3),
        };
        assert_eq!(quarterly.to_string(), "in person quarterly");
    }
}

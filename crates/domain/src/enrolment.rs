//! Enrolment: a person's opt-in to one programme as mentor or mentee, with the profile that
//! matching uses (topics, weekly availability, preferences, optional personality scores).

use jiff::civil::{Time, Weekday};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::{Email, FieldError, FieldProblem, ProgrammeId, text};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct EnrolmentId(pub i64);

/// Mentors are the juniors who teach; mentees the seniors who learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnrolmentRole {
    Mentor,
    Mentee,
}

impl EnrolmentRole {
    /// Levels from this one up count as the senior half of the 1–20 scale.
    pub const SENIOR_FROM: i64 = 11;

    /// A word of advice when someone enrols on the side reverse mentoring does not expect of
    /// their level: juniors mentor, seniors are mentored. Advice only: the person decides.
    pub fn advice_for(self, level: crate::JobLevel) -> Option<String> {
        let level = level.get();
        match self {
            EnrolmentRole::Mentor if level >= Self::SENIOR_FROM => Some(format!(
                "You are at level {level}, in the senior half of the organisation. In reverse mentoring the mentors are junior colleagues and the mentees senior leaders: check that mentor is the side you mean."
            )),
            EnrolmentRole::Mentee if level < Self::SENIOR_FROM => Some(format!(
                "You are at level {level}, in the junior half of the organisation. In reverse mentoring the mentees are senior leaders who learn from junior colleagues: check that mentee is the side you mean."
            )),
            _ => None,
        }
    }
}

macro_rules! keyword_enum {
    ($name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }
        impl std::str::FromStr for $name {
            type Err = FieldError;
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                match value.trim().to_ascii_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    other => Err(FieldError::new(format!(
                        "'{other}' is not one of {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

keyword_enum!(EnrolmentRole { Mentor = "mentor" / "Mentor", Mentee = "mentee" / "Mentee" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    InPerson,
    Virtual,
    Either,
}

keyword_enum!(Channel {
    InPerson = "in_person" / "In person",
    Virtual = "virtual" / "Virtual",
    Either = "either" / "Either",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PreferredTime {
    Morning,
    Afternoon,
    Evening,
    Any,
}

keyword_enum!(PreferredTime {
    Morning = "morning" / "Morning",
    Afternoon = "afternoon" / "Afternoon",
    Evening = "evening" / "Evening",
    Any = "any" / "Any time",
});

/// Topics with a score from 1 to 5: a level for what a mentor offers, a priority for what a
/// mentee wants to learn. Written `topic:score;topic:score`; topics are lowercase.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "generative ai:4;social media:3")]
pub struct TopicLevels(Vec<(String, u8)>);

impl TopicLevels {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let mut entries = Self::default();
        for part in value.split(';').filter(|part| !part.trim().is_empty()) {
            let (topic, score) = part.rsplit_once(':').ok_or_else(|| {
                FieldError::new(format!(
                    "'{}' should be topic:score, such as 'cloud:4'",
                    part.trim()
                ))
            })?;
            let score = score.trim();
            let score = score
                .parse::<u8>()
                .ok()
                .filter(|s| (1..=5).contains(s))
                .ok_or_else(|| {
                    FieldError::new(format!(
                        "the score '{score}' of '{}' must be 1 to 5",
                        topic.trim()
                    ))
                })?;
            entries.push(topic, score)?;
        }
        Ok(entries)
    }

    /// What a mentor offers that a mentee wants, as a sentence for the two of them
    /// (`mentor_name` offers it), or `None` when they share no topic.
    pub fn shared_with(&self, interests: &TopicLevels, mentor_name: &str) -> Option<String> {
        let shared: Vec<(&str, u8)> = self
            .0
            .iter()
            .filter(|(topic, _)| interests.0.iter().any(|(wanted, _)| wanted == topic))
            .map(|(topic, level)| (topic.as_str(), *level))
            .collect();
        let ((first, level), rest) = shared.split_first()?;
        let offers = std::iter::once(format!("{first} at level {level}"))
            .chain(rest.iter().map(|(t, l)| format!("{t} at level {l}")))
            .collect::<Vec<_>>()
            .join(", ");
        Some(format!(
            "You both care about {}; {mentor_name} can offer {offers} (of 5).",
            shared
                .iter()
                .map(|(t, _)| *t)
                .collect::<Vec<_>>()
                .join(" and ")
        ))
    }

    /// Adds one topic, normalised to lowercase single-spaced words; repeats are an error.
    pub fn push(&mut self, topic: &str, score: u8) -> Result<(), FieldError> {
        let topic = topic
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase();
        if topic.is_empty() {
            return Err(FieldError::new("a topic name is empty"));
        }
        text::bounded(&topic, "a topic name", 60)?;
        if !(1..=5).contains(&score) {
            return Err(FieldError::new(format!(
                "the score of '{topic}' must be 1 to 5"
            )));
        }
        if self.0.iter().any(|(existing, _)| *existing == topic) {
            return Err(FieldError::new(format!(
                "the topic '{topic}' is listed twice"
            )));
        }
        self.0.push((topic, score));
        Ok(())
    }

    pub fn entries(&self) -> &[(String, u8)] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Display for TopicLevels {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(topic, score)| format!("{topic}:{score}"))
            .collect();
        f.write_str(&parts.join(";"))
    }
}

impl TryFrom<String> for TopicLevels {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TopicLevels> for String {
    fn from(topics: TopicLevels) -> Self {
        topics.to_string()
    }
}

/// One weekly slot in the person's own time zone, such as `Wed 17:30-19:00`. Slots do not
/// cross midnight: someone free late at night gives two slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeeklySlot {
    pub day: Weekday,
    pub start: Time,
    pub end: Time,
}

const DAYS: [(Weekday, &str); 7] = [
    (Weekday::Monday, "Mon"),
    (Weekday::Tuesday, "Tue"),
    (Weekday::Wednesday, "Wed"),
    (Weekday::Thursday, "Thu"),
    (Weekday::Friday, "Fri"),
    (Weekday::Saturday, "Sat"),
    (Weekday::Sunday, "Sun"),
];

impl WeeklySlot {
    pub fn new(day: Weekday, start: Time, end: Time) -> Result<Self, FieldError> {
        if end <= start {
            return Err(FieldError::new(format!(
                "the slot {} {}-{} ends before it starts",
                day_name(day),
                hhmm(start),
                hhmm(end)
            )));
        }
        Ok(Self { day, start, end })
    }

    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let value = value.trim();
        let malformed =
            || FieldError::new(format!("'{value}' is not a slot like 'Mon 08:00-10:00'"));
        let (day, times) = value
            .split_once(char::is_whitespace)
            .ok_or_else(malformed)?;
        let (start, end) = times.trim().split_once('-').ok_or_else(malformed)?;
        Self::new(parse_day(day)?, parse_time(start)?, parse_time(end)?)
    }

    pub fn minutes(&self) -> i64 {
        let minutes = |t: Time| i64::from(t.hour()) * 60 + i64::from(t.minute());
        minutes(self.end) - minutes(self.start)
    }
}

pub fn parse_day(value: &str) -> Result<Weekday, FieldError> {
    let lower = value.trim().to_ascii_lowercase();
    DAYS.iter()
        .find(|(day, short)| short.to_ascii_lowercase() == lower || full_day_name(*day) == lower)
        .map(|(day, _)| *day)
        .ok_or_else(|| {
            FieldError::new(format!(
                "'{}' is not a day of the week (Mon … Sun)",
                value.trim()
            ))
        })
}

pub fn day_name(day: Weekday) -> &'static str {
    DAYS.iter()
        .find(|(d, _)| *d == day)
        .map(|(_, name)| *name)
        .unwrap_or("?")
}

fn full_day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "monday",
        Weekday::Tuesday => "tuesday",
        Weekday::Wednesday => "wednesday",
        Weekday::Thursday => "thursday",
        Weekday::Friday => "friday",
        Weekday::Saturday => "saturday",
        Weekday::Sunday => "sunday",
    }
}

pub fn parse_time(value: &str) -> Result<Time, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(
            "a time is missing: give both a start and an end, such as 08:30 and 10:00",
        ));
    }
    let bad = || {
        FieldError::new(format!(
            "“{value}” is not a time of day: write hours and minutes, such as 08:30"
        ))
    };
    let (hour, minute) = value.split_once(':').ok_or_else(bad)?;
    let hour: i8 = hour.parse().map_err(|_| bad())?;
    let minute: i8 = minute.parse().map_err(|_| bad())?;
    if hour == 24 && minute == 0 {
        // "17:00-24:00" is how people write "until midnight".
        return Ok(Time::MAX);
    }
    Time::new(hour, minute, 0, 0).map_err(|_| bad())
}

fn hhmm(time: Time) -> String {
    if time == Time::MAX {
        "24:00".into()
    } else {
        format!("{:02}:{:02}", time.hour(), time.minute())
    }
}

impl std::fmt::Display for WeeklySlot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}-{}",
            day_name(self.day),
            hhmm(self.start),
            hhmm(self.end)
        )
    }
}

/// A person's weekly availability: slots sorted by day and time, overlapping ones merged.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Mon 08:00-10:00;Wed 17:30-19:00")]
pub struct Availability(Vec<WeeklySlot>);

impl Availability {
    pub fn parse(value: &str) -> Result<Self, FieldError> {
        let slots = value
            .split(';')
            .filter(|part| !part.trim().is_empty())
            .map(WeeklySlot::parse)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_slots(slots))
    }

    pub fn from_slots(mut slots: Vec<WeeklySlot>) -> Self {
        slots.sort_by_key(|slot| (slot.day.to_monday_zero_offset(), slot.start, slot.end));
        let mut merged: Vec<WeeklySlot> = Vec::with_capacity(slots.len());
        for slot in slots {
            match merged.last_mut() {
                Some(last) if last.day == slot.day && slot.start <= last.end => {
                    last.end = last.end.max(slot.end)
                }
                _ => merged.push(slot),
            }
        }
        Self(merged)
    }

    pub fn slots(&self) -> &[WeeklySlot] {
        &self.0
    }

    pub fn weekly_minutes(&self) -> i64 {
        self.0.iter().map(WeeklySlot::minutes).sum()
    }
}

impl std::fmt::Display for Availability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(";"))
    }
}

impl TryFrom<String> for Availability {
    type Error = FieldError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Availability> for String {
    fn from(availability: Availability) -> Self {
        availability.to_string()
    }
}

/// Big Five (OCEAN) personality scores, each from 1.0 to 5.0.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BigFive {
    pub openness: f64,
    pub conscientiousness: f64,
    pub extraversion: f64,
    pub agreeableness: f64,
    pub neuroticism: f64,
}

impl BigFive {
    pub const TRAITS: [&'static str; 5] = [
        "openness",
        "conscientiousness",
        "extraversion",
        "agreeableness",
        "neuroticism",
    ];

    pub fn from_scores(scores: [f64; 5]) -> Result<Self, FieldError> {
        for (name, score) in Self::TRAITS.iter().zip(scores) {
            if !(score.is_finite() && (1.0..=5.0).contains(&score)) {
                return Err(FieldError::new(format!(
                    "{name} must be between 1.0 and 5.0, not {score}"
                )));
            }
        }
        let [
            openness,
            conscientiousness,
            extraversion,
            agreeableness,
            neuroticism,
        ] = scores;
        Ok(Self {
            openness,
            conscientiousness,
            extraversion,
            agreeableness,
            neuroticism,
        })
    }

    pub fn scores(&self) -> [f64; 5] {
        [
            self.openness,
            self.conscientiousness,
            self.extraversion,
            self.agreeableness,
            self.neuroticism,
        ]
    }
}

/// Everything a participant says when enrolling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EnrolmentProfile {
    pub role: EnrolmentRole,
    /// What a mentor can teach, with a level 1–5. Empty for mentees.
    pub offers: TopicLevels,
    /// What a mentee wants to learn, with a priority 1–5. Empty for mentors.
    pub interests: TopicLevels,
    pub availability: Availability,
    pub channel: Channel,
    pub preferred_time: PreferredTime,
    pub big_five: Option<BigFive>,
    /// "What I can offer / what I hope for", in the person's own words.
    pub statement: String,
}

impl EnrolmentProfile {
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut add = |field: &'static str, problem: &str| {
            problems.push(FieldProblem {
                field,
                problem: problem.into(),
            })
        };
        match self.role {
            EnrolmentRole::Mentor if self.offers.is_empty() => {
                add("offers", "a mentor lists at least one topic they can offer")
            }
            EnrolmentRole::Mentor if !self.interests.is_empty() => add(
                "interests",
                "interests are for mentees; a mentor lists offers",
            ),
            EnrolmentRole::Mentee if self.interests.is_empty() => add(
                "interests",
                "a mentee lists at least one topic they want to learn",
            ),
            EnrolmentRole::Mentee if !self.offers.is_empty() => {
                add("offers", "offers are for mentors; a mentee lists interests")
            }
            _ => {}
        }
        if self.availability.slots().is_empty() {
            add(
                "availability",
                "give at least one weekly slot when you could meet",
            );
        }
        if let Err(error) = text::bounded(&self.statement, "the statement", 2000) {
            add("statement", &error.0);
        }
        problems
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Enrolment {
    pub id: EnrolmentId,
    pub programme_id: ProgrammeId,
    pub email: Email,
    pub name: String,
    #[serde(flatten)]
    pub profile: EnrolmentProfile,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn availability_round_trips_sorted_and_merged() {
        let availability =
            Availability::parse("Wed 17:30-19:00; Mon 08:00-09:00;Mon 08:30-10:00").unwrap();
        assert_eq!(availability.to_string(), "Mon 08:00-10:00;Wed 17:30-19:00");
        assert_eq!(availability.weekly_minutes(), 120 + 90);
        assert_eq!(
            Availability::parse(&availability.to_string()).unwrap(),
            availability
        );
    }

    #[test]
    fn a_slot_that_ends_before_it_starts_is_an_error() {
        let err = WeeklySlot::parse("Tue 10:00-09:00").unwrap_err();
        assert_eq!(err.0, "the slot Tue 10:00-09:00 ends before it starts");
        assert!(WeeklySlot::parse("Tue 10:00-10:00").is_err());
    }

    #[test]
    fn slots_that_do_not_parse_say_what_is_expected() {
        assert!(
            WeeklySlot::parse("Funday 08:00-09:00")
                .unwrap_err()
                .0
                .contains("not a day")
        );
        assert!(
            WeeklySlot::parse("Mon 8am-9am")
                .unwrap_err()
                .0
                .contains("not a time")
        );
        assert!(
            WeeklySlot::parse("Mon")
                .unwrap_err()
                .0
                .contains("like 'Mon 08:00-10:00'")
        );
        assert!(WeeklySlot::parse("Mon 25:00-26:00").is_err());
    }

    #[test]
    fn full_and_short_day_names_both_parse() {
        assert_eq!(parse_day("wednesday").unwrap(), Weekday::Wednesday);
        assert_eq!(parse_day("Wed").unwrap(), Weekday::Wednesday);
        assert!(parse_day("We").is_err());
        assert!(parse_day("Wednesdays").is_err());
    }

    #[test]
    fn midnight_can_end_a_slot() {
        let slot = WeeklySlot::parse("Fri 22:00-24:00").unwrap();
        assert_eq!(slot.to_string(), "Fri 22:00-24:00");
        assert_eq!(slot.minutes(), 119);
    }

    #[test]
    fn shared_topics_read_as_a_sentence() {
        let offers = TopicLevels::parse("data literacy:4;cloud:2;tiktok:5").unwrap();
        let wants = TopicLevels::parse("cloud:5;data literacy:3").unwrap();
        assert_eq!(
            offers.shared_with(&wants, "Jonas").unwrap(),
            "You both care about data literacy and cloud; Jonas can offer data literacy at level 4, cloud at level 2 (of 5)."
        );
        assert!(
            offers
                .shared_with(&TopicLevels::parse("sales:3").unwrap(), "Jonas")
                .is_none()
        );
    }

    #[test]
    fn topics_are_normalised_and_scores_checked() {
        let topics = TopicLevels::parse("Generative  AI:4; cloud:2").unwrap();
        assert_eq!(topics.to_string(), "generative ai:4;cloud:2");
        assert!(
            TopicLevels::parse("cloud:6")
                .unwrap_err()
                .0
                .contains("must be 1 to 5")
        );
        assert!(
            TopicLevels::parse("cloud")
                .unwrap_err()
                .0
                .contains("topic:score")
        );
        assert!(
            TopicLevels::parse("cloud:2;Cloud:3")
                .unwrap_err()
                .0
                .contains("listed twice")
        );
    }

    #[test]
    fn big_five_scores_must_lie_between_one_and_five() {
        assert!(BigFive::from_scores([1.0, 5.0, 3.5, 2.0, 4.0]).is_ok());
        let err = BigFive::from_scores([1.0, 5.5, 3.0, 3.0, 3.0]).unwrap_err();
        assert!(err.0.starts_with("conscientiousness"), "{err}");
    }

    #[test]
    fn a_mentor_must_offer_and_a_mentee_must_want_something() {
        let mut profile = EnrolmentProfile {
            role: EnrolmentRole::Mentor,
            offers: TopicLevels::default(),
            interests: TopicLevels::parse("cloud:3").unwrap(),
            availability: Availability::default(),
            channel: Channel::Either,
            preferred_time: PreferredTime::Any,
            big_five: None,
            statement: String::new(),
        };
        let fields: Vec<&str> = profile.problems().iter().map(|p| p.field).collect();
        assert_eq!(fields, ["offers", "availability"]);
        profile.role = EnrolmentRole::Mentee;
        profile.availability = Availability::parse("Mon 08:00-09:00").unwrap();
        assert!(profile.problems().is_empty());
    }
}

//! What the engine knows of each participant and of the programme's settings: plain data the
//! application fills from its own records.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use crate::availability::LocalSlot;

/// How a person prefers to meet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    InPerson,
    Virtual,
    Either,
}

/// When in the day a person prefers to meet, in their own time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeOfDay {
    /// 06:00–12:00
    Morning,
    /// 12:00–17:00
    Afternoon,
    /// 17:00–22:00
    Evening,
    Any,
}

impl TimeOfDay {
    /// The preferred window as minutes of the local day.
    pub fn window(self) -> (i64, i64) {
        match self {
            TimeOfDay::Morning => (6 * 60, 12 * 60),
            TimeOfDay::Afternoon => (12 * 60, 17 * 60),
            TimeOfDay::Evening => (17 * 60, 22 * 60),
            TimeOfDay::Any => (0, 24 * 60),
        }
    }
}

/// A dimension along which the programme wants pairs to differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dimension {
    Generation,
    Gender,
    Location,
    Department,
}

/// One participant, mentor or mentee.
#[derive(Debug, Clone)]
pub struct Participant {
    /// The person's identity in the directory, used by the reporting-chain rule.
    pub person: u32,
    /// Everyone above the person in the reporting chain, nearest first.
    pub managers: Vec<u32>,
    pub level: u8,
    pub department: Option<String>,
    pub location: Option<String>,
    pub time_zone: TimeZone,
    pub availability: Vec<LocalSlot>,
    pub channel: Channel,
    pub time_of_day: TimeOfDay,
    /// Topic ids with a level (mentors' offers) or a priority (mentees' interests), 1–5.
    pub topics: Vec<(u32, u8)>,
    /// Openness, conscientiousness, extraversion, agreeableness, neuroticism; each 1–5.
    pub big_five: Option<[f64; 5]>,
    pub birth_year: Option<i16>,
    pub gender: Option<String>,
}

/// The weight of each scored criterion (any non-negative numbers; they are normalised). It
/// mirrors the domain's programme weights on purpose: this crate depends on no other Upward crate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub expertise: f64,
    pub diversity: f64,
    pub level_gap: f64,
    pub personality: f64,
    pub schedule: f64,
    pub channel: f64,
}

impl Default for Weights {
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

/// A programme's matching settings.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The mentee must be at least this many levels above the mentor.
    pub min_level_gap: u8,
    pub mentor_capacity: u32,
    pub session_minutes: i64,
    pub weights: Weights,
    pub diversity: Vec<Dimension>,
    /// Mondays of the weeks on which availabilities must overlap (see
    /// [`crate::availability::reference_weeks`]).
    pub reference_weeks: Vec<Date>,
    pub objective: crate::Objective,
}

//! The bridge between the product's records and the matching engine: a programme's enrolments,
//! the directory, live pairings, earlier refusals and the manager's pins and forbids become the
//! engine's participants, settings and constraints; its proposal comes back as a run result.

use std::collections::HashMap;
use std::time::Duration;

use upward_domain::{
    Channel, Criterion, CriterionPart, DiversityDimension, Enrolment, EnrolmentId, EnrolmentRole,
    PairExplanation, PairOrigin, Pairing, Person, PreferredTime, Programme, ProposedPair,
    RunResult, RunSummary, UnmatchedPerson, Weights,
};
use upward_matching as engine;
use upward_store::PairRule;

/// Everything a run needs, loaded from the store.
pub(crate) struct Records {
    pub programme: Programme,
    pub weights: Weights,
    pub enrolments: Vec<Enrolment>,
    pub people: Vec<Person>,
    /// Kept as they are: their mentees are left out, their mentors' seats are taken.
    pub live: Vec<Pairing>,
    pub excluded: Vec<(EnrolmentId, EnrolmentId)>,
    pub rules: Vec<(EnrolmentId, EnrolmentId, PairRule)>,
}

/// The engine's input, with the enrolment behind each participant.
pub(crate) struct Cohort {
    pub mentors: Vec<engine::Participant>,
    pub mentees: Vec<engine::Participant>,
    pub mentor_ids: Vec<EnrolmentId>,
    pub mentee_ids: Vec<EnrolmentId>,
    pub settings: engine::Settings,
    pub constraints: engine::Constraints,
    /// Pins the pair itself has since contradicted (they said no, stepped back or ended):
    /// left out of the run, which says so, and to be removed.
    pub lapsed_pins: Vec<(EnrolmentId, EnrolmentId)>,
}

impl Cohort {
    pub fn build(records: &Records) -> Result<Self, String> {
        let matching = &records.programme.draft.matching;
        let capacity = u32::from(matching.mentor_capacity);
        let mut seats_taken: HashMap<EnrolmentId, u32> = HashMap::new();
        let mut paired_mentees = std::collections::HashSet::new();
        for pairing in &records.live {
            *seats_taken.entry(pairing.mentor).or_default() += 1;
            paired_mentees.insert(pairing.mentee);
        }
        let directory = Directory::new(&records.people);
        let mut topics = Topics::default();
        let (mut mentors, mut mentees) = (Vec::new(), Vec::new());
        let (mut mentor_ids, mut mentee_ids) = (Vec::new(), Vec::new());
        let mut taken = Vec::new();
        for enrolment in &records.enrolments {
            let participant = directory.participant(enrolment, &mut topics)?;
            match enrolment.profile.role {
                EnrolmentRole::Mentor => {
                    let seats = seats_taken.get(&enrolment.id).copied().unwrap_or(0);
                    if seats < capacity {
                        mentors.push(participant);
                        mentor_ids.push(enrolment.id);
                        taken.push(seats);
                    }
                }
                EnrolmentRole::Mentee if !paired_mentees.contains(&enrolment.id) => {
                    mentees.push(participant);
                    mentee_ids.push(enrolment.id);
                }
                EnrolmentRole::Mentee => {}
            }
        }
        let position = |ids: &[EnrolmentId]| -> HashMap<EnrolmentId, usize> {
            ids.iter().enumerate().map(|(k, id)| (*id, k)).collect()
        };
        let (mentor_at, mentee_at) = (position(&mentor_ids), position(&mentee_ids));
        let pair_at = |mentor: &EnrolmentId, mentee: &EnrolmentId| {
            Some((*mentor_at.get(mentor)?, *mentee_at.get(mentee)?))
        };
        let mut constraints = engine::Constraints {
            seats_taken: taken,
            ..engine::Constraints::default()
        };
        constraints.excluded = records
            .excluded
            .iter()
            .filter_map(|(mentor, mentee)| pair_at(mentor, mentee))
            .collect();
        let mut lapsed_pins = Vec::new();
        for (mentor, mentee, rule) in &records.rules {
            if *rule == PairRule::Pin && records.excluded.contains(&(*mentor, *mentee)) {
                lapsed_pins.push((*mentor, *mentee));
                continue;
            }
            if let Some(pair) = pair_at(mentor, mentee) {
                match rule {
                    PairRule::Pin => constraints.pinned.push(pair),
                    PairRule::Forbid => {
                        constraints.forbidden.insert(pair);
                    }
                }
            }
        }
        constraints.pinned.sort_unstable();
        let settings = engine_settings(records);
        Ok(Self {
            mentors,
            mentees,
            mentor_ids,
            mentee_ids,
            settings,
            constraints,
            lapsed_pins,
        })
    }

    /// Sentences for the manager about the pins that lapsed.
    fn lapse_notes(&self, records: &Records) -> Vec<String> {
        let name = |id: &EnrolmentId| {
            records
                .enrolments
                .iter()
                .find(|e| e.id == *id)
                .map_or_else(|| "someone who left".to_owned(), |e| e.name.clone())
        };
        self.lapsed_pins
            .iter()
            .map(|(mentor, mentee)| {
                format!(
                    "The pin of {} with {} lapsed and was removed: one of them said no to the pair, stepped back or ended it, so it is not proposed again.",
                    name(mentor),
                    name(mentee)
                )
            })
            .collect()
    }

    /// The engine's proposal as the product keeps it.
    pub fn result(
        &self,
        records: &Records,
        proposal: &engine::Proposal,
        took: Duration,
    ) -> RunResult {
        let pairs: Vec<ProposedPair> = proposal
            .pairs
            .iter()
            .map(|pair| ProposedPair {
                mentor: self.mentor_ids[pair.mentor],
                mentee: self.mentee_ids[pair.mentee],
                explanation: explanation(&pair.explanation),
                origin: if pair.pinned {
                    PairOrigin::Pinned
                } else {
                    PairOrigin::Engine
                },
            })
            .collect();
        let mut unmatched: Vec<UnmatchedPerson> = proposal
            .unmatched_mentors
            .iter()
            .map(|&(j, reason)| UnmatchedPerson {
                enrolment: self.mentor_ids[j],
                reason: reason_text(reason, "mentee"),
            })
            .chain(
                proposal
                    .unmatched_mentees
                    .iter()
                    .map(|&(i, reason)| UnmatchedPerson {
                        enrolment: self.mentee_ids[i],
                        reason: reason_text(reason, "mentor"),
                    }),
            )
            .collect();
        unmatched.sort_by_key(|person| person.enrolment);
        let offered = RunSummary {
            mentors: self.mentors.len() as u32,
            mentees: self.mentees.len() as u32,
            seconds: took.as_secs_f64(),
            notes: self.lapse_notes(records),
            ..RunSummary::default()
        };
        let summary = super::summarise(&pairs, offered);
        RunResult {
            pairs,
            unmatched,
            summary,
        }
    }
}

/// The programme's matching settings with the run's weights, as the engine reads them.
fn engine_settings(records: &Records) -> engine::Settings {
    let matching = &records.programme.draft.matching;
    engine::Settings {
        min_level_gap: matching.min_level_gap,
        mentor_capacity: u32::from(matching.mentor_capacity),
        session_minutes: i64::from(matching.session_minutes),
        weights: engine_weights(records.weights),
        diversity: matching
            .diversity_dimensions
            .iter()
            .map(|d| match d {
                DiversityDimension::Generation => engine::Dimension::Generation,
                DiversityDimension::Gender => engine::Dimension::Gender,
                DiversityDimension::Location => engine::Dimension::Location,
                DiversityDimension::Department => engine::Dimension::Department,
            })
            .collect(),
        reference_weeks: engine::availability::reference_weeks(
            records.programme.draft.start_date,
            records.programme.draft.end_date,
        ),
        objective: engine::Objective::MaxCardinality,
    }
}

/// A pair a manager puts together by hand: its explanation, or why it may not be proposed.
/// The mentors a mentee could be paired with by hand (they pass every hard rule, have not
/// said no to each other and are not forbidden), best score first. The directory and the
/// mentee are prepared once, so this costs one criteria check per mentor.
pub(crate) fn eligible_mentors(
    records: &Records,
    mentee: &Enrolment,
) -> Result<Vec<(EnrolmentId, f64)>, String> {
    let directory = Directory::new(&records.people);
    let mut topics = Topics::default();
    let settings = engine_settings(records);
    let b = directory.participant(mentee, &mut topics)?;
    let b = engine::criteria::Prepared::new(&b, &settings);
    let mut eligible = Vec::new();
    for mentor in records
        .enrolments
        .iter()
        .filter(|e| e.profile.role == EnrolmentRole::Mentor)
    {
        let said_no = records.excluded.contains(&(mentor.id, mentee.id))
            || records
                .rules
                .contains(&(mentor.id, mentee.id, PairRule::Forbid));
        if said_no {
            continue;
        }
        let a = directory.participant(mentor, &mut topics)?;
        let a = engine::criteria::Prepared::new(&a, &settings);
        if engine::criteria::broken_rule(&a, &b, &settings).is_none() {
            let score = engine::criteria::explain(&a, &b, &settings).score;
            eligible.push((mentor.id, score));
        }
    }
    eligible.sort_by(|x, y| y.1.total_cmp(&x.1));
    Ok(eligible)
}

pub(crate) fn explain_pair(
    records: &Records,
    mentor: &Enrolment,
    mentee: &Enrolment,
) -> Result<PairExplanation, String> {
    let refused = records.excluded.contains(&(mentor.id, mentee.id));
    if refused {
        return Err("this pair said no before (declined, stepped back or ended)".into());
    }
    let forbidden = records
        .rules
        .iter()
        .any(|(j, i, rule)| (*j, *i, *rule) == (mentor.id, mentee.id, PairRule::Forbid));
    if forbidden {
        return Err("you forbade this pair; clear the rule first".into());
    }
    let directory = Directory::new(&records.people);
    let mut topics = Topics::default();
    let settings = engine_settings(records);
    let (a, b) = (
        directory.participant(mentor, &mut topics)?,
        directory.participant(mentee, &mut topics)?,
    );
    let (a, b) = (
        engine::criteria::Prepared::new(&a, &settings),
        engine::criteria::Prepared::new(&b, &settings),
    );
    if let Some(rule) = engine::criteria::broken_rule(&a, &b, &settings) {
        return Err(format!(
            "this pair breaks a hard rule: {}",
            match rule {
                engine::HardRule::LevelGap => "the mentee is not enough levels above the mentor",
                engine::HardRule::ReportingChain => "one is in the other's reporting line",
                engine::HardRule::Availability =>
                    "they share no full session of free time every week of the programme",
                engine::HardRule::Excluded => "the pair is excluded",
            }
        ));
    }
    Ok(explanation(&engine::criteria::explain(&a, &b, &settings)))
}

/// How different the two people of a pair are on the programme's diversity dimensions.
pub(crate) fn diversity_of(pair: &ProposedPair) -> f64 {
    pair.explanation
        .criteria
        .iter()
        .find(|c| c.criterion == Criterion::Diversity)
        .map_or(0.0, |c| c.value)
}

pub(crate) fn engine_weights(weights: Weights) -> engine::Weights {
    engine::Weights {
        expertise: weights.expertise,
        diversity: weights.diversity,
        level_gap: weights.level_gap,
        personality: weights.personality,
        schedule: weights.schedule,
        channel: weights.channel,
    }
}

pub(crate) fn explanation(explained: &engine::Explanation) -> PairExplanation {
    PairExplanation {
        score: explained.score,
        criteria: explained
            .criteria
            .iter()
            .map(|part| CriterionPart {
                criterion: match part.criterion {
                    engine::Criterion::Expertise => Criterion::Expertise,
                    engine::Criterion::Diversity => Criterion::Diversity,
                    engine::Criterion::LevelGap => Criterion::LevelGap,
                    engine::Criterion::Personality => Criterion::Personality,
                    engine::Criterion::Schedule => Criterion::Schedule,
                    engine::Criterion::Channel => Criterion::Channel,
                },
                value: part.value,
                weight: part.weight,
                contribution: part.contribution,
            })
            .collect(),
    }
}

/// Why someone is unmatched, for the manager. `other` names the other side.
fn reason_text(reason: engine::Unmatched, other: &str) -> String {
    match reason {
        engine::Unmatched::CandidatesTaken => format!(
            "every {other} this person could be paired with is in a pair that serves the programme better"
        ),
        engine::Unmatched::NoCandidate(rule) => match rule {
            engine::HardRule::LevelGap => {
                format!("no {other} is far enough apart in job level (the minimum level gap)")
            }
            engine::HardRule::ReportingChain => {
                format!("every {other} far enough apart in level is in the same reporting line")
            }
            engine::HardRule::Availability => format!(
                "no possible {other} shares a full session of free time every week of the programme"
            ),
            engine::HardRule::Excluded => format!(
                "every possible {other} was declined or ended before, or ruled out by the manager"
            ),
        },
    }
}

/// People by email, with their reporting chain resolved to stable numbers.
struct Directory<'a> {
    index: HashMap<String, (u32, &'a Person)>,
}

impl<'a> Directory<'a> {
    fn new(people: &'a [Person]) -> Self {
        let index = people
            .iter()
            .enumerate()
            .map(|(k, person)| (person.email.key(), (k as u32, person)))
            .collect();
        Self { index }
    }

    /// Everyone above `email` in the reporting chain, nearest first (a loop, which imports
    /// refuse, would stop at the first repeat).
    fn chain(&self, email: &str) -> Vec<u32> {
        let mut chain = Vec::new();
        let mut current = self.index.get(email).map(|(_, p)| *p);
        while let Some(person) = current {
            let Some(manager) = &person.manager_email else {
                break;
            };
            let Some(&(id, next)) = self.index.get(&manager.key()) else {
                break;
            };
            if chain.contains(&id) {
                break;
            }
            chain.push(id);
            current = Some(next);
        }
        chain
    }

    fn participant(
        &self,
        enrolment: &Enrolment,
        topics: &mut Topics,
    ) -> Result<engine::Participant, String> {
        let key = enrolment.email.key();
        let &(id, person) = self.index.get(&key).ok_or_else(|| {
            format!(
                "{} is enrolled but not in the directory",
                enrolment.email.as_str()
            )
        })?;
        let profile = &enrolment.profile;
        let time_zone = jiff::tz::TimeZone::get(person.time_zone.as_str())
            .map_err(|e| format!("the time zone of {}: {e}", enrolment.email.as_str()))?;
        let wanted = match profile.role {
            EnrolmentRole::Mentor => &profile.offers,
            EnrolmentRole::Mentee => &profile.interests,
        };
        Ok(engine::Participant {
            person: id,
            managers: self.chain(&key),
            level: person.job_level.get() as u8,
            department: person.department.clone(),
            location: person.location.clone(),
            time_zone,
            availability: profile
                .availability
                .slots()
                .iter()
                .map(|slot| engine::availability::LocalSlot {
                    day: slot.day,
                    start: slot.start,
                    end: slot.end,
                })
                .collect(),
            channel: match profile.channel {
                Channel::InPerson => engine::Channel::InPerson,
                Channel::Virtual => engine::Channel::Virtual,
                Channel::Either => engine::Channel::Either,
            },
            time_of_day: match profile.preferred_time {
                PreferredTime::Morning => engine::TimeOfDay::Morning,
                PreferredTime::Afternoon => engine::TimeOfDay::Afternoon,
                PreferredTime::Evening => engine::TimeOfDay::Evening,
                PreferredTime::Any => engine::TimeOfDay::Any,
            },
            topics: wanted
                .entries()
                .iter()
                .map(|(topic, score)| (topics.id(topic), *score))
                .collect(),
            big_five: profile.big_five.map(|b| b.scores()),
            birth_year: person.birth_year.map(|y| y.get()),
            gender: person.gender.clone(),
        })
    }
}

/// Topic names as numbers, shared by both sides.
#[derive(Default)]
struct Topics(HashMap<String, u32>);

impl Topics {
    fn id(&mut self, topic: &str) -> u32 {
        let next = self.0.len() as u32;
        *self.0.entry(topic.to_owned()).or_insert(next)
    }
}

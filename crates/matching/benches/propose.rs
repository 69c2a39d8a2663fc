//! End to end from profiles: realistic generated cohorts (levels, reporting chains, eight sites
//! in eight time zones, weekly availability, topics, personality), candidate generation with the
//! hard rules, scoring, and the exact solve. Prints the median of three runs.
//!
//! cargo bench -p upward-matching --bench propose -- [SIZE ... | alike-SIZE ...]
//! (mentors = mentees = SIZE). `alike-SIZE` is a cohort whose profiles are alike: one site,
//! one level each side, the same two weekly slots, three topics and no personality answers,
//! so most pairs score the same.

use std::time::Instant;

use jiff::civil::{Time, Weekday, date};
use jiff::tz::TimeZone;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use upward_matching::availability::{LocalSlot, reference_weeks};
use upward_matching::*;

const SITES: [(&str, &str); 8] = [
    ("London", "Europe/London"),
    ("Paris", "Europe/Paris"),
    ("Berlin", "Europe/Berlin"),
    ("New York", "America/New_York"),
    ("Toronto", "America/Toronto"),
    ("Singapore", "Asia/Singapore"),
    ("Bangalore", "Asia/Kolkata"),
    ("Sydney", "Australia/Sydney"),
];
const DAYS: [Weekday; 5] = [
    Weekday::Monday,
    Weekday::Tuesday,
    Weekday::Wednesday,
    Weekday::Thursday,
    Weekday::Friday,
];

fn participant(
    rng: &mut StdRng,
    person: u32,
    level: u8,
    senior: bool,
    managers: Vec<u32>,
) -> Participant {
    let (site, zone) = *SITES.choose(rng).expect("sites");
    let slots = (0..rng.random_range(2..=4))
        .map(|_| {
            let start = if senior {
                *[7i8, 8, 17].choose(rng).expect("hours")
            } else {
                rng.random_range(9..=17)
            };
            let hours = rng.random_range(1..=2);
            LocalSlot {
                day: *DAYS.choose(rng).expect("days"),
                start: Time::constant(start, 0, 0, 0),
                end: Time::constant(start + hours, 0, 0, 0),
            }
        })
        .collect();
    let topic_count = rng.random_range(1..=4);
    let topics: Vec<(u32, u8)> = rand::seq::index::sample(rng, 40, topic_count)
        .into_iter()
        .map(|t| (t as u32, rng.random_range(1..=5)))
        .collect();
    let big_five = rng
        .random_bool(0.7)
        .then(|| [(); 5].map(|_| rng.random_range(1.0..=5.0)));
    Participant {
        person,
        managers,
        level,
        department: Some(format!("Department {}", rng.random_range(0..10))),
        location: Some(site.to_owned()),
        time_zone: TimeZone::get(zone).expect("a zone"),
        availability: slots,
        channel: *[Channel::Virtual, Channel::Either, Channel::InPerson]
            .choose(rng)
            .expect("channels"),
        time_of_day: if senior {
            TimeOfDay::Morning
        } else {
            *[TimeOfDay::Afternoon, TimeOfDay::Any]
                .choose(rng)
                .expect("times")
        },
        topics,
        big_five,
        birth_year: Some(if senior {
            rng.random_range(1960..1985)
        } else {
            rng.random_range(1990..2004)
        }),
        gender: Some(["woman", "man", "non-binary"][rng.random_range(0..3)].to_owned()),
    }
}

/// A cohort of alike people: whatever pair is taken, most scores tie.
fn alike_cohort(size: usize) -> (Vec<Participant>, Vec<Participant>) {
    let mut rng = StdRng::seed_from_u64(2027);
    let slot = |day, hour| LocalSlot {
        day,
        start: Time::constant(hour, 0, 0, 0),
        end: Time::constant(hour + 2, 0, 0, 0),
    };
    let person = |k: usize, senior: bool, rng: &mut StdRng| Participant {
        person: k as u32,
        managers: vec![],
        level: if senior { 14 } else { 3 },
        department: Some(format!("Department {}", rng.random_range(0..2))),
        location: Some("London".to_owned()),
        time_zone: TimeZone::get("Europe/London").expect("a zone"),
        availability: vec![slot(Weekday::Tuesday, 9), slot(Weekday::Thursday, 14)],
        channel: Channel::Either,
        time_of_day: TimeOfDay::Any,
        topics: vec![(rng.random_range(0..3), 3)],
        big_five: None,
        birth_year: Some(if senior { 1975 } else { 1998 }),
        gender: Some(["woman", "man"][rng.random_range(0..2)].to_owned()),
    };
    let mentees = (0..size).map(|k| person(k, true, &mut rng)).collect();
    let mentors = (0..size)
        .map(|k| person(size + k, false, &mut rng))
        .collect();
    (mentors, mentees)
}

fn cohort(size: usize) -> (Vec<Participant>, Vec<Participant>) {
    let mut rng = StdRng::seed_from_u64(2027);
    let mentees: Vec<Participant> = (0..size)
        .map(|k| {
            let level = rng.random_range(10..=18);
            participant(&mut rng, k as u32, level, true, vec![])
        })
        .collect();
    let mentors = (0..size)
        .map(|k| {
            // Three managers drawn from the seniors: some pairs break the reporting-chain rule.
            let chain = (0..3).map(|_| rng.random_range(0..size as u32)).collect();
            let level = rng.random_range(1..=6);
            participant(&mut rng, (size + k) as u32, level, false, chain)
        })
        .collect();
    (mentors, mentees)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let sizes: Vec<(bool, usize)> = std::env::args()
        .skip(1)
        .filter_map(|a| match a.strip_prefix("alike-") {
            Some(size) => Some((true, size.parse().ok()?)),
            None => Some((false, a.parse().ok()?)),
        })
        .collect();
    let settings = Settings {
        min_level_gap: 4,
        mentor_capacity: 1,
        session_minutes: 60,
        weights: Weights::default(),
        diversity: vec![
            Dimension::Generation,
            Dimension::Gender,
            Dimension::Department,
        ],
        reference_weeks: reference_weeks(date(2027, 1, 11), date(2027, 10, 29)),
        objective: Objective::MaxCardinality,
    };
    for (alike, size) in if sizes.is_empty() {
        vec![(false, 2_000), (false, 5_000), (false, 10_000)]
    } else {
        sizes
    } {
        let (mentors, mentees) = if alike {
            alike_cohort(size)
        } else {
            cohort(size)
        };
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..3 {
            let started = Instant::now();
            last = Some(
                propose(&mentors, &mentees, &settings, &Constraints::default())
                    .expect("a proposal"),
            );
            times.push(started.elapsed().as_secs_f64());
        }
        times.sort_by(f64::total_cmp);
        let proposal = last.expect("three runs");
        let kind = if alike { "alike" } else { "varied" };
        println!(
            "{kind} {size:>6} × {size:<6} scored {:>10}  matched {:>6}  total {:>10.3}  median {:>7.2} s",
            proposal.scored_pairs,
            proposal.pairs.len(),
            proposal.total_score,
            times[1]
        );
    }
}

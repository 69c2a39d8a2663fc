//! The demo organisation: about 300 people in a realistic hierarchy across five sites, accounts
//! for all of them, and one programme open for enrolment with volunteers already signed up.
//! Generated from a fixed seed, so every demo looks the same.

use jiff::civil::date;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use upward_domain::*;

use crate::auth::hash_password;
use crate::{App, AppResult};

pub const DEMO_PASSWORD: &str = "upward-demo";
pub const DEMO_DOMAIN: &str = "upward-demo.example";
pub const DEMO_ADMIN: &str = "admin@upward-demo.example";
pub const DEMO_MANAGER: &str = "manager@upward-demo.example";

const FIRST: [&str; 24] = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas", "Kemi",
    "Liam", "Maya", "Nico", "Olga", "Priya", "Quentin", "Rosa", "Sami", "Tara", "Umar", "Vera",
    "Wei", "Yara",
];
const LAST: [&str; 20] = [
    "Adeyemi", "Bauer", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hughes", "Ito",
    "Jansen", "Kowalski", "Larsen", "Moreau", "Nakamura", "Okafor", "Patel", "Rossi", "Schmidt",
    "Tanaka", "Walsh",
];
const DEPARTMENTS: [&str; 7] = [
    "Engineering",
    "Sales",
    "Marketing",
    "Finance",
    "People",
    "Operations",
    "Product",
];
const SITES: [(&str, &str); 5] = [
    ("London", "Europe/London"),
    ("Paris", "Europe/Paris"),
    ("Berlin", "Europe/Berlin"),
    ("New York", "America/New_York"),
    ("Singapore", "Asia/Singapore"),
];
const MENTOR_TOPICS: [&str; 8] = [
    "social media",
    "generative ai",
    "data literacy",
    "remote collaboration",
    "cloud",
    "gen z perspectives",
    "inclusion",
    "cybersecurity",
];

/// What `load_demo` created, for the start-up message.
#[derive(Debug)]
pub struct DemoSummary {
    pub people: usize,
    pub programme: ProgrammeId,
}

/// The demo participants left unenrolled for visitors to try: (a junior, a senior).
pub fn demo_participants() -> (Email, Email) {
    let people = Generator::organisation(Generator::current_year()).people;
    let (juniors, seniors) = juniors_and_seniors(&people);
    (juniors[0].clone(), seniors[0].clone())
}

fn juniors_and_seniors(people: &[Person]) -> (Vec<Email>, Vec<Email>) {
    let juniors = people
        .iter()
        .filter(|p| p.job_level.get() <= 5)
        .map(|p| p.email.clone())
        .collect();
    let seniors = people
        .iter()
        .filter(|p| p.job_level.get() >= 14)
        .map(|p| p.email.clone())
        .collect();
    (juniors, seniors)
}

struct Generator {
    rng: StdRng,
    people: Vec<Person>,
    year: i16,
}

impl Generator {
    fn add(&mut self, level: i64, manager: Option<&Email>, department: &str) -> Email {
        let first = *FIRST.choose(&mut self.rng).expect("names");
        let last = *LAST.choose(&mut self.rng).expect("names");
        let email = Email::parse(&format!(
            "{}.{}{}@{DEMO_DOMAIN}",
            first.to_lowercase(),
            last.to_lowercase(),
            self.people.len()
        ))
        .expect("a valid demo email");
        let (site, zone) = *SITES.choose(&mut self.rng).expect("sites");
        // Juniors are younger than seniors, roughly.
        let age = 22 + (level * 2) as i16 + self.rng.random_range(0..8);
        self.people.push(Person {
            email: email.clone(),
            name: format!("{first} {last}"),
            job_level: JobLevel::new(level).expect("demo levels are 1–20"),
            manager_email: manager.cloned(),
            department: Some(department.to_owned()),
            location: Some(site.to_owned()),
            time_zone: TimeZoneName::parse(zone).expect("demo zones exist"),
            birth_year: Some(BirthYear::new(self.year - age, self.year).expect("a plausible year")),
            gender: Some(
                ["woman", "man", "non-binary"][self.rng.random_range(0..20).min(2) % 3].to_owned(),
            ),
        });
        email
    }

    fn current_year() -> i16 {
        App::current_year()
    }

    /// CEO → 7 executives → 4 directors each → 3 managers each → 2 juniors each: 288 people.
    fn organisation(year: i16) -> Self {
        let mut generator = Generator {
            rng: StdRng::seed_from_u64(2027),
            people: Vec::new(),
            year,
        };
        generator.add_hierarchy();
        generator
    }

    fn add_hierarchy(&mut self) {
        let ceo = self.add(20, None, "Executive office");
        for department in DEPARTMENTS {
            let executive = self.add(17, Some(&ceo), department);
            for _ in 0..4 {
                let director = self.add(14, Some(&executive), department);
                for _ in 0..3 {
                    let level = self.rng.random_range(9..=11);
                    let manager = self.add(level, Some(&director), department);
                    for _ in 0..2 {
                        let level = self.rng.random_range(2..=5);
                        self.add(level, Some(&manager), department);
                    }
                }
            }
        }
    }

    fn availability(&mut self, early: bool) -> Availability {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri"];
        let slots: Vec<WeeklySlot> = (0..3)
            .map(|_| {
                let day = *days.choose(&mut self.rng).expect("days");
                // Seniors keep early mornings and the odd lunch; juniors afternoons, lunches
                // and the odd early start, so most pairs can find a common hour.
                let hours: &[i32] = if early {
                    &[7, 8, 8, 12, 13]
                } else {
                    &[8, 12, 13, 14, 15, 16, 17]
                };
                let hour = *hours.choose(&mut self.rng).expect("hours");
                WeeklySlot::parse(&format!("{day} {hour:02}:00-{:02}:30", hour + 1))
                    .expect("valid demo slot")
            })
            .collect();
        Availability::from_slots(slots)
    }

    fn topics(&mut self, count: usize) -> TopicLevels {
        let mut topics = TopicLevels::default();
        for topic in MENTOR_TOPICS.choose_multiple(&mut self.rng, count) {
            topics
                .push(topic, self.rng.random_range(2..=5))
                .expect("distinct demo topics");
        }
        topics
    }

    fn profile(&mut self, role: EnrolmentRole) -> EnrolmentProfile {
        let senior = role == EnrolmentRole::Mentee;
        let big_five = self.rng.random_bool(0.7).then(|| {
            let mut score = || (self.rng.random_range(10..=50) as f64) / 10.0;
            BigFive::from_scores([score(), score(), score(), score(), score()])
                .expect("scores in range")
        });
        EnrolmentProfile {
            role,
            offers: if senior {
                TopicLevels::default()
            } else {
                self.topics(2)
            },
            interests: if senior {
                self.topics(2)
            } else {
                TopicLevels::default()
            },
            availability: self.availability(senior),
            channel: *[Channel::Virtual, Channel::Either, Channel::InPerson]
                .choose(&mut self.rng)
                .expect("channels"),
            preferred_time: if senior {
                PreferredTime::Morning
            } else {
                PreferredTime::Afternoon
            },
            big_five,
            statement: if senior {
                "I want to understand how younger colleagues work and what our customers see online.".into()
            } else {
                "I can share how my generation uses technology, and I would like to learn how decisions are made.".into()
            },
        }
    }
}

fn demo_programme() -> ProgrammeDraft {
    ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![
            "The Atrium café, ground floor".into(),
            "Open collaboration space, level 3".into(),
            "Riverside co-working room".into(),
        ],
        name: "Reverse mentoring 2027: digital fluency and inclusion".into(),
        purpose: "Help the leadership team become fluent in the tools and habits of a digital workplace, and hear directly from younger colleagues about inclusion.".into(),
        objectives: Objective::parse_list("tech-upskilling,inclusion,retention").expect("valid tags"),
        learning_expectations: "Mentees try one new tool a month and share what they learned; mentors practise giving candid feedback to senior leaders.".into(),
        start_date: date(2027, 1, 11),
        end_date: date(2027, 10, 29),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    }
}

impl App {
    /// Whether the demo organisation is already in this database.
    pub async fn demo_loaded(&self) -> AppResult<bool> {
        Ok(self.store.credentials(DEMO_ADMIN).await?.is_some())
    }

    /// Loads the demo organisation into an empty database (or does nothing if it is there).
    pub async fn load_demo(&self) -> AppResult<Option<DemoSummary>> {
        if self.demo_loaded().await? {
            return Ok(None);
        }
        let mut generator = Generator::organisation(Self::current_year());
        self.store.upsert_people(&generator.people).await?;

        // One hash for every demo participant: argon2 is deliberately slow, and these accounts
        // share a published password anyway.
        let shared_hash = hash_password(DEMO_PASSWORD)?;
        let admin = self
            .store
            .create_user(
                &Email::parse(DEMO_ADMIN).expect("valid"),
                "Alex Admin",
                Role::Admin,
                &shared_hash,
            )
            .await?;
        let manager = self
            .store
            .create_user(
                &Email::parse(DEMO_MANAGER).expect("valid"),
                "Morgan Manager",
                Role::Manager,
                &shared_hash,
            )
            .await?;
        for person in &generator.people {
            self.store
                .create_user(&person.email, &person.name, Role::Participant, &shared_hash)
                .await?;
        }

        let programme = self
            .store
            .create_programme(&demo_programme(), Phase::Enrolling, None, Some(manager.id))
            .await?;
        let (juniors, seniors) = juniors_and_seniors(&generator.people);
        // Leave the first junior and senior unenrolled so a visitor can try the enrolment form.
        let mut rows = Vec::new();
        for email in juniors.iter().skip(1).step_by(3) {
            rows.push((email.key(), generator.profile(EnrolmentRole::Mentor)));
        }
        for email in seniors.iter().skip(1).step_by(2) {
            rows.push((email.key(), generator.profile(EnrolmentRole::Mentee)));
        }
        self.store.import_enrolments(programme.id, &rows).await?;
        self.audit(
            &admin,
            "demo.load",
            "organisation",
            &format!("{} people", generator.people.len()),
        )
        .await?;
        Ok(Some(DemoSummary {
            people: generator.people.len(),
            programme: programme.id,
        }))
    }
}

//! How long a matching run takes in the product: 2,000 mentors and 2,000 mentees enrolled
//! (eight sites in eight time zones, reporting chains, two or three weekly slots, one to four
//! of 40 topics), the run (loading the cohort, the engine, storing the proposal with every
//! explanation) and its publication (a pairing, a seat and two mails per pair, in one
//! transaction). Runs on SQLite, and on PostgreSQL too when `UPWARD_TEST_POSTGRES_URL` is set.
//! Prints the median of three, each on a fresh database.
//!
//! cargo bench -p upward-app --bench matching_run            (SIZE=5000 to change the size)

use std::time::Instant;

use upward_app::policy::Admin;
use upward_app::{App, Settings};
use upward_domain::*;
use upward_store::testing::{TestDatabase, backends};

mod support;

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
const DAYS: [&str; 5] = ["Mon", "Tue", "Wed", "Thu", "Fri"];

/// A small deterministic generator, so every run and engine sees the same cohort.
struct Numbers(u64);

impl Numbers {
    fn next(&mut self, below: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % below as u64) as usize
    }
}

/// The directory and the enrolment CSVs for `size` mentors and `size` mentees.
fn cohort(size: usize) -> (String, String) {
    let mut numbers = Numbers(2027);
    let mut people =
        String::from("email,name,job_level,manager_email,location,time_zone,birth_year\n");
    let mut enrolments = String::from("email,role,offers,interests,availability\n");
    for k in 0..size {
        let (site, zone) = SITES[numbers.next(SITES.len())];
        // Seniors report to one of the first fifty of them, so some juniors sit in their chains.
        let manager = if k < 50 {
            String::new()
        } else {
            format!("senior{}@bench.example", numbers.next(50))
        };
        people.push_str(&format!(
            "senior{k}@bench.example,Senior {k},{},{manager},{site},{zone},{}\n",
            10 + numbers.next(9),
            1960 + numbers.next(25)
        ));
        let (_, junior_zone) = SITES[numbers.next(SITES.len())];
        let boss = format!("senior{}@bench.example", numbers.next(size));
        people.push_str(&format!(
            "junior{k}@bench.example,Junior {k},{},{boss},{site},{junior_zone},{}\n",
            1 + numbers.next(6),
            1990 + numbers.next(14)
        ));
    }
    let topics = |numbers: &mut Numbers| {
        let mut chosen: Vec<usize> = (0..1 + numbers.next(4)).map(|_| numbers.next(40)).collect();
        chosen.sort_unstable();
        chosen.dedup();
        chosen
            .iter()
            .map(|t| format!("topic {t}:{}", 1 + numbers.next(5)))
            .collect::<Vec<_>>()
            .join(";")
    };
    let slots = |numbers: &mut Numbers, senior: bool| {
        (0..2 + numbers.next(2))
            .map(|_| {
                let hours: &[usize] = if senior {
                    &[7, 8, 12, 17]
                } else {
                    &[8, 9, 12, 13, 14, 15, 16, 17]
                };
                let start = hours[numbers.next(hours.len())];
                format!(
                    "{} {start:02}:00-{:02}:00",
                    DAYS[numbers.next(5)],
                    start + 1 + numbers.next(2)
                )
            })
            .collect::<Vec<_>>()
            .join(";")
    };
    for k in 0..size {
        let offers = topics(&mut numbers);
        let free = slots(&mut numbers, false);
        enrolments.push_str(&format!(
            "junior{k}@bench.example,mentor,{offers},,{free}\n"
        ));
        let wants = topics(&mut numbers);
        let free = slots(&mut numbers, true);
        enrolments.push_str(&format!("senior{k}@bench.example,mentee,,{wants},{free}\n"));
    }
    (people, enrolments)
}

async fn measure(label: &str, size: usize, people: &str, enrolments: &str) {
    let (mut runs, mut publications, mut pairs) = (Vec::new(), Vec::new(), 0);
    for _ in 0..3 {
        let db = TestDatabase::fresh(label).await;
        let app = App::new(db.store(), Settings::default()).expect("an app");
        let admin = Admin::command_line_operator();
        let manager = admin.as_manager();
        app.import_people(&admin, people.as_bytes())
            .await
            .expect("the directory");
        let programme =
            support::programme(&app, &manager, &[Phase::Enrolling, Phase::Matching]).await;
        app.import_enrolments(&manager, programme, enrolments.as_bytes())
            .await
            .expect("the enrolments");

        let started = Instant::now();
        let run = app
            .start_matching(&manager, programme, None, false)
            .await
            .expect("a run");
        app.execute_run(run.id, &|_, _| {}).await.expect("the run");
        runs.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        pairs = app
            .publish_run(&manager, run.id)
            .await
            .expect("publication")
            .len();
        publications.push(started.elapsed().as_secs_f64());
    }
    runs.sort_by(f64::total_cmp);
    publications.sort_by(f64::total_cmp);
    println!(
        "{label:>8}  {size} × {size}  {pairs} pairs  run median {:.2} s  publish median {:.2} s  total {:.2} s",
        runs[1],
        publications[1],
        runs[1] + publications[1]
    );
}

#[tokio::main]
async fn main() {
    if !support::benchmarking() {
        return;
    }
    let size = support::size("SIZE", 2_000);
    let (people, enrolments) = cohort(size);
    for backend in backends() {
        measure(backend, size, &people, &enrolments).await;
    }
}

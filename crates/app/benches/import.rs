//! How long a directory import takes: 100,000 people with a five-level reporting tree, parsed,
//! checked (duplicates, managers, cycles) and stored in one transaction. Runs on SQLite, and on
//! PostgreSQL too when `UPWARD_TEST_POSTGRES_URL` is set. Prints the median of three runs.
//!
//! cargo bench -p upward-app --bench import            (PEOPLE=20000 to change the size)

use std::time::Instant;

use upward_app::policy::Admin;
use upward_app::{App, Settings};
use upward_store::testing::{TestDatabase, backends};

mod support;

fn directory_csv(people: usize) -> Vec<u8> {
    let mut csv = String::from(
        "email,name,job_level,manager_email,department,location,time_zone,birth_year,gender\n",
    );
    let zones = [
        "Europe/London",
        "Europe/Paris",
        "America/New_York",
        "Asia/Singapore",
        "Australia/Sydney",
    ];
    for i in 0..people {
        // Person i reports to person (i - 1) / 8: a tree about six levels deep at 100,000.
        let manager = if i == 0 {
            String::new()
        } else {
            format!("person{}@bench.example", (i - 1) / 8)
        };
        let level = 20 - (i.max(1).ilog(8) as usize * 3).min(18);
        csv.push_str(&format!(
            "person{i}@bench.example,Person {i},{level},{manager},Dept {},Site {},{},{},\n",
            i % 40,
            i % 12,
            zones[i % zones.len()],
            1960 + i % 45
        ));
    }
    csv.into_bytes()
}

async fn measure(label: &str, csv: &[u8], people: usize, reimport: bool) {
    let mut times = Vec::new();
    for _ in 0..3 {
        let db = TestDatabase::fresh(label).await;
        let app = App::new(db.store(), Settings::default()).expect("an app");
        let admin = Admin::command_line_operator();
        if reimport {
            app.import_people(&admin, csv)
                .await
                .expect("the first import");
        }
        let started = Instant::now();
        let counts = app.import_people(&admin, csv).await.expect("the import");
        times.push(started.elapsed());
        assert_eq!((counts.added + counts.updated) as usize, people);
    }
    times.sort();
    let what = if reimport {
        "re-import (all updates)"
    } else {
        "fresh import"
    };
    println!(
        "{label:>8}  {people:>7} people  {what:<24} median {:>6.2} s  (runs: {})",
        times[1].as_secs_f64(),
        times
            .iter()
            .map(|t| format!("{:.2}", t.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

#[tokio::main]
async fn main() {
    if !support::benchmarking() {
        return;
    }
    let people = support::size("PEOPLE", 100_000);
    let csv = directory_csv(people);
    println!(
        "directory import benchmark: {people} people, {} MB of CSV",
        csv.len() / 1_000_000
    );
    for backend in backends() {
        measure(backend, &csv, people, false).await;
        measure(backend, &csv, people, true).await;
    }
}

//! How long a manager waits for early warning: the engagement of every active pairing of a
//! programme (`App::pairings_needing_attention`, which reads the pairings and all their
//! meetings and assesses each) with 5,000 active pairings and a year of fortnightly meetings
//! (26 each, 130,000 in all; a third of the mentees cancelled three of theirs), and one page of
//! the manager's pairings list with its engagement column. Runs on SQLite, and on PostgreSQL
//! too when `UPWARD_TEST_POSTGRES_URL` is set. The set-up goes through the use cases (matching,
//! consent, both accepting the schedule), so it takes a few minutes; the figures are the median
//! of three reads of the same database.
//!
//! cargo bench -p upward-app --bench engagement            (SIZE=1000 for a smaller run)

use std::time::Instant;

use jiff::civil::date;
use upward_app::meetings::OutcomeRequest;
use upward_app::policy::{Admin, Manager};
use upward_app::{App, PairingAction, Settings};
use upward_domain::*;
use upward_store::testing::{TestDatabase, backends};

mod support;

/// `size` juniors and `size` seniors in London, all free on weekday afternoons, so every
/// senior can be matched and every pair gets a series.
fn cohort(size: usize) -> (String, String) {
    let mut people = String::from("email,name,job_level,location,time_zone\n");
    let mut enrolments = String::from("email,role,offers,interests,availability\n");
    let free = "Mon 13:00-17:00;Tue 13:00-17:00;Wed 13:00-17:00";
    for k in 0..size {
        people.push_str(&format!(
            "junior{k}@bench.example,Junior {k},2,London,Europe/London\n\
             senior{k}@bench.example,Senior {k},14,London,Europe/London\n"
        ));
        let topic = k % 20;
        enrolments.push_str(&format!(
            "junior{k}@bench.example,mentor,topic {topic}:4,,{free}\n\
             senior{k}@bench.example,mentee,,topic {topic}:4,{free}\n"
        ));
    }
    (people, enrolments)
}

async fn programme(app: &App, manager: &Manager) -> ProgrammeId {
    let draft = ProgrammeDraft {
        name: "Engagement benchmark".into(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: date(2027, 1, 4),
        end_date: date(2027, 12, 31),
        cadence: Cadence {
            virtual_every_weeks: Some(2),
            in_person_every_months: None,
        },
        matching: MatchingSettings::default(),
        engagement: EngagementSettings::default(),
        meeting_places: vec![],
    };
    let id = app
        .create_programme(manager, &draft)
        .await
        .expect("a programme")
        .programme
        .id;
    for phase in [Phase::Enrolling, Phase::Matching] {
        app.change_phase(manager, id, phase).await.expect("a phase");
    }
    id
}

async fn set_up(app: &App, size: usize) -> (Manager, ProgrammeId, usize) {
    let admin = Admin::command_line_operator();
    let manager = admin.as_manager();
    let (people, enrolments) = cohort(size);
    app.import_people(&admin, people.as_bytes())
        .await
        .expect("the directory");
    let programme = programme(app, &manager).await;
    app.import_enrolments(&manager, programme, enrolments.as_bytes())
        .await
        .expect("the enrolments");
    let run = app
        .start_matching(&manager, programme, None, false)
        .await
        .expect("a run");
    app.execute_run(run.id, &|_, _| {}).await.expect("the run");
    let pairings = app
        .publish_run(&manager, run.id)
        .await
        .expect("publication");
    let user = |email: &Email| User {
        id: UserId(0),
        email: email.clone(),
        name: String::new(),
        role: Role::Participant,
    };
    let mut meetings = 0;
    for (k, pairing) in pairings.iter().enumerate() {
        let pair = [user(&pairing.mentor_email), user(&pairing.mentee_email)];
        for action in [PairingAction::Accept, PairingAction::Confirm] {
            for person in &pair {
                app.act_on_pairing(person, pairing.id, action, None)
                    .await
                    .expect("consent");
            }
        }
        for person in &pair {
            app.accept_schedule(person, pairing.id)
                .await
                .expect("a schedule");
        }
        let series = app
            .pairing_meetings(&pair[1], pairing.id)
            .await
            .expect("meetings");
        meetings += series.len();
        if k % 3 == 0 {
            for meeting in &series[..3] {
                let cancelled = OutcomeRequest {
                    status: "cancelled".into(),
                    cancelled_by: Some("mentee".into()),
                    minutes: None,
                    topics: None,
                    notes: Some("travelling".into()),
                    channel: None,
                    rescheduled: Some(false),
                };
                app.log_meeting(&pair[1], meeting.id, cancelled)
                    .await
                    .expect("a cancellation");
            }
        }
    }
    (manager, programme, meetings)
}

fn median(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[seconds.len() / 2]
}

async fn measure(label: &str, size: usize) {
    let db = TestDatabase::fresh(label).await;
    let app = App::new(db.store(), Settings::default()).expect("an app");
    let started = Instant::now();
    let (manager, programme, meetings) = set_up(&app, size).await;
    let setting_up = started.elapsed().as_secs_f64();
    let (mut everyone, mut page, mut flagged) = (Vec::new(), Vec::new(), 0);
    for _ in 0..3 {
        let started = Instant::now();
        flagged = app
            .pairings_needing_attention(&manager, programme)
            .await
            .expect("engagement")
            .len();
        everyone.push(started.elapsed().as_secs_f64());
        let started = Instant::now();
        app.programme_pairings_page(&manager, programme, None, 0, 100)
            .await
            .expect("a page");
        page.push(started.elapsed().as_secs_f64());
    }
    println!(
        "{label:>8}  {size} active pairings, {meetings} meetings, {flagged} flagged  \
         all statuses median {:.3} s  one page of 100 median {:.4} s  (set-up {setting_up:.0} s)",
        median(everyone),
        median(page),
    );
}

#[tokio::main]
async fn main() {
    if !support::benchmarking() {
        return;
    }
    let size = support::size("SIZE", 5_000);
    for backend in backends() {
        measure(backend, size).await;
    }
}

//! Shared set-up for the use-case tests: an admin, a directory and a programme in its matching
//! phase with enrolments, all through the same use cases an operator would call.
#![allow(dead_code)]

use jiff::civil::date;
use upward_app::App;
use upward_app::policy::{Admin, Manager};
use upward_domain::*;

/// A programme from January to June 2027 with the default settings.
pub fn draft(name: &str) -> ProgrammeDraft {
    ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: name.into(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: date(2027, 1, 4),
        end_date: date(2027, 6, 28),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    }
}

pub async fn admin(app: &App) -> Admin {
    let admin = app
        .create_account_as_operator("admin@x.org", "Ada Admin", Role::Admin, "a long password")
        .await
        .unwrap();
    Admin::check(&admin).unwrap()
}

/// A programme from January to June 2027 with the default settings, moved to its matching
/// phase, with the directory `people` and the enrolments `enrolments` imported (CSV).
pub async fn matching_programme(
    app: &App,
    admin: &Admin,
    name: &str,
    people: &str,
    enrolments: &str,
) -> (Manager, ProgrammeId) {
    app.import_people(admin, people.as_bytes()).await.unwrap();
    let manager = admin.as_manager();
    let programme = app
        .create_programme(&manager, &draft(name))
        .await
        .unwrap()
        .programme
        .id;
    for phase in [Phase::Enrolling, Phase::Matching] {
        app.change_phase(&manager, programme, phase).await.unwrap();
    }
    app.import_enrolments(&manager, programme, enrolments.as_bytes())
        .await
        .unwrap();
    (manager, programme)
}

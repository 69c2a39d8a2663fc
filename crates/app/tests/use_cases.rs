//! The use cases end to end on a real database (SQLite, and PostgreSQL when configured).

use jiff::civil::date;
use upward_app::policy::{Admin, Manager};
use upward_app::{App, AppError, Settings};
use upward_domain::*;
use upward_store::testing::TestDatabase;

const PEOPLE: &str =
    "email,name,job_level,manager_email,department,location,time_zone,birth_year,gender
ceo@x.org,Cleo CEO,20,,Board,London,Europe/London,1965,
jun@x.org,June Junior,3,ceo@x.org,Tech,Paris,Europe/Paris,2001,
other@x.org,Otto Other,3,ceo@x.org,Tech,Paris,Europe/Paris,2000,
";

async fn apps() -> Vec<(TestDatabase, App)> {
    let mut apps = Vec::new();
    for db in TestDatabase::each_backend().await {
        let app = App::new(db.store(), Settings::default()).unwrap();
        apps.push((db, app));
    }
    apps
}

async fn account(app: &App, email: &str, role: Role) -> User {
    app.create_account_as_operator(email, "Someone", role, "a long password")
        .await
        .unwrap()
}

fn draft() -> ProgrammeDraft {
    ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: "Digital fluency".into(),
        purpose: String::new(),
        objectives: vec![],
        learning_expectations: String::new(),
        start_date: date(2027, 1, 4),
        end_date: date(2027, 3, 1),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    }
}

fn mentee_profile() -> EnrolmentProfile {
    EnrolmentProfile {
        role: EnrolmentRole::Mentee,
        offers: TopicLevels::default(),
        interests: TopicLevels::parse("social media:5").unwrap(),
        availability: Availability::parse("Tue 07:30-08:30").unwrap(),
        channel: Channel::Virtual,
        preferred_time: PreferredTime::Morning,
        big_five: None,
        statement: String::new(),
    }
}

#[tokio::test]
async fn a_bad_people_file_changes_nothing_and_a_good_one_is_counted() {
    for (_db, app) in apps().await {
        let admin = Admin::check(&account(&app, "admin@x.org", Role::Admin).await).unwrap();
        let bad = format!("{PEOPLE}bad@x.org,Bad,3,nobody@x.org,,,UTC,,\n");
        let Err(AppError::ImportRejected(problems)) =
            app.import_people(&admin, bad.as_bytes()).await
        else {
            panic!("the bad file must be rejected");
        };
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 5);
        assert!(app.store.all_people().await.unwrap().is_empty());

        let counts = app.import_people(&admin, PEOPLE.as_bytes()).await.unwrap();
        assert_eq!((counts.added, counts.updated), (3, 0));
        let again = app.import_people(&admin, PEOPLE.as_bytes()).await.unwrap();
        assert_eq!((again.added, again.updated), (0, 3));
        let exported = app.export_people(&admin).await.unwrap();
        assert_eq!(String::from_utf8(exported).unwrap(), PEOPLE);
        let audit = app.store.audit_log(10, None).await.unwrap();
        assert_eq!(audit[0].action, "people.import");
        assert_eq!(audit[0].actor, "admin@x.org");
    }
}

#[tokio::test]
async fn enrolment_needs_an_open_programme_consent_and_a_directory_entry() {
    for (_db, app) in apps().await {
        let admin = Admin::check(&account(&app, "admin@x.org", Role::Admin).await).unwrap();
        app.import_people(&admin, PEOPLE.as_bytes()).await.unwrap();
        let manager = admin.as_manager();
        let ceo = account(&app, "ceo@x.org", Role::Participant).await;
        let stranger = account(&app, "stranger@x.org", Role::Participant).await;

        let view = app.create_programme(&manager, &draft()).await.unwrap();
        assert!(
            view.duration_warning.is_some(),
            "two months is shorter than recommended"
        );
        let id = view.programme.id;
        let refusal = async |who, consent| {
            app.enrol(who, id, &mentee_profile(), consent)
                .await
                .unwrap_err()
        };
        let hidden = refusal(&ceo, true).await;
        assert!(
            matches!(hidden, AppError::NotFound(_)),
            "drafts are invisible to participants: {hidden:?}"
        );

        app.change_phase(&manager, id, Phase::Enrolling)
            .await
            .unwrap();
        let no_consent = refusal(&ceo, false).await;
        assert!(
            matches!(&no_consent, AppError::Invalid(p) if p[0].field == "consent"),
            "{no_consent:?}"
        );
        let not_in_directory = refusal(&stranger, true).await;
        assert!(matches!(not_in_directory, AppError::Forbidden(_)));

        let enrolment = app.enrol(&ceo, id, &mentee_profile(), true).await.unwrap();
        assert_eq!(app.enrolment(&ceo, enrolment.id).await.unwrap(), enrolment);
        let peeking = app.enrolment(&stranger, enrolment.id).await.unwrap_err();
        assert!(
            matches!(peeking, AppError::NotFound(_)),
            "another participant's enrolment does not exist for them"
        );

        app.change_phase(&manager, id, Phase::Matching)
            .await
            .unwrap();
        let late = refusal(&ceo, true).await;
        assert!(matches!(late, AppError::Conflict(_)));
        let late_and_unfinished = refusal(&ceo, false).await;
        assert!(
            matches!(late_and_unfinished, AppError::Conflict(_)),
            "a closed programme is said first, before the answers' problems: {late_and_unfinished:?}"
        );
        app.withdraw(&ceo, id).await.unwrap();
        assert!(app.my_enrolment(&ceo, id).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn illegal_phase_moves_are_conflicts_and_legal_ones_are_audited() {
    for (_db, app) in apps().await {
        let manager = Manager::check(&account(&app, "m@x.org", Role::Manager).await).unwrap();
        let id = app
            .create_programme(&manager, &draft())
            .await
            .unwrap()
            .programme
            .id;
        let error = app
            .change_phase(&manager, id, Phase::Running)
            .await
            .unwrap_err();
        assert!(matches!(error, AppError::Conflict(_)));
        app.change_phase(&manager, id, Phase::Pilot).await.unwrap();
        let audit = app.store.audit_log(1, None).await.unwrap();
        assert_eq!(
            (audit[0].action.as_str(), audit[0].detail.as_str()),
            ("programme.phase", "draft → pilot")
        );

        let clone = app.clone_programme(&manager, id).await.unwrap().programme;
        assert_eq!(clone.cloned_from, Some(id));
        assert_eq!(clone.phase, Phase::Draft);
        assert_eq!(clone.draft.name, "Digital fluency (roll-out)");
        assert_eq!(clone.draft.matching, draft().matching);
    }
}

#[tokio::test]
async fn participants_cannot_act_as_managers() {
    for (_db, app) in apps().await {
        let participant = account(&app, "p@x.org", Role::Participant).await;
        assert!(matches!(
            Manager::check(&participant),
            Err(AppError::Forbidden(_))
        ));
        let manager = account(&app, "m@x.org", Role::Manager).await;
        assert!(matches!(
            Admin::check(&manager),
            Err(AppError::Forbidden(_))
        ));
    }
}

#[tokio::test]
async fn a_stranger_cannot_lock_an_account_and_guessing_slows_down() {
    for (_db, app) in apps().await {
        account(&app, "p@x.org", Role::Participant).await;
        assert!(
            app.log_in("P@x.org", "a long password", "owner")
                .await
                .is_ok(),
            "emails ignore case"
        );
        for _ in 0..5 {
            assert!(matches!(
                app.log_in("p@x.org", "wrong", "stranger").await,
                Err(AppError::Forbidden(_))
            ));
        }
        // The stranger is refused for this account for the whole window, even with the
        // right password...
        let Err(AppError::TooManyAttempts {
            retry_after_seconds,
        }) = app.log_in("p@x.org", "a long password", "stranger").await
        else {
            panic!("the stranger must be refused");
        };
        assert_eq!(retry_after_seconds, 15 * 60);
        // ...while the owner, elsewhere, waits seconds, not a quarter of an hour.
        match app.log_in("p@x.org", "a long password", "owner").await {
            Ok(_) => {}
            Err(AppError::TooManyAttempts {
                retry_after_seconds,
            }) => assert!(retry_after_seconds <= 2, "{retry_after_seconds}"),
            Err(other) => panic!("{other:?}"),
        }
        // Each further failure doubles the wait, up to the window.
        assert_eq!(
            (5..9)
                .map(upward_app::auth::account_delay)
                .collect::<Vec<_>>(),
            [2, 4, 8, 16]
        );
        assert_eq!(upward_app::auth::account_delay(40), 15 * 60);
    }
}

#[tokio::test]
async fn one_client_spraying_one_password_over_many_emails_is_stopped() {
    for (_db, app) in apps().await {
        account(&app, "p@x.org", Role::Participant).await;
        for k in 0..30 {
            let email = format!("guess{k}@x.org");
            assert!(matches!(
                app.log_in(&email, "Summer2026!", "sprayer").await,
                Err(AppError::Forbidden(_))
            ));
        }
        assert!(matches!(
            app.log_in("p@x.org", "a long password", "sprayer").await,
            Err(AppError::TooManyAttempts { .. })
        ));
        assert!(
            app.log_in("p@x.org", "a long password", "someone else")
                .await
                .is_ok(),
            "other clients are not affected"
        );
    }
}

#[tokio::test]
async fn starting_a_session_sweeps_expired_ones() {
    for (_db, app) in apps().await {
        let user = account(&app, "p@x.org", Role::Participant).await;
        let past = jiff::Timestamp::now() - jiff::ToSpan::hours(1);
        app.store
            .create_session("stale", user.id, past)
            .await
            .unwrap();
        let token = app.start_session(&user).await.unwrap();
        assert_eq!(
            app.store
                .delete_expired_sessions(jiff::Timestamp::now())
                .await
                .unwrap(),
            0,
            "already swept"
        );
        assert_eq!(app.session_user(&token).await.unwrap(), Some(user));
    }
}

#[tokio::test]
async fn the_demo_loads_once_with_an_enrolling_programme() {
    for (_db, app) in apps().await {
        let summary = app.load_demo().await.unwrap().expect("first load");
        assert!(
            (280..=320).contains(&summary.people),
            "{} people",
            summary.people
        );
        let programme = app.store.programme(summary.programme).await.unwrap();
        assert_eq!(programme.phase, Phase::Enrolling);
        let enrolments = app
            .store
            .programme_enrolments(summary.programme)
            .await
            .unwrap();
        assert!(
            enrolments
                .iter()
                .any(|e| e.profile.role == EnrolmentRole::Mentor)
        );
        assert!(
            enrolments
                .iter()
                .any(|e| e.profile.role == EnrolmentRole::Mentee)
        );
        assert!(
            app.load_demo().await.unwrap().is_none(),
            "a second load changes nothing"
        );
        let (junior, _senior) = upward_app::demo::demo_participants();
        let junior = app
            .log_in(junior.as_str(), upward_app::demo::DEMO_PASSWORD, "test")
            .await
            .unwrap();
        assert!(
            app.my_enrolment(&junior, summary.programme)
                .await
                .unwrap()
                .is_none()
        );
    }
}

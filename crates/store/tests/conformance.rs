//! The store's contract, checked on SQLite and (when `UPWARD_TEST_POSTGRES_URL` is set) on
//! PostgreSQL: both engines must behave the same.

use jiff::{Timestamp, ToSpan, civil::date};
use sqlx::{Connection, Row};
use upward_domain::*;
use upward_store::testing::{POSTGRES_URL_VARIABLE, TestDatabase};
use upward_store::{NewAuditEntry, Store, StoreError};

fn person(email: &str, level: i64, manager: Option<&str>) -> Person {
    Person {
        email: Email::parse(email).unwrap(),
        name: format!("Name of {email}"),
        job_level: JobLevel::new(level).unwrap(),
        manager_email: manager.map(|m| Email::parse(m).unwrap()),
        department: Some("Engineering".into()),
        location: None,
        time_zone: TimeZoneName::parse("Europe/London").unwrap(),
        birth_year: Some(BirthYear::new(1990, 2026).unwrap()),
        gender: None,
    }
}

/// `count` people, person0@x.org onwards, all at the same level with no manager.
fn numbered_people(count: usize) -> Vec<Person> {
    (0..count)
        .map(|n| person(&format!("person{n}@x.org"), 3, None))
        .collect()
}

fn draft(name: &str) -> ProgrammeDraft {
    ProgrammeDraft {
        engagement: Default::default(),
        meeting_places: vec![],
        name: name.into(),
        purpose: "Digital fluency for the board".into(),
        objectives: Objective::parse_list("tech-upskilling,inclusion").unwrap(),
        learning_expectations: String::new(),
        start_date: date(2027, 1, 4),
        end_date: date(2027, 9, 30),
        cadence: Cadence::default(),
        matching: MatchingSettings::default(),
    }
}

fn mentor_profile() -> EnrolmentProfile {
    EnrolmentProfile {
        role: EnrolmentRole::Mentor,
        offers: TopicLevels::parse("social media:5;generative ai:3").unwrap(),
        interests: TopicLevels::default(),
        availability: Availability::parse("Mon 08:00-10:00;Thu 17:00-18:30").unwrap(),
        channel: Channel::Either,
        preferred_time: PreferredTime::Evening,
        big_five: Some(BigFive::from_scores([4.0, 3.5, 2.0, 4.5, 2.5]).unwrap()),
        statement: "I can show you TikTok".into(),
    }
}

async fn each(test: impl AsyncFn(&dyn Store)) {
    for db in TestDatabase::each_backend().await {
        eprintln!("backend: {}", db.label());
        test(db.store.as_ref()).await;
    }
}

#[tokio::test]
async fn people_round_trip_and_reimport_updates_by_email_ignoring_case() {
    each(async |store| {
        // The report comes before the manager: the reference is checked at commit.
        let first = [
            person("Ann@x.org", 3, Some("boss@x.org")),
            person("boss@x.org", 15, None),
        ];
        let counts = store.upsert_people(&first).await.unwrap();
        assert_eq!((counts.added, counts.updated), (2, 0));

        let mut changed = person("ann@X.org", 4, Some("boss@x.org"));
        changed.department = None;
        let counts = store
            .upsert_people(&[changed, person("new@x.org", 2, None)])
            .await
            .unwrap();
        assert_eq!((counts.added, counts.updated), (1, 1));

        let ann = store.person("ann@x.org").await.unwrap().unwrap();
        assert_eq!(ann.job_level.get(), 4);
        assert_eq!(ann.department, None);
        assert_eq!(ann.manager_email.unwrap().as_str(), "boss@x.org");
        assert_eq!(ann.birth_year.unwrap().get(), 1990);
        assert_eq!(store.all_people().await.unwrap().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn an_unknown_manager_rolls_back_the_whole_batch() {
    each(async |store| {
        let batch = [
            person("a@x.org", 3, None),
            person("b@x.org", 3, Some("ghost@x.org")),
        ];
        let error = store.upsert_people(&batch).await.unwrap_err();
        assert!(matches!(error, StoreError::Invalid { .. }), "{error:?}");
        assert!(store.all_people().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_directory_search_pages_and_escapes_wildcards() {
    each(async |store| {
        let people: Vec<Person> = (0..30)
            .map(|i| person(&format!("p{i:02}@x.org"), 5, None))
            .collect();
        store.upsert_people(&people).await.unwrap();
        let page = store.people_page("", 10, 10).await.unwrap();
        assert_eq!((page.total, page.people.len()), (30, 10));
        assert_eq!(page.people[0].email.as_str(), "p10@x.org");
        assert_eq!(store.people_page("P2", 0, 50).await.unwrap().total, 10);
        assert_eq!(store.people_page("%", 0, 50).await.unwrap().total, 0);
    })
    .await;
}

#[tokio::test]
async fn the_kept_counts_of_people_and_accounts_follow_every_change() {
    each(async |store| {
        let people: Vec<Person> = (0..30)
            .map(|i| person(&format!("p{i:02}@x.org"), 5, None))
            .collect();
        store.upsert_people(&people).await.unwrap();
        let mut again = people.clone();
        again.push(person("new@x.org", 5, None));
        store.upsert_people(&again).await.unwrap();
        let directory = async || store.people_page("", 0, 1).await.unwrap().total;
        assert_eq!(directory().await, 31, "an upsert that updates adds nothing");

        let mut accounts = Vec::new();
        for (email, role) in [
            ("p00@x.org", Role::Admin),
            ("p01@x.org", Role::Manager),
            ("p02@x.org", Role::Participant),
            ("p03@x.org", Role::Participant),
        ] {
            let email = Email::parse(email).unwrap();
            accounts.push(store.create_user(&email, "A", role, "h").await.unwrap());
        }
        let counted = async |role| store.users_page("", role, 0, 1).await.unwrap().1;
        assert_eq!(counted(None).await, 4);
        assert_eq!(counted(Some(Role::Participant)).await, 2);
        store
            .set_user_role(accounts[2].id, Role::Manager)
            .await
            .unwrap();
        assert_eq!(counted(Some(Role::Participant)).await, 1);
        assert_eq!(counted(Some(Role::Manager)).await, 2);

        store.erase_person("p03@x.org").await.unwrap();
        let everyone = store.all_people().await.unwrap().len() as i64;
        assert_eq!(directory().await, everyone, "erasing leaves a placeholder");
        assert_eq!(counted(None).await, 3);
        assert_eq!(counted(Some(Role::Participant)).await, 0);
        // A search counts what it finds, not the kept totals.
        assert_eq!(store.users_page("p0", None, 0, 1).await.unwrap().1, 3);
    })
    .await;
}

#[tokio::test]
async fn phase_changes_are_conditional_on_the_current_phase() {
    each(async |store| {
        let programme = store
            .create_programme(&draft("Pilot"), Phase::Draft, None, None)
            .await
            .unwrap();
        assert_eq!(programme.draft, draft("Pilot"));
        let moved = store
            .change_phase(programme.id, Phase::Draft, Phase::Enrolling)
            .await
            .unwrap();
        assert_eq!(moved.phase, Phase::Enrolling);
        let stale = store
            .change_phase(programme.id, Phase::Draft, Phase::Pilot)
            .await
            .unwrap_err();
        assert!(matches!(stale, StoreError::Conflict { .. }), "{stale:?}");
        let missing = store.programme(ProgrammeId(9999)).await.unwrap_err();
        assert!(matches!(missing, StoreError::NotFound { .. }));
    })
    .await;
}

#[tokio::test]
async fn a_programme_is_read_with_whether_the_account_manages_it() {
    each(async |store| {
        let creator = store
            .create_user(&Email::parse("pm@x.org").unwrap(), "PM", Role::Manager, "h")
            .await
            .unwrap();
        let other = store
            .create_user(
                &Email::parse("pm2@x.org").unwrap(),
                "PM 2",
                Role::Manager,
                "h",
            )
            .await
            .unwrap();
        let programme = store
            .create_programme(&draft("Pilot"), Phase::Draft, None, Some(creator.id))
            .await
            .unwrap();
        let read = |user| store.programme_and_whether_managed(programme.id, user);
        assert_eq!(read(creator.id).await.unwrap(), (programme.clone(), true));
        assert_eq!(read(other.id).await.unwrap(), (programme.clone(), false));
        store
            .add_programme_manager(programme.id, other.id, "pm@x.org")
            .await
            .unwrap();
        assert!(read(other.id).await.unwrap().1, "a co-manager manages it");
        let missing = store
            .programme_and_whether_managed(ProgrammeId(9999), creator.id)
            .await
            .unwrap_err();
        assert!(
            matches!(missing, StoreError::NotFound { .. }),
            "{missing:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn co_manager_candidates_are_the_manager_accounts_not_yet_running_the_programme() {
    each(async |store| {
        let account = |email: &'static str, role| async move {
            store
                .create_user(&Email::parse(email).unwrap(), email, role, "h")
                .await
                .unwrap()
        };
        let creator = account("pm@x.org", Role::Manager).await;
        let co_manager = account("co@x.org", Role::Manager).await;
        account("b-free@x.org", Role::Manager).await;
        account("a-free@x.org", Role::Manager).await;
        account("admin@x.org", Role::Admin).await;
        account("alice@x.org", Role::Participant).await;
        let programme = store
            .create_programme(&draft("Pilot"), Phase::Draft, None, Some(creator.id))
            .await
            .unwrap();
        store
            .add_programme_manager(programme.id, co_manager.id, "pm@x.org")
            .await
            .unwrap();
        let emails = |limit| async move {
            let found = store.co_manager_candidates(programme.id, limit).await;
            let found = found.unwrap().into_iter().map(|u| u.email.to_string());
            found.collect::<Vec<_>>()
        };
        assert_eq!(emails(10).await, ["a-free@x.org", "b-free@x.org"]);
        assert_eq!(emails(1).await, ["a-free@x.org"]);
    })
    .await;
}

#[tokio::test]
async fn the_audit_trail_is_paged_with_kept_totals_for_admins_and_for_each_manager() {
    each(async |store| {
        let email = Email::parse("pm@x.org").unwrap();
        let manager = store
            .create_user(&email, "PM", Role::Manager, "h")
            .await
            .unwrap();
        let mut programmes = Vec::new();
        for name in ["A", "B"] {
            programmes.push(
                store
                    .create_programme(&draft(name), Phase::Draft, None, None)
                    .await
                    .unwrap()
                    .id,
            );
        }
        store
            .add_programme_manager(programmes[0], manager.id, "admin@x.org")
            .await
            .unwrap();
        let (before, total_before) = store.audit_page(None, 0, 100).await.unwrap();
        let (_, managed_before) = store.audit_page(Some(manager.id), 0, 100).await.unwrap();
        for (subject, programme) in [
            ("first", Some(programmes[0])),
            ("second", Some(programmes[1])),
            ("third", None),
            ("fourth", Some(programmes[0])),
        ] {
            store
                .record_audit(&NewAuditEntry {
                    actor: "admin@x.org",
                    action: "test",
                    subject,
                    detail: "",
                    programme,
                })
                .await
                .unwrap();
        }
        assert_eq!(total_before, before.len() as i64);
        let (page, total) = store.audit_page(None, 0, 2).await.unwrap();
        assert_eq!(total, total_before + 4);
        let subjects: Vec<&str> = page.iter().map(|e| e.subject.as_str()).collect();
        assert_eq!(
            subjects,
            ["fourth", "third"],
            "newest first, a page at a time"
        );

        let (page, total) = store.audit_page(Some(manager.id), 0, 100).await.unwrap();
        assert_eq!(total, managed_before + 2, "only programme A's");
        let subjects: Vec<&str> = page.iter().take(2).map(|e| e.subject.as_str()).collect();
        assert_eq!(subjects, ["fourth", "first"]);
        assert_eq!(page.len() as i64, total);
        let (second_page, _) = store.audit_page(Some(manager.id), 1, 1).await.unwrap();
        assert_eq!(second_page[0].subject, page[1].subject);
    })
    .await;
}

/// No store method deletes audit entries or moves them to another programme, but an operator
/// may (removing a test programme's trail by hand, say): migration 0021's triggers must keep
/// the totals right then too, on both engines.
#[tokio::test]
async fn audit_totals_follow_entries_deleted_or_moved_by_hand() {
    use sqlx::{Connection, Executor};
    for db in TestDatabase::each_backend().await {
        eprintln!("backend: {}", db.label());
        let store: &dyn Store = db.store.as_ref();
        let mut programmes = Vec::new();
        for name in ["A", "B"] {
            let programme = store
                .create_programme(&draft(name), Phase::Draft, None, None)
                .await
                .unwrap();
            programmes.push(programme.id);
        }
        for (subject, programme) in [
            ("one", Some(programmes[0])),
            ("two", Some(programmes[0])),
            ("three", Some(programmes[1])),
            ("four", None),
        ] {
            let entry = NewAuditEntry {
                actor: "admin@x.org",
                action: "test",
                subject,
                detail: "",
                programme,
            };
            store.record_audit(&entry).await.unwrap();
        }
        let mut raw = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        for statement in [
            "DELETE FROM audit_log WHERE subject = 'one'",
            &format!(
                "UPDATE audit_log SET programme_id = {} WHERE subject = 'two'",
                programmes[1].0
            ),
            "UPDATE audit_log SET programme_id = NULL WHERE subject = 'three'",
            // Not a move: the counts must not change.
            "UPDATE audit_log SET detail = 'edited' WHERE subject = 'four'",
        ] {
            raw.execute(sqlx::AssertSqlSafe(statement.to_owned()))
                .await
                .unwrap();
        }
        let count = async |raw: &mut sqlx::AnyConnection, sql: String| -> i64 {
            let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                .fetch_one(raw)
                .await
                .unwrap();
            sqlx::Row::get(&row, 0)
        };
        let (a, b) = (programmes[0].0, programmes[1].0);
        for (key, filter) in [
            (a, format!("programme_id = {a}")),
            (b, format!("programme_id = {b}")),
            (0, "programme_id IS NULL".to_owned()),
        ] {
            let kept = format!("SELECT n FROM audit_counts WHERE programme_id = {key}");
            let actual = format!("SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log WHERE {filter}");
            assert_eq!(
                count(&mut raw, kept).await,
                count(&mut raw, actual).await,
                "{filter}"
            );
        }
        let (_, total) = store.audit_page(None, 0, 1).await.unwrap();
        let actual = "SELECT CAST(COUNT(*) AS BIGINT) FROM audit_log".to_owned();
        assert_eq!(total, count(&mut raw, actual).await);
        raw.close().await.unwrap();
    }
}

#[tokio::test]
async fn enrolments_are_saved_replaced_and_listed_with_their_counts() {
    each(async |store| {
        store
            .upsert_people(&[person("m@x.org", 3, None)])
            .await
            .unwrap();
        let programme = store
            .create_programme(&draft("P"), Phase::Enrolling, None, None)
            .await
            .unwrap();
        let mut changed = mentor_profile();
        changed.big_five = None;
        // Without scores first, then with, then without again: each save must take the
        // prepared statement for its own kind of profile (PostgreSQL would refuse a number in a
        // statement prepared for the NULLs).
        store
            .save_enrolment(programme.id, "m@x.org", &changed)
            .await
            .unwrap();
        let saved = store
            .save_enrolment(programme.id, "m@x.org", &mentor_profile())
            .await
            .unwrap();
        assert_eq!(saved.profile, mentor_profile());
        let again = store
            .save_enrolment(programme.id, "m@x.org", &changed)
            .await
            .unwrap();
        assert_eq!(again.id, saved.id);
        assert_eq!(again.profile.big_five, None);
        let summary = &store.list_programmes().await.unwrap()[0];
        assert_eq!((summary.mentors, summary.mentees), (1, 0));
        let unknown = store
            .save_enrolment(programme.id, "ghost@x.org", &changed)
            .await
            .unwrap_err();
        assert!(matches!(unknown, StoreError::Invalid { .. }), "{unknown:?}");

        // Someone who left keeps their row in the directory, and may not enrol.
        let (leaver, _) = store.scim_users(Some("m@x.org"), 0, 1).await.unwrap();
        store.delete_scim_user(leaver[0].id).await.unwrap();
        let left = store
            .save_enrolment(programme.id, "m@x.org", &mentor_profile())
            .await
            .unwrap_err();
        assert!(matches!(left, StoreError::Invalid { .. }), "{left:?}");
    })
    .await;
}

#[tokio::test]
async fn sessions_expire_and_duplicate_accounts_conflict() {
    each(async |store| {
        let email = Email::parse("admin@x.org").unwrap();
        let user = store
            .create_user(&email, "Admin", Role::Admin, "hash")
            .await
            .unwrap();
        let duplicate = store
            .create_user(
                &Email::parse("ADMIN@x.org").unwrap(),
                "A",
                Role::Manager,
                "h",
            )
            .await;
        assert!(matches!(duplicate, Err(StoreError::Conflict { .. })));

        let now = Timestamp::now();
        store
            .create_session("t1", user.id, now + 1.hour())
            .await
            .unwrap();
        assert_eq!(store.session("t1", now).await.unwrap().unwrap(), user);
        assert!(
            store
                .session("t1", now + 2.hours())
                .await
                .unwrap()
                .is_none()
        );
        store.set_password_hash(user.id, "new").await.unwrap();
        assert!(
            store.session("t1", now).await.unwrap().is_none(),
            "a new password ends sessions"
        );
    })
    .await;
}

#[tokio::test]
async fn an_api_token_works_until_it_expires() {
    each(async |store| {
        let email = Email::parse("t@x.org").unwrap();
        let user = store
            .create_user(&email, "T", Role::Participant, "h")
            .await
            .unwrap();
        let now = Timestamp::now();
        store
            .create_api_token("live", user.id, "script", now + 1.hour())
            .await
            .unwrap();
        store
            .create_api_token("old", user.id, "script", now - 1.second())
            .await
            .unwrap();
        assert_eq!(
            store.api_token_user("live", now).await.unwrap().unwrap().id,
            user.id
        );
        assert!(
            store.api_token_user("old", now).await.unwrap().is_none(),
            "expired"
        );
        assert!(
            store
                .api_token_user("live", now + 2.hours())
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.api_tokens(user.id).await.unwrap().len(), 2);
    })
    .await;
}

#[tokio::test]
async fn enrolment_counts_follow_every_change_to_enrolments() {
    each(async |store| {
        let people: Vec<Person> = ["a@x.org", "b@x.org", "c@x.org"]
            .iter()
            .map(|email| person(email, 3, None))
            .collect();
        store.upsert_people(&people).await.unwrap();
        let programme = store
            .create_programme(&draft("P"), Phase::Enrolling, None, None)
            .await
            .unwrap()
            .id;
        let counts = async || {
            let listed = &store.list_programmes().await.unwrap()[0];
            let counted = store.enrolment_counts(programme).await.unwrap();
            assert_eq!((listed.mentors, listed.mentees), counted);
            counted
        };
        let mut mentee = mentor_profile();
        mentee.role = EnrolmentRole::Mentee;
        mentee.offers = TopicLevels::default();
        mentee.interests = TopicLevels::parse("cloud:4").unwrap();

        let a = store
            .save_enrolment(programme, "a@x.org", &mentor_profile())
            .await
            .unwrap();
        store
            .import_enrolments(
                programme,
                &[
                    ("b@x.org".into(), mentor_profile()),
                    ("c@x.org".into(), mentee.clone()),
                ],
            )
            .await
            .unwrap();
        assert_eq!(counts().await, (2, 1));
        // Saved again as it is, then as the other role.
        store
            .save_enrolment(programme, "a@x.org", &mentor_profile())
            .await
            .unwrap();
        assert_eq!(counts().await, (2, 1));
        store
            .save_enrolment(programme, "a@x.org", &mentee)
            .await
            .unwrap();
        assert_eq!(counts().await, (1, 2));
        store.withdraw_enrolment(a.id).await.unwrap();
        assert_eq!(counts().await, (1, 1));
        // Enrolling again brings a withdrawn enrolment back.
        store
            .save_enrolment(programme, "a@x.org", &mentor_profile())
            .await
            .unwrap();
        assert_eq!(counts().await, (2, 1));
        // Erasure keeps the enrolment (without the person), so the programme's figures stay.
        store.erase_person("b@x.org").await.unwrap();
        assert_eq!(counts().await, (2, 1));
    })
    .await;
}

#[tokio::test]
async fn programmes_are_read_with_the_persons_own_enrolments_in_one_go() {
    each(async |store| {
        let people: Vec<Person> = ["a@x.org", "b@x.org"]
            .iter()
            .map(|email| person(email, 3, None))
            .collect();
        store.upsert_people(&people).await.unwrap();
        let mut programmes = Vec::new();
        for name in ["A", "B", "C"] {
            let draft = draft(name);
            let created = store.create_programme(&draft, Phase::Enrolling, None, None);
            programmes.push(created.await.unwrap().id);
        }
        for (email, programme) in [("a@x.org", 0), ("a@x.org", 1), ("b@x.org", 2)] {
            store
                .save_enrolment(programmes[programme], email, &mentor_profile())
                .await
                .unwrap();
        }
        let withdrawn = store.person_enrolments("a@x.org").await.unwrap()[1].id;
        store.withdraw_enrolment(withdrawn).await.unwrap();

        let read = store
            .programmes_with_own_enrolment("a@x.org")
            .await
            .unwrap();
        let summaries: Vec<_> = read.iter().map(|(summary, _)| summary.clone()).collect();
        let listed = store.list_programmes().await.unwrap();
        assert_eq!(
            format!("{summaries:?}"),
            format!("{listed:?}"),
            "every programme, in the list's order, with its counts"
        );
        let enrolled: Vec<_> = read
            .iter()
            .map(|(s, e)| (s.programme.id, e.clone()))
            .collect();
        let own = store.person_enrolments("a@x.org").await.unwrap();
        assert_eq!(
            own.len(),
            1,
            "the withdrawn one is not the person's any more"
        );
        assert_eq!(
            enrolled,
            vec![
                (programmes[2], None),
                (programmes[1], None),
                (programmes[0], Some(own[0].clone()))
            ],
            "only the person's own enrolment, beside its programme"
        );
    })
    .await;
}

/// What PostgreSQL's planner takes a table's row count to be: -1 for a table it has never
/// sampled, which it plans with default guesses.
async fn planned_rows(url: &str, table: &str) -> f32 {
    let mut connection = sqlx::AnyConnection::connect(url).await.unwrap();
    let row = sqlx::query("SELECT reltuples FROM pg_class WHERE relname = $1")
        .bind(table.to_owned())
        .fetch_one(&mut connection)
        .await
        .unwrap();
    row.try_get::<f32, _>("reltuples").unwrap()
}

/// After a bulk change PostgreSQL knows the changed table's size at once, and has its rows
/// marked visible to all (decision 034). SQLite keeps no statistics, on purpose.
#[tokio::test]
async fn a_directory_import_leaves_postgresql_knowing_how_many_people_there_are() {
    let Ok(server) = std::env::var(POSTGRES_URL_VARIABLE) else {
        return;
    };
    let db = TestDatabase::postgres(&server).await;
    assert_eq!(planned_rows(&db.url, "people").await, -1.0, "never sampled");
    let people = numbered_people(250);
    db.store().upsert_people(&people).await.unwrap();
    assert_eq!(planned_rows(&db.url, "people").await, 250.0);
    let mut connection = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    let row = sqlx::query(
        "SELECT CAST(relpages AS BIGINT) AS pages, CAST(relallvisible AS BIGINT) AS visible
           FROM pg_class WHERE relname = 'people'",
    )
    .fetch_one(&mut connection)
    .await
    .unwrap();
    let (pages, visible): (i64, i64) = (row.get("pages"), row.get("visible"));
    assert!(
        pages > 0 && visible == pages,
        "vacuumed: {visible} of {pages} pages all visible"
    );
}

/// A bulk change writes each kept count once, at its end, not once per row: PostgreSQL steps
/// over every version of a row its transaction wrote, so writing the count per row made a
/// 100,000-person import quadratic (decision 035). The counts themselves are checked on both
/// engines by the tests above.
#[tokio::test]
async fn imports_write_their_kept_counts_once_on_postgresql() {
    let Ok(server) = std::env::var(POSTGRES_URL_VARIABLE) else {
        return;
    };
    let db = TestDatabase::postgres(&server).await;
    let store = db.store();
    // Lines 1-4 hold the four counts; one write puts the people count's new version on line 5.
    let before = db
        .row_position("row_counts", "true ORDER BY ctid DESC LIMIT 1")
        .await;
    let people = numbered_people(250);
    store.upsert_people(&people).await.unwrap();
    let after = db.row_position("row_counts", "name = 'people'").await;
    assert!(
        after.0 == before.0 && after.1 <= before.1 + 1,
        "the people count moved to {after:?}, the last line having been {before:?}"
    );
    assert_eq!(store.people_page("", 0, 1).await.unwrap().total, 250);

    let programme = store
        .create_programme(&draft("P"), Phase::Enrolling, None, None)
        .await
        .unwrap()
        .id;
    let enrolled = async || {
        db.row_position("programmes", &format!("id = {}", programme.0))
            .await
    };
    let before = enrolled().await;
    let rows: Vec<(String, EnrolmentProfile)> = people
        .iter()
        .map(|person| (person.email.key(), mentor_profile()))
        .collect();
    store.import_enrolments(programme, &rows).await.unwrap();
    let after = enrolled().await;
    assert!(
        after.0 == before.0 && after.1 <= before.1 + 1,
        "the programme's counts moved from {before:?} to {after:?}"
    );
    assert_eq!(store.enrolment_counts(programme).await.unwrap(), (250, 0));
    // Counting is back on once the import is over.
    let first = store.programme_enrolments(programme).await.unwrap()[0].id;
    store.withdraw_enrolment(first).await.unwrap();
    assert_eq!(store.enrolment_counts(programme).await.unwrap(), (249, 0));
}

/// Saves that race an import into the same programme are all counted, whichever finishes first
/// (on PostgreSQL the import recounts at its end, decision 035), and the import reports only its
/// own rows.
#[tokio::test]
async fn enrolments_saved_during_an_import_are_counted() {
    each(async |store| {
        let people = numbered_people(400);
        store.upsert_people(&people).await.unwrap();
        let programme = store
            .create_programme(&draft("P"), Phase::Enrolling, None, None)
            .await
            .unwrap()
            .id;
        let (imported, saved) = people.split_at(300);
        let rows: Vec<(String, EnrolmentProfile)> = imported
            .iter()
            .map(|person| (person.email.key(), mentor_profile()))
            .collect();
        let saves = async {
            for person in saved {
                store
                    .save_enrolment(programme, &person.email.key(), &mentor_profile())
                    .await
                    .unwrap();
            }
        };
        let (import, ()) = tokio::join!(store.import_enrolments(programme, &rows), saves);
        let import = import.unwrap();
        assert_eq!(
            (import.added, import.updated),
            (300, 0),
            "only its own rows"
        );
        let enrolled = store.programme_enrolments(programme).await.unwrap().len() as i64;
        assert_eq!(enrolled, 400);
        assert_eq!(
            store.enrolment_counts(programme).await.unwrap(),
            (enrolled, 0)
        );
    })
    .await;
}

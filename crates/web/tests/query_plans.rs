//! Participant routes do work bounded by the participant's own data: every SQL statement a
//! participant's page or API call runs is captured (from sqlx's statement log) and put through
//! SQLite's `EXPLAIN QUERY PLAN`; a full scan of a table that grows with the organisation
//! (people, enrolments, pairings, accounts) fails the test, naming the statement. Not timed:
//! the plan is what grows, so the plan is what is checked. The routes the scale benchmark drives
//! are also held to a number of statements each, the round trips PostgreSQL charges for.

mod common;

use std::sync::{Arc, Mutex, OnceLock};

use axum::http::{Method, StatusCode};
use common::World;
use sqlx::{Connection, Row};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, SubscriberExt};
use upward_store::testing::TestDatabase;

/// Tables whose size is the organisation's.
const GROWING: [&str; 10] = [
    "people",
    "enrolments",
    "pairings",
    "users",
    "matching_runs",
    "meetings",
    "schedules",
    "goals",
    "agreement_signatures",
    "calendar_feeds",
];

#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Statement(Option<String>);
        impl Visit for Statement {
            fn record_str(&mut self, field: &Field, value: &str) {
                if field.name() == "db.statement" {
                    self.0 = Some(value.to_owned());
                }
            }
            fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
                if field.name() == "db.statement" {
                    self.0 = Some(format!("{value:?}"));
                }
            }
        }
        let mut statement = Statement(None);
        event.record(&mut statement);
        if let Some(sql) = statement.0 {
            self.0.lock().unwrap().push(sql);
        }
    }
}

/// The statements captured process-wide; the subscriber is installed once.
static CAPTURED: OnceLock<Statements> = OnceLock::new();
/// Under `cargo test` the tests of this file share one process, and so the one subscriber:
/// each holds this while it captures, so that no test reads another's statements. (Under
/// nextest each test has a process of its own.)
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Statements captured for one test, which holds the capture until it is dropped.
struct Capture {
    statements: Statements,
    _alone: tokio::sync::MutexGuard<'static, ()>,
}

impl Statements {
    /// Captures every statement run from now on in this test's process.
    async fn capture() -> Capture {
        let alone = ONE_AT_A_TIME.lock().await;
        let statements = CAPTURED
            .get_or_init(|| {
                let statements = Self::default();
                tracing::subscriber::set_global_default(
                    tracing_subscriber::registry().with(statements.clone()),
                )
                .unwrap();
                statements
            })
            .clone();
        statements.take();
        Capture {
            statements,
            _alone: alone,
        }
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl std::ops::Deref for Capture {
    type Target = Statements;
    fn deref(&self) -> &Statements {
        &self.statements
    }
}

#[tokio::test]
async fn participant_routes_never_scan_a_table_that_grows_with_the_organisation() {
    let statements = Statements::capture().await;
    let world = World::new(TestDatabase::sqlite().await).await;
    let alice = world.browser(&world.alice).await;
    // Alice in a pair under way: a settled schedule, a goal, a signature and a feed.
    let (token, _, pairing) = world.settled_pair().await;
    let goal = serde_json::json!({"what": "Learn SQL"});
    world
        .post(
            &format!("/api/v1/pairings/{pairing}/goals"),
            Some(&token),
            Some(goal),
        )
        .await;
    let sign = format!("/api/v1/pairings/{pairing}/agreement/sign");
    world
        .post(&sign, Some(&token), Some(serde_json::json!({})))
        .await;
    let (_, feed) = world.get("/api/v1/me/calendar-feed", Some(&token)).await;
    let feed = feed["url"].as_str().unwrap().to_owned();
    let feed = feed[feed.find("/api/v1/").unwrap()..].to_owned();
    let (_, meetings) = world
        .get(
            &format!("/api/v1/pairings/{pairing}/meetings"),
            Some(&token),
        )
        .await;
    let meeting = meetings[0]["id"].clone();
    let p = world.programme.0;
    statements.take();
    for page in [
        "/",
        "/programmes",
        &format!("/programmes/{p}"),
        &format!("/programmes/{p}/enrol"),
        "/account",
        "/account/data.json",
        &format!("/pairings/{pairing}"),
        &format!("/pairings/{pairing}/calendar.ics"),
        &format!("/meetings/{meeting}"),
    ] {
        assert_eq!(alice.get(page).await.status, StatusCode::OK, "{page}");
    }
    for route in [
        "/api/v1/me",
        "/api/v1/me/pairings",
        "/api/v1/me/data",
        "/api/v1/auth/tokens",
        "/api/v1/programmes",
        &format!("/api/v1/programmes/{p}/enrolment"),
        &format!("/api/v1/enrolments/{}", world.alice_enrolment.0),
        &format!("/api/v1/pairings/{pairing}/schedule/proposal"),
        &format!("/api/v1/pairings/{pairing}/meetings"),
        &format!("/api/v1/pairings/{pairing}/goals"),
        &format!("/api/v1/pairings/{pairing}/agreement"),
        &format!("/api/v1/meetings/{meeting}/calendar.ics"),
        "/api/v1/me/calendar-feed",
        &feed,
    ] {
        assert_eq!(
            world.get(route, Some(&token)).await.0,
            StatusCode::OK,
            "{route}"
        );
    }
    assert_no_full_scans(&world, statements.take()).await;
}

/// A manager's programme page reads the programme's own rows; the one list it draws from the
/// whole organisation, the accounts that could be added as co-managers, reads the manager
/// accounts only (by an index of accounts by role), not every account.
#[tokio::test]
async fn the_managers_programme_page_never_scans_a_table_that_grows_with_the_organisation() {
    let statements = Statements::capture().await;
    let world = World::new(TestDatabase::sqlite().await).await;
    world.settled_pair().await;
    let manager = world.browser(&world.manager).await;
    statements.take();
    let page = manager
        .get(&format!("/programmes/{}", world.programme.0))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let captured = statements.take();
    let candidates = captured
        .iter()
        .map(|s| s.trim().trim_matches('"').replace("\\n", " "))
        .find(|s| s.contains("users.role = "))
        .expect("the co-manager candidates were read");
    // A walk of every account in address order shows as `SCAN users USING INDEX …`, which the
    // rule below allows, so this read is held to a search by role.
    let plan = plan_of(&world, &candidates).await;
    assert!(
        plan.iter()
            .any(|line| line.starts_with("SEARCH users USING") && line.contains("(role=?)")),
        "{plan:?}"
    );
    assert_no_full_scans(&world, captured).await;
}

/// SQLite's `EXPLAIN QUERY PLAN` of a captured statement, one line per step.
async fn plan_of(world: &World, sql: &str) -> Vec<String> {
    let mut connection = sqlx::SqliteConnection::connect(&world.db.url)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
        .fetch_all(&mut connection)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("detail"))
        .collect()
}

/// The server's upkeep runs every two seconds whatever the organisation's size, so its finding
/// of proposals to remind or to expire must not read every pairing either.
#[tokio::test]
async fn the_servers_upkeep_never_scans_a_table_that_grows_with_the_organisation() {
    let statements = Statements::capture().await;
    let world = World::new(TestDatabase::sqlite().await).await;
    world.settled_pair().await;
    statements.take();
    let now = jiff::Timestamp::now();
    world
        .app
        .upkeep(&upward_app::mail::LogMailer, now)
        .await
        .unwrap();
    assert_no_full_scans(&world, statements.take()).await;
}

/// Puts each captured statement through SQLite's `EXPLAIN QUERY PLAN` and fails, naming them,
/// on those that scan a table of `GROWING` without an index.
async fn assert_no_full_scans(world: &World, captured: Vec<String>) {
    assert!(
        captured.len() > 10,
        "the statements were captured: {captured:?}"
    );

    let mut connection = sqlx::SqliteConnection::connect(&world.db.url)
        .await
        .unwrap();
    let mut scans = Vec::new();
    // Only the application's queries: a new pooled connection's PRAGMA batch
    // (captured whenever the pool happens to open one) has no query plan.
    for sql in captured
        .iter()
        .map(|s| s.trim().trim_matches('"').replace("\\n", " "))
        .filter(|s| is_a_query(s))
    {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}")))
            .fetch_all(&mut connection)
            .await
            .unwrap_or_else(|error| panic!("no plan ({error}) for: {sql}"));
        for row in rows {
            let detail: String = row.get("detail");
            let scanned = detail
                .strip_prefix("SCAN ")
                .map(|rest| rest.split_whitespace().next().unwrap_or(""));
            if let Some(table) = scanned
                && GROWING.contains(&table_of(&sql, table).as_str())
                && !detail.contains("USING")
            {
                scans.push(format!("{detail}\n    in: {sql}"));
            }
        }
    }
    assert!(
        scans.is_empty(),
        "{} full scans:\n{}",
        scans.len(),
        scans.join("\n")
    );
}

fn is_a_query(sql: &str) -> bool {
    let first_word = sql.split_whitespace().next().unwrap_or("").to_uppercase();
    ["SELECT", "WITH", "INSERT", "UPDATE", "DELETE"].contains(&first_word.as_str())
}

/// The table an alias in a plan stands for (`SCAN pa` → pairings).
fn table_of(sql: &str, alias: &str) -> String {
    if GROWING.contains(&alias) {
        return alias.to_owned();
    }
    let words: Vec<&str> = sql.split_whitespace().collect();
    words
        .windows(2)
        .find(|w| w[1] == alias && GROWING.contains(&w[0]))
        .map(|w| w[0].to_owned())
        .unwrap_or_default()
}

/// On PostgreSQL each statement is a round trip to another process, and on this project's
/// machine one round trip costs about as much as a whole SQLite request of the cheaper routes
/// (decision 036). So the routes the scale benchmark drives (`tests/load/mix.lua`) each have a
/// budget of statements, the number they make today: a change that adds one fails here and has
/// to raise the budget on purpose.
#[tokio::test]
async fn the_benchmarks_routes_keep_to_their_round_trips() {
    let statements = Statements::capture().await;
    let world = World::new(TestDatabase::sqlite().await).await;
    let (token, _, _) = world.settled_pair().await;
    let manager_token = world.token(&world.manager).await;
    let alice = world.browser(&world.alice).await;
    let manager = world.browser(&world.manager).await;
    let second = second_enrolling_programme(&world).await;
    let p = world.programme.0;
    let enrolment = serde_json::json!({
        "role": "mentor", "offers": "generative ai:4;cloud:3", "interests": "",
        "availability": "Mon 08:00-10:00;Wed 17:30-19:00", "channel": "either",
        "preferred_time": "any", "statement": "load test", "consent": true,
    });
    let mut over = Vec::new();
    for (route, budget) in [
        ("participant home page", 3),
        ("own pairings", 2),
        ("programmes", 2),
        ("enrolment edit", 2),
        ("manager programme page", 12),
        ("paged pairings", 6),
        ("paged people", 3),
        ("health", 1),
    ] {
        // Twice: the first may open a connection or fill a cache, the second is the steady cost.
        let mut made = Vec::new();
        for _ in 0..2 {
            statements.take();
            let status = match route {
                "participant home page" => alice.get("/").await.status,
                "own pairings" => world.get("/api/v1/me/pairings", Some(&token)).await.0,
                "programmes" => world.get("/api/v1/programmes", Some(&token)).await.0,
                "enrolment edit" => {
                    let path = format!("/api/v1/programmes/{second}/enrolment");
                    let body = Some(enrolment.clone());
                    world.api(Method::PUT, &path, Some(&token), body).await.0
                }
                "manager programme page" => manager.get(&format!("/programmes/{p}")).await.status,
                "paged pairings" => {
                    let path = format!("/api/v1/programmes/{p}/pairings");
                    world.get(&path, Some(&manager_token)).await.0
                }
                "paged people" => {
                    let path = "/api/v1/people?page=1";
                    world.get(path, Some(&manager_token)).await.0
                }
                _ => world.get("/healthz", None).await.0,
            };
            assert!(status.is_success(), "{route}: {status}");
            made = statements.take();
        }
        if made.len() > budget {
            over.push(format!(
                "{route}: {} statements, budget {budget}:\n{}",
                made.len(),
                made.join("\n")
            ));
        }
    }
    assert!(over.is_empty(), "{}", over.join("\n\n"));
}

/// A second programme taking enrolments, as the scale benchmark opens for its enrolment edits.
async fn second_enrolling_programme(world: &World) -> i64 {
    let manager = upward_app::policy::Manager::check(&world.manager).unwrap();
    let programme = world
        .app
        .create_programme(&manager, &common::draft("Second cohort"))
        .await
        .unwrap()
        .programme
        .id;
    world
        .app
        .change_phase(&manager, programme, upward_domain::Phase::Enrolling)
        .await
        .unwrap();
    programme.0
}

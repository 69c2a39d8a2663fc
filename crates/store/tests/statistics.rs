//! After a bulk change PostgreSQL knows the changed table's size at once (decision 034): runs
//! when `UPWARD_TEST_POSTGRES_URL` names a server, as in CI.

use sqlx::{Connection, Row};
use upward_domain::*;
use upward_store::testing::{POSTGRES_URL_VARIABLE, TestDatabase};

fn person(n: usize) -> Person {
    Person {
        email: Email::parse(&format!("person{n}@x.org")).unwrap(),
        name: format!("Person {n}"),
        job_level: JobLevel::new(3).unwrap(),
        manager_email: None,
        department: None,
        location: None,
        time_zone: TimeZoneName::parse("Europe/London").unwrap(),
        birth_year: None,
        gender: None,
    }
}

/// What PostgreSQL's planner takes the table's row count to be: -1 for a table it has never
/// sampled, when it plans with default guesses.
async fn planned_rows(url: &str, table: &str) -> f32 {
    let mut connection = sqlx::AnyConnection::connect(url).await.unwrap();
    let row = sqlx::query("SELECT reltuples FROM pg_class WHERE relname = $1")
        .bind(table.to_owned())
        .fetch_one(&mut connection)
        .await
        .unwrap();
    row.try_get::<f32, _>("reltuples").unwrap()
}

#[tokio::test]
async fn a_directory_import_leaves_postgresql_knowing_how_many_people_there_are() {
    let Ok(server) = std::env::var(POSTGRES_URL_VARIABLE) else {
        return; // SQLite keeps no statistics on purpose (decision 034).
    };
    let db = TestDatabase::postgres(&server).await;
    assert_eq!(planned_rows(&db.url, "people").await, -1.0, "never sampled");
    let people: Vec<Person> = (0..250).map(person).collect();
    db.store().upsert_people(&people).await.unwrap();
    assert_eq!(planned_rows(&db.url, "people").await, 250.0);
}

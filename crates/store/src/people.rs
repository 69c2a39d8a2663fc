//! The organisation directory.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use upward_domain::{
    Audience, BirthYear, Email, JobLevel, OwnProfile, Person, PreferredTime, TimeZoneName,
};

use crate::kept_counts::Counted;
use crate::sql::{Backend, corrupt, from_epoch, map_error, now_epoch};
use crate::{ImportCounts, PeoplePage, PeopleStore, SqlStore, StoreError, StoreResult};

pub(crate) const PERSON_COLUMNS: &str = "p.email, p.name, p.job_level, m.email AS manager_email, p.department, p.location, p.time_zone, p.birth_year, p.gender";
pub(crate) const PERSON_FROM: &str = "people p LEFT JOIN people m ON m.email_key = p.manager_key";
/// Notes when the directory replaces a time zone or location the person set themselves.
pub(crate) const OVERRIDE_NOTE: &str = "profile_overridden_at = CASE
    WHEN people.self_edited_at IS NOT NULL
     AND (people.time_zone <> excluded.time_zone OR COALESCE(people.location, '') <> COALESCE(excluded.location, ''))
    THEN excluded.updated_at ELSE people.profile_overridden_at END";
/// Rows per INSERT: 11 parameters each stays well under SQLite's 32,766 and PostgreSQL's 65,535.
const ROWS_PER_STATEMENT: usize = 1000;

pub(crate) fn person_from_row(row: &AnyRow) -> StoreResult<Person> {
    let email: String = row.try_get("email")?;
    let manager_email: Option<String> = row.try_get("manager_email")?;
    let level: i64 = row.try_get("job_level")?;
    let zone: String = row.try_get("time_zone")?;
    let birth_year: Option<i64> = row.try_get("birth_year")?;
    Ok(Person {
        email: Email::parse(&email).map_err(|e| corrupt("email", &email, e))?,
        name: row.try_get("name")?,
        job_level: JobLevel::new(level).map_err(|e| corrupt("job_level", &level.to_string(), e))?,
        manager_email: manager_email
            .map(|m| Email::parse(&m).map_err(|e| corrupt("manager_email", &m, e)))
            .transpose()?,
        department: row.try_get("department")?,
        location: row.try_get("location")?,
        time_zone: TimeZoneName::parse(&zone).map_err(|e| corrupt("time_zone", &zone, e))?,
        birth_year: birth_year.map(|year| BirthYear::from_storage(year as i16)),
        gender: row.try_get("gender")?,
    })
}

pub(crate) fn like_pattern(search: &str) -> String {
    let escaped = search
        .trim()
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

impl SqlStore {
    /// A page of the whole directory by name: the page walks the name index, and the count is
    /// kept by triggers.
    async fn whole_directory_page(&self, offset: i64, limit: i64) -> StoreResult<PeoplePage> {
        let total = self.kept_count("people").await?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} ORDER BY p.name, p.email_key LIMIT $1 OFFSET $2"
        ));
        Ok(PeoplePage {
            people: self
                .all(sqlx::query(sql).bind(limit).bind(offset), person_from_row)
                .await?,
            total,
        })
    }
}

/// How many of these people the directory already holds.
async fn count_stored(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    people: &[Person],
) -> StoreResult<u64> {
    let list = backend.values_placeholders(1, people.len());
    let sql = sqlx::AssertSqlSafe(format!(
        "SELECT COUNT(*) AS n FROM people WHERE email_key IN {list}"
    ));
    let query = people.iter().fold(sqlx::query(sql), |query, person| {
        query.bind(person.email.key())
    });
    let row = query.fetch_one(&mut **tx).await.map_err(map_error)?;
    Ok(row.try_get::<i64, _>("n")? as u64)
}

#[async_trait]
impl PeopleStore for SqlStore {
    async fn upsert_people(&self, people: &[Person]) -> StoreResult<ImportCounts> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        // Counted among the file's own people, so that people added meanwhile by provisioning
        // do not count as the import's.
        let mut stored = 0;
        let counts = self.count_at_end(&mut tx, Counted::People).await?;
        let now = now_epoch();
        for chunk in people.chunks(ROWS_PER_STATEMENT) {
            stored += count_stored(&mut tx, self.backend, chunk).await?;
            let values = self.backend.values_placeholders(chunk.len(), 11);
            let sql = format!(
                "INSERT INTO people (email, email_key, name, job_level, manager_key, department, location, time_zone, birth_year, gender, updated_at)
                 VALUES {values}
                 ON CONFLICT (email_key) DO UPDATE SET {OVERRIDE_NOTE}, email = excluded.email, name = excluded.name,
                   job_level = excluded.job_level, manager_key = excluded.manager_key, department = excluded.department,
                   location = excluded.location, time_zone = excluded.time_zone, birth_year = excluded.birth_year,
                   gender = excluded.gender, updated_at = excluded.updated_at"
            );
            // Safe: the SQL text holds only placeholders; every value is bound.
            let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
            for person in chunk {
                query = query
                    .bind(person.email.as_str().to_owned())
                    .bind(person.email.key())
                    .bind(person.name.clone())
                    .bind(person.job_level.get())
                    .bind(person.manager_email.as_ref().map(Email::key))
                    .bind(person.department.clone())
                    .bind(person.location.clone())
                    .bind(person.time_zone.as_str().to_owned())
                    .bind(person.birth_year.map(|y| i64::from(y.get())))
                    .bind(person.gender.clone())
                    .bind(now);
            }
            query.execute(&mut *tx).await.map_err(map_error)?;
        }
        counts.recount(&mut tx).await?;
        tx.commit().await.map_err(|error| match map_error(error) {
            StoreError::Invalid { .. } => StoreError::Invalid {
                what: "a manager_email names nobody in the directory".into(),
            },
            other => other,
        })?;
        self.vacuum_and_sample("people").await;
        Ok(ImportCounts {
            added: people.len() as u64 - stored,
            updated: stored,
        })
    }

    async fn reporting_lines(&self) -> StoreResult<Vec<(String, Option<String>)>> {
        self.all(
            sqlx::query("SELECT email_key, manager_key FROM people"),
            |row| Ok((row.try_get("email_key")?, row.try_get("manager_key")?)),
        )
        .await
    }

    async fn person(&self, email_key: &str) -> StoreResult<Option<Person>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} WHERE p.email_key = $1 AND p.deactivated_at IS NULL"
        ));
        self.one(sqlx::query(sql).bind(email_key), person_from_row)
            .await
    }

    async fn people_page(&self, search: &str, offset: i64, limit: i64) -> StoreResult<PeoplePage> {
        if search.trim().is_empty() {
            return self.whole_directory_page(offset, limit).await;
        }
        // A search reads every person (a pattern inside names cannot use an index); a plain
        // page does not, see `whole_directory_page`.
        let filter = "(LOWER(p.name) LIKE $1 ESCAPE '\\' OR p.email_key LIKE $1 ESCAPE '\\' OR LOWER(COALESCE(p.department, '')) LIKE $1 ESCAPE '\\')";
        let pattern = like_pattern(search);
        let count_sql =
            sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM people p WHERE {filter}"));
        let total: i64 = sqlx::query(count_sql)
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await
            .map_err(map_error)?
            .try_get("n")?;
        let page_sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} WHERE {filter} ORDER BY p.name, p.email_key LIMIT $2 OFFSET $3"
        ));
        let query = sqlx::query(page_sql).bind(pattern).bind(limit).bind(offset);
        Ok(PeoplePage {
            people: self.all(query, person_from_row).await?,
            total,
        })
    }

    async fn all_people(&self) -> StoreResult<Vec<Person>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} ORDER BY p.id"
        ));
        self.all(sqlx::query(sql), person_from_row).await
    }

    async fn own_profile(&self, email_key: &str) -> StoreResult<Option<OwnProfile>> {
        self.one(
            sqlx::query(
                "SELECT time_zone, location, preferred_time, profile_overridden_at FROM people
                 WHERE email_key = $1 AND deactivated_at IS NULL",
            )
            .bind(email_key),
            |row| {
                let zone: String = row.try_get("time_zone")?;
                let preferred: Option<String> = row.try_get("preferred_time")?;
                Ok(OwnProfile {
                    time_zone: TimeZoneName::parse(&zone)
                        .map_err(|e| corrupt("time_zone", &zone, e))?,
                    location: row.try_get("location")?,
                    preferred_time: preferred
                        .map(|p| {
                            p.parse().map_err(|e: upward_domain::FieldError| {
                                corrupt("preferred_time", &p, e)
                            })
                        })
                        .transpose()?,
                    overridden_by_directory_at: row
                        .try_get::<Option<i64>, _>("profile_overridden_at")?
                        .map(from_epoch),
                })
            },
        )
        .await
    }

    async fn save_own_profile(
        &self,
        email_key: &str,
        time_zone: &TimeZoneName,
        location: Option<&str>,
        preferred_time: PreferredTime,
    ) -> StoreResult<OwnProfile> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let changed = sqlx::query(
            "UPDATE people SET time_zone = $1, location = $2, preferred_time = $3,
                self_edited_at = $4, profile_overridden_at = NULL
             WHERE email_key = $5 AND deactivated_at IS NULL",
        )
        .bind(time_zone.as_str().to_owned())
        .bind(location.map(str::to_owned))
        .bind(preferred_time.as_str())
        .bind(now_epoch())
        .bind(email_key.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(map_error)?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("you in the directory"));
        }
        // The next matching run of every programme they are in uses the new preference.
        sqlx::query(
            "UPDATE enrolments SET preferred_time = $1 WHERE person_key = $2
               AND programme_id IN (SELECT id FROM programmes WHERE phase <> 'closed')",
        )
        .bind(preferred_time.as_str())
        .bind(email_key.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        tx.commit().await.map_err(map_error)?;
        self.own_profile(email_key)
            .await?
            .ok_or_else(|| StoreError::not_found("you in the directory"))
    }

    async fn audience(&self, audience: &Audience) -> StoreResult<Vec<Person>> {
        // Deactivated people are never invited.
        let select =
            format!("SELECT {PERSON_COLUMNS} FROM {PERSON_FROM} WHERE p.deactivated_at IS NULL");
        let order = "ORDER BY p.name, p.email_key";
        match audience {
            Audience::Everyone => {
                let sql = sqlx::AssertSqlSafe(format!("{select} {order}"));
                self.all(sqlx::query(sql), person_from_row).await
            }
            // A scan of the directory on purpose: a manager's invitation reads every person it
            // invites anyway, once per invitation, never on a participant's route.
            Audience::Filter { department, levels } => {
                let (min, max) = levels.map_or((JobLevel::MIN, JobLevel::MAX), |(min, max)| {
                    (min.get(), max.get())
                });
                let sql = sqlx::AssertSqlSafe(format!(
                    "{select} AND ($1 IS NULL OR LOWER(p.department) = $1)
                       AND p.job_level BETWEEN $2 AND $3 {order}"
                ));
                let query = sqlx::query(sql)
                    .bind(department.as_ref().map(|d| d.trim().to_lowercase()))
                    .bind(min)
                    .bind(max);
                self.all(query, person_from_row).await
            }
            Audience::Emails(emails) => {
                let mut people = Vec::with_capacity(emails.len());
                for chunk in emails.chunks(ROWS_PER_STATEMENT) {
                    let list = self.backend.values_placeholders(1, chunk.len());
                    let sql =
                        sqlx::AssertSqlSafe(format!("{select} AND p.email_key IN {list} {order}"));
                    let query = chunk
                        .iter()
                        .fold(sqlx::query(sql), |query, email| query.bind(email.key()));
                    people.extend(self.all(query, person_from_row).await?);
                }
                Ok(people)
            }
        }
    }
}

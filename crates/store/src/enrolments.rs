//! Enrolments: who opted in to which programme, with their matching profile.

use async_trait::async_trait;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor, Row, Transaction};
use upward_domain::{
    Availability, BigFive, Email, Enrolment, EnrolmentId, EnrolmentProfile, EnrolmentRole,
    ProgrammeId, TopicLevels,
};

use crate::kept_counts::Counted;
use crate::programmes::{SUMMARY_SELECT, summary_from_row};
use crate::sql::{AnyQuery, corrupt, map_error, now_epoch, numbered_placeholders, parse_column};
use crate::{EnrolmentStore, ImportCounts, ProgrammeSummary, SqlStore, StoreError, StoreResult};

/// An enrolment's columns but its id and the person's name, which other tables name alike.
macro_rules! enrolment_columns {
    () => {
        "e.programme_id, p.email, e.role, e.offers, e.interests, e.availability, e.channel,
        e.preferred_time, e.openness, e.conscientiousness, e.extraversion, e.agreeableness,
        e.neuroticism, e.statement"
    };
}

const ENROLMENT_COLUMNS: &str = enrolment_columns!();

const ENROLMENT_SELECT: &str = concat!(
    "SELECT e.id, p.name, ",
    enrolment_columns!(),
    " FROM enrolments e JOIN people p ON p.email_key = e.person_key"
);

/// Creates or updates a person's enrolment in one statement, and only while the person is in the
/// directory: a person who left keeps their row, so the foreign key alone would not refuse them.
/// No row back means they are not in the directory (or, for a person's own save, that the
/// programme is not taking enrolments); otherwise the row is the enrolment as `ENROLMENT_SELECT`
/// reads it, so saving needs no read after it. (SQLite needs the `WHERE` to read `ON CONFLICT`
/// as the upsert's.) Given the values of the five personality scores, the statement and the
/// time (placeholders, or literal `NULL`s for a profile without scores), and any further
/// condition.
macro_rules! upsert {
    ($scores:literal, $statement:literal, $now:literal, $condition:literal) => {
        concat!(
            "INSERT INTO enrolments (programme_id, person_key, role, offers, interests, availability, channel,
        preferred_time, openness, conscientiousness, extraversion, agreeableness, neuroticism, statement,
        consented_at, updated_at)
     SELECT $1, $2, $3, $4, $5, $6, $7, $8, ",
            $scores,
            ", ",
            $statement,
            ", ",
            $now,
            ", ",
            $now,
            "
     WHERE EXISTS (SELECT 1 FROM people WHERE email_key = $2 AND deactivated_at IS NULL)",
            $condition,
            "
     ON CONFLICT (programme_id, person_key) DO UPDATE SET role = excluded.role, offers = excluded.offers,
        interests = excluded.interests, availability = excluded.availability, channel = excluded.channel,
        preferred_time = excluded.preferred_time, openness = excluded.openness,
        conscientiousness = excluded.conscientiousness, extraversion = excluded.extraversion,
        agreeableness = excluded.agreeableness, neuroticism = excluded.neuroticism,
        statement = excluded.statement, updated_at = excluded.updated_at, withdrawn_at = NULL
     RETURNING id, programme_id, (SELECT email FROM people WHERE email_key = person_key) AS email,
        (SELECT name FROM people WHERE email_key = person_key) AS name, role, offers, interests,
        availability, channel, preferred_time, openness, conscientiousness, extraversion,
        agreeableness, neuroticism, statement"
        )
    };
}

/// The upsert's statements for one kind of save. Each profile takes the one for its kind, so
/// that a statement binds the same types every time and both engines can keep it prepared:
/// sqlx 0.9's Any driver sends a NULL f64 to PostgreSQL as a float4, and a statement prepared
/// with that type then rejects the next row's real f64. (Preparing the upsert afresh on every
/// save had cost a fifth of an enrolment edit's time on SQLite.)
struct Upsert {
    with_scores: &'static str,
    without_scores: &'static str,
}

/// Both statements of one kind of save, each with `$condition` added.
macro_rules! upserts {
    ($condition:literal) => {
        Upsert {
            with_scores: upsert!("$9, $10, $11, $12, $13", "$14", "$15", $condition),
            without_scores: upsert!("NULL, NULL, NULL, NULL, NULL", "$9", "$10", $condition),
        }
    };
}

/// A person's own save: only while the programme takes enrolments (the phases of
/// `Phase::accepts_enrolment`, which a test holds to the same list), so that the use case need
/// not read the programme before it.
const OWN_SAVE: Upsert = upserts!(
    " AND EXISTS (SELECT 1 FROM programmes WHERE id = $1 AND phase IN ('pilot', 'enrolling'))"
);

/// A manager's import, in whichever phase the use case allows it.
const IMPORT: Upsert = upserts!("");

fn enrolment_from_row(row: &AnyRow) -> StoreResult<Enrolment> {
    enrolment_from_columns(row, "id", "name")
}

/// An enrolment from a row that names its id and the person's name `id` and `name`.
fn enrolment_from_columns(row: &AnyRow, id: &str, name: &str) -> StoreResult<Enrolment> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let email = text("email")?;
    let offers = text("offers")?;
    let interests = text("interests")?;
    let availability = text("availability")?;
    let scores: Vec<Option<f64>> = BigFive::TRAITS
        .iter()
        .map(|name| row.try_get::<Option<f64>, _>(*name))
        .collect::<Result<_, _>>()?;
    let big_five = match scores.as_slice() {
        [Some(o), Some(c), Some(e), Some(a), Some(n)] => Some(
            BigFive::from_scores([*o, *c, *e, *a, *n]).map_err(|e| corrupt("openness", "…", e))?,
        ),
        _ => None,
    };
    Ok(Enrolment {
        id: EnrolmentId(row.try_get(id)?),
        programme_id: ProgrammeId(row.try_get("programme_id")?),
        email: Email::parse(&email).map_err(|e| corrupt("email", &email, e))?,
        name: text(name)?,
        profile: EnrolmentProfile {
            role: parse_column(row, "role")?,
            offers: TopicLevels::parse(&offers).map_err(|e| corrupt("offers", &offers, e))?,
            interests: TopicLevels::parse(&interests)
                .map_err(|e| corrupt("interests", &interests, e))?,
            availability: Availability::parse(&availability)
                .map_err(|e| corrupt("availability", &availability, e))?,
            channel: parse_column(row, "channel")?,
            preferred_time: parse_column(row, "preferred_time")?,
            big_five,
            statement: text("statement")?,
        },
    })
}

/// Runs the statement of `statements` for the profile's kind, on the writer or inside a
/// transaction; the enrolment as saved.
async fn upsert<'c>(
    statements: &Upsert,
    executor: impl Executor<'c, Database = Any>,
    programme: ProgrammeId,
    email_key: &str,
    profile: &EnrolmentProfile,
) -> StoreResult<Enrolment> {
    let not_in_directory = || StoreError::Invalid {
        what: format!(
            "{email_key} is not in the directory, or the programme does not exist (or, for a \
             person's own save, is not taking enrolments)"
        ),
    };
    let sql = match profile.big_five {
        Some(_) => statements.with_scores,
        None => statements.without_scores,
    };
    let mut query = sqlx::query(sql)
        .bind(programme.0)
        .bind(email_key.to_owned())
        .bind(profile.role.as_str())
        .bind(profile.offers.to_string())
        .bind(profile.interests.to_string())
        .bind(profile.availability.to_string())
        .bind(profile.channel.as_str())
        .bind(profile.preferred_time.as_str());
    if let Some(big_five) = profile.big_five {
        query = big_five
            .scores()
            .into_iter()
            .fold(query, |query, score| query.bind(score));
    }
    let row = query
        .bind(profile.statement.clone())
        .bind(now_epoch())
        .fetch_optional(executor)
        .await
        .map_err(|error| match map_error(error) {
            StoreError::Invalid { .. } => not_in_directory(),
            other => other,
        })?
        .ok_or_else(not_in_directory)?;
    enrolment_from_row(&row)
}

/// Person keys per `IN (…)` list, well under both engines' limits on parameters.
const KEYS_PER_STATEMENT: usize = 1000;

/// How many of these people already have a live enrolment in the programme. Counted among the
/// import's own people, so that saves made meanwhile by others do not count as the import's.
async fn count_enrolled(
    tx: &mut Transaction<'_, Any>,
    programme: ProgrammeId,
    rows: &[(String, EnrolmentProfile)],
) -> StoreResult<u64> {
    let mut enrolled = 0;
    for chunk in rows.chunks(KEYS_PER_STATEMENT) {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM enrolments
             WHERE programme_id = $1 AND withdrawn_at IS NULL AND person_key IN ({})",
            numbered_placeholders(2, chunk.len())
        ));
        let query = chunk
            .iter()
            .fold(sqlx::query(sql).bind(programme.0), |query, (key, _)| {
                query.bind(key.clone())
            });
        let row = query.fetch_one(&mut **tx).await.map_err(map_error)?;
        enrolled += row.try_get::<i64, _>("n")? as u64;
    }
    Ok(enrolled)
}

#[async_trait]
impl EnrolmentStore for SqlStore {
    async fn save_enrolment(
        &self,
        programme: ProgrammeId,
        email_key: &str,
        profile: &EnrolmentProfile,
    ) -> StoreResult<Enrolment> {
        // One statement, so no transaction around it, and no read after it.
        upsert(&OWN_SAVE, &self.writer, programme, email_key, profile).await
    }

    async fn import_enrolments(
        &self,
        programme: ProgrammeId,
        rows: &[(String, EnrolmentProfile)],
    ) -> StoreResult<ImportCounts> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let enrolled = count_enrolled(&mut tx, programme, rows).await?;
        let counts = self
            .count_at_end(&mut tx, Counted::Enrolments(programme))
            .await?;
        for (email_key, profile) in rows {
            upsert(&IMPORT, &mut *tx, programme, email_key, profile).await?;
        }
        counts.recount(&mut tx).await?;
        tx.commit().await.map_err(map_error)?;
        self.vacuum_and_sample("enrolments").await;
        Ok(ImportCounts {
            added: rows.len() as u64 - enrolled,
            updated: enrolled,
        })
    }

    async fn enrolment(&self, id: EnrolmentId) -> StoreResult<Enrolment> {
        let sql = sqlx::AssertSqlSafe(format!("{ENROLMENT_SELECT} WHERE e.id = $1"));
        self.one(sqlx::query(sql).bind(id.0), enrolment_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found("the enrolment"))
    }

    async fn enrolments_by_id(&self, ids: &[EnrolmentId]) -> StoreResult<Vec<Enrolment>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = numbered_placeholders(1, ids.len());
        // Safe: the SQL text holds only placeholders; every id is bound.
        let sql = sqlx::AssertSqlSafe(format!("{ENROLMENT_SELECT} WHERE e.id IN ({placeholders})"));
        let query = ids
            .iter()
            .fold(sqlx::query(sql), |query, id| query.bind(id.0));
        self.all(query, enrolment_from_row).await
    }

    async fn enrolment_of(
        &self,
        programme: ProgrammeId,
        email_key: &str,
    ) -> StoreResult<Option<Enrolment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ENROLMENT_SELECT} WHERE e.programme_id = $1 AND e.person_key = $2 AND e.withdrawn_at IS NULL"
        ));
        self.one(
            sqlx::query(sql).bind(programme.0).bind(email_key),
            enrolment_from_row,
        )
        .await
    }

    async fn programme_enrolments(&self, programme: ProgrammeId) -> StoreResult<Vec<Enrolment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ENROLMENT_SELECT} WHERE e.programme_id = $1 AND e.withdrawn_at IS NULL ORDER BY e.role, p.name"
        ));
        self.all(sqlx::query(sql).bind(programme.0), enrolment_from_row)
            .await
    }

    async fn programme_enrolments_page(
        &self,
        programme: ProgrammeId,
        search: &str,
        role: Option<EnrolmentRole>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<Enrolment>, i64)> {
        let searching = !search.trim().is_empty();
        // Only placeholders are added to the SQL text; every value is bound.
        let mut filter = String::from(
            "e.programme_id = $1 AND e.withdrawn_at IS NULL AND ($2 IS NULL OR e.role = $2)",
        );
        if searching {
            filter.push_str(
                " AND (LOWER(p.name) LIKE $3 ESCAPE '\\' OR e.person_key LIKE $3 ESCAPE '\\'
                  OR LOWER(e.offers) LIKE $3 ESCAPE '\\' OR LOWER(e.interests) LIKE $3 ESCAPE '\\')",
            );
        }
        let (limit_at, offset_at) = if searching { (4, 5) } else { (3, 4) };
        let role = role.map(|r| r.as_str().to_owned());
        let pattern = crate::people::like_pattern(search);
        // The filter's values in the order of its placeholders.
        let filtered = |query: AnyQuery<'static>| {
            let query = query.bind(programme.0).bind(role.clone());
            if searching {
                query.bind(pattern.clone())
            } else {
                query
            }
        };
        let page_sql = sqlx::AssertSqlSafe(format!(
            "{ENROLMENT_SELECT} WHERE {filter} ORDER BY e.id DESC LIMIT ${limit_at} OFFSET ${offset_at}"
        ));
        let page = filtered(sqlx::query(page_sql)).bind(limit).bind(offset);
        let enrolments = self.all(page, enrolment_from_row).await?;
        let total = if searching {
            // A search reads the programme's own enrolments, never the organisation's.
            let count_sql = sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) AS n FROM enrolments e JOIN people p ON p.email_key = e.person_key
                 WHERE {filter}"
            ));
            filtered(sqlx::query(count_sql))
                .fetch_one(&self.pool)
                .await
                .map_err(map_error)?
                .try_get("n")?
        } else {
            let (mentors, mentees) = self.enrolment_counts(programme).await?;
            match role.as_deref() {
                Some("mentor") => mentors,
                Some("mentee") => mentees,
                _ => mentors + mentees,
            }
        };
        Ok((enrolments, total))
    }

    async fn enrolment_counts(&self, programme: ProgrammeId) -> StoreResult<(i64, i64)> {
        // Kept by triggers on enrolments (migration 0014), recounted after imports (0022).
        self.one(
            sqlx::query("SELECT mentors_enrolled, mentees_enrolled FROM programmes WHERE id = $1")
                .bind(programme.0),
            |row| {
                Ok((
                    row.try_get("mentors_enrolled")?,
                    row.try_get("mentees_enrolled")?,
                ))
            },
        )
        .await?
        .ok_or_else(|| StoreError::not_found(format!("programme {}", programme.0)))
    }

    async fn matchable_enrolments(&self, programme: ProgrammeId) -> StoreResult<Vec<Enrolment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ENROLMENT_SELECT} WHERE e.programme_id = $1 AND p.deactivated_at IS NULL AND e.withdrawn_at IS NULL ORDER BY e.role, p.name"
        ));
        self.all(sqlx::query(sql).bind(programme.0), enrolment_from_row)
            .await
    }

    async fn person_enrolments(&self, email_key: &str) -> StoreResult<Vec<Enrolment>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{ENROLMENT_SELECT} WHERE e.person_key = $1 AND e.withdrawn_at IS NULL ORDER BY e.programme_id"
        ));
        self.all(sqlx::query(sql).bind(email_key), enrolment_from_row)
            .await
    }

    async fn programmes_with_own_enrolment(
        &self,
        email_key: &str,
    ) -> StoreResult<Vec<(ProgrammeSummary, Option<Enrolment>)>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT pr.*, en.* FROM ({SUMMARY_SELECT}) pr
             LEFT JOIN (SELECT e.id AS enrolment_id, p.name AS person_name, {ENROLMENT_COLUMNS}
                FROM enrolments e JOIN people p ON p.email_key = e.person_key
                WHERE e.person_key = $1 AND e.withdrawn_at IS NULL) en ON en.programme_id = pr.id
             ORDER BY pr.start_date DESC, pr.id DESC"
        ));
        self.all(sqlx::query(sql).bind(email_key), |row| {
            let enrolled = row.try_get::<Option<i64>, _>("enrolment_id")?.is_some();
            let enrolment = enrolled
                .then(|| enrolment_from_columns(row, "enrolment_id", "person_name"))
                .transpose()?;
            Ok((summary_from_row(row)?, enrolment))
        })
        .await
    }

    async fn withdraw_enrolment(&self, id: EnrolmentId) -> StoreResult<()> {
        let changed = self
            .run(
                sqlx::query(
                    "UPDATE enrolments SET withdrawn_at = $1 WHERE id = $2 AND withdrawn_at IS NULL",
                )
                .bind(now_epoch())
                .bind(id.0),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::not_found("the enrolment"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use upward_domain::Phase;

    use super::OWN_SAVE;

    #[test]
    fn a_person_saves_only_in_the_phases_that_accept_enrolment() {
        let phases: Vec<String> = Phase::ALL
            .into_iter()
            .filter(|phase| phase.accepts_enrolment())
            .map(|phase| format!("'{}'", phase.as_str()))
            .collect();
        let condition = format!("phase IN ({})", phases.join(", "));
        for statement in [OWN_SAVE.with_scores, OWN_SAVE.without_scores] {
            assert!(statement.contains(&condition), "{statement}");
        }
    }
}

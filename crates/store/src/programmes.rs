//! Programmes and their phases.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;
use sqlx::{Any, Row};
use upward_domain::{Cadence, Objective, Phase, Programme, ProgrammeDraft, ProgrammeId, UserId};

use crate::sql::{corrupt, map_error, now_epoch, parse_column, to_epoch};
use crate::{ProgrammeStore, ProgrammeSummary, SqlStore, StoreError, StoreResult};

/// A programme's columns, for `concat!` (`PROGRAMME_COLUMNS` for `format!`).
macro_rules! programme_columns {
    () => {
        "id, name, purpose, objectives, learning_expectations, start_date, end_date, \
     virtual_every_weeks, in_person_every_months, matching_settings, engagement_settings, meeting_places, phase, cloned_from"
    };
}

pub(crate) const PROGRAMME_COLUMNS: &str = programme_columns!();

/// Programmes with their kept enrolment counts, as lists show them ([`summary_from_row`]).
pub(crate) const SUMMARY_SELECT: &str = concat!(
    "SELECT ",
    programme_columns!(),
    ", mentors_enrolled AS mentors, mentees_enrolled AS mentees FROM programmes"
);

pub(crate) fn programme_from_row(row: &AnyRow) -> StoreResult<Programme> {
    let objectives: String = row.try_get("objectives")?;
    let settings: String = row.try_get("matching_settings")?;
    let engagement: String = row.try_get("engagement_settings")?;
    let places: String = row.try_get("meeting_places")?;
    let small = |column: &str| -> StoreResult<Option<u8>> {
        Ok(row
            .try_get::<Option<i64>, _>(column)?
            .map(|value| value as u8))
    };
    let draft = ProgrammeDraft {
        name: row.try_get("name")?,
        purpose: row.try_get("purpose")?,
        objectives: Objective::parse_list(&objectives)
            .map_err(|e| corrupt("objectives", &objectives, e))?,
        learning_expectations: row.try_get("learning_expectations")?,
        start_date: parse_column(row, "start_date")?,
        end_date: parse_column(row, "end_date")?,
        cadence: Cadence {
            virtual_every_weeks: small("virtual_every_weeks")?,
            in_person_every_months: small("in_person_every_months")?,
        },
        matching: serde_json::from_str(&settings)
            .map_err(|e| corrupt("matching_settings", &settings, e))?,
        engagement: serde_json::from_str(&engagement)
            .map_err(|e| corrupt("engagement_settings", &engagement, e))?,
        meeting_places: serde_json::from_str(&places)
            .map_err(|e| corrupt("meeting_places", &places, e))?,
    };
    Ok(Programme {
        id: ProgrammeId(row.try_get("id")?),
        draft,
        phase: parse_column(row, "phase")?,
        cloned_from: row
            .try_get::<Option<i64>, _>("cloned_from")?
            .map(ProgrammeId),
    })
}

pub(crate) fn summary_from_row(row: &AnyRow) -> StoreResult<ProgrammeSummary> {
    Ok(ProgrammeSummary {
        programme: programme_from_row(row)?,
        mentors: row.try_get("mentors")?,
        mentees: row.try_get("mentees")?,
    })
}

fn objectives_text(draft: &ProgrammeDraft) -> String {
    draft
        .objectives
        .iter()
        .map(Objective::as_str)
        .collect::<Vec<_>>()
        .join(",")
}

fn settings_json(draft: &ProgrammeDraft) -> String {
    serde_json::to_string(&draft.matching).expect("matching settings always serialise")
}

/// Binds a draft's fields as `$1`–`$11`, in the column order both writes use.
fn bind_draft<'q>(
    query: Query<'q, Any, AnyArguments>,
    draft: &ProgrammeDraft,
) -> Query<'q, Any, AnyArguments> {
    query
        .bind(draft.name.trim().to_owned())
        .bind(draft.purpose.clone())
        .bind(objectives_text(draft))
        .bind(draft.learning_expectations.clone())
        .bind(draft.start_date.to_string())
        .bind(draft.end_date.to_string())
        .bind(draft.cadence.virtual_every_weeks.map(i64::from))
        .bind(draft.cadence.in_person_every_months.map(i64::from))
        .bind(settings_json(draft))
        .bind(serde_json::to_string(&draft.engagement).expect("engagement settings serialise"))
        .bind(serde_json::to_string(&draft.meeting_places).expect("strings serialise"))
}

#[async_trait]
impl ProgrammeStore for SqlStore {
    async fn create_programme(
        &self,
        draft: &ProgrammeDraft,
        phase: Phase,
        cloned_from: Option<ProgrammeId>,
        manager: Option<UserId>,
    ) -> StoreResult<Programme> {
        let now = now_epoch();
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let query = sqlx::query(
            "INSERT INTO programmes (name, purpose, objectives, learning_expectations, start_date, end_date,
                virtual_every_weeks, in_person_every_months, matching_settings, engagement_settings,
                meeting_places, phase, cloned_from, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id",
        );
        let row = bind_draft(query, draft)
            .bind(phase.as_str())
            .bind(cloned_from.map(|id| id.0))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
        let id = ProgrammeId(row.try_get("id")?);
        if let Some(manager) = manager {
            // The creator is its first manager; recorded as adding themselves.
            sqlx::query(
                "INSERT INTO programme_managers (programme_id, user_id, added_by, added_at)
                 SELECT $1, id, email, $3 FROM users WHERE id = $2",
            )
            .bind(id.0)
            .bind(manager.0)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        tx.commit().await.map_err(map_error)?;
        self.programme(id).await
    }

    async fn programme(&self, id: ProgrammeId) -> StoreResult<Programme> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROGRAMME_COLUMNS} FROM programmes WHERE id = $1"
        ));
        self.one(sqlx::query(sql).bind(id.0), programme_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("programme {}", id.0)))
    }

    async fn list_programmes(&self) -> StoreResult<Vec<ProgrammeSummary>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SUMMARY_SELECT} ORDER BY start_date DESC, id DESC"
        ));
        self.all(sqlx::query(sql), summary_from_row).await
    }

    async fn update_programme(
        &self,
        id: ProgrammeId,
        draft: &ProgrammeDraft,
    ) -> StoreResult<Programme> {
        let query = sqlx::query(
            "UPDATE programmes SET name = $1, purpose = $2, objectives = $3, learning_expectations = $4,
                start_date = $5, end_date = $6, virtual_every_weeks = $7, in_person_every_months = $8,
                matching_settings = $9, engagement_settings = $10, meeting_places = $11,
                updated_at = $12
             WHERE id = $13",
        );
        let changed = self
            .run(bind_draft(query, draft).bind(now_epoch()).bind(id.0))
            .await?;
        if changed == 0 {
            return Err(StoreError::not_found(format!("programme {}", id.0)));
        }
        self.programme(id).await
    }

    async fn change_phase(
        &self,
        id: ProgrammeId,
        from: Phase,
        to: Phase,
    ) -> StoreResult<Programme> {
        let changed = self.run(sqlx::query(
            "UPDATE programmes SET phase = $1, updated_at = $2 WHERE id = $3 AND phase = $4",
        )
        .bind(to.as_str())
        .bind(now_epoch())
        .bind(id.0)
        .bind(from.as_str())).await?;
        if changed == 0 {
            let current = self.programme(id).await?;
            return Err(StoreError::conflict(format!(
                "the programme is now {}, not {from}; reload and try again",
                current.phase
            )));
        }
        self.programme(id).await
    }

    async fn remove_closed_personal_data(&self, closed_before: Timestamp) -> StoreResult<u64> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let due = "SELECT id FROM programmes WHERE phase = 'closed' AND updated_at < $1
                   AND personal_data_removed_at IS NULL";
        let statements = [
            format!(
                "UPDATE enrolments SET statement = '', availability = '', openness = NULL,
                    conscientiousness = NULL, extraversion = NULL, agreeableness = NULL,
                    neuroticism = NULL WHERE programme_id IN ({due})"
            ),
            format!("UPDATE pairings SET reason = NULL WHERE programme_id IN ({due})"),
            format!(
                "UPDATE meetings SET notes = '', topics = '[]'
                 WHERE pairing_id IN (SELECT id FROM pairings WHERE programme_id IN ({due}))"
            ),
            format!(
                "UPDATE goals SET what = 'Erased', why = ''
                 WHERE pairing_id IN (SELECT id FROM pairings WHERE programme_id IN ({due}))"
            ),
            format!("DELETE FROM invitations WHERE programme_id IN ({due})"),
        ];
        for sql in statements {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(to_epoch(closed_before))
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        let cleared = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE programmes SET personal_data_removed_at = $2 WHERE id IN ({due})"
        )))
        .bind(to_epoch(closed_before))
        .bind(now_epoch())
        .execute(&mut *tx)
        .await
        .map_err(map_error)?
        .rows_affected();
        tx.commit().await.map_err(map_error)?;
        Ok(cleared)
    }
}

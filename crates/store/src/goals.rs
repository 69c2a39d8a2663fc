//! A pair's learning goals, and the figures managers see of them.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use upward_domain::{
    Goal, GoalDraft, GoalFigures, GoalId, GoalOutcome, Pairing, PairingId, ProgrammeId,
};

use crate::sql::{AnyQuery, audit, corrupt, map_error, now_epoch, parse_column};
use crate::{GoalStore, NewAuditEntry, SqlStore, StoreError, StoreResult};

const GOAL_COLUMNS: &str = "id, pairing_id, what, why, by_when, progress, outcome, version";

fn goal_from_row(row: &AnyRow) -> StoreResult<Goal> {
    let by_when: Option<String> = row.try_get("by_when")?;
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(Goal {
        id: GoalId(row.try_get("id")?),
        pairing: PairingId(row.try_get("pairing_id")?),
        draft: GoalDraft {
            what: row.try_get("what")?,
            why: row.try_get("why")?,
            by_when: match by_when {
                Some(_) => Some(parse_column(row, "by_when")?),
                None => None,
            },
            progress: u8::try_from(row.try_get::<i64, _>("progress")?).unwrap_or(100),
            outcome: outcome
                .map(|text| {
                    GoalOutcome::parse(&text)
                        .ok_or_else(|| corrupt("outcome", &text, "not an outcome"))
                })
                .transpose()?,
        },
        version: row.try_get("version")?,
    })
}

/// Binds a draft's five fields, then the time of the change.
fn bind_draft<'q>(query: AnyQuery<'q>, draft: &GoalDraft) -> AnyQuery<'q> {
    query
        .bind(draft.what.clone())
        .bind(draft.why.clone())
        .bind(draft.by_when.map(|date| date.to_string()))
        .bind(i64::from(draft.progress))
        .bind(draft.outcome.map(GoalOutcome::as_str))
        .bind(now_epoch())
}

#[async_trait]
impl GoalStore for SqlStore {
    async fn goals(&self, pairing: PairingId) -> StoreResult<Vec<Goal>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {GOAL_COLUMNS} FROM goals WHERE pairing_id = $1 ORDER BY id"
        ));
        self.all(sqlx::query(sql).bind(pairing.0), goal_from_row)
            .await
    }

    async fn goal(&self, id: GoalId) -> StoreResult<Goal> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {GOAL_COLUMNS} FROM goals WHERE id = $1"));
        self.one(sqlx::query(sql).bind(id.0), goal_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("goal {}", id.0)))
    }

    async fn add_goal(
        &self,
        pairing: &Pairing,
        draft: &GoalDraft,
        most: i64,
        actor: &str,
    ) -> StoreResult<Goal> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        // The count and the insert in one statement, so two goals added at once cannot pass
        // the limit together.
        let query = sqlx::query(
            "INSERT INTO goals (pairing_id, what, why, by_when, progress, outcome, created_at, updated_at,
                programme_id)
             SELECT $1, $2, $3, $4, $5, $6, $7, $7, $9
              WHERE (SELECT COUNT(*) FROM goals WHERE pairing_id = $1) < $8
             RETURNING id",
        )
        .bind(pairing.id.0);
        let row = bind_draft(query, draft)
            .bind(most)
            .bind(pairing.programme_id.0)
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?
            .ok_or_else(|| {
                StoreError::conflict(format!(
                    "a pair keeps at most {most} goals: mark one achieved or remove one first"
                ))
            })?;
        let id = GoalId(row.try_get("id")?);
        record(&mut tx, pairing, actor, "goal.add", id).await?;
        tx.commit().await.map_err(map_error)?;
        self.goal(id).await
    }

    async fn save_goal(
        &self,
        pairing: &Pairing,
        current: &Goal,
        draft: &GoalDraft,
        actor: &str,
    ) -> StoreResult<Goal> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let query = sqlx::query(
            "UPDATE goals SET what = $3, why = $4, by_when = $5, progress = $6, outcome = $7,
                updated_at = $8, version = version + 1
             WHERE id = $1 AND version = $2",
        )
        .bind(current.id.0)
        .bind(current.version);
        let changed = bind_draft(query, draft)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
        if changed == 0 {
            return Err(StoreError::conflict(
                "the goal changed meanwhile; reload it and try again",
            ));
        }
        record(&mut tx, pairing, actor, "goal.update", current.id).await?;
        tx.commit().await.map_err(map_error)?;
        self.goal(current.id).await
    }

    async fn delete_goal(&self, pairing: &Pairing, goal: GoalId, actor: &str) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let removed = sqlx::query("DELETE FROM goals WHERE id = $1 AND pairing_id = $2")
            .bind(goal.0)
            .bind(pairing.id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
        if removed == 0 {
            return Err(StoreError::not_found(format!("goal {}", goal.0)));
        }
        record(&mut tx, pairing, actor, "goal.remove", goal).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn goal_figures(&self, programme: ProgrammeId) -> StoreResult<GoalFigures> {
        let figures = self
            .one(
                sqlx::query(
                    "SELECT COUNT(DISTINCT pairing_id) AS pairings, COUNT(*) AS goals,
                        COALESCE(SUM(CASE WHEN outcome = 'achieved' THEN 1 ELSE 0 END), 0) AS achieved,
                        COALESCE(SUM(CASE WHEN outcome = 'partly_achieved' THEN 1 ELSE 0 END), 0) AS partly,
                        COALESCE(SUM(CASE WHEN outcome = 'not_achieved' THEN 1 ELSE 0 END), 0) AS not_achieved,
                        COALESCE(SUM(CASE WHEN outcome IS NULL THEN 1 ELSE 0 END), 0) AS open,
                        CAST(COALESCE(AVG(CASE WHEN outcome IS NULL THEN progress END), 0) AS DOUBLE PRECISION) AS progress
                     FROM goals WHERE programme_id = $1",
                )
                .bind(programme.0),
                |row| {
                    Ok(GoalFigures {
                        pairings_with_goals: row.try_get("pairings")?,
                        goals: row.try_get("goals")?,
                        achieved: row.try_get("achieved")?,
                        partly_achieved: row.try_get("partly")?,
                        not_achieved: row.try_get("not_achieved")?,
                        open: row.try_get("open")?,
                        mean_progress: row.try_get("progress")?,
                    })
                },
            )
            .await?;
        Ok(figures.unwrap_or_default())
    }
}

/// The audit entry of a change to a goal: that it happened, never its words.
async fn record(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    pairing: &Pairing,
    actor: &str,
    action: &str,
    goal: GoalId,
) -> StoreResult<()> {
    let entry = NewAuditEntry {
        actor,
        action,
        subject: &format!("pairing {}", pairing.id.0),
        detail: &format!("goal {}", goal.0),
        programme: Some(pairing.programme_id),
    };
    audit(tx, &entry).await
}

//! The audit trail of changes made by managers and admins.

use async_trait::async_trait;
use sqlx::Row;

use upward_domain::UserId;

use crate::sql::{audit, from_epoch, map_error};
use crate::{AuditEntry, AuditStore, NewAuditEntry, SqlStore, StoreResult};

const AUDIT_SELECT: &str = "SELECT a.at, a.actor, a.action, a.subject, a.detail FROM audit_log a";

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, entry: &NewAuditEntry<'_>) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        audit(&mut tx, entry).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn audit_log(
        &self,
        limit: i64,
        managed_by: Option<UserId>,
    ) -> StoreResult<Vec<AuditEntry>> {
        Ok(self.audit_page(managed_by, 0, limit).await?.0)
    }

    async fn audit_page(
        &self,
        managed_by: Option<UserId>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<AuditEntry>, i64)> {
        // A programme manager reads the entries of the programmes they manage; an admin all of
        // them. Two statements, not one with `$1 IS NULL OR …`, so each walks its own index.
        // The totals are kept by triggers (migration 0021): counting the trail each time grew
        // with it.
        let count = match managed_by {
            None => sqlx::query("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM audit_counts"),
            Some(user) => sqlx::query(
                "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM audit_counts
                  WHERE programme_id IN (SELECT programme_id FROM programme_managers WHERE user_id = $1)",
            )
            .bind(user.0),
        };
        let total = self.one(count, |row| Ok(row.try_get("n")?)).await?;
        let query = match managed_by {
            None => sqlx::query(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} ORDER BY a.id DESC LIMIT $1 OFFSET $2"
            )))
            .bind(limit)
            .bind(offset),
            Some(user) => sqlx::query(sqlx::AssertSqlSafe(format!(
                "{AUDIT_SELECT} WHERE a.programme_id IN
                    (SELECT programme_id FROM programme_managers WHERE user_id = $1)
                 ORDER BY a.id DESC LIMIT $2 OFFSET $3"
            )))
            .bind(user.0)
            .bind(limit)
            .bind(offset),
        };
        let entries = self
            .all(query, |row| {
                Ok(AuditEntry {
                    at: from_epoch(row.try_get("at")?),
                    actor: row.try_get("actor")?,
                    action: row.try_get("action")?,
                    subject: row.try_get("subject")?,
                    detail: row.try_get("detail")?,
                })
            })
            .await?;
        Ok((entries, total.unwrap_or(0)))
    }
}

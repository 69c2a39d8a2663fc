//! The audit trail of changes made by managers and admins.

use async_trait::async_trait;
use sqlx::Row;

use upward_domain::UserId;

use crate::sql::{audit, from_epoch, map_error};
use crate::{AuditEntry, AuditStore, NewAuditEntry, SqlStore, StoreResult};

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
        // A programme manager reads the entries of the programmes they manage.
        let scope = "($1 IS NULL OR a.programme_id IN
            (SELECT programme_id FROM programme_managers WHERE user_id = $1))";
        let user = managed_by.map(|u| u.0);
        let count_sql = sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM audit_log a WHERE {scope}"
        ));
        let total: i64 = sqlx::query(count_sql)
            .bind(user)
            .fetch_one(&self.pool)
            .await
            .map_err(map_error)?
            .try_get("n")?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT a.at, a.actor, a.action, a.subject, a.detail FROM audit_log a WHERE {scope}
             ORDER BY a.id DESC LIMIT $2 OFFSET $3"
        ));
        let query = sqlx::query(sql).bind(user).bind(limit).bind(offset);
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
        Ok((entries, total))
    }
}

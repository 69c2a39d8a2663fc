//! The audit trail of changes made by managers and admins.

use async_trait::async_trait;
use sqlx::Row;

use crate::sql::{from_epoch, now_epoch};
use crate::{AuditEntry, AuditStore, SqlStore, StoreResult};

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(
        &self,
        actor: &str,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> StoreResult<()> {
        self.run(sqlx::query("INSERT INTO audit_log (at, actor, action, subject, detail) VALUES ($1, $2, $3, $4, $5)")
            .bind(now_epoch())
            .bind(actor)
            .bind(action)
            .bind(subject)
            .bind(detail)).await?;
        Ok(())
    }

    async fn audit_log(&self, limit: i64) -> StoreResult<Vec<AuditEntry>> {
        let query = sqlx::query(
            "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
        )
        .bind(limit);
        self.all(query, |row| {
            Ok(AuditEntry {
                at: from_epoch(row.try_get("at")?),
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                subject: row.try_get("subject")?,
                detail: row.try_get("detail")?,
            })
        })
        .await
    }
}

//! The audit trail of changes made by managers and admins.

use async_trait::async_trait;
use sqlx::Row;

use upward_domain::UserId;

use crate::sql::{audit, from_epoch, map_error};
use crate::{AuditEntry, AuditStore, NewAuditEntry, SqlStore, StoreResult};

#[async_trait]
impl AuditStore for SqlStore {
    async fn record_audit(&self, entry: &NewAuditEntry<'_>) -> StoreResult<()> {
        let mut tx = self.pool.begin().await.map_err(map_error)?;
        audit(&mut tx, entry).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn audit_log(
        &self,
        limit: i64,
        managed_by: Option<UserId>,
    ) -> StoreResult<Vec<AuditEntry>> {
        let query = match managed_by {
            None => sqlx::query(
                "SELECT at, actor, action, subject, detail FROM audit_log ORDER BY id DESC LIMIT $1",
            )
            .bind(limit),
            Some(user) => sqlx::query(
                "SELECT a.at, a.actor, a.action, a.subject, a.detail FROM audit_log a
                 JOIN programme_managers pm ON pm.programme_id = a.programme_id AND pm.user_id = $2
                 ORDER BY a.id DESC LIMIT $1",
            )
            .bind(limit)
            .bind(user.0),
        };
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

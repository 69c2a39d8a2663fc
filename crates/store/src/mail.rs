//! The outbox: mail written in the same transaction as the change it announces, taken by one
//! sender at a time (a conditional UPDATE, so two servers never send a message twice at once).

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;

use crate::sql::{map_error, to_epoch};
use crate::{Mail, MailStore, OutboxEntry, OutboxMessage, SqlStore, StoreResult};

#[async_trait]
impl MailStore for SqlStore {
    async fn claim_mail(
        &self,
        now: Timestamp,
        stale_before: Timestamp,
        max_attempts: i64,
        limit: i64,
    ) -> StoreResult<Vec<OutboxMessage>> {
        // One statement for the whole batch. The condition is repeated outside the subquery
        // because a concurrent sender may take a row between the two: PostgreSQL re-checks
        // the outer condition on the row it waited for, so that row is skipped, not taken twice
        // (SQLite runs one writer at a time).
        let mut claimed = self
            .write_all(
                sqlx::query(
                    "UPDATE outbox SET claimed_at = $1, attempts = attempts + 1
                     WHERE id IN (SELECT id FROM outbox WHERE sent_at IS NULL AND attempts < $3
                                    AND (claimed_at IS NULL OR claimed_at < $2) ORDER BY id LIMIT $4)
                       AND sent_at IS NULL AND (claimed_at IS NULL OR claimed_at < $2)
                     RETURNING id, recipient, subject, body, attempts",
                )
                .bind(to_epoch(now))
                .bind(to_epoch(stale_before))
                .bind(max_attempts)
                .bind(limit),
                |row| {
                    Ok(OutboxMessage {
                        id: row.try_get("id")?,
                        mail: Mail {
                            recipient: row.try_get("recipient")?,
                            subject: row.try_get("subject")?,
                            body: row.try_get("body")?,
                        },
                        attempts: row.try_get("attempts")?,
                    })
                },
            )
            .await?;
        claimed.sort_by_key(|message| message.id);
        Ok(claimed)
    }

    async fn mark_mail_sent(&self, ids: &[i64], at: Timestamp) -> StoreResult<()> {
        // One transaction, so a batch costs one commit.
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        for &id in ids {
            sqlx::query("UPDATE outbox SET sent_at = $2, last_error = NULL WHERE id = $1")
                .bind(id)
                .bind(to_epoch(at))
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        tx.commit().await.map_err(map_error)?;
        Ok(())
    }

    async fn mark_mail_failed(&self, id: i64, error: &str) -> StoreResult<()> {
        self.run(
            // The claim stays: the message is tried again once it is stale, which spaces the
            // attempts out.
            sqlx::query("UPDATE outbox SET last_error = $2 WHERE id = $1")
                .bind(id)
                .bind(error.to_owned()),
        )
        .await?;
        Ok(())
    }

    async fn outbox(&self, limit: i64) -> StoreResult<Vec<OutboxEntry>> {
        self.all(
            sqlx::query(
                "SELECT recipient, subject, body, sent_at, attempts, last_error FROM outbox
                 ORDER BY id DESC LIMIT $1",
            )
            .bind(limit),
            |row| {
                let sent_at: Option<i64> = row.try_get("sent_at")?;
                Ok(OutboxEntry {
                    mail: Mail {
                        recipient: row.try_get("recipient")?,
                        subject: row.try_get("subject")?,
                        body: row.try_get("body")?,
                    },
                    sent: sent_at.is_some(),
                    attempts: row.try_get("attempts")?,
                    last_error: row.try_get("last_error")?,
                })
            },
        )
        .await
    }
}

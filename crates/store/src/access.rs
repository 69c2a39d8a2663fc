//! One-time links, the rate limits on asking for them, and programme invitations. A link is
//! used by a conditional UPDATE, so two clicks racing use it once; issuing a link deletes the
//! person's older unused links of the same kind, so only the newest works.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use upward_domain::{InvitationCounts, LinkPurpose, ProgrammeId};

use crate::sql::{audit, map_error, parse_column, queue_mail, to_epoch};
use crate::{AccessStore, LiveLink, Mail, NewAuditEntry, NewLink, SqlStore, StoreResult};

fn live_link_from_row(row: &AnyRow) -> StoreResult<LiveLink> {
    let programme: Option<i64> = row.try_get("programme_id")?;
    Ok(LiveLink {
        email_key: row.try_get("email_key")?,
        purpose: parse_column::<LinkPurpose>(row, "purpose")?,
        programme: programme.map(ProgrammeId),
    })
}

/// Replaces the person's unused links of the link's kind (for an invitation: to the same
/// programme) with this one, inside the caller's transaction.
async fn replace_link(tx: &mut Transaction<'_, Any>, link: &NewLink, now: i64) -> StoreResult<()> {
    sqlx::query(
        "DELETE FROM access_links WHERE email_key = $1 AND purpose = $2 AND used_at IS NULL
           AND COALESCE(programme_id, 0) = COALESCE($3, 0)",
    )
    .bind(link.email_key.clone())
    .bind(link.purpose.as_str())
    .bind(link.programme.map(|p| p.0))
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    sqlx::query(
        "INSERT INTO access_links (token_hash, email_key, purpose, programme_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(link.token_hash.clone())
    .bind(link.email_key.clone())
    .bind(link.purpose.as_str())
    .bind(link.programme.map(|p| p.0))
    .bind(now)
    .bind(to_epoch(link.expires_at))
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

#[async_trait]
impl AccessStore for SqlStore {
    async fn issue_link(&self, link: &NewLink, mail: &Mail, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        replace_link(&mut tx, link, to_epoch(now)).await?;
        queue_mail(&mut tx, std::slice::from_ref(mail)).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn live_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<LiveLink>> {
        self.one(
            sqlx::query(
                "SELECT email_key, purpose, programme_id FROM access_links
                 WHERE token_hash = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(to_epoch(now))
            .bind(purpose.as_str()),
            live_link_from_row,
        )
        .await
    }

    async fn use_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        now: Timestamp,
    ) -> StoreResult<Option<LiveLink>> {
        self.write_one(
            sqlx::query(
                "UPDATE access_links SET used_at = $2
                 WHERE token_hash = $1 AND purpose = $3 AND used_at IS NULL AND expires_at > $2
                 RETURNING email_key, purpose, programme_id",
            )
            .bind(token_hash)
            .bind(to_epoch(now))
            .bind(purpose.as_str()),
            live_link_from_row,
        )
        .await
    }

    async fn delete_expired_links(&self, now: Timestamp) -> StoreResult<u64> {
        self.run(sqlx::query("DELETE FROM access_links WHERE expires_at <= $1").bind(to_epoch(now)))
            .await
    }

    async fn count_request(
        &self,
        buckets: &[String],
        at: Timestamp,
        since: Timestamp,
    ) -> StoreResult<Vec<i64>> {
        let mut counts = Vec::with_capacity(buckets.len());
        for bucket in buckets {
            self.run(
                sqlx::query("INSERT INTO rate_events (bucket, at) VALUES ($1, $2)")
                    .bind(bucket.clone())
                    .bind(to_epoch(at)),
            )
            .await?;
            let row =
                sqlx::query("SELECT COUNT(*) AS n FROM rate_events WHERE bucket = $1 AND at > $2")
                    .bind(bucket.clone())
                    .bind(to_epoch(since))
                    .fetch_one(&self.pool)
                    .await
                    .map_err(map_error)?;
            counts.push(row.try_get("n")?);
        }
        Ok(counts)
    }

    async fn delete_rate_events_before(&self, before: Timestamp) -> StoreResult<u64> {
        self.run(sqlx::query("DELETE FROM rate_events WHERE at <= $1").bind(to_epoch(before)))
            .await
    }

    async fn invite(
        &self,
        programme: ProgrammeId,
        invitations: &[(NewLink, Mail)],
        actor: &str,
        audience: &str,
        now: Timestamp,
        resend_before: Timestamp,
    ) -> StoreResult<u64> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let mut sent = 0;
        for (link, mail) in invitations {
            // Someone invited after `resend_before` is left alone: the row is not updated and
            // RETURNING gives nothing.
            let fresh = sqlx::query(
                "INSERT INTO invitations (programme_id, email_key, invited_by, first_sent_at, last_sent_at)
                 VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (programme_id, email_key) DO UPDATE
                   SET last_sent_at = excluded.last_sent_at, invited_by = excluded.invited_by
                   WHERE invitations.last_sent_at <= $5
                 RETURNING email_key",
            )
            .bind(programme.0)
            .bind(link.email_key.clone())
            .bind(actor.to_owned())
            .bind(to_epoch(now))
            .bind(to_epoch(resend_before))
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
            if fresh.is_some() {
                replace_link(&mut tx, link, to_epoch(now)).await?;
                queue_mail(&mut tx, std::slice::from_ref(mail)).await?;
                sent += 1;
            }
        }
        let detail = format!(
            "{audience}: {sent} invited, {} already invited in the last days",
            invitations.len() as u64 - sent
        );
        let entry = NewAuditEntry {
            actor,
            action: "programme.invite",
            subject: &format!("programme {}", programme.0),
            detail: &detail,
            programme: Some(programme),
        };
        audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(map_error)?;
        Ok(sent)
    }

    async fn mark_invitation_used(
        &self,
        programme: ProgrammeId,
        email_key: &str,
        at: Timestamp,
    ) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "UPDATE invitations SET signed_in_at = $3
                 WHERE programme_id = $1 AND email_key = $2 AND signed_in_at IS NULL",
            )
            .bind(programme.0)
            .bind(email_key)
            .bind(to_epoch(at)),
        )
        .await?;
        Ok(())
    }

    async fn invitation_counts(&self, programme: ProgrammeId) -> StoreResult<InvitationCounts> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS invited, COUNT(i.signed_in_at) AS signed_in, COUNT(e.id) AS enrolled
             FROM invitations i
             LEFT JOIN enrolments e ON e.programme_id = i.programme_id AND e.person_key = i.email_key AND e.withdrawn_at IS NULL
             WHERE i.programme_id = $1",
        )
        .bind(programme.0)
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(InvitationCounts {
            invited: row.try_get("invited")?,
            signed_in: row.try_get("signed_in")?,
            enrolled: row.try_get("enrolled")?,
        })
    }
}

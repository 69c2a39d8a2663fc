//! What the follow-up mail needs: meetings to remind the day before, the daily engagement check
//! and weekly digest each programme is due, and the engagement each pair was last told about.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use upward_domain::{EngagementStatus, MeetingId, PairingId, ProgrammeId};

use crate::meetings::{MEETING_COLUMNS, meeting_from_row};
use crate::sql::{corrupt, map_error, queue_mail, to_epoch};
use crate::{FollowUpStore, Mail, SqlStore, StoreResult};
use upward_domain::Meeting;

fn status_of(text: &str) -> StoreResult<EngagementStatus> {
    match text {
        "healthy" => Ok(EngagementStatus::Healthy),
        "at_risk" => Ok(EngagementStatus::AtRisk),
        "stalled" => Ok(EngagementStatus::Stalled),
        other => Err(corrupt("status", other, "not an engagement status")),
    }
}

#[async_trait]
impl FollowUpStore for SqlStore {
    async fn meetings_to_remind(
        &self,
        now: Timestamp,
        until: Timestamp,
        limit: i64,
    ) -> StoreResult<Vec<Meeting>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings
             WHERE reminded_at IS NULL AND status = 'scheduled' AND starts_at > $1 AND starts_at <= $2
               AND EXISTS (SELECT 1 FROM pairings p WHERE p.id = meetings.pairing_id AND p.state = 'active')
             ORDER BY starts_at LIMIT $3"
        ));
        self.all(
            sqlx::query(sql)
                .bind(to_epoch(now))
                .bind(to_epoch(until))
                .bind(limit),
            meeting_from_row,
        )
        .await
    }

    async fn mark_meeting_reminded(
        &self,
        meeting: MeetingId,
        at: Timestamp,
        mail: &[Mail],
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let marked = sqlx::query(
            "UPDATE meetings SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL",
        )
        .bind(meeting.0)
        .bind(to_epoch(at))
        .execute(&mut *tx)
        .await
        .map_err(map_error)?
        .rows_affected()
            == 1;
        if marked {
            queue_mail(&mut tx, mail).await?;
        }
        tx.commit().await.map_err(map_error)?;
        Ok(marked)
    }

    async fn claim_engagement_checks(
        &self,
        now: Timestamp,
        checked_before: Timestamp,
    ) -> StoreResult<Vec<ProgrammeId>> {
        self.write_all(
            sqlx::query(
                "UPDATE programmes SET engagement_checked_at = $1
                 WHERE phase <> 'closed'
                   AND (engagement_checked_at IS NULL OR engagement_checked_at < $2)
                 RETURNING id",
            )
            .bind(to_epoch(now))
            .bind(to_epoch(checked_before)),
            |row| Ok(ProgrammeId(row.try_get("id")?)),
        )
        .await
    }

    async fn claim_digest(
        &self,
        programme: ProgrammeId,
        now: Timestamp,
        sent_before: Timestamp,
    ) -> StoreResult<bool> {
        let claimed = self
            .run(
                sqlx::query(
                    "UPDATE programmes SET digest_sent_at = $2
                     WHERE id = $1 AND (digest_sent_at IS NULL OR digest_sent_at < $3)",
                )
                .bind(programme.0)
                .bind(to_epoch(now))
                .bind(to_epoch(sent_before)),
            )
            .await?;
        Ok(claimed == 1)
    }

    async fn engagement_alerts(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(PairingId, EngagementStatus)>> {
        self.all(
            sqlx::query(
                "SELECT a.pairing_id, a.status FROM engagement_alerts a
                 JOIN pairings p ON p.id = a.pairing_id WHERE p.programme_id = $1",
            )
            .bind(programme.0),
            |row| {
                let status: String = row.try_get("status")?;
                Ok((PairingId(row.try_get("pairing_id")?), status_of(&status)?))
            },
        )
        .await
    }

    async fn record_engagement_alerts(
        &self,
        changes: &[(PairingId, EngagementStatus)],
        mail: &[Mail],
        at: Timestamp,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        for (pairing, status) in changes {
            sqlx::query(
                "INSERT INTO engagement_alerts (pairing_id, status, changed_at) VALUES ($1, $2, $3)
                 ON CONFLICT (pairing_id) DO UPDATE SET status = $2, changed_at = $3",
            )
            .bind(pairing.0)
            .bind(status.as_str())
            .bind(to_epoch(at))
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        queue_mail(&mut tx, mail).await?;
        tx.commit().await.map_err(map_error)
    }
}

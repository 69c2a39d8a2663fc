//! A pair's schedule (the series they accept), its meetings and their log, and each person's
//! private calendar feed address.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use upward_domain::schedule::{MeetingChannel, ProposedMeeting, ScheduleProposal};
use upward_domain::{
    Meeting, MeetingId, MeetingStatus, Pairing, PairingId, ScheduleAgreement, Side,
};

use crate::sql::{
    AnyQuery, audit, corrupt, from_epoch, map_error, now_epoch, queue_mail, to_epoch,
};
use crate::{Mail, MeetingStore, NewAuditEntry, SqlStore, StoreError, StoreResult};

const MEETING_COLUMNS: &str = "id, pairing_id, starts_at, ends_at, channel, status, sequence, \
     cancelled_by, cancelled_at, rescheduled, minutes, topics, notes, version";

fn agreement_from_row(row: &AnyRow) -> StoreResult<ScheduleAgreement> {
    let text: String = row.try_get("series")?;
    let at = |column: &str| -> StoreResult<Option<Timestamp>> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_epoch))
    };
    Ok(ScheduleAgreement {
        series: serde_json::from_str(&text).map_err(|e| corrupt("series", &text, e))?,
        mentor_accepted_at: at("mentor_accepted_at")?,
        mentee_accepted_at: at("mentee_accepted_at")?,
        settled_at: at("settled_at")?,
    })
}

fn meeting_from_row(row: &AnyRow) -> StoreResult<Meeting> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let channel = text("channel")?;
    let status = text("status")?;
    let topics = text("topics")?;
    let cancelled_by: Option<String> = row.try_get("cancelled_by")?;
    Ok(Meeting {
        id: MeetingId(row.try_get("id")?),
        pairing: PairingId(row.try_get("pairing_id")?),
        start: from_epoch(row.try_get("starts_at")?),
        end: from_epoch(row.try_get("ends_at")?),
        channel: MeetingChannel::parse(&channel)
            .ok_or_else(|| corrupt("channel", &channel, "not a channel"))?,
        status: MeetingStatus::parse(&status)
            .ok_or_else(|| corrupt("status", &status, "not a meeting status"))?,
        sequence: row.try_get("sequence")?,
        cancelled_by: cancelled_by
            .map(|side| {
                Side::parse(&side).ok_or_else(|| corrupt("cancelled_by", &side, "not a side"))
            })
            .transpose()?,
        cancelled_at: row
            .try_get::<Option<i64>, _>("cancelled_at")?
            .map(from_epoch),
        rescheduled: row.try_get::<i64, _>("rescheduled")? != 0,
        minutes: row.try_get("minutes")?,
        topics: serde_json::from_str(&topics).map_err(|e| corrupt("topics", &topics, e))?,
        notes: text("notes")?,
        version: row.try_get("version")?,
    })
}

#[async_trait]
impl MeetingStore for SqlStore {
    async fn schedule_agreement(
        &self,
        pairing: PairingId,
    ) -> StoreResult<Option<ScheduleAgreement>> {
        self.one(
            sqlx::query(
                "SELECT series, mentor_accepted_at, mentee_accepted_at, settled_at
                 FROM schedules WHERE pairing_id = $1",
            )
            .bind(pairing.0),
            agreement_from_row,
        )
        .await
    }

    async fn accept_schedule(
        &self,
        pairing: &Pairing,
        side: Side,
        series: &ScheduleProposal,
        actor: &str,
        mail: &[Mail],
    ) -> StoreResult<ScheduleAgreement> {
        let now = now_epoch();
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        // The first acceptance freezes its series; a later one keeps the frozen series, so both
        // accept the same meetings even if the proposal would differ today.
        let sql = match side {
            Side::Mentor => {
                "INSERT INTO schedules (pairing_id, series, mentor_accepted_at) VALUES ($1, $2, $3)
                 ON CONFLICT (pairing_id) DO UPDATE
                    SET mentor_accepted_at = COALESCE(schedules.mentor_accepted_at, $3)
                 RETURNING series, mentor_accepted_at, mentee_accepted_at, settled_at"
            }
            Side::Mentee => {
                "INSERT INTO schedules (pairing_id, series, mentee_accepted_at) VALUES ($1, $2, $3)
                 ON CONFLICT (pairing_id) DO UPDATE
                    SET mentee_accepted_at = COALESCE(schedules.mentee_accepted_at, $3)
                 RETURNING series, mentor_accepted_at, mentee_accepted_at, settled_at"
            }
        };
        let row = sqlx::query(sql)
            .bind(pairing.id.0)
            .bind(serde_json::to_string(series).expect("plain data serialises"))
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
        let mut agreement = agreement_from_row(&row)?;
        let both = agreement.mentor_accepted_at.is_some() && agreement.mentee_accepted_at.is_some();
        let settles = both && agreement.settled_at.is_none();
        if settles {
            sqlx::query("UPDATE schedules SET settled_at = $2 WHERE pairing_id = $1")
                .bind(pairing.id.0)
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
            insert_meetings(&mut tx, pairing.id, &agreement.series.meetings, now).await?;
            agreement.settled_at = Some(from_epoch(now));
        }
        let detail = if settles {
            format!(
                "the {} accepted; the schedule is settled with {} meetings",
                side.as_str(),
                agreement.series.meetings.len()
            )
        } else {
            format!("the {} accepted", side.as_str())
        };
        let entry = NewAuditEntry {
            actor,
            action: "schedule.accept",
            subject: &format!("pairing {}", pairing.id.0),
            detail: &detail,
            programme: Some(pairing.programme_id),
        };
        audit(&mut tx, &entry).await?;
        if settles {
            queue_mail(&mut tx, mail).await?;
        }
        tx.commit().await.map_err(map_error)?;
        Ok(agreement)
    }

    async fn pairing_meetings(&self, pairing: PairingId) -> StoreResult<Vec<Meeting>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE pairing_id = $1 ORDER BY starts_at, id"
        ));
        self.all(sqlx::query(sql).bind(pairing.0), meeting_from_row)
            .await
    }

    async fn meetings_of(&self, pairings: &[PairingId]) -> StoreResult<Vec<Meeting>> {
        let mut found = Vec::new();
        // Bounded batches keep each statement's parameters well under both engines' limits.
        for batch in pairings.chunks(500) {
            let placeholders = (1..=batch.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = sqlx::AssertSqlSafe(format!(
                "SELECT {MEETING_COLUMNS} FROM meetings WHERE pairing_id IN ({placeholders})
                 ORDER BY pairing_id, starts_at, id"
            ));
            let query = batch
                .iter()
                .fold(sqlx::query(sql), |query, id| query.bind(id.0));
            found.extend(self.all(query, meeting_from_row).await?);
        }
        Ok(found)
    }

    async fn person_meetings(&self, email_key: &str) -> StoreResult<Vec<Meeting>> {
        // One index lookup per side, as for a person's pairings.
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE pairing_id IN (
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentor_enrolment = e.id
                 WHERE e.person_key = $1
                UNION
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentee_enrolment = e.id
                 WHERE e.person_key = $1)
             ORDER BY starts_at, id"
        ));
        self.all(sqlx::query(sql).bind(email_key), meeting_from_row)
            .await
    }

    async fn meeting(&self, id: MeetingId) -> StoreResult<Meeting> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MEETING_COLUMNS} FROM meetings WHERE id = $1"
        ));
        self.one(sqlx::query(sql).bind(id.0), meeting_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("meeting {}", id.0)))
    }

    async fn add_meeting(
        &self,
        meeting: &Meeting,
        entry: &NewAuditEntry<'_>,
    ) -> StoreResult<Meeting> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let row = sqlx::query(
            "INSERT INTO meetings (pairing_id, starts_at, ends_at, channel, status, sequence,
                cancelled_by, cancelled_at, rescheduled, minutes, topics, notes, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        )
        .bind(meeting.pairing.0);
        let row = bind_meeting(row, meeting)
            .fetch_one(&mut *tx)
            .await
            .map_err(map_error)?;
        let id = MeetingId(row.try_get("id")?);
        audit(&mut tx, entry).await?;
        tx.commit().await.map_err(map_error)?;
        self.meeting(id).await
    }

    async fn save_meeting(
        &self,
        current: &Meeting,
        next: &Meeting,
        entry: &NewAuditEntry<'_>,
    ) -> StoreResult<Meeting> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let query = sqlx::query(
            "UPDATE meetings SET starts_at = $3, ends_at = $4, channel = $5, status = $6,
                sequence = $7, cancelled_by = $8, cancelled_at = $9, rescheduled = $10,
                minutes = $11, topics = $12, notes = $13, updated_at = $14, version = version + 1
             WHERE id = $1 AND version = $2",
        )
        .bind(current.id.0)
        .bind(current.version);
        let changed = bind_meeting(query, next)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::conflict(
                "the meeting changed meanwhile; reload it and try again",
            ));
        }
        audit(&mut tx, entry).await?;
        tx.commit().await.map_err(map_error)?;
        self.meeting(current.id).await
    }

    async fn calendar_feed(&self, email_key: &str, new_token: &str) -> StoreResult<String> {
        self.run(
            sqlx::query(
                "INSERT INTO calendar_feeds (email_key, token, created_at) VALUES ($1, $2, $3)
                 ON CONFLICT (email_key) DO NOTHING",
            )
            .bind(email_key)
            .bind(new_token)
            .bind(now_epoch()),
        )
        .await?;
        self.one(
            sqlx::query("SELECT token FROM calendar_feeds WHERE email_key = $1").bind(email_key),
            |row| Ok(row.try_get::<String, _>("token")?),
        )
        .await?
        .ok_or_else(|| StoreError::not_found("the calendar feed"))
    }

    async fn revoke_calendar_feed(&self, email_key: &str) -> StoreResult<bool> {
        let removed = self
            .run(sqlx::query("DELETE FROM calendar_feeds WHERE email_key = $1").bind(email_key))
            .await?;
        Ok(removed > 0)
    }

    async fn calendar_feed_owner(&self, token: &str) -> StoreResult<Option<String>> {
        self.one(
            sqlx::query("SELECT email_key FROM calendar_feeds WHERE token = $1").bind(token),
            |row| Ok(row.try_get::<String, _>("email_key")?),
        )
        .await
    }
}

/// Binds what a meeting holds, from its start to its notes, then the time of the change: the
/// twelve values both writes take in the same order.
fn bind_meeting<'q>(query: AnyQuery<'q>, meeting: &Meeting) -> AnyQuery<'q> {
    query
        .bind(to_epoch(meeting.start))
        .bind(to_epoch(meeting.end))
        .bind(meeting.channel.as_str())
        .bind(meeting.status.as_str())
        .bind(meeting.sequence)
        .bind(meeting.cancelled_by.map(Side::as_str))
        .bind(meeting.cancelled_at.map(to_epoch))
        .bind(i64::from(meeting.rescheduled))
        .bind(meeting.minutes)
        .bind(serde_json::to_string(&meeting.topics).expect("strings serialise"))
        .bind(meeting.notes.clone())
        .bind(now_epoch())
}

async fn insert_meetings(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    pairing: PairingId,
    series: &[ProposedMeeting],
    now: i64,
) -> StoreResult<()> {
    for plan in series {
        sqlx::query(
            "INSERT INTO meetings (pairing_id, starts_at, ends_at, channel, status, updated_at)
             VALUES ($1, $2, $3, $4, 'scheduled', $5)",
        )
        .bind(pairing.0)
        .bind(to_epoch(plan.start))
        .bind(to_epoch(plan.end))
        .bind(plan.channel.as_str())
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(map_error)?;
    }
    Ok(())
}

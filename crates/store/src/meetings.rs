//! A pair's schedule (the series they accept), its meetings and their log, and each person's
//! private calendar feed address.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use upward_domain::engagement::{Event, MeetingSummary, PairFacts};
use upward_domain::schedule::{MeetingChannel, ProposedMeeting, ScheduleProposal};
use upward_domain::{
    Meeting, MeetingId, MeetingStatus, Pairing, PairingId, ProgrammeId, ScheduleAgreement, Side,
};

use crate::sql::{
    AnyQuery, audit, corrupt, from_epoch, map_error, now_epoch, numbered_placeholders, queue_mail,
    to_epoch,
};
use crate::{Mail, MeetingStore, NewAuditEntry, SqlStore, StoreError, StoreResult};

pub(crate) const MEETING_COLUMNS: &str = "id, pairing_id, starts_at, ends_at, channel, status, sequence, \
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

pub(crate) fn meeting_from_row(row: &AnyRow) -> StoreResult<Meeting> {
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
            format!("the {} accepted; the schedule is settled", side.as_str())
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

    async fn change_schedule(
        &self,
        pairing: &Pairing,
        side: Side,
        series: &ScheduleProposal,
        actor: &str,
    ) -> StoreResult<ScheduleAgreement> {
        let now = now_epoch();
        let (mentor, mentee) = match side {
            Side::Mentor => (Some(now), None),
            Side::Mentee => (None, Some(now)),
        };
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        // A settled schedule is not changed here: its meetings are moved or cancelled instead.
        let row = sqlx::query(
            "INSERT INTO schedules (pairing_id, series, mentor_accepted_at, mentee_accepted_at)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (pairing_id) DO UPDATE
                SET series = $2, mentor_accepted_at = $3, mentee_accepted_at = $4
              WHERE schedules.settled_at IS NULL
             RETURNING series, mentor_accepted_at, mentee_accepted_at, settled_at",
        )
        .bind(pairing.id.0)
        .bind(serde_json::to_string(series).expect("plain data serialises"))
        .bind(mentor)
        .bind(mentee)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_error)?
        .ok_or_else(|| {
            StoreError::conflict(
                "the schedule is settled: move or cancel the meeting itself instead",
            )
        })?;
        let agreement = agreement_from_row(&row)?;
        let entry = NewAuditEntry {
            actor,
            action: "schedule.change",
            subject: &format!("pairing {}", pairing.id.0),
            detail: &format!("the {} changed the proposed series", side.as_str()),
            programme: Some(pairing.programme_id),
        };
        audit(&mut tx, &entry).await?;
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

    async fn engagement_summaries(
        &self,
        programme: ProgrammeId,
        only: Option<&[PairingId]>,
        now: Timestamp,
        recent: u8,
    ) -> StoreResult<Vec<(PairingId, PairFacts)>> {
        if let Some(ids) = only
            && ids.len() > 500
        {
            // Bounded batches keep each statement's parameters well under both engines' limits.
            let mut all = Vec::with_capacity(ids.len());
            for batch in ids.chunks(500) {
                all.extend(
                    self.engagement_summaries(programme, Some(batch), now, recent)
                        .await?,
                );
            }
            return Ok(all);
        }
        let ids = only.unwrap_or_default();
        if only.is_some() && ids.is_empty() {
            return Ok(Vec::new());
        }
        let filter = match only {
            Some(ids) => format!(
                "p.programme_id = $1 AND p.state = 'active' AND p.id IN ({})",
                numbered_placeholders(4, ids.len())
            ),
            None => "p.programme_id = $1 AND p.state = 'active'".to_owned(),
        };
        let query = |sql: String| {
            let query = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(programme.0)
                .bind(to_epoch(now))
                .bind(i64::from(recent));
            ids.iter().fold(query, |query, id| query.bind(id.0))
        };
        // Both statements bind $2 and $3; the first compares them to nothing but must name them
        // for PostgreSQL to know their types.
        let totals = self
            .all(
                query(format!(
                    "SELECT p.id, COALESCE(p.active_since, p.published_at) AS since,
                        (SELECT COUNT(*) FROM agreement_signatures s WHERE s.pairing_id = p.id) AS signatures,
                        COUNT(m.id) AS booked, MIN(m.starts_at) AS first_start,
                        MAX(CASE WHEN m.status = 'held' THEN m.starts_at END) AS last_held
                     FROM pairings p LEFT JOIN meetings m ON m.pairing_id = p.id
                     WHERE {filter} AND $2 >= 0 AND $3 >= 0
                     GROUP BY p.id, p.active_since, p.published_at ORDER BY p.id"
                )),
                |row| {
                    let at = |column: &str| -> StoreResult<Option<Timestamp>> {
                        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_epoch))
                    };
                    Ok((
                        PairingId(row.try_get("id")?),
                        PairFacts {
                            active_since: from_epoch(row.try_get("since")?),
                            agreement_signed: row.try_get::<i64, _>("signatures")? >= 2,
                            meetings: MeetingSummary {
                                booked: row.try_get::<i64, _>("booked")? > 0,
                                first_start: at("first_start")?,
                                last_held: at("last_held")?,
                                recent: Vec::new(),
                            },
                        },
                    ))
                },
            )
            .await?;
        // The latest events per pairing, in the order `MeetingSummary::of` keeps them: newest
        // first, ties by start and then id as the meetings are listed.
        let event_at = "CASE WHEN m.status = 'cancelled' THEN COALESCE(m.cancelled_at, m.starts_at) \
                        ELSE m.starts_at END";
        let events = self
            .all(
                query(format!(
                    "SELECT pairing_id, status, cancelled_by, event_at FROM (
                        SELECT m.pairing_id, m.status, m.cancelled_by, {event_at} AS event_at,
                            ROW_NUMBER() OVER (PARTITION BY m.pairing_id
                                ORDER BY {event_at} DESC, m.starts_at, m.id) AS recency,
                            m.starts_at, m.id
                        FROM pairings p JOIN meetings m ON m.pairing_id = p.id
                        WHERE {filter} AND m.status <> 'scheduled' AND {event_at} <= $2
                          AND (m.status <> 'cancelled' OR m.cancelled_by IS NOT NULL)
                     ) latest WHERE recency <= $3
                     ORDER BY pairing_id, recency"
                )),
                |row| {
                    let status: String = row.try_get("status")?;
                    let by: Option<String> = row.try_get("cancelled_by")?;
                    let event = match (status.as_str(), by.as_deref().and_then(Side::parse)) {
                        ("held", _) => Event::Held,
                        ("missed", _) => Event::Missed,
                        ("cancelled", Some(side)) => Event::CancelledBy(side),
                        _ => return Err(corrupt("status", &status, "not an event")),
                    };
                    Ok((
                        PairingId(row.try_get("pairing_id")?),
                        from_epoch(row.try_get("event_at")?),
                        event,
                    ))
                },
            )
            .await?;
        let mut summaries = totals;
        let position: std::collections::HashMap<PairingId, usize> = summaries
            .iter()
            .enumerate()
            .map(|(k, (id, ..))| (*id, k))
            .collect();
        for (pairing, at, event) in events {
            if let Some(&k) = position.get(&pairing) {
                summaries[k].1.meetings.recent.push((at, event));
            }
        }
        Ok(summaries)
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
    // A series accepted days apart may hold meetings that have started since: they are not
    // made (nobody could keep them).
    for plan in series.iter().filter(|plan| to_epoch(plan.start) > now) {
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

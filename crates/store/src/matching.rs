//! Matching runs, their proposals, and the pairings they publish. The rules that must hold
//! under any race are kept by the database: one live pairing per mentee (a partial unique
//! index), at most `capacity` per mentor (a counter that a conditional UPDATE refuses to push
//! past it), and a pairing changes only from the version it was read at.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use upward_domain::{
    Answer, Email, EnrolmentId, MatchingRun, PairExplanation, Pairing, PairingEvent, PairingId,
    PairingState, ProgrammeId, RunId, RunResult, RunSummary, Side, TopicLevels, UnmatchedPerson,
    Weights,
};

use crate::kept_counts::Counted;
use crate::sql::{
    audit, corrupt, from_epoch, map_error, now_epoch, numbered_placeholders, parse_column,
    queue_mail, to_epoch,
};
use crate::{
    Mail, MatchingStore, NewAuditEntry, PairRule, PairWords, SqlStore, StoreError, StoreResult,
};

const RUN_SELECT: &str =
    "SELECT id, programme_id, status, started_by, incremental, weights, progress, summary,
        error, created_at, finished_at FROM matching_runs";

/// A pairing's columns with `$extra` more, from the pairing joined to both sides' enrolments
/// and people: one text for both selects below, as `concat!` takes only literals.
macro_rules! pairing_select {
    ($extra:literal) => {
        concat!(
            "SELECT pa.id, pa.programme_id, pa.run_id, pa.mentor_enrolment, pa.mentee_enrolment,
        mp.name AS mentor_name, mp.email AS mentor_email, ep.name AS mentee_name, ep.email AS mentee_email,
        pa.state, pa.mentor_answer, pa.mentee_answer, pa.ended_by, pa.reason, pa.explanation,
        pa.published_at, pa.answer_due, pa.reminded_at, pa.active_since, pa.version",
            $extra,
            "
     FROM pairings pa
     JOIN enrolments me ON me.id = pa.mentor_enrolment JOIN people mp ON mp.email_key = me.person_key
     JOIN enrolments ee ON ee.id = pa.mentee_enrolment JOIN people ep ON ep.email_key = ee.person_key"
        )
    };
}

/// Pairings as lists show them: without what the two sides wrote on enrolling (two statements
/// and two topic lists a pair, which a page of a hundred would read and throw away).
const PAIRING_SELECT: &str = pairing_select!("");

/// Pairings with what the two sides wrote on enrolling ([`pair_words_from_row`]).
const PAIRING_IN_WORDS_SELECT: &str = pairing_select!(
    ", me.statement AS mentor_statement, me.offers AS mentor_offers,
        ee.statement AS mentee_statement, ee.interests AS mentee_interests"
);

const LIVE_STATES: &str = "('proposed', 'exploring', 'active')";

fn in_order_of_id(mut pairings: Vec<Pairing>) -> Vec<Pairing> {
    pairings.sort_by_key(|pairing| pairing.id.0);
    pairings
}

fn json<T: serde::de::DeserializeOwned>(row: &AnyRow, column: &str) -> StoreResult<T> {
    let text: String = row.try_get(column)?;
    serde_json::from_str(&text).map_err(|e| corrupt(column, &text, e))
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("plain data serialises")
}

fn run_from_row(row: &AnyRow) -> StoreResult<MatchingRun> {
    let summary: Option<String> = row.try_get("summary")?;
    let summary = summary
        .map(|text| {
            serde_json::from_str::<RunSummary>(&text).map_err(|e| corrupt("summary", &text, e))
        })
        .transpose()?;
    let finished_at: Option<i64> = row.try_get("finished_at")?;
    Ok(MatchingRun {
        id: RunId(row.try_get("id")?),
        programme_id: ProgrammeId(row.try_get("programme_id")?),
        status: parse_column(row, "status")?,
        started_by: row.try_get("started_by")?,
        incremental: row.try_get::<i64, _>("incremental")? != 0,
        weights: json::<Weights>(row, "weights")?,
        progress: row.try_get("progress")?,
        summary,
        error: row.try_get("error")?,
        created_at: from_epoch(row.try_get("created_at")?),
        finished_at: finished_at.map(from_epoch),
    })
}

/// What the two sides wrote on enrolling, from the columns `PAIRING_IN_WORDS_SELECT` reads.
fn pair_words_from_row(row: &AnyRow) -> StoreResult<PairWords> {
    let topics = |column: &str| -> StoreResult<TopicLevels> {
        let value: String = row.try_get(column)?;
        TopicLevels::parse(&value).map_err(|e| corrupt(column, &value, e))
    };
    Ok(PairWords {
        mentor_statement: row.try_get("mentor_statement")?,
        mentor_offers: topics("mentor_offers")?,
        mentee_statement: row.try_get("mentee_statement")?,
        mentee_interests: topics("mentee_interests")?,
    })
}

fn pairing_from_row(row: &AnyRow) -> StoreResult<Pairing> {
    let text = |column: &str| row.try_get::<String, _>(column);
    let answer = |column: &str| -> StoreResult<Answer> {
        let value = text(column)?;
        Answer::parse(&value).ok_or_else(|| corrupt(column, &value, "not an answer"))
    };
    let ended_by: Option<String> = row.try_get("ended_by")?;
    let ended_by = ended_by
        .map(|side| Side::parse(&side).ok_or_else(|| corrupt("ended_by", &side, "not a side")))
        .transpose()?;
    let name = text("state")?;
    let state = PairingState::from_parts(
        &name,
        answer("mentor_answer")?,
        answer("mentee_answer")?,
        ended_by,
    )
    .ok_or_else(|| corrupt("state", &name, "does not go with its answers"))?;
    let email = |column: &str| -> StoreResult<Email> {
        let value = text(column)?;
        Email::parse(&value).map_err(|e| corrupt(column, &value, e))
    };
    let run_id: Option<i64> = row.try_get("run_id")?;
    let reminded_at: Option<i64> = row.try_get("reminded_at")?;
    Ok(Pairing {
        id: PairingId(row.try_get("id")?),
        programme_id: ProgrammeId(row.try_get("programme_id")?),
        run_id: run_id.map(RunId),
        mentor: EnrolmentId(row.try_get("mentor_enrolment")?),
        mentee: EnrolmentId(row.try_get("mentee_enrolment")?),
        mentor_name: text("mentor_name")?,
        mentee_name: text("mentee_name")?,
        mentor_email: email("mentor_email")?,
        mentee_email: email("mentee_email")?,
        state,
        reason: row.try_get("reason")?,
        explanation: json::<PairExplanation>(row, "explanation")?,
        published_at: from_epoch(row.try_get("published_at")?),
        answer_due: from_epoch(row.try_get("answer_due")?),
        reminded_at: reminded_at.map(from_epoch),
        active_since: row
            .try_get::<Option<i64>, _>("active_since")?
            .map(from_epoch),
        version: row.try_get("version")?,
    })
}

/// Takes one of the mentor's seats, or says they have none left.
async fn take_seat(
    tx: &mut Transaction<'_, Any>,
    mentor: EnrolmentId,
    capacity: u32,
) -> StoreResult<()> {
    let taken = sqlx::query(
        "UPDATE enrolments SET live_pairings = live_pairings + 1 WHERE id = $1 AND live_pairings < $2",
    )
    .bind(mentor.0)
    .bind(i64::from(capacity))
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    if taken.rows_affected() == 0 {
        return Err(StoreError::conflict(format!(
            "mentor enrolment {} already has {capacity} live pairing(s), its capacity",
            mentor.0
        )));
    }
    Ok(())
}

async fn insert_pairing(
    tx: &mut Transaction<'_, Any>,
    programme: ProgrammeId,
    run: Option<RunId>,
    mentor: EnrolmentId,
    mentee: EnrolmentId,
    explanation: &PairExplanation,
    answer_due: Timestamp,
) -> StoreResult<()> {
    let (state, mentor_answer, mentee_answer, _) = PairingState::PUBLISHED.to_parts();
    let now = now_epoch();
    sqlx::query(
        "INSERT INTO pairings (programme_id, run_id, mentor_enrolment, mentee_enrolment, state,
            mentor_answer, mentee_answer, explanation, published_at, answer_due, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $9)",
    )
    .bind(programme.0)
    .bind(run.map(|r| r.0))
    .bind(mentor.0)
    .bind(mentee.0)
    .bind(state)
    .bind(mentor_answer.as_str())
    .bind(mentee_answer.as_str())
    .bind(to_json(explanation))
    .bind(now)
    .bind(to_epoch(answer_due))
    .execute(&mut **tx)
    .await
    .map_err(|error| match map_error(error) {
        StoreError::Conflict { .. } => StoreError::conflict(format!(
            "mentee enrolment {} already has a live pairing",
            mentee.0
        )),
        other => other,
    })?;
    Ok(())
}

impl SqlStore {
    /// Runs `update` (binding the run, its summary and now) and, if it changed the run, puts the
    /// result in place of the run's pairs and unmatched people, in one transaction; otherwise
    /// `Conflict` with `refusal`.
    async fn write_result(
        &self,
        id: RunId,
        result: &RunResult,
        update: &'static str,
        refusal: String,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let changed = sqlx::query(update)
            .bind(id.0)
            .bind(to_json(&result.summary))
            .bind(now_epoch())
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::conflict(refusal));
        }
        for table in ["run_pairs", "run_unmatched"] {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DELETE FROM {table} WHERE run_id = $1"
            )))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        insert_result(&mut tx, id, result).await?;
        tx.commit().await.map_err(map_error)
    }
}

/// Writes a run's pairs and unmatched people.
async fn insert_result(
    tx: &mut Transaction<'_, Any>,
    id: RunId,
    result: &RunResult,
) -> StoreResult<()> {
    for pair in &result.pairs {
        sqlx::query(
                "INSERT INTO run_pairs (run_id, mentor_enrolment, mentee_enrolment, explanation, origin)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(id.0)
            .bind(pair.mentor.0)
            .bind(pair.mentee.0)
            .bind(to_json(&pair.explanation))
            .bind(pair.origin.as_str())
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    for person in &result.unmatched {
        sqlx::query("INSERT INTO run_unmatched (run_id, enrolment, reason) VALUES ($1, $2, $3)")
            .bind(id.0)
            .bind(person.enrolment.0)
            .bind(person.reason.clone())
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    Ok(())
}

#[async_trait]
impl MatchingStore for SqlStore {
    async fn create_run(
        &self,
        programme: ProgrammeId,
        started_by: &str,
        incremental: bool,
        weights: &Weights,
    ) -> StoreResult<MatchingRun> {
        let row = sqlx::query(
            "INSERT INTO matching_runs (programme_id, status, started_by, incremental, weights, created_at, updated_at)
             VALUES ($1, 'queued', $2, $3, $4, $5, $5) RETURNING id",
        )
        .bind(programme.0)
        .bind(started_by.to_owned())
        .bind(i64::from(incremental))
        .bind(to_json(weights))
        .bind(now_epoch())
        .fetch_one(&self.writer)
        .await
        .map_err(map_error)?;
        self.matching_run(RunId(row.try_get("id")?)).await
    }

    async fn matching_run(&self, id: RunId) -> StoreResult<MatchingRun> {
        let sql = sqlx::AssertSqlSafe(format!("{RUN_SELECT} WHERE id = $1"));
        self.one(sqlx::query(sql).bind(id.0), run_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("matching run {}", id.0)))
    }

    async fn programme_runs(&self, programme: ProgrammeId) -> StoreResult<Vec<MatchingRun>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{RUN_SELECT} WHERE programme_id = $1 ORDER BY id DESC"
        ));
        self.all(sqlx::query(sql).bind(programme.0), run_from_row)
            .await
    }

    async fn start_run(&self, id: RunId) -> StoreResult<bool> {
        let changed = self
            .run(
                sqlx::query(
                    "UPDATE matching_runs SET status = 'running', updated_at = $2
                     WHERE id = $1 AND status = 'queued'",
                )
                .bind(id.0)
                .bind(now_epoch()),
            )
            .await?;
        Ok(changed == 1)
    }

    async fn set_run_progress(&self, id: RunId, progress: f64) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "UPDATE matching_runs SET progress = $2, updated_at = $3 WHERE id = $1 AND status = 'running'",
            )
            .bind(id.0)
            .bind(progress.clamp(0.0, 1.0))
            .bind(now_epoch()),
        )
        .await?;
        Ok(())
    }

    async fn touch_run(&self, id: RunId) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "UPDATE matching_runs SET updated_at = $2 WHERE id = $1 AND status = 'running'",
            )
            .bind(id.0)
            .bind(now_epoch()),
        )
        .await?;
        Ok(())
    }

    async fn finish_run(&self, id: RunId, result: &RunResult) -> StoreResult<()> {
        self.write_result(
            id,
            result,
            "UPDATE matching_runs SET status = 'done', progress = 1, summary = $2, finished_at = $3,
                updated_at = $3
             WHERE id = $1 AND status = 'running'",
            format!("matching run {} is not running", id.0),
        )
        .await
    }

    async fn replace_run_result(&self, id: RunId, result: &RunResult) -> StoreResult<()> {
        self.write_result(
            id,
            result,
            "UPDATE matching_runs SET summary = $2, updated_at = $3 WHERE id = $1 AND status = 'done'",
            format!(
                "matching run {} can no longer be changed: only a finished, unpublished run can",
                id.0
            ),
        )
        .await
    }

    async fn fail_run(&self, id: RunId, error: &str) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "UPDATE matching_runs SET status = 'failed', error = $2, finished_at = $3, updated_at = $3
                 WHERE id = $1 AND status IN ('queued', 'running')",
            )
            .bind(id.0)
            .bind(error.to_owned())
            .bind(now_epoch()),
        )
        .await?;
        Ok(())
    }

    async fn run_result(&self, id: RunId) -> StoreResult<RunResult> {
        let run = self.matching_run(id).await?;
        let mut pairs = self
            .all(
                sqlx::query(
                    "SELECT mentor_enrolment, mentee_enrolment, explanation, origin FROM run_pairs
                     WHERE run_id = $1",
                )
                .bind(id.0),
                |row| {
                    Ok(upward_domain::ProposedPair {
                        mentor: EnrolmentId(row.try_get("mentor_enrolment")?),
                        mentee: EnrolmentId(row.try_get("mentee_enrolment")?),
                        explanation: json(row, "explanation")?,
                        origin: parse_column(row, "origin")?,
                    })
                },
            )
            .await?;
        // Best first; the score lives in the explanation, not in a column of its own.
        pairs.sort_by(|a, b| {
            b.explanation
                .score
                .total_cmp(&a.explanation.score)
                .then(a.mentee.cmp(&b.mentee))
        });
        let unmatched = self
            .all(
                sqlx::query(
                    "SELECT enrolment, reason FROM run_unmatched WHERE run_id = $1 ORDER BY enrolment",
                )
                .bind(id.0),
                |row| {
                    Ok(UnmatchedPerson {
                        enrolment: EnrolmentId(row.try_get("enrolment")?),
                        reason: row.try_get("reason")?,
                    })
                },
            )
            .await?;
        Ok(RunResult {
            pairs,
            unmatched,
            summary: run.summary.unwrap_or_default(),
        })
    }

    async fn publish_run(
        &self,
        id: RunId,
        capacity: u32,
        answer_due: Timestamp,
        mail: &[Mail],
        actor: &str,
    ) -> StoreResult<Vec<Pairing>> {
        let run = self.matching_run(id).await?;
        let result = self.run_result(id).await?;
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let published = sqlx::query(
            "UPDATE matching_runs SET status = 'published' WHERE id = $1 AND status = 'done'",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        if published.rows_affected() == 0 {
            return Err(StoreError::conflict(format!(
                "matching run {} cannot be published: it is {}",
                id.0,
                run.status.as_str()
            )));
        }
        let counts = self
            .count_at_end(&mut tx, Counted::Pairings(run.programme_id))
            .await?;
        for pair in &result.pairs {
            take_seat(&mut tx, pair.mentor, capacity).await?;
            insert_pairing(
                &mut tx,
                run.programme_id,
                Some(id),
                pair.mentor,
                pair.mentee,
                &pair.explanation,
                answer_due,
            )
            .await?;
        }
        counts.recount(&mut tx).await?;
        queue_mail(&mut tx, mail).await?;
        let entry = NewAuditEntry {
            actor,
            action: "matching.publish",
            subject: &format!("programme {}", run.programme_id.0),
            detail: &format!("run {}: {} pairs proposed", id.0, result.pairs.len()),
            programme: Some(run.programme_id),
        };
        audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(map_error)?;
        self.vacuum_and_sample("pairings").await;
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_SELECT} WHERE pa.run_id = $1 ORDER BY pa.id"
        ));
        self.all(sqlx::query(sql).bind(id.0), pairing_from_row)
            .await
    }

    async fn pairing(&self, id: PairingId) -> StoreResult<Pairing> {
        let sql = sqlx::AssertSqlSafe(format!("{PAIRING_SELECT} WHERE pa.id = $1"));
        self.one(sqlx::query(sql).bind(id.0), pairing_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found("the pairing"))
    }

    async fn pairings_with_ids(&self, ids: &[PairingId]) -> StoreResult<Vec<Pairing>> {
        let mut found = Vec::with_capacity(ids.len());
        // Bounded batches keep each statement's parameters well under both engines' limits.
        for batch in ids.chunks(500) {
            let sql = sqlx::AssertSqlSafe(format!(
                "{PAIRING_SELECT} WHERE pa.id IN ({}) ORDER BY pa.id",
                numbered_placeholders(1, batch.len())
            ));
            let query = batch
                .iter()
                .fold(sqlx::query(sql), |query, id| query.bind(id.0));
            found.extend(self.all(query, pairing_from_row).await?);
        }
        Ok(found)
    }

    async fn programme_pairings(&self, programme: ProgrammeId) -> StoreResult<Vec<Pairing>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_SELECT} WHERE pa.programme_id = $1 ORDER BY pa.id"
        ));
        self.all(sqlx::query(sql).bind(programme.0), pairing_from_row)
            .await
    }

    async fn programme_pairings_page(
        &self,
        programme: ProgrammeId,
        state: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<Vec<Pairing>> {
        // One index range either way: (programme, id), or (programme, state), whose entries
        // follow the id within a state.
        let filter = if state.is_some() {
            "AND pa.state = $4"
        } else {
            ""
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_SELECT} WHERE pa.programme_id = $1 {filter} ORDER BY pa.id LIMIT $2 OFFSET $3"
        ));
        let mut query = sqlx::query(sql).bind(programme.0).bind(limit).bind(offset);
        if let Some(state) = state {
            query = query.bind(state.to_owned());
        }
        self.all(query, pairing_from_row).await
    }

    async fn pairing_counts(&self, programme: ProgrammeId) -> StoreResult<Vec<(String, i64)>> {
        self.all(
            sqlx::query(
                // Kept by triggers (migration 0020): reading them does not grow with the
                // programme.
                "SELECT state, n FROM pairing_counts WHERE programme_id = $1 AND n > 0 ORDER BY state",
            )
            .bind(programme.0),
            |row| Ok((row.try_get("state")?, row.try_get("n")?)),
        )
        .await
    }

    async fn freed_mentees(&self, programme: ProgrammeId) -> StoreResult<i64> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(DISTINCT mentee_enrolment) AS n FROM pairings
              WHERE programme_id = $1 AND state NOT IN {LIVE_STATES}
                AND mentee_enrolment NOT IN (SELECT mentee_enrolment FROM pairings
                                              WHERE programme_id = $1 AND state IN {LIVE_STATES})"
        ));
        let count = self
            .one(sqlx::query(sql).bind(programme.0), |row| {
                Ok(row.try_get("n")?)
            })
            .await?;
        Ok(count.unwrap_or(0))
    }

    async fn person_pairings(&self, email_key: &str) -> StoreResult<Vec<Pairing>> {
        let found = self.person_pairings_in_words(email_key).await?;
        Ok(found.into_iter().map(|(pairing, _)| pairing).collect())
    }

    async fn person_pairings_in_words(
        &self,
        email_key: &str,
    ) -> StoreResult<Vec<(Pairing, PairWords)>> {
        // One index lookup per side: an OR across the two joined enrolments would scan every
        // pairing.
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_IN_WORDS_SELECT} WHERE pa.id IN (
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentor_enrolment = e.id
                 WHERE e.person_key = $1
                UNION
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentee_enrolment = e.id
                 WHERE e.person_key = $1)
             ORDER BY pa.id DESC"
        ));
        self.all(sqlx::query(sql).bind(email_key), |row| {
            Ok((pairing_from_row(row)?, pair_words_from_row(row)?))
        })
        .await
    }

    async fn update_pairing(
        &self,
        current: &Pairing,
        event: PairingEvent,
        reason: Option<&str>,
        actor: &str,
        mail: &[Mail],
    ) -> StoreResult<Pairing> {
        let to = current
            .state
            .apply(event)
            .map_err(|refused| StoreError::conflict(refused.reason))?;
        let (state, mentor_answer, mentee_answer, ended_by) = to.to_parts();
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let changed = sqlx::query(
            "UPDATE pairings SET state = $3, mentor_answer = $4, mentee_answer = $5, ended_by = $6,
                reason = COALESCE($7, reason), updated_at = $8, version = version + 1,
                active_since = CASE WHEN $3 = 'active' THEN COALESCE(active_since, $8) ELSE active_since END
             WHERE id = $1 AND version = $2",
        )
        .bind(current.id.0)
        .bind(current.version)
        .bind(state)
        .bind(mentor_answer.as_str())
        .bind(mentee_answer.as_str())
        .bind(ended_by.map(Side::as_str))
        .bind(reason.map(str::to_owned))
        .bind(now_epoch())
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        if changed.rows_affected() == 0 {
            return Err(StoreError::conflict(
                "the pairing changed meanwhile; reload it and try again",
            ));
        }
        if current.state.is_live() && !to.is_live() {
            sqlx::query(
                "UPDATE enrolments SET live_pairings = live_pairings - 1 WHERE id = $1 AND live_pairings > 0",
            )
            .bind(current.mentor.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        let detail = format!(
            "{}: {} → {}",
            event.label(),
            current.state.name(),
            to.name()
        );
        let entry = NewAuditEntry {
            actor,
            action: "pairing.state",
            subject: &format!("pairing {}", current.id.0),
            detail: &detail,
            programme: Some(current.programme_id),
        };
        audit(&mut tx, &entry).await?;
        queue_mail(&mut tx, mail).await?;
        tx.commit().await.map_err(map_error)?;
        self.pairing(current.id).await
    }

    async fn queued_runs(&self, created_before: Timestamp) -> StoreResult<Vec<RunId>> {
        self.all(
            sqlx::query(
                "SELECT id FROM matching_runs WHERE status = 'queued' AND created_at < $1 ORDER BY id",
            )
            .bind(to_epoch(created_before)),
            |row| Ok(RunId(row.try_get("id")?)),
        )
        .await
    }

    async fn fail_stalled_runs(&self, quiet_since: Timestamp) -> StoreResult<u64> {
        self.run(
            sqlx::query(
                "UPDATE matching_runs SET status = 'failed', finished_at = $2, updated_at = $2,
                    error = 'the server running it stopped before it finished; start it again'
                 WHERE status = 'running' AND updated_at < $1",
            )
            .bind(to_epoch(quiet_since))
            .bind(now_epoch()),
        )
        .await
    }

    async fn overdue_proposals(&self, now: Timestamp) -> StoreResult<Vec<Pairing>> {
        // In order of id here, not in SQL: SQLite would walk the whole table in id order
        // rather than the proposals' index (migration 0024) and a sort.
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_SELECT} WHERE pa.state = 'proposed' AND pa.answer_due < $1"
        ));
        let found = self.all(sqlx::query(sql).bind(to_epoch(now)), pairing_from_row);
        Ok(in_order_of_id(found.await?))
    }

    async fn proposals_to_remind(&self, now: Timestamp) -> StoreResult<Vec<Pairing>> {
        // Halfway through the answer period, once; the expression is the index's (migration
        // 0024), and the order is set here as above.
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_SELECT} WHERE pa.state = 'proposed' AND pa.reminded_at IS NULL
                AND pa.published_at + (pa.answer_due - pa.published_at) / 2 < $1"
        ));
        let found = self.all(sqlx::query(sql).bind(to_epoch(now)), pairing_from_row);
        Ok(in_order_of_id(found.await?))
    }

    async fn mark_reminded(
        &self,
        id: PairingId,
        at: Timestamp,
        mail: &[Mail],
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let marked = sqlx::query(
            "UPDATE pairings SET reminded_at = $2 WHERE id = $1 AND reminded_at IS NULL AND state = 'proposed'",
        )
        .bind(id.0)
        .bind(to_epoch(at))
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        queue_mail(&mut tx, mail).await?;
        tx.commit().await.map_err(map_error)?;
        Ok(true)
    }

    async fn live_pairings(&self, programme: ProgrammeId) -> StoreResult<Vec<Pairing>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{PAIRING_SELECT} WHERE pa.programme_id = $1 AND pa.state IN {LIVE_STATES} ORDER BY pa.id"
        ));
        self.all(sqlx::query(sql).bind(programme.0), pairing_from_row)
            .await
    }

    async fn excluded_pairs(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(EnrolmentId, EnrolmentId)>> {
        self.all(
            sqlx::query(
                "SELECT DISTINCT mentor_enrolment, mentee_enrolment FROM pairings
                 WHERE programme_id = $1 AND state IN ('declined', 'stepped_back', 'ended')",
            )
            .bind(programme.0),
            |row| {
                Ok((
                    EnrolmentId(row.try_get("mentor_enrolment")?),
                    EnrolmentId(row.try_get("mentee_enrolment")?),
                ))
            },
        )
        .await
    }

    async fn set_pair_rule(
        &self,
        programme: ProgrammeId,
        mentor: EnrolmentId,
        mentee: EnrolmentId,
        rule: Option<PairRule>,
    ) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        sqlx::query("DELETE FROM pair_rules WHERE mentor_enrolment = $1 AND mentee_enrolment = $2")
            .bind(mentor.0)
            .bind(mentee.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        if let Some(rule) = rule {
            sqlx::query(
                "INSERT INTO pair_rules (programme_id, mentor_enrolment, mentee_enrolment, rule)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(programme.0)
            .bind(mentor.0)
            .bind(mentee.0)
            .bind(rule.as_str())
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        }
        tx.commit().await.map_err(map_error)
    }

    async fn pair_rules(
        &self,
        programme: ProgrammeId,
    ) -> StoreResult<Vec<(EnrolmentId, EnrolmentId, PairRule)>> {
        self.all(
            sqlx::query(
                "SELECT mentor_enrolment, mentee_enrolment, rule FROM pair_rules
                 WHERE programme_id = $1 ORDER BY mentee_enrolment, mentor_enrolment",
            )
            .bind(programme.0),
            |row| {
                Ok((
                    EnrolmentId(row.try_get("mentor_enrolment")?),
                    EnrolmentId(row.try_get("mentee_enrolment")?),
                    parse_column(row, "rule")?,
                ))
            },
        )
        .await
    }
}

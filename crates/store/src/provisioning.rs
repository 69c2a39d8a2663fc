//! People provisioned by an identity provider over SCIM, deactivation, and SCIM tokens.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};
use upward_domain::{Email, PersonId};

use crate::people::{PERSON_COLUMNS, PERSON_FROM, person_from_row};
use crate::sql::{from_epoch, map_error, now_epoch, to_epoch};
use crate::{ProvisioningStore, ScimToken, ScimUser, ScimWrite, SqlStore, StoreError, StoreResult};

const SCIM_COLUMNS: &str =
    "p.id, p.deactivated_at, p.scim_user_name, p.scim_attributes, p.scim_manager_id, p.updated_at";
/// The userName a person answers to: the identity provider's, or their email. The index
/// `people_by_user_name` is on exactly this expression.
const USER_NAME: &str = "LOWER(COALESCE(p.scim_user_name, p.email))";

fn scim_user_from_row(row: &AnyRow) -> StoreResult<ScimUser> {
    let person = person_from_row(row)?;
    let user_name: Option<String> = row.try_get("scim_user_name")?;
    Ok(ScimUser {
        id: PersonId(row.try_get("id")?),
        active: row.try_get::<Option<i64>, _>("deactivated_at")?.is_none(),
        user_name: user_name.unwrap_or_else(|| person.email.as_str().to_owned()),
        attributes: row.try_get("scim_attributes")?,
        pending_manager: row.try_get("scim_manager_id")?,
        updated_at: from_epoch(row.try_get("updated_at")?),
        person,
    })
}

fn token_from_row(row: &AnyRow) -> StoreResult<ScimToken> {
    let at = |column: &str| -> StoreResult<Option<Timestamp>> {
        Ok(row.try_get::<Option<i64>, _>(column)?.map(from_epoch))
    };
    Ok(ScimToken {
        id: row.try_get("id")?,
        label: row.try_get("label")?,
        created_by: row.try_get("created_by")?,
        created_at: from_epoch(row.try_get("created_at")?),
        last_used_at: at("last_used_at")?,
        revoked_at: at("revoked_at")?,
    })
}

/// Writes everything SCIM manages of the person with `id`, their email included: a new
/// address moves their account and their reports with them, and is refused (`Conflict`) once
/// they take part in a programme, whose records are keyed by it.
async fn write_person(
    tx: &mut Transaction<'_, Any>,
    id: PersonId,
    write: &ScimWrite,
    now: i64,
) -> StoreResult<()> {
    let person = &write.person;
    let old_key: String = sqlx::query("SELECT email_key FROM people WHERE id = $1")
        .bind(id.0)
        .fetch_one(&mut **tx)
        .await
        .map_err(map_error)?
        .try_get("email_key")?;
    let new_key = person.email.key();
    if old_key != new_key {
        move_email(tx, &old_key, &person.email).await?;
    }
    sqlx::query(
        "UPDATE people SET
            profile_overridden_at = CASE
                WHEN self_edited_at IS NOT NULL AND (time_zone <> $8 OR COALESCE(location, '') <> COALESCE($7, ''))
                THEN $10 ELSE profile_overridden_at END,
            email = $1, email_key = $2, name = $3, job_level = $4, manager_key = $5,
            department = $6, location = $7, time_zone = $8,
            deactivated_at = CASE WHEN CAST($9 AS BIGINT) = 1 THEN NULL ELSE COALESCE(deactivated_at, $10) END,
            scim_deleted = 0, scim_user_name = $11, scim_attributes = $12, scim_manager_id = $13,
            updated_at = $10
         WHERE id = $14",
    )
    .bind(person.email.as_str().to_owned())
    .bind(new_key.clone())
    .bind(person.name.clone())
    .bind(person.job_level.get())
    .bind(person.manager_email.as_ref().map(Email::key))
    .bind(person.department.clone())
    .bind(person.location.clone())
    .bind(person.time_zone.as_str().to_owned())
    .bind(i64::from(write.active))
    .bind(now)
    .bind(write.user_name.clone())
    .bind(write.attributes.clone())
    .bind(write.pending_manager.clone())
    .bind(id.0)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    if !write.active {
        end_access(tx, &new_key).await?;
    }
    // Whoever named this person as their manager before they were provisioned reports to
    // them from now on.
    sqlx::query(
        "UPDATE people SET manager_key = $1, scim_manager_id = NULL WHERE scim_manager_id = $2 AND id <> $3",
    )
    .bind(new_key)
    .bind(id.0.to_string())
    .bind(id.0)
    .execute(&mut **tx)
    .await
    .map_err(map_error)?;
    Ok(())
}

/// Ends a deactivated person's sessions and API tokens for good (a later reactivation does
/// not bring them back).
async fn end_access(tx: &mut Transaction<'_, Any>, email_key: &str) -> StoreResult<()> {
    for sql in [
        "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE email_key = $1)",
        "DELETE FROM api_tokens WHERE user_id IN (SELECT id FROM users WHERE email_key = $1)",
    ] {
        sqlx::query(sql)
            .bind(email_key.to_owned())
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    Ok(())
}

/// Moves the account and the reporting lines from the old address to the new one, before the
/// person's own row changes (the reporting line's reference is checked at commit).
async fn move_email(
    tx: &mut Transaction<'_, Any>,
    old_key: &str,
    email: &Email,
) -> StoreResult<()> {
    let taking_part = sqlx::query("SELECT 1 AS found FROM enrolments WHERE person_key = $1")
        .bind(old_key)
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_error)?;
    if taking_part.is_some() {
        return Err(StoreError::conflict(format!(
            "{old_key} takes part in a programme, whose records are kept under that address: Upward cannot change it to {email}"
        )));
    }
    let taken = sqlx::query("SELECT 1 AS found FROM people WHERE email_key = $1")
        .bind(email.key())
        .fetch_optional(&mut **tx)
        .await
        .map_err(map_error)?;
    if taken.is_some() {
        return Err(StoreError::conflict(format!(
            "someone with the email {email} is already in the directory"
        )));
    }
    for sql in [
        "UPDATE users SET email = $1, email_key = $2 WHERE email_key = $3",
        "UPDATE people SET manager_key = $2 WHERE manager_key = $3 AND $1 IS NOT NULL",
    ] {
        sqlx::query(sql)
            .bind(email.as_str().to_owned())
            .bind(email.key())
            .bind(old_key.to_owned())
            .execute(&mut **tx)
            .await
            .map_err(map_error)?;
    }
    Ok(())
}

#[async_trait]
impl ProvisioningStore for SqlStore {
    async fn scim_user(&self, id: PersonId) -> StoreResult<Option<ScimUser>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {SCIM_COLUMNS} FROM {PERSON_FROM} WHERE p.id = $1 AND p.scim_deleted = 0"
        ));
        self.one(sqlx::query(sql).bind(id.0), scim_user_from_row)
            .await
    }

    async fn scim_users(
        &self,
        user_name: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<ScimUser>, i64)> {
        let filter = format!("p.scim_deleted = 0 AND ($1 IS NULL OR {USER_NAME} = $1)");
        let name = user_name.map(str::to_lowercase);
        let count_sql =
            sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM people p WHERE {filter}"));
        let total: i64 = sqlx::query(count_sql)
            .bind(name.clone())
            .fetch_one(&self.pool)
            .await
            .map_err(map_error)?
            .try_get("n")?;
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PERSON_COLUMNS}, {SCIM_COLUMNS} FROM {PERSON_FROM} WHERE {filter}
             ORDER BY p.id LIMIT $2 OFFSET $3"
        ));
        let users = self
            .all(
                sqlx::query(sql).bind(name).bind(limit).bind(offset),
                scim_user_from_row,
            )
            .await?;
        Ok((users, total))
    }

    async fn create_scim_user(&self, write: &ScimWrite) -> StoreResult<ScimUser> {
        let now = now_epoch();
        let person = &write.person;
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let existing = sqlx::query("SELECT id, scim_deleted FROM people WHERE email_key = $1")
            .bind(person.email.key())
            .fetch_optional(&mut *tx)
            .await
            .map_err(map_error)?;
        let id = match existing {
            Some(row) if row.try_get::<i64, _>("scim_deleted")? == 0 => {
                return Err(StoreError::conflict(format!(
                    "someone with the email {} is already in the directory",
                    person.email
                )));
            }
            Some(row) => PersonId(row.try_get("id")?),
            None => {
                let row = sqlx::query(
                    "INSERT INTO people (email, email_key, name, job_level, time_zone, updated_at)
                     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
                )
                .bind(person.email.as_str().to_owned())
                .bind(person.email.key())
                .bind(person.name.clone())
                .bind(person.job_level.get())
                .bind(person.time_zone.as_str().to_owned())
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?;
                PersonId(row.try_get("id")?)
            }
        };
        write_person(&mut tx, id, write, now).await?;
        tx.commit().await.map_err(map_error)?;
        self.scim_user(id)
            .await?
            .ok_or_else(|| StoreError::not_found("the user"))
    }

    async fn replace_scim_user(&self, id: PersonId, write: &ScimWrite) -> StoreResult<ScimUser> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let visible =
            sqlx::query("SELECT 1 AS found FROM people WHERE id = $1 AND scim_deleted = 0")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?;
        if visible.is_none() {
            return Err(StoreError::not_found("the user"));
        }
        write_person(&mut tx, id, write, now_epoch()).await?;
        tx.commit().await.map_err(map_error)?;
        self.scim_user(id)
            .await?
            .ok_or_else(|| StoreError::not_found("the user"))
    }

    async fn delete_scim_user(&self, id: PersonId) -> StoreResult<()> {
        let now = now_epoch();
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let deleted = sqlx::query(
            "UPDATE people SET scim_deleted = 1,
                deactivated_at = COALESCE(deactivated_at, $1), updated_at = $1
             WHERE id = $2 AND scim_deleted = 0 RETURNING email_key",
        )
        .bind(now)
        .bind(id.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(map_error)?;
        let Some(row) = deleted else {
            return Err(StoreError::not_found("the user"));
        };
        end_access(&mut tx, &row.try_get::<String, _>("email_key")?).await?;
        tx.commit().await.map_err(map_error)
    }

    async fn create_scim_token(
        &self,
        token_hash: &str,
        label: &str,
        created_by: &str,
    ) -> StoreResult<ScimToken> {
        let row = sqlx::query(
            "INSERT INTO scim_tokens (token_hash, label, created_by, created_at)
             VALUES ($1, $2, $3, $4) RETURNING id, label, created_by, created_at, last_used_at, revoked_at",
        )
        .bind(token_hash)
        .bind(label)
        .bind(created_by)
        .bind(now_epoch())
        .fetch_one(&self.writer)
        .await
        .map_err(map_error)?;
        token_from_row(&row)
    }

    async fn scim_tokens(&self) -> StoreResult<Vec<ScimToken>> {
        self.all(
            sqlx::query(
                "SELECT id, label, created_by, created_at, last_used_at, revoked_at FROM scim_tokens ORDER BY id DESC",
            ),
            token_from_row,
        )
        .await
    }

    async fn revoke_scim_token(&self, id: i64) -> StoreResult<()> {
        let changed = self
            .run(
                sqlx::query(
                    "UPDATE scim_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2",
                )
                .bind(now_epoch())
                .bind(id),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::not_found("the token"));
        }
        Ok(())
    }

    async fn use_scim_token(&self, token_hash: &str, now: Timestamp) -> StoreResult<bool> {
        let changed = self
            .run(
                sqlx::query(
                    "UPDATE scim_tokens SET last_used_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
                )
                .bind(to_epoch(now))
                .bind(token_hash),
            )
            .await?;
        Ok(changed == 1)
    }

    async fn erase_person(&self, email_key: &str) -> StoreResult<String> {
        let now = now_epoch();
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let row =
            sqlx::query("SELECT id, email, job_level, department FROM people WHERE email_key = $1")
                .bind(email_key.to_owned())
                .fetch_optional(&mut *tx)
                .await
                .map_err(map_error)?
                .ok_or_else(|| StoreError::not_found("anyone with that email in the directory"))?;
        let id: i64 = row.try_get("id")?;
        let erased = format!("erased-{id}@erased.invalid");
        sqlx::query(
            "INSERT INTO people (email, email_key, name, job_level, department, time_zone,
                deactivated_at, scim_deleted, updated_at)
             VALUES ($1, $1, 'Erased person', $2, $3, 'UTC', $4, 1, $4)",
        )
        .bind(erased.clone())
        .bind(row.try_get::<i64, _>("job_level")?)
        .bind(row.try_get::<Option<String>, _>("department")?)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(map_error)?;
        for sql in [
            // What their pairs wrote (about meetings, their goals' words) goes with them; how
            // the goals turned out stays for the figures.
            "UPDATE meetings SET notes = '', topics = '[]' WHERE $1 IS NOT NULL AND pairing_id IN (
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentor_enrolment = e.id WHERE e.person_key = $2
                UNION
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentee_enrolment = e.id WHERE e.person_key = $2)",
            "UPDATE goals SET what = 'Erased', why = '' WHERE $1 IS NOT NULL AND pairing_id IN (
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentor_enrolment = e.id WHERE e.person_key = $2
                UNION
                SELECT p.id FROM enrolments e JOIN pairings p ON p.mentee_enrolment = e.id WHERE e.person_key = $2)",
            "DELETE FROM calendar_feeds WHERE email_key = $2 AND $1 IS NOT NULL",
            // What they answered goes; their role and topics stay for the programme's figures.
            "UPDATE pairings SET reason = NULL WHERE mentor_enrolment IN (SELECT id FROM enrolments WHERE person_key = $2)
                OR mentee_enrolment IN (SELECT id FROM enrolments WHERE person_key = $2)",
            "UPDATE enrolments SET person_key = $1, statement = '', availability = '', openness = NULL,
                conscientiousness = NULL, extraversion = NULL, agreeableness = NULL, neuroticism = NULL
             WHERE person_key = $2",
            "UPDATE people SET manager_key = $1 WHERE manager_key = $2",
            "DELETE FROM invitations WHERE email_key = $2 AND $1 IS NOT NULL",
            "DELETE FROM access_links WHERE email_key = $2 AND $1 IS NOT NULL",
            "DELETE FROM users WHERE email_key = $2 AND $1 IS NOT NULL",
            "DELETE FROM people WHERE email_key = $2 AND $1 IS NOT NULL",
            // The trail keeps what happened, not who it was; the mail they were sent goes.
            "UPDATE audit_log SET actor = $1 WHERE LOWER(actor) = $2",
            "DELETE FROM outbox WHERE LOWER(recipient) = $2 AND $1 IS NOT NULL",
        ] {
            sqlx::query(sql)
                .bind(erased.clone())
                .bind(email_key.to_owned())
                .execute(&mut *tx)
                .await
                .map_err(map_error)?;
        }
        sqlx::query("UPDATE audit_log SET detail = REPLACE(detail, $2, $1), subject = REPLACE(subject, $2, $1)")
            .bind(erased.clone())
            .bind(row.try_get::<String, _>("email")?)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?;
        tx.commit().await.map_err(map_error)?;
        Ok(erased)
    }
}

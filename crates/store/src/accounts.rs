//! Accounts, browser sessions, API tokens and login throttling.

use async_trait::async_trait;
use jiff::Timestamp;
use sqlx::Row;
use sqlx::any::AnyRow;
use upward_domain::{Email, Role, User, UserId};

use crate::sql::{corrupt, from_epoch, map_error, now_epoch, parse_column, to_epoch};
use crate::{AccountStore, ApiToken, Credentials, SqlStore, StoreError, StoreResult};

/// A token's public id: the start of its hash, enough to tell an account's tokens apart.
const API_TOKEN_ID_CHARS: usize = 16;

pub(crate) const USER_COLUMNS: &str = "users.id, users.email, users.name, users.role";
/// A deactivated person's account no longer signs in, by any means; an account outside the
/// directory (an admin, say) is not affected.
const ACTIVE_ACCOUNT: &str = "NOT EXISTS (SELECT 1 FROM people WHERE people.email_key = users.email_key AND people.deactivated_at IS NOT NULL)";

pub(crate) fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    let email: String = row.try_get("email")?;
    Ok(User {
        id: UserId(row.try_get("id")?),
        email: Email::parse(&email).map_err(|e| corrupt("email", &email, e))?,
        name: row.try_get("name")?,
        role: parse_column::<Role>(row, "role")?,
    })
}

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_user(
        &self,
        email: &Email,
        name: &str,
        role: Role,
        password_hash: &str,
    ) -> StoreResult<User> {
        let row = sqlx::query(
            "INSERT INTO users (email, email_key, name, role, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(email.as_str())
        .bind(email.key())
        .bind(name)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(now_epoch())
        .fetch_one(&self.writer)
        .await
        .map_err(|error| match map_error(error) {
            StoreError::Conflict { .. } => {
                StoreError::conflict(format!("an account for {email} already exists"))
            }
            other => other,
        })?;
        Ok(User {
            id: UserId(row.try_get("id")?),
            email: email.clone(),
            name: name.to_owned(),
            role,
        })
    }

    async fn user(&self, id: UserId) -> StoreResult<User> {
        let sql = sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"));
        self.one(sqlx::query(sql).bind(id.0), user_from_row)
            .await?
            .ok_or_else(|| StoreError::not_found("the account"))
    }

    async fn credentials(&self, email_key: &str) -> StoreResult<Option<Credentials>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email_key = $1 AND {ACTIVE_ACCOUNT}"
        ));
        self.one(sqlx::query(sql).bind(email_key), |row| {
            Ok(Credentials {
                user: user_from_row(row)?,
                password_hash: row.try_get("password_hash")?,
            })
        })
        .await
    }

    async fn users_page(
        &self,
        search: &str,
        role: Option<Role>,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<User>, i64)> {
        let filter =
            "(LOWER(users.name) LIKE $1 ESCAPE '\\' OR users.email_key LIKE $1 ESCAPE '\\')
            AND ($2 IS NULL OR users.role = $2)";
        let pattern = crate::people::like_pattern(search);
        let role = role.map(|r| r.as_str().to_owned());
        let total: i64 = if search.trim().is_empty() {
            // Every account, or one role's: counts kept by triggers.
            let counted = format!("users:{}", role.as_deref().unwrap_or("%"));
            self.kept_count(&counted).await?
        } else {
            let count_sql =
                sqlx::AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM users WHERE {filter}"));
            sqlx::query(count_sql)
                .bind(pattern.clone())
                .bind(role.clone())
                .fetch_one(&self.pool)
                .await
                .map_err(map_error)?
                .try_get("n")?
        };
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users WHERE {filter} ORDER BY users.email_key LIMIT $3 OFFSET $4"
        ));
        let query = sqlx::query(sql)
            .bind(pattern)
            .bind(role)
            .bind(limit)
            .bind(offset);
        Ok((self.all(query, user_from_row).await?, total))
    }

    async fn set_user_role(&self, id: UserId, role: Role) -> StoreResult<User> {
        let changed = self
            .run(
                sqlx::query("UPDATE users SET role = $1 WHERE id = $2")
                    .bind(role.as_str())
                    .bind(id.0),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::not_found("the account"));
        }
        self.user(id).await
    }

    async fn set_password_hash(&self, id: UserId, password_hash: &str) -> StoreResult<()> {
        let changed = self
            .run(
                sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(id.0),
            )
            .await?;
        if changed == 0 {
            return Err(StoreError::not_found("the account"));
        }
        // A new password ends the account's sessions and API tokens.
        for sql in [
            "DELETE FROM sessions WHERE user_id = $1",
            "DELETE FROM api_tokens WHERE user_id = $1",
        ] {
            self.run(sqlx::query(sql).bind(id.0)).await?;
        }
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(to_epoch(expires_at)),
        )
        .await?;
        Ok(())
    }

    async fn session(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM sessions JOIN users ON users.id = sessions.user_id
             WHERE sessions.token_hash = $1 AND sessions.expires_at > $2 AND {ACTIVE_ACCOUNT}"
        ));
        self.one(
            sqlx::query(sql).bind(token_hash).bind(to_epoch(now)),
            user_from_row,
        )
        .await
    }

    async fn delete_session(&self, token_hash: &str) -> StoreResult<()> {
        self.run(sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash))
            .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: Timestamp) -> StoreResult<u64> {
        let changed = self
            .run(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(to_epoch(now)))
            .await?;
        Ok(changed)
    }

    async fn create_api_token(
        &self,
        token_hash: &str,
        user: UserId,
        label: &str,
        expires_at: Timestamp,
    ) -> StoreResult<()> {
        self.run(
            sqlx::query(
                "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(token_hash)
            .bind(user.0)
            .bind(label)
            .bind(now_epoch())
            .bind(to_epoch(expires_at)),
        )
        .await?;
        Ok(())
    }

    async fn api_token_user(&self, token_hash: &str, now: Timestamp) -> StoreResult<Option<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM api_tokens JOIN users ON users.id = api_tokens.user_id
             WHERE api_tokens.token_hash = $1 AND api_tokens.expires_at > $2 AND {ACTIVE_ACCOUNT}"
        ));
        self.one(
            sqlx::query(sql).bind(token_hash).bind(to_epoch(now)),
            user_from_row,
        )
        .await
    }

    async fn api_tokens(&self, user: UserId) -> StoreResult<Vec<ApiToken>> {
        self.all(
            sqlx::query(
                "SELECT token_hash, label, created_at, expires_at FROM api_tokens
                 WHERE user_id = $1 ORDER BY created_at DESC",
            )
            .bind(user.0),
            |row| {
                let hash: String = row.try_get("token_hash")?;
                Ok(ApiToken {
                    id: hash.chars().take(API_TOKEN_ID_CHARS).collect(),
                    label: row.try_get("label")?,
                    created_at: from_epoch(row.try_get("created_at")?),
                    expires_at: from_epoch(row.try_get("expires_at")?),
                })
            },
        )
        .await
    }

    async fn revoke_api_token(&self, user: UserId, id: &str) -> StoreResult<()> {
        let valid = id.len() == API_TOKEN_ID_CHARS && id.bytes().all(|b| b.is_ascii_hexdigit());
        let removed = if valid {
            self.run(
                sqlx::query(
                    "DELETE FROM api_tokens WHERE user_id = $1 AND substr(token_hash, 1, 16) = $2",
                )
                .bind(user.0)
                .bind(id),
            )
            .await?
        } else {
            0
        };
        if removed == 0 {
            return Err(StoreError::not_found("that API token"));
        }
        Ok(())
    }

    async fn record_login_failure(&self, throttle_key: &str, at: Timestamp) -> StoreResult<()> {
        self.run(
            sqlx::query("INSERT INTO login_failures (throttle_key, failed_at) VALUES ($1, $2)")
                .bind(throttle_key)
                .bind(to_epoch(at)),
        )
        .await?;
        Ok(())
    }

    async fn login_failures_since(&self, throttle_key: &str, since: Timestamp) -> StoreResult<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM login_failures WHERE throttle_key = $1 AND failed_at > $2",
        )
        .bind(throttle_key)
        .bind(to_epoch(since))
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(row.try_get("n")?)
    }

    async fn clear_login_failures(&self, throttle_key: &str) -> StoreResult<()> {
        self.run(
            sqlx::query("DELETE FROM login_failures WHERE throttle_key = $1").bind(throttle_key),
        )
        .await?;
        Ok(())
    }

    async fn last_login_failure(&self, throttle_key: &str) -> StoreResult<Option<Timestamp>> {
        let row = sqlx::query(
            "SELECT MAX(failed_at) AS last FROM login_failures WHERE throttle_key = $1",
        )
        .bind(throttle_key)
        .fetch_one(&self.pool)
        .await
        .map_err(map_error)?;
        Ok(row.try_get::<Option<i64>, _>("last")?.map(from_epoch))
    }

    async fn delete_login_failures_before(&self, before: Timestamp) -> StoreResult<u64> {
        self.run(
            sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1").bind(to_epoch(before)),
        )
        .await
    }
}

//! Who manages which programme.

use async_trait::async_trait;
use sqlx::Row;
use upward_domain::{Programme, ProgrammeId, Role, User, UserId};

use crate::accounts::{USER_COLUMNS, user_from_row};
use crate::programmes::{PROGRAMME_COLUMNS, programme_from_row};
use crate::sql::{map_error, now_epoch};
use crate::{ProgrammeManagerStore, SqlStore, StoreError, StoreResult};

#[async_trait]
impl ProgrammeManagerStore for SqlStore {
    async fn programme_managers(&self, id: ProgrammeId) -> StoreResult<Vec<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users
             JOIN programme_managers pm ON pm.user_id = users.id
             WHERE pm.programme_id = $1 ORDER BY users.name, users.id"
        ));
        self.all(sqlx::query(sql).bind(id.0), user_from_row).await
    }

    async fn manages_programme(&self, id: ProgrammeId, user: UserId) -> StoreResult<bool> {
        let found = self
            .one(
                sqlx::query(
                    "SELECT 1 AS found FROM programme_managers WHERE programme_id = $1 AND user_id = $2",
                )
                .bind(id.0)
                .bind(user.0),
                |_| Ok(()),
            )
            .await?;
        Ok(found.is_some())
    }

    async fn programme_and_whether_managed(
        &self,
        id: ProgrammeId,
        user: UserId,
    ) -> StoreResult<(Programme, bool)> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {PROGRAMME_COLUMNS}, CAST((SELECT COUNT(*) FROM programme_managers
                 WHERE programme_id = programmes.id AND user_id = $2) AS BIGINT) AS managed
             FROM programmes WHERE id = $1"
        ));
        let read = |row: &sqlx::any::AnyRow| {
            let managed: i64 = row.try_get("managed")?;
            Ok((programme_from_row(row)?, managed > 0))
        };
        self.one(sqlx::query(sql).bind(id.0).bind(user.0), read)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("programme {}", id.0)))
    }

    async fn co_manager_candidates(&self, id: ProgrammeId, limit: i64) -> StoreResult<Vec<User>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM users
             WHERE users.role = $2 AND NOT EXISTS (SELECT 1 FROM programme_managers pm
                                                   WHERE pm.programme_id = $1 AND pm.user_id = users.id)
             ORDER BY users.email_key LIMIT $3"
        ));
        let query = sqlx::query(sql)
            .bind(id.0)
            .bind(Role::Manager.as_str())
            .bind(limit);
        self.all(query, user_from_row).await
    }

    async fn managed_programmes(&self, user: UserId) -> StoreResult<Vec<ProgrammeId>> {
        self.all(
            sqlx::query(
                "SELECT programme_id FROM programme_managers WHERE user_id = $1 ORDER BY programme_id",
            )
            .bind(user.0),
            |row| Ok(ProgrammeId(row.try_get("programme_id")?)),
        )
        .await
    }

    async fn add_programme_manager(
        &self,
        id: ProgrammeId,
        user: UserId,
        added_by: &str,
    ) -> StoreResult<bool> {
        let added = self
            .run(
                sqlx::query(
                    "INSERT INTO programme_managers (programme_id, user_id, added_by, added_at)
                     VALUES ($1, $2, $3, $4) ON CONFLICT (programme_id, user_id) DO NOTHING",
                )
                .bind(id.0)
                .bind(user.0)
                .bind(added_by)
                .bind(now_epoch()),
            )
            .await?;
        Ok(added == 1)
    }

    async fn remove_programme_manager(&self, id: ProgrammeId, user: UserId) -> StoreResult<()> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        // Touching the programme's row first makes concurrent removals take turns (a row lock
        // on PostgreSQL, the write lock on SQLite), so two removals cannot leave it with none.
        let exists = sqlx::query("UPDATE programmes SET updated_at = updated_at WHERE id = $1")
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(map_error)?
            .rows_affected();
        if exists == 0 {
            return Err(StoreError::not_found(format!("programme {}", id.0)));
        }
        let managers: i64 =
            sqlx::query("SELECT COUNT(*) AS n FROM programme_managers WHERE programme_id = $1")
                .bind(id.0)
                .fetch_one(&mut *tx)
                .await
                .map_err(map_error)?
                .try_get("n")?;
        let removed =
            sqlx::query("DELETE FROM programme_managers WHERE programme_id = $1 AND user_id = $2")
                .bind(id.0)
                .bind(user.0)
                .execute(&mut *tx)
                .await
                .map_err(map_error)?
                .rows_affected();
        if removed == 0 {
            return Err(StoreError::not_found("that manager of the programme"));
        }
        if managers <= 1 {
            return Err(StoreError::conflict(
                "a programme needs at least one manager: add another before removing the last",
            ));
        }
        tx.commit().await.map_err(map_error)
    }
}

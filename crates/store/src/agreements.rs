//! Programmes' agreement texts (each edit a new version) and the pairs' signatures.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;
use upward_domain::{AgreementText, Pairing, PairingId, ProgrammeId, Side, Signature};

use crate::sql::{audit, corrupt, from_epoch, map_error, now_epoch};
use crate::{AgreementStore, NewAuditEntry, SqlStore, StoreResult};

fn text_from_row(row: &AnyRow) -> StoreResult<AgreementText> {
    Ok(AgreementText {
        version: row.try_get("version")?,
        body: row.try_get("body")?,
    })
}

fn signature_from_row(row: &AnyRow) -> StoreResult<Signature> {
    let side: String = row.try_get("side")?;
    Ok(Signature {
        side: Side::parse(&side).ok_or_else(|| corrupt("side", &side, "not a side"))?,
        version: row.try_get("version")?,
        signed_at: from_epoch(row.try_get("signed_at")?),
    })
}

#[async_trait]
impl AgreementStore for SqlStore {
    async fn agreement(&self, programme: ProgrammeId) -> StoreResult<Option<AgreementText>> {
        self.one(
            sqlx::query(
                "SELECT version, body FROM agreement_versions WHERE programme_id = $1
                 ORDER BY version DESC LIMIT 1",
            )
            .bind(programme.0),
            text_from_row,
        )
        .await
    }

    async fn agreement_version(
        &self,
        programme: ProgrammeId,
        version: i64,
    ) -> StoreResult<Option<AgreementText>> {
        self.one(
            sqlx::query(
                "SELECT version, body FROM agreement_versions WHERE programme_id = $1 AND version = $2",
            )
            .bind(programme.0)
            .bind(version),
            text_from_row,
        )
        .await
    }

    async fn save_agreement(
        &self,
        programme: ProgrammeId,
        body: &str,
        actor: &str,
    ) -> StoreResult<AgreementText> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        // Version 1 is Upward's default text, never stored; two managers saving at once get
        // consecutive versions (the primary key refuses a duplicate, and the loser retries).
        let row = sqlx::query(
            "INSERT INTO agreement_versions (programme_id, version, body, created_by, created_at)
             SELECT $1, COALESCE(MAX(version), 1) + 1, $2, $3, $4
               FROM agreement_versions WHERE programme_id = $1
             RETURNING version, body",
        )
        .bind(programme.0)
        .bind(body.to_owned())
        .bind(actor.to_owned())
        .bind(now_epoch())
        .fetch_one(&mut *tx)
        .await
        .map_err(map_error)?;
        let saved = text_from_row(&row)?;
        let entry = NewAuditEntry {
            actor,
            action: "agreement.edit",
            subject: &format!("programme {}", programme.0),
            detail: &format!("version {}", saved.version),
            programme: Some(programme),
        };
        audit(&mut tx, &entry).await?;
        tx.commit().await.map_err(map_error)?;
        Ok(saved)
    }

    async fn signatures(&self, pairing: PairingId) -> StoreResult<Vec<Signature>> {
        self.all(
            sqlx::query(
                "SELECT side, version, signed_at FROM agreement_signatures WHERE pairing_id = $1
                 ORDER BY side",
            )
            .bind(pairing.0),
            signature_from_row,
        )
        .await
    }

    async fn sign_agreement(
        &self,
        pairing: &Pairing,
        side: Side,
        version: i64,
        actor: &str,
    ) -> StoreResult<bool> {
        let mut tx = self.writer.begin().await.map_err(map_error)?;
        let signed = sqlx::query(
            "INSERT INTO agreement_signatures (pairing_id, side, version, signed_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (pairing_id, side) DO NOTHING",
        )
        .bind(pairing.id.0)
        .bind(side.as_str())
        .bind(version)
        .bind(now_epoch())
        .execute(&mut *tx)
        .await
        .map_err(map_error)?
        .rows_affected()
            == 1;
        if signed {
            let entry = NewAuditEntry {
                actor,
                action: "agreement.sign",
                subject: &format!("pairing {}", pairing.id.0),
                detail: &format!("the {} signed version {version}", side.as_str()),
                programme: Some(pairing.programme_id),
            };
            audit(&mut tx, &entry).await?;
        }
        tx.commit().await.map_err(map_error)?;
        Ok(signed)
    }
}

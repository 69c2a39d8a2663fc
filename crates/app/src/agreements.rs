//! The agreement a pair signs: its programme's text (Upward's default until its managers edit
//! it) and each person's signature, with the version they signed.

use serde::{Deserialize, Serialize};
use upward_domain::agreement::{DEFAULT_AGREEMENT, checked_body, signed_by_both};
use upward_domain::{AgreementText, PairingId, PairingState, ProgrammeId, Signature, User};

use crate::meetings::side_of;
use crate::policy::Manager;
use crate::{App, AppError, AppResult};

/// The agreement as one of the pair sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PairAgreement {
    /// The programme's current text (Markdown) and its version.
    #[serde(flatten)]
    pub text: AgreementText,
    pub signatures: Vec<Signature>,
    /// The caller has signed (some version).
    pub signed_by_me: bool,
    /// Both have signed.
    pub signed_by_both: bool,
}

/// An edited agreement.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct AgreementRequest {
    /// Markdown, at most 8,000 characters.
    #[schema(max_length = 8000)]
    pub body: String,
}

/// A signature, on the version the signer read.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct SignRequest {
    /// The version read; if the text changed since, signing is refused so that nobody signs
    /// words they did not see. Leave it out to sign the current version.
    pub version: Option<i64>,
}

fn default_text() -> AgreementText {
    AgreementText {
        version: 1,
        body: DEFAULT_AGREEMENT.to_owned(),
    }
}

impl App {
    async fn current_agreement(&self, programme: ProgrammeId) -> AppResult<AgreementText> {
        Ok(self
            .store
            .agreement(programme)
            .await?
            .unwrap_or_else(default_text))
    }

    /// The programme's current agreement, for its managers.
    pub async fn programme_agreement(
        &self,
        manager: &Manager,
        id: ProgrammeId,
    ) -> AppResult<AgreementText> {
        self.managed_programme(manager, id).await?;
        self.current_agreement(id).await
    }

    /// A manager replaces the programme's agreement: a new version that pairs sign from now
    /// on; signatures already made stay, with the version they signed.
    pub async fn edit_agreement(
        &self,
        manager: &Manager,
        id: ProgrammeId,
        body: &str,
    ) -> AppResult<AgreementText> {
        let body = checked_body(body).map_err(|e| AppError::invalid("body", e.0))?;
        self.managed_programme(manager, id).await?;
        Ok(self
            .store
            .save_agreement(id, &body, manager.user().email.as_str())
            .await?)
    }

    /// The agreement of one of the user's pairings, with who has signed.
    pub async fn pairing_agreement(&self, user: &User, id: PairingId) -> AppResult<PairAgreement> {
        let pairing = self.own_pairing(user, id).await?;
        let text = self.current_agreement(pairing.programme_id).await?;
        let signatures = self.store.signatures(id).await?;
        let mine = side_of(&pairing, user);
        Ok(PairAgreement {
            text,
            signed_by_me: signatures.iter().any(|s| s.side == mine),
            signed_by_both: signed_by_both(&signatures),
            signatures,
        })
    }

    /// The user signs their active pairing's agreement, as of the version they read. Signing
    /// again changes nothing.
    pub async fn sign_agreement(
        &self,
        user: &User,
        id: PairingId,
        request: SignRequest,
    ) -> AppResult<PairAgreement> {
        let pairing = self.own_pairing(user, id).await?;
        if pairing.state != PairingState::Active {
            return Err(AppError::Conflict(
                "the agreement is signed once the pairing is active".into(),
            ));
        }
        let text = self.current_agreement(pairing.programme_id).await?;
        if let Some(read) = request.version
            && read != text.version
        {
            return Err(AppError::Conflict(format!(
                "the agreement changed since you read it (version {read}; it is now version {}): read it again before signing",
                text.version
            )));
        }
        self.store
            .sign_agreement(
                &pairing,
                side_of(&pairing, user),
                text.version,
                user.email.as_str(),
            )
            .await?;
        self.pairing_agreement(user, id).await
    }
}

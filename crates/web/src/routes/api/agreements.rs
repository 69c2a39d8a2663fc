//! The agreement over the API: a programme's text for its managers to edit, and each pair's
//! copy to read and sign.

use axum::Json;
use axum::extract::State;
use upward_app::agreements::{AgreementRequest, PairAgreement, SignRequest};
use upward_domain::{AgreementText, PairingId, ProgrammeId};

use super::{ApiJson, ApiPath};
use crate::auth::{ApiManager, ApiUser};
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/programmes/{id}/agreement",
            Audience::ProgrammeManagers,
            programme_agreement,
        )
        .put(
            "/programmes/{id}/agreement",
            Audience::ProgrammeManagers,
            edit,
        )
        .get(
            "/pairings/{id}/agreement",
            Audience::Pair,
            pairing_agreement,
        )
        .post("/pairings/{id}/agreement/sign", Audience::Pair, sign)
}

/// The programme's current agreement (Markdown) and its version: Upward's default (version 1)
/// until a manager edits it.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/agreement", params(("id" = i64, Path)),
    responses((status = 200, body = AgreementText)))]
pub async fn programme_agreement(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AgreementText>, ApiError> {
    Ok(Json(
        state
            .app
            .programme_agreement(&manager, ProgrammeId(id))
            .await?,
    ))
}

/// Replaces the programme's agreement with a new version. Pairs who signed keep their
/// signature on the version they signed.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/agreement", params(("id" = i64, Path)),
    request_body = AgreementRequest, responses((status = 200, body = AgreementText)))]
pub async fn edit(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AgreementRequest>,
) -> Result<Json<AgreementText>, ApiError> {
    Ok(Json(
        state
            .app
            .edit_agreement(&manager, ProgrammeId(id), &request.body)
            .await?,
    ))
}

/// The agreement of one of the caller's pairings, with who has signed which version.
#[utoipa::path(get, path = "/api/v1/pairings/{id}/agreement", params(("id" = i64, Path)),
    responses((status = 200, body = PairAgreement), (status = 404, body = ErrorBody)))]
pub async fn pairing_agreement(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<PairAgreement>, ApiError> {
    Ok(Json(
        state.app.pairing_agreement(&user, PairingId(id)).await?,
    ))
}

/// Signs the agreement of the caller's active pairing, as of the version read (409 if it
/// changed since, or if the pairing is not active). Signing again changes nothing.
#[utoipa::path(post, path = "/api/v1/pairings/{id}/agreement/sign", params(("id" = i64, Path)),
    request_body = SignRequest,
    responses((status = 200, body = PairAgreement), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn sign(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<SignRequest>,
) -> Result<Json<PairAgreement>, ApiError> {
    Ok(Json(
        state
            .app
            .sign_agreement(&user, PairingId(id), request)
            .await?,
    ))
}

//! Asking for sign-in and reset links, and programme invitations, over the API. A link request
//! answers 202 with the same body whether or not the address is known.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use upward_app::access::{AudienceRequest, InvitationOutcome};
use upward_domain::{InvitationCounts, LinkPurpose, ProgrammeId};

use super::{ApiJson, ApiPath};
use crate::auth::{ApiManager, ClientAddress};
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .post("/auth/sign-in-link", Audience::Anyone, sign_in_link)
        .post("/auth/password-reset", Audience::Anyone, password_reset)
        .post(
            "/programmes/{id}/invitations",
            Audience::ProgrammeManagers,
            invite,
        )
        .get(
            "/programmes/{id}/invitations",
            Audience::ProgrammeManagers,
            invitation_counts,
        )
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LinkRequest {
    email: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LinkRequested {
    /// The same for every address, known or not.
    message: String,
}

/// Mail a sign-in link to someone in the directory. The answer is the same whether or not the
/// address is known; limited per address and per client (429).
#[utoipa::path(post, path = "/api/v1/auth/sign-in-link", request_body = LinkRequest, security(()),
    responses((status = 202, body = LinkRequested), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn sign_in_link(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<(StatusCode, Json<LinkRequested>), ApiError> {
    ask(&state, LinkPurpose::SignIn, &request.email, &client).await
}

/// Mail a link to choose a new password, on the same terms as a sign-in link.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", request_body = LinkRequest, security(()),
    responses((status = 202, body = LinkRequested), (status = 422, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn password_reset(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    ApiJson(request): ApiJson<LinkRequest>,
) -> Result<(StatusCode, Json<LinkRequested>), ApiError> {
    ask(&state, LinkPurpose::Reset, &request.email, &client).await
}

/// Asks for the link and answers 202 with the same body for every address.
async fn ask(
    state: &AppState,
    purpose: LinkPurpose,
    email: &str,
    client: &str,
) -> Result<(StatusCode, Json<LinkRequested>), ApiError> {
    state.app.request_link(purpose, email, client).await?;
    let message = format!(
        "If the address belongs to someone in the directory, a link is on its way by mail. It works once, within {}.",
        state.app.link_lifetime_words(purpose)
    );
    Ok((StatusCode::ACCEPTED, Json(LinkRequested { message })))
}

/// Invite people to a programme in its pilot or enrolling phase: one mail each with a link
/// that signs them in on the enrolment form. Exactly one of `everyone`, `emails`, or
/// `department` and/or `min_level`/`max_level`. People invited in the last 7 days are not
/// mailed again.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/invitations", params(("id" = i64, Path)),
    request_body = AudienceRequest,
    responses((status = 200, body = InvitationOutcome), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn invite(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<AudienceRequest>,
) -> Result<Json<InvitationOutcome>, ApiError> {
    let audience = request.parse()?;
    Ok(Json(
        state
            .app
            .invite(&manager, ProgrammeId(id), &audience)
            .await?,
    ))
}

/// How many were invited, signed in through their invitation, and enrolled.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/invitations", params(("id" = i64, Path)),
    responses((status = 200, body = InvitationCounts), (status = 404, body = ErrorBody)))]
pub async fn invitation_counts(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<InvitationCounts>, ApiError> {
    Ok(Json(
        state
            .app
            .invitation_counts(&manager, ProgrammeId(id))
            .await?,
    ))
}

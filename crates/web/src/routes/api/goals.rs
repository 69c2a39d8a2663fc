//! Learning goals over the API: the pair's own, and the figures its programme's managers see.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use upward_app::goals::{GoalRequest, GoalView};
use upward_domain::{GoalFigures, GoalId, PairingId, ProgrammeId};

use super::{ApiJson, ApiPath};
use crate::auth::{ApiManager, ApiUser};
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get("/pairings/{id}/goals", Audience::Pair, goals)
        .post("/pairings/{id}/goals", Audience::Pair, add)
        .patch("/goals/{id}", Audience::Pair, update)
        .delete("/goals/{id}", Audience::Pair, remove)
        .get(
            "/programmes/{id}/goals",
            Audience::ProgrammeManagers,
            figures,
        )
}

/// The learning goals of one of the caller's pairings.
#[utoipa::path(get, path = "/api/v1/pairings/{id}/goals", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<GoalView>), (status = 404, body = ErrorBody)))]
pub async fn goals(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<GoalView>>, ApiError> {
    Ok(Json(state.app.pairing_goals(&user, PairingId(id)).await?))
}

/// Adds a goal to the caller's active pairing (`what` required; at most ten goals).
#[utoipa::path(post, path = "/api/v1/pairings/{id}/goals", params(("id" = i64, Path)),
    request_body = GoalRequest,
    responses((status = 201, body = GoalView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<GoalRequest>,
) -> Result<(StatusCode, Json<GoalView>), ApiError> {
    let goal = state.app.add_goal(&user, PairingId(id), request).await?;
    Ok((StatusCode::CREATED, Json(goal)))
}

/// Changes a goal's words, progress or outcome (the fields sent; the others stay).
#[utoipa::path(patch, path = "/api/v1/goals/{id}", params(("id" = i64, Path)),
    request_body = GoalRequest,
    responses((status = 200, body = GoalView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<GoalRequest>,
) -> Result<Json<GoalView>, ApiError> {
    Ok(Json(
        state.app.update_goal(&user, GoalId(id), request).await?,
    ))
}

/// Removes one of the caller's goals.
#[utoipa::path(delete, path = "/api/v1/goals/{id}", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_goal(&user, GoalId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// How many goals the programme's pairs wrote and how they turned out; never their words.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/goals", params(("id" = i64, Path)),
    responses((status = 200, body = GoalFigures)))]
pub async fn figures(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<GoalFigures>, ApiError> {
    Ok(Json(
        state.app.goal_figures(&manager, ProgrammeId(id)).await?,
    ))
}

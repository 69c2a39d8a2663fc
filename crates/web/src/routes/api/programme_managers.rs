//! A programme's managers over the API.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use upward_domain::{ProgrammeId, User, UserId};

use super::{ApiJson, ApiPath};
use crate::auth::ApiManager;
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/programmes/{id}/managers",
            Audience::ProgrammeManagers,
            list,
        )
        .post(
            "/programmes/{id}/managers",
            Audience::ProgrammeManagers,
            add,
        )
        .delete(
            "/programmes/{id}/managers/{user}",
            Audience::ProgrammeManagers,
            remove,
        )
}

/// Who runs the programme. Its managers and admins.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/managers", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<User>), (status = 404, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<User>>, ApiError> {
    Ok(Json(
        state
            .app
            .programme_managers(&manager, ProgrammeId(id))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewManager {
    /// The email of an account with the programme manager role.
    email: String,
}

/// Add a co-manager (an account with the programme manager role); adding one twice is harmless.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/managers", params(("id" = i64, Path)), request_body = NewManager,
    responses((status = 201, body = User), (status = 422, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn add(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<NewManager>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let added = state
        .app
        .add_programme_manager(&manager, ProgrammeId(id), &request.email)
        .await?;
    Ok((StatusCode::CREATED, Json(added)))
}

/// Remove a manager; the last one cannot be removed (409).
#[utoipa::path(delete, path = "/api/v1/programmes/{id}/managers/{user}",
    params(("id" = i64, Path), ("user" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn remove(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath((id, user)): ApiPath<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .remove_programme_manager(&manager, ProgrammeId(id), UserId(user))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

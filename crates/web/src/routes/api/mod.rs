//! The JSON API, version 1: bearer-token authentication, the same use cases as the pages, and
//! an OpenAPI document generated from these handlers at `/api/v1/openapi.json`.

mod access;
mod directory;
mod matching;
mod programme_managers;
mod programmes;

use axum::extract::{FromRequest, Request, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use upward_app::AppError;
use upward_domain::User;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/token", post(issue_token))
        .route("/auth/tokens", get(my_tokens))
        .route("/auth/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/me", get(me))
        .merge(access::router())
        .merge(programmes::router())
        .merge(programme_managers::router())
        .merge(directory::router())
        .merge(matching::router())
        .fallback(not_found)
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Upward API", version = "1", description = "Reverse mentoring programmes: accounts, directory, programmes, enrolment, matching runs and pairings."),
    paths(
        issue_token, my_tokens, revoke_token, me, access::sign_in_link, access::password_reset, access::invite,
        access::invitation_counts,
        programmes::list, programmes::create, programmes::show, programmes::update, programmes::change_phase,
        programmes::clone, programmes::enrolments, programmes::import_enrolments, programmes::my_enrolment,
        programmes::enrol, programmes::withdraw, programmes::enrolment,
        programme_managers::list, programme_managers::add, programme_managers::remove,
        directory::people, directory::import_people, directory::export_people, directory::accounts,
        directory::create_account, directory::set_role, directory::audit,
        matching::start, matching::runs, matching::run, matching::publish, matching::pair_by_hand, matching::pairings,
        matching::set_rule, matching::my_pairings, matching::my_pairing, matching::act,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

async fn not_found() -> ApiError {
    ApiError(AppError::NotFound("this API route".into()))
}

/// JSON input whose rejections (malformed JSON, a wrong type, a value that does not parse)
/// become the API's own error body with the reason.
pub struct ApiJson<T>(pub T);

impl<T: serde::de::DeserializeOwned + Send> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ApiError;
    async fn from_request(request: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(request, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(ApiError(AppError::invalid("body", rejection.body_text()))),
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct TokenRequest {
    email: String,
    password: String,
    /// A name to recognise the token by, such as "reporting script".
    #[serde(default)]
    label: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    token: String,
    user: User,
}

/// Exchange an email and password for a bearer token (rate-limited like the log-in page).
#[utoipa::path(post, path = "/api/v1/auth/token", request_body = TokenRequest, security(()),
    responses((status = 200, body = TokenResponse), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn issue_token(
    State(state): State<AppState>,
    crate::auth::ClientAddress(client): crate::auth::ClientAddress,
    ApiJson(request): ApiJson<TokenRequest>,
) -> Result<Json<TokenResponse>, ApiError> {
    let (user, token) = state
        .app
        .issue_api_token(&request.email, &request.password, &request.label, &client)
        .await?;
    Ok(Json(TokenResponse { token, user }))
}

/// The caller's API tokens: id, label, when made and when they expire (never the tokens).
#[utoipa::path(get, path = "/api/v1/auth/tokens", responses((status = 200, body = Vec<upward_store::ApiToken>), (status = 401, body = ErrorBody)))]
async fn my_tokens(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<upward_store::ApiToken>>, ApiError> {
    Ok(Json(state.app.my_api_tokens(&user).await?))
}

/// Revoke one of the caller's API tokens (the one in use included).
#[utoipa::path(delete, path = "/api/v1/auth/tokens/{id}", params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<axum::http::StatusCode, ApiError> {
    state.app.revoke_my_api_token(&user, &id).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// The account the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = User), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(user): ApiUser) -> Json<User> {
    Json(user)
}

//! The directory, accounts and the audit trail over the API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use upward_domain::{Person, Role, User, UserId};
use upward_store::{AuditEntry, ImportCounts};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{ApiAdmin, ApiManager};
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get("/people", Audience::Managers, people)
        .upload("/people/import", Audience::Admins, import_people)
        .get("/people/export", Audience::Admins, export_people)
        .post("/people/erase", Audience::Admins, erase_person)
        .get("/users", Audience::Admins, accounts)
        .post("/users", Audience::Admins, create_account)
        .put("/users/{id}/role", Audience::Admins, set_role)
        .get("/audit", Audience::Managers, audit)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// Part of a name, email or department.
    #[serde(default)]
    search: String,
    /// From 1; 50 people a page.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct PeopleResponse {
    people: Vec<Person>,
    total: i64,
    page: i64,
}

/// Search the directory. Managers and admins.
#[utoipa::path(get, path = "/api/v1/people", params(PeopleQuery), responses((status = 200, body = PeopleResponse)))]
pub async fn people(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiQuery(query): ApiQuery<PeopleQuery>,
) -> Result<Json<PeopleResponse>, ApiError> {
    let page = query.page.unwrap_or(1);
    if !(1..=1_000_000).contains(&page) {
        return Err(upward_app::AppError::invalid(
            "page",
            "pages are numbered from 1 to 1,000,000",
        )
        .into());
    }
    let found = state.app.people_page(&manager, &query.search, page).await?;
    Ok(Json(PeopleResponse {
        people: found.people,
        total: found.total,
        page,
    }))
}

/// Import the directory from a CSV body (the format in the README); all or nothing. Admins.
#[utoipa::path(post, path = "/api/v1/people/import", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportCounts), (status = 422, body = ErrorBody)))]
pub async fn import_people(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    body: Bytes,
) -> Result<Json<ImportCounts>, ApiError> {
    Ok(Json(state.app.import_people(&admin, &body).await?))
}

/// The directory as CSV, in the import format. Admins.
#[utoipa::path(get, path = "/api/v1/people/export", responses((status = 200, content_type = "text/csv", body = String)))]
pub async fn export_people(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
) -> Result<impl IntoResponse, ApiError> {
    let csv = state.app.export_people(&admin).await?;
    Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], csv))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountsQuery {
    /// From 1; 100 accounts a page, by email.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Only accounts whose name or email contains this (any case).
    #[param(max_length = 200)]
    search: Option<String>,
    /// Only accounts of this role.
    role: Option<Role>,
}

/// Accounts a page of `GET /api/v1/users` holds.
const ACCOUNTS_PER_PAGE: i64 = 100;

/// The accounts, 100 a page by email, optionally those matching `search` or of one `role`.
/// Admins. `X-Total-Count` says how many match; `Link` gives the next and previous pages.
#[utoipa::path(get, path = "/api/v1/users", params(AccountsQuery),
    responses((status = 200, body = Vec<User>, headers(
        ("X-Total-Count" = i64, description = "How many accounts match, on every page"),
        ("Link" = String, description = "RFC 8288 links to the next and previous pages")))))]
pub async fn accounts(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiQuery(query): ApiQuery<AccountsQuery>,
) -> Result<Response, ApiError> {
    let page = super::page_number(query.page)?;
    let search = query.search.unwrap_or_default();
    let (accounts, total) = state
        .app
        .accounts_page(
            &admin,
            &search,
            query.role,
            (page - 1) * ACCOUNTS_PER_PAGE,
            ACCOUNTS_PER_PAGE,
        )
        .await?;
    let filters = super::filter_query([
        ("search", search.as_str()),
        ("role", query.role.map_or("", Role::as_str)),
    ]);
    Ok(super::paged(
        &accounts,
        page,
        ACCOUNTS_PER_PAGE,
        total,
        "/api/v1/users",
        &filters,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewAccount {
    email: String,
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    name: String,
    role: Role,
    /// At least 10 characters.
    #[schema(min_length = 10, max_length = 1000)]
    password: String,
}

/// Create an account. Admins.
#[utoipa::path(post, path = "/api/v1/users", request_body = NewAccount,
    responses((status = 201, body = User), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_account(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiJson(account): ApiJson<NewAccount>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let user = state
        .app
        .create_account(
            &admin,
            &account.email,
            &account.name,
            account.role,
            &account.password,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user)))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RoleChange {
    role: Role,
}

/// Change an account's role. Admins; not their own.
#[utoipa::path(put, path = "/api/v1/users/{id}/role", params(("id" = i64, Path)), request_body = RoleChange,
    responses((status = 200, body = User), (status = 409, body = ErrorBody)))]
pub async fn set_role(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<RoleChange>,
) -> Result<Json<User>, ApiError> {
    Ok(Json(
        state.app.set_role(&admin, UserId(id), change.role).await?,
    ))
}

/// The latest 500 changes by managers and admins.
#[utoipa::path(get, path = "/api/v1/audit", responses((status = 200, body = Vec<AuditEntry>)))]
pub async fn audit(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
) -> Result<Json<Vec<AuditEntry>>, ApiError> {
    Ok(Json(state.app.audit_log(&manager).await?))
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct EraseRequest {
    /// The email of the person to erase.
    email: String,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Erased {
    /// The anonymous record that now stands for them in programmes' figures.
    erased_as: String,
}

/// Erase a person at their request: their name, email, account, statements, personality and
/// availability answers, reasons, invitations and mail go; their job level and department stay
/// on an anonymous record, so programme figures keep counting them. Admins only.
#[utoipa::path(post, path = "/api/v1/people/erase", request_body = EraseRequest,
    responses((status = 200, body = Erased)))]
pub async fn erase_person(
    State(state): State<AppState>,
    ApiAdmin(admin): ApiAdmin,
    ApiJson(request): ApiJson<EraseRequest>,
) -> Result<Json<Erased>, ApiError> {
    let erased_as = state.app.erase_person(&admin, &request.email).await?;
    Ok(Json(Erased { erased_as }))
}

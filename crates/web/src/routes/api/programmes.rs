//! Programmes and enrolment over the API.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use upward_app::ProgrammeView;
use upward_domain::{
    Availability, BigFive, Channel, Enrolment, EnrolmentId, EnrolmentProfile, EnrolmentRole, Phase,
    PreferredTime, ProgrammeDraft, ProgrammeId, TopicLevels,
};
use upward_store::{ImportCounts, ProgrammeSummary};

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{ApiManager, ApiUser};
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get("/programmes", Audience::SignedIn, list)
        .post("/programmes", Audience::Managers, create)
        .get("/programmes/{id}", Audience::SignedIn, show)
        .put("/programmes/{id}", Audience::ProgrammeManagers, update)
        .post(
            "/programmes/{id}/phase",
            Audience::ProgrammeManagers,
            change_phase,
        )
        .post("/programmes/{id}/clone", Audience::ProgrammeManagers, clone)
        .get(
            "/programmes/{id}/enrolments",
            Audience::ProgrammeManagers,
            enrolments,
        )
        .upload(
            "/programmes/{id}/enrolments/import",
            Audience::ProgrammeManagers,
            import_enrolments,
        )
        .get(
            "/programmes/{id}/enrolment",
            Audience::SignedIn,
            my_enrolment,
        )
        .put("/programmes/{id}/enrolment", Audience::SignedIn, enrol)
        .delete("/programmes/{id}/enrolment", Audience::SignedIn, withdraw)
        .get(
            "/enrolments/{id}",
            Audience::OwnerAndProgrammeManagers,
            enrolment,
        )
}

/// Programmes visible to the caller (participants do not see drafts).
#[utoipa::path(get, path = "/api/v1/programmes", responses((status = 200, body = Vec<ProgrammeSummary>)))]
pub async fn list(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<ProgrammeSummary>>, ApiError> {
    Ok(Json(state.app.programmes(&user).await?))
}

/// Create a programme (in the draft phase). Managers and admins.
#[utoipa::path(post, path = "/api/v1/programmes", request_body = ProgrammeDraft,
    responses((status = 201, body = ProgrammeView), (status = 422, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiJson(draft): ApiJson<ProgrammeDraft>,
) -> Result<(StatusCode, Json<ProgrammeView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.create_programme(&manager, &draft).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/programmes/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = ProgrammeView), (status = 404, body = ErrorBody)))]
pub async fn show(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ProgrammeView>, ApiError> {
    Ok(Json(state.app.programme(&user, ProgrammeId(id)).await?))
}

/// Replace a programme's design. Managers and admins.
#[utoipa::path(put, path = "/api/v1/programmes/{id}", params(("id" = i64, Path)), request_body = ProgrammeDraft,
    responses((status = 200, body = ProgrammeView), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(draft): ApiJson<ProgrammeDraft>,
) -> Result<Json<ProgrammeView>, ApiError> {
    Ok(Json(
        state
            .app
            .update_programme(&manager, ProgrammeId(id), &draft)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct PhaseChange {
    to: Phase,
}

/// Move a programme to another phase; illegal moves are 409 with the allowed ones named.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/phase", params(("id" = i64, Path)), request_body = PhaseChange,
    responses((status = 200, body = ProgrammeView), (status = 409, body = ErrorBody)))]
pub async fn change_phase(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<PhaseChange>,
) -> Result<Json<ProgrammeView>, ApiError> {
    Ok(Json(
        state
            .app
            .change_phase(&manager, ProgrammeId(id), change.to)
            .await?,
    ))
}

/// Start a new draft programme with the settings of this one (typically a pilot).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/clone", params(("id" = i64, Path)),
    responses((status = 201, body = ProgrammeView), (status = 404, body = ErrorBody)))]
pub async fn clone(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<(StatusCode, Json<ProgrammeView>), ApiError> {
    Ok((
        StatusCode::CREATED,
        Json(state.app.clone_programme(&manager, ProgrammeId(id)).await?),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EnrolmentsQuery {
    /// From 1; 100 enrolments a page, newest first.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Only enrolments whose name, email or topics contain this (any case).
    #[param(max_length = 200)]
    search: Option<String>,
    /// Only mentors, or only mentees.
    role: Option<EnrolmentRole>,
}

/// Enrolments a page of `GET /api/v1/programmes/{id}/enrolments` holds.
const ENROLMENTS_PER_PAGE: i64 = 100;

/// A programme's enrolments, 100 a page, newest first, optionally those matching `search` or of
/// one `role`. Managers and admins. `X-Total-Count` says how many match; `Link` gives the next
/// and previous pages.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/enrolments", params(("id" = i64, Path), EnrolmentsQuery),
    responses((status = 200, body = Vec<Enrolment>, headers(
        ("X-Total-Count" = i64, description = "How many enrolments match, on every page"),
        ("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn enrolments(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<EnrolmentsQuery>,
) -> Result<Response, ApiError> {
    let page = super::page_number(query.page)?;
    let search = query.search.unwrap_or_default();
    let (enrolments, total) = state
        .app
        .programme_enrolments_page(
            &manager,
            ProgrammeId(id),
            &search,
            query.role,
            (page - 1) * ENROLMENTS_PER_PAGE,
            ENROLMENTS_PER_PAGE,
        )
        .await?;
    let filters = super::filter_query([
        ("search", search.as_str()),
        ("role", query.role.map_or("", EnrolmentRole::as_str)),
    ]);
    Ok(super::paged(
        &enrolments,
        page,
        ENROLMENTS_PER_PAGE,
        total,
        &format!("/api/v1/programmes/{id}/enrolments"),
        &filters,
    ))
}

/// Import enrolments from a CSV body (the format in the README); all or nothing.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/enrolments/import", params(("id" = i64, Path)),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportCounts), (status = 422, body = ErrorBody)))]
pub async fn import_enrolments(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    body: Bytes,
) -> Result<Json<ImportCounts>, ApiError> {
    Ok(Json(
        state
            .app
            .import_enrolments(&manager, ProgrammeId(id), &body)
            .await?,
    ))
}

/// The caller's own enrolment in the programme.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/enrolment", params(("id" = i64, Path)),
    responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody)))]
pub async fn my_enrolment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Enrolment>, ApiError> {
    let enrolment = state.app.my_enrolment(&user, ProgrammeId(id)).await?;
    Ok(Json(enrolment.ok_or_else(|| {
        upward_app::AppError::NotFound("your enrolment".into())
    })?))
}

fn must_be_true() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::Type::Boolean)
        .enum_values(Some([true]))
        .description(Some("Must be true: the answers may be used for matching."))
        .build()
}

/// An [`EnrolmentProfile`] and the consent, as one flat object. Its fields are spelt out
/// rather than flattened: serde's `flatten` hides unknown fields from the check that refuses
/// them (see `ApiJson`).
#[derive(Deserialize, utoipa::ToSchema)]
pub struct EnrolRequest {
    role: EnrolmentRole,
    /// What a mentor can teach, with a level 1–5. Empty for mentees.
    offers: TopicLevels,
    /// What a mentee wants to learn, with a priority 1–5. Empty for mentors.
    interests: TopicLevels,
    availability: Availability,
    channel: Channel,
    preferred_time: PreferredTime,
    #[serde(default)]
    big_five: Option<BigFive>,
    /// "What I can offer / what I hope for", in the person's own words.
    statement: String,
    /// Must be true: the answers may be used for matching.
    #[schema(schema_with = must_be_true)]
    consent: bool,
}

impl EnrolRequest {
    fn into_profile(self) -> (EnrolmentProfile, bool) {
        let profile = EnrolmentProfile {
            role: self.role,
            offers: self.offers,
            interests: self.interests,
            availability: self.availability,
            channel: self.channel,
            preferred_time: self.preferred_time,
            big_five: self.big_five,
            statement: self.statement,
        };
        (profile, self.consent)
    }
}

/// Enrol the caller (or update their answers) while the programme is enrolling.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/enrolment", params(("id" = i64, Path)), request_body = EnrolRequest,
    responses((status = 200, body = Enrolment), (status = 422, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn enrol(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<EnrolRequest>,
) -> Result<Json<Enrolment>, ApiError> {
    let (profile, consent) = request.into_profile();
    Ok(Json(
        state
            .app
            .enrol(&user, ProgrammeId(id), &profile, consent)
            .await?,
    ))
}

/// Withdraw the caller's enrolment (before the programme runs).
#[utoipa::path(delete, path = "/api/v1/programmes/{id}/enrolment", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn withdraw(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<StatusCode, ApiError> {
    state.app.withdraw(&user, ProgrammeId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One enrolment: the caller's own, or any for managers. Others get 404.
#[utoipa::path(get, path = "/api/v1/enrolments/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = Enrolment), (status = 404, body = ErrorBody)))]
pub async fn enrolment(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Enrolment>, ApiError> {
    Ok(Json(state.app.enrolment(&user, EnrolmentId(id)).await?))
}

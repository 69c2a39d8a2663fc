//! Matching runs, proposals and pairings over the API: managers start, review and publish
//! runs and set pins and forbids; each participant sees and answers their own pairings.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use upward_app::{AppError, MyPairing, PairingAction, RunView};
use upward_domain::{EnrolmentId, MatchingRun, Pairing, PairingId, ProgrammeId, RunId, Weights};
use upward_store::PairRule;

use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{ApiManager, ApiUser};
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get("/programmes/{id}/runs", Audience::ProgrammeManagers, runs)
        .post("/programmes/{id}/runs", Audience::ProgrammeManagers, start)
        .get(
            "/programmes/{id}/pairings",
            Audience::ProgrammeManagers,
            pairings,
        )
        .put(
            "/programmes/{id}/pair-rules",
            Audience::ProgrammeManagers,
            set_rule,
        )
        .get("/runs/{id}", Audience::ProgrammeManagers, run)
        .post("/runs/{id}/publish", Audience::ProgrammeManagers, publish)
        .post(
            "/runs/{id}/pairs",
            Audience::ProgrammeManagers,
            pair_by_hand,
        )
        .get("/me/pairings", Audience::SignedIn, my_pairings)
        .get("/pairings/{id}", Audience::Pair, my_pairing)
        .post("/pairings/{id}/{action}", Audience::Pair, act)
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct RunRequest {
    /// Weights for this run only; the programme's own when left out.
    #[serde(default)]
    weights: Option<Weights>,
    /// Keep every live pairing and match only the people without one.
    #[serde(default)]
    rematch: bool,
}

/// Start a matching run; it runs in the background (poll the run for its progress).
#[utoipa::path(post, path = "/api/v1/programmes/{id}/runs", params(("id" = i64, Path)), request_body = RunRequest,
    responses((status = 202, body = MatchingRun), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn start(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RunRequest>,
) -> Result<(StatusCode, Json<MatchingRun>), ApiError> {
    let run = state
        .app
        .start_matching(&manager, ProgrammeId(id), request.weights, request.rematch)
        .await?;
    state.app.run_in_background(run.id);
    Ok((StatusCode::ACCEPTED, Json(run)))
}

/// A programme's matching runs, newest first.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/runs", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MatchingRun>), (status = 403, body = ErrorBody)))]
pub async fn runs(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MatchingRun>>, ApiError> {
    Ok(Json(
        state.app.programme_runs(&manager, ProgrammeId(id)).await?,
    ))
}

/// A run with its proposal: every pair with its explanation, everyone unmatched with the reason.
#[utoipa::path(get, path = "/api/v1/runs/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = RunView), (status = 404, body = ErrorBody)))]
pub async fn run(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<RunView>, ApiError> {
    Ok(Json(state.app.run_view(&manager, RunId(id)).await?))
}

/// Publish a finished run: both people of every pair are asked to accept. All or nothing.
#[utoipa::path(post, path = "/api/v1/runs/{id}/publish", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Pairing>), (status = 409, body = ErrorBody)))]
pub async fn publish(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<Pairing>>, ApiError> {
    Ok(Json(state.app.publish_run(&manager, RunId(id)).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct HandPair {
    mentor: EnrolmentId,
    mentee: EnrolmentId,
}

/// Put a mentor and a mentee together by hand in a finished run; the pair gets the engine's
/// score and explanation, and whoever it displaces is listed as unmatched. 422 if the pair
/// breaks a hard rule, said no before or is forbidden.
#[utoipa::path(post, path = "/api/v1/runs/{id}/pairs", params(("id" = i64, Path)), request_body = HandPair,
    responses((status = 200, body = RunView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pair_by_hand(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(pair): ApiJson<HandPair>,
) -> Result<Json<RunView>, ApiError> {
    Ok(Json(
        state
            .app
            .pair_by_hand(&manager, RunId(id), pair.mentor, pair.mentee)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PairingsQuery {
    /// From 1; 100 pairings a page, in the order they were made.
    #[param(minimum = 1, maximum = 1000000)]
    page: Option<i64>,
    /// Only pairings in this state.
    #[param(pattern = "^(proposed|exploring|active|declined|expired|stepped_back|ended)$")]
    state: Option<String>,
}

/// Pairings a page of `GET /api/v1/programmes/{id}/pairings` holds.
const PAIRINGS_PER_PAGE: i64 = 100;

/// A programme's pairings, with the reasons people gave (managers only), 100 a page. The
/// `X-Total-Count` header says how many match, and `Link` gives the next and previous pages.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/pairings", params(("id" = i64, Path), PairingsQuery),
    responses((status = 200, body = Vec<Pairing>, headers(
        ("X-Total-Count" = i64, description = "How many pairings match, on every page"),
        ("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn pairings(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(query): ApiQuery<PairingsQuery>,
) -> Result<Response, ApiError> {
    let page = super::page_number(query.page)?;
    let filter = query.state.as_deref();
    let found = state
        .app
        .programme_pairings_page(
            &manager,
            ProgrammeId(id),
            filter,
            (page - 1) * PAIRINGS_PER_PAGE,
            PAIRINGS_PER_PAGE,
        )
        .await?;
    let state = filter.map(|s| format!("&state={s}")).unwrap_or_default();
    Ok(super::paged(
        &found.pairings,
        page,
        PAIRINGS_PER_PAGE,
        found.matching,
        &format!("/api/v1/programmes/{id}/pairings"),
        &state,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RuleRequest {
    mentor: EnrolmentId,
    mentee: EnrolmentId,
    /// `pin`, `forbid`, or null to clear.
    rule: Option<PairRule>,
}

/// Pin or forbid a pair for every later run, or clear the rule.
#[utoipa::path(put, path = "/api/v1/programmes/{id}/pair-rules", params(("id" = i64, Path)), request_body = RuleRequest,
    responses((status = 204), (status = 422, body = ErrorBody)))]
pub async fn set_rule(
    State(state): State<AppState>,
    ApiManager(manager): ApiManager,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RuleRequest>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_pair_rule(
            &manager,
            ProgrammeId(id),
            request.mentor,
            request.mentee,
            request.rule,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's own pairings, newest first, with why they were matched.
#[utoipa::path(get, path = "/api/v1/me/pairings",
    responses((status = 200, body = Vec<MyPairing>), (status = 401, body = ErrorBody)))]
pub async fn my_pairings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<MyPairing>>, ApiError> {
    Ok(Json(state.app.my_pairings(&user).await?))
}

/// One of the caller's own pairings; anyone else's is 404.
#[utoipa::path(get, path = "/api/v1/pairings/{id}", params(("id" = i64, Path)),
    responses((status = 200, body = MyPairing), (status = 404, body = ErrorBody)))]
pub async fn my_pairing(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MyPairing>, ApiError> {
    Ok(Json(state.app.my_pairing(&user, PairingId(id)).await?))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
pub struct ActionRequest {
    /// Why (declining, stepping back or ending): for the programme manager only.
    #[serde(default)]
    reason: Option<String>,
}

/// Act on one of the caller's pairings: `accept`, `decline`, `confirm` (after the exploratory
/// meeting), `step_back` or `end`. A move the pairing's state does not allow is 409 with why.
#[utoipa::path(post, path = "/api/v1/pairings/{id}/{action}",
    params(("id" = i64, Path), ("action" = String, Path, description = "accept, decline, confirm, step_back or end")),
    request_body = ActionRequest,
    responses((status = 200, body = MyPairing), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn act(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath((id, action)): ApiPath<(i64, String)>,
    body: Bytes,
) -> Result<Json<MyPairing>, ApiError> {
    let action = PairingAction::parse(&action).ok_or_else(|| {
        AppError::NotFound(format!(
            "the action '{action}' (use accept, decline, confirm, step_back or end)"
        ))
    })?;
    // The body is optional: an empty one means no reason.
    let request: ActionRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ActionRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::invalid("body", e.to_string()))?
    };
    let reason = request.reason;
    Ok(Json(
        state
            .app
            .act_on_pairing(&user, PairingId(id), action, reason.as_deref())
            .await?,
    ))
}

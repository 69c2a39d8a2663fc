//! A pairing's meeting schedule over the API: the fair proposal, for the pair's two people.

use axum::Json;
use axum::extract::State;
use upward_app::schedule::{ScheduleChange, ScheduleView};
use upward_domain::PairingId;

use super::{ApiJson, ApiPath};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .get("/pairings/{id}/schedule/proposal", Audience::Pair, proposal)
        .post("/pairings/{id}/schedule/change", Audience::Pair, change)
}

/// Changes one meeting of the proposed series before it is settled: `{"meeting": n, "skip":
/// true}` leaves the n-th (from 0) out, `{"meeting": n, "start": "…"}` moves it (a start
/// without an offset is in the caller's zone). The caller accepts the changed series; the other
/// must accept it again. Answers the changed proposal; 409 once the schedule is settled.
#[utoipa::path(post, path = "/api/v1/pairings/{id}/schedule/change", params(("id" = i64, Path)),
    request_body = ScheduleChange,
    responses((status = 200, body = ScheduleView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn change(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(change): ApiJson<ScheduleChange>,
) -> Result<Json<ScheduleView>, ApiError> {
    Ok(Json(
        state
            .app
            .change_schedule(&user, PairingId(id), change)
            .await?,
    ))
}

/// The meetings Upward proposes for one of the caller's pairings, from today (or the
/// programme's first day) to the programme's last: inside both people's weekly availability
/// in every week, following the programme's cadence, and sharing the inconvenience of the
/// hour. Times carry the caller's own offset. 409 when no weekly time fits both people, with
/// what to do; anyone else's pairing is 404.
#[utoipa::path(get, path = "/api/v1/pairings/{id}/schedule/proposal", params(("id" = i64, Path)),
    responses((status = 200, body = ScheduleView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn proposal(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<ScheduleView>, ApiError> {
    Ok(Json(
        state.app.schedule_proposal(&user, PairingId(id)).await?,
    ))
}

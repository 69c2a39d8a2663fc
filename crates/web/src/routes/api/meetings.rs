//! A pair's meetings over the API: accepting the proposed series, the meetings and their log,
//! the pair's calendar file, and each person's private calendar feed.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::Serialize;
use upward_app::meetings::{
    AgreementView, MeetingItem, MoveRequest, OutcomeRequest, RecordRequest,
};
use upward_domain::{MeetingId, PairingId};

use super::{ApiJson, ApiPath};
use crate::auth::ApiUser;
use crate::error::ErrorBody;
use crate::routes::table::{Audience, Routes};
use crate::{ApiError, AppState};

pub fn routes() -> Routes {
    Routes::new()
        .post("/pairings/{id}/schedule/accept", Audience::Pair, accept)
        .get("/pairings/{id}/meetings", Audience::Pair, meetings)
        .post("/pairings/{id}/meetings", Audience::Pair, record)
        .post("/meetings/{id}/outcome", Audience::Pair, outcome)
        .post("/meetings/{id}/move", Audience::Pair, move_meeting)
        .get(
            "/pairings/{id}/calendar.ics",
            Audience::Pair,
            pairing_calendar,
        )
        .get(
            "/meetings/{id}/calendar.ics",
            Audience::Pair,
            meeting_calendar,
        )
        .get("/me/calendar-feed", Audience::SignedIn, feed)
        .delete("/me/calendar-feed", Audience::SignedIn, revoke_feed)
        .get("/calendar-feeds/{feed}", Audience::Anyone, feed_calendar)
}

const CALENDAR: &str = "text/calendar; charset=utf-8";

/// Accepts the proposed series for one of the caller's active pairings. The first of the pair
/// to accept fixes the series they saw; once the other accepts it too, the meetings exist and
/// both get a mail. Accepting again changes nothing. 409 if the pairing is not active or no
/// time fits both.
#[utoipa::path(post, path = "/api/v1/pairings/{id}/schedule/accept", params(("id" = i64, Path)),
    responses((status = 200, body = AgreementView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn accept(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<AgreementView>, ApiError> {
    Ok(Json(state.app.accept_schedule(&user, PairingId(id)).await?))
}

/// The meetings of one of the caller's pairings, earliest first, with the pair's own log and
/// notes. Times carry the caller's offset. Empty until both have accepted a schedule.
#[utoipa::path(get, path = "/api/v1/pairings/{id}/meetings", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MeetingItem>), (status = 404, body = ErrorBody)))]
pub async fn meetings(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<Vec<MeetingItem>>, ApiError> {
    Ok(Json(
        state.app.pairing_meetings(&user, PairingId(id)).await?,
    ))
}

/// Records a meeting the pair held outside its series (the exploratory meeting, or an extra
/// one): while exploring or active, once it has started. A start without an offset is in the
/// caller's own time zone.
#[utoipa::path(post, path = "/api/v1/pairings/{id}/meetings", params(("id" = i64, Path)),
    request_body = RecordRequest,
    responses((status = 201, body = MeetingItem), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn record(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<RecordRequest>,
) -> Result<(StatusCode, Json<MeetingItem>), ApiError> {
    let recorded = state
        .app
        .record_meeting(&user, PairingId(id), request)
        .await?;
    Ok((StatusCode::CREATED, Json(recorded)))
}

/// Logs how one of the caller's meetings ended: `held` (not before it starts; minutes default
/// to the scheduled length), `cancelled` (ahead is fine; say by whom) or `missed`. Logging
/// again corrects the entry, but a meeting held or missed cannot become a cancellation (409).
/// Notes stay with the pair.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/outcome", params(("id" = i64, Path)),
    request_body = OutcomeRequest,
    responses((status = 200, body = MeetingItem), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn outcome(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<OutcomeRequest>,
) -> Result<Json<MeetingItem>, ApiError> {
    Ok(Json(
        state.app.log_meeting(&user, MeetingId(id), request).await?,
    ))
}

/// Moves one of the caller's scheduled meetings to a time still to come (a start without an
/// offset is in the caller's zone); it keeps its length, and subscribed calendars pick up the
/// change. 409 for a meeting already logged.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/move", params(("id" = i64, Path)),
    request_body = MoveRequest,
    responses((status = 200, body = MeetingItem), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn move_meeting(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
    ApiJson(request): ApiJson<MoveRequest>,
) -> Result<Json<MeetingItem>, ApiError> {
    Ok(Json(
        state
            .app
            .move_meeting(&user, MeetingId(id), request)
            .await?,
    ))
}

/// The pair's meetings as an iCalendar file (RFC 5545), times in UTC. A cancelled meeting is
/// `STATUS:CANCELLED` with a higher `SEQUENCE`.
#[utoipa::path(get, path = "/api/v1/pairings/{id}/calendar.ics", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn pairing_calendar(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let calendar = state.app.pairing_calendar(&user, PairingId(id)).await?;
    Ok(([(header::CONTENT_TYPE, CALENDAR)], calendar))
}

/// One of the caller's meetings as an iCalendar file, to add it alone to a calendar.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/calendar.ics", params(("id" = i64, Path)),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn meeting_calendar(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
    ApiPath(id): ApiPath<i64>,
) -> Result<impl IntoResponse, ApiError> {
    let calendar = state.app.meeting_calendar(&user, MeetingId(id)).await?;
    Ok(([(header::CONTENT_TYPE, CALENDAR)], calendar))
}

/// The address of a private feed.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FeedAddress {
    /// Subscribe to this in a calendar app; whoever has it sees your meetings' times (never
    /// their notes). Revoke it with `DELETE`.
    url: String,
}

/// The caller's private calendar feed address, made on first asking: every meeting of their
/// pairings, kept current.
#[utoipa::path(get, path = "/api/v1/me/calendar-feed", responses((status = 200, body = FeedAddress)))]
pub async fn feed(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<FeedAddress>, ApiError> {
    Ok(Json(FeedAddress {
        url: state.app.calendar_feed_url(&user).await?,
    }))
}

/// Revokes the caller's feed: its address stops working at once; asking again makes a new one.
#[utoipa::path(delete, path = "/api/v1/me/calendar-feed", responses((status = 204)))]
pub async fn revoke_feed(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<StatusCode, ApiError> {
    state.app.revoke_calendar_feed(&user).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A private calendar feed (the address from `GET /api/v1/me/calendar-feed`, which carries its
/// own secret): no other credentials, so calendar apps can subscribe. 404 once revoked.
#[utoipa::path(get, path = "/api/v1/calendar-feeds/{feed}", params(("feed" = String, Path)), security(()),
    responses((status = 200, content_type = "text/calendar", body = String), (status = 404, body = ErrorBody)))]
pub async fn feed_calendar(
    State(state): State<AppState>,
    ApiPath(feed): ApiPath<String>,
) -> Result<impl IntoResponse, ApiError> {
    let token = feed.strip_suffix(".ics").unwrap_or(&feed);
    let calendar = state.app.feed_calendar(token).await?;
    Ok(([(header::CONTENT_TYPE, CALENDAR)], calendar))
}

//! Health, metrics and static assets.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use super::table::{Audience, Routes};
use crate::AppState;

pub fn routes() -> Routes {
    Routes::new()
        .get("/healthz", Audience::Anyone, health)
        .get("/metrics", Audience::Anyone, metrics)
        .get("/static/app.css", Audience::Anyone, stylesheet)
        // Browsers ask for /favicon.ico whatever the page says; both answer the same icon.
        .get("/static/favicon.svg", Audience::Anyone, favicon)
        .get("/favicon.ico", Audience::Anyone, favicon)
        .get("/static/local-times.js", Audience::Anyone, local_times)
}

/// How long the health check and the metrics wait for the database before saying it is down.
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

/// Whether the database answers within [`PING_TIMEOUT`].
async fn database_answers(state: &AppState) -> bool {
    match tokio::time::timeout(PING_TIMEOUT, state.app.store.ping()).await {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "the database does not answer");
            false
        }
        Err(_) => {
            tracing::warn!("the database did not answer within {PING_TIMEOUT:?}");
            false
        }
    }
}

/// Liveness plus a database ping: 200 when the database answers, 503 (within a few seconds)
/// when it does not.
async fn health(State(state): State<AppState>) -> impl IntoResponse {
    if database_answers(&state).await {
        (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "ok", "database": "ok"})),
        )
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(serde_json::json!({"status": "degraded", "database": "unreachable"})),
        )
    }
}

/// Counters for monitoring. No personal or organisational figures (a headcount would be
/// public here), and it answers even while the database is down.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let body = state.metrics.render(database_answers(&state).await);
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body)
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn favicon() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_str!("../../static/favicon.svg"),
    )
}

async fn local_times() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/local-times.js"),
    )
}

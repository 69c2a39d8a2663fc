//! Every route, merged in one place: pages (behind CSRF protection), the API, and the
//! operational endpoints.

pub mod api;
mod ops;
pub mod pages;
pub(crate) mod scim;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::{AppState, csrf, metrics};

pub fn router(state: AppState) -> Router {
    let pages = pages::router()
        .fallback(crate::error::page_not_found)
        // Pages show personal data: no browser or proxy may keep a copy.
        .layer(security_header("cache-control", "no-store"))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::error::frame_error_pages,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::protect));
    Router::new()
        .merge(pages)
        .nest("/api/v1", api::router())
        .nest("/scim/v2", scim::router())
        .merge(ops::router())
        .layer(middleware::from_fn(crate::clean_input::refuse_invisible))
        .layer(middleware::from_fn_with_state(state.clone(), metrics::count_responses))
        .layer(security_header("x-content-type-options", "nosniff"))
        .layer(security_header("x-frame-options", "DENY"))
        .layer(security_header("referrer-policy", "same-origin"))
        .layer(security_header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

fn security_header(name: &'static str, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    )
}

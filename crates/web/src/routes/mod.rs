//! Every route, merged in one place: pages (behind CSRF protection), the API, and the
//! operational endpoints.

pub mod api;
mod ops;
pub mod pages;
pub(crate) mod scim;
pub mod table;

use axum::Router;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::{AppState, csrf, metrics};

/// Every route with its audience: the router's contents and the access matrix's rows.
pub fn route_table() -> Vec<table::RouteEntry> {
    all_routes(None).into_parts().1
}

/// The routes, with the pages' middleware when there is state to give it.
fn all_routes(state: Option<&AppState>) -> table::Routes {
    let pages = pages::routes()
        .fallback(crate::error::page_not_found)
        .map_router(|pages| match state {
            Some(state) => pages
                // Pages show personal data: no browser or proxy may keep a copy.
                .layer(security_header("cache-control", "no-store"))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    crate::error::frame_error_pages,
                ))
                .layer(middleware::from_fn_with_state(state.clone(), csrf::protect)),
            None => pages,
        });
    table::Routes::new()
        .merge(pages)
        .nest("/api/v1", api::routes())
        .nest("/scim/v2", scim::routes())
        .merge(ops::routes())
}

pub fn router(state: AppState) -> Router {
    let (routes, _) = all_routes(Some(&state)).into_parts();
    routes
        .layer(middleware::from_fn(crate::clean_input::refuse_invisible))
        .layer(middleware::from_fn(crate::unread_body::close_if_unread))
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

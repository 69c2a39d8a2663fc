//! Upward's web layer: HTML pages for people, a JSON API under `/api/v1` for programs, and
//! the operational endpoints. Handlers parse input into domain types, call one use case and
//! render the result; nothing here talks to the database directly.
#![forbid(unsafe_code)]

mod auth;
mod clean_input;
mod csrf;
mod error;
mod format;
mod metrics;
mod routes;
mod unread_body;

use std::net::SocketAddr;

use axum::Router;
use tokio::net::TcpListener;
use upward_app::App;

pub use error::{ApiError, PageError};
pub use routes::api::ApiDoc;
pub use routes::route_table;
pub use routes::table::{Audience, Persona, RouteEntry};

/// The access matrix of [`route_table`], as the Markdown kept in `docs/access-matrix.md`.
pub fn access_matrix_markdown() -> String {
    routes::table::access_matrix_markdown(&route_table())
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    metrics: metrics::Metrics,
}

/// The whole application as a router, for serving or for calling directly in tests.
pub fn router(app: App) -> Router {
    let state = AppState {
        app,
        metrics: metrics::Metrics::default(),
    };
    routes::router(state)
}

/// Serves until the process is asked to stop (Ctrl-C or SIGTERM), finishing requests in flight.
pub async fn serve(listener: TcpListener, app: App) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

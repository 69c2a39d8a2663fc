//! Who is calling: extractors that authenticate (a session cookie for pages, a bearer token for
//! the API) and that demand a role. A handler names the one it needs in its signature, so an
//! unguarded handler stands out in review; the role checks themselves are `upward_app::policy`.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use upward_app::AppError;
use upward_app::policy::{Admin, Manager};
use upward_domain::User;

use crate::{ApiError, AppState, PageError};

pub const SESSION_COOKIE: &str = "upward_session";

async fn session_user(parts: &Parts, state: &AppState) -> Result<Option<User>, AppError> {
    let jar = CookieJar::from_headers(&parts.headers);
    match jar.get(SESSION_COOKIE) {
        Some(cookie) => state.app.session_user(cookie.value()).await,
        None => Ok(None),
    }
}

async fn bearer_user(parts: &Parts, state: &AppState) -> Result<User, ApiError> {
    let header = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let token = header
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty());
    let Some(token) = token else {
        return Err(ApiError(AppError::Unauthenticated));
    };
    state
        .app
        .api_token_user(token)
        .await?
        .ok_or(ApiError(AppError::Unauthenticated))
}

/// A signed-in person on a page; anyone else is sent to the log-in page and brought back after.
pub struct SignedIn(pub User);

/// The signed-in person if there is one, for pages everyone may see.
pub struct MaybeSignedIn(pub Option<User>);

/// A programme manager or admin on a page.
pub struct ManagerPage(pub Manager);

/// An admin on a page.
pub struct AdminPage(pub Admin);

/// An API caller with a valid bearer token.
pub struct ApiUser(pub User);

/// An API caller who is a programme manager or admin.
pub struct ApiManager(pub Manager);

/// An API caller who is an admin.
pub struct ApiAdmin(pub Admin);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = PageError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(session_user(parts, state).await?))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match session_user(parts, state).await {
            Ok(Some(user)) => Ok(Self(user)),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(error) => Err(PageError(error).into_response()),
        }
    }
}

/// A page extractor that demands a role: signed in first, then the policy's check.
macro_rules! page_role {
    ($extractor:ident, $proof:ident) => {
        impl FromRequestParts<AppState> for $extractor {
            type Rejection = Response;
            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                let SignedIn(user) = SignedIn::from_request_parts(parts, state).await?;
                $proof::check(&user)
                    .map(Self)
                    .map_err(|e| PageError(e).into_response())
            }
        }
    };
}

page_role!(ManagerPage, Manager);
page_role!(AdminPage, Admin);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        bearer_user(parts, state).await.map(Self)
    }
}

/// An API extractor that demands a role: a valid token first, then the policy's check.
macro_rules! api_role {
    ($extractor:ident, $proof:ident) => {
        impl FromRequestParts<AppState> for $extractor {
            type Rejection = ApiError;
            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, Self::Rejection> {
                Ok(Self($proof::check(&bearer_user(parts, state).await?)?))
            }
        }
    };
}

api_role!(ApiManager, Manager);
api_role!(ApiAdmin, Admin);

/// The browser session's cookie, set once someone has proved who they are.
pub fn session_cookie(state: &AppState, token: String) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, token))
        .path("/")
        .http_only(true)
        .secure(state.app.settings.secure_cookies)
        .same_site(SameSite::Lax)
        .build()
}

/// Where a request comes from, for rate limits: the peer's IP address (a proxy in front of
/// Upward makes every request look alike, which only makes the per-client limit stricter).
pub struct ClientAddress(pub String);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string());
        Ok(Self(peer.unwrap_or_else(|| "unknown".into())))
    }
}

/// Percent-encodes a path for a query parameter (the characters a path can hold that a query
/// value cannot).
pub fn urlencode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(byte as char)
            }
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// Only local paths are followed after log-in, so a crafted link cannot send someone away.
pub fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path) if path.starts_with('/') && !path.starts_with("//") && !path.contains('\\') => {
            path
        }
        _ => "/",
    }
}

//! Single sign-on pages: off to the organisation's OpenID provider, and back with a session.

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use upward_app::AppError;
use upward_app::sso::CALLBACK_PATH;

use crate::AppState;
use crate::auth::{safe_next, session_cookie};
use crate::error::PageError;
use crate::routes::table::{Audience, Routes};

/// Holds what the callback must match (state, nonce, PKCE verifier) and where to go after.
const PENDING_COOKIE: &str = "upward_sso";
const NEXT_COOKIE: &str = "upward_sso_next";

pub fn routes() -> Routes {
    Routes::new()
        .get("/sso/start", Audience::Anyone, start)
        .get(CALLBACK_PATH, Audience::Anyone, callback)
}

/// A browser-session cookie for one sign-in (its values work once). Lax, not Strict: the provider's redirect back is a cross-site navigation, and the cookie
/// must come with it.
fn short_lived(state: &AppState, name: &'static str, value: String) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/sso")
        .http_only(true)
        .secure(state.app.settings.secure_cookies)
        .same_site(SameSite::Lax)
        .build()
}

async fn start(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let begun = state.app.sso_start().await?;
    let next = safe_next(query.get("next").map(String::as_str)).to_owned();
    let jar = jar
        .add(short_lived(&state, PENDING_COOKIE, begun.pending))
        .add(short_lived(&state, NEXT_COOKIE, next));
    Ok((jar, Redirect::to(&begun.authorize_url)).into_response())
}

async fn callback(
    State(state): State<AppState>,
    jar: CookieJar,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if let Some(error) = query.get("error") {
        let said = query.get("error_description").unwrap_or(error);
        return Err(AppError::Forbidden(format!(
            "your organisation's sign-in stopped: {said}. Try again, or ask your admin"
        ))
        .into());
    }
    let (Some(code), Some(returned_state)) = (query.get("code"), query.get("state")) else {
        return Err(AppError::invalid("code", "this address is for your organisation's sign-in to send you back to; start from the sign-in page").into());
    };
    let pending = jar
        .get(PENDING_COOKIE)
        .map(|c| c.value().to_owned())
        .unwrap_or_default();
    let next = safe_next(jar.get(NEXT_COOKIE).map(|c| c.value())).to_owned();
    let user = state.app.sso_finish(code, returned_state, &pending).await?;
    let token = state.app.start_session(&user).await?;
    let jar = jar
        .remove(Cookie::build(PENDING_COOKIE).path("/sso"))
        .remove(Cookie::build(NEXT_COOKIE).path("/sso"))
        .add(session_cookie(&state, token));
    Ok((jar, Redirect::to(&next)).into_response())
}

//! The signed-in person's own page: their profile (time zone, location, preferred time of
//! day) and their password.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use upward_domain::{OwnProfile, PreferredTime, User};

use super::Layout;
use super::forms::FormState;
use crate::AppState;
use crate::auth::SignedIn;
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/account", Audience::SignedIn, account_page)
        .post("/account", Audience::SignedIn, change_password)
        .post("/account/profile", Audience::SignedIn, save_profile)
        .post("/account/tokens/{id}/revoke", Audience::Owner, revoke_token)
        .get("/account/data.json", Audience::SignedIn, download_data)
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    layout: Layout,
    /// `None` for an account outside the directory.
    profile: Option<OwnProfile>,
    profile_form: FormState,
    form: FormState,
    has_password: bool,
    zones: Vec<String>,
    times: [PreferredTime; 4],
    /// The person's API tokens (never the tokens themselves).
    tokens: Vec<upward_store::ApiToken>,
}

impl AccountPage {
    fn zone_selected(&self, zone: &str) -> bool {
        self.profile_form.value("time_zone") == zone
    }
}

async fn page(state: &AppState, user: &User, csrf: &CsrfToken) -> Result<AccountPage, PageError> {
    let profile = state.app.own_profile(user).await?;
    let mut values = HashMap::new();
    if let Some(profile) = &profile {
        values.insert(
            "time_zone".to_owned(),
            profile.time_zone.as_str().to_owned(),
        );
        values.insert(
            "location".to_owned(),
            profile.location.clone().unwrap_or_default(),
        );
        let preferred = profile.preferred_time.unwrap_or(PreferredTime::Any);
        values.insert("preferred_time".to_owned(), preferred.as_str().to_owned());
    }
    let mut zones: Vec<String> = jiff::tz::db()
        .available()
        .map(|name| name.to_string())
        .collect();
    zones.sort();
    Ok(AccountPage {
        layout: Layout::new("Your account", user, csrf, "account"),
        profile,
        profile_form: FormState::new(values),
        form: FormState::default(),
        has_password: state.app.has_password(user).await?,
        tokens: state.app.my_api_tokens(user).await?,
        zones,
        times: [
            PreferredTime::Morning,
            PreferredTime::Afternoon,
            PreferredTime::Evening,
            PreferredTime::Any,
        ],
    })
}

async fn account_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut page = page(&state, &user, &csrf).await?;
    page.layout.notice = super::done_notice(&query);
    Ok(render(&page))
}

async fn save_profile(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let saved = state
        .app
        .save_own_profile(
            &user,
            form.value("time_zone"),
            form.value("location"),
            form.value("preferred_time"),
        )
        .await;
    let mut page = page(&state, &user, &csrf).await?;
    match saved {
        Ok(_) => {
            page.layout.notice = Some(
                "Your profile is saved. Matching runs from now on use it, in every programme you are in."
                    .into(),
            );
            Ok(render(&page))
        }
        Err(error) => {
            form.absorb(error)?;
            page.profile_form = form;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
    }
}

async fn change_password(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    jar: axum_extra::extract::CookieJar,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    if form.value("new_password") != form.value("repeat_password") {
        form.add_error("repeat_password", "the two new passwords differ");
    } else if let Err(error) = state
        .app
        .change_own_password(
            &user,
            form.value("current_password"),
            form.value("new_password"),
        )
        .await
    {
        form.absorb(error)?;
    }
    if !form.has_errors() {
        // The new password ended every session; this browser carries on in a fresh one.
        let token = state.app.start_session(&user).await?;
        let jar = jar.add(crate::auth::session_cookie(&state, token));
        return Ok((jar, Redirect::to("/account?done=password")).into_response());
    }
    form.values.retain(|key, _| key == "csrf");
    let mut page = page(&state, &user, &csrf).await?;
    page.form = form;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}

async fn revoke_token(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    state.app.revoke_my_api_token(&user, &id).await?;
    let mut page = page(&state, &user, &csrf).await?;
    page.layout.notice =
        Some("The API token is revoked: programs using it are refused from now on.".into());
    Ok(render(&page))
}

/// Everything Upward holds about the signed-in person, as a JSON file to keep.
async fn download_data(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
) -> Result<Response, PageError> {
    let data = state.app.my_data(&user).await?;
    let json =
        serde_json::to_vec_pretty(&data).map_err(|e| upward_app::AppError::Internal(e.into()))?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/json".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"my-upward-data.json\"".to_owned(),
            ),
        ],
        json,
    )
        .into_response())
}

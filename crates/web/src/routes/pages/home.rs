//! Log-in, log-out, the home page of each role, and the account page.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::Cookie;
use upward_app::{AppError, MyPairing, PairingAction};
use upward_domain::{Enrolment, Phase};
use upward_store::ProgrammeSummary;

use super::Layout;
use super::forms::FormState;
use crate::AppState;
use crate::auth::{
    ClientAddress, MaybeSignedIn, SESSION_COOKIE, SignedIn, safe_next, session_cookie,
};
use crate::csrf::CsrfToken;
use crate::error::{PageError, capitalise, render, status_of};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/", Audience::SignedIn, home)
        .get("/login", Audience::Anyone, login_page)
        .post("/login", Audience::Anyone, log_in)
        .post("/logout", Audience::Anyone, log_out)
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    layout: Layout,
    form: FormState,
    next: String,
    message: Option<String>,
    /// Single sign-on is set up: offer it first.
    sso: bool,
    /// Only single sign-on: the password form is for admins, and no links are offered.
    sso_only: bool,
}

async fn login_page(
    State(state): State<AppState>,
    MaybeSignedIn(user): MaybeSignedIn,
    csrf: CsrfToken,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let next = safe_next(query.get("next").map(String::as_str)).to_owned();
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    let layout = Layout {
        csrf: csrf.0,
        ..Layout::bare("Log in")
    };
    render(&LoginPage {
        layout,
        form: FormState::default(),
        next,
        message: None,
        sso: state.app.settings.sso_enabled(),
        sso_only: state.app.settings.sso_only,
    })
}

async fn log_in(
    State(state): State<AppState>,
    jar: CookieJar,
    csrf: CsrfToken,
    ClientAddress(client): ClientAddress,
    Form(values): Form<HashMap<String, String>>,
) -> Response {
    let form = FormState::new(values);
    let next = safe_next(Some(form.value("next"))).to_owned();
    match state
        .app
        .log_in(form.value("email"), form.value("password"), &client)
        .await
    {
        Ok(user) => match state.app.start_session(&user).await {
            Ok(token) => {
                (jar.add(session_cookie(&state, token)), Redirect::to(&next)).into_response()
            }
            Err(error) => PageError(error).into_response(),
        },
        Err(error @ (AppError::Forbidden(_) | AppError::TooManyAttempts { .. })) => {
            let status = status_of(&error);
            let mut form = form;
            form.values.remove("password");
            let layout = Layout {
                csrf: csrf.0,
                ..Layout::bare("Log in")
            };
            let message = Some(format!("{}.", capitalise(&error.to_string())));
            (
                status,
                render(&LoginPage {
                    layout,
                    form,
                    next,
                    message,
                    sso: state.app.settings.sso_enabled(),
                    sso_only: state.app.settings.sso_only,
                }),
            )
                .into_response()
        }
        Err(error) => PageError(error).into_response(),
    }
}

async fn log_out(State(state): State<AppState>, jar: CookieJar) -> Result<Response, PageError> {
    if let Some(cookie) = jar.get(SESSION_COOKIE) {
        state.app.end_session(cookie.value()).await?;
    }
    Ok((
        jar.remove(Cookie::build(SESSION_COOKIE).path("/")),
        Redirect::to("/login"),
    )
        .into_response())
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    layout: Layout,
    open: Vec<ProgrammeSummary>,
    managed: Vec<ProgrammeSummary>,
    mine: Vec<(Enrolment, String)>,
    /// The user's own pairings with their programme's name, newest first.
    pairings: Vec<(MyPairing, String)>,
}

impl HomePage {
    /// The label of an action button.
    fn action_label(&self, action: &PairingAction) -> &'static str {
        match action {
            PairingAction::Accept => "Accept",
            PairingAction::Decline => "Decline",
            PairingAction::Confirm => "Confirm after the exploratory meeting",
            PairingAction::StepBack => "Step back",
            PairingAction::End => "End the pairing",
        }
    }

    /// Whether the action takes an optional reason for the programme manager.
    fn asks_reason(&self, action: &PairingAction) -> bool {
        matches!(
            action,
            PairingAction::Decline | PairingAction::StepBack | PairingAction::End
        )
    }
}

async fn home(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (programmes, enrolments) = state.app.programmes_and_my_enrolments(&user).await?;
    let name_of = |id| {
        programmes
            .iter()
            .find(|s| s.programme.id == id)
            .map(|s| s.programme.draft.name.clone())
            .unwrap_or_default()
    };
    let mine: Vec<(Enrolment, String)> = enrolments
        .into_iter()
        .map(|e| {
            let name = name_of(e.programme_id);
            (e, name)
        })
        .collect();
    let pairings = state
        .app
        .my_pairings(&user)
        .await?
        .into_iter()
        .map(|pairing| {
            let name = name_of(pairing.programme_id);
            (pairing, name)
        })
        .collect();
    let enrolled: Vec<_> = mine.iter().map(|(e, _)| e.programme_id).collect();
    let open = programmes
        .iter()
        .filter(|s| s.programme.phase.accepts_enrolment() && !enrolled.contains(&s.programme.id))
        .cloned()
        .collect();
    let managed = if user.role.manages_programmes() {
        programmes
            .into_iter()
            .filter(|s| s.programme.phase != Phase::Closed)
            .collect()
    } else {
        Vec::new()
    };
    let layout = Layout::new("Home", &user, &csrf, "home").with_notice(super::done_notice(&query));
    Ok(render(&HomePage {
        layout,
        open,
        managed,
        mine,
        pairings,
    }))
}

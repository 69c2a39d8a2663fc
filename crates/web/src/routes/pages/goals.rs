//! A pair's learning goals on pages: added on the pairing page, edited (progress, outcome) and
//! removed on their own page.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use upward_app::AppError;
use upward_app::goals::{GoalRequest, GoalView};
use upward_domain::{GoalId, GoalOutcome, PairingId};

use super::forms::FormState;
use super::meetings::{PairingForms, pairing_refused};
use super::{ConfirmPage, Layout, confirmed, refused};
use crate::AppState;
use crate::auth::SignedIn;
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post("/pairings/{id}/goals", Audience::Pair, add_goal)
        .get("/goals/{id}", Audience::Pair, goal_page)
        .post("/goals/{id}", Audience::Pair, save_goal)
        .post("/goals/{id}/remove", Audience::Pair, remove_goal)
}

/// A goal's fields from a form; empty ones left out of a new goal, kept blank in an edit.
fn request_of(form: &FormState) -> GoalRequest {
    let text = |name: &str| Some(form.value(name).to_owned());
    GoalRequest {
        what: text("what"),
        why: text("why"),
        by_when: text("by_when"),
        progress: None,
        outcome: text("outcome"),
    }
}

/// The progress field, or its problem noted on the form.
fn progress_of(form: &mut FormState) -> Option<u8> {
    let text = form.value("progress").trim().to_owned();
    if text.is_empty() {
        return None;
    }
    match text.parse::<u8>() {
        Ok(progress) => Some(progress),
        Err(_) => {
            form.add_error("progress", "progress is a whole number from 0 to 100");
            None
        }
    }
}

async fn add_goal(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let request = GoalRequest {
        progress: progress_of(&mut form),
        ..request_of(&form)
    };
    if !form.has_errors() {
        match state.app.add_goal(&user, PairingId(id), request).await {
            Ok(_) => {
                let done = format!("/pairings/{id}?done=goal-added#goals");
                return Ok(Redirect::to(&done).into_response());
            }
            // Ten goals already: said next to the form, with what to do.
            Err(AppError::Conflict(why)) => form.add_error("what", why),
            Err(error) => form.absorb(error)?,
        }
    }
    let forms = PairingForms {
        goal: form,
        ..PairingForms::default()
    };
    pairing_refused(&state, &user, &csrf, PairingId(id), forms).await
}

#[derive(Template)]
#[template(path = "goal.html")]
struct GoalPage {
    layout: Layout,
    goal: GoalView,
    pairing: PairingId,
    form: FormState,
    outcomes: [GoalOutcome; 3],
}

fn form_of(goal: &GoalView) -> FormState {
    let values = [
        ("what", goal.what.clone()),
        ("why", goal.why.clone()),
        ("by_when", goal.by_when.clone().unwrap_or_default()),
        ("progress", goal.progress.to_string()),
        (
            "outcome",
            goal.outcome
                .map(GoalOutcome::as_str)
                .unwrap_or("")
                .to_owned(),
        ),
    ];
    FormState::new(values.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

async fn goal_page(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let (goal, pairing) = state.app.my_goal(&user, GoalId(id)).await?;
    let form = form_of(&goal);
    Ok(render(&GoalPage {
        layout: Layout::new("A learning goal", &user, &csrf, "home"),
        goal,
        pairing,
        form,
        outcomes: GoalOutcome::ALL,
    }))
}

async fn save_goal(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    let request = GoalRequest {
        progress: progress_of(&mut form),
        ..request_of(&form)
    };
    if !form.has_errors() {
        match state.app.update_goal(&user, GoalId(id), request).await {
            Ok(_) => {
                let (_, pairing) = state.app.my_goal(&user, GoalId(id)).await?;
                return Ok(
                    Redirect::to(&format!("/pairings/{}?done=goal-saved#goals", pairing.0))
                        .into_response(),
                );
            }
            Err(error) => form.absorb(error)?,
        }
    }
    let (goal, pairing) = state.app.my_goal(&user, GoalId(id)).await?;
    let page = render(&GoalPage {
        layout: Layout::new("A learning goal", &user, &csrf, "home"),
        goal,
        pairing,
        form,
        outcomes: GoalOutcome::ALL,
    });
    refused(StatusCode::UNPROCESSABLE_ENTITY, Ok(page))
}

async fn remove_goal(
    State(state): State<AppState>,
    SignedIn(user): SignedIn,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let (goal, pairing) = state.app.my_goal(&user, GoalId(id)).await?;
    if !confirmed(&form) {
        return Ok(render(&ConfirmPage {
            layout: Layout::new("Remove a goal", &user, &csrf, "home"),
            heading: "Remove this goal?".into(),
            explanation: format!(
                "\u{201c}{}\u{201d} and its progress go for good. To close a goal instead, record its outcome.",
                goal.what
            ),
            action: format!("/goals/{id}/remove"),
            button: "Remove".into(),
            cancel: format!("/goals/{id}"),
            fields: vec![],
            danger: true,
        }));
    }
    state.app.remove_goal(&user, GoalId(id)).await?;
    Ok(Redirect::to(&format!("/pairings/{}?done=goal-removed#goals", pairing.0)).into_response())
}

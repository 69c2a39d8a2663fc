//! Adding and removing a programme's co-managers from its page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use upward_app::policy::Manager;
use upward_domain::{ProgrammeId, User, UserId};

use super::{ConfirmPage, Layout, confirmed};
use crate::AppState;
use crate::auth::ManagerPage;
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/programmes/{id}/managers",
            Audience::ProgrammeManagers,
            add,
        )
        .post(
            "/programmes/{id}/managers/{user}/remove",
            Audience::ProgrammeManagers,
            remove,
        )
}

async fn add(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Redirect, PageError> {
    let email = values.get("email").map_or("", String::as_str);
    let added = state
        .app
        .add_programme_manager(&manager, ProgrammeId(id), email)
        .await?;
    Ok(Redirect::to(&format!(
        "/programmes/{id}?manager_added={}#managers",
        added.id.0
    )))
}

async fn remove(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path((id, user)): Path<(i64, i64)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let programme = ProgrammeId(id);
    if !confirmed(&form) {
        let managers = state.app.programme_managers(&manager, programme).await?;
        if let Some(leaving) = managers.iter().find(|m| m.id == UserId(user)) {
            let page = confirm_removal(&manager, &csrf, programme, leaving);
            return Ok(render(&page));
        }
    }
    state
        .app
        .remove_programme_manager(&manager, programme, UserId(user))
        .await?;
    // Someone who stopped managing a programme may no longer see it: say so on the list.
    let to = if state.app.runs_programme(manager.user(), programme).await? {
        format!("/programmes/{id}?manager_removed={user}#managers")
    } else {
        format!("/programmes?stopped_managing={id}")
    };
    Ok(Redirect::to(&to).into_response())
}

/// Asks before a manager is removed: whoever leaves stops seeing the programme's people, and
/// someone who removes themselves cannot add themselves back.
fn confirm_removal(
    manager: &Manager,
    csrf: &CsrfToken,
    programme: ProgrammeId,
    leaving: &User,
) -> ConfirmPage {
    let themselves = leaving.id == manager.user().id;
    let (heading, explanation, button) = if themselves {
        (
            "Stop managing this programme?".to_owned(),
            "You will no longer see its enrolments, matching or pairings. Only another of its managers, or an admin, can add you back.".to_owned(),
            "Stop managing",
        )
    } else {
        (
            format!("Remove {} as a manager?", leaving.name),
            format!(
                "{} will no longer see this programme's enrolments, matching or pairings. You can add them back later.",
                leaving.name
            ),
            "Remove",
        )
    };
    ConfirmPage {
        layout: Layout::new(heading.clone(), manager.user(), csrf, "programmes"),
        heading,
        explanation,
        action: format!(
            "/programmes/{}/managers/{}/remove",
            programme.0, leaving.id.0
        ),
        button: button.into(),
        cancel: format!("/programmes/{}#managers", programme.0),
        fields: vec![],
        danger: true,
    }
}

/// The confirmation of an addition, named by the redirect (`?manager_added=ID`). A removal
/// names someone no longer listed, so it is said without a name.
pub fn notice(managers: &[User], query: &HashMap<String, String>) -> Option<String> {
    if let Some(id) = query.get("manager_added").and_then(|v| v.parse().ok()) {
        let added = managers.iter().find(|m| m.id == UserId(id))?;
        return Some(format!("{} now manages this programme too.", added.name));
    }
    query
        .contains_key("manager_removed")
        .then(|| "The manager was removed; they no longer see this programme's enrolments, matching or pairings.".to_owned())
}

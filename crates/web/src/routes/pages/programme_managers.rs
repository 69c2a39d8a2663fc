//! Adding and removing a programme's co-managers from its page.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Redirect;
use upward_domain::{ProgrammeId, User, UserId};

use crate::AppState;
use crate::auth::ManagerPage;
use crate::error::PageError;
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
    Path((id, user)): Path<(i64, i64)>,
) -> Result<Redirect, PageError> {
    let programme = ProgrammeId(id);
    state
        .app
        .remove_programme_manager(&manager, programme, UserId(user))
        .await?;
    // Someone who stopped managing a programme may no longer see it: say so on the list.
    if state.app.runs_programme(manager.user(), programme).await? {
        Ok(Redirect::to(&format!(
            "/programmes/{id}?manager_removed={user}#managers"
        )))
    } else {
        Ok(Redirect::to(&format!("/programmes?stopped_managing={id}")))
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

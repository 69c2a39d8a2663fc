//! The agreement pairs sign, as a programme's managers edit it: the current text as pairs read
//! it, and a new version saved from Markdown. (Pairs sign it on their pairing page.)

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use upward_domain::{AgreementText, ProgrammeId};

use super::forms::FormState;
use super::{Layout, refused};
use crate::AppState;
use crate::auth::ManagerPage;
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get(
            "/programmes/{id}/agreement",
            Audience::ProgrammeManagers,
            agreement_page,
        )
        .post(
            "/programmes/{id}/agreement",
            Audience::ProgrammeManagers,
            save_agreement,
        )
}

#[derive(Template)]
#[template(path = "agreement_form.html")]
struct AgreementPage {
    layout: Layout,
    programme: ProgrammeId,
    programme_name: String,
    current: AgreementText,
    /// The current text as HTML, to see it as pairs will.
    preview: String,
    form: FormState,
}

async fn agreement_page(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
) -> Result<Response, PageError> {
    let current = state
        .app
        .programme_agreement(&manager, ProgrammeId(id))
        .await?;
    let form = FormState::new(HashMap::from([("body".to_owned(), current.body.clone())]));
    agreement_form(&state, &manager, &csrf, ProgrammeId(id), current, form).await
}

async fn agreement_form(
    state: &AppState,
    manager: &upward_app::policy::Manager,
    csrf: &CsrfToken,
    id: ProgrammeId,
    current: AgreementText,
    form: FormState,
) -> Result<Response, PageError> {
    let programme_name = state
        .app
        .programme(manager.user(), id)
        .await?
        .programme
        .draft
        .name;
    Ok(render(&AgreementPage {
        layout: Layout::new("The agreement", manager.user(), csrf, "programmes"),
        programme: id,
        programme_name,
        preview: crate::format::markdown(&current.body),
        current,
        form,
    }))
}

async fn save_agreement(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    match state
        .app
        .edit_agreement(&manager, ProgrammeId(id), form.value("body"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/programmes/{id}?done=agreement")).into_response()),
        Err(error) => {
            form.absorb(error)?;
            let current = state
                .app
                .programme_agreement(&manager, ProgrammeId(id))
                .await?;
            let page =
                agreement_form(&state, &manager, &csrf, ProgrammeId(id), current, form).await;
            refused(StatusCode::UNPROCESSABLE_ENTITY, page)
        }
    }
}

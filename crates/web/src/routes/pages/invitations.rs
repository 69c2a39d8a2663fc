//! Inviting people to a programme from its page: the manager says whom, sees how many people
//! that is, confirms, and sees what was sent.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use upward_app::access::{AudienceRequest, InvitationOutcome};
use upward_app::{AppError, AppResult};
use upward_domain::ProgrammeId;

use super::Layout;
use super::forms::FormState;
use crate::AppState;
use crate::auth::ManagerPage;
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .post(
            "/programmes/{id}/invitations",
            Audience::ProgrammeManagers,
            invite,
        )
        // Only sends the browser on to the programme's page, which has its own guard.
        .get(
            "/programmes/{id}/invitations",
            Audience::Anyone,
            back_to_programme,
        )
}

/// The form posts here; a reload of the result's address goes back to the programme.
async fn back_to_programme(Path(id): Path<i64>) -> Redirect {
    Redirect::to(&format!("/programmes/{id}#invitations"))
}

#[derive(Template)]
#[template(path = "invitations_confirm.html")]
struct ConfirmPage {
    layout: Layout,
    form: FormState,
    programme: ProgrammeId,
    programme_name: String,
    reached: u64,
    not_in_directory: Vec<String>,
}

#[derive(Template)]
#[template(path = "invitations_sent.html")]
struct SentPage {
    layout: Layout,
    programme: ProgrammeId,
    outcome: InvitationOutcome,
}

#[derive(Template)]
#[template(path = "invitations_form.html")]
struct FormPage {
    layout: Layout,
    form: FormState,
    programme: ProgrammeId,
}

/// Reads the form's choice of audience; a level that is not a number is named under its field.
fn audience_request(form: &FormState) -> AppResult<AudienceRequest> {
    let level = |field: &'static str| -> AppResult<Option<i64>> {
        match form.value(field).trim() {
            "" => Ok(None),
            text => text
                .parse()
                .map(Some)
                .map_err(|_| AppError::invalid(field, format!("'{text}' is not a whole number"))),
        }
    };
    Ok(match form.value("kind") {
        "everyone" => AudienceRequest {
            everyone: true,
            ..AudienceRequest::default()
        },
        "emails" => AudienceRequest {
            emails: form.value("emails").to_owned(),
            ..AudienceRequest::default()
        },
        "filter" => AudienceRequest {
            department: Some(form.value("department").to_owned()),
            min_level: level("min_level")?,
            max_level: level("max_level")?,
            ..AudienceRequest::default()
        },
        _ => {
            return Err(AppError::invalid(
                "kind",
                "choose whom to invite: a department or levels, a list of addresses, or everyone",
            ));
        }
    })
}

async fn invite(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let programme = ProgrammeId(id);
    let mut form = FormState::new(values);
    let audience = audience_request(&form).and_then(|request| request.parse());
    let audience = match audience {
        Ok(audience) => audience,
        Err(error) => {
            form.absorb(error)?;
            let page = FormPage {
                layout: Layout::new("Invite people", manager.user(), &csrf, "programmes"),
                form,
                programme,
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response());
        }
    };
    if form.value("confirmed") != "yes" {
        let (programme_name, reached, not_in_directory) = state
            .app
            .invitation_preview(&manager, programme, &audience)
            .await?;
        return Ok(render(&ConfirmPage {
            layout: Layout::new("Send invitations?", manager.user(), &csrf, "programmes"),
            form,
            programme,
            programme_name,
            reached,
            not_in_directory,
        }));
    }
    let outcome = state.app.invite(&manager, programme, &audience).await?;
    Ok(render(&SentPage {
        layout: Layout::new("Invitations sent", manager.user(), &csrf, "programmes"),
        programme,
        outcome,
    }))
}

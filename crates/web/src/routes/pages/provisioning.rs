//! The admin's Provisioning page: SCIM tokens for an identity provider, made (and shown once)
//! and revoked after a confirmation.

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use upward_store::ScimToken;

use super::Layout;
use super::forms::FormState;
use crate::AppState;
use crate::auth::AdminPage;
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/provisioning", Audience::Admins, page)
        .post("/admin/provisioning", Audience::Admins, create)
        .post(
            "/admin/provisioning/tokens/{id}/revoke",
            Audience::Admins,
            revoke,
        )
}

#[derive(Template)]
#[template(path = "provisioning.html")]
struct ProvisioningPage {
    layout: Layout,
    tokens: Vec<ScimToken>,
    form: FormState,
    /// A token just made: shown this once.
    new_token: Option<String>,
    /// The token whose revocation waits for a confirmation.
    confirm_revoke: Option<ScimToken>,
    scim_url: String,
}

async fn provisioning_page(
    state: &AppState,
    admin: &upward_app::policy::Admin,
    csrf: &CsrfToken,
) -> Result<ProvisioningPage, PageError> {
    Ok(ProvisioningPage {
        layout: Layout::new("Provisioning", admin.user(), csrf, "provisioning"),
        tokens: state.app.scim_tokens(admin).await?,
        form: FormState::default(),
        new_token: None,
        confirm_revoke: None,
        scim_url: format!("{}/scim/v2", state.app.settings.base_url()),
    })
}

async fn page(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    csrf: CsrfToken,
    axum::extract::Query(query): axum::extract::Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut page = provisioning_page(&state, &admin, &csrf).await?;
    if let Some(id) = query.get("revoked") {
        page.layout.notice = Some(format!(
            "Token {id} is revoked: the identity provider using it is refused from now on."
        ));
    }
    Ok(render(&page))
}

async fn create(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    csrf: CsrfToken,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let label = values.get("label").cloned().unwrap_or_default();
    let mut form = FormState::new(values);
    let created = state.app.create_scim_token(&admin, &label).await;
    let mut page = provisioning_page(&state, &admin, &csrf).await?;
    match created {
        Ok(token) => page.new_token = Some(token),
        Err(error) => {
            form.absorb(error)?;
            page.form = form;
            return Ok(
                (axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response(),
            );
        }
    }
    Ok(render(&page))
}

/// The first press asks for a confirmation (revoking cannot be undone); the second revokes.
async fn revoke(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    csrf: CsrfToken,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    if values.get("confirm").map(String::as_str) == Some("yes") {
        state.app.revoke_scim_token(&admin, id).await?;
        return Ok(Redirect::to(&format!("/admin/provisioning?revoked={id}")).into_response());
    }
    let mut page = provisioning_page(&state, &admin, &csrf).await?;
    page.confirm_revoke = page.tokens.iter().find(|t| t.id == id).cloned();
    if page.confirm_revoke.is_none() {
        return Err(upward_app::AppError::NotFound(format!("token {id}")).into());
    }
    Ok(render(&page))
}

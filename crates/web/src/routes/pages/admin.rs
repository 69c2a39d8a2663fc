//! Admin pages: accounts and roles; the audit trail (managers and admins).

use std::collections::HashMap;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use upward_domain::{Role, User, UserId};
use upward_store::AuditEntry;

use super::Layout;
use super::forms::{FormState, Pager};
use crate::AppState;
use crate::auth::{AdminPage, ManagerPage, urlencode};
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/admin/accounts", Audience::Admins, accounts)
        .post("/admin/accounts", Audience::Admins, create_account)
        .post("/admin/accounts/{id}/role", Audience::Admins, set_role)
        .get("/audit", Audience::Managers, audit)
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    layout: Layout,
    accounts: Vec<User>,
    form: FormState,
    roles: [Role; 3],
    search: String,
    /// The role the list is narrowed to, if any (`admin`, `manager`, `participant`).
    role_filter: String,
    pager: Pager,
}

async fn accounts_page(
    state: &AppState,
    admin: &upward_app::policy::Admin,
    csrf: &CsrfToken,
    form: FormState,
    query: &HashMap<String, String>,
) -> Result<AccountsPage, PageError> {
    let search = query.get("search").cloned().unwrap_or_default();
    let role_filter = query.get("role").cloned().unwrap_or_default();
    let role = role_filter.parse::<Role>().ok();
    let mut page = Pager::requested(query);
    let (mut accounts, total) = state
        .app
        .accounts_page(admin, &search, role, Pager::offset(page), Pager::SIZE)
        .await?;
    if page > Pager::last_page(total) {
        // Asked beyond the end: show the last page, labelled as such.
        page = Pager::last_page(total);
        accounts = state
            .app
            .accounts_page(admin, &search, role, Pager::offset(page), Pager::SIZE)
            .await?
            .0;
    }
    let base = format!(
        "/admin/accounts?search={}&role={}&",
        urlencode(&search),
        urlencode(&role_filter)
    );
    Ok(AccountsPage {
        layout: Layout::new("Accounts", admin.user(), csrf, "accounts"),
        accounts,
        form,
        roles: Role::ALL,
        search,
        role_filter,
        pager: Pager::new(page, total, base),
    })
}

/// The account a redirect after a change names (`?created=ID` or `?changed=ID`), for its
/// confirmation.
async fn notice(
    state: &AppState,
    admin: &upward_app::policy::Admin,
    query: &HashMap<String, String>,
) -> Option<String> {
    let named = async |key: &str| {
        let id: i64 = query.get(key)?.parse().ok()?;
        state.app.account(admin, UserId(id)).await.ok()
    };
    if let Some(account) = named("created").await {
        return Some(format!(
            "Created the account of {} ({}) as {}. They can sign in with a link by email, or with the password you set.",
            account.name,
            account.email,
            account.role.label().to_lowercase()
        ));
    }
    named("changed").await.map(|account| {
        format!(
            "{} ({}) is now {}.",
            account.name,
            account.email,
            account.role.label().to_lowercase()
        )
    })
}

async fn accounts(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    csrf: CsrfToken,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    // A new account is a participant unless the admin says otherwise.
    let blank = FormState::new(HashMap::from([(
        "role".to_owned(),
        "participant".to_owned(),
    )]));
    let mut page = accounts_page(&state, &admin, &csrf, blank, &query).await?;
    page.layout.notice = notice(&state, &admin, &query).await;
    Ok(render(&page))
}

async fn create_account(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    csrf: CsrfToken,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut form = FormState::new(values);
    match form.value("role").parse::<Role>() {
        Err(error) => form.add_error("role", error.0),
        Ok(role) => {
            let created = state
                .app
                .create_account(
                    &admin,
                    form.value("email"),
                    form.value("name"),
                    role,
                    form.value("password"),
                )
                .await;
            match created {
                Ok(user) => {
                    let to = format!("/admin/accounts?created={}", user.id.0);
                    return Ok(Redirect::to(&to).into_response());
                }
                Err(upward_app::AppError::Conflict(message)) => form.add_error("email", message),
                Err(error) => form.absorb(error)?,
            }
        }
    }
    form.values.remove("password");
    Ok((
        StatusCode::UNPROCESSABLE_ENTITY,
        render(&accounts_page(&state, &admin, &csrf, form, &HashMap::new()).await?),
    )
        .into_response())
}

async fn set_role(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    Path(id): Path<i64>,
    Form(values): Form<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let role = values
        .get("role")
        .map(String::as_str)
        .unwrap_or("")
        .parse::<Role>()
        .map_err(|e| upward_app::AppError::invalid("role", e.0))?;
    let user = state.app.set_role(&admin, UserId(id), role).await?;
    Ok(Redirect::to(&format!("/admin/accounts?changed={}", user.id.0)).into_response())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    layout: Layout,
    entries: Vec<AuditEntry>,
    pager: Pager,
}

async fn audit(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let mut page = Pager::requested(&query);
    let (mut entries, total) = state
        .app
        .audit_page(&manager, Pager::offset(page), Pager::SIZE)
        .await?;
    if page > Pager::last_page(total) {
        page = Pager::last_page(total);
        entries = state
            .app
            .audit_page(&manager, Pager::offset(page), Pager::SIZE)
            .await?
            .0;
    }
    Ok(render(&AuditPage {
        layout: Layout::new("Audit trail", manager.user(), &csrf, "audit"),
        entries,
        pager: Pager::new(page, total, "/audit?".into()),
    }))
}

//! The directory pages: browse and search, import, export.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::response::{IntoResponse, Response};
use upward_app::import::PEOPLE_COLUMNS;
use upward_domain::Person;

use super::Layout;
use super::forms::{ImportOutcome, uploaded_file};
use crate::AppState;
use crate::auth::{AdminPage, ManagerPage, urlencode};
use crate::csrf::CsrfToken;
use crate::error::{PageError, render};
use crate::routes::table::{Audience, Routes};

pub fn routes() -> Routes {
    Routes::new()
        .get("/people", Audience::Managers, directory)
        .get("/people/import", Audience::Admins, import_form)
        .upload("/people/import", Audience::Admins, import)
        .get("/people/export.csv", Audience::Admins, export)
}

#[derive(Template)]
#[template(path = "people.html")]
struct DirectoryPage {
    layout: Layout,
    people: Vec<Person>,
    total: i64,
    search: String,
    page: i64,
    pages: i64,
}

impl DirectoryPage {
    fn link(&self, page: i64) -> String {
        format!("/people?search={}&page={page}", urlencode(&self.search))
    }
}

async fn directory(
    State(state): State<AppState>,
    ManagerPage(manager): ManagerPage,
    csrf: CsrfToken,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, PageError> {
    let search = query.get("search").cloned().unwrap_or_default();
    let mut page = super::forms::Pager::requested(&query);
    let mut found = state.app.people_page(&manager, &search, page).await?;
    let size = upward_app::people::PEOPLE_PAGE_SIZE;
    let pages = ((found.total + size - 1) / size).max(1);
    if page > pages {
        // Asked beyond the end: show the last page, labelled as such.
        page = pages;
        found = state.app.people_page(&manager, &search, page).await?;
    }
    let layout = Layout::new("People", manager.user(), &csrf, "people");
    Ok(render(&DirectoryPage {
        layout,
        people: found.people,
        total: found.total,
        search,
        page,
        pages,
    }))
}

#[derive(Template)]
#[template(path = "people_import.html")]
struct ImportPage {
    layout: Layout,
    columns: &'static [&'static str],
    import_action: &'static str,
    outcome: ImportOutcome,
}

fn import_page(layout: Layout) -> ImportPage {
    ImportPage {
        layout,
        columns: &PEOPLE_COLUMNS,
        import_action: "/people/import",
        outcome: ImportOutcome::default(),
    }
}

async fn import_form(AdminPage(admin): AdminPage, csrf: CsrfToken) -> Response {
    render(&import_page(Layout::new(
        "Import people",
        admin.user(),
        &csrf,
        "people",
    )))
}

async fn import(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
    csrf: CsrfToken,
    multipart: Multipart,
) -> Result<Response, PageError> {
    let result = match uploaded_file(multipart, "file").await {
        Ok(bytes) => state.app.import_people(&admin, &bytes).await,
        Err(error) => Err(error),
    };
    let (status, outcome) = ImportOutcome::of(result)?;
    let mut page = import_page(Layout::new("Import people", admin.user(), &csrf, "people"));
    page.outcome = outcome;
    Ok((status, render(&page)).into_response())
}

async fn export(
    State(state): State<AppState>,
    AdminPage(admin): AdminPage,
) -> Result<Response, PageError> {
    let csv = state.app.export_people(&admin).await?;
    Ok(super::csv_download("people.csv", csv))
}

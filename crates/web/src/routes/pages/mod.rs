//! The HTML pages: one layout with navigation for each role, forms that work without
//! JavaScript and show each error next to its field.

mod access;
mod account;
mod admin;
mod agreements;
pub mod enrolment;
mod forms;
mod goals;
mod home;
mod invitations;
mod matching;
mod meetings;
mod people;
mod programme_managers;
mod programmes;
mod provisioning;
mod sso;

pub use enrolment::MAX_UPLOAD_BYTES;
use upward_domain::{Role, User, UserId};

use crate::routes::table::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(home::routes())
        .merge(access::routes())
        .merge(account::routes())
        .merge(programmes::routes())
        .merge(invitations::routes())
        .merge(programme_managers::routes())
        .merge(enrolment::routes())
        .merge(people::routes())
        .merge(admin::routes())
        .merge(provisioning::routes())
        .merge(sso::routes())
        .merge(matching::routes())
        .merge(meetings::routes())
        .merge(goals::routes())
        .merge(agreements::routes())
}

/// The question asked before anything that cannot be undone: the form posts again with
/// `confirm=yes` and the same fields.
#[derive(askama::Template)]
#[template(path = "confirm.html")]
pub struct ConfirmPage {
    pub layout: Layout,
    pub heading: String,
    pub explanation: String,
    pub action: String,
    pub button: String,
    pub cancel: String,
    pub fields: Vec<(String, String)>,
    pub danger: bool,
}

/// What a change that redirected here did, named by `?done=…` in the address (a fixed word,
/// never text from the request, so nothing can be injected into the page).
pub fn done_notice(query: &std::collections::HashMap<String, String>) -> Option<String> {
    let sentence = match query.get("done")?.as_str() {
        "created" => {
            "The programme is created, as a draft: only its managers see it until it moves to its pilot or enrolling phase."
        }
        "updated" => "The programme's design is saved.",
        "phase" => "The programme moved to its new phase.",
        "cloned" => {
            "This is a copy of the programme, as a new draft: change what the roll-out needs and save."
        }
        "enrolled" => "You are enrolled. You can change your answers while enrolment is open.",
        "withdrawn" => {
            "You have withdrawn from this programme. You can enrol again while enrolment is open."
        }
        "pinned" => "The pair is pinned: every later run proposes them together.",
        "forbidden" => "The pair is forbidden: no later run proposes them together.",
        "cleared" => "The pin or forbid is removed: later runs decide about the pair on their own.",
        "paired" => "The pair is put together by hand in this proposal.",
        "published" => "The run is published: everyone in it has been mailed and asked to answer.",
        "accept" => "You accepted. You will hear by email when your partner has answered.",
        "confirm" => "You confirmed the pairing. You will hear by email when it is active.",
        "decline" => "You declined the pairing. Nobody is told who declined.",
        "step_back" => "You stepped back from the pairing, with no penalty.",
        "end" => "The pairing has ended. Thank you for taking part.",
        "agreement" => {
            "The agreement is saved as a new version: pairs sign it from now on, and earlier signatures keep the version they signed."
        }
        "password" => {
            "Your password is saved. Your sessions elsewhere, and your API tokens, have ended."
        }
        _ => return None,
    };
    Some(sentence.to_owned())
}

/// A CSV file to download.
pub fn csv_download(filename: &str, csv: Vec<u8>) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv,
    )
        .into_response()
}

/// A page shown again because what was sent was refused: `status` (422 for a field's problem,
/// 409 for an action the rules refuse now) with the same page.
pub fn refused(
    status: axum::http::StatusCode,
    page: Result<axum::response::Response, crate::error::PageError>,
) -> Result<axum::response::Response, crate::error::PageError> {
    use axum::response::IntoResponse;
    page.map(|page| (status, page).into_response())
}

/// Whether the form is the answer to a [`ConfirmPage`].
pub fn confirmed(form: &std::collections::HashMap<String, String>) -> bool {
    form.get("confirm").map(String::as_str) == Some("yes")
}

/// What every page needs for its frame: title, who is signed in, the form token, and which
/// navigation entry is current.
pub struct Layout {
    pub title: String,
    pub user: Option<User>,
    pub csrf: String,
    pub section: &'static str,
    /// Reload the page after this many seconds (a run in progress; no JavaScript needed).
    pub refresh_seconds: Option<u8>,
    /// What the action that led here did, shown at the top of the page.
    pub notice: Option<String>,
}

impl Layout {
    pub fn new(
        title: impl Into<String>,
        user: &User,
        csrf: &crate::csrf::CsrfToken,
        section: &'static str,
    ) -> Self {
        Self {
            title: title.into(),
            user: Some(user.clone()),
            csrf: csrf.0.clone(),
            section,
            refresh_seconds: None,
            notice: None,
        }
    }

    pub fn with_notice(mut self, notice: Option<String>) -> Self {
        self.notice = notice;
        self
    }

    /// For pages shown without a signed-in frame (log-in, errors).
    pub fn bare(title: impl Into<String>) -> Self {
        Self {
            title: title.into(),
            user: None,
            csrf: String::new(),
            section: "",
            refresh_seconds: None,
            notice: None,
        }
    }

    pub fn is_manager(&self) -> bool {
        self.user
            .as_ref()
            .is_some_and(|u| u.role.manages_programmes())
    }

    /// The signed-in account's id (none on bare pages).
    pub fn user_id(&self) -> UserId {
        self.user.as_ref().map_or(UserId(0), |u| u.id)
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.role == Role::Admin)
    }

    /// `aria-current` for the navigation entry of this page.
    pub fn current(&self, section: &str) -> &'static str {
        if self.section == section {
            "page"
        } else {
            "false"
        }
    }
}

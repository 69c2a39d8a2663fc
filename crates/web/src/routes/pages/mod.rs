//! The HTML pages: one layout with navigation for each role, forms that work without
//! JavaScript and show each error next to its field.

mod access;
mod account;
mod admin;
pub mod enrolment;
mod forms;
mod home;
mod invitations;
mod matching;
mod people;
mod programme_managers;
mod programmes;
mod provisioning;
mod sso;

use axum::Router;
pub use enrolment::MAX_UPLOAD_BYTES;
use upward_domain::{Role, User, UserId};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(access::router())
        .merge(account::router())
        .merge(programmes::router())
        .merge(invitations::router())
        .merge(programme_managers::router())
        .merge(enrolment::router())
        .merge(people::router())
        .merge(admin::router())
        .merge(provisioning::router())
        .merge(sso::router())
        .merge(matching::router())
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

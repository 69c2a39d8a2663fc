//! Upward's use cases: what people do with the product (log in, import the directory, design
//! programmes, enrol), combining the domain rules with the store. Every use case that needs a
//! role takes the proof of it from `policy`.
#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod auth;
pub mod demo;
mod enrolment;
mod error;
pub mod import;
pub mod mail;
mod matching;
mod pairings;
pub mod people;
pub mod policy;
mod programmes;
pub mod settings;
pub mod upkeep;

use std::sync::Arc;

pub use error::{AppError, AppResult};
pub use matching::{PairView, RunView, UnmatchedView};
pub use pairings::{MyPairing, PairingAction};
pub use programmes::ProgrammeView;
pub use settings::Settings;
use upward_store::Store;

/// The application: the store plus settings, cheap to clone and shared by every request.
#[derive(Clone)]
pub struct App {
    pub store: Arc<dyn Store>,
    pub settings: Arc<Settings>,
    /// A real hash to verify against when an account does not exist (see `log_in`).
    dummy_hash: Arc<str>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> AppResult<Self> {
        let dummy_hash = auth::hash_password("not a real password")?.into();
        Ok(Self {
            store,
            settings: Arc::new(settings),
            dummy_hash,
        })
    }

    /// Records a change by a manager or admin in the audit trail.
    pub(crate) async fn audit(
        &self,
        actor: &upward_domain::User,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> AppResult<()> {
        Ok(self
            .store
            .record_audit(actor.email.as_str(), action, subject, detail)
            .await?)
    }

    pub fn current_year() -> i16 {
        jiff::Zoned::now().year()
    }
}

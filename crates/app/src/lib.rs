//! Upward's use cases: what people do with the product (log in, import the directory, design
//! programmes, enrol), combining the domain rules with the store. Every use case that needs a
//! role takes the proof of it from `policy`.
#![forbid(unsafe_code)]

pub mod access;
pub mod accounts;
pub mod agreements;
pub mod auth;
mod calendar;
pub mod demo;
mod engagement;
mod enrolment;
mod error;
pub mod follow_up;
pub mod goals;
pub mod import;
pub mod mail;
mod matching;
pub mod meetings;
pub mod pairings;
pub mod people;
pub mod personal_data;
pub mod policy;
pub mod profile;
mod programme_managers;
mod programmes;
pub mod provisioning;
pub mod schedule;
pub mod settings;
pub mod sso;
pub mod upkeep;

use std::sync::Arc;

pub use engagement::ManagedPairing;
pub use error::{AppError, AppResult};
pub use matching::{PairRuleView, PairView, RunView, UnmatchedView};
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
    /// The single sign-on provider, once discovered.
    sso: Arc<tokio::sync::OnceCell<sso::Provider>>,
}

impl App {
    pub fn new(store: Arc<dyn Store>, settings: Settings) -> AppResult<Self> {
        let dummy_hash = auth::hash_password("not a real password")?.into();
        Ok(Self {
            store,
            settings: Arc::new(settings),
            dummy_hash,
            sso: Arc::default(),
        })
    }

    /// Records a change to the organisation (accounts, directory) in the audit trail: admins
    /// read it.
    pub(crate) async fn audit(
        &self,
        actor: &upward_domain::User,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> AppResult<()> {
        self.record_audit(actor, action, subject, detail, None)
            .await
    }

    /// Records a change to a programme in the audit trail: its managers read it too.
    pub(crate) async fn audit_programme(
        &self,
        actor: &upward_domain::User,
        action: &str,
        programme: upward_domain::ProgrammeId,
        detail: &str,
    ) -> AppResult<()> {
        let subject = format!("programme {}", programme.0);
        self.record_audit(actor, action, &subject, detail, Some(programme))
            .await
    }

    async fn record_audit(
        &self,
        actor: &upward_domain::User,
        action: &str,
        subject: &str,
        detail: &str,
        programme: Option<upward_domain::ProgrammeId>,
    ) -> AppResult<()> {
        let entry = upward_store::NewAuditEntry {
            actor: actor.email.as_str(),
            action,
            subject,
            detail,
            programme,
        };
        Ok(self.store.record_audit(&entry).await?)
    }

    pub fn current_year() -> i16 {
        jiff::Zoned::now().year()
    }
}

//! People's rights over their own data: everything Upward holds about someone, for them to
//! download.

use serde::Serialize;
use upward_domain::{Enrolment, OwnProfile, Person, User};
use upward_store::ApiToken;

use crate::pairings::MyPairing;
use crate::{App, AppResult};

/// Everything Upward holds about one person, as they may download it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MyData {
    #[schema(value_type = String)]
    pub exported_at: jiff::Timestamp,
    pub account: User,
    /// Their directory record, sensitive fields included (it is their own).
    pub directory: Option<Person>,
    pub profile: Option<OwnProfile>,
    pub enrolments: Vec<Enrolment>,
    /// Their pairings as they see them (never the other side's answers or reasons).
    pub pairings: Vec<MyPairing>,
    pub api_tokens: Vec<ApiToken>,
}

impl App {
    /// Everything Upward holds about the user, for them alone.
    pub async fn my_data(&self, user: &User) -> AppResult<MyData> {
        let key = user.email.key();
        Ok(MyData {
            exported_at: jiff::Timestamp::now(),
            account: user.clone(),
            directory: self.store.person(&key).await?,
            profile: self.store.own_profile(&key).await?,
            enrolments: self.store.person_enrolments(&key).await?,
            pairings: self.my_pairings(user).await?,
            api_tokens: self.store.api_tokens(user.id).await?,
        })
    }
}

impl App {
    /// Erases a person (their right to erasure): see the store's `erase_person` for what goes
    /// and what stays. Recorded in the audit trail without saying who.
    pub async fn erase_person(
        &self,
        admin: &crate::policy::Admin,
        email: &str,
    ) -> AppResult<String> {
        let email = App::parse_email("email", email)?;
        let erased = self.store.erase_person(&email.key()).await?;
        self.audit(
            admin.user(),
            "person.erase",
            &erased,
            "a person was erased at their request",
        )
        .await?;
        Ok(erased)
    }
}

//! Provisioning by an identity provider over SCIM 2.0: its tokens (made and revoked by admins)
//! and the use cases behind `/scim/v2/Users`. The wire format lives in the web layer; here are
//! the rules: who the manager is, no reporting loops, deactivation keeps history.

use jiff::Timestamp;
use upward_domain::{Email, JobLevel, Person, PersonId, TimeZoneName};
use upward_store::{NewAuditEntry, ScimToken, ScimUser, ScimWrite};

use crate::auth::{new_token, token_hash};
use crate::policy::Admin;
use crate::{App, AppError, AppResult};

/// Proof that a request carries a live SCIM token; only [`App::scim_client`] makes one.
#[derive(Debug, Clone)]
pub struct ScimClient(());

/// A user as an identity provider describes them, already read from the wire format.
#[derive(Debug, Clone)]
pub struct ProvisionedUser {
    pub user_name: String,
    pub email: Email,
    pub name: String,
    pub job_level: JobLevel,
    pub time_zone: TimeZoneName,
    pub department: Option<String>,
    pub location: Option<String>,
    /// The manager's SCIM id.
    pub manager: Option<String>,
    pub active: bool,
    /// The resource as sent (JSON), returned as it was written.
    pub attributes: String,
}

/// The largest page of users one request returns.
pub const MAX_SCIM_PAGE: i64 = 200;

impl App {
    /// Makes a SCIM token and returns it; only its hash is kept, so this is the one time it
    /// can be read.
    pub async fn create_scim_token(&self, admin: &Admin, label: &str) -> AppResult<String> {
        let label = upward_domain::text::required(label, "the label", 100)
            .map_err(|e| AppError::invalid("label", e.0))?;
        let token = new_token();
        let created = self
            .store
            .create_scim_token(&token_hash(&token), &label, admin.user().email.as_str())
            .await?;
        let detail = format!("token {} \"{label}\" created", created.id);
        self.audit(admin.user(), "scim.token_create", "provisioning", &detail)
            .await?;
        Ok(token)
    }

    pub async fn scim_tokens(&self, _admin: &Admin) -> AppResult<Vec<ScimToken>> {
        Ok(self.store.scim_tokens().await?)
    }

    pub async fn revoke_scim_token(&self, admin: &Admin, id: i64) -> AppResult<()> {
        self.store.revoke_scim_token(id).await?;
        let detail = format!("token {id} revoked");
        self.audit(admin.user(), "scim.token_revoke", "provisioning", &detail)
            .await
    }

    /// The proof for a request bearing `token`, if the token is live.
    pub async fn scim_client(&self, token: &str) -> AppResult<ScimClient> {
        if self
            .store
            .use_scim_token(&token_hash(token), Timestamp::now())
            .await?
        {
            Ok(ScimClient(()))
        } else {
            Err(AppError::Unauthenticated)
        }
    }

    pub async fn scim_user(&self, _client: &ScimClient, id: PersonId) -> AppResult<ScimUser> {
        self.store
            .scim_user(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("user {}", id.0)))
    }

    pub async fn scim_users(
        &self,
        _client: &ScimClient,
        user_name: Option<&str>,
        offset: i64,
        limit: i64,
    ) -> AppResult<(Vec<ScimUser>, i64)> {
        let limit = limit.clamp(0, MAX_SCIM_PAGE);
        Ok(self
            .store
            .scim_users(user_name, offset.max(0), limit)
            .await?)
    }

    pub async fn scim_create(
        &self,
        _client: &ScimClient,
        user: ProvisionedUser,
    ) -> AppResult<ScimUser> {
        let write = self.scim_write(None, user).await?;
        let created = self.store.create_scim_user(&write).await?;
        self.scim_audit("scim.create", &created).await?;
        Ok(created)
    }

    pub async fn scim_replace(
        &self,
        _client: &ScimClient,
        id: PersonId,
        user: ProvisionedUser,
    ) -> AppResult<ScimUser> {
        let write = self.scim_write(Some(id), user).await?;
        let replaced = self.store.replace_scim_user(id, &write).await?;
        self.scim_audit("scim.replace", &replaced).await?;
        Ok(replaced)
    }

    /// Deactivates the person: they can no longer sign in and are never matched again, and
    /// everything they took part in stays.
    pub async fn scim_delete(&self, client: &ScimClient, id: PersonId) -> AppResult<()> {
        let user = self.scim_user(client, id).await?;
        self.store.delete_scim_user(id).await?;
        self.scim_audit("scim.delete", &user).await
    }

    async fn scim_audit(&self, action: &str, user: &ScimUser) -> AppResult<()> {
        let state = if user.active { "active" } else { "deactivated" };
        let detail = format!("{} ({state})", user.person.email);
        let entry = NewAuditEntry {
            actor: "identity provider (SCIM)",
            action,
            subject: &format!("person {}", user.id.0),
            detail: &detail,
            programme: None,
        };
        Ok(self.store.record_audit(&entry).await?)
    }

    /// What to store for `user`: their manager resolved (or kept pending until that user is
    /// provisioned), refusing a manager that would make a reporting loop.
    async fn scim_write(
        &self,
        id: Option<PersonId>,
        user: ProvisionedUser,
    ) -> AppResult<ScimWrite> {
        let mut manager_email = None;
        let mut pending_manager = None;
        if let Some(manager) = user.manager.filter(|m| !m.trim().is_empty()) {
            let found = match manager.trim().parse::<i64>() {
                Ok(number) => self.store.scim_user(PersonId(number)).await?,
                Err(_) => None,
            };
            match found {
                Some(found) if Some(found.id) == id => {
                    return Err(AppError::invalid(
                        "manager",
                        "a person cannot be their own manager",
                    ));
                }
                Some(found) => {
                    self.refuse_reporting_loop(&user.email, &found.person.email)
                        .await?;
                    manager_email = Some(found.person.email);
                }
                None => pending_manager = Some(manager),
            }
        }
        Ok(ScimWrite {
            person: Person {
                email: user.email,
                name: user.name,
                job_level: user.job_level,
                manager_email,
                department: user.department,
                location: user.location,
                time_zone: user.time_zone,
                birth_year: None,
                gender: None,
            },
            active: user.active,
            user_name: user.user_name,
            attributes: user.attributes,
            pending_manager,
        })
    }

    /// Walks up from the manager, one person at a time (as deep as the chain, not as large as
    /// the organisation), refusing a manager who already reports to `person`.
    async fn refuse_reporting_loop(&self, person: &Email, manager: &Email) -> AppResult<()> {
        let mut current = Some(manager.key());
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = current {
            if key == person.key() {
                return Err(AppError::invalid(
                    "manager",
                    format!("{person} cannot report to {manager}, who already reports to them"),
                ));
            }
            if !seen.insert(key.clone()) {
                break; // A loop further up, not through this person.
            }
            current = self
                .store
                .person(&key)
                .await?
                .and_then(|p| p.manager_email)
                .map(|m| m.key());
        }
        Ok(())
    }
}

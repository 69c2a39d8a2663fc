//! Who runs a programme: its creator and the co-managers they add.

use upward_domain::{ProgrammeId, Role, User, UserId};

use crate::policy::Manager;
use crate::{App, AppError, AppResult};

/// The most programme manager accounts offered as co-managers on a programme's page.
const MAX_CO_MANAGER_CHOICES: i64 = 500;

impl App {
    /// The programme's managers, by name.
    pub async fn programme_managers(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<User>> {
        self.managed_programme(manager, programme).await?;
        Ok(self.store.programme_managers(programme).await?)
    }

    /// The accounts that could be added as co-managers: programme managers (admins run every
    /// programme already) who do not manage it yet.
    pub async fn possible_co_managers(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
    ) -> AppResult<Vec<User>> {
        self.managed_programme(manager, programme).await?;
        // Only manager accounts are read (a few), not every participant's.
        Ok(self
            .store
            .co_manager_candidates(programme, MAX_CO_MANAGER_CHOICES)
            .await?)
    }

    /// Adds a co-manager by the email of their account, which must have the programme manager
    /// role; says who was added. Adding someone already there changes nothing.
    pub async fn add_programme_manager(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        email: &str,
    ) -> AppResult<User> {
        self.managed_programme(manager, programme).await?;
        let email = App::parse_email("email", email)?;
        let account = self
            .store
            .credentials(&email.key())
            .await?
            .map(|found| found.user)
            .ok_or_else(|| {
                AppError::invalid(
                    "email",
                    format!(
                        "{email} has no account: an admin creates it, as a programme manager, first"
                    ),
                )
            })?;
        if account.role != Role::Manager {
            return Err(AppError::invalid(
                "email",
                format!(
                    "{} is {}: only programme managers can be added (an admin runs every programme already, and a participant must be made a programme manager by an admin first)",
                    account.name,
                    account.role.label().to_lowercase()
                ),
            ));
        }
        if self
            .store
            .add_programme_manager(programme, account.id, manager.user().email.as_str())
            .await?
        {
            let detail = format!("{} added as a manager", account.email);
            self.audit_programme(manager.user(), "programme.manager_add", programme, &detail)
                .await?;
        }
        Ok(account)
    }

    /// Removes a manager from the programme (themselves included), never the last one.
    pub async fn remove_programme_manager(
        &self,
        manager: &Manager,
        programme: ProgrammeId,
        account: UserId,
    ) -> AppResult<User> {
        self.managed_programme(manager, programme).await?;
        let removed = self.store.user(account).await?;
        self.store
            .remove_programme_manager(programme, account)
            .await?;
        let detail = format!("{} removed as a manager", removed.email);
        self.audit_programme(
            manager.user(),
            "programme.manager_remove",
            programme,
            &detail,
        )
        .await?;
        Ok(removed)
    }
}

//! Accounts and roles, managed by admins.

use upward_domain::{Role, User, UserId};

use crate::auth::{check_new_password, hash_password_apart};
use crate::policy::Admin;
use crate::{App, AppError, AppResult};

impl App {
    pub async fn create_account(
        &self,
        admin: &Admin,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> AppResult<User> {
        let parsed = App::parse_email("email", email)?;
        // Participants take part from their directory record (level, reporting line, time
        // zone); without one they could do nothing. Admins and managers may be outside it.
        if role == Role::Participant && self.store.person(&parsed.key()).await?.is_none() {
            return Err(AppError::invalid(
                "email",
                format!(
                    "{parsed} is not in the directory: import the person first, or choose the admin or manager role for someone who only runs programmes"
                ),
            ));
        }
        let user = self
            .create_account_as_operator(email, name, role, password)
            .await?;
        self.audit(
            admin.user(),
            "account.create",
            &format!("account {}", user.email),
            role.as_str(),
        )
        .await?;
        Ok(user)
    }

    /// For the operator at the command line (who already holds the database): the first admin.
    pub async fn create_account_as_operator(
        &self,
        email: &str,
        name: &str,
        role: Role,
        password: &str,
    ) -> AppResult<User> {
        let email = App::parse_email("email", email)?;
        let name = upward_domain::text::required(name, "the name", 200)
            .map_err(|e| AppError::invalid("name", e.0))?;
        check_new_password(password)?;
        Ok(self
            .store
            .create_user(&email, &name, role, &hash_password_apart(password).await?)
            .await?)
    }

    pub async fn set_role(&self, admin: &Admin, id: UserId, role: Role) -> AppResult<User> {
        if admin.user().id == id {
            return Err(AppError::Conflict(
                "you cannot change your own role; ask another admin".into(),
            ));
        }
        let user = self.store.set_user_role(id, role).await?;
        self.audit(
            admin.user(),
            "account.role",
            &format!("account {}", user.email),
            role.as_str(),
        )
        .await?;
        Ok(user)
    }

    /// One page of the accounts whose name or email contains `search`, of `role` if given;
    /// with how many match in all.
    pub async fn accounts_page(
        &self,
        _admin: &Admin,
        search: &str,
        role: Option<Role>,
        offset: i64,
        limit: i64,
    ) -> AppResult<(Vec<User>, i64)> {
        Ok(self
            .store
            .users_page(search, role, offset.max(0), limit.clamp(1, 200))
            .await?)
    }

    /// One account, for the confirmation of a change to it.
    pub async fn account(&self, _admin: &Admin, id: UserId) -> AppResult<User> {
        Ok(self.store.user(id).await?)
    }
}

impl App {
    /// The latest changes by managers and admins: all of them for an admin, those about
    /// their own programmes for a programme manager.
    pub async fn audit_log(
        &self,
        manager: &crate::policy::Manager,
    ) -> AppResult<Vec<upward_store::AuditEntry>> {
        let scope = (!manager.is_admin()).then(|| manager.user().id);
        Ok(self.store.audit_log(500, scope).await?)
    }

    /// One page of [`App::audit_log`], with how many entries there are in all.
    pub async fn audit_page(
        &self,
        manager: &crate::policy::Manager,
        offset: i64,
        limit: i64,
    ) -> AppResult<(Vec<upward_store::AuditEntry>, i64)> {
        let scope = (!manager.is_admin()).then(|| manager.user().id);
        Ok(self
            .store
            .audit_page(scope, offset.max(0), limit.clamp(1, 200))
            .await?)
    }
}

//! Who may do what: the one place where roles are checked. A use case that needs a manager
//! takes a `Manager`, which only `Manager::check` can make, so an unchecked call does not compile.

use upward_domain::{Enrolment, Role, User};

use crate::{AppError, AppResult};

/// Proof that the account may run programmes (a programme manager or an admin).
#[derive(Debug, Clone)]
pub struct Manager(User);

/// Proof that the account administers the organisation.
#[derive(Debug, Clone)]
pub struct Admin(User);

impl Manager {
    pub fn check(user: &User) -> AppResult<Self> {
        if user.role.manages_programmes() {
            Ok(Self(user.clone()))
        } else {
            Err(AppError::Forbidden(
                "only programme managers and admins can do this".into(),
            ))
        }
    }

    pub fn user(&self) -> &User {
        &self.0
    }
}

impl Admin {
    pub fn check(user: &User) -> AppResult<Self> {
        if user.role == Role::Admin {
            Ok(Self(user.clone()))
        } else {
            Err(AppError::Forbidden("only admins can do this".into()))
        }
    }

    pub fn user(&self) -> &User {
        &self.0
    }

    /// The operator at the command line, who already holds the database itself; recorded in
    /// the audit trail as `command-line@upward.local`.
    pub fn command_line_operator() -> Self {
        Self(User {
            id: upward_domain::UserId(0),
            email: upward_domain::Email::parse("command-line@upward.local")
                .expect("a valid address"),
            name: "Command line".into(),
            role: Role::Admin,
        })
    }

    pub fn as_manager(&self) -> Manager {
        Manager(self.0.clone())
    }
}

/// A participant reads their own enrolment; managers read all. Anyone else is told it does
/// not exist, so ids cannot be probed.
pub fn may_read_enrolment(user: &User, enrolment: &Enrolment) -> bool {
    user.role.manages_programmes() || user.email.key() == enrolment.email.key()
}

pub fn readable_enrolment(user: &User, enrolment: Enrolment) -> AppResult<Enrolment> {
    if may_read_enrolment(user, &enrolment) {
        Ok(enrolment)
    } else {
        Err(AppError::NotFound("the enrolment".into()))
    }
}

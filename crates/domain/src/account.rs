//! Accounts and the three roles that decide what an account may see and do.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::FieldError;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// What an account may do. Admins run the organisation (directory, accounts) and can do
/// everything a manager can; managers run programmes; participants see only their own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Participant,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Admin, Role::Manager, Role::Participant];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Participant => "participant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Admin",
            Role::Manager => "Programme manager",
            Role::Participant => "Participant",
        }
    }

    /// Managers and admins run programmes; the check lives here so every layer agrees.
    pub fn manages_programmes(self) -> bool {
        matches!(self, Role::Admin | Role::Manager)
    }
}

impl std::str::FromStr for Role {
    type Err = FieldError;
    fn from_str(value: &str) -> Result<Self, Self::Err> {
        match value.trim().to_ascii_lowercase().as_str() {
            "admin" => Ok(Role::Admin),
            "manager" | "programme_manager" => Ok(Role::Manager),
            "participant" => Ok(Role::Participant),
            other => Err(FieldError::new(format!(
                "unknown role '{other}': expected admin, manager or participant"
            ))),
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A login account. Its email is also the person's email in the directory, which is how a
/// participant's account finds their own enrolments and nobody else's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub email: crate::Email,
    pub name: String,
    pub role: Role,
}

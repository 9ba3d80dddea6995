//! Who is acting: a staff account and the role it holds.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Manages accounts and tokens.
    Admin,
    /// Keeps the directories of a department and runs its tasks.
    Supervisor,
    /// Sees and records the inspections assigned to them.
    Inspector,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Supervisor => "supervisor",
            Role::Inspector => "inspector",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Role::Admin, Role::Supervisor, Role::Inspector].into_iter().find(|role| role.as_str() == text)
    }
}

/// An enabled staff account, as its token authenticates it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// The department a supervisor works for.
    pub department: Option<String>,
    /// The inspector-directory id an inspector account stands for.
    pub inspector_id: Option<String>,
}

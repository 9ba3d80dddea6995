//! What an admin sees and changes of accounts: the list with each one's
//! state, and a change of role, department, inspector or disabled flag —
//! never one that leaves no enabled admin to manage accounts. Disabling an
//! account ends its sessions at once.

use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::account_name;
use super::audit::Action;
use super::{Service, ServiceError, ServiceResult, require};
use crate::domain::account::{Role, User};
use crate::domain::time::Timestamp;
use crate::protocol::field::check_visible;
use crate::storage::users::AccountRow;
use crate::storage::{sessions, users};

/// An account as an admin sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Account {
    #[serde(flatten)]
    pub user: User,
    pub disabled: bool,
    /// Whether it can sign in with a password (else with its token only).
    pub has_password: bool,
    /// RFC 3339, UTC.
    #[schema(value_type = String)]
    pub created_at: Timestamp,
}

impl From<AccountRow> for Account {
    fn from(row: AccountRow) -> Self {
        Account {
            user: row.user(),
            disabled: row.disabled != 0,
            has_password: row.has_password != 0,
            created_at: row.created_at,
        }
    }
}

/// A change to an account: each field given is set; `Some(None)` clears a
/// department or inspector.
#[derive(Debug, Clone, Default)]
pub struct AccountChange {
    pub role: Option<Role>,
    pub department: Option<Option<String>>,
    pub inspector_id: Option<Option<String>>,
    pub disabled: Option<bool>,
}

fn invalid(field: &str, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid("invalid_user", Some(field.to_owned()), message)
}

impl Service {
    /// Every account, enabled or not (admins only).
    pub async fn accounts(&self, by: &User) -> ServiceResult<Vec<Account>> {
        require(by, Role::Admin)?;
        Ok(users::accounts(self.store().pool()).await?.into_iter().map(Account::from).collect())
    }

    /// Changes account `id` (admins only).
    pub async fn change_account(&self, by: &User, id: i64, change: AccountChange) -> ServiceResult<Account> {
        require(by, Role::Admin)?;
        for (field, value) in [("department", &change.department), ("inspector_id", &change.inspector_id)] {
            if let Some(Some(value)) = value {
                check_visible(value).map_err(|error| invalid(field, format!("'{value}' {error}")))?;
            }
        }
        let mut tx = self.store().write().await?;
        let admins = users::lock_active_admins(&mut tx).await?;
        let Some(before) = users::account(tx.conn(), id).await? else {
            return Err(ServiceError::NotFound(format!("there is no account {id}")));
        };
        let before = Account::from(before);
        let mut after = before.user.clone();
        after.role = change.role.unwrap_or(after.role);
        if let Some(department) = &change.department {
            after.department = department.clone();
        }
        if let Some(inspector) = &change.inspector_id {
            after.inspector_id = inspector.clone();
        }
        let disabled = change.disabled.unwrap_or(before.disabled);
        match after.role {
            Role::Supervisor if after.department.is_none() => {
                return Err(invalid("department", "a supervisor needs a department"));
            }
            Role::Inspector if after.inspector_id.is_none() => {
                return Err(invalid("inspector_id", "an inspector account needs its inspector-directory id"));
            }
            _ => {}
        }
        if let Some(Some(department)) = &change.department
            && !users::department_exists(tx.conn(), department).await?
        {
            let message =
                format!("there is no department {department}: no item, inspector or account names it");
            return Err(ServiceError::invalid("unknown_reference", Some("department".into()), message));
        }
        if let Some(Some(inspector)) = &change.inspector_id
            && !users::inspector_exists(tx.conn(), inspector).await?
        {
            let message = format!("there is no inspector '{inspector}' in the inspector directory");
            return Err(ServiceError::invalid("unknown_reference", Some("inspector_id".into()), message));
        }
        let stays_admin = after.role == Role::Admin && !disabled;
        if admins == [id] && !stays_admin {
            return Err(ServiceError::conflict(
                "last_admin",
                format!("account {id} is the last enabled admin; make another admin first"),
            ));
        }
        users::update(tx.conn(), &after, disabled).await?;
        if disabled && !before.disabled {
            sessions::delete_of_user(tx.conn(), id, None).await?;
        }
        let detail = describe_change(&before, &after, disabled);
        let name = account_name(tx.conn(), id).await?;
        self.audit(tx.conn(), Some(by), Action::AccountChanged, Some(&name), Some(&detail)).await?;
        let account = users::account(tx.conn(), id).await?.map(Account::from);
        tx.commit().await?;
        account.ok_or_else(|| ServiceError::NotFound(format!("there is no account {id}")))
    }
}

/// What changed, in a few words for the audit trail.
fn describe_change(before: &Account, after: &User, disabled: bool) -> String {
    let shown = |value: &Option<String>| value.clone().unwrap_or_else(|| "none".into());
    let mut changes = Vec::new();
    if before.user.role != after.role {
        changes.push(format!("role {} -> {}", before.user.role.as_str(), after.role.as_str()));
    }
    if before.user.department != after.department {
        changes.push(format!(
            "department {} -> {}",
            shown(&before.user.department),
            shown(&after.department)
        ));
    }
    if before.user.inspector_id != after.inspector_id {
        changes.push(format!(
            "inspector {} -> {}",
            shown(&before.user.inspector_id),
            shown(&after.inspector_id)
        ));
    }
    if before.disabled != disabled {
        changes.push(if disabled { "disabled".into() } else { "enabled".into() });
    }
    if changes.is_empty() { "nothing changed".into() } else { changes.join(", ") }
}

//! Staff accounts and their tokens. A token is 32 random bytes shown once;
//! the database keeps only its SHA-256.

use base64::Engine as _;
use serde::Serialize;
use utoipa::ToSchema;

use super::audit::Action;
use super::{Service, ServiceError, ServiceResult, password_hash, require};
use crate::domain::account::{Role, User};
use crate::domain::password::NewPassword;
use crate::protocol::Digest;
use crate::protocol::field::check_visible;
use crate::storage::{sessions, users};

/// A new account, or a new token for one: the token is shown only here.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IssuedToken {
    pub user: User,
    pub token: String,
}

pub fn token_hash(token: &str) -> String {
    Digest::of_file(token.as_bytes()).to_hex()
}

fn new_token() -> ServiceResult<String> {
    let bytes = super::os_random::<32>()?;
    Ok(format!("od_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)))
}

/// `text` as a new password of the account `name`, or 422 `weak_password`
/// naming `field`.
pub(super) fn new_password(text: &str, name: &str, field: &str) -> ServiceResult<NewPassword> {
    NewPassword::parse(text, name)
        .map_err(|weak| ServiceError::invalid("weak_password", Some(field.to_owned()), weak.0))
}

/// The name of account `id`, for the audit trail.
pub(super) async fn account_name(conn: &mut sqlx::AnyConnection, id: i64) -> ServiceResult<String> {
    Ok(users::account(conn, id).await?.map(|account| account.user().name).unwrap_or_else(|| id.to_string()))
}

impl Service {
    /// The account a bearer token belongs to.
    pub async fn authenticate(&self, token: &str) -> ServiceResult<Option<User>> {
        Ok(users::by_token_hash(self.store().pool(), &token_hash(token)).await?)
    }

    /// Creates an account. Only the command line (with `by` = `None`, the
    /// machine's operator) or an admin may. An admin names only a department
    /// and an inspector that exist; the operator sets an installation up,
    /// and may create the first supervisor of a department before its
    /// directories are imported.
    pub async fn add_user(
        &self,
        by: Option<&User>,
        name: &str,
        role: Role,
        department: Option<&str>,
        inspector_id: Option<&str>,
    ) -> ServiceResult<IssuedToken> {
        self.add_user_with_password(by, name, role, department, inspector_id, None).await
    }

    /// Creates an account, with a password to sign in with when one is
    /// given (it must meet the policy; field `password`).
    pub async fn add_user_with_password(
        &self,
        by: Option<&User>,
        name: &str,
        role: Role,
        department: Option<&str>,
        inspector_id: Option<&str>,
        password: Option<&str>,
    ) -> ServiceResult<IssuedToken> {
        if let Some(by) = by {
            require(by, Role::Admin)?;
        }
        let invalid = |field: &str, message: &str| {
            ServiceError::invalid("invalid_user", Some(field.into()), message.to_owned())
        };
        if name.trim().is_empty() || name.len() > 128 || name.chars().any(char::is_control) {
            return Err(invalid("name", "give a name of 1 to 128 bytes without control characters"));
        }
        // Names, departments and inspector ids are shown and compared as ids are.
        for (field, value) in
            [("name", Some(name)), ("department", department), ("inspector_id", inspector_id)]
        {
            if let Some(value) = value {
                check_visible(value).map_err(|e| invalid(field, &format!("'{value}' {e}")))?;
            }
        }
        match role {
            Role::Supervisor if department.is_none() => {
                return Err(invalid("department", "a supervisor needs a department"));
            }
            Role::Inspector if inspector_id.is_none() => {
                return Err(invalid("inspector_id", "an inspector account needs its inspector-directory id"));
            }
            _ => {}
        }
        let password_hash = match password {
            Some(password) => Some(password_hash::hash(&new_password(password, name, "password")?).await?),
            None => None,
        };
        let token = new_token()?;
        let mut tx = self.store().write().await?;
        if by.is_some() {
            if let Some(department) = department
                && !users::department_exists(tx.conn(), department).await?
            {
                let message =
                    format!("there is no department {department}: no item, inspector or account names it");
                return Err(ServiceError::invalid("unknown_reference", Some("department".into()), message));
            }
            if let Some(inspector) = inspector_id
                && !users::inspector_exists(tx.conn(), inspector).await?
            {
                let message = format!("there is no inspector '{inspector}' in the inspector directory");
                return Err(ServiceError::invalid("unknown_reference", Some("inspector_id".into()), message));
            }
        }
        let id =
            match users::create(tx.conn(), name, role, department, inspector_id, &token_hash(&token)).await {
                Err(error) if error.is_unique_violation() => {
                    return Err(ServiceError::conflict(
                        "name_taken",
                        format!("there is already an account named {name}"),
                    ));
                }
                other => other?,
            };
        if let Some(hash) = &password_hash {
            users::set_password_hash(tx.conn(), id, hash).await?;
        }
        let detail = format!(
            "{}{}{}{}",
            role.as_str(),
            department.map(|d| format!(", department {d}")).unwrap_or_default(),
            inspector_id.map(|i| format!(", inspector {i}")).unwrap_or_default(),
            if password_hash.is_some() { ", with a password" } else { "" },
        );
        self.audit(tx.conn(), by, Action::AccountCreated, Some(name), Some(&detail)).await?;
        tx.commit().await?;
        let user = User {
            id,
            name: name.to_owned(),
            role,
            department: department.map(str::to_owned),
            inspector_id: inspector_id.map(str::to_owned),
        };
        Ok(IssuedToken { user, token })
    }

    pub async fn users(&self, by: &User) -> ServiceResult<Vec<User>> {
        require(by, Role::Admin)?;
        Ok(users::list(self.store().pool()).await?)
    }

    /// Replaces an account's token; the old one stops working at once.
    pub async fn rotate_token(&self, by: &User, id: i64) -> ServiceResult<String> {
        require(by, Role::Admin)?;
        let token = new_token()?;
        let mut tx = self.store().write().await?;
        if !users::set_token(tx.conn(), id, &token_hash(&token)).await? {
            return Err(ServiceError::NotFound(format!("there is no account {id}")));
        }
        let name = account_name(tx.conn(), id).await?;
        self.audit(tx.conn(), Some(by), Action::TokenRotated, Some(&name), None).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// Disables an account and ends its sessions; never the last enabled
    /// admin, who would leave nobody to manage accounts (a change of role
    /// keeps the same rule, see [`Service::change_account`]).
    pub async fn disable_user(&self, by: &User, id: i64) -> ServiceResult<()> {
        require(by, Role::Admin)?;
        let mut tx = self.store().write().await?;
        let admins = users::lock_active_admins(&mut tx).await?;
        if admins == [id] {
            return Err(ServiceError::conflict(
                "last_admin",
                format!("account {id} is the last active admin; create another admin first"),
            ));
        }
        if !users::disable(tx.conn(), id).await? {
            return Err(ServiceError::NotFound(format!("there is no account {id}")));
        }
        sessions::delete_of_user(tx.conn(), id, None).await?;
        let name = account_name(tx.conn(), id).await?;
        self.audit(tx.conn(), Some(by), Action::AccountChanged, Some(&name), Some("disabled")).await?;
        tx.commit().await?;
        Ok(())
    }
}

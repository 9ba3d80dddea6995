//! Setting passwords: the holder changes their own (knowing the current
//! one), an admin or the machine's operator resets anyone's. Either way the
//! account's other sessions end: whoever held one may be the reason for
//! the change.

use super::accounts::{account_name, new_password};
use super::audit::Action;
use super::sessions::ActiveSession;
use super::{Service, ServiceError, ServiceResult, password_hash, require};
use crate::domain::account::{Role, User};
use crate::storage::{sessions, users};

impl Service {
    /// Changes the caller's own password. `current` is the session the
    /// request came with, which stays; every other session ends.
    pub async fn change_own_password(
        &self,
        user: &User,
        current_session: Option<&ActiveSession>,
        current_password: &str,
        new: &str,
    ) -> ServiceResult<()> {
        let new = new_password(new, &user.name, "new_password")?;
        let stored = {
            let mut conn = self.store().pool().acquire().await.map_err(crate::storage::StoreError::from)?;
            users::password_hash(&mut conn, user.id).await?.flatten()
        };
        if !password_hash::verify(current_password, stored).await {
            return Err(ServiceError::BadCredentials {
                field: Some("current_password".into()),
                message: "the current password is wrong".into(),
            });
        }
        let hash = password_hash::hash(&new).await?;
        let mut tx = self.store().write().await?;
        if !users::set_password_hash(tx.conn(), user.id, &hash).await? {
            return Err(ServiceError::NotFound(format!("there is no account {}", user.id)));
        }
        let keep = current_session.map(|session| session.id_hash.as_str());
        sessions::delete_of_user(tx.conn(), user.id, keep).await?;
        self.audit(tx.conn(), Some(user), Action::PasswordChanged, Some(&user.name), None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets account `id`'s password: an admin (`by`), or the machine's
    /// operator (`None`: the command line, the demo). Ends its sessions.
    pub async fn reset_password(&self, by: Option<&User>, id: i64, password: &str) -> ServiceResult<()> {
        if let Some(by) = by {
            require(by, Role::Admin)?;
        }
        let name = {
            let mut conn = self.store().pool().acquire().await.map_err(crate::storage::StoreError::from)?;
            users::account(&mut conn, id)
                .await?
                .filter(|account| account.disabled == 0)
                .map(|a| a.user().name)
        };
        let Some(name) = name else {
            return Err(ServiceError::NotFound(format!("there is no account {id}")));
        };
        let hash = password_hash::hash(&new_password(password, &name, "password")?).await?;
        let mut tx = self.store().write().await?;
        if !users::set_password_hash(tx.conn(), id, &hash).await? {
            return Err(ServiceError::NotFound(format!("there is no account {id}")));
        }
        sessions::delete_of_user(tx.conn(), id, None).await?;
        let name = account_name(tx.conn(), id).await?;
        self.audit(tx.conn(), by, Action::PasswordReset, Some(&name), None).await?;
        tx.commit().await?;
        Ok(())
    }
}

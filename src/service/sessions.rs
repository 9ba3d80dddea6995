//! Signing in with a name and password: a server-side session (its id
//! stored hashed), ended by signing out, by 30 minutes without a request,
//! or 12 hours after it began. Each session has its own CSRF token, which
//! the HTTP layer asks for on every cookie-authenticated change.
//!
//! A wrong name and a wrong password get the same answer after the same
//! work (an Argon2id verification, against a dummy hash when there is no
//! account). Five failed sign-ins of one name within 15 minutes hold that
//! name until the oldest of them is 15 minutes old: the hold is checked
//! before the password is, and holds unknown names as it does known ones.

use std::time::Duration;

use base64::Engine as _;
use serde::Serialize;
use utoipa::ToSchema;

use super::accounts::token_hash;
use super::audit::Action;
use super::{Service, ServiceError, ServiceResult, os_random, password_hash};
use crate::domain::account::User;
use crate::domain::time::Timestamp;
use crate::storage::{audit, sessions, users};

/// A session ends this long after its last request.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after the sign-in, however busy.
pub const LIFETIME: Duration = Duration::from_secs(12 * 3600);
/// A session's last request is written at most this often: one write a
/// minute, not one a request.
const TOUCH_EVERY: Duration = Duration::from_secs(60);
/// Failed sign-ins of one name allowed within [`FAILURE_WINDOW`].
const FAILURES_ALLOWED: usize = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
/// The longest name a failed sign-in records (names are at most 128 bytes).
const RECORDED_NAME_CHARS: usize = 128;

/// A session as its holder sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SessionView {
    pub user: User,
    /// Send it as `X-CSRF-Token` with every POST, PUT, PATCH and DELETE.
    pub csrf_token: String,
    /// When the session ends however busy (RFC 3339, UTC).
    #[schema(value_type = String)]
    pub expires_at: Timestamp,
    /// The session ends after this many seconds without a request.
    pub idle_timeout_seconds: u64,
}

/// A new session: the cookie's value (shown only here) and the session.
pub struct SignedIn {
    pub cookie: String,
    pub view: SessionView,
}

/// A session found by its cookie, still running.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub view: SessionView,
    /// The hash its row is found by.
    pub id_hash: String,
}

/// 32 random bytes as 43 URL-safe characters.
fn random_text() -> ServiceResult<String> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(os_random::<32>()?))
}

fn after(at: Timestamp, by: Duration) -> Timestamp {
    Timestamp::from(at.at() + chrono::TimeDelta::from_std(by).expect("a short duration"))
}

fn before(at: Timestamp, by: Duration) -> Timestamp {
    Timestamp::from(at.at() - chrono::TimeDelta::from_std(by).expect("a short duration"))
}

impl Service {
    /// Signs `name` in with `password`.
    pub async fn sign_in(&self, name: &str, password: &str) -> ServiceResult<SignedIn> {
        let name: String = name.chars().take(RECORDED_NAME_CHARS).collect();
        self.admit_sign_in(&name).await?;
        let (user, hash) = match users::for_sign_in(self.store().pool(), &name).await? {
            Some((user, hash)) => (Some(user), hash),
            None => (None, None),
        };
        let good = password_hash::verify(password, hash).await;
        let Some(user) = user.filter(|_| good) else {
            let mut tx = self.store().write().await?;
            self.audit(tx.conn(), None, Action::SignInFailed, Some(&name), None).await?;
            tx.commit().await?;
            return Err(ServiceError::BadCredentials {
                field: None,
                message: "the name or the password is wrong".into(),
            });
        };
        let cookie = random_text()?;
        let csrf_token = random_text()?;
        let now = Timestamp::from(self.now());
        let expires_at = after(now, LIFETIME);
        let id_hash = token_hash(&cookie);
        let mut tx = self.store().write().await?;
        sessions::delete_stale(tx.conn(), now, before(now, IDLE_TIMEOUT)).await?;
        let row = sessions::NewSession {
            id_hash: &id_hash,
            user: user.id,
            csrf_token: &csrf_token,
            created_at: now,
            expires_at,
        };
        sessions::insert(tx.conn(), &row).await?;
        self.audit(tx.conn(), Some(&user), Action::SignIn, Some(&user.name), None).await?;
        tx.commit().await?;
        let view = SessionView { user, csrf_token, expires_at, idle_timeout_seconds: IDLE_TIMEOUT.as_secs() };
        Ok(SignedIn { cookie, view })
    }

    /// `Err` with the time left while `name` is held for failing to sign in.
    async fn admit_sign_in(&self, name: &str) -> ServiceResult<()> {
        let now = Timestamp::from(self.now());
        let since = before(now, FAILURE_WINDOW);
        let pool = self.store().pool();
        // A successful sign-in forgives the failures before it.
        let since = audit::times_since(pool, Action::SignIn.as_str(), name, since)
            .await?
            .last()
            .copied()
            .unwrap_or(since);
        let failures = audit::times_since(pool, Action::SignInFailed.as_str(), name, since).await?;
        if failures.len() < FAILURES_ALLOWED {
            return Ok(());
        }
        let oldest_counted = failures[failures.len() - FAILURES_ALLOWED];
        let wait = (after(oldest_counted, FAILURE_WINDOW).at() - now.at()).to_std().unwrap_or_default();
        Err(ServiceError::TooManyAttempts(wait.max(Duration::from_secs(1))))
    }

    /// The running session whose cookie is `cookie`, if any; notes the
    /// request (at most once a minute).
    pub async fn session(&self, cookie: &str) -> ServiceResult<Option<ActiveSession>> {
        let id_hash = token_hash(cookie);
        let Some(row) = sessions::by_id_hash(self.store().pool(), &id_hash).await? else { return Ok(None) };
        let now = Timestamp::from(self.now());
        if row.expires_at <= now || after(row.last_seen, IDLE_TIMEOUT) <= now {
            return Ok(None);
        }
        if after(row.last_seen, TOUCH_EVERY) <= now {
            sessions::touch(self.store().pool(), &id_hash, now).await?;
        }
        let view = SessionView {
            user: row.user(),
            csrf_token: row.csrf_token.clone(),
            expires_at: row.expires_at,
            idle_timeout_seconds: IDLE_TIMEOUT.as_secs(),
        };
        Ok(Some(ActiveSession { view, id_hash }))
    }

    /// Ends a session.
    pub async fn sign_out(&self, session: &ActiveSession) -> ServiceResult<()> {
        let user = &session.view.user;
        let mut tx = self.store().write().await?;
        if sessions::delete(tx.conn(), &session.id_hash).await? {
            self.audit(tx.conn(), Some(user), Action::SignOut, Some(&user.name), None).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

//! Passwords as they are stored: Argon2id with the crate's default
//! parameters (RFC 9106's second recommended option, 19 MiB, two passes),
//! as a PHC string that names them, so that stronger parameters later still
//! verify the hashes made before. Hashing takes tens of milliseconds of a
//! core: it runs on the blocking pool, not on the request threads.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::{ServiceResult, damaged, os_random};
use crate::domain::password::NewPassword;

/// The hash a sign-in for an unknown account (or one without a password) is
/// verified against, so that it costs what a known account's does and its
/// answer comes as late. Its password is random and forgotten.
static DUMMY: LazyLock<String> = LazyLock::new(|| {
    let password = os_random::<32>().unwrap_or([7; 32]);
    let salt = os_random::<16>().unwrap_or([9; 16]);
    Argon2::default()
        .hash_password_with_salt(&password, &salt)
        .map(|hash| hash.to_string())
        .expect("Argon2 hashes a 32-byte password")
});

/// The PHC string of `password`, with a new random salt.
pub async fn hash(password: &NewPassword) -> ServiceResult<String> {
    let password = password.as_str().to_owned();
    let salt = os_random::<16>()?;
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password_with_salt(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|error| damaged(format!("hashing a password failed: {error}")))
    })
    .await
    .map_err(|error| damaged(format!("hashing a password failed: {error}")))?
}

/// Whether `password` is the one `stored` was made from; with no stored
/// hash, the dummy's work is done and the answer is no. A stored hash that
/// does not parse is a wrong password too (and logged).
pub async fn verify(password: &str, stored: Option<String>) -> bool {
    let password = password.to_owned();
    let known = stored.is_some();
    let outcome = tokio::task::spawn_blocking(move || {
        let hash = stored.unwrap_or_else(|| DUMMY.clone());
        match Argon2::default().verify_password(password.as_bytes(), hash.as_str()) {
            Ok(()) => true,
            Err(argon2::password_hash::Error::PasswordInvalid) => false,
            Err(error) => {
                tracing::error!(%error, "a stored password hash cannot be read");
                false
            }
        }
    })
    .await;
    known && outcome.unwrap_or(false)
}

/// Makes the dummy hash now, so that the first sign-in for an unknown
/// account is not answered sooner than the others (or later).
pub fn prepare() {
    LazyLock::force(&DUMMY);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_password_verifies_against_its_hash_only() {
        let password = NewPassword::parse("a long enough secret", "alice").unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
        assert!(verify("a long enough secret", Some(stored.clone())).await);
        assert!(!verify("another long secret", Some(stored)).await);
        assert!(!verify("a long enough secret", None).await);
        assert!(!verify("a long enough secret", Some("not a hash".into())).await);
    }
}

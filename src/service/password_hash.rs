//! Passwords as they are stored: Argon2id with the crate's default
//! parameters (RFC 9106's second recommended option, 19 MiB, two passes),
//! as a PHC string that names them, so that stronger parameters later still
//! verify the hashes made before. Hashing takes tens of milliseconds of a
//! core: it runs on the blocking pool, not on the request threads.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use super::{ServiceResult, damaged, os_random};
use crate::domain::password::NewPassword;

/// The hash a sign-in for an unknown account (or one without a password) is
/// verified against, so that it costs what a known account's does and its
/// answer comes as late: made once with the same parameters from a random
/// password that was then forgotten. Being a constant, it costs the server
/// no work (and no 19 MiB) at start.
const DUMMY: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$KNkGrKq1zc4cIBbweVOGLg$nkgw9aWL561/1HtvyYNJmGsKwAzN1J9Px/xqc6iNc8w";

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
        let hash = stored.unwrap_or_else(|| DUMMY.to_owned());
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
        // The dummy has the parameters every new hash gets, so it costs as much.
        let params = |phc: &str| phc.rsplitn(3, '$').nth(2).unwrap().to_owned();
        assert_eq!(params(DUMMY), params(&hash(&password).await.unwrap()));
    }
}

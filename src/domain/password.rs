//! A new password that meets the policy: 10 to 256 characters, not the
//! account's name, and not one of the 10 000 most common passwords (the
//! list in `data/`, see `data/README.md` for its source). Checked once, where
//! a password enters (a request body, the command line); a [`NewPassword`]
//! that exists is acceptable.

use std::collections::HashSet;
use std::sync::LazyLock;

const MIN_CHARS: usize = 10;
const MAX_CHARS: usize = 256;

/// The common passwords, lower-cased: a password is refused whatever the
/// case of its letters, since changing the case adds nothing a guesser
/// does not try first.
static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt").lines().map(str::to_lowercase).collect()
});

/// A password that passed the policy.
pub struct NewPassword(String);

/// Why a password was refused, in words for the person choosing it.
#[derive(Debug, PartialEq, Eq)]
pub struct WeakPassword(pub &'static str);

impl NewPassword {
    /// `text` as the password of the account named `account`.
    pub fn parse(text: &str, account: &str) -> Result<Self, WeakPassword> {
        let chars = text.chars().count();
        if chars < MIN_CHARS {
            return Err(WeakPassword("a password needs at least 10 characters"));
        }
        if chars > MAX_CHARS {
            return Err(WeakPassword("a password has at most 256 characters"));
        }
        if text.to_lowercase() == account.to_lowercase() {
            return Err(WeakPassword("a password must not be the account's name"));
        }
        if COMMON.contains(&text.to_lowercase()) {
            return Err(WeakPassword("this password is one of the most common ones; choose another"));
        }
        Ok(NewPassword(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for NewPassword {
    /// Never the password itself, whatever prints it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_common_list_has_ten_thousand_entries() {
        assert!(COMMON.len() > 9_000, "{}", COMMON.len());
        assert!(COMMON.contains("password123"));
    }

    #[test]
    fn short_long_common_and_own_name_passwords_are_refused() {
        assert!(NewPassword::parse("short", "alice").is_err());
        assert!(NewPassword::parse(&"x".repeat(257), "alice").is_err());
        assert!(NewPassword::parse("PassWord123", "alice").is_err(), "common, in another case");
        assert!(NewPassword::parse("qwertyuiop", "alice").is_err());
        assert!(NewPassword::parse("Alice-the-admin", "alice-the-admin").is_err());
        assert!(NewPassword::parse("correct horse battery", "alice").is_ok());
        assert!(NewPassword::parse(&"é".repeat(10), "alice").is_ok(), "characters, not bytes");
    }
}

//! The witness's own Ed25519 key, made at its first start and kept in its
//! state directory as one line, `PRIVATE+KEY+<name>+<hex id>+<base64(0x04 ||
//! 32-byte seed)>`, readable by its owner alone.

use std::io::Write as _;
use std::os::unix::fs::{OpenOptionsExt as _, PermissionsExt as _};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::SigningKey;
use rand::TryRng as _;

use crate::protocol::cosignature::{self, COSIGNATURE_TYPE};

const KEY_FILE: &str = "witness.key";

/// The witness's name and signing key: its identity. The cosignature's
/// message does not name the witness, so a key serves one name only.
pub struct WitnessKey {
    pub name: String,
    pub key: SigningKey,
}

impl WitnessKey {
    pub fn verifier_key(&self) -> String {
        cosignature::verifier_key(&self.name, &self.key.verifying_key())
    }

    /// The key in `dir`, or a new one for `name` if there is none (the
    /// `bool` says it is new). A key made for another name is refused.
    pub fn load_or_create(dir: &Path, name: &str) -> anyhow::Result<(Self, bool)> {
        if !signed_note::is_key_name_valid(name) {
            bail!("--name {name:?}: a witness name has no spaces and no '+' (e.g. witness.example.org/w1)");
        }
        if key_path(dir).exists() {
            let key = Self::load(dir)?;
            if key.name != name {
                bail!(
                    "{} holds the key of the witness {:?}, not {name:?}: a witness's name and key go together",
                    key_path(dir).display(),
                    key.name
                );
            }
            return Ok((key, false));
        }
        let mut seed = [0u8; 32];
        rand::rngs::SysRng.try_fill_bytes(&mut seed).context("the OS random source failed")?;
        let key = Self { name: name.to_owned(), key: SigningKey::from_bytes(&seed) };
        key.write(dir)?;
        Ok((key, true))
    }

    pub fn load(dir: &Path) -> anyhow::Result<Self> {
        let path = key_path(dir);
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(text.trim_end()).with_context(|| format!("{} is not a witness key", path.display()))
    }

    fn parse(line: &str) -> anyhow::Result<Self> {
        let parts: Vec<&str> = line.splitn(5, '+').collect();
        let ["PRIVATE", "KEY", name, id, encoded] = parts.as_slice() else {
            bail!("not PRIVATE+KEY+name+id+key")
        };
        let bytes = BASE64.decode(encoded).context("the key is not base64")?;
        let [COSIGNATURE_TYPE, seed @ ..] = bytes.as_slice() else {
            bail!("not a cosignature key (type 0x04)")
        };
        let seed: [u8; 32] = seed.try_into().context("not a 32-byte Ed25519 key")?;
        let key = Self { name: (*name).to_owned(), key: SigningKey::from_bytes(&seed) };
        if format!("{:08x}", cosignature::key_id(name, &key.key.verifying_key())) != *id {
            bail!("the key id does not match the name and key");
        }
        Ok(key)
    }

    fn line(&self) -> String {
        let mut typed = vec![COSIGNATURE_TYPE];
        typed.extend_from_slice(self.key.as_bytes());
        let id = cosignature::key_id(&self.name, &self.key.verifying_key());
        format!("PRIVATE+KEY+{}+{id:08x}+{}", self.name, BASE64.encode(typed))
    }

    fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let line = format!("{}\n", self.line());
        let temporary = dir.join(format!("{KEY_FILE}.new"));
        let _ = std::fs::remove_file(&temporary);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&temporary)
            .with_context(|| format!("cannot create {}", temporary.display()))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
        file.write_all(line.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, key_path(dir))?;
        super::state::sync_dir(dir)?;
        Ok(())
    }
}

fn key_path(dir: &Path) -> PathBuf {
    dir.join(KEY_FILE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_is_made_once_kept_private_and_bound_to_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let (made, new) = WitnessKey::load_or_create(dir.path(), "witness.example/w1").unwrap();
        assert!(new);
        let mode = std::fs::metadata(dir.path().join(KEY_FILE)).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let (again, new) = WitnessKey::load_or_create(dir.path(), "witness.example/w1").unwrap();
        assert!(!new);
        assert_eq!(again.verifier_key(), made.verifier_key());
        assert!(WitnessKey::load_or_create(dir.path(), "witness.example/w2").is_err());
        assert!(WitnessKey::load_or_create(tempfile::tempdir().unwrap().path(), "a b").is_err());
    }

    #[test]
    fn every_key_line_reads_back_even_with_a_plus_in_its_base64() {
        for seed in 0..=255u8 {
            let key =
                WitnessKey { name: "witness.example/w1".into(), key: SigningKey::from_bytes(&[seed; 32]) };
            let back = WitnessKey::parse(&key.line()).unwrap();
            assert_eq!(back.verifier_key(), key.verifier_key(), "{}", key.line());
        }
        assert!(WitnessKey::parse("PRIVATE+KEY+w+00000000+BAAA").is_err());
    }
}

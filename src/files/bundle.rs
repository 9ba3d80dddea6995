//! The verification bundle: one uncompressed POSIX tar (ustar) file holding
//! every file a verifier needs (PROTOCOL.md §11). `tar xf` unpacks it, and a
//! directory holding the same files verifies the same way.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use crate::protocol::verify::BundleFiles;

pub const BUNDLE_FILE: &str = "bundle.tar";

#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: the bundle has no member named {member}")]
    Missing { path: String, member: &'static str },
    #[error("{path}: member {member} appears twice")]
    Repeated { path: String, member: String },
    #[error("{path}: member {member} is not part of a bundle")]
    Unknown { path: String, member: String },
    #[error("{path}: member {member} is not a regular file")]
    NotAFile { path: String, member: String },
}

/// A tar file is made of 512-byte blocks: a header block per member, its
/// contents padded to whole blocks, and two zero blocks at the end.
const BLOCK: u64 = 512;

/// The end of the archive.
pub const END: [u8; 1024] = [0; 1024];

/// The header block of a member of `size` bytes, with fixed metadata so
/// that equal files give byte-identical bundles.
pub fn member_header(name: &str, size: u64) -> [u8; 512] {
    let mut header = tar::Header::new_ustar();
    header.set_path(name).expect("member names are short ASCII");
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(0);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    header.set_cksum();
    *header.as_bytes()
}

/// The zero bytes that fill the last block of a member of `size` bytes.
pub fn padding(size: u64) -> &'static [u8] {
    &END[..(size.next_multiple_of(BLOCK) - size) as usize]
}

/// The length of a bundle whose members have these sizes, known before a
/// byte of it is read.
pub fn tar_length(sizes: impl IntoIterator<Item = u64>) -> u64 {
    let members: u64 = sizes.into_iter().map(|size| BLOCK + size.next_multiple_of(BLOCK)).sum();
    members + END.len() as u64
}

/// Packs the files, in bundle order; a server streams the same bytes
/// member by member.
pub fn to_tar(files: &BundleFiles) -> Vec<u8> {
    let present = files.present();
    let mut out =
        Vec::with_capacity(tar_length(present.iter().map(|(_, bytes)| bytes.len() as u64)) as usize);
    for (name, bytes) in present {
        out.extend_from_slice(&member_header(name, bytes.len() as u64));
        out.extend_from_slice(bytes);
        out.extend_from_slice(padding(bytes.len() as u64));
    }
    out.extend_from_slice(&END);
    out
}

/// Reads a bundle from a tar file or from a directory of its files.
pub fn read(path: &Path) -> Result<BundleFiles, BundleError> {
    let shown = path.display().to_string();
    let io = |source| BundleError::Io { path: shown.clone(), source };
    if path.is_dir() {
        let mut files = BundleFiles::default();
        for (name, _) in BundleFiles::default().members() {
            let member = path.join(name);
            let bytes = std::fs::read(&member)
                .map_err(|source| BundleError::Io { path: member.display().to_string(), source })?;
            *files.member_mut(name).expect("a bundle member") = bytes;
        }
        let optional = |name: &str| {
            let member = path.join(name);
            member
                .exists()
                .then(|| {
                    std::fs::read(&member)
                        .map_err(|source| BundleError::Io { path: member.display().to_string(), source })
                })
                .transpose()
        };
        files.replacements = optional(crate::protocol::replace::REPLACEMENTS_FILE)?;
        files.beacon = optional(crate::protocol::beacon::BEACON_FILE)?;
        files.log_proof = optional(crate::protocol::log_proof::LOG_PROOF_FILE)?;
        return Ok(files);
    }
    let bytes = std::fs::read(path).map_err(io)?;
    from_tar(&shown, &bytes)
}

/// Unpacks a bundle; every member must be present exactly once.
pub fn from_tar(shown: &str, bytes: &[u8]) -> Result<BundleFiles, BundleError> {
    let io = |source| BundleError::Io { path: shown.to_owned(), source };
    let mut files = BundleFiles::default();
    let mut seen = BTreeSet::new();
    let mut archive = tar::Archive::new(bytes);
    for entry in archive.entries().map_err(io)? {
        let mut entry = entry.map_err(io)?;
        let member = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if entry.header().entry_type() != tar::EntryType::Regular {
            return Err(BundleError::NotAFile { path: shown.to_owned(), member });
        }
        if !seen.insert(member.clone()) {
            return Err(BundleError::Repeated { path: shown.to_owned(), member });
        }
        let Some(slot) = files.member_mut(&member) else {
            return Err(BundleError::Unknown { path: shown.to_owned(), member });
        };
        entry.read_to_end(slot).map_err(io)?;
    }
    for (name, _) in BundleFiles::default().members() {
        if !seen.contains(name) {
            return Err(BundleError::Missing { path: shown.to_owned(), member: name });
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> BundleFiles {
        let mut files = BundleFiles::default();
        for (index, (name, _)) in BundleFiles::default().members().iter().enumerate() {
            *files.member_mut(name).unwrap() = format!("file {index}\n").into_bytes();
        }
        files
    }

    #[test]
    fn tar_round_trip_keeps_every_byte() {
        let files = sample();
        let tar = to_tar(&files);
        assert_eq!(to_tar(&files), tar, "packing is deterministic");
        let back = from_tar("b.tar", &tar).unwrap();
        assert_eq!(back.members(), files.members());
    }

    /// The bytes bundles had when they were packed by the tar crate's
    /// builder: what verifiers and earlier downloads hold stays valid.
    #[test]
    fn packing_member_by_member_gives_the_tar_builders_bytes() {
        let mut files = sample();
        files.targets = vec![b'x'; 1536];
        files.replacements = Some(b"replacement\n".to_vec());
        let mut builder = tar::Builder::new(Vec::new());
        for (name, bytes) in files.present() {
            let mut header = tar::Header::new_ustar();
            header.set_path(name).unwrap();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(0);
            header.set_uid(0);
            header.set_gid(0);
            header.set_entry_type(tar::EntryType::Regular);
            header.set_cksum();
            builder.append(&header, bytes.as_slice()).unwrap();
        }
        let expected = builder.into_inner().unwrap();
        assert_eq!(to_tar(&files), expected);
        let sizes = files.present().iter().map(|(_, bytes)| bytes.len() as u64).collect::<Vec<_>>();
        assert_eq!(tar_length(sizes), expected.len() as u64);
    }

    #[test]
    fn padding_fills_the_last_block_only() {
        assert_eq!(padding(0).len(), 0);
        assert_eq!(padding(1).len(), 511);
        assert_eq!(padding(512).len(), 0);
        assert_eq!(padding(513).len(), 511);
    }

    #[test]
    fn a_bundle_missing_a_member_is_refused() {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_ustar();
        header.set_path("commitment.tsv").unwrap();
        header.set_size(0);
        header.set_cksum();
        builder.append(&header, &[][..]).unwrap();
        let error = from_tar("b.tar", &builder.into_inner().unwrap()).unwrap_err();
        assert_eq!(error.to_string(), "b.tar: the bundle has no member named parameters.tsv");
    }
}

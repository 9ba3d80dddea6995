//! What an inspection records besides its outcome: the answer to each
//! point of the item's checklist (检查表), and the files attached as
//! evidence, whose kind is known from their first bytes, not their name.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An answer to one checklist point: 符合 / 不符合 / 不涉及.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Compliant,
    NonCompliant,
    NotApplicable,
}

impl Answer {
    pub fn as_str(self) -> &'static str {
        match self {
            Answer::Compliant => "compliant",
            Answer::NonCompliant => "non_compliant",
            Answer::NotApplicable => "not_applicable",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Answer::Compliant, Answer::NonCompliant, Answer::NotApplicable]
            .into_iter()
            .find(|a| a.as_str() == text)
    }
}

/// A note beside an answer: at most this many characters.
pub const MAX_ANSWER_NOTE_CHARS: usize = 1000;
/// Checklist text: a point, its legal basis, how to check it.
pub const MAX_POINT_CHARS: usize = 1000;
pub const MAX_LEGAL_BASIS_CHARS: usize = 500;
pub const MAX_METHOD_CHARS: usize = 1000;
/// Points in one item's checklist: a paper checklist has a few dozen.
pub const MAX_POINTS: i64 = 200;

/// The largest attachment: a phone photo downscaled in the browser is well
/// under 1 MiB, a scanned PDF of a few pages a few MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 10 << 20;
/// Attachments of one result.
pub const MAX_ATTACHMENTS: i64 = 20;
/// Characters of an attachment's name.
pub const MAX_ATTACHMENT_NAME_CHARS: usize = 200;

/// The kinds of file accepted as evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl MediaType {
    pub const ALL: [MediaType; 4] = [MediaType::Jpeg, MediaType::Png, MediaType::Webp, MediaType::Pdf];

    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Webp => "image/webp",
            MediaType::Pdf => "application/pdf",
        }
    }

    /// The type a `Content-Type` header names, parameters ignored.
    pub fn parse(header: &str) -> Option<Self> {
        let essence = header.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        MediaType::ALL.into_iter().find(|t| t.as_str() == essence)
    }

    /// Whether `bytes` begin as a file of this type does.
    pub fn matches(self, bytes: &[u8]) -> bool {
        match self {
            MediaType::Jpeg => bytes.starts_with(&[0xFF, 0xD8, 0xFF]),
            MediaType::Png => bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
            MediaType::Webp => bytes.len() >= 12 && bytes.starts_with(b"RIFF") && &bytes[8..12] == b"WEBP",
            MediaType::Pdf => bytes.starts_with(b"%PDF-"),
        }
    }
}

/// An attachment's name: 1 to 200 characters, no control characters and no
/// path separators (it is shown, and offered as a file name, never used as
/// a path). Returns the reason it is refused.
pub fn check_attachment_name(name: &str) -> Result<(), String> {
    let chars = name.chars().count();
    if name.trim().is_empty() {
        return Err("give the file's name".into());
    }
    if chars > MAX_ATTACHMENT_NAME_CHARS {
        return Err(format!("is {chars} characters long; at most {MAX_ATTACHMENT_NAME_CHARS} are allowed"));
    }
    if let Some(bad) = name.chars().find(|c| c.is_control() || matches!(c, '/' | '\\')) {
        return Err(format!(
            "contains U+{:04X}; control characters and path separators are refused",
            bad as u32
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_type_is_known_by_its_first_bytes() {
        assert!(MediaType::Png.matches(b"\x89PNG\r\n\x1a\n...."));
        assert!(!MediaType::Jpeg.matches(b"\x89PNG\r\n\x1a\n...."));
        assert!(MediaType::Webp.matches(b"RIFF\0\0\0\0WEBPVP8 "));
        assert!(MediaType::Pdf.matches(b"%PDF-1.7"));
        assert_eq!(MediaType::parse("Image/JPEG; q=1"), Some(MediaType::Jpeg));
        assert_eq!(MediaType::parse("image/gif"), None);
    }

    #[test]
    fn attachment_names_are_plain_names() {
        assert!(check_attachment_name("门头照片.jpg").is_ok());
        assert!(check_attachment_name("../etc/passwd").is_err());
        assert!(check_attachment_name("a\u{0}b").is_err());
        assert!(check_attachment_name(" ").is_err());
        assert!(check_attachment_name(&"长".repeat(201)).is_err());
    }

    #[test]
    fn answers_round_trip() {
        for answer in [Answer::Compliant, Answer::NonCompliant, Answer::NotApplicable] {
            assert_eq!(Answer::parse(answer.as_str()), Some(answer));
        }
    }
}

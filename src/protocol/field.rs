//! Field text: the values that appear inside manifests, parameters and
//! results (ids, stratum keys, regions, units, departments, item codes).
//!
//! Every published file is tab-separated lines, so a field must never hold a
//! tab, a line break or any other control character (PROTOCOL.md §2.1). A value
//! of one of the newtypes below has passed [`check_field`]; inside the crate it
//! is always valid.

use std::fmt;
use std::sync::Arc;

/// Longest field, in bytes of UTF-8.
pub const MAX_FIELD_BYTES: usize = 128;

/// Why a piece of text is not a valid field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("is empty")]
    Empty,
    #[error("is {len} bytes long; at most {max} are allowed")]
    TooLong { len: usize, max: usize },
    #[error("contains a tab at character {position}")]
    Tab { position: usize },
    #[error("contains a line break at character {position}")]
    LineBreak { position: usize },
    #[error("contains the control character U+{code:04X} at character {position}")]
    Control { code: u32, position: usize },
    #[error("contains {} at character {position}, an invisible format character, which is not allowed", describe_format(*code))]
    Format { code: u32, position: usize },
    #[error("begins or ends with white space")]
    SurroundingSpace,
    #[error("contains a comma at character {position}, which separates item codes")]
    Comma { position: usize },
    #[error("{0}")]
    Invalid(String),
}

/// Checks that `text` may stand in a field of at most `max` bytes.
///
/// Positions in errors count characters from 1, as a person reading the value
/// would count them.
pub fn check_field(text: &str, max: usize) -> Result<(), FieldError> {
    if text.is_empty() {
        return Err(FieldError::Empty);
    }
    if text.len() > max {
        return Err(FieldError::TooLong { len: text.len(), max });
    }
    // ASCII fast path: ids are mostly ASCII, and this runs once per manifest row.
    if is_printable_ascii(text.as_bytes()) {
        if text.starts_with(' ') || text.ends_with(' ') {
            return Err(FieldError::SurroundingSpace);
        }
        return Ok(());
    }
    for (index, c) in text.chars().enumerate() {
        let position = index + 1;
        match c {
            '\t' => return Err(FieldError::Tab { position }),
            '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}' => {
                return Err(FieldError::LineBreak { position });
            }
            c if c.is_control() => {
                return Err(FieldError::Control { code: c as u32, position });
            }
            c if is_format_character(c) => {
                return Err(FieldError::Format { code: c as u32, position });
            }
            _ => {}
        }
    }
    if text.starts_with(char::is_whitespace) || text.ends_with(char::is_whitespace) {
        return Err(FieldError::SurroundingSpace);
    }
    Ok(())
}

/// The invisible format characters a field text may not hold (PROTOCOL.md
/// §2.1): Unicode's general category Cf, fixed as a list so that every
/// implementation refuses the same set whatever its Unicode tables. They
/// draw nothing or reorder what follows, so two different ids containing
/// them can look the same on a page.
const FORMAT_CHARACTERS: [(u32, u32); 21] = [
    (0x00AD, 0x00AD),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x180E, 0x180E),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0x2066, 0x206F),
    (0xFEFF, 0xFEFF),
    (0xFFF9, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),
    (0xE0020, 0xE007F),
];

/// Whether `c` is one of the [`FORMAT_CHARACTERS`].
pub fn is_format_character(c: char) -> bool {
    let code = c as u32;
    FORMAT_CHARACTERS.iter().any(|&(first, last)| (first..=last).contains(&code))
}

/// `U+202E RIGHT-TO-LEFT OVERRIDE`: the code point, and the name of the
/// format characters people meet in pasted text.
fn describe_format(code: u32) -> String {
    let name = match code {
        0x00AD => "SOFT HYPHEN",
        0x061C => "ARABIC LETTER MARK",
        0x180E => "MONGOLIAN VOWEL SEPARATOR",
        0x200B => "ZERO WIDTH SPACE",
        0x200C => "ZERO WIDTH NON-JOINER",
        0x200D => "ZERO WIDTH JOINER",
        0x200E => "LEFT-TO-RIGHT MARK",
        0x200F => "RIGHT-TO-LEFT MARK",
        0x202A => "LEFT-TO-RIGHT EMBEDDING",
        0x202B => "RIGHT-TO-LEFT EMBEDDING",
        0x202C => "POP DIRECTIONAL FORMATTING",
        0x202D => "LEFT-TO-RIGHT OVERRIDE",
        0x202E => "RIGHT-TO-LEFT OVERRIDE",
        0x2060 => "WORD JOINER",
        0x2061 => "FUNCTION APPLICATION",
        0x2062 => "INVISIBLE TIMES",
        0x2063 => "INVISIBLE SEPARATOR",
        0x2064 => "INVISIBLE PLUS",
        0x2066 => "LEFT-TO-RIGHT ISOLATE",
        0x2067 => "RIGHT-TO-LEFT ISOLATE",
        0x2068 => "FIRST STRONG ISOLATE",
        0x2069 => "POP DIRECTIONAL ISOLATE",
        0xFEFF => "ZERO WIDTH NO-BREAK SPACE (byte order mark)",
        _ => return format!("U+{code:04X}"),
    };
    format!("U+{code:04X} {name}")
}

/// Refuses invisible format characters in free text (names, reasons) that
/// is shown beside ids but is not itself a field text.
pub fn check_visible(text: &str) -> Result<(), FieldError> {
    match text.chars().enumerate().find(|&(_, c)| is_format_character(c)) {
        Some((index, c)) => Err(FieldError::Format { code: c as u32, position: index + 1 }),
        None => Ok(()),
    }
}

/// Whether every byte is printable ASCII (0x20 to 0x7E), eight bytes at a
/// time: the common case for ids, checked for every row of a manifest.
fn is_printable_ascii(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Whether some byte of `word` is below `n` (n <= 128); exact as a yes/no
    // answer (Bit Twiddling Hacks, "hasless").
    let has_less = |word: u64, n: u64| word.wrapping_sub(ONES * n) & !word & HIGH != 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().expect("chunks of eight"));
        let is_delete = has_less(word ^ (ONES * 0x7f), 1);
        if word & HIGH != 0 || has_less(word, 0x20) || is_delete {
            return false;
        }
    }
    chunks.remainder().iter().all(|b| (0x20..0x7f).contains(b))
}

macro_rules! field_newtype {
    ($(#[$doc:meta])* $name:ident, $max:expr) => {
        $(#[$doc])*
        // Shared, so that a result naming the same inspector or department
        // thousands of times holds one copy of the text.
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            pub fn parse(text: &str) -> Result<Self, FieldError> {
                check_field(text, $max)?;
                Ok(Self(Arc::from(text)))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// The text, shared rather than copied.
            pub fn shared(&self) -> Arc<str> {
                Arc::clone(&self.0)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&text).map_err(|error| serde::de::Error::custom(format!("'{text}' {error}")))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // Hash, Eq and Ord come from the inner str, so a map keyed by the
        // newtype can be looked up by `&str`.
        impl std::borrow::Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

field_newtype!(
    /// A target's id in the target directory (e.g. a unified social credit code).
    TargetId,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// An inspector's id in the inspector directory.
    InspectorId,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// An administrative region; the cross rule compares them.
    Region,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// An organisational unit; the cross rule may compare them.
    Unit,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// A task's id, as it appears in the parameters.
    TaskId,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// A stratum key: targets of one stratum share a quota rule.
    StratumKey,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// A department taking part in a task; each draws its own inspectors.
    Department,
    MAX_FIELD_BYTES
);
field_newtype!(
    /// The declared source of a draw's public entropy, fixed at commitment.
    EntropySource,
    1024
);
field_newtype!(
    /// The public entropy itself (ceremony input, beacon value).
    Entropy,
    4096
);

/// An inspection item's code. Unlike other fields it may not hold a comma,
/// which separates codes in the inspector manifest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ItemCode(Arc<str>);

impl ItemCode {
    /// The text, shared rather than copied.
    pub fn shared(&self) -> Arc<str> {
        Arc::clone(&self.0)
    }

    pub fn parse(text: &str) -> Result<Self, FieldError> {
        check_field(text, MAX_FIELD_BYTES)?;
        if let Some(index) = text.chars().position(|c| c == ',') {
            return Err(FieldError::Comma { position: index + 1 });
        }
        Ok(Self(Arc::from(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl serde::Serialize for ItemCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl fmt::Display for ItemCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_ids_including_chinese_text() {
        assert_eq!(check_field("91320102MA1X2Y3Z4A", 128), Ok(()));
        assert_eq!(check_field("鼓楼区 市场监管局", 128), Ok(()));
    }

    #[test]
    fn rejects_what_would_break_a_line_or_a_column() {
        assert_eq!(check_field("", 128), Err(FieldError::Empty));
        assert_eq!(check_field("a\tb", 128), Err(FieldError::Tab { position: 2 }));
        assert_eq!(check_field("ab\n", 128), Err(FieldError::LineBreak { position: 3 }));
        assert_eq!(check_field("a\rb", 128), Err(FieldError::LineBreak { position: 2 }));
        assert_eq!(check_field("甲\u{2028}", 128), Err(FieldError::LineBreak { position: 2 }));
        assert_eq!(check_field("a\u{7}", 128), Err(FieldError::Control { code: 7, position: 2 }));
        assert_eq!(check_field("é\u{9f}", 128), Err(FieldError::Control { code: 0x9f, position: 2 }));
        assert_eq!(check_field(" a", 128), Err(FieldError::SurroundingSpace));
        assert_eq!(check_field("甲\u{3000}", 128), Err(FieldError::SurroundingSpace));
        assert_eq!(check_field("abcd", 3), Err(FieldError::TooLong { len: 4, max: 3 }));
    }

    #[test]
    fn refuses_invisible_format_characters_naming_the_code_point() {
        let override_ = check_field("M001\u{202e}1", 128).unwrap_err();
        assert_eq!(override_, FieldError::Format { code: 0x202e, position: 5 });
        assert_eq!(
            override_.to_string(),
            "contains U+202E RIGHT-TO-LEFT OVERRIDE at character 5, an invisible format character, which is not allowed"
        );
        for code in
            [0x202a, 0x202d, 0x2066, 0x2069, 0xfeff, 0x200b, 0x200f, 0x2060, 0x2064, 0x061c, 0x180e, 0xad]
        {
            let c = char::from_u32(code).unwrap();
            assert_eq!(check_field(&format!("甲{c}乙"), 128), Err(FieldError::Format { code, position: 2 }));
            assert_eq!(check_visible(&format!("{c}")), Err(FieldError::Format { code, position: 1 }));
        }
        assert_eq!(check_field("\u{e0041}", 128).unwrap_err().to_string().split(' ').nth(1), Some("U+E0041"));
        // Neighbours of the refused ranges stay allowed.
        for text in ["a\u{2010}b", "a\u{2065}b", "a\u{2070}", "\u{fefc}", "a\u{2027}b", "甲\u{e0100}"] {
            assert_eq!(check_field(text, 128), Ok(()), "{text:?}");
        }
    }

    #[test]
    fn the_format_list_is_unicode_general_category_cf() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            let cf = c.general_category() == GeneralCategory::Format;
            assert_eq!(is_format_character(c), cf, "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn the_ascii_fast_path_agrees_with_a_byte_by_byte_check() {
        for byte in 0u8..=255 {
            for position in 0..17 {
                let mut bytes = vec![b'a'; 17];
                bytes[position] = byte;
                let plain = bytes.iter().all(|b| (0x20..0x7f).contains(b));
                assert_eq!(is_printable_ascii(&bytes), plain, "byte {byte:#x} at {position}");
            }
        }
    }

    #[test]
    fn item_codes_may_not_hold_commas() {
        assert_eq!(ItemCode::parse("A,B"), Err(FieldError::Comma { position: 2 }));
        assert!(ItemCode::parse("SC-01").is_ok());
    }
}

//! Reading and writing the published files: UTF-8, one record per line, LF
//! after every line (the last one too), fields separated by one tab
//! (PROTOCOL.md §2.1). Readers are strict: a file has exactly one spelling.

use std::fmt;

/// Where a published file is malformed: file, line, column and reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    pub file: &'static str,
    /// Line number counted from 1; `None` when the whole file is at fault.
    pub line: Option<usize>,
    pub column: Option<&'static str>,
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file)?;
        if let Some(line) = self.line {
            write!(f, " line {line}")?;
        }
        if let Some(column) = self.column {
            write!(f, ", column {column}")?;
        }
        write!(f, ": {}", self.reason)
    }
}

impl ParseError {
    pub fn file(file: &'static str, reason: impl Into<String>) -> Self {
        Self { file, line: None, column: None, reason: reason.into() }
    }

    pub fn line(file: &'static str, line: usize, reason: impl Into<String>) -> Self {
        Self { file, line: Some(line), column: None, reason: reason.into() }
    }

    pub fn field(file: &'static str, line: usize, column: &'static str, reason: impl fmt::Display) -> Self {
        Self { file, line: Some(line), column: Some(column), reason: reason.to_string() }
    }
}

/// The lines of a published file, numbered from 1, without their LF.
pub fn lines<'a>(
    file: &'static str,
    bytes: &'a [u8],
) -> Result<impl Iterator<Item = (usize, &'a str)>, ParseError> {
    let text = std::str::from_utf8(bytes).map_err(|error| utf8_error(file, bytes, error))?;
    text_lines(file, text)
}

/// Takes ownership of a published file's bytes once they are known to be
/// UTF-8, so that large files are checked only once.
pub fn decode(file: &'static str, bytes: Vec<u8>) -> Result<String, ParseError> {
    String::from_utf8(bytes).map_err(|error| utf8_error(file, error.as_bytes(), error.utf8_error()))
}

/// The lines of text already known to be UTF-8.
pub fn text_lines<'a>(
    file: &'static str,
    text: &'a str,
) -> Result<impl Iterator<Item = (usize, &'a str)>, ParseError> {
    let Some(body) = text.strip_suffix('\n') else {
        return Err(ParseError::file(file, "does not end with a line feed (LF)"));
    };
    Ok(body.split('\n').enumerate().map(|(index, line)| (index + 1, line)))
}

fn utf8_error(file: &'static str, bytes: &[u8], error: std::str::Utf8Error) -> ParseError {
    let line = bytes[..error.valid_up_to()].iter().filter(|&&b| b == b'\n').count() + 1;
    ParseError::line(file, line, "is not valid UTF-8")
}

/// Splits a line into exactly `N` tab-separated fields.
pub fn fields<'a, const N: usize>(
    file: &'static str,
    number: usize,
    line: &'a str,
) -> Result<[&'a str; N], ParseError> {
    let mut out = [""; N];
    let mut parts = line.split('\t');
    for (index, slot) in out.iter_mut().enumerate() {
        *slot = parts
            .next()
            .ok_or_else(|| ParseError::line(file, number, format!("has {index} fields; {N} are expected")))?;
    }
    if parts.next().is_some() {
        let found = line.split('\t').count();
        return Err(ParseError::line(file, number, format!("has {found} fields; {N} are expected")));
    }
    Ok(out)
}

/// The values of a small document of `key⇥value` lines in a fixed order
/// (the commitment, the reveal, the drand round), whose first line names
/// the document and its protocol version: each line's key is checked in
/// turn, then the version. The caller has checked the number of lines.
pub fn keyed_values<'a>(
    file: &'static str,
    lines: &[(usize, &'a str)],
    keys: &[&str],
    version: &str,
) -> Result<Vec<&'a str>, ParseError> {
    let mut values = Vec::with_capacity(keys.len());
    for (&(number, line), key) in lines.iter().zip(keys) {
        let [found, value] = fields(file, number, line)?;
        if found != *key {
            return Err(ParseError::line(file, number, format!("a '{key}' line is expected here")));
        }
        values.push(value);
    }
    if values.first().is_some_and(|found| *found != version) {
        return Err(ParseError::line(file, 1, format!("protocol version '{}' is not {version}", values[0])));
    }
    Ok(values)
}

/// Parses a decimal number with no sign and no leading zeros.
pub fn parse_count(text: &str) -> Result<u64, String> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'))
        && text.len() <= 19;
    if !canonical {
        return Err(format!("'{text}' is not a decimal number without leading zeros"));
    }
    text.parse().map_err(|_| format!("'{text}' is too large"))
}

/// Appends one record: fields joined by tabs, then LF.
pub fn push_record(out: &mut Vec<u8>, fields: &[&str]) {
    for (index, field) in fields.iter().enumerate() {
        if index > 0 {
            out.push(b'\t');
        }
        out.extend_from_slice(field.as_bytes());
    }
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_needs_its_line_feed() {
        assert!(lines("f", b"a\nb").is_err());
        let got: Vec<_> = lines("f", b"a\nb\n").unwrap().collect();
        assert_eq!(got, vec![(1, "a"), (2, "b")]);
    }

    #[test]
    fn invalid_utf8_names_its_line() {
        let error = lines("f", b"a\n\xff\n").err().unwrap();
        assert_eq!(error.to_string(), "f line 2: is not valid UTF-8");
    }

    #[test]
    fn field_count_must_match() {
        assert_eq!(fields::<2>("f", 3, "a\tb").unwrap(), ["a", "b"]);
        assert_eq!(
            fields::<2>("f", 3, "a").unwrap_err().to_string(),
            "f line 3: has 1 fields; 2 are expected"
        );
        assert_eq!(
            fields::<2>("f", 3, "a\tb\tc").unwrap_err().to_string(),
            "f line 3: has 3 fields; 2 are expected"
        );
    }

    #[test]
    fn counts_have_one_spelling() {
        assert_eq!(parse_count("0"), Ok(0));
        assert_eq!(parse_count("120"), Ok(120));
        assert!(parse_count("012").is_err());
        assert!(parse_count("+1").is_err());
        assert!(parse_count("").is_err());
        assert!(parse_count("99999999999999999999").is_err());
    }
}

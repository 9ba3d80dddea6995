//! Every error code the server can answer with has a message in the staff
//! console's tables of refusals (public/console/i18n/{zh,en}/errors.js), so
//! that a refusal is never shown to a Chinese reader in English alone; and
//! the tables name no code the server does not have.
//!
//! The codes are read from the source, where errors are made:
//! `ServiceError::invalid("code", …)`, `ServiceError::conflict("code", …)`,
//! `ServiceError::{Conflict, Invalid, RefusedLines} { code: "code", … }`,
//! `AppError::new(status, "code", …)`, `AppError::bad_request("code", …)`,
//! `AppError::unavailable("code", …)`, the status-to-code arms of the HTTP
//! layer's own answers (src/http/error.rs), a code chosen by
//! `let code = match … { … => "code" … };`, the readiness answer's
//! `NotReady { code: "code", … }`, and the calls of a module's own helpers
//! that take a `code: &'static str` (found from their definitions, applied
//! within the helper's directory).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A code: a string literal of lower-case letters, digits and underscores.
fn code_literal(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('"')?.strip_suffix('"')?;
    let ok = !inner.is_empty()
        && inner.starts_with(|c: char| c.is_ascii_lowercase())
        && inner.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    ok.then(|| inner.to_owned())
}

/// The top-level arguments of the call whose `(` is at the start of
/// `text`, up to its closing parenthesis.
fn arguments(text: &str) -> Vec<&str> {
    let mut depth = 0usize;
    let mut start = 1;
    let mut out = Vec::new();
    let mut in_string = false;
    let mut previous = ' ';
    for (at, c) in text.char_indices() {
        if in_string {
            if c == '"' && previous != '\\' {
                in_string = false;
            }
            previous = if previous == '\\' && c == '\\' { ' ' } else { c };
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    out.push(&text[start..at]);
                    return out;
                }
            }
            ',' if depth == 1 => {
                out.push(&text[start..at]);
                start = at + 1;
            }
            _ => {}
        }
        previous = c;
    }
    out
}

/// The literal at argument `index` of every call `marker(` in `source`.
fn call_codes(source: &str, marker: &str, index: usize, out: &mut BTreeSet<String>) {
    let mut from = 0;
    while let Some(found) = source[from..].find(marker) {
        let at = from + found;
        from = at + marker.len();
        // A whole name: `invalid(` is not the end of `is_invalid(`.
        let before = source[..at].chars().next_back();
        if marker.starts_with(|c: char| c.is_ascii_lowercase())
            && before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let args = arguments(&source[at + marker.len() - 1..]);
        if let Some(code) = args.get(index).and_then(|arg| code_literal(arg)) {
            out.insert(code);
        }
    }
}

/// `code: "code"` inside every `marker {` … `}` of `source`.
fn struct_codes(source: &str, marker: &str, out: &mut BTreeSet<String>) {
    let mut from = 0;
    while let Some(found) = source[from..].find(marker) {
        let at = from + found + marker.len();
        from = at;
        let body = &source[at..];
        let end = body.find('}').unwrap_or(body.len());
        if let Some(code) =
            body[..end].split("code:").nth(1).and_then(|rest| code_literal(rest.split([',', '}']).next()?))
        {
            out.insert(code);
        }
    }
}

/// The helpers that take a code (`fn name(…, code: &'static str, …)`):
/// their name, the position of the code among their parameters, and the
/// directory they may be called from (private ones, or `pub(super)`).
fn code_helpers(files: &[(PathBuf, String)]) -> Vec<(String, usize, PathBuf)> {
    let mut helpers = Vec::new();
    for (path, source) in files {
        let mut from = 0;
        while let Some(found) = source[from..].find("fn ") {
            let at = from + found + 3;
            from = at;
            // A public function (`ServiceError::invalid`) is called by its
            // full name, which the markers above find.
            if source[..at - 3].ends_with("pub ") {
                continue;
            }
            let Some(open) = source[at..].find('(') else { break };
            let name = &source[at..at + open];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let params = arguments(&source[at + open..]);
            if let Some(index) = params.iter().position(|p| p.trim() == "code: &'static str") {
                helpers.push((name.to_owned(), index, path.parent().unwrap().to_owned()));
            }
        }
    }
    helpers
}

/// Every error code made in src/.
fn server_codes() -> BTreeSet<String> {
    let mut paths = Vec::new();
    rust_files(&root().join("src"), &mut paths);
    let files: Vec<(PathBuf, String)> =
        paths.into_iter().map(|path| (path.clone(), std::fs::read_to_string(&path).unwrap())).collect();
    let helpers = code_helpers(&files);
    let mut codes = BTreeSet::new();
    for (path, source) in &files {
        for marker in ["ServiceError::invalid(", "ServiceError::conflict(", "bad_request(", "unavailable("] {
            call_codes(source, marker, 0, &mut codes);
        }
        call_codes(source, "AppError::new(", 1, &mut codes);
        if path.ends_with("src/http/error.rs") {
            call_codes(source, "Self::new(", 1, &mut codes);
        }
        for marker in [
            "ServiceError::Conflict {",
            "ServiceError::Invalid {",
            "ServiceError::RefusedLines {",
            "NotReady {",
        ] {
            struct_codes(source, marker, &mut codes);
        }
        for (name, index, dir) in &helpers {
            if path.starts_with(dir) {
                call_codes(source, &format!("{name}("), *index, &mut codes);
            }
        }
        // A code chosen among several: `let code = match … { … => "code", … };`.
        for piece in source.split("let code = match").skip(1) {
            let block = &piece[..piece.find("};").unwrap_or(piece.len())];
            for arm in block.split("=> ").skip(1) {
                if let Some(code) = arm.split([',', '\n']).next().and_then(code_literal) {
                    codes.insert(code);
                }
            }
        }
        if path.ends_with("src/http/error.rs") {
            // The status-to-code arms: `StatusCode::X => "code"`,
            // `_ => "code"` and `(StatusCode::X, "code", …)`.
            for piece in source.split("=> ").skip(1) {
                if let Some(code) = piece.split([',', '\n']).next().and_then(code_literal) {
                    codes.insert(code);
                }
            }
            for piece in source.split("StatusCode::").skip(1) {
                let rest = piece.trim_start_matches(|c: char| c.is_ascii_uppercase() || c == '_');
                let rest = rest.trim_start();
                let rest = rest.strip_prefix("=>").or_else(|| rest.strip_prefix(',')).map(str::trim_start);
                if let Some(rest) = rest
                    && let Some(code) = rest.split([',', ')', '\n']).next().and_then(code_literal)
                {
                    codes.insert(code);
                }
            }
        }
    }
    codes
}

/// The codes of a console table of refusals: its keys `'refusal.<code>'`.
fn table_codes(lang: &str) -> BTreeMap<String, String> {
    let path = root().join(format!("public/console/i18n/{lang}/errors.js"));
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut codes = BTreeMap::new();
    for line in source.lines() {
        let Some(rest) = line.trim().strip_prefix("'refusal.") else { continue };
        let Some((code, message)) = rest.split_once("':") else { continue };
        let message = message.trim().trim_end_matches(',').trim_matches(['\'', '`']).to_owned();
        assert!(!message.is_empty(), "{lang}: refusal.{code} has no message");
        assert!(codes.insert(code.to_owned(), message).is_none(), "{lang}: refusal.{code} twice");
    }
    codes
}

#[test]
fn the_scan_finds_the_codes_known_to_exist() {
    let codes = server_codes();
    for known in [
        "plan_not_approved",
        "invalid_frequency",
        "invalid_query",
        "invalid_json",
        "not_found",
        "forbidden",
        "unauthorized",
        "csrf",
        "internal",
        "bad_credentials",
        "too_many_failed_attempts",
        "payload_too_large",
        "invalid_csv",
        "unknown_reference",
        "invalid_state",
        "in_progress",
        "too_many_imports",
        "invalid_categories",
        "invalid_batch_name",
        "invalid_name",
        "unsupported_attachment_type",
        "method_not_allowed",
        "unsupported_media_type",
        "migrations_pending",
        "invalid_request",
        "task_abandoned",
    ] {
        assert!(codes.contains(known), "the scan of src/ misses {known}; it found {codes:?}");
    }
    // Field names passed to helpers that take a field, not a code, are no codes.
    for field in ["department", "inspector_id", "outcome", "inspection_date", "limit"] {
        assert!(!codes.contains(field), "the scan took the field {field} for a code");
    }
}

#[test]
fn every_error_code_has_a_message_in_both_languages_and_no_other() {
    let codes = server_codes();
    for lang in ["zh", "en"] {
        let table = table_codes(lang);
        let missing: Vec<_> = codes.iter().filter(|code| !table.contains_key(*code)).collect();
        assert!(missing.is_empty(), "public/console/i18n/{lang}/errors.js has no message for {missing:?}");
        let unknown: Vec<_> = table.keys().filter(|code| !codes.contains(*code)).collect();
        assert!(
            unknown.is_empty(),
            "public/console/i18n/{lang}/errors.js names codes the server has not: {unknown:?}"
        );
    }
    let zh = table_codes("zh");
    for (code, message) in &zh {
        assert!(
            message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "the Chinese message for {code} is not in Chinese: {message}"
        );
    }
}

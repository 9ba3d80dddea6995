//! The body of `POST /add-checkpoint` (C2SP tlog-witness): `old <size>`,
//! up to 63 consistency proof hashes in base64, one a line, an empty line,
//! then the signed checkpoint.

use tlog_tiles::Hash;

/// At most this many proof lines: enough for a tree of 2^63 leaves.
pub const MAX_PROOF_LINES: usize = 63;

#[derive(Debug)]
pub struct AddCheckpoint<'a> {
    pub old: u64,
    pub proof: Vec<Hash>,
    /// The signed note: the checkpoint and its signature lines.
    pub checkpoint: &'a [u8],
}

/// Why a body is not an add-checkpoint request.
pub type BadBody = String;

pub fn parse(body: &[u8]) -> Result<AddCheckpoint<'_>, BadBody> {
    let (first, mut rest) = split_line(body).ok_or("the body has no line ending in a newline")?;
    let old = std::str::from_utf8(first)
        .ok()
        .and_then(|line| line.strip_prefix("old "))
        .ok_or("the first line is not `old <size>`")?;
    let old =
        decimal(old).ok_or_else(|| format!("old size {old:?} is not a decimal without leading zeros"))?;
    let mut proof = Vec::new();
    loop {
        let (line, after) = split_line(rest).ok_or("no empty line before the checkpoint")?;
        rest = after;
        if line.is_empty() {
            break;
        }
        if proof.len() == MAX_PROOF_LINES {
            return Err(format!("more than {MAX_PROOF_LINES} consistency proof lines"));
        }
        let hash = std::str::from_utf8(line)
            .ok()
            .and_then(|line| Hash::parse_hash(line).ok())
            .ok_or_else(|| format!("proof line {} is not a base64 32-byte hash", proof.len() + 1))?;
        proof.push(hash);
    }
    if rest.is_empty() {
        return Err("no checkpoint after the empty line".into());
    }
    Ok(AddCheckpoint { old, proof, checkpoint: rest })
}

fn split_line(text: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = text.iter().position(|&b| b == b'\n')?;
    Some((&text[..end], &text[end + 1..]))
}

/// ASCII decimal with no leading zeros (`0` alone for zero).
pub fn decimal(text: &str) -> Option<u64> {
    let canonical = !text.is_empty()
        && text.bytes().all(|b| b.is_ascii_digit())
        && (text == "0" || !text.starts_with('0'));
    canonical.then(|| text.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HASH: &str = "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=";

    #[test]
    fn a_request_is_old_size_proof_lines_an_empty_line_and_the_checkpoint() {
        let body = format!("old 20852014\n{HASH}\n{HASH}\n\norigin\n5\n{HASH}\n\n— origin AAAA\n");
        let request = parse(body.as_bytes()).unwrap();
        assert_eq!(request.old, 20_852_014);
        assert_eq!(request.proof.len(), 2);
        assert_eq!(request.checkpoint, format!("origin\n5\n{HASH}\n\n— origin AAAA\n").as_bytes());
        let first = parse(b"old 0\n\nc\n").unwrap();
        assert_eq!((first.old, first.proof.len()), (0, 0));
    }

    #[test]
    fn a_malformed_request_is_refused_with_its_reason() {
        for (body, reason) in [
            ("", "no line"),
            ("old 01\n\nc\n", "leading zeros"),
            ("old -1\n\nc\n", "decimal"),
            ("old 18446744073709551616\n\nc\n", "decimal"),
            ("new 1\n\nc\n", "old <size>"),
            ("old 1\nnot base64\n\nc\n", "proof line 1"),
            ("old 1\nAAAA\n\nc\n", "proof line 1"),
            ("old 1\n", "no empty line"),
            ("old 1\n\n", "no checkpoint"),
        ] {
            let error = parse(body.as_bytes()).unwrap_err();
            assert!(error.contains(reason), "{body:?}: {error}");
        }
        let too_long = format!("old 1\n{}\nc\n", format!("{HASH}\n").repeat(64));
        assert!(parse(too_long.as_bytes()).unwrap_err().contains("more than 63"));
        let longest = format!("old 1\n{}\nc\n", format!("{HASH}\n").repeat(63));
        assert_eq!(parse(longest.as_bytes()).unwrap().proof.len(), 63);
    }
}

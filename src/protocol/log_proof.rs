//! `log.tsv` (PROTOCOL.md §15.6): what a bundle carries to show, with no
//! other download, that its task's log entries are in the log the server
//! signed — the task's entries, each with its inclusion proof against a
//! signed checkpoint — and, when witnesses cosigned a checkpoint holding the
//! commitment, that checkpoint with its cosignatures, the commitment's
//! inclusion in it and its consistency with the first.

use base64::Engine as _;
use base64::prelude::BASE64_STANDARD;
use signed_note::{Note, Verifier as _};

use super::cosignature::{CosignatureVerifier, timestamp_of};
use super::digest::Digest;
use super::log::{LogEntry, kind, pins_of_task};
use super::tlog::{TreeHash, check_consistency, check_inclusion, hash_hex, open_checkpoint, parse_hash_hex};
use super::verify::Pins;

pub const LOG_PROOF_FILE: &str = "log.tsv";
const MAGIC: &str = "opendraw-log-proof\t1";

/// The parsed `log.tsv`.
#[derive(Debug, Clone, PartialEq)]
pub struct LogProof {
    /// The log's verifier key, `origin+id+base64`, as the server names it.
    pub key: String,
    /// The signed checkpoint the entries are proven in, with any cosignatures.
    pub checkpoint: Vec<u8>,
    /// The task's entries, in order, each with its inclusion proof.
    pub entries: Vec<(LogEntry, Vec<TreeHash>)>,
    pub witnessed: Option<Witnessed>,
}

/// A cosigned checkpoint that holds the task's commitment.
#[derive(Debug, Clone, PartialEq)]
pub struct Witnessed {
    /// The signed checkpoint with its witnesses' cosignature lines.
    pub checkpoint: Vec<u8>,
    /// The `task.committed` entry's number, and its inclusion proof here.
    pub seq: u64,
    pub inclusion: Vec<TreeHash>,
    /// The proof that this checkpoint's tree is the start of the first's.
    pub consistency: Vec<TreeHash>,
}

fn proof_text(proof: &[TreeHash]) -> String {
    proof.iter().map(hash_hex).collect::<Vec<_>>().join(",")
}

fn parse_proof(text: &str) -> Result<Vec<TreeHash>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(|hash| parse_hash_hex(hash).ok_or_else(|| format!("{hash:?} is not a 64-digit hex hash")))
        .collect()
}

fn note_of(text: &str) -> Result<Vec<u8>, String> {
    BASE64_STANDARD.decode(text).map_err(|_| "the checkpoint is not base64".to_owned())
}

impl LogProof {
    pub fn to_text(&self) -> Vec<u8> {
        let mut out =
            format!("{MAGIC}\nkey\t{}\ncheckpoint\t{}\n", self.key, BASE64_STANDARD.encode(&self.checkpoint));
        for (entry, proof) in &self.entries {
            out.push_str(&format!(
                "entry\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                entry.seq,
                entry.at,
                entry.kind,
                entry.task.map(|task| task.to_string()).unwrap_or_default(),
                entry.actor,
                BASE64_STANDARD.encode(entry.payload.as_bytes()),
                entry.prev_hash.to_hex(),
                entry.hash.to_hex(),
                proof_text(proof),
            ));
        }
        if let Some(witnessed) = &self.witnessed {
            out.push_str(&format!(
                "witnessed\t{}\t{}\t{}\t{}\n",
                BASE64_STANDARD.encode(&witnessed.checkpoint),
                witnessed.seq,
                proof_text(&witnessed.inclusion),
                proof_text(&witnessed.consistency),
            ));
        }
        out.into_bytes()
    }

    /// Reads `log.tsv`; a line it cannot read is named by its number.
    pub fn parse(bytes: &[u8]) -> Result<Self, String> {
        let text = std::str::from_utf8(bytes).map_err(|_| "log.tsv is not UTF-8".to_owned())?;
        let text = text.strip_suffix('\n').ok_or("log.tsv does not end with a newline")?;
        let mut lines = text.split('\n').enumerate().map(|(index, line)| (index + 1, line));
        if lines.next().map(|(_, line)| line) != Some(MAGIC) {
            return Err(format!("log.tsv does not start with {MAGIC:?}"));
        }
        let mut key = None;
        let mut checkpoint = None;
        let mut entries = Vec::new();
        let mut witnessed = None;
        for (number, line) in lines {
            let at = |problem: String| format!("log.tsv line {number}: {problem}");
            let fields: Vec<&str> = line.split('\t').collect();
            match (fields[0], fields.len()) {
                ("key", 2) if key.is_none() => key = Some(fields[1].to_owned()),
                ("checkpoint", 2) if checkpoint.is_none() => {
                    checkpoint = Some(note_of(fields[1]).map_err(at)?)
                }
                ("entry", 10) => {
                    let number = |text: &str, what: &str| {
                        text.parse::<u64>().map_err(|_| at(format!("{what} {text:?} is not a number")))
                    };
                    let task = match fields[4] {
                        "" => None,
                        task => Some(number(task, "the task")?),
                    };
                    let payload = BASE64_STANDARD
                        .decode(fields[6])
                        .ok()
                        .and_then(|bytes| String::from_utf8(bytes).ok())
                        .ok_or_else(|| at("the payload is not base64 of UTF-8 text".into()))?;
                    let digest = |text: &str| Digest::parse_hex(text).map_err(|error| at(error.to_string()));
                    let entry = LogEntry::new(
                        number(fields[1], "the sequence number")?,
                        fields[2].to_owned(),
                        fields[3],
                        task,
                        fields[5],
                        payload,
                        digest(fields[7])?,
                    );
                    if entry.hash != digest(fields[8])? {
                        return Err(at(format!("entry {} does not hash to the hash it states", entry.seq)));
                    }
                    entries.push((entry, parse_proof(fields[9]).map_err(at)?));
                }
                ("witnessed", 5) if witnessed.is_none() => {
                    witnessed = Some(Witnessed {
                        checkpoint: note_of(fields[1]).map_err(at)?,
                        seq: fields[2].parse().map_err(|_| at(format!("{:?} is not a number", fields[2])))?,
                        inclusion: parse_proof(fields[3]).map_err(at)?,
                        consistency: parse_proof(fields[4]).map_err(at)?,
                    })
                }
                (name, count) => return Err(at(format!("an unexpected {name:?} line of {count} fields"))),
            }
        }
        Ok(Self {
            key: key.ok_or("log.tsv names no key")?,
            checkpoint: checkpoint.ok_or("log.tsv holds no checkpoint")?,
            entries,
            witnessed,
        })
    }
}

/// What checking `log.tsv` found.
#[derive(Debug, Default)]
pub struct LogProofReport {
    /// Each check, passed or not, in words.
    pub checks: Vec<(bool, String)>,
    /// Things worth knowing that pass or fail nothing.
    pub notes: Vec<String>,
    /// What the proven entries pin of the bundle, when every check passed.
    pub pins: Option<Pins>,
}

impl LogProofReport {
    fn check(&mut self, passed: bool, text: impl Into<String>) -> bool {
        self.checks.push((passed, text.into()));
        passed
    }

    pub fn passed(&self) -> bool {
        self.checks.iter().all(|(passed, _)| *passed)
    }
}

/// Checks the proof: the checkpoint's signature by the log's key (the one
/// the reader trusts, `trusted_key`, or else the one the file names), each
/// entry's inclusion, the witnessed checkpoint's inclusion and consistency,
/// and its cosignatures by the `witnesses` the reader trusts. When the task
/// drew a drand round at `round_time` (milliseconds since the epoch), a
/// commitment whose every trusted cosignature came at or after it fails.
pub fn check(
    proof: &LogProof,
    task: u64,
    trusted_key: Option<&str>,
    witnesses: &[CosignatureVerifier],
    round_time: Option<i64>,
) -> LogProofReport {
    let mut report = LogProofReport::default();
    let key = match trusted_key {
        Some(trusted) => {
            if !report.check(
                trusted == proof.key,
                format!("log key: the bundle names {}, the key given", proof.key),
            ) {
                return report;
            }
            trusted
        }
        None => {
            report.notes.push(format!(
                "the checkpoint is checked with the key the bundle names, {}; compare it with the log's published key \
                 (or give it with --log-key)",
                proof.key
            ));
            proof.key.as_str()
        }
    };
    let head = match open_checkpoint(&proof.checkpoint, key) {
        Ok(head) => head,
        Err(error) => {
            report.check(false, format!("log checkpoint: {error}"));
            return report;
        }
    };
    report.check(true, format!("log checkpoint: {} entries, signed by {}", head.size, head.origin));
    let mut committed = None;
    for (entry, inclusion) in &proof.entries {
        let included = check_inclusion(inclusion, head.size, &head.root, entry.seq, &entry.hash);
        let passed = report.check(
            included.is_ok() && entry.task == Some(task),
            match (&included, entry.task == Some(task)) {
                (Ok(()), true) => format!("log entry {} ({}) is in the checkpoint", entry.seq, entry.kind),
                (Ok(()), false) => format!("log entry {} is not an entry of task {task}", entry.seq),
                (Err(error), _) => format!("log entry {} ({}): {error}", entry.seq, entry.kind),
            },
        );
        if !passed {
            return report;
        }
        if entry.kind == kind::COMMITTED {
            committed = Some(entry);
        }
    }
    let entries: Vec<LogEntry> = proof.entries.iter().map(|(entry, _)| entry.clone()).collect();
    match pins_of_task(&entries, task) {
        Ok(pins) => report.pins = Some(pins),
        Err(problem) => {
            report.check(false, format!("log entries: {problem}"));
            return report;
        }
    }
    let Some(witnessed) = &proof.witnessed else {
        report.notes.push("no witness cosigned a checkpoint holding the commitment".into());
        return report;
    };
    let Some(committed) = committed.filter(|entry| entry.seq == witnessed.seq) else {
        report.check(
            false,
            format!("witnessed checkpoint: entry {} is not the task's commitment", witnessed.seq),
        );
        return report;
    };
    let early = match open_checkpoint(&witnessed.checkpoint, key) {
        Ok(early) => early,
        Err(error) => {
            report.check(false, format!("witnessed checkpoint: {error}"));
            return report;
        }
    };
    let included =
        check_inclusion(&witnessed.inclusion, early.size, &early.root, committed.seq, &committed.hash);
    let consistent =
        check_consistency(&witnessed.consistency, early.size, &early.root, head.size, &head.root);
    if !report.check(
        included.is_ok() && consistent.is_ok(),
        match (included, consistent) {
            (Ok(()), Ok(())) => format!(
                "witnessed checkpoint: {} entries, holding the commitment and extended by the checkpoint",
                early.size
            ),
            (Err(error), _) | (_, Err(error)) => format!("witnessed checkpoint: {error}"),
        },
    ) {
        return report;
    }
    let note = match Note::from_bytes(&witnessed.checkpoint) {
        Ok(note) => note,
        Err(error) => {
            report.check(false, format!("witnessed checkpoint: {error}"));
            return report;
        }
    };
    let mut trusted_times = Vec::new();
    for signature in &early.others {
        let Ok(timestamp) = timestamp_of(signature) else { continue };
        let trusted = witnesses.iter().find(|w| w.name() == signature.name() && w.key_id() == signature.id());
        match trusted {
            Some(witness) => {
                let valid = witness.verify(note.text(), signature.signature());
                if report
                    .check(valid, format!("cosignature by {} at {}", signature.name(), time_text(timestamp)))
                {
                    trusted_times.push(timestamp);
                }
            }
            None => report.notes.push(format!(
                "cosigned by {} at {} (its key was not given: --witness VKEY checks it)",
                signature.name(),
                time_text(timestamp)
            )),
        }
    }
    if let Some(round) = round_time {
        match trusted_times.iter().min() {
            Some(&first) => {
                report.check(
                    (first as i64) * 1000 < round,
                    format!(
                        "the commitment was witnessed at {}, {} the drand round's time {}",
                        time_text(first),
                        if (first as i64) * 1000 < round { "before" } else { "NOT before" },
                        time_text((round / 1000) as u64)
                    ),
                );
            }
            None => report.notes.push(
                "no trusted witness's cosignature shows when the commitment existed; give --witness VKEY"
                    .into(),
            ),
        }
    }
    report
}

fn time_text(seconds: u64) -> String {
    chrono::DateTime::from_timestamp(seconds as i64, 0)
        .map(|at| at.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| seconds.to_string())
}

#[cfg(test)]
mod tests {
    use ed25519_dalek::SigningKey;
    use signed_note::Note;

    use super::*;
    use crate::protocol::cosignature::Cosigner;
    use crate::protocol::tlog::{LogKey, MemoryHashes, leaf_hash};

    const ROUND_TIME: i64 = 1_700_000_000_000;
    const COMMITMENT: &str = "1111111111111111111111111111111111111111111111111111111111111111";

    /// A log of one task's four entries, a checkpoint of the first two
    /// (created, committed) cosigned at `cosigned_at`, and the checkpoint of
    /// all four; the log.tsv a bundle of the task would carry.
    fn made(cosigned_at: u64) -> (LogProof, CosignatureVerifier) {
        let key = LogKey::from_seed("opendraw.test/log", &[3; 32]).unwrap();
        let payloads = [
            (kind::CREATED, "{\"task\":1}".to_owned()),
            (kind::COMMITTED, format!("{{\"task\":1,\"commitment\":\"{COMMITMENT}\"}}")),
            (
                kind::DRAWN,
                format!("{{\"task\":1,\"commitment\":\"{COMMITMENT}\",\"result\":\"{}\"}}", "2".repeat(64)),
            ),
            (kind::REVEALED, "{\"task\":1}".to_owned()),
        ];
        let mut entries: Vec<LogEntry> = Vec::new();
        let mut tree = MemoryHashes::default();
        for (index, (kind, payload)) in payloads.into_iter().enumerate() {
            let previous = entries.last().map_or(Digest([0; 32]), |entry| entry.hash);
            let entry = LogEntry::new(
                index as u64 + 1,
                "2026-12-01T08:30:00.000Z".into(),
                kind,
                Some(1),
                "admin",
                payload,
                previous,
            );
            tree.append(index as u64, leaf_hash(&entry.hash)).unwrap();
            entries.push(entry);
        }
        let root = |size| tlog_tiles::tree_hash(size, &tree).unwrap();
        let witness = Cosigner::new("court.test/w", SigningKey::from_bytes(&[9; 32]), cosigned_at).unwrap();
        let mut early = Note::from_bytes(key.sign(2, &root(2)).as_bytes()).unwrap();
        early.add_sigs(&[&witness]).unwrap();
        let proven = entries.into_iter().map(|entry| {
            let inclusion = tlog_tiles::prove_record(4, entry.seq - 1, &tree).unwrap();
            (entry, inclusion)
        });
        let proof = LogProof {
            key: key.verifier_key(),
            checkpoint: key.sign(4, &root(4)).into_bytes(),
            entries: proven.collect(),
            witnessed: Some(Witnessed {
                checkpoint: early.to_bytes(),
                seq: 2,
                inclusion: tlog_tiles::prove_record(2, 1, &tree).unwrap(),
                consistency: tlog_tiles::prove_tree(4, 2, &tree).unwrap(),
            }),
        };
        (proof, witness.verifier())
    }

    fn failures(report: &LogProofReport) -> Vec<&str> {
        report.checks.iter().filter(|(passed, _)| !passed).map(|(_, text)| text.as_str()).collect()
    }

    #[test]
    fn a_commitment_witnessed_before_its_round_passes_and_after_it_fails() {
        let before = (ROUND_TIME / 1000 - 60) as u64;
        let (proof, witness) = made(before);
        let parsed = LogProof::parse(&proof.to_text()).unwrap();
        assert_eq!(parsed, proof, "log.tsv reads back as written");
        let report = check(&parsed, 1, Some(&proof.key), std::slice::from_ref(&witness), Some(ROUND_TIME));
        assert!(report.passed(), "{:?}", failures(&report));
        assert!(
            report.checks.iter().any(|(_, text)| text.contains("witnessed at 2023-11-14T22:12:20Z, before"))
        );
        assert_eq!(report.pins.unwrap().commitment.unwrap().to_hex(), COMMITMENT);

        let (late, witness) = made((ROUND_TIME / 1000) as u64);
        let report = check(&late, 1, None, &[witness], Some(ROUND_TIME));
        assert_eq!(failures(&report).len(), 1, "{:?}", report.checks);
        assert!(failures(&report)[0].contains("NOT before"));
        // Without the witness's key its time is told, and trusted for nothing.
        let report = check(&late, 1, None, &[], Some(ROUND_TIME));
        assert!(report.passed() && report.notes.iter().any(|note| note.contains("cosigned by court.test/w")));
    }

    #[test]
    fn a_tampered_proof_fails_at_its_check() {
        let (proof, witness) = made(1);
        let other = LogKey::from_seed("opendraw.test/log", &[4; 32]).unwrap();
        let report = check(&proof, 1, Some(&other.verifier_key()), &[], None);
        assert!(failures(&report)[0].starts_with("log key"));

        let mut flipped = proof.clone();
        flipped.entries[2].1[0].0[0] ^= 1;
        assert!(failures(&check(&flipped, 1, None, &[], None))[0].starts_with("log entry 3 (task.drawn)"));

        let text = String::from_utf8(proof.to_text()).unwrap();
        let payload = BASE64_STANDARD.encode(format!("{{\"task\":1,\"commitment\":\"{COMMITMENT}\"}}"));
        let forged = text.replace(&payload, &BASE64_STANDARD.encode("{\"task\":1,\"commitment\":\"33\"}"));
        assert!(
            LogProof::parse(forged.as_bytes()).unwrap_err().contains("does not hash to the hash it states")
        );

        let mut inconsistent = proof.clone();
        inconsistent.witnessed.as_mut().unwrap().consistency[0].0[5] ^= 1;
        let report = check(&inconsistent, 1, None, std::slice::from_ref(&witness), None);
        assert!(failures(&report)[0].starts_with("witnessed checkpoint"), "{:?}", report.checks);

        let report = check(&proof, 2, None, &[witness], None);
        assert!(failures(&report)[0].contains("is not an entry of task 2"));
    }
}

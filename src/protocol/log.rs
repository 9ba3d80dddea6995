//! The public log (PROTOCOL.md §15): one append-only hash chain over every
//! state change of every task, and the checks anyone can run over it.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::commitment::{Secret, Seed};
use super::digest::Digest;
use super::event_time::EventTime;
use super::field::Entropy;
use super::verify::Pins;

const ENTRY_TAG: &str = "opendraw/v1/log-entry";

/// One entry. `payload` is JSON text, published as it was hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    pub seq: u64,
    pub at: String,
    pub kind: String,
    pub task: Option<u64>,
    pub actor: String,
    pub payload: String,
    pub payload_digest: Digest,
    pub prev_hash: Digest,
    pub hash: Digest,
}

/// The kinds of entry the lifecycle of a task produces.
pub mod kind {
    pub const CREATED: &str = "task.created";
    pub const COMMITTED: &str = "task.committed";
    pub const DRAWN: &str = "task.drawn";
    pub const REVEALED: &str = "task.revealed";
    pub const ABANDONED: &str = "task.abandoned";
    pub const REPLACED: &str = "task.replaced";
}

/// The kinds of entry the public list of inspection items produces
/// (§15.2): task-less, so a checker follows no task's trail with them.
pub mod item_kind {
    /// A version of an item took effect: the item was added, or a public
    /// field of it changed (the previous version ended that day).
    pub const PUBLISHED: &str = "item.published";
    /// The item's department retired it: its last version ended.
    pub const RETIRED: &str = "item.retired";
}

/// The kind of entry a department's working rules (抽查工作细则) produce
/// (§15.2): task-less, like the item list's.
pub mod rules_kind {
    /// A department published a new version of its working rules.
    pub const PUBLISHED: &str = "rules.published";
}

/// The kind of entry a department's annual spot-check plan (年度抽查工作计划)
/// produces (§15.2): task-less, like the working rules'.
pub mod plan_kind {
    /// A department approved an annual plan, which is final from then on.
    pub const APPROVED: &str = "plan.approved";
}

/// The hash of an entry, over all its fields but the hash itself.
pub fn entry_hash(
    seq: u64,
    at: &str,
    kind: &str,
    task: Option<u64>,
    actor: &str,
    payload_digest: &Digest,
    prev_hash: &Digest,
) -> Digest {
    let seq = seq.to_string();
    let task = task.map(|t| t.to_string()).unwrap_or_default();
    Digest::tagged(
        ENTRY_TAG,
        &[
            seq.as_bytes(),
            at.as_bytes(),
            kind.as_bytes(),
            task.as_bytes(),
            actor.as_bytes(),
            payload_digest.as_bytes(),
            prev_hash.as_bytes(),
        ],
    )
}

impl LogEntry {
    /// A new entry after the one whose hash is `prev_hash`.
    pub fn new(
        seq: u64,
        at: String,
        kind: &str,
        task: Option<u64>,
        actor: &str,
        payload: String,
        prev_hash: Digest,
    ) -> Self {
        let payload_digest = Digest::of_file(payload.as_bytes());
        let hash = entry_hash(seq, &at, kind, task, actor, &payload_digest, &prev_hash);
        Self {
            seq,
            at,
            kind: kind.to_owned(),
            task,
            actor: actor.to_owned(),
            payload,
            payload_digest,
            prev_hash,
            hash,
        }
    }
}

/// What a check of the whole log found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogReport {
    pub entries: u64,
    pub head: Option<Digest>,
    pub tasks: usize,
    /// Tasks committed but neither revealed nor abandoned yet.
    pub open: Vec<u64>,
    /// Everything wrong, in log order; empty when the log verifies.
    pub problems: Vec<String>,
}

impl LogReport {
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
    }
}

/// What the log says of one task so far.
#[derive(Default)]
struct TaskTrail {
    last: Option<String>,
    commitment: Option<Value>,
    drawn: Option<Value>,
    replacements: u64,
}

/// Checks that the entries form one unbroken chain from the first, and that
/// every task's entries come in lifecycle order and agree with each other:
/// its commitment before its entropy, its reveal matching both.
pub fn verify_log(entries: &[LogEntry]) -> LogReport {
    let mut report = LogReport { entries: entries.len() as u64, ..LogReport::default() };
    let mut previous = Digest([0; 32]);
    let mut trails: BTreeMap<u64, TaskTrail> = BTreeMap::new();
    for (index, entry) in entries.iter().enumerate() {
        let seq = index as u64 + 1;
        let mut problem = |text: String| report.problems.push(format!("entry {}: {text}", entry.seq));
        if entry.seq != seq {
            problem(format!("sequence number {} where {seq} is expected", entry.seq));
        }
        if entry.prev_hash != previous {
            problem(format!("points back to {}, but the entry before hashes to {previous}", entry.prev_hash));
        }
        let digest = Digest::of_file(entry.payload.as_bytes());
        if digest != entry.payload_digest {
            problem(format!("its payload hashes to {digest}, not the recorded {}", entry.payload_digest));
        }
        let hash = entry_hash(
            entry.seq,
            &entry.at,
            &entry.kind,
            entry.task,
            &entry.actor,
            &digest,
            &entry.prev_hash,
        );
        if hash != entry.hash {
            problem(format!("hashes to {hash}, not the recorded {}", entry.hash));
        }
        previous = entry.hash;
        if let Some(task) = entry.task
            && let Err(text) = follow(trails.entry(task).or_default(), entry)
        {
            report.problems.push(format!("entry {}, task {task}: {text}", entry.seq));
        }
    }
    report.head = entries.last().map(|entry| entry.hash);
    report.tasks = trails.len();
    report.open = trails
        .iter()
        .filter(|(_, trail)| matches!(trail.last.as_deref(), Some(kind::COMMITTED | kind::DRAWN)))
        .map(|(&task, _)| task)
        .collect();
    report
}

/// Applies one entry to a task's trail, or says why it cannot follow.
fn follow(trail: &mut TaskTrail, entry: &LogEntry) -> Result<(), String> {
    let payload: Value =
        serde_json::from_str(&entry.payload).map_err(|error| format!("payload is not JSON: {error}"))?;
    let allowed: &[Option<&str>] = match entry.kind.as_str() {
        kind::CREATED => &[None],
        kind::COMMITTED => &[Some(kind::CREATED)],
        kind::DRAWN => &[Some(kind::COMMITTED)],
        kind::REVEALED => &[Some(kind::DRAWN)],
        kind::ABANDONED => &[Some(kind::CREATED), Some(kind::COMMITTED), Some(kind::DRAWN)],
        kind::REPLACED => &[Some(kind::DRAWN), Some(kind::REVEALED)],
        _ => return Ok(()),
    };
    if !allowed.contains(&trail.last.as_deref()) {
        let after = trail.last.as_deref().unwrap_or("nothing");
        return Err(format!("{} cannot follow {after}", entry.kind));
    }
    match entry.kind.as_str() {
        kind::COMMITTED => {
            trail.commitment = Some(payload.clone());
            trail.last = Some(entry.kind.clone());
            // §3.3: the committed entropy must still be to come.
            if let Some(event) = entropy_event(&payload)?
                && event.compare_with_log_time(&entry.at) != Some(Ordering::Greater)
            {
                return Err(format!("the entropy event {event} is not after the commitment at {}", entry.at));
            }
        }
        kind::DRAWN => {
            let committed = trail.commitment.as_ref().expect("drawn follows committed");
            if payload["commitment"] != committed["commitment"] {
                return Err("the draw names another commitment than the task's".into());
            }
            if let Some(event) = entropy_event(committed)?
                && event.compare_with_log_time(&entry.at) == Some(Ordering::Greater)
            {
                trail.drawn = Some(payload.clone());
                trail.last = Some(entry.kind.clone());
                return Err(format!("drawn at {}, before its entropy came into being at {event}", entry.at));
            }
            trail.drawn = Some(payload.clone());
        }
        kind::REVEALED => check_reveal(trail, &payload)?,
        // A drawn task that is abandoned publishes what its reveal would
        // have (§15.2), so that no drawn result can be discarded unseen.
        kind::ABANDONED if trail.last.as_deref() == Some(kind::DRAWN) => check_reveal(trail, &payload)
            .map_err(|problem| format!("the abandonment of a drawn task must publish its draw: {problem}"))?,
        // A committed task that is abandoned publishes its secret (§15.2);
        // entries written before that rule hold none.
        kind::ABANDONED if trail.last.as_deref() == Some(kind::COMMITTED) && !payload["secret"].is_null() => {
            check_abandoned_secret(trail, &payload)?
        }
        kind::REPLACED => {
            // A replacement leaves the task where it was: it can come
            // between the draw and the reveal, or after the reveal.
            trail.replacements += 1;
            if payload["replacement"].as_u64() != Some(trail.replacements) {
                return Err(format!(
                    "replacements must be numbered 1, 2, …; expected {}",
                    trail.replacements
                ));
            }
            replaced_line_digest(&payload)?;
            return Ok(());
        }
        _ => {}
    }
    trail.last = Some(entry.kind.clone());
    Ok(())
}

/// The line digest of a `task.replaced` payload (§15.2): `keyed_line`, or
/// `line` in the entries logged before keyed digests — one of them.
pub fn replaced_line_digest(payload: &Value) -> Result<Digest, String> {
    let (key, value) = match (&payload["keyed_line"], &payload["line"]) {
        (Value::Null, Value::Null) => return Err("the replacement has no line digest".into()),
        (keyed, Value::Null) => ("keyed_line", keyed),
        (Value::Null, plain) => ("line", plain),
        _ => return Err("the replacement has both a keyed and a plain line digest".into()),
    };
    let text = value.as_str().ok_or(format!("{key} is not a text"))?;
    Digest::parse_hex(text).map_err(|error| format!("{key}: {error}"))
}

/// The task whose `task.committed` entry names `commitment`.
pub fn task_committed_to(entries: &[LogEntry], commitment: &Digest) -> Option<u64> {
    let hex = commitment.to_hex();
    entries
        .iter()
        .filter(|entry| entry.kind == kind::COMMITTED)
        .find(|entry| {
            serde_json::from_str::<Value>(&entry.payload)
                .is_ok_and(|payload| payload["commitment"].as_str() == Some(&hex))
        })
        .and_then(|entry| entry.task)
}

/// What the log pins of a task's bundle (§10): the commitment digest and
/// the time it was logged, the result digest, and the line digests of the
/// replacements in number order (an empty list when there is none).
pub fn pins_of_task(entries: &[LogEntry], task: u64) -> Result<Pins, String> {
    let mut pins = Pins { replacements: Some(Vec::new()), ..Pins::default() };
    for entry in entries.iter().filter(|entry| entry.task == Some(task)) {
        let payload: Value = serde_json::from_str(&entry.payload)
            .map_err(|error| format!("entry {}: payload is not JSON: {error}", entry.seq))?;
        let digest = |key: &str| {
            let text = payload[key].as_str().ok_or(format!("entry {}: no {key}", entry.seq))?;
            Digest::parse_hex(text).map_err(|error| format!("entry {}: {key}: {error}", entry.seq))
        };
        match entry.kind.as_str() {
            kind::COMMITTED => {
                pins.commitment = Some(digest("commitment")?);
                pins.committed_at = Some(entry.at.clone());
            }
            kind::DRAWN => pins.result = Some(digest("result")?),
            kind::REPLACED => {
                let line = replaced_line_digest(&payload)
                    .map_err(|error| format!("entry {}: {error}", entry.seq))?;
                pins.replacements.get_or_insert_with(Vec::new).push(line);
            }
            _ => {}
        }
    }
    if pins.commitment.is_none() {
        return Err(format!("the log holds no commitment of task {task}"));
    }
    Ok(pins)
}

/// The entropy event time a commitment's payload names, if any.
fn entropy_event(payload: &Value) -> Result<Option<EventTime>, String> {
    match payload.get("entropy_event") {
        None => Ok(None),
        Some(value) => value
            .as_str()
            .map(EventTime::parse)
            .transpose()
            .map_err(|error| format!("entropy_event: {error}"))?
            .map(Some)
            .ok_or_else(|| "entropy_event is not a text".into()),
    }
}

/// A reveal must show the committed secret, and the seed it gives with the
/// entropy logged at the draw, and the result logged at the draw.
fn check_reveal(trail: &TaskTrail, payload: &Value) -> Result<(), String> {
    let committed = trail.commitment.as_ref().expect("revealed follows committed");
    let drawn = trail.drawn.as_ref().expect("revealed follows drawn");
    let text = |value: &Value, key: &str| value[key].as_str().map(str::to_owned).ok_or(format!("no {key}"));
    let secret = Secret::parse_hex(&text(payload, "secret")?).map_err(|e| format!("secret: {e}"))?;
    if secret.hash().to_hex() != text(committed, "secret_hash")? {
        return Err("the revealed secret does not hash to the committed secret hash".into());
    }
    let commitment =
        Digest::parse_hex(&text(committed, "commitment")?).map_err(|e| format!("commitment: {e}"))?;
    let entropy = Entropy::parse(&text(drawn, "entropy")?).map_err(|e| format!("entropy: {e}"))?;
    let seed = Seed::derive(&commitment, &secret, &entropy);
    if seed.0.to_hex() != text(payload, "seed")? {
        return Err("the revealed seed is not the one the commitment, secret and entropy give".into());
    }
    if payload["result"] != drawn["result"] {
        return Err("the revealed result digest differs from the one logged at the draw".into());
    }
    // Stated for readers; when present they must be the committed and drawn ones.
    if !payload["commitment"].is_null() && payload["commitment"] != committed["commitment"] {
        return Err("the reveal names another commitment than the task's".into());
    }
    if !payload["entropy"].is_null() && payload["entropy"] != drawn["entropy"] {
        return Err("the revealed entropy differs from the one the task was drawn with".into());
    }
    Ok(())
}

/// The secret published when a committed task is abandoned must be the
/// committed one.
fn check_abandoned_secret(trail: &TaskTrail, payload: &Value) -> Result<(), String> {
    let committed = trail.commitment.as_ref().expect("abandoned after committed");
    let secret = payload["secret"].as_str().ok_or("the published secret is not a text")?;
    let secret = Secret::parse_hex(secret).map_err(|e| format!("secret: {e}"))?;
    if Some(secret.hash().to_hex().as_str()) != committed["secret_hash"].as_str() {
        return Err(
            "the secret published at the abandonment does not hash to the committed secret hash".into()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(kinds: &[(&str, Option<u64>, &str)]) -> Vec<LogEntry> {
        let mut previous = Digest([0; 32]);
        let mut out = Vec::new();
        for (index, (kind, task, payload)) in kinds.iter().enumerate() {
            let entry = LogEntry::new(
                index as u64 + 1,
                "2026-12-01T00:00:00.000Z".into(),
                kind,
                *task,
                "alice",
                payload.to_string(),
                previous,
            );
            previous = entry.hash;
            out.push(entry);
        }
        out
    }

    #[test]
    fn an_unbroken_chain_verifies_and_reports_open_tasks() {
        let entries = chain(&[
            (kind::CREATED, Some(1), "{}"),
            (kind::COMMITTED, Some(1), r#"{"commitment":"c"}"#),
            (kind::CREATED, Some(2), "{}"),
            (kind::ABANDONED, Some(2), r#"{"reason":"duplicate"}"#),
        ]);
        let report = verify_log(&entries);
        assert!(report.passed(), "{:?}", report.problems);
        assert_eq!(report.open, vec![1]);
        assert_eq!(report.head, Some(entries[3].hash));
    }

    #[test]
    fn a_changed_payload_or_a_removed_entry_breaks_the_chain() {
        let mut entries = chain(&[
            (kind::CREATED, Some(1), "{}"),
            (kind::CREATED, Some(2), "{}"),
            (kind::CREATED, Some(3), "{}"),
        ]);
        entries[1].payload = r#"{"x":1}"#.into();
        assert!(verify_log(&entries).problems[0].contains("payload hashes to"));
        let mut entries = chain(&[
            (kind::CREATED, Some(1), "{}"),
            (kind::CREATED, Some(2), "{}"),
            (kind::CREATED, Some(3), "{}"),
        ]);
        entries.remove(1);
        let problems = verify_log(&entries).problems;
        assert!(problems.iter().any(|p| p.contains("where 2 is expected")), "{problems:?}");
        assert!(problems.iter().any(|p| p.contains("points back to")), "{problems:?}");
    }

    #[test]
    fn a_draw_before_its_commitment_is_reported() {
        let entries =
            chain(&[(kind::CREATED, Some(1), "{}"), (kind::DRAWN, Some(1), r#"{"commitment":"c"}"#)]);
        let problems = verify_log(&entries).problems;
        assert_eq!(problems, vec!["entry 2, task 1: task.drawn cannot follow task.created".to_string()]);
    }

    #[test]
    fn replacements_come_after_the_draw_numbered_in_order() {
        let drawn = [
            (kind::CREATED, Some(1), "{}"),
            (kind::COMMITTED, Some(1), r#"{"commitment":"c"}"#),
            (kind::DRAWN, Some(1), r#"{"commitment":"c"}"#),
        ];
        let mut good = drawn.to_vec();
        good.push((kind::REPLACED, Some(1), r#"{"replacement":1,"keyed_line":"e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"}"#));
        good.push((
            kind::REPLACED,
            Some(1),
            r#"{"replacement":2,"line":"e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"}"#,
        ));
        let report = verify_log(&chain(&good));
        assert!(report.passed(), "{:?}", report.problems);
        assert_eq!(report.open, vec![1], "a replacement leaves the task drawn");

        let mut skipped = drawn.to_vec();
        skipped.push((
            kind::REPLACED,
            Some(1),
            r#"{"replacement":2,"line":"e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"}"#,
        ));
        let problems = verify_log(&chain(&skipped)).problems;
        assert!(problems[0].contains("expected 1"), "{problems:?}");

        let early = [
            (kind::CREATED, Some(1), "{}"),
            (
                kind::REPLACED,
                Some(1),
                r#"{"replacement":1,"keyed_line":"e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3e3"}"#,
            ),
        ];
        let problems = verify_log(&chain(&early)).problems;
        assert!(problems[0].contains("task.replaced cannot follow task.created"), "{problems:?}");
    }
    #[test]
    fn a_replacement_holds_one_line_digest_keyed_or_plain() {
        let drawn = [
            (kind::CREATED, Some(1), "{}"),
            (kind::COMMITTED, Some(1), r#"{"commitment":"c"}"#),
            (kind::DRAWN, Some(1), r#"{"commitment":"c"}"#),
        ];
        let hex = "e3".repeat(32);
        let both = format!(r#"{{"replacement":1,"keyed_line":"{hex}","line":"{hex}"}}"#);
        for (payload, problem) in [
            (r#"{"replacement":1}"#.to_owned(), "no line digest"),
            (both, "both a keyed and a plain"),
            (r#"{"replacement":1,"keyed_line":"E3"}"#.to_owned(), "keyed_line"),
        ] {
            let mut entries = drawn.to_vec();
            entries.push((kind::REPLACED, Some(1), payload.as_str()));
            let problems = verify_log(&chain(&entries)).problems;
            assert!(problems.len() == 1 && problems[0].contains(problem), "{payload}: {problems:?}");
        }
    }

    #[test]
    fn the_pins_of_a_task_come_from_its_entries() {
        let (c, r) = ("c1".repeat(32), "d2".repeat(32));
        let committed = format!(r#"{{"commitment":"{c}"}}"#);
        let drawn = format!(r#"{{"commitment":"{c}","result":"{r}"}}"#);
        let keyed = format!(r#"{{"replacement":1,"keyed_line":"{}"}}"#, "a1".repeat(32));
        let plain = format!(r#"{{"replacement":2,"line":"{}"}}"#, "b2".repeat(32));
        let entries = chain(&[
            (kind::CREATED, Some(7), "{}"),
            (kind::CREATED, Some(8), "{}"),
            (kind::COMMITTED, Some(7), committed.as_str()),
            (kind::DRAWN, Some(7), drawn.as_str()),
            (kind::REPLACED, Some(7), keyed.as_str()),
            (kind::REPLACED, Some(7), plain.as_str()),
        ]);
        let commitment = Digest::parse_hex(&c).unwrap();
        assert_eq!(task_committed_to(&entries, &commitment), Some(7));
        assert_eq!(task_committed_to(&entries, &Digest([0; 32])), None);
        let pins = pins_of_task(&entries, 7).unwrap();
        assert_eq!(pins.commitment, Some(commitment));
        assert_eq!(pins.result, Some(Digest::parse_hex(&r).unwrap()));
        assert_eq!(pins.committed_at.as_deref(), Some("2026-12-01T00:00:00.000Z"));
        assert_eq!(pins.replacements, Some(vec![Digest([0xa1; 32]), Digest([0xb2; 32])]));
        assert!(pins_of_task(&entries, 8).unwrap_err().contains("no commitment of task 8"));
    }

    #[test]
    fn an_entropy_event_before_the_commitment_or_after_the_draw_is_reported() {
        // chain() writes every entry at 2026-12-01T00:00:00.000Z.
        let committed = |event: &str| format!(r#"{{"commitment":"c","entropy_event":"{event}"}}"#);
        let before = committed("2026-12-01T07:59:59+08:00");
        let problems =
            verify_log(&chain(&[(kind::CREATED, Some(1), "{}"), (kind::COMMITTED, Some(1), &before)]))
                .problems;
        assert!(problems[0].contains("is not after the commitment"), "{problems:?}");
        let after = committed("2026-12-01T08:00:01+08:00");
        let entries = chain(&[
            (kind::CREATED, Some(1), "{}"),
            (kind::COMMITTED, Some(1), &after),
            (kind::DRAWN, Some(1), r#"{"commitment":"c"}"#),
        ]);
        let problems = verify_log(&entries).problems;
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("before its entropy came into being"), "{problems:?}");
    }

    /// A task committed and drawn: its secret, commitment, entropy and seed,
    /// and the payloads of its `committed` and `drawn` entries.
    struct Drawn {
        secret: Secret,
        commitment: Digest,
        entropy: Entropy,
        seed: Digest,
        committed: String,
        drawn: String,
    }

    impl Drawn {
        fn new() -> Self {
            let secret = Secret::from_bytes([7; 32]);
            let commitment = Digest([3; 32]);
            let entropy = Entropy::parse("12345612345612345612").unwrap();
            let seed = Seed::derive(&commitment, &secret, &entropy).0;
            let committed = format!(r#"{{"commitment":"{commitment}","secret_hash":"{}"}}"#, secret.hash());
            let drawn =
                format!(r#"{{"commitment":"{commitment}","entropy":"{}","result":"r"}}"#, entropy.as_str());
            Self { secret, commitment, entropy, seed, committed, drawn }
        }
    }

    #[test]
    fn an_abandoned_draw_must_publish_its_secret() {
        let Drawn { secret, seed, committed, drawn, .. } = Drawn::new();
        let trail = [
            (kind::CREATED, Some(1), "{}".to_string()),
            (kind::COMMITTED, Some(1), committed),
            (kind::DRAWN, Some(1), drawn),
        ];
        let with = |abandoned: String| {
            let mut entries: Vec<(&str, Option<u64>, String)> = trail.to_vec();
            entries.push((kind::ABANDONED, Some(1), abandoned));
            let entries: Vec<(&str, Option<u64>, &str)> =
                entries.iter().map(|(k, t, p)| (*k, *t, p.as_str())).collect();
            verify_log(&chain(&entries))
        };
        let published = format!(
            r#"{{"reason":"x","from":"drawn","secret":"{}","seed":"{seed}","result":"r"}}"#,
            secret.to_hex()
        );
        let report = with(published);
        assert!(report.passed(), "{:?}", report.problems);
        assert!(report.open.is_empty());
        let hidden = with(r#"{"reason":"x","from":"drawn"}"#.to_string());
        assert!(hidden.problems[0].contains("must publish its draw"), "{:?}", hidden.problems);
    }

    #[test]
    fn a_reveal_that_states_another_commitment_or_entropy_is_reported() {
        let Drawn { secret, commitment, entropy, seed, committed, drawn } = Drawn::new();
        let revealed = |stated: &str| {
            let payload =
                format!(r#"{{"secret":"{}","seed":"{seed}","result":"r",{stated}}}"#, secret.to_hex());
            verify_log(&chain(&[
                (kind::CREATED, Some(1), "{}"),
                (kind::COMMITTED, Some(1), &committed),
                (kind::DRAWN, Some(1), &drawn),
                (kind::REVEALED, Some(1), &payload),
            ]))
            .problems
        };
        let good = format!(r#""commitment":"{commitment}","entropy":"{}""#, entropy.as_str());
        assert!(revealed(&good).is_empty(), "{:?}", revealed(&good));
        let other = format!(r#""commitment":"{}","entropy":"{}""#, Digest([4; 32]), entropy.as_str());
        assert!(revealed(&other)[0].contains("another commitment"), "{:?}", revealed(&other));
        let other = format!(r#""commitment":"{commitment}","entropy":"65432165432165432165""#);
        assert!(revealed(&other)[0].contains("revealed entropy differs"), "{:?}", revealed(&other));
    }

    #[test]
    fn the_secret_published_when_a_committed_task_is_abandoned_is_the_committed_one() {
        let secret = Secret::from_bytes([7; 32]);
        let committed = format!(r#"{{"commitment":"c","secret_hash":"{}"}}"#, secret.hash());
        let with = |abandoned: &str| {
            verify_log(&chain(&[
                (kind::CREATED, Some(1), "{}"),
                (kind::COMMITTED, Some(1), &committed),
                (kind::ABANDONED, Some(1), abandoned),
            ]))
        };
        let published = format!(r#"{{"reason":"x","from":"committed","secret":"{}"}}"#, secret.to_hex());
        assert!(with(&published).passed(), "{:?}", with(&published).problems);
        let other = format!(r#"{{"reason":"x","from":"committed","secret":"{}"}}"#, "ab".repeat(32));
        let problems = with(&other).problems;
        assert!(problems[0].contains("does not hash to the committed secret hash"), "{problems:?}");
        // Entries written before the rule hold no secret, and still verify.
        assert!(with(r#"{"reason":"x","from":"committed"}"#).passed());
    }
}

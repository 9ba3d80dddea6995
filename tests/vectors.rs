//! The test vectors in `tests/vectors/` are the contract between this
//! implementation and every other verifier (PROTOCOL.md §12): each test
//! here reads a vector's inputs from the JSON file and checks that this
//! implementation gives the JSON's expected outputs.
//!
//! `OPENDRAW_BLESS=1 cargo test --test vectors` rewrites the files from the
//! case definitions at the bottom of this file. Do that only for a new case:
//! a changed output of an existing case breaks every published draw.

use opendraw::protocol::beacon::{self, BeaconCommitment, BeaconFile, QUICKNET};
use opendraw::protocol::field::{
    Department, Entropy, EntropySource, InspectorId, ItemCode, Region, TargetId, Unit,
};
use opendraw::protocol::manifest::{Inspector, Recusal};
use opendraw::protocol::sample::fisher_yates_ranks;
use opendraw::protocol::stream::DrawStream;
use opendraw::protocol::{
    Commitment, CrossRule, Date, Digest, DrawInputs, EntropyFormat, EventTime, InspectorManifest,
    InspectorsPerTarget, Parameters, Quota, RecusalManifest, Reveal, Secret, Seed, TargetManifest,
    TargetManifestBuilder, run_draw,
};
use serde_json::{Value, json};

mod common;

use common::{hex32, load, text};

// ---- ChaCha20 ---------------------------------------------------------------

#[test]
fn chacha20_stream_matches_the_vectors() {
    let vectors = load("chacha20.json", make_chacha20);
    for case in vectors["cases"].as_array().unwrap() {
        let mut stream = DrawStream::new(hex32(&case["key"]));
        let words: Vec<u64> = case["words"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).collect();
        let got: Vec<u64> = (0..words.len()).map(|_| u64::from(stream.next_word())).collect();
        assert_eq!(got, words, "{}", case["name"]);
        let bytes: Vec<u8> = got.iter().flat_map(|w| (*w as u32).to_le_bytes()).collect();
        assert_eq!(hex::encode(bytes), text(&case["keystream"]), "{}", case["name"]);
    }
}

#[test]
fn rfc_8439_all_zero_vector_is_the_first_case() {
    // Appendix A.1, test vectors #1 and #2, copied from the RFC: the
    // keystream of the all-zero key and nonce, block counters 0 and 1.
    let rfc = concat!(
        "76b8e0ada0f13d90405d6ae55386bd28bdd219b8a08ded1aa836efcc8b770dc7",
        "da41597c5157488d7724e03fb8d84a376a43b8f41518a11cc387b669b2ee6586",
        "9f07e7be5551387a98ba977c732d080dcb0f29a048e3656912c6533e32ee7aed",
        "29b721769ce64e43d57133b074d839d531ed1f28510afb45ace10a1f4b794d6f",
    );
    let vectors = load("chacha20.json", make_chacha20);
    let first = &vectors["cases"][0];
    assert_eq!(first["key"], "00".repeat(32));
    assert!(text(&first["keystream"]).starts_with(rfc));
}

fn make_chacha20() -> Value {
    let case = |name: &str, key: [u8; 32], count: usize| {
        let mut stream = DrawStream::new(key);
        let words: Vec<u32> = (0..count).map(|_| stream.next_word()).collect();
        let bytes: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
        json!({"name": name, "key": hex::encode(key), "words": words, "keystream": hex::encode(bytes)})
    };
    let counting: [u8; 32] = std::array::from_fn(|i| i as u8);
    json!({
        "description": "ChaCha20 keystream (RFC 8439, nonce 0, block counter from 0) read as little-endian u32 words. 'words' are the first words of the stream; 'keystream' is the same bytes in hex. Case 1 is RFC 8439 appendix A.1 test vectors #1 and #2.",
        "cases": [
            case("rfc8439-a1-zero-key", [0; 32], 40),
            case("counting-key", counting, 40),
        ]
    })
}

// ---- uniform(n) and k of n --------------------------------------------------

#[test]
fn uniform_matches_the_vectors() {
    let vectors = load("uniform.json", make_uniform);
    for case in vectors["word_cases"].as_array().unwrap() {
        let n = case["n"].as_u64().unwrap();
        let words: Vec<u64> = case["words"].as_array().unwrap().iter().map(|w| w.as_u64().unwrap()).collect();
        let expected = case["results"].as_array().unwrap();
        let got = uniform_over_words(n as u32, &words);
        let got: Vec<Value> =
            got.into_iter().map(|(value, used)| json!({"value": value, "words_used": used})).collect();
        assert_eq!(&got, expected, "n = {n}");
    }
    for case in vectors["seeded_cases"].as_array().unwrap() {
        let mut stream = DrawStream::new(hex32(&case["seed"]));
        let n = case["n"].as_u64().unwrap() as u32;
        let values: Vec<u64> = (0..case["values"].as_array().unwrap().len())
            .map(|_| u64::from(stream.uniform_below(n)))
            .collect();
        let expected: Vec<u64> =
            case["values"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(values, expected, "n = {n}");
        assert_eq!(stream.words_read(), case["words_read"].as_u64().unwrap(), "n = {n}");
    }
}

/// uniform(n) applied repeatedly to a given list of words, as the
/// specification states it; returns each value and the words it used.
fn uniform_over_words(n: u32, words: &[u64]) -> Vec<(u64, u64)> {
    let limit = (1u64 << 32) - (1u64 << 32) % u64::from(n);
    let mut out = Vec::new();
    let mut used = 0;
    for &word in words {
        used += 1;
        if word < limit {
            out.push((word % u64::from(n), used));
            used = 0;
        }
    }
    out
}

#[test]
fn uniform_over_words_agrees_with_the_stream() {
    let mut stream = DrawStream::new([7; 32]);
    let mut words = DrawStream::new([7; 32]);
    let n = (1u32 << 31) + 1;
    let listed: Vec<u64> = (0..200).map(|_| u64::from(words.next_word())).collect();
    let expected = uniform_over_words(n, &listed);
    let got: Vec<u64> = expected.iter().map(|_| u64::from(stream.uniform_below(n))).collect();
    assert_eq!(got, expected.iter().map(|(v, _)| *v).collect::<Vec<_>>());
}

fn make_uniform() -> Value {
    let word_case = |n: u32, words: Vec<u64>| {
        let results: Vec<Value> = uniform_over_words(n, &words)
            .into_iter()
            .map(|(value, used)| json!({"value": value, "words_used": used}))
            .collect();
        json!({"n": n, "limit": (1u64 << 32) - (1u64 << 32) % u64::from(n), "words": words, "results": results})
    };
    let seeded = |n: u32, count: usize| {
        let seed: [u8; 32] = std::array::from_fn(|i| i as u8);
        let mut stream = DrawStream::new(seed);
        let values: Vec<u32> = (0..count).map(|_| stream.uniform_below(n)).collect();
        json!({"seed": hex::encode(seed), "n": n, "values": values, "words_read": stream.words_read()})
    };
    let max = u64::from(u32::MAX);
    json!({
        "description": "uniform(n): limit = 2^32 - (2^32 mod n); take words until one is below limit; return it mod n. word_cases apply uniform(n) repeatedly to the listed words; results give each value and how many words it used (more than 1 means rejection). seeded_cases read the ChaCha20 stream of 'seed'.",
        "word_cases": [
            word_case(3, vec![max, 7, max - 1, 0]),
            word_case((1 << 31) + 1, vec![(1 << 31) + 1, max, 1 << 31, (1 << 31) + 2, 5]),
            word_case(u32::MAX, vec![max, max - 1, max, max, 0]),
            word_case(1, vec![max, 0]),
            word_case(10, vec![4294967290, 4294967295, 4294967289, 123456789]),
        ],
        "seeded_cases": [
            seeded(3, 64),
            seeded(10, 64),
            seeded((1 << 31) + 1, 64),
            seeded(u32::MAX, 16),
            seeded(1_000_003, 32),
        ]
    })
}

#[test]
fn k_of_n_matches_the_vectors() {
    let vectors = load("k-of-n.json", make_k_of_n);
    for case in vectors["cases"].as_array().unwrap() {
        let mut stream = DrawStream::new(hex32(&case["seed"]));
        let (n, k) = (case["n"].as_u64().unwrap() as u32, case["k"].as_u64().unwrap() as u32);
        let chosen: Vec<u64> = fisher_yates_ranks(n, k, &mut stream).into_iter().map(u64::from).collect();
        let expected: Vec<u64> =
            case["chosen"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
        assert_eq!(chosen, expected, "{n} choose {k}");
        assert_eq!(stream.words_read(), case["words_read"].as_u64().unwrap());
    }
}

fn make_k_of_n() -> Value {
    let case = |n: u32, k: u32| {
        let seed: [u8; 32] = std::array::from_fn(|i| (i * 7) as u8);
        let mut stream = DrawStream::new(seed);
        let chosen = fisher_yates_ranks(n, k, &mut stream);
        json!({"seed": hex::encode(seed), "n": n, "k": k, "chosen": chosen, "words_read": stream.words_read()})
    };
    json!({
        "description": "k of n by partial Fisher-Yates over the list 0..n: for i in 0..k { j = i + uniform(n - i); swap(a[i], a[j]) }; chosen = a[0..k] in that order.",
        "cases": [case(10, 3), case(10, 10), case(1, 1), case(5, 0), case(1000, 12), case(4_000_000_000, 5)]
    })
}

// ---- whole draws -------------------------------------------------------------

#[test]
fn whole_draws_match_the_vectors() {
    let vectors = load("draws.json", make_draws);
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() >= 5);
    for case in cases {
        let name = text(&case["name"]);
        let inputs = &case["inputs"];
        let expected = &case["expected"];
        assert_eq!(&compute_expected(inputs), expected, "case {name}");
    }
}

#[test]
fn a_bundle_with_a_frequency_cap_verifies_and_reports_the_cap() {
    let draws = common::read("draws.json");
    let case = draws["cases"].as_array().unwrap().iter().find(|c| c["name"] == "frequency-cap").unwrap();
    let (inputs, expected) = (&case["inputs"], &case["expected"]);
    let bytes = |value: &Value| text(value).as_bytes().to_vec();
    let files = opendraw::protocol::verify::BundleFiles {
        commitment: bytes(&expected["commitment.tsv"]),
        parameters: bytes(&inputs["parameters.tsv"]),
        targets: bytes(&inputs["targets.tsv"]),
        inspectors: bytes(&inputs["inspectors.tsv"]),
        recusals: bytes(&inputs["recusals.tsv"]),
        reveal: bytes(&expected["reveal.tsv"]),
        result: bytes(&expected["result.tsv"]),
        replacements: None,
        beacon: None,
        log_proof: None,
    };
    let pins = opendraw::protocol::verify::Pins {
        commitment: Some(Digest::parse_hex(text(&expected["commitment_digest"])).unwrap()),
        result: Some(Digest::parse_hex(text(&expected["result_digest"])).unwrap()),
        replacements: Some(vec![]),
        committed_at: None,
    };
    let report = opendraw::protocol::verify::verify(&files, &pins);
    assert!(report.passed(), "{:?}", report.first_failure());
    let caps: Vec<_> = report.checks.iter().filter(|c| c.kind.as_str() == "frequency-cap").collect();
    assert_eq!(caps.len(), 1);
    assert_eq!((caps[0].subject.as_str(), caps[0].passed), ("FOOD", true));
    assert!(
        caps[0].detail.starts_with("at most 1 draw(s) of one target for this item in 2026"),
        "{}",
        caps[0].detail
    );
}

/// The inputs of one whole-draw case, built through the library so that
/// manifests come out canonical.
struct DrawCase {
    name: &'static str,
    description: &'static str,
    targets: Vec<[&'static str; 4]>,
    inspectors: Vec<(&'static str, &'static str, &'static str, &'static str, &'static str, &'static str)>,
    recusals: Vec<(&'static str, &'static str)>,
    items: Vec<&'static str>,
    departments: Vec<&'static str>,
    per_target: u32,
    cross: CrossRule,
    balance: bool,
    default_quota: Option<Quota>,
    stratum_quotas: Vec<(&'static str, Quota)>,
    entropy: &'static str,
}

impl DrawCase {
    fn to_json(&self, number: u8) -> Value {
        let mut builder = TargetManifestBuilder::new();
        for [id, stratum, region, unit] in &self.targets {
            builder.push(id, stratum, region, unit).unwrap();
        }
        let targets = builder.finish().unwrap();
        let inspectors = InspectorManifest::new(
            self.inspectors
                .iter()
                .map(|(id, department, unit, region, items, expires)| {
                    Inspector::new(
                        InspectorId::parse(id).unwrap(),
                        Department::parse(department).unwrap(),
                        Unit::parse(unit).unwrap(),
                        Region::parse(region).unwrap(),
                        items.split(',').map(|item| ItemCode::parse(item).unwrap()).collect(),
                        Date::parse(expires).unwrap(),
                    )
                    .unwrap()
                })
                .collect(),
        )
        .unwrap();
        let recusals = RecusalManifest::new(
            self.recusals
                .iter()
                .map(|(inspector, target)| Recusal {
                    inspector: InspectorId::parse(inspector).unwrap(),
                    target: TargetId::parse(target).unwrap(),
                })
                .collect(),
        );
        let parameters = Parameters::new(
            opendraw::protocol::field::TaskId::parse(&format!("vector-{number}-{}", self.name)).unwrap(),
            self.items.iter().map(|item| ItemCode::parse(item).unwrap()).collect(),
            Date::parse("2026-12-01").unwrap(),
            InspectorsPerTarget::new(self.per_target).unwrap(),
            self.cross,
            self.balance,
            self.departments.iter().map(|d| Department::parse(d).unwrap()).collect(),
            self.default_quota,
            self.stratum_quotas
                .iter()
                .map(|(key, quota)| (opendraw::protocol::field::StratumKey::parse(key).unwrap(), *quota))
                .collect(),
        )
        .unwrap();
        let secret: [u8; 32] = std::array::from_fn(|i| (i as u8).wrapping_mul(31).wrapping_add(number));
        let (format, source) = if self.entropy.chars().all(|c| ('1'..='6').contains(&c)) {
            ("dice", "dice rolled at the public draw meeting")
        } else {
            ("digits", "numbers drawn at the public lottery of 2026-12-01")
        };
        json!({
            "name": self.name,
            "description": self.description,
            "inputs": {
                "parameters.tsv": String::from_utf8(parameters.to_text()).unwrap(),
                "targets.tsv": String::from_utf8(targets.to_bytes()).unwrap(),
                "inspectors.tsv": String::from_utf8(inspectors.text().to_vec()).unwrap(),
                "recusals.tsv": String::from_utf8(recusals.text().to_vec()).unwrap(),
                "secret": hex::encode(secret),
                "entropy_format": format,
                "entropy_source": source,
                "entropy": self.entropy,
            },
            // Filled in by the test itself when blessing.
            "expected": Value::Null,
        })
    }
}

fn make_draws() -> Value {
    let cases = draw_cases();
    let mut out = Vec::new();
    for (index, case) in cases.iter().enumerate() {
        let mut value = case.to_json(index as u8 + 1);
        value["expected"] = compute_expected(&value["inputs"]);
        out.push(value);
    }
    // The first draw again, committed with the time its entropy comes into
    // being (§3.3): the commitment document gains a line, the digest a field.
    let mut timed = out[0].clone();
    timed["name"] = json!("entropy-event");
    timed["description"] = json!(
        "The draw one-stratum-count committed with an entropy event time: commitment.tsv has its entropy-event line, and the commitment digest, the seed and the result differ."
    );
    timed["inputs"]["entropy_event"] = json!("2026-12-01T09:30:00+08:00");
    timed["expected"] = compute_expected(&timed["inputs"]);
    out.push(timed);
    // The first draw again, its item capped (§2.5, §17): the parameters
    // gain a frequency-cap line, which changes their digest and so the
    // commitment, the seed and the result; the draw does not read the cap.
    let mut capped = out[0].clone();
    capped["name"] = json!("frequency-cap");
    capped["description"] = json!(
        "The draw one-stratum-count with its item FOOD capped at one draw a year in 2026: parameters.tsv ends with a frequency-cap line, and its digest, the commitment digest, the seed and the result differ."
    );
    let parameters = format!("{}frequency-cap\tFOOD\t1\t2026\n", text(&capped["inputs"]["parameters.tsv"]));
    capped["inputs"]["parameters.tsv"] = json!(parameters);
    capped["expected"] = compute_expected(&capped["inputs"]);
    out.push(capped);
    json!({
        "description": "Whole draws: inputs (the committed files, the secret, the entropy source and the entropy) and every derived value. A verifier must reproduce each expected value exactly.",
        "cases": out
    })
}

/// Every value a verifier derives from a case's inputs.
fn compute_expected(inputs: &Value) -> Value {
    let parameters = Parameters::parse(text(&inputs["parameters.tsv"]).as_bytes()).unwrap();
    let targets = TargetManifest::parse(text(&inputs["targets.tsv"]).as_bytes().to_vec()).unwrap();
    let inspectors = InspectorManifest::parse(text(&inputs["inspectors.tsv"]).as_bytes().to_vec()).unwrap();
    let recusals = RecusalManifest::parse(text(&inputs["recusals.tsv"]).as_bytes().to_vec()).unwrap();
    let secret = Secret::parse_hex(text(&inputs["secret"])).unwrap();
    let entropy = Entropy::parse(text(&inputs["entropy"])).unwrap();
    let commitment = Commitment {
        parameters: parameters.digest(),
        targets: targets.digest(),
        inspectors: inspectors.digest(),
        recusals: recusals.digest(),
        secret_hash: secret.hash(),
        entropy_format: EntropyFormat::parse(text(&inputs["entropy_format"])).unwrap(),
        entropy_source: EntropySource::parse(text(&inputs["entropy_source"])).unwrap(),
        entropy_event: inputs["entropy_event"].as_str().map(|event| EventTime::parse(event).unwrap()),
        beacon: inputs["drand_chain"].as_str().map(|chain| BeaconCommitment {
            chain: Digest::parse_hex(chain).unwrap(),
            round: inputs["drand_round"].as_u64().unwrap(),
        }),
    };
    let digest = commitment.digest();
    let seed = Seed::derive(&digest, &secret, &entropy);
    let draw = DrawInputs {
        parameters: &parameters,
        targets: &targets,
        inspectors: &inspectors,
        recusals: &recusals,
    };
    let result = run_draw(&draw, digest, &seed).unwrap();
    json!({
        "digests": {
            "parameters.tsv": Digest::of_file(text(&inputs["parameters.tsv"]).as_bytes()).to_hex(),
            "targets.tsv": targets.digest().to_hex(),
            "inspectors.tsv": inspectors.digest().to_hex(),
            "recusals.tsv": recusals.digest().to_hex(),
        },
        "secret_hash": secret.hash().to_hex(),
        "commitment.tsv": String::from_utf8(commitment.to_text()).unwrap(),
        "commitment_digest": digest.to_hex(),
        "seed": seed.0.to_hex(),
        "reveal.tsv": String::from_utf8(Reveal::new(digest, secret.clone(), entropy.clone()).to_text()).unwrap(),
        "result.tsv": String::from_utf8(result.to_text()).unwrap(),
        "result_digest": result.digest().to_hex(),
    })
}

fn ratio(basis_points: u32) -> Quota {
    Quota::Ratio(opendraw::protocol::BasisPoints::new(basis_points).unwrap())
}

fn draw_cases() -> Vec<DrawCase> {
    let none = CrossRule { region: false, unit: false };
    let region = CrossRule { region: true, unit: false };
    let both = CrossRule { region: true, unit: true };
    let market = |id, unit, region| (id, "market", unit, region, "FOOD", "2027-12-31");
    vec![
        DrawCase {
            name: "one-stratum-count",
            description: "The smallest useful draw: 4 of 12 targets in one stratum, 2 of 5 inspectors each, no other rule.",
            targets: (1..=12)
                .map(|i| {
                    [
                        ["T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09", "T10", "T11", "T12"]
                            [i - 1],
                        "all",
                        if i % 2 == 0 { "R2" } else { "R1" },
                        "",
                    ]
                })
                .collect(),
            inspectors: vec![
                market("I1", "U1", "R1"),
                market("I2", "U1", "R1"),
                market("I3", "U2", "R2"),
                market("I4", "U2", "R2"),
                market("I5", "U3", "R3"),
            ],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: false,
            default_quota: Some(Quota::Count(4)),
            stratum_quotas: vec![],
            entropy: "31415926535897932384",
        },
        DrawCase {
            name: "strata-and-ratios",
            description: "Five strata: a default ratio of 3 % rounded up, 25 % of C, all of D, a count of 100 capped at B's size, and a count of 0 for X.",
            targets: vec![
                ["A01", "A", "R1", ""],
                ["A02", "A", "R1", ""],
                ["A03", "A", "R2", ""],
                ["A04", "A", "R2", ""],
                ["A05", "A", "R1", ""],
                ["A06", "A", "R1", ""],
                ["A07", "A", "R2", ""],
                ["A08", "A", "R2", ""],
                ["A09", "A", "R1", ""],
                ["A10", "A", "R1", ""],
                ["A11", "A", "R2", ""],
                ["A12", "A", "R2", ""],
                ["B01", "B", "R1", ""],
                ["B02", "B", "R2", ""],
                ["B03", "B", "R1", ""],
                ["C01", "C", "R1", ""],
                ["C02", "C", "R2", ""],
                ["C03", "C", "R1", ""],
                ["C04", "C", "R2", ""],
                ["C05", "C", "R1", ""],
                ["C06", "C", "R2", ""],
                ["C07", "C", "R1", ""],
                ["C08", "C", "R2", ""],
                ["C09", "C", "R1", ""],
                ["D01", "D", "R1", ""],
                ["D02", "D", "R2", ""],
                ["D03", "D", "R1", ""],
                ["X01", "X", "R1", ""],
                ["X02", "X", "R2", ""],
            ],
            inspectors: vec![
                market("I1", "U1", "R1"),
                market("I2", "U1", "R1"),
                market("I3", "U2", "R2"),
                market("I4", "U2", "R2"),
            ],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: false,
            default_quota: Some(ratio(300)),
            stratum_quotas: vec![
                ("B", Quota::Count(100)),
                ("C", ratio(2500)),
                ("D", ratio(10_000)),
                ("X", Quota::Count(0)),
            ],
            entropy: "2718281828459045",
        },
        DrawCase {
            name: "recusals-certificates-items",
            description: "Every target drawn. I2's certificate expired the day before the date, I4's expires on it (still valid), I3 lacks item DRUG, and two recusals remove I1 and I5 from some targets.",
            targets: vec![
                ["T1", "all", "R1", ""],
                ["T2", "all", "R1", ""],
                ["T3", "all", "R1", ""],
                ["T4", "all", "R1", ""],
                ["T5", "all", "R1", ""],
                ["T6", "all", "R1", ""],
            ],
            inspectors: vec![
                ("I1", "market", "U1", "R1", "DRUG,FOOD", "2027-12-31"),
                ("I2", "market", "U1", "R1", "DRUG,FOOD", "2026-11-30"),
                ("I3", "market", "U1", "R1", "FOOD", "2027-12-31"),
                ("I4", "market", "U1", "R1", "DRUG,FOOD", "2026-12-01"),
                ("I5", "market", "U1", "R1", "DRUG,FOOD,SPECIAL", "2027-12-31"),
                ("I6", "market", "U1", "R1", "DRUG,FOOD", "2028-01-01"),
            ],
            recusals: vec![("I1", "T2"), ("I1", "T5"), ("I5", "T2"), ("I9", "T1")],
            items: vec!["FOOD", "DRUG"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: false,
            default_quota: Some(ratio(10_000)),
            stratum_quotas: vec![],
            entropy: "1414213562373095",
        },
        DrawCase {
            name: "cross-region-and-unit",
            description: "Cross inspection on region and unit: no inspector may share either with the target; T3 has no unit, so only its region counts.",
            targets: vec![
                ["T1", "all", "R1", "U1"],
                ["T2", "all", "R2", "U2"],
                ["T3", "all", "R3", ""],
                ["T4", "all", "R1", "U4"],
                ["T5", "all", "R2", "U1"],
            ],
            inspectors: vec![
                market("I1", "U1", "R1"),
                market("I2", "U1", "R2"),
                market("I3", "U2", "R2"),
                market("I4", "U2", "R3"),
                market("I5", "U3", "R3"),
                market("I6", "U4", "R1"),
                market("I7", "U3", "R1"),
            ],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: both,
            balance: false,
            default_quota: Some(ratio(10_000)),
            stratum_quotas: vec![],
            entropy: "1732050807568877",
        },
        DrawCase {
            name: "balanced-workload",
            description: "Balance: 15 targets, 2 of 6 inspectors each, always among the least loaded, so every inspector ends with exactly 5.",
            targets: (0..15)
                .map(|i| {
                    [
                        [
                            "S01", "S02", "S03", "S04", "S05", "S06", "S07", "S08", "S09", "S10", "S11",
                            "S12", "S13", "S14", "S15",
                        ][i],
                        "all",
                        "R1",
                        "",
                    ]
                })
                .collect(),
            inspectors: vec![
                market("I1", "U1", "R2"),
                market("I2", "U1", "R2"),
                market("I3", "U2", "R2"),
                market("I4", "U2", "R3"),
                market("I5", "U3", "R3"),
                market("I6", "U3", "R3"),
            ],
            recusals: vec![("I3", "S04")],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: region,
            balance: true,
            default_quota: Some(ratio(10_000)),
            stratum_quotas: vec![],
            entropy: "6180339887498948",
        },
        DrawCase {
            name: "joint-departments",
            description: "A joint inspection: 'health' then 'market' (bytewise order) each draw 2 inspectors of their own for every target, with cross region and balance.",
            targets: vec![
                ["T1", "all", "R1", ""],
                ["T2", "all", "R2", ""],
                ["T3", "all", "R3", ""],
                ["T4", "all", "R1", ""],
                ["T5", "all", "R2", ""],
                ["T6", "all", "R3", ""],
            ],
            inspectors: vec![
                market("M1", "MU1", "R1"),
                market("M2", "MU2", "R2"),
                market("M3", "MU3", "R3"),
                market("M4", "MU1", "R1"),
                ("H1", "health", "HU1", "R1", "FOOD", "2027-12-31"),
                ("H2", "health", "HU2", "R2", "FOOD", "2027-12-31"),
                ("H3", "health", "HU3", "R3", "FOOD", "2027-12-31"),
                ("H4", "health", "HU2", "R2", "FOOD", "2027-12-31"),
                ("P1", "police", "PU1", "R2", "FOOD", "2027-12-31"),
            ],
            recusals: vec![("H2", "T1")],
            items: vec!["FOOD"],
            departments: vec!["market", "health"],
            per_target: 2,
            cross: region,
            balance: true,
            default_quota: Some(ratio(10_000)),
            stratum_quotas: vec![],
            entropy: "0577215664901532",
        },
        DrawCase {
            name: "infeasible",
            description: "Drawn targets get their inspectors until T3, in region R2, where the cross rule leaves a single candidate: the draw fails there, keeps the assignments made before, and records the rule.",
            targets: vec![
                ["T1", "all", "R1", ""],
                ["T2", "all", "R1", ""],
                ["T3", "all", "R2", ""],
                ["T4", "all", "R1", ""],
                ["T5", "all", "R1", ""],
            ],
            inspectors: vec![market("I1", "U1", "R2"), market("I2", "U1", "R2"), market("I3", "U2", "R3")],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: region,
            balance: false,
            default_quota: Some(ratio(10_000)),
            stratum_quotas: vec![],
            entropy: "2123581321345589",
        },
        DrawCase {
            name: "bytewise-order",
            description: "Canonical order is bytewise over UTF-8, which is not UTF-16 order: '！' (U+FF01) sorts before '𠀀' (U+20000), and Chinese stratum keys sort by their bytes.",
            targets: vec![
                ["𠀀-1", "鼓楼区", "R1", ""],
                ["！-1", "鼓楼区", "R1", ""],
                ["Z-1", "玄武区", "R1", ""],
                ["z-1", "玄武区", "R1", ""],
                ["甲-1", "玄武区", "R1", ""],
                ["ａ-1", "鼓楼区", "R1", ""],
                ["é-1", "A", "R1", ""],
                ["e-1", "A", "R1", ""],
            ],
            inspectors: vec![
                market("检查员乙", "U1", "R2"),
                market("检查员甲", "U1", "R2"),
                market("𠀀检查员", "U2", "R3"),
            ],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: true,
            default_quota: Some(Quota::Count(2)),
            stratum_quotas: vec![],
            entropy: "162534435261",
        },
        DrawCase {
            name: "stratum-quotas-only",
            description: "No default quota: every stratum present has its own, and a quota for stratum Z, which has no target, has no effect.",
            targets: vec![
                ["A1", "A", "R1", ""],
                ["A2", "A", "R1", ""],
                ["A3", "A", "R1", ""],
                ["B1", "B", "R1", ""],
                ["B2", "B", "R1", ""],
            ],
            inspectors: vec![market("I1", "U1", "R2"), market("I2", "U1", "R2"), market("I3", "U1", "R2")],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: false,
            default_quota: None,
            stratum_quotas: vec![("A", ratio(5000)), ("B", Quota::Count(1)), ("Z", Quota::Count(9))],
            entropy: "3333333333",
        },
        DrawCase {
            name: "empty-pool",
            description: "A manifest with no target: nothing is drawn, and the result is complete.",
            targets: vec![],
            inspectors: vec![market("I1", "U1", "R1"), market("I2", "U1", "R1")],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: false,
            default_quota: Some(Quota::Count(1)),
            stratum_quotas: vec![],
            entropy: "12345",
        },
        DrawCase {
            name: "failure-at-department",
            description: "The department has a single inspector and K = 2: the first drawn target fails at the 'department' rule with 1 remaining.",
            targets: vec![["T1", "all", "R1", ""], ["T2", "all", "R1", ""]],
            inspectors: vec![market("I1", "U1", "R2"), ("P1", "police", "U1", "R2", "FOOD", "2027-12-31")],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: none,
            balance: false,
            default_quota: Some(Quota::Count(2)),
            stratum_quotas: vec![],
            entropy: "4444",
        },
        DrawCase {
            name: "failure-names-the-first-rule",
            description: "Of three inspectors only I1 is qualified, and the cross rule would remove it too: the failure names 'qualification' with 1 remaining, not the 0 left at the end.",
            targets: vec![["T1", "all", "R1", ""]],
            inspectors: vec![
                ("I1", "market", "U1", "R1", "FOOD", "2027-12-31"),
                ("I2", "market", "U1", "R2", "DRUG", "2027-12-31"),
                ("I3", "market", "U1", "R3", "DRUG", "2027-12-31"),
            ],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["market"],
            per_target: 2,
            cross: region,
            balance: false,
            default_quota: Some(Quota::Count(1)),
            stratum_quotas: vec![],
            entropy: "5555",
        },
        DrawCase {
            name: "joint-failure-keeps-earlier-department",
            description: "In a joint inspection the first department ('health') is assigned for T1, then 'market' fails for T1 (cross region): the health assignment stays in the result before the failure line.",
            targets: vec![["T1", "all", "R1", ""]],
            inspectors: vec![
                ("H1", "health", "HU", "R2", "FOOD", "2027-12-31"),
                ("H2", "health", "HU", "R3", "FOOD", "2027-12-31"),
                market("M1", "MU", "R1"),
                market("M2", "MU", "R1"),
                market("M3", "MU", "R2"),
            ],
            recusals: vec![],
            items: vec!["FOOD"],
            departments: vec!["health", "market"],
            per_target: 2,
            cross: region,
            balance: true,
            default_quota: Some(Quota::Count(1)),
            stratum_quotas: vec![],
            entropy: "6666",
        },
    ]
}

// ---- replacements -------------------------------------------------------------

/// The draw vector `name`: its inputs parsed, its seed, its result.
struct DrawnCase {
    parameters: Parameters,
    targets: TargetManifest,
    inspectors: InspectorManifest,
    recusals: RecusalManifest,
    seed: Seed,
    commitment: Digest,
    result: opendraw::protocol::DrawResult,
}

fn drawn_case(name: &str) -> DrawnCase {
    let draws = common::read("draws.json");
    let case = draws["cases"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap();
    let inputs = &case["inputs"];
    let parameters = Parameters::parse(text(&inputs["parameters.tsv"]).as_bytes()).unwrap();
    let targets = TargetManifest::parse(text(&inputs["targets.tsv"]).as_bytes().to_vec()).unwrap();
    let inspectors = InspectorManifest::parse(text(&inputs["inspectors.tsv"]).as_bytes().to_vec()).unwrap();
    let recusals = RecusalManifest::parse(text(&inputs["recusals.tsv"]).as_bytes().to_vec()).unwrap();
    let commitment = Digest::parse_hex(text(&case["expected"]["commitment_digest"])).unwrap();
    let seed = Seed(Digest::parse_hex(text(&case["expected"]["seed"])).unwrap());
    let result =
        opendraw::protocol::DrawResult::parse(text(&case["expected"]["result.tsv"]).as_bytes()).unwrap();
    DrawnCase { parameters, targets, inspectors, recusals, seed, commitment, result }
}

/// Applies the listed replacements in order; every value a verifier derives.
fn replay(case: &DrawnCase, steps: &[Value]) -> Value {
    use opendraw::protocol::replace::{Replacement, Replacements, apply, draw_replacement, line_key};
    let inputs = DrawInputs {
        parameters: &case.parameters,
        targets: &case.targets,
        inspectors: &case.inspectors,
        recusals: &case.recusals,
    };
    let mut current = case.result.assignments.clone();
    let mut items = Vec::new();
    for (index, step) in steps.iter().enumerate() {
        let number = index as u32 + 1;
        let target = TargetId::parse(text(&step["target"])).unwrap();
        let department = Department::parse(text(&step["department"])).unwrap();
        let out = InspectorId::parse(text(&step["out"])).unwrap();
        let drawn =
            draw_replacement(&inputs, &case.seed, &current, number, &target, &department, &out).unwrap();
        let item = Replacement {
            number,
            target,
            department,
            out,
            replacement: drawn,
            reason: text(&step["reason"]).to_owned(),
        };
        apply(&mut current, &item);
        items.push(item);
    }
    let file = Replacements { commitment: case.commitment, items: items.clone() };
    json!({
        "replacements": items.iter().map(|i| i.replacement.as_str()).collect::<Vec<_>>(),
        "line_keys": items.iter().map(|i| line_key(&case.seed, i.number).to_hex()).collect::<Vec<_>>(),
        "keyed_lines": items.iter().map(|i| i.keyed_line_digest(&case.seed).to_hex()).collect::<Vec<_>>(),
        "line_digests": items.iter().map(|i| i.line_digest().to_hex()).collect::<Vec<_>>(),
        "replacements.tsv": String::from_utf8(file.to_text()).unwrap(),
    })
}

fn make_replacements() -> Value {
    let case = drawn_case("balanced-workload");
    let first = case.result.assignments.iter().find(|a| a.target.as_str() == "S14").unwrap();
    let on_s04 = case.result.assignments.iter().find(|a| a.target.as_str() == "S04").unwrap();
    let mut steps = vec![json!({
        "target": "S14", "department": "market", "out": first.inspectors[0].as_str(), "reason": "declared a conflict of interest"
    })];
    let mut expected = replay(&case, &steps);
    // The second replaces the inspector the first one drew.
    steps.push(json!({
        "target": "S14", "department": "market", "out": expected["replacements"][0], "reason": "ill on the inspection day"
    }));
    steps.push(json!({"target": "S04", "department": "market", "out": on_s04.inspectors[1].as_str(), "reason": "transferred"}));
    expected = replay(&case, &steps);
    json!({
        "description": "Replacements (PROTOCOL.md section 16) applied in order to the result of the draw vector 'balanced-workload': for each, the inspector drawn in, the key of its line digest ('line_keys'), the keyed digest of its line that the log holds ('keyed_lines'), the plain SHA-256 of its line that the log held before keyed digests ('line_digests'), and the replacements.tsv they make. The second replaces the inspector the first drew; S04 has a recused inspector (I3), who must never be drawn for it.",
        "cases": [{"draw": "balanced-workload", "steps": steps, "expected": expected}]
    })
}

#[test]
fn replacements_match_the_vectors() {
    let vectors = load("replacements.json", make_replacements);
    for case in vectors["cases"].as_array().unwrap() {
        let drawn = drawn_case(text(&case["draw"]));
        let steps = case["steps"].as_array().unwrap();
        assert_eq!(&replay(&drawn, steps), &case["expected"]);
        let replaced = case["expected"]["replacements"].as_array().unwrap();
        assert_ne!(replaced[2], "I3", "a recused inspector is never drawn");
    }
}

// ---- drand rounds (§3.6) ----------------------------------------------------

/// Rounds of League of Entropy quicknet as its relays published them
/// (`/52db9b…e971/public/{round}`): round number, signature, and the
/// randomness the relay stated beside it.
const RECORDED_ROUNDS: [(u64, &str, &str); 3] = [
    (
        123,
        "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92",
        "",
    ),
    (
        1000,
        "b44679b9a59af2ec876b1a6b1ad52ea9b1615fc3982b19576350f93447cb1125e342b73a8dd2bacbe47e4b6b63ed5e39",
        "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd",
    ),
    (
        657413,
        "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b",
        "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587",
    ),
];

fn recorded(round: u64) -> &'static str {
    RECORDED_ROUNDS.iter().find(|r| r.0 == round).unwrap().1
}

fn beacon_round(round: u64, signature: &str) -> beacon::Round {
    beacon::Round { round, signature: beacon::parse_signature(signature).unwrap() }
}

/// The outcome of checking a round against a committed chain and round:
/// the entropy, or the field that refused it.
fn beacon_outcome(chain: &str, committed: u64, round: u64, signature: &str) -> Value {
    let commitment = BeaconCommitment { chain: Digest::parse_hex(chain).unwrap(), round: committed };
    let checked = beacon::parse_signature(signature)
        .and_then(|signature| beacon::check_round(&commitment, &beacon::Round { round, signature }));
    match checked {
        Ok(entropy) => json!({"entropy": entropy.as_str()}),
        Err(error) => json!({"refused": error.field()}),
    }
}

fn make_drand() -> Value {
    let chain = QUICKNET.hash_digest().to_hex();
    let rounds: Vec<Value> = RECORDED_ROUNDS
        .iter()
        .map(|&(round, signature, _)| {
            json!({
                "round": round,
                "signature": signature,
                "randomness": beacon::randomness(&beacon_round(round, signature).signature).to_hex(),
                "time": QUICKNET.round_time(round),
                "entropy_event": QUICKNET.round_event(round).as_str(),
            })
        })
        .collect();
    let selection: Vec<Value> = [
        ("2026-12-01T01:30:00.000Z", 600),
        ("2026-12-01T01:30:00.001Z", 600),
        ("2026-12-01T01:30:02.999Z", 600),
        ("2026-12-01T01:30:00.000Z", 60),
        ("2023-08-23T14:59:27.000Z", 600),
        ("2023-08-23T15:09:27.000Z", 600),
        ("2020-01-01T00:00:00.000Z", 600),
    ]
    .into_iter()
    .map(|(at, margin)| {
        let millis = opendraw::protocol::event_time::log_time_millis(at).unwrap();
        let round = QUICKNET.round_after(millis, margin);
        json!({"committed_at": at, "margin_seconds": margin, "round": round, "entropy_event": QUICKNET.round_event(round).as_str()})
    })
    .collect();
    let mut flipped = recorded(1000).to_owned();
    flipped.replace_range(95..96, "c");
    let other_chain = "dbd506d6ef76e5f386f41c651dcb808c5bcbd75471cc4eafa3f4df7ad4e4c493";
    let checks: Vec<Value> = [
        ("recorded", "round 1000 as committed", chain.as_str(), 1000, 1000, recorded(1000)),
        (
            "earlier-round",
            "round 123, genuine, offered for committed round 1000",
            &chain,
            1000,
            123,
            recorded(123),
        ),
        (
            "later-round",
            "round 657413, genuine, offered for committed round 1000",
            &chain,
            1000,
            657_413,
            recorded(657_413),
        ),
        ("relabelled", "round 123's signature presented as round 1000", &chain, 1000, 1000, recorded(123)),
        (
            "flipped-bit",
            "round 1000 with the last hex digit of its signature changed",
            &chain,
            1000,
            1000,
            &flipped,
        ),
        (
            "other-chain",
            "round 1000 of quicknet for a commitment naming another chain (testnet quicknet-t)",
            other_chain,
            1000,
            1000,
            recorded(1000),
        ),
    ]
    .into_iter()
    .map(|(name, description, chain, committed, round, signature)| {
        json!({
            "name": name,
            "description": description,
            "committed": {"chain": chain, "round": committed},
            "round": {"round": round, "signature": signature},
            "expected": beacon_outcome(chain, committed, round, signature),
        })
    })
    .collect();
    // A whole draw: the first draw vector committed to quicknet round 1000.
    let draws = common::read("draws.json");
    let mut draw = draws["cases"][0].clone();
    let round = 1000;
    draw["name"] = json!("drand-round");
    draw["description"] = json!(
        "The draw one-stratum-count committed to quicknet round 1000: commitment.tsv has its entropy-event (the round's time), drand-chain and drand-round lines; the entropy is the round's randomness; drand.tsv carries the round's signature."
    );
    draw["inputs"]["entropy_format"] = json!("drand");
    draw["inputs"]["entropy_source"] = json!("drand quicknet round 1000");
    draw["inputs"]["entropy_event"] = json!(QUICKNET.round_event(round).as_str());
    draw["inputs"]["drand_chain"] = json!(chain);
    draw["inputs"]["drand_round"] = json!(round);
    let signature = beacon_round(round, recorded(round)).signature;
    draw["inputs"]["entropy"] = json!(beacon::entropy(&signature).as_str());
    let file = BeaconFile { chain: QUICKNET.hash_digest(), round: beacon::Round { round, signature } };
    draw["inputs"]["drand.tsv"] = json!(String::from_utf8(file.to_text()).unwrap());
    draw["expected"] = compute_expected(&draw["inputs"]);
    json!({
        "description": "drand rounds as entropy (PROTOCOL.md section 3.6): the chain, recorded quicknet rounds with their randomness (SHA-256 of the signature) and time, the round a commitment names (the first whose time is at least the margin after the commitment), rounds checked against a committed chain and round (the entropy, or the field that refused: chain, round, signature), and a whole draw whose bundle verification is in verify-drand.json.",
        "chain": {
            "hash": chain,
            "scheme": QUICKNET.scheme,
            "public_key": hex::encode(QUICKNET.public_key),
            "genesis_time": QUICKNET.genesis,
            "period": QUICKNET.period,
        },
        "rounds": rounds,
        "selection": selection,
        "checks": checks,
        "draw": draw,
    })
}

#[test]
fn drand_rounds_match_the_vectors() {
    let vectors = load("drand.json", make_drand);
    assert_eq!(vectors["chain"]["hash"], QUICKNET.hash_digest().to_hex());
    assert_eq!(vectors["chain"]["public_key"], hex::encode(QUICKNET.public_key));
    for round in vectors["rounds"].as_array().unwrap() {
        let number = round["round"].as_u64().unwrap();
        let signature = text(&round["signature"]);
        let committed = BeaconCommitment { chain: QUICKNET.hash_digest(), round: number };
        let entropy = beacon::check_round(&committed, &beacon_round(number, signature)).unwrap();
        assert_eq!(entropy.as_str(), text(&round["randomness"]), "round {number}");
        assert_eq!(QUICKNET.round_time(number), round["time"].as_i64().unwrap());
        assert_eq!(QUICKNET.round_event(number).as_str(), text(&round["entropy_event"]));
    }
    // The randomness the relays published beside each round is SHA-256 of
    // its signature.
    for (number, signature, published) in RECORDED_ROUNDS {
        let randomness = beacon::randomness(&beacon_round(number, signature).signature).to_hex();
        assert!(published.is_empty() || randomness == published, "round {number}");
    }
    for case in vectors["selection"].as_array().unwrap() {
        let millis = opendraw::protocol::event_time::log_time_millis(text(&case["committed_at"])).unwrap();
        let margin = case["margin_seconds"].as_u64().unwrap() as u32;
        let round = QUICKNET.round_after(millis, margin);
        assert_eq!(round, case["round"].as_u64().unwrap(), "{case}");
        assert_eq!(QUICKNET.round_event(round).as_str(), text(&case["entropy_event"]));
    }
    let checks = vectors["checks"].as_array().unwrap();
    for case in checks {
        let (committed, round) = (&case["committed"], &case["round"]);
        let outcome = beacon_outcome(
            text(&committed["chain"]),
            committed["round"].as_u64().unwrap(),
            round["round"].as_u64().unwrap(),
            text(&round["signature"]),
        );
        assert_eq!(outcome, case["expected"], "case {}", case["name"]);
    }
    let refused: Vec<&str> = checks.iter().filter_map(|c| c["expected"]["refused"].as_str()).collect();
    assert_eq!(refused, ["round", "round", "signature", "signature", "chain"]);
    let draw = &vectors["draw"];
    assert_eq!(compute_expected(&draw["inputs"]), draw["expected"]);
}

//! The drand randomness beacon as an entropy source (PROTOCOL.md §3.6).
//!
//! A commitment of entropy format `drand` names a beacon chain and one of its
//! future rounds. The round's BLS signature, checked against the chain's
//! public key, is unpredictable until the League of Entropy's nodes publish
//! it; its SHA-256 is the draw's entropy. The operator chooses nothing after
//! the commitment: the round follows from the commitment time by a fixed
//! rule, and one round has exactly one valid signature.
//!
//! Pure: the signature comes in from outside (pasted, or fetched by the
//! service); this module only checks it.

use std::fmt;

use drand_verify::{G2PubkeyRfc, Pubkey};
use sha2::{Digest as _, Sha256};

use super::digest::{Digest, parse_hex32};
use super::event_time::EventTime;
use super::field::Entropy;
use super::tsv::{self, ParseError};

/// The file of a bundle that carries the beacon round (§11).
pub const BEACON_FILE: &str = "drand.tsv";

/// The default and the bounds of the margin between the commitment and the
/// committed round, in seconds.
pub const DEFAULT_MARGIN_SECONDS: u32 = 600;
pub const MIN_MARGIN_SECONDS: u32 = 60;
pub const MAX_MARGIN_SECONDS: u32 = 30 * 24 * 3600;

/// A drand chain this implementation can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chain {
    pub name: &'static str,
    /// The chain hash, as relays name the chain (`/{hash}/public/{round}`).
    pub hash: [u8; 32],
    /// The scheme; only `bls-unchained-g1-rfc9380` (signatures on G1,
    /// public key on G2, the message SHA-256(u64be(round))) is supported.
    pub scheme: &'static str,
    pub public_key: [u8; 96],
    /// Unix time of round 1, in seconds.
    pub genesis: i64,
    /// Seconds between rounds.
    pub period: i64,
}

/// League of Entropy mainnet `quicknet`, as its relays' `/info` states it.
pub const QUICKNET: Chain = Chain {
    name: "quicknet",
    hash: hex_literal(b"52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"),
    scheme: "bls-unchained-g1-rfc9380",
    public_key: hex_literal(
        b"83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a",
    ),
    genesis: 1_692_803_367,
    period: 3,
};

/// Every chain a commitment may name.
pub const CHAINS: [Chain; 1] = [QUICKNET];

const fn hex_literal<const N: usize>(text: &[u8]) -> [u8; N] {
    assert!(text.len() == 2 * N);
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = (nibble(text[2 * i]) << 4) | nibble(text[2 * i + 1]);
        i += 1;
    }
    out
}

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("not a lowercase hex digit"),
    }
}

/// The chain with this hash, if this implementation knows it.
pub fn chain(hash: &Digest) -> Option<&'static Chain> {
    CHAINS.iter().find(|chain| chain.hash == hash.0)
}

/// Rounds are numbered from 1; this bound keeps every round's time a
/// four-digit year (quicknet reaches it in the year 2970).
pub const MAX_ROUND: u64 = 10_000_000_000;

impl Chain {
    pub fn hash_digest(&self) -> Digest {
        Digest(self.hash)
    }

    /// Unix time, in seconds, at which `round` is produced:
    /// `genesis + (round − 1) × period`.
    pub fn round_time(&self, round: u64) -> i64 {
        self.genesis + (round.saturating_sub(1) as i64) * self.period
    }

    /// The round a commitment made at `committed_millis` (milliseconds since
    /// the epoch) names: the first round whose time is at least
    /// `margin_seconds` after that instant.
    pub fn round_after(&self, committed_millis: i64, margin_seconds: u32) -> u64 {
        let earliest = committed_millis + i64::from(margin_seconds) * 1000;
        let since_genesis = earliest - self.genesis * 1000;
        if since_genesis <= 0 {
            return 1;
        }
        let step = self.period * 1000;
        ((since_genesis + step - 1) / step + 1) as u64
    }

    /// The round's time as a committed entropy event (§3.3), in UTC.
    pub fn round_event(&self, round: u64) -> EventTime {
        EventTime::parse(&utc_text(self.round_time(round))).expect("a round time is a valid event time")
    }
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` for a Unix time in seconds.
fn utc_text(seconds: i64) -> String {
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}+00:00",
        second_of_day / 3600,
        second_of_day % 3600 / 60,
        second_of_day % 60
    )
}

/// The beacon part of a commitment: which chain, which round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeaconCommitment {
    pub chain: Digest,
    pub round: u64,
}

impl BeaconCommitment {
    pub fn round_text(&self) -> String {
        self.round.to_string()
    }
}

/// Parses a round number: decimal, no sign or leading zero, 1 ≤ round ≤
/// [`MAX_ROUND`].
pub fn parse_round(text: &str) -> Result<u64, String> {
    let refused = || format!("'{text}' is not a round number (1 to {MAX_ROUND}, decimal, no leading zero)");
    if text.is_empty()
        || text.len() > 11
        || text.starts_with('0')
        || !text.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(refused());
    }
    let round: u64 = text.parse().map_err(|_| refused())?;
    if round > MAX_ROUND {
        return Err(refused());
    }
    Ok(round)
}

/// A beacon round as a relay publishes it: the round number and its
/// signature. The signature is exactly 48 bytes (a compressed G1 point).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Round {
    pub round: u64,
    pub signature: [u8; 48],
}

/// Why a round does not give a commitment its entropy. Each names the check
/// that refused it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BeaconError {
    #[error("the signature is not 96 lowercase hex digits (48 bytes)")]
    SignatureFormat,
    #[error("chain {0} is not a chain this verifier knows (quicknet {q})", q = QUICKNET.hash_digest())]
    UnknownChain(Digest),
    #[error("the round is {found}; the commitment names chain {committed}, not {found_chain}")]
    OtherChain { committed: Digest, found_chain: Digest, found: u64 },
    #[error("round {found} is not the committed round {committed}")]
    OtherRound { committed: u64, found: u64 },
    #[error("the signature is not a valid signature of round {round} by chain {chain}")]
    BadSignature { chain: &'static str, round: u64 },
}

impl BeaconError {
    /// The field of a round (as relays serve it) that the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::SignatureFormat | Self::BadSignature { .. } => "signature",
            Self::OtherRound { .. } => "round",
            Self::UnknownChain(_) | Self::OtherChain { .. } => "chain",
        }
    }
}

/// Parses a signature: exactly 96 lowercase hex digits.
pub fn parse_signature(text: &str) -> Result<[u8; 48], BeaconError> {
    if text.len() != 96 || !text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(BeaconError::SignatureFormat);
    }
    let mut out = [0u8; 48];
    hex::decode_to_slice(text, &mut out).map_err(|_| BeaconError::SignatureFormat)?;
    Ok(out)
}

/// The randomness of a round: SHA-256 of its signature, as drand defines it.
pub fn randomness(signature: &[u8; 48]) -> Digest {
    Digest(Sha256::digest(signature).into())
}

/// The entropy a round gives a draw: its randomness, 64 lowercase hex digits.
pub fn entropy(signature: &[u8; 48]) -> Entropy {
    Entropy::parse(&randomness(signature).to_hex()).expect("64 hex digits are a valid entropy")
}

/// Checks that `round` is the committed round of the committed chain and
/// that its signature is valid under that chain's public key; returns the
/// entropy it gives.
pub fn check_round(committed: &BeaconCommitment, round: &Round) -> Result<Entropy, BeaconError> {
    let chain = chain(&committed.chain).ok_or(BeaconError::UnknownChain(committed.chain))?;
    if round.round != committed.round {
        return Err(BeaconError::OtherRound { committed: committed.round, found: round.round });
    }
    verify_signature(chain, round)?;
    Ok(entropy(&round.signature))
}

/// The BLS check alone: the signature of `round.round` under `chain`'s key.
pub fn verify_signature(chain: &Chain, round: &Round) -> Result<(), BeaconError> {
    let bad = || BeaconError::BadSignature { chain: chain.name, round: round.round };
    let key = G2PubkeyRfc::from_fixed(chain.public_key).expect("the chain's public key is a valid point");
    match key.verify(round.round, b"", &round.signature) {
        Ok(true) => Ok(()),
        Ok(false) | Err(_) => Err(bad()),
    }
}

/// The bundle's `drand.tsv` (§11): the chain, round and signature that gave
/// the entropy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BeaconFile {
    pub chain: Digest,
    pub round: Round,
}

impl BeaconFile {
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        tsv::push_record(&mut out, &["opendraw-drand", super::commitment::PROTOCOL_VERSION]);
        tsv::push_record(&mut out, &["chain", &self.chain.to_hex()]);
        tsv::push_record(&mut out, &["round", &self.round.round.to_string()]);
        tsv::push_record(&mut out, &["signature", &hex::encode(self.round.signature)]);
        out
    }

    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        const FILE: &str = BEACON_FILE;
        let lines: Vec<(usize, &str)> = tsv::lines(FILE, text)?.collect();
        let keys = ["opendraw-drand", "chain", "round", "signature"];
        if lines.len() != keys.len() {
            return Err(ParseError::file(FILE, format!("has {} lines; 4 are expected", lines.len())));
        }
        let values = tsv::keyed_values(FILE, &lines, &keys, super::commitment::PROTOCOL_VERSION)?;
        let chain = parse_hex32(values[1]).map_err(|error| ParseError::field(FILE, 2, "chain", error))?;
        let round = parse_round(values[2]).map_err(|error| ParseError::field(FILE, 3, "round", error))?;
        let signature = parse_signature(values[3])
            .map_err(|error| ParseError::field(FILE, 4, "signature", error.to_string()))?;
        Ok(Self { chain: Digest(chain), round: Round { round, signature } })
    }
}

impl fmt::Display for Round {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "round {}", self.round)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quicknet round 123, as the drand-verify crate's tests record it.
    const ROUND_123: &str =
        "b75c69d0b72a5d906e854e808ba7e2accb1542ac355ae486d591aa9d43765482e26cd02df835d3546d23c4b13e0dfc92";

    /// Quicknet round 657413, with the randomness relays published beside it.
    const ROUND_657413: &str =
        "b713718a38ae728dfd477991af2822e08d2f305e47718cef9f7848ce4050e7be41076862b98fad56e91a6b85b89cd97b";
    const RANDOMNESS_657413: &str = "fc1873a13f3545aeade8401532ef5519920652eee6b0d2b19ca12643b87b3587";

    fn round(number: u64, signature: &str) -> Round {
        Round { round: number, signature: parse_signature(signature).unwrap() }
    }

    fn committed(number: u64) -> BeaconCommitment {
        BeaconCommitment { chain: QUICKNET.hash_digest(), round: number }
    }

    #[test]
    fn a_recorded_round_verifies_and_gives_its_randomness() {
        let entropy = check_round(&committed(123), &round(123, ROUND_123)).unwrap();
        let expected = hex::encode(Sha256::digest(hex::decode(ROUND_123).unwrap()));
        assert_eq!(entropy.as_str(), expected);
        let entropy = check_round(&committed(657_413), &round(657_413, ROUND_657413)).unwrap();
        assert_eq!(entropy.as_str(), RANDOMNESS_657413);
    }

    #[test]
    fn another_round_a_changed_signature_or_another_chain_is_refused() {
        assert_eq!(
            check_round(&committed(124), &round(123, ROUND_123)),
            Err(BeaconError::OtherRound { committed: 124, found: 123 })
        );
        let error = check_round(&committed(124), &round(124, ROUND_123)).unwrap_err();
        assert_eq!(
            (error.field(), error),
            ("signature", BeaconError::BadSignature { chain: "quicknet", round: 124 })
        );
        let mut flipped = ROUND_123.to_owned();
        flipped.replace_range(95..96, "3");
        assert!(matches!(
            check_round(&committed(123), &round(123, &flipped)),
            Err(BeaconError::BadSignature { .. })
        ));
        let other = BeaconCommitment { chain: Digest([7; 32]), round: 123 };
        assert_eq!(check_round(&other, &round(123, ROUND_123)).unwrap_err().field(), "chain");
        assert_eq!(parse_signature(&ROUND_123.to_uppercase()), Err(BeaconError::SignatureFormat));
        assert_eq!(parse_signature(&ROUND_123[2..]), Err(BeaconError::SignatureFormat));
    }

    #[test]
    fn round_times_follow_genesis_and_period() {
        assert_eq!(QUICKNET.round_time(1), 1_692_803_367);
        assert_eq!(QUICKNET.round_time(1000), 1_692_803_367 + 999 * 3);
        assert_eq!(QUICKNET.round_event(1).as_str(), "2023-08-23T15:09:27+00:00");
        assert_eq!(QUICKNET.round_event(1).instant(), 1_692_803_367_000);
    }

    #[test]
    fn the_round_is_the_first_at_least_the_margin_after_the_commitment() {
        let genesis = QUICKNET.genesis * 1000;
        // A round time exactly at commitment + margin is the round.
        assert_eq!(QUICKNET.round_after(genesis - 600_000, 600), 1);
        assert_eq!(QUICKNET.round_after(genesis - 600_000 + 1, 600), 2);
        assert_eq!(QUICKNET.round_after(genesis - 10_000_000, 600), 1);
        let committed = genesis + 1_000_000; // 1000 s after genesis
        let chosen = QUICKNET.round_after(committed, 600);
        assert!(QUICKNET.round_time(chosen) * 1000 >= committed + 600_000);
        assert!(QUICKNET.round_time(chosen - 1) * 1000 < committed + 600_000);
    }

    #[test]
    fn round_numbers_are_written_one_way() {
        assert_eq!(parse_round("123"), Ok(123));
        for bad in ["", "0", "0123", "+1", "1e3", " 1", "10000000001"] {
            assert!(parse_round(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_beacon_file_reads_back() {
        let file = BeaconFile { chain: QUICKNET.hash_digest(), round: round(123, ROUND_123) };
        let text = file.to_text();
        assert_eq!(
            String::from_utf8(text.clone()).unwrap(),
            format!(
                "opendraw-drand\t1\nchain\t{}\nround\t123\nsignature\t{ROUND_123}\n",
                QUICKNET.hash_digest()
            )
        );
        assert_eq!(BeaconFile::parse(&text).unwrap(), file);
        assert!(BeaconFile::parse(b"opendraw-drand\t1\n").is_err());
    }
}

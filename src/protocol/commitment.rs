//! Commitment, secret and seed (PROTOCOL.md §3 and §4).
//!
//! At commitment the service publishes the digests of everything that fixes
//! the draw and the hash of a secret it keeps; after the public entropy exists
//! the seed is derived from all three, so neither the service (which cannot
//! predict the entropy) nor whoever supplies the entropy (who does not know
//! the secret) can steer the draw.

use std::fmt;

use super::beacon::{self, BeaconCommitment};
use super::digest::{Digest, HexError, parse_hex32};
use super::event_time::EventTime;
use super::field::{Entropy, EntropySource};
use super::tsv::{self, ParseError};

pub const PROTOCOL_VERSION: &str = "1";
pub const COMMITMENT_FILE: &str = "commitment.tsv";
pub const REVEAL_FILE: &str = "reveal.tsv";

const SECRET_TAG: &str = "opendraw/v1/secret";
const COMMITMENT_TAG: &str = "opendraw/v1/commitment";
const SEED_TAG: &str = "opendraw/v1/seed";

/// The service's 32-byte draw secret. Its `Debug` never shows the bytes, so
/// it cannot reach a log by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret([u8; 32]);

impl Secret {
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    pub fn parse_hex(text: &str) -> Result<Self, HexError> {
        parse_hex32(text).map(Self)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// What the commitment publishes in place of the secret.
    pub fn hash(&self) -> Digest {
        Digest::tagged(SECRET_TAG, &[&self.0])
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

/// How the public entropy is written, fixed at commitment. Without it, an
/// operator who knows the secret could choose among spellings of the same
/// public value (`31415`, `3 1 4 1 5`, `3,1,4,1,5`) after seeing each draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntropyFormat {
    /// Faces of six-sided dice: the characters `1` to `6`, nothing else.
    Dice,
    /// Decimal digits `0` to `9`, nothing else.
    Digits,
    /// Lowercase hexadecimal digits, as randomness beacons publish values.
    Hex,
    /// The randomness of a committed drand round (§3.6): exactly 64
    /// lowercase hex digits, SHA-256 of the round's verified signature.
    Drand,
}

impl EntropyFormat {
    pub const ALL: [EntropyFormat; 4] = [Self::Dice, Self::Digits, Self::Hex, Self::Drand];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dice => "dice",
            Self::Digits => "digits",
            Self::Hex => "hex",
            Self::Drand => "drand",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|format| format.as_str() == text)
            .ok_or_else(|| format!("'{text}' is not an entropy format (dice, digits, hex, drand)"))
    }

    fn allows(self, c: char) -> bool {
        match self {
            Self::Dice => ('1'..='6').contains(&c),
            Self::Digits => c.is_ascii_digit(),
            Self::Hex | Self::Drand => matches!(c, '0'..='9' | 'a'..='f'),
        }
    }

    /// Checks that `entropy` is written in this format.
    pub fn check(self, entropy: &Entropy) -> Result<(), String> {
        if self == Self::Drand && entropy.as_str().len() != 64 {
            return Err(format!(
                "the committed entropy format 'drand' takes exactly 64 characters ({}), not {}",
                self.describe(),
                entropy.as_str().chars().count()
            ));
        }
        match entropy.as_str().chars().enumerate().find(|(_, c)| !self.allows(*c)) {
            None => Ok(()),
            Some((index, c)) => Err(format!(
                "'{c}' at character {} is not allowed in the committed entropy format '{}' ({})",
                index + 1,
                self.as_str(),
                self.describe()
            )),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Self::Dice => "only the digits 1 to 6, no spaces or separators",
            Self::Digits => "only the digits 0 to 9, no spaces or separators",
            Self::Hex => "only lowercase hex digits 0-9 and a-f",
            Self::Drand => "the round's randomness: 64 lowercase hex digits",
        }
    }
}

/// Everything a draw is committed to before its entropy exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commitment {
    pub parameters: Digest,
    pub targets: Digest,
    pub inspectors: Digest,
    pub recusals: Digest,
    pub secret_hash: Digest,
    pub entropy_format: EntropyFormat,
    pub entropy_source: EntropySource,
    /// When the entropy comes into being (§3.3). Commitments made before
    /// the protocol had this line have none; their digest is unchanged.
    pub entropy_event: Option<EventTime>,
    /// The committed drand chain and round (§3.6), present exactly when the
    /// entropy format is `drand`; such a commitment always has an event.
    pub beacon: Option<BeaconCommitment>,
}

impl Commitment {
    pub fn digest(&self) -> Digest {
        let mut fields: Vec<&[u8]> = vec![
            PROTOCOL_VERSION.as_bytes(),
            self.parameters.as_bytes(),
            self.targets.as_bytes(),
            self.inspectors.as_bytes(),
            self.recusals.as_bytes(),
            self.secret_hash.as_bytes(),
            self.entropy_format.as_str().as_bytes(),
            self.entropy_source.as_str().as_bytes(),
        ];
        // A ninth field only when there is an event time: the length
        // prefixes keep the two forms apart, and older digests stay valid.
        if let Some(event) = &self.entropy_event {
            fields.push(event.as_str().as_bytes());
        }
        // The beacon's chain and round follow as a tenth and eleventh field
        // (§3.4); no commitment without them changes.
        let round;
        if let Some(beacon) = &self.beacon {
            round = beacon.round_text();
            fields.push(beacon.chain.as_bytes());
            fields.push(round.as_bytes());
        }
        Digest::tagged(COMMITMENT_TAG, &fields)
    }

    /// The published commitment document; its last line is the digest.
    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        tsv::push_record(&mut out, &["opendraw-commitment", PROTOCOL_VERSION]);
        for (key, digest) in self.named_digests() {
            tsv::push_record(&mut out, &[key, &digest.to_hex()]);
        }
        tsv::push_record(&mut out, &["entropy-format", self.entropy_format.as_str()]);
        tsv::push_record(&mut out, &["entropy-source", self.entropy_source.as_str()]);
        if let Some(event) = &self.entropy_event {
            tsv::push_record(&mut out, &["entropy-event", event.as_str()]);
        }
        if let Some(beacon) = &self.beacon {
            tsv::push_record(&mut out, &["drand-chain", &beacon.chain.to_hex()]);
            tsv::push_record(&mut out, &["drand-round", &beacon.round_text()]);
        }
        tsv::push_record(&mut out, &["digest", &self.digest().to_hex()]);
        out
    }

    fn named_digests(&self) -> [(&'static str, Digest); 5] {
        [
            ("parameters", self.parameters),
            ("targets", self.targets),
            ("inspectors", self.inspectors),
            ("recusals", self.recusals),
            ("secret-hash", self.secret_hash),
        ]
    }

    /// Reads a commitment document; returns the commitment and the digest the
    /// document states (which a verifier compares with the recomputed one).
    pub fn parse(text: &[u8]) -> Result<(Self, Digest), ParseError> {
        const FILE: &str = COMMITMENT_FILE;
        let lines: Vec<(usize, &str)> = tsv::lines(FILE, text)?.collect();
        // Nine lines, ten with an `entropy-event` line before the digest, or
        // twelve with the event and then `drand-chain` and `drand-round`.
        let with_event = lines.len() >= 10;
        let with_beacon = lines.len() == 12;
        let mut keys = vec![
            "opendraw-commitment",
            "parameters",
            "targets",
            "inspectors",
            "recusals",
            "secret-hash",
            "entropy-format",
            "entropy-source",
            "digest",
        ];
        if with_event {
            keys.insert(keys.len() - 1, "entropy-event");
        }
        if with_beacon {
            keys.insert(keys.len() - 1, "drand-chain");
            keys.insert(keys.len() - 1, "drand-round");
        }
        if lines.len() != keys.len() {
            return Err(ParseError::file(
                FILE,
                format!(
                    "has {} lines; 9 are expected (10 with an entropy-event line, 12 with drand-chain and drand-round)",
                    lines.len()
                ),
            ));
        }
        let values: Vec<(usize, &str, &str)> = tsv::keyed_values(FILE, &lines, &keys, PROTOCOL_VERSION)?
            .into_iter()
            .zip(&keys)
            .enumerate()
            .map(|(index, (value, &key))| (index + 1, key, value))
            .collect();
        let digest = |index: usize| {
            let (number, key, value) = values[index];
            Digest::parse_hex(value).map_err(|error| ParseError::field(FILE, number, key, error))
        };
        let (format_line, format_key, format) = values[6];
        let (number, key, source) = values[7];
        let commitment = Commitment {
            parameters: digest(1)?,
            targets: digest(2)?,
            inspectors: digest(3)?,
            recusals: digest(4)?,
            secret_hash: digest(5)?,
            entropy_format: EntropyFormat::parse(format)
                .map_err(|error| ParseError::field(FILE, format_line, format_key, error))?,
            entropy_source: EntropySource::parse(source)
                .map_err(|error| ParseError::field(FILE, number, key, error))?,
            entropy_event: if with_event {
                let (number, key, event) = values[8];
                Some(EventTime::parse(event).map_err(|error| ParseError::field(FILE, number, key, error))?)
            } else {
                None
            },
            beacon: if with_beacon {
                let (number, key, round) = values[10];
                Some(BeaconCommitment {
                    chain: digest(9)?,
                    round: beacon::parse_round(round)
                        .map_err(|error| ParseError::field(FILE, number, key, error))?,
                })
            } else {
                None
            },
        };
        // A `drand` commitment names its chain and round; no other does.
        if (commitment.entropy_format == EntropyFormat::Drand) != with_beacon {
            let reason = if with_beacon {
                "drand-chain and drand-round belong only to the entropy format 'drand'"
            } else {
                "the entropy format 'drand' needs drand-chain and drand-round lines before the digest"
            };
            return Err(ParseError::line(FILE, format_line, reason));
        }
        Ok((commitment, digest(keys.len() - 1)?))
    }
}

/// The 32-byte key of the draw's ChaCha20 stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seed(pub Digest);

impl Seed {
    pub fn derive(commitment: &Digest, secret: &Secret, entropy: &Entropy) -> Self {
        Self(Digest::tagged(SEED_TAG, &[commitment.as_bytes(), &secret.0, entropy.as_str().as_bytes()]))
    }

    pub fn bytes(&self) -> [u8; 32] {
        self.0.0
    }
}

/// What is published at reveal: the secret, the entropy, and the seed they
/// give (stated so that a reader sees it; a verifier recomputes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reveal {
    pub commitment: Digest,
    pub secret: Secret,
    pub entropy: Entropy,
    pub seed: Digest,
}

impl Reveal {
    pub fn new(commitment: Digest, secret: Secret, entropy: Entropy) -> Self {
        let seed = Seed::derive(&commitment, &secret, &entropy).0;
        Self { commitment, secret, entropy, seed }
    }

    pub fn to_text(&self) -> Vec<u8> {
        let mut out = Vec::new();
        tsv::push_record(&mut out, &["opendraw-reveal", PROTOCOL_VERSION]);
        tsv::push_record(&mut out, &["commitment", &self.commitment.to_hex()]);
        tsv::push_record(&mut out, &["secret", &self.secret.to_hex()]);
        tsv::push_record(&mut out, &["entropy", self.entropy.as_str()]);
        tsv::push_record(&mut out, &["seed", &self.seed.to_hex()]);
        out
    }

    pub fn parse(text: &[u8]) -> Result<Self, ParseError> {
        const FILE: &str = REVEAL_FILE;
        let lines: Vec<(usize, &str)> = tsv::lines(FILE, text)?.collect();
        let keys = ["opendraw-reveal", "commitment", "secret", "entropy", "seed"];
        if lines.len() != keys.len() {
            return Err(ParseError::file(
                FILE,
                format!("has {} lines; {} are expected", lines.len(), keys.len()),
            ));
        }
        let values = tsv::keyed_values(FILE, &lines, &keys, PROTOCOL_VERSION)?;
        let at =
            |line: usize, key: &'static str| move |error: HexError| ParseError::field(FILE, line, key, error);
        Ok(Self {
            commitment: Digest::parse_hex(values[1]).map_err(at(2, "commitment"))?,
            secret: Secret::parse_hex(values[2]).map_err(at(3, "secret"))?,
            entropy: Entropy::parse(values[3])
                .map_err(|error| ParseError::field(FILE, 4, "entropy", error))?,
            seed: Digest::parse_hex(values[4]).map_err(at(5, "seed"))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_never_shows_in_debug_output() {
        let secret = Secret::from_bytes([0xab; 32]);
        assert_eq!(format!("{secret:?}"), "Secret(..)");
        assert!(
            !format!("{:?}", Reveal::new(Digest([0; 32]), secret, Entropy::parse("1").unwrap()))
                .contains("abab")
        );
    }

    #[test]
    fn entropy_must_be_written_in_the_committed_format() {
        let spaced = Entropy::parse("3 1 4").unwrap();
        assert!(EntropyFormat::Digits.check(&Entropy::parse("314").unwrap()).is_ok());
        assert!(EntropyFormat::Digits.check(&spaced).unwrap_err().contains("' ' at character 2"));
        assert!(EntropyFormat::Dice.check(&Entropy::parse("1234560").unwrap()).is_err());
        assert!(EntropyFormat::Hex.check(&Entropy::parse("00ff").unwrap()).is_ok());
        assert!(EntropyFormat::Hex.check(&Entropy::parse("00FF").unwrap()).is_err());
    }

    #[test]
    fn commitment_document_reads_back() {
        let commitment = Commitment {
            parameters: Digest([1; 32]),
            targets: Digest([2; 32]),
            inspectors: Digest([3; 32]),
            recusals: Digest([4; 32]),
            secret_hash: Secret::from_bytes([5; 32]).hash(),
            entropy_format: EntropyFormat::Dice,
            entropy_source: EntropySource::parse("dice rolled in public").unwrap(),
            entropy_event: None,
            beacon: None,
        };
        let (read, stated) = Commitment::parse(&commitment.to_text()).unwrap();
        assert_eq!(read, commitment);
        assert_eq!(stated, commitment.digest());
        let timed = Commitment {
            entropy_event: Some(EventTime::parse("2026-12-01T09:30:00+08:00").unwrap()),
            ..commitment.clone()
        };
        let text = String::from_utf8(timed.to_text()).unwrap();
        assert!(text.contains("\nentropy-event\t2026-12-01T09:30:00+08:00\ndigest\t"), "{text}");
        let (read, stated) = Commitment::parse(text.as_bytes()).unwrap();
        assert_eq!(read, timed);
        assert_eq!(stated, timed.digest());
        assert_ne!(timed.digest(), commitment.digest(), "the event time is committed");
        let drand = Commitment {
            entropy_format: EntropyFormat::Drand,
            beacon: Some(BeaconCommitment { chain: beacon::QUICKNET.hash_digest(), round: 1000 }),
            ..timed.clone()
        };
        let text = String::from_utf8(drand.to_text()).unwrap();
        assert!(text.contains("\ndrand-chain\t52db9ba7"), "{text}");
        assert!(text.contains("\ndrand-round\t1000\ndigest\t"), "{text}");
        let (read, stated) = Commitment::parse(text.as_bytes()).unwrap();
        assert_eq!((read, stated), (drand.clone(), drand.digest()));
        let later = Commitment {
            beacon: Some(BeaconCommitment { round: 1001, ..drand.beacon.unwrap() }),
            ..drand.clone()
        };
        assert_ne!(later.digest(), drand.digest(), "the round is committed");
        // The lines belong to the format, and the format needs the lines.
        let other = text.replace("entropy-format\tdrand", "entropy-format\thex");
        assert!(
            Commitment::parse(other.as_bytes())
                .unwrap_err()
                .to_string()
                .contains("only to the entropy format")
        );
        let bare = String::from_utf8(Commitment { entropy_format: EntropyFormat::Drand, ..timed }.to_text())
            .unwrap();
        assert!(Commitment::parse(bare.as_bytes()).unwrap_err().to_string().contains("needs drand-chain"));
    }

    #[test]
    fn drand_entropy_is_exactly_64_hex_digits() {
        let randomness = "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd";
        assert!(EntropyFormat::Drand.check(&Entropy::parse(randomness).unwrap()).is_ok());
        assert!(EntropyFormat::Drand.check(&Entropy::parse(&randomness[1..]).unwrap()).is_err());
        assert!(EntropyFormat::Drand.check(&Entropy::parse(&randomness.to_uppercase()).unwrap()).is_err());
    }
}

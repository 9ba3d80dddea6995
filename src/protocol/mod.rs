//! The draw protocol, version 1: everything a citizen needs to recompute a
//! draw, and nothing else. Pure: no I/O, no clock, no OS randomness — the
//! secret comes in from outside. `docs/PROTOCOL.md` specifies it byte for
//! byte; the section numbers in comments point there.

pub mod assign;
pub mod beacon;
mod bitset;
pub mod caps;
pub mod commitment;
pub mod cosignature;
pub mod date;
pub mod digest;
pub mod draw;
pub mod event_time;
pub mod field;
pub mod log;
pub mod log_proof;
pub mod manifest;
pub mod parameters;
pub mod replace;
pub mod result;
pub mod sample;
pub mod stream;
pub mod tlog;
pub mod tsv;
pub mod verify;

pub use commitment::{Commitment, EntropyFormat, PROTOCOL_VERSION, Reveal, Secret, Seed};
pub use date::Date;
pub use digest::Digest;
pub use draw::{DrawInputs, InputError, run_draw};
pub use event_time::EventTime;
pub use manifest::{InspectorManifest, RecusalManifest, TargetManifest, TargetManifestBuilder};
pub use parameters::{BasisPoints, CrossRule, FrequencyCap, InspectorsPerTarget, Parameters, Quota};
pub use result::DrawResult;

//! opendraw: verifiable random selection of inspection targets and
//! inspectors ("double random, one public").
//!
//! - [`protocol`] is the draw itself: pure, specified in `docs/PROTOCOL.md`.
//! - [`bundle`] packs and unpacks the verification bundle.
//! - [`directory`] reads directory CSV files into manifests.
//! - [`rules`] turns a task's rules (JSON) into protocol parameters.
//! - [`cli`] is the command line.

pub mod bundle;
pub mod cli;
pub mod directory;
pub mod protocol;
pub mod rules;

//! opendraw: verifiable random selection of inspection targets and
//! inspectors ("double random, one public").
//!
//! - [`protocol`] is the draw itself: pure, specified in `docs/PROTOCOL.md`.
//! - [`bundle`] packs and unpacks the verification bundle.
//! - [`directory`] reads directory CSV files into manifests; [`csv_output`]
//!   writes the CSV exports.
//! - [`rules`] turns a task's rules (JSON) into protocol parameters.
//! - [`calendar`] counts working days; [`inspection`] is the vocabulary of results.
//! - [`cli`] is the command line.

pub mod bundle;
pub mod calendar;
pub mod cli;
pub mod csv_input;
pub mod csv_output;
pub mod demo;
pub mod directory;
pub mod http;
pub mod inspection;
pub mod protocol;
pub mod records;
pub mod rules;
pub mod service;
pub mod storage;
pub mod task_definition;

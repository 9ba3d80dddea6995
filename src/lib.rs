//! opendraw: verifiable random selection of inspection targets and
//! inspectors ("double random, one public").
//!
//! - [`protocol`] is the draw itself: pure, specified in `docs/PROTOCOL.md`.
//! - [`domain`] is the vocabulary around it: directory records, a task's
//!   definition and rules, working days, inspection results.
//! - [`files`] reads directory CSV files and writes CSV exports and the
//!   verification bundle.
//! - [`storage`] keeps everything in SQLite or PostgreSQL; [`service`] is the
//!   one gate to it, for [`http`], [`cli`] and the demo alike.
//! - [`witness`] cosigns the checkpoints of transparency logs, apart from
//!   the service.

pub mod allocator;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod files;
pub mod http;
pub mod protocol;
pub mod service;
pub mod storage;
pub mod witness;

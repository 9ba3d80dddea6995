//! The service over HTTP, against a real server and a real database, each
//! test on SQLite and on PostgreSQL.

mod helpers;

mod acting_once;
mod bad_input;
mod deadlines;
mod inspections;
mod lifecycle;
mod public;
mod replacements;
mod roles;

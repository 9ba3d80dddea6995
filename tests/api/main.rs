//! The service over HTTP, against a real server and a real database, each
//! test on SQLite and on PostgreSQL.

mod helpers;

mod bad_input;
mod deadlines;
mod hardening;
mod inspections;
mod lifecycle;
mod public;
mod replacements;
mod roles;

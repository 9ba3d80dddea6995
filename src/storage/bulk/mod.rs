//! The bulk paths, whose SQL differs by database: PostgreSQL speaks `COPY`
//! on a native connection, SQLite takes batches.

pub mod freeze;

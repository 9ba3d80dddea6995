//! The bulk paths, whose SQL differs by database: PostgreSQL speaks `COPY`
//! on a native connection, SQLite takes batches.

pub mod freeze;

use std::path::PathBuf;

use sqlx::postgres::PgPool;

use super::{Store, StoreError, files};

/// The store's native connections, for what the generic driver does slowly
/// or not at all: `COPY` on PostgreSQL, and on both databases reading many
/// megabytes without copying each piece into the generic driver's values.
#[derive(Clone)]
pub enum Native {
    Postgres(PgPool),
    /// The database file, opened read-only.
    Sqlite(PathBuf),
}

impl Native {
    pub fn of(store: &Store) -> Self {
        match (store.native_postgres(), store.sqlite_file()) {
            (Some(native), _) => Native::Postgres(native.clone()),
            (None, Some(file)) => Native::Sqlite(file.to_owned()),
            (None, None) => unreachable!("a store is either PostgreSQL or a SQLite file"),
        }
    }

    /// Hands the pieces of the task's stored file `name` to `read`, in
    /// order, with `state`, and gives the state back, with false when the
    /// task has no such file. For files that no longer change: a task's
    /// committed files.
    pub async fn read_pieces<S, E, F>(
        &self,
        task: i64,
        name: &'static str,
        state: S,
        read: F,
    ) -> Result<(S, bool), E>
    where
        S: Send + 'static,
        E: From<StoreError> + Send + 'static,
        F: FnMut(&mut S, &[u8]) -> Result<(), E> + Send + 'static,
    {
        match self {
            Native::Postgres(pool) => files::read_pieces_postgres(pool, task, name, state, read).await,
            Native::Sqlite(file) => files::read_pieces_in_file(file, task, name, state, read).await,
        }
    }
}

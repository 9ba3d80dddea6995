//! The PostgreSQL side of an import: rows go in with `COPY … FROM STDIN`
//! on the native connection, a batch at a time straight into the table, or
//! all at once from the spill file into the staging table.

use sqlx::{PgConnection, Postgres, Transaction};

use super::super::StoreResult;
use super::super::directory::Upsert;
use super::{Spill, staging};

/// Copies rows (`COPY` text) into the table; a key already there fails the `COPY`.
pub(super) async fn copy_into<T: Upsert>(
    tx: &mut Transaction<'static, Postgres>,
    rows: &str,
) -> StoreResult<()> {
    let connection: &mut PgConnection = tx;
    let statement = format!("COPY {} ({}) FROM STDIN", T::TABLE, T::COLUMNS.join(", "));
    let mut copy = connection.copy_in_raw(&statement).await?;
    copy.send(rows.as_bytes()).await?;
    copy.finish().await?;
    Ok(())
}

/// Copies every row of the spill file, with its line, into the staging table.
pub(super) async fn copy_staged<T: Upsert>(
    tx: &mut Transaction<'static, Postgres>,
    spill: Spill,
) -> StoreResult<()> {
    let connection: &mut PgConnection = tx;
    let statement = format!("COPY {} (line, {}) FROM STDIN", staging::TABLE, T::COLUMNS.join(", "));
    let mut copy = connection.copy_in_raw(&statement).await?;
    copy.read_from(tokio::fs::File::from_std(spill.0)).await?;
    copy.finish().await?;
    Ok(())
}

//! The directory tables: inspection items, targets, inspectors, recusals.
//! Imports upsert by id, many rows a statement, inside the caller's
//! transaction, so that an import is all or nothing.
//!
//! Items, targets and inspectors are each kept by a department (the
//! `department` column): an upsert replaces only rows that the importing
//! department keeps, and leaves any other row as it was, for the caller to
//! notice and refuse.

use std::collections::HashMap;

use sqlx::Row;

use super::{Backend, StoreResult, WriteTx};
use crate::domain::records::{CalendarRecord, InspectorRecord, ItemRecord, RecusalRecord, TargetRecord};

/// One value of a row to write, borrowed from the record where it can be.
pub enum Cell<'a> {
    Text(&'a str),
    Owned(String),
    MaybeText(Option<String>),
    Number(Option<i64>),
}

/// A directory whose rows are each kept by one department.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Directory {
    Items,
    Targets,
    Inspectors,
}

impl Directory {
    fn table(self) -> &'static str {
        match self {
            Directory::Items => "items",
            Directory::Targets => "targets",
            Directory::Inspectors => "inspectors",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Directory::Items => "code",
            Directory::Targets | Directory::Inspectors => "id",
        }
    }

    /// What one row is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Directory::Items => "item",
            Directory::Targets => "target",
            Directory::Inspectors => "inspector",
        }
    }
}

/// A table an import writes to: its columns, the ones that identify a row,
/// and how a record becomes a row.
pub trait Upsert {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    const KEY: &'static [&'static str];
    /// Columns holding numbers.
    const NUMBERS: &'static [&'static str] = &[];
    /// The directory, when each row is kept by a department (its
    /// `department` column).
    const KEPT: Option<Directory> = None;
    /// The row's cells in column order; `keeper` is the importing department.
    fn cells<'a>(&'a self, keeper: &'a str) -> Vec<Cell<'a>>;
}

impl Upsert for ItemRecord {
    const TABLE: &'static str = "items";
    const COLUMNS: &'static [&'static str] =
        &["code", "name", "legal_basis", "department", "target_category", "sampling_ratio_bp", "frequency"];
    const KEY: &'static [&'static str] = &["code"];
    const NUMBERS: &'static [&'static str] = &["sampling_ratio_bp"];
    const KEPT: Option<Directory> = Some(Directory::Items);

    /// The record's own department, which an import has checked is the keeper's.
    fn cells<'a>(&'a self, _: &'a str) -> Vec<Cell<'a>> {
        vec![
            Cell::Text(self.code.as_str()),
            Cell::Text(&self.name),
            Cell::Text(&self.legal_basis),
            Cell::Text(self.department.as_str()),
            Cell::Text(&self.target_category),
            Cell::Number(self.sampling_ratio_bp.map(i64::from)),
            Cell::Text(&self.frequency),
        ]
    }
}

impl Upsert for TargetRecord {
    const TABLE: &'static str = "targets";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "region",
        "industry",
        "risk_class",
        "unit",
        "flags",
        "last_inspected",
        "address",
        "department",
    ];
    const KEY: &'static [&'static str] = &["id"];
    const KEPT: Option<Directory> = Some(Directory::Targets);

    fn cells<'a>(&'a self, keeper: &'a str) -> Vec<Cell<'a>> {
        vec![
            Cell::Text(self.id.as_str()),
            Cell::Text(&self.name),
            Cell::Text(self.region.as_str()),
            Cell::Text(&self.industry),
            Cell::Text(&self.risk_class),
            Cell::Text(self.unit.as_ref().map_or("", |unit| unit.as_str())),
            Cell::Owned(self.flags.join(",")),
            Cell::MaybeText(self.last_inspected.map(|date| date.to_string())),
            Cell::Text(&self.address),
            Cell::Text(keeper),
        ]
    }
}

impl Upsert for CalendarRecord {
    const TABLE: &'static str = "calendar_days";
    const COLUMNS: &'static [&'static str] = &["day", "kind", "name"];
    const KEY: &'static [&'static str] = &["day"];

    fn cells<'a>(&'a self, _: &'a str) -> Vec<Cell<'a>> {
        vec![Cell::Owned(self.date.to_string()), Cell::Text(self.kind.as_str()), Cell::Text(&self.name)]
    }
}

impl Upsert for InspectorRecord {
    const TABLE: &'static str = "inspectors";
    const COLUMNS: &'static [&'static str] = &[
        "id",
        "name",
        "department",
        "unit",
        "region",
        "certificate_no",
        "certificate_expires",
        "items",
        "active",
    ];
    const KEY: &'static [&'static str] = &["id"];
    const NUMBERS: &'static [&'static str] = &["active"];
    const KEPT: Option<Directory> = Some(Directory::Inspectors);

    /// The record's own department, which an import has checked is the keeper's.
    fn cells<'a>(&'a self, _: &'a str) -> Vec<Cell<'a>> {
        let mut items: Vec<&str> = self.items.iter().map(|item| item.as_str()).collect();
        items.sort_unstable();
        items.dedup();
        vec![
            Cell::Text(self.id.as_str()),
            Cell::Text(&self.name),
            Cell::Text(self.department.as_str()),
            Cell::Text(self.unit.as_str()),
            Cell::Text(self.region.as_str()),
            Cell::Text(&self.certificate_no),
            Cell::Owned(self.certificate_expires.to_string()),
            Cell::Owned(items.join(",")),
            Cell::Number(Some(i64::from(self.active))),
        ]
    }
}

impl Upsert for RecusalRecord {
    const TABLE: &'static str = "recusals";
    const COLUMNS: &'static [&'static str] = &["inspector_id", "target_id", "reason"];
    const KEY: &'static [&'static str] = &["inspector_id", "target_id"];

    fn cells<'a>(&'a self, _: &'a str) -> Vec<Cell<'a>> {
        vec![
            Cell::Text(self.inspector_id.as_str()),
            Cell::Text(self.target_id.as_str()),
            Cell::Text(&self.reason),
        ]
    }
}

/// Rows per statement.
pub const ROWS_PER_STATEMENT: usize = 5_000;

/// Writes a batch made by [`batch_json`], replacing rows with the same key
/// — of a kept directory, only those its batch's keeper keeps. Returns the
/// number of rows written: fewer than the batch holds when some row is kept
/// by another department and was left alone.
///
/// A batch travels as one parameter, a JSON array of rows, which the
/// database unpacks itself: binding millions of values one by one costs more
/// in the driver than the insert costs in the database, and the batch can
/// be prepared on another thread while the previous one is written.
pub async fn upsert_batch<T: Upsert>(tx: &mut WriteTx, batch: &str, claim_unkept: bool) -> StoreResult<u64> {
    let sql = upsert_sql::<T>(tx.backend(), claim_unkept);
    let done = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(batch).execute(tx.conn()).await?;
    Ok(done.rows_affected())
}

/// Of these ids, those in the directory, each with the department keeping
/// it (empty for a target imported before targets had keepers).
pub async fn keepers(
    tx: &mut WriteTx,
    directory: Directory,
    ids: &[&str],
) -> StoreResult<HashMap<String, String>> {
    let list = match tx.backend() {
        Backend::Sqlite => "json_each($1)",
        Backend::Postgres => "jsonb_array_elements_text($1::jsonb) AS ids(value)",
    };
    let (table, key) = (directory.table(), directory.key());
    let sql = format!("SELECT {key}, department FROM {table} WHERE {key} IN (SELECT value FROM {list})");
    let ids = serde_json::to_string(ids).expect("strings serialise");
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(tx.conn()).await?;
    rows.iter().map(|row| Ok((row.try_get(0)?, row.try_get(1)?))).collect()
}

/// Refreshes the planner's statistics after a bulk import, so that the
/// next queries use the indexes (PostgreSQL plans a fresh table as empty).
pub async fn analyze<T: Upsert>(tx: &mut WriteTx) -> StoreResult<()> {
    if tx.backend() == Backend::Postgres {
        sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {}", T::TABLE))).execute(tx.conn()).await?;
    }
    Ok(())
}

/// Rows as the JSON array [`upsert_batch`] takes: one array of cells a row,
/// written for the department `keeper`.
pub fn batch_json<T: Upsert>(rows: &[T], keeper: &str) -> String {
    let mut batch = String::with_capacity(rows.len() * 128);
    batch.push('[');
    for (index, row) in rows.iter().enumerate() {
        if index > 0 {
            batch.push(',');
        }
        let cells: Vec<serde_json::Value> = row
            .cells(keeper)
            .into_iter()
            .map(|cell| match cell {
                Cell::Text(text) => serde_json::Value::from(text),
                Cell::Owned(text) => serde_json::Value::from(text),
                Cell::MaybeText(text) => serde_json::Value::from(text),
                Cell::Number(number) => serde_json::Value::from(number),
            })
            .collect();
        batch.push_str(&serde_json::Value::Array(cells).to_string());
    }
    batch.push(']');
    batch
}

fn upsert_sql<T: Upsert>(backend: Backend, claim_unkept: bool) -> String {
    let insert = super::insert_from_json(backend, T::TABLE, T::COLUMNS, T::NUMBERS);
    let updates: Vec<String> = T::COLUMNS
        .iter()
        .filter(|column| !T::KEY.contains(column))
        .map(|column| format!("{column} = excluded.{column}"))
        .collect();
    let upsert = format!("{insert} ON CONFLICT ({}) DO UPDATE SET {}", T::KEY.join(", "), updates.join(", "));
    match T::KEPT {
        // A target without a keeper (imported before targets had one) is
        // given one only when `claim_unkept`: by the operator's import.
        Some(directory) if claim_unkept => {
            format!("{upsert} WHERE {}.department IN (excluded.department, '')", directory.table())
        }
        Some(directory) => format!("{upsert} WHERE {}.department = excluded.department", directory.table()),
        None => upsert,
    }
}

/// Rows of a directory table for browsing, in id order, after `after`.
#[derive(Debug, Clone)]
pub struct TargetRow {
    pub id: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub risk_class: String,
    pub unit: String,
    pub flags: String,
    pub last_inspected: Option<String>,
    pub address: String,
}

pub async fn targets(pool: &sqlx::AnyPool, after: &str, limit: i64) -> StoreResult<Vec<TargetRow>> {
    let rows = sqlx::query(
        "SELECT id, name, region, industry, risk_class, unit, flags, last_inspected, address FROM targets \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(target_row).collect()
}

fn target_row(row: &sqlx::any::AnyRow) -> StoreResult<TargetRow> {
    Ok(TargetRow {
        id: row.try_get(0)?,
        name: row.try_get(1)?,
        region: row.try_get(2)?,
        industry: row.try_get(3)?,
        risk_class: row.try_get(4)?,
        unit: row.try_get(5)?,
        flags: row.try_get(6)?,
        last_inspected: row.try_get(7)?,
        address: row.try_get(8)?,
    })
}

/// A target of the directory.
pub async fn target<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
    id: &str,
) -> StoreResult<Option<TargetRow>> {
    let row = sqlx::query(
        "SELECT id, name, region, industry, risk_class, unit, flags, last_inspected, address FROM targets WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(executor)
    .await?;
    row.as_ref().map(target_row).transpose()
}

/// A target's name, when it is in the directory.
pub async fn target_name(pool: &sqlx::AnyPool, id: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT name FROM targets WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok(row.map(|row| row.try_get(0)).transpose()?)
}

#[derive(Debug, Clone)]
pub struct InspectorRow {
    pub id: String,
    pub name: String,
    pub department: String,
    pub unit: String,
    pub region: String,
    pub certificate_no: String,
    pub certificate_expires: String,
    pub items: String,
    pub active: bool,
}

pub async fn inspectors(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<InspectorRow>> {
    let rows = sqlx::query(
        "SELECT id, name, department, unit, region, certificate_no, certificate_expires, items, active \
         FROM inspectors WHERE $1 = '' OR department = $1 ORDER BY id",
    )
    .bind(department.unwrap_or(""))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(InspectorRow {
                id: row.try_get(0)?,
                name: row.try_get(1)?,
                department: row.try_get(2)?,
                unit: row.try_get(3)?,
                region: row.try_get(4)?,
                certificate_no: row.try_get(5)?,
                certificate_expires: row.try_get(6)?,
                items: row.try_get(7)?,
                active: row.try_get::<i64, _>(8)? != 0,
            })
        })
        .collect()
}

/// The number of rows of a directory table.
pub async fn count(pool: &sqlx::AnyPool, table: &'static str) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {table}");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await?.try_get(0)?)
}

#[derive(Debug, Clone)]
pub struct ItemRow {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub department: String,
    pub target_category: String,
    pub sampling_ratio_bp: Option<i64>,
    pub frequency: String,
}

pub async fn items(pool: &sqlx::AnyPool) -> StoreResult<Vec<ItemRow>> {
    let rows = sqlx::query(
        "SELECT code, name, legal_basis, department, target_category, sampling_ratio_bp, frequency FROM items ORDER BY code",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ItemRow {
                code: row.try_get(0)?,
                name: row.try_get(1)?,
                legal_basis: row.try_get(2)?,
                department: row.try_get(3)?,
                target_category: row.try_get(4)?,
                sampling_ratio_bp: row.try_get(5)?,
                frequency: row.try_get(6)?,
            })
        })
        .collect()
}

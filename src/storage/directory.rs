//! The directory tables: inspection items, targets, inspectors, recusals,
//! and how a record becomes a row of one (imports write them in bulk:
//! `storage::import`).
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
    pub(crate) fn table(self) -> &'static str {
        match self {
            Directory::Items => "items",
            Directory::Targets => "targets",
            Directory::Inspectors => "inspectors",
        }
    }

    pub(crate) fn key(self) -> &'static str {
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
    const COLUMNS: &'static [&'static str] = &[
        "code",
        "name",
        "legal_basis",
        "department",
        "target_category",
        "sampling_ratio_bp",
        "frequency",
        "frequency_cap",
        "method",
    ];
    const KEY: &'static [&'static str] = &["code"];
    const NUMBERS: &'static [&'static str] = &["sampling_ratio_bp", "frequency_cap"];
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
            Cell::Number(self.frequency_cap.map(i64::from)),
            Cell::Text(&self.method),
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

/// A row's key and the department keeping it, read by name.
#[derive(sqlx::FromRow)]
pub(crate) struct Kept {
    pub key: String,
    pub department: String,
}

/// Of these ids, those in the directory, each with the department keeping
/// it (empty for a target imported before targets had keepers).
pub async fn keepers(
    tx: &mut WriteTx,
    directory: Directory,
    ids: &[&str],
) -> StoreResult<HashMap<String, String>> {
    let sql = keepers_sql(tx.backend(), directory);
    let ids = serde_json::to_string(ids).expect("strings serialise");
    let rows: Vec<Kept> = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(ids).fetch_all(tx.conn()).await?;
    Ok(rows.into_iter().map(|row| (row.key, row.department)).collect())
}

/// Selects `key` and `department` of the rows of `directory` whose keys
/// are in `$1`, a JSON array of strings.
pub(crate) fn keepers_sql(backend: Backend, directory: Directory) -> String {
    let list = match backend {
        Backend::Sqlite => "json_each($1)",
        Backend::Postgres => "jsonb_array_elements_text($1::jsonb) AS ids(value)",
    };
    let (table, key) = (directory.table(), directory.key());
    format!("SELECT {key} AS key, department FROM {table} WHERE {key} IN (SELECT value FROM {list})")
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

pub(super) fn target_row(row: &sqlx::any::AnyRow) -> StoreResult<TargetRow> {
    Ok(TargetRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        region: row.try_get("region")?,
        industry: row.try_get("industry")?,
        risk_class: row.try_get("risk_class")?,
        unit: row.try_get("unit")?,
        flags: row.try_get("flags")?,
        last_inspected: row.try_get("last_inspected")?,
        address: row.try_get("address")?,
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
    Ok(row.map(|row| row.try_get("name")).transpose()?)
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
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                department: row.try_get("department")?,
                unit: row.try_get("unit")?,
                region: row.try_get("region")?,
                certificate_no: row.try_get("certificate_no")?,
                certificate_expires: row.try_get("certificate_expires")?,
                items: row.try_get("items")?,
                active: row.try_get::<i64, _>("active")? != 0,
            })
        })
        .collect()
}

/// The number of rows of a directory table.
pub async fn count(pool: &sqlx::AnyPool, table: &'static str) -> StoreResult<i64> {
    let sql = format!("SELECT COUNT(*) AS total FROM {table}");
    Ok(sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_one(pool).await?.try_get("total")?)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ItemRow {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub department: String,
    pub target_category: String,
    pub sampling_ratio_bp: Option<i64>,
    pub frequency: String,
    pub frequency_cap: Option<i64>,
    pub method: String,
    /// The day it was retired, if it was.
    pub retired_on: Option<String>,
}

pub async fn items(pool: &sqlx::AnyPool) -> StoreResult<Vec<ItemRow>> {
    Ok(sqlx::query_as(
        "SELECT code, name, legal_basis, department, target_category, sampling_ratio_bp, frequency, frequency_cap, \
         method, retired_on FROM items ORDER BY code",
    )
    .fetch_all(pool)
    .await?)
}

/// Gives the target `id` the risk class `class` if `department` keeps it
/// and its class differs: whether the row changed.
pub async fn set_risk_class(tx: &mut WriteTx, id: &str, department: &str, class: &str) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE targets SET risk_class = $1 WHERE id = $2 AND department = $3 AND risk_class <> $1",
    )
    .bind(class)
    .bind(id)
    .bind(department)
    .execute(tx.conn())
    .await?;
    Ok(done.rows_affected() > 0)
}

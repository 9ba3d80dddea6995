//! The directory tables: inspection items, targets, inspectors, recusals.
//! Imports upsert by id, many rows a statement, inside the caller's
//! transaction, so that an import is all or nothing.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

use super::{StoreResult, placeholders};
use crate::records::{InspectorRecord, ItemRecord, RecusalRecord, TargetRecord};

/// One value of a row to write.
pub enum Cell {
    Text(String),
    MaybeText(Option<String>),
    Number(Option<i64>),
}

/// A table an import writes to: its columns, the ones that identify a row,
/// and how a record becomes a row.
pub trait Upsert {
    const TABLE: &'static str;
    const COLUMNS: &'static [&'static str];
    const KEY: &'static [&'static str];
    fn cells(&self) -> Vec<Cell>;
}

impl Upsert for ItemRecord {
    const TABLE: &'static str = "items";
    const COLUMNS: &'static [&'static str] =
        &["code", "name", "legal_basis", "department", "target_category", "sampling_ratio_bp", "frequency"];
    const KEY: &'static [&'static str] = &["code"];

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Text(self.code.to_string()),
            Cell::Text(self.name.clone()),
            Cell::Text(self.legal_basis.clone()),
            Cell::Text(self.department.to_string()),
            Cell::Text(self.target_category.clone()),
            Cell::Number(self.sampling_ratio_bp.map(i64::from)),
            Cell::Text(self.frequency.clone()),
        ]
    }
}

impl Upsert for TargetRecord {
    const TABLE: &'static str = "targets";
    const COLUMNS: &'static [&'static str] =
        &["id", "name", "region", "industry", "risk_class", "unit", "flags", "last_inspected"];
    const KEY: &'static [&'static str] = &["id"];

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Text(self.id.to_string()),
            Cell::Text(self.name.clone()),
            Cell::Text(self.region.to_string()),
            Cell::Text(self.industry.clone()),
            Cell::Text(self.risk_class.clone()),
            Cell::Text(self.unit.as_ref().map(ToString::to_string).unwrap_or_default()),
            Cell::Text(self.flags.join(",")),
            Cell::MaybeText(self.last_inspected.map(|date| date.to_string())),
        ]
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

    fn cells(&self) -> Vec<Cell> {
        let mut items: Vec<&str> = self.items.iter().map(|item| item.as_str()).collect();
        items.sort_unstable();
        items.dedup();
        vec![
            Cell::Text(self.id.to_string()),
            Cell::Text(self.name.clone()),
            Cell::Text(self.department.to_string()),
            Cell::Text(self.unit.to_string()),
            Cell::Text(self.region.to_string()),
            Cell::Text(self.certificate_no.clone()),
            Cell::Text(self.certificate_expires.to_string()),
            Cell::Text(items.join(",")),
            Cell::Number(Some(i64::from(self.active))),
        ]
    }
}

impl Upsert for RecusalRecord {
    const TABLE: &'static str = "recusals";
    const COLUMNS: &'static [&'static str] = &["inspector_id", "target_id", "reason"];
    const KEY: &'static [&'static str] = &["inspector_id", "target_id"];

    fn cells(&self) -> Vec<Cell> {
        vec![
            Cell::Text(self.inspector_id.to_string()),
            Cell::Text(self.target_id.to_string()),
            Cell::Text(self.reason.clone()),
        ]
    }
}

/// Most rows in one statement: SQLite allows 32 766 parameters.
const MAX_PARAMETERS: usize = 30_000;

/// Inserts the rows, replacing those with the same key.
pub async fn upsert<T: Upsert>(conn: &mut AnyConnection, rows: &[T]) -> StoreResult<()> {
    let per_statement = (MAX_PARAMETERS / T::COLUMNS.len()).max(1);
    for chunk in rows.chunks(per_statement) {
        let sql = upsert_sql::<T>(chunk.len());
        let mut query: Query<'_, sqlx::Any, AnyArguments> = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for cell in row.cells() {
                query = match cell {
                    Cell::Text(text) => query.bind(text),
                    Cell::MaybeText(text) => query.bind(text),
                    Cell::Number(number) => query.bind(number),
                };
            }
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

fn upsert_sql<T: Upsert>(rows: usize) -> String {
    let width = T::COLUMNS.len();
    let values: Vec<String> =
        (0..rows).map(|row| format!("({})", placeholders(row * width, width))).collect();
    let updates: Vec<String> = T::COLUMNS
        .iter()
        .filter(|column| !T::KEY.contains(column))
        .map(|column| format!("{column} = excluded.{column}"))
        .collect();
    format!(
        "INSERT INTO {} ({}) VALUES {} ON CONFLICT ({}) DO UPDATE SET {}",
        T::TABLE,
        T::COLUMNS.join(", "),
        values.join(", "),
        T::KEY.join(", "),
        updates.join(", ")
    )
}

/// Rows of a directory table for browsing, in id order, after `after`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TargetRow {
    pub id: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub risk_class: String,
    pub unit: String,
    pub flags: String,
    pub last_inspected: Option<String>,
}

pub async fn targets(pool: &sqlx::AnyPool, after: &str, limit: i64) -> StoreResult<Vec<TargetRow>> {
    let rows = sqlx::query(
        "SELECT id, name, region, industry, risk_class, unit, flags, last_inspected FROM targets \
         WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TargetRow {
                id: row.try_get(0)?,
                name: row.try_get(1)?,
                region: row.try_get(2)?,
                industry: row.try_get(3)?,
                risk_class: row.try_get(4)?,
                unit: row.try_get(5)?,
                flags: row.try_get(6)?,
                last_inspected: row.try_get(7)?,
            })
        })
        .collect()
}

/// A target's name, when it is in the directory.
pub async fn target_name(pool: &sqlx::AnyPool, id: &str) -> StoreResult<Option<String>> {
    let row = sqlx::query("SELECT name FROM targets WHERE id = $1").bind(id).fetch_optional(pool).await?;
    Ok(row.map(|row| row.try_get(0)).transpose()?)
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
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

//! The public list of inspection items (随机抽查事项清单) and its history.
//!
//! Each item has versions of its public fields, each in effect from one
//! day to the day it ended (changed by a later import, or retired). The
//! writes run on the import's native transaction (`storage::import`),
//! binding text only, so that a version and its public log entry commit
//! with the rows that made them. Lists of items are short (hundreds of
//! rows nationally), so a change is found by comparing the whole table
//! with the current versions.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::FromRow;

use super::import::ImportTx;
use super::{StoreResult, log};
use crate::protocol::log::item_kind;

/// When, and by whom, versions are made public.
pub struct Publication<'a> {
    pub at: DateTime<Utc>,
    pub today: NaiveDate,
    pub actor: &'a str,
}

/// An item's public fields, as its table and its versions hold them.
#[derive(Debug, Clone, PartialEq, Eq, FromRow, Serialize)]
pub struct PublicFields {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub department: String,
    pub target_category: String,
    pub method: String,
    pub sampling_ratio_bp: Option<i64>,
    pub frequency: String,
}

/// One version of an item.
#[derive(Debug, Clone, FromRow)]
pub struct VersionRow {
    #[sqlx(flatten)]
    pub fields: PublicFields,
    pub version: i64,
    pub effective_from: String,
    pub effective_until: Option<String>,
    /// `changed` or `retired`, once it ended.
    pub ended: Option<String>,
    pub end_reason: String,
}

/// The payload of an item's log entry: its public fields and the version's dates.
#[derive(Serialize)]
struct Payload<'a> {
    #[serde(flatten)]
    fields: &'a PublicFields,
    version: i64,
    effective_from: &'a str,
    effective_until: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'a str>,
}

/// An item's row with the number of its current version (none for a new item).
#[derive(FromRow)]
struct Changed {
    #[sqlx(flatten)]
    fields: PublicFields,
    current: Option<i64>,
}

const FIELDS: &str =
    "code, name, legal_basis, department, target_category, method, sampling_ratio_bp, frequency";

/// The public fields of `i` and `v` are the same (a ratio may be absent on both).
const SAME_FIELDS: &str = "i.name = v.name AND i.legal_basis = v.legal_basis AND i.department = v.department \
     AND i.target_category = v.target_category AND i.method = v.method AND i.frequency = v.frequency \
     AND COALESCE(i.sampling_ratio_bp, -1) = COALESCE(v.sampling_ratio_bp, -1)";

/// Makes public, as new versions, the items whose public fields differ
/// from their current version (or that have none: new items), each with
/// an `item.published` entry. A retired item whose fields were changed
/// refuses the whole import: `Err` with its code.
pub async fn publish_changes(
    tx: &mut ImportTx,
    publication: &Publication<'_>,
) -> StoreResult<Result<(), String>> {
    let retired_changed = format!(
        "SELECT i.code AS code FROM items i JOIN item_versions v ON v.code = i.code \
         AND v.version = (SELECT MAX(w.version) FROM item_versions w WHERE w.code = i.code) \
         WHERE i.retired_on IS NOT NULL AND NOT ({SAME_FIELDS}) ORDER BY i.code LIMIT 1"
    );
    let retired: Vec<Code> = tx.fetch_all(&retired_changed, &[]).await?;
    if let Some(Code { code }) = retired.into_iter().next() {
        return Ok(Err(code));
    }
    let changed = format!(
        "SELECT i.code AS code, i.name AS name, i.legal_basis AS legal_basis, i.department AS department, \
         i.target_category AS target_category, i.method AS method, i.sampling_ratio_bp AS sampling_ratio_bp, \
         i.frequency AS frequency, v.version AS current \
         FROM items i LEFT JOIN item_versions v ON v.code = i.code AND v.effective_until IS NULL \
         WHERE i.retired_on IS NULL AND (v.code IS NULL OR NOT ({SAME_FIELDS})) ORDER BY i.code"
    );
    let changed: Vec<Changed> = tx.fetch_all(&changed, &[]).await?;
    let today = publication.today.to_string();
    for Changed { fields, current } in changed {
        if let Some(current) = current {
            end_version(tx, &fields.code, current, &today, "changed", "").await?;
        }
        let version = current.map_or(1, |current| current + 1);
        insert_version(tx, &fields, version, &today).await?;
        let payload =
            Payload { fields: &fields, version, effective_from: &today, effective_until: None, reason: None };
        append(tx, publication, item_kind::PUBLISHED, &payload).await?;
    }
    Ok(Ok(()))
}

/// Retires an item: ends its current version today with the reason,
/// marks the item retired and appends an `item.retired` entry. The caller
/// has checked that the item is current and may be retired by the actor.
pub async fn retire(
    tx: &mut ImportTx,
    current: &VersionRow,
    reason: &str,
    publication: &Publication<'_>,
) -> StoreResult<()> {
    let today = publication.today.to_string();
    let code = &current.fields.code;
    end_version(tx, code, current.version, &today, "retired", reason).await?;
    tx.execute("UPDATE items SET retired_on = $1 WHERE code = $2", &[&today, code]).await?;
    let payload = Payload {
        fields: &current.fields,
        version: current.version,
        effective_from: &current.effective_from,
        effective_until: Some(&today),
        reason: Some(reason),
    };
    append(tx, publication, item_kind::RETIRED, &payload).await
}

#[derive(FromRow)]
struct Code {
    code: String,
}

async fn end_version(
    tx: &mut ImportTx,
    code: &str,
    version: i64,
    today: &str,
    ended: &str,
    reason: &str,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE item_versions SET effective_until = $1, ended = $2, end_reason = $3 \
         WHERE code = $4 AND version = CAST($5 AS BIGINT)",
        &[today, ended, reason, code, &version.to_string()],
    )
    .await?;
    Ok(())
}

async fn insert_version(
    tx: &mut ImportTx,
    fields: &PublicFields,
    version: i64,
    today: &str,
) -> StoreResult<()> {
    let ratio = fields.sampling_ratio_bp.map(|ratio| ratio.to_string()).unwrap_or_default();
    tx.execute(
        &format!(
            "INSERT INTO item_versions ({FIELDS}, version, effective_from) \
             VALUES ($1, $2, $3, $4, $5, $6, CAST(NULLIF($7, '') AS BIGINT), $8, CAST($9 AS BIGINT), $10)"
        ),
        &[
            &fields.code,
            &fields.name,
            &fields.legal_basis,
            &fields.department,
            &fields.target_category,
            &fields.method,
            &ratio,
            &fields.frequency,
            &version.to_string(),
            today,
        ],
    )
    .await?;
    Ok(())
}

/// Appends a task-less entry to the public log, in the transaction.
async fn append(
    tx: &mut ImportTx,
    publication: &Publication<'_>,
    kind: &str,
    payload: &impl Serialize,
) -> StoreResult<()> {
    let payload = serde_json::to_string(payload).expect("payloads serialise");
    let head: Vec<log::Head> = tx.fetch_all(log::ADVANCE_HEAD, &[]).await?;
    let head = head.into_iter().next().ok_or_else(|| super::StoreError::Damaged("no log head".into()))?;
    let entry = head.next(publication.at, kind, None, publication.actor, payload)?;
    let texts = log::entry_texts(&entry);
    let binds: Vec<&str> = texts.iter().map(String::as_str).collect();
    tx.execute(log::INSERT_TEXTS, &binds).await?;
    tx.execute(log::SET_HEAD, &[&entry.hash.to_hex()]).await?;
    Ok(())
}

const VERSION_COLUMNS: &str = "code, name, legal_basis, department, target_category, method, sampling_ratio_bp, \
     frequency, version, effective_from, effective_until, ended, end_reason";

/// Every version of the items of `department` (all when `None`), by code and version.
pub async fn versions(pool: &sqlx::AnyPool, department: Option<&str>) -> StoreResult<Vec<VersionRow>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM item_versions \
         WHERE code IN (SELECT code FROM item_versions WHERE $1 = '' OR department = $1) \
         ORDER BY code, version"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(department.unwrap_or("")).fetch_all(pool).await?)
}

/// Every version of one item, in order (none when there is no such item).
pub async fn versions_of<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
    code: &str,
) -> StoreResult<Vec<VersionRow>> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM item_versions WHERE code = $1 ORDER BY version");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(code).fetch_all(executor).await?)
}

/// The current version of an item, read in the retiring transaction.
pub async fn current_in(tx: &mut ImportTx, code: &str) -> StoreResult<Option<VersionRow>> {
    let sql =
        format!("SELECT {VERSION_COLUMNS} FROM item_versions WHERE code = $1 AND effective_until IS NULL");
    Ok(tx.fetch_all(&sql, &[code]).await?.into_iter().next())
}

/// The department keeping an item and the day it was retired, if it was.
#[derive(FromRow)]
pub struct Standing {
    pub department: String,
    pub retired_on: Option<String>,
}

/// Read with the item's row locked on PostgreSQL, so that two retirements
/// (or a retirement and an import) of one item take turns; on SQLite the
/// transaction holds the only write lock already.
pub async fn standing_in(tx: &mut ImportTx, code: &str) -> StoreResult<Option<Standing>> {
    let lock = match tx.backend() {
        super::Backend::Postgres => " FOR UPDATE",
        super::Backend::Sqlite => "",
    };
    let sql = format!("SELECT department, retired_on FROM items WHERE code = $1{lock}");
    Ok(tx.fetch_all(&sql, &[code]).await?.into_iter().next())
}

/// The codes of the retired items (few: a list is short).
pub async fn retired_codes<'c, E: sqlx::Executor<'c, Database = sqlx::Any>>(
    executor: E,
) -> StoreResult<Vec<String>> {
    let rows: Vec<Code> = sqlx::query_as("SELECT code FROM items WHERE retired_on IS NOT NULL ORDER BY code")
        .fetch_all(executor)
        .await?;
    Ok(rows.into_iter().map(|row| row.code).collect())
}

/// A checklist point with its item.
#[derive(FromRow)]
struct ItemPoint {
    item_code: String,
    #[sqlx(flatten)]
    point: super::checklists::PointRow,
}

/// Every item's checklist, by item code, each in order.
pub async fn checklist_points(
    pool: &sqlx::AnyPool,
) -> StoreResult<std::collections::HashMap<String, Vec<super::checklists::PointRow>>> {
    let rows: Vec<ItemPoint> = sqlx::query_as(
        "SELECT item_code, number, point, legal_basis, method FROM checklist_points ORDER BY item_code, number",
    )
    .fetch_all(pool)
    .await?;
    let mut points: std::collections::HashMap<String, Vec<_>> = std::collections::HashMap::new();
    for row in rows {
        points.entry(row.item_code).or_default().push(row.point);
    }
    Ok(points)
}

//! Freezing a task's pools into manifests (PROTOCOL.md §2) at commit.
//!
//! The target pool can hold millions of rows. Reading them one by one costs
//! more in the driver than in the database, so the database writes each
//! batch of manifest lines itself and the batch arrives as one string:
//! `id ⇥ stratum ⇥ region ⇥ unit ↵` for every target. Batches follow the id
//! index; should a database ever hand lines over in another order, the
//! manifest builder sorts them, so the manifest is canonical either way.

use sqlx::Row;

use super::{StoreError, StoreResult, placeholders};
use crate::domain::rules::stratum_key;
use crate::domain::task_definition::{PoolFilter, StrataColumn};
use crate::protocol::field::{Department, InspectorId, ItemCode, Region, Unit};
use crate::protocol::manifest::{Inspector, InspectorManifest, Recusal, RecusalManifest, RowError};
use crate::protocol::{Date, TargetManifest, TargetManifestBuilder};

const BATCH: i64 = 100_000;

/// Why a pool cannot become a manifest.
#[derive(Debug, thiserror::Error)]
pub enum PoolError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("target {target}: {reason}")]
    Target { target: String, reason: String },
}

/// The filter as SQL over the targets table (as `alias`), with the values to
/// bind after the first `offset` parameters.
fn filter_sql(
    filter: &PoolFilter,
    alias: &str,
    offset: usize,
    cutoff: Option<&str>,
) -> (String, Vec<String>) {
    let mut clauses = Vec::new();
    let mut values: Vec<String> = Vec::new();
    for (column, wanted) in
        [("region", &filter.regions), ("industry", &filter.industries), ("risk_class", &filter.risk_classes)]
    {
        if !wanted.is_empty() {
            clauses
                .push(format!("{alias}.{column} IN ({})", placeholders(offset + values.len(), wanted.len())));
            values.extend(wanted.iter().cloned());
        }
    }
    for flag in &filter.exclude_flags {
        values.push(format!("%,{flag},%"));
        clauses.push(format!("(',' || {alias}.flags || ',') NOT LIKE ${}", offset + values.len()));
    }
    if let Some(cutoff) = cutoff {
        values.push(cutoff.to_owned());
        clauses.push(format!(
            "({alias}.last_inspected IS NULL OR {alias}.last_inspected < ${})",
            offset + values.len()
        ));
    }
    let sql = if clauses.is_empty() { "1 = 1".to_owned() } else { clauses.join(" AND ") };
    (sql, values)
}

/// The pool's target manifest, strata keyed by `strata_by` (joined by `/`;
/// `all` when empty). `cutoff` leaves out targets inspected on or after it.
pub async fn target_manifest(
    pool: &sqlx::AnyPool,
    filter: &PoolFilter,
    strata_by: &[StrataColumn],
    cutoff: Option<&str>,
) -> Result<TargetManifest, PoolError> {
    // Several columns come as separate fields, joined here by the one rule
    // that keeps distinct combinations apart (`rules::stratum_key`).
    let columns: Vec<&str> = strata_by.iter().map(|c| c.column()).collect();
    let stratum = if strata_by.is_empty() {
        "'all'".to_owned()
    } else {
        columns.iter().map(|column| format!("t.{column}")).collect::<Vec<_>>().join(" || $1 || ")
    };
    let (where_sql, values) = filter_sql(filter, "t", 4, cutoff);
    let sql = format!(
        "SELECT string_agg(line, ''), max(id), count(*) FROM ( \
           SELECT t.id AS id, t.id || $1 || {stratum} || $1 || t.region || $1 || t.unit || $2 AS line \
           FROM targets t WHERE t.id > $3 AND {where_sql} ORDER BY t.id LIMIT $4) batch"
    );
    let mut builder = TargetManifestBuilder::new();
    let mut key = String::new();
    let mut after = String::new();
    loop {
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
            .bind("\t")
            .bind("\n")
            .bind(after.clone())
            .bind(BATCH);
        for value in &values {
            query = query.bind(value.clone());
        }
        let row = query.fetch_one(pool).await.map_err(StoreError::from)?;
        let count: i64 = row.try_get(2).map_err(StoreError::from)?;
        if count == 0 {
            break;
        }
        let lines: String = row.try_get(0).map_err(StoreError::from)?;
        for line in lines.split_terminator('\n') {
            let mut fields = line.split('\t');
            let id = fields.next().unwrap_or_default();
            let stratum = if columns.len() > 1 {
                stratum_key(&mut key, &columns, fields.by_ref().take(columns.len())).map_err(|error| {
                    PoolError::Target { target: id.to_owned(), reason: error.to_string() }
                })?;
                key.as_str()
            } else {
                fields.next().unwrap_or_default()
            };
            let mut next = || fields.next().unwrap_or_default();
            let (region, unit) = (next(), next());
            builder.push(id, stratum, region, unit).map_err(|error| row_error(id, strata_by, error))?;
        }
        after = row.try_get(1).map_err(StoreError::from)?;
        if count < BATCH {
            break;
        }
    }
    builder
        .finish()
        .map_err(|error| PoolError::Target { target: String::new(), reason: format!("{error:?}") })
}

fn row_error(id: &str, strata_by: &[StrataColumn], error: RowError) -> PoolError {
    let reason = match error {
        RowError::Field { column: "stratum", error } => {
            let columns: Vec<&str> = strata_by.iter().map(|c| c.column()).collect();
            format!("its stratum key (from {}) {error}", columns.join(", "))
        }
        RowError::Field { column, error } => format!("{column} {error}"),
        other => format!("{other:?}"),
    };
    PoolError::Target { target: id.to_owned(), reason }
}

/// The active inspectors of the departments, as a manifest.
pub async fn inspector_manifest(
    pool: &sqlx::AnyPool,
    departments: &[Department],
) -> StoreResult<InspectorManifest> {
    let sql = format!(
        "SELECT id, department, unit, region, items, certificate_expires FROM inspectors \
         WHERE active = 1 AND department IN ({}) ORDER BY id",
        placeholders(0, departments.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for department in departments {
        query = query.bind(department.to_string());
    }
    let damaged = |what: &str, error: String| StoreError::Damaged(format!("inspector {what}: {error}"));
    let mut inspectors = Vec::new();
    for row in query.fetch_all(pool).await? {
        let id: String = row.try_get(0)?;
        let text = |index: usize| row.try_get::<String, _>(index);
        let items = text(4)?
            .split(',')
            .map(|code| ItemCode::parse(code).map_err(|e| damaged(&id, e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let inspector = Inspector::new(
            InspectorId::parse(&id).map_err(|e| damaged(&id, e.to_string()))?,
            Department::parse(&text(1)?).map_err(|e| damaged(&id, e.to_string()))?,
            Unit::parse(&text(2)?).map_err(|e| damaged(&id, e.to_string()))?,
            Region::parse(&text(3)?).map_err(|e| damaged(&id, e.to_string()))?,
            items,
            Date::parse(&text(5)?).map_err(|e| damaged(&id, e.to_string()))?,
        )
        .ok_or_else(|| damaged(&id, "no item".into()))?;
        inspectors.push(inspector);
    }
    InspectorManifest::new(inspectors).map_err(|dup| damaged(dup.id.as_ref(), "listed twice".into()))
}

/// Recusals of the departments' active inspectors from targets in the pool.
pub async fn recusal_manifest(
    pool: &sqlx::AnyPool,
    departments: &[Department],
    filter: &PoolFilter,
    cutoff: Option<&str>,
) -> StoreResult<RecusalManifest> {
    let (where_sql, values) = filter_sql(filter, "t", departments.len(), cutoff);
    let sql = format!(
        "SELECT r.inspector_id, r.target_id FROM recusals r \
         JOIN inspectors i ON i.id = r.inspector_id JOIN targets t ON t.id = r.target_id \
         WHERE i.active = 1 AND i.department IN ({}) AND {where_sql}",
        placeholders(0, departments.len())
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for department in departments {
        query = query.bind(department.to_string());
    }
    for value in values {
        query = query.bind(value);
    }
    let mut pairs = Vec::new();
    for row in query.fetch_all(pool).await? {
        let inspector: String = row.try_get(0)?;
        let target: String = row.try_get(1)?;
        let damaged = |e: crate::protocol::field::FieldError| {
            StoreError::Damaged(format!("recusal {inspector}/{target}: {e}"))
        };
        pairs.push(Recusal {
            inspector: InspectorId::parse(&inspector).map_err(damaged)?,
            target: crate::protocol::field::TargetId::parse(&target).map_err(damaged)?,
        });
    }
    Ok(RecusalManifest::new(pairs))
}

//! The pools a task freezes at commit (PROTOCOL.md §2): the filter over the
//! directory, the inspectors and the recusals. The target pool, which can
//! hold millions of rows, is streamed into its manifest by
//! [`super::bulk::freeze`].

use sqlx::Row;

use super::{StoreError, StoreResult, placeholders};
use crate::domain::task_definition::PoolFilter;
use crate::protocol::Date;
use crate::protocol::field::{Department, InspectorId, ItemCode, Region, Unit};
use crate::protocol::manifest::{Inspector, InspectorManifest, Recusal, RecusalManifest};

/// The filter as SQL over the targets table (as `alias`). `value` turns
/// each value into SQL: a bound parameter, or a literal where the statement
/// takes none (`COPY`).
pub(super) fn filter_sql(
    filter: &PoolFilter,
    alias: &str,
    cutoff: Option<&str>,
    value: &mut dyn FnMut(&str) -> String,
) -> String {
    let mut clauses = Vec::new();
    for (column, wanted) in
        [("region", &filter.regions), ("industry", &filter.industries), ("risk_class", &filter.risk_classes)]
    {
        if !wanted.is_empty() {
            let values: Vec<String> = wanted.iter().map(|wanted| value(wanted)).collect();
            clauses.push(format!("{alias}.{column} IN ({})", values.join(", ")));
        }
    }
    // A flag is excluded as a whole item of the comma-separated list, matched
    // exactly as `PoolFilter::admits` does: `replace` has no wildcards (LIKE
    // would read `%` and `_` in a flag as patterns) and is case-sensitive on
    // both databases (SQLite's LIKE is not).
    for flag in &filter.exclude_flags {
        let item = value(&format!(",{flag},"));
        let list = format!("(',' || {alias}.flags || ',')");
        clauses.push(format!("replace({list}, {item}, '') = {list}"));
    }
    if let Some(cutoff) = cutoff {
        let cutoff = value(cutoff);
        clauses.push(format!("({alias}.last_inspected IS NULL OR {alias}.last_inspected < {cutoff})"));
    }
    if clauses.is_empty() { "1 = 1".to_owned() } else { clauses.join(" AND ") }
}

/// A filter whose values are bound after the first `offset` parameters.
pub(super) fn bound_filter_sql(
    filter: &PoolFilter,
    alias: &str,
    offset: usize,
    cutoff: Option<&str>,
) -> (String, Vec<String>) {
    let mut values = Vec::new();
    let sql = filter_sql(filter, alias, cutoff, &mut |value| {
        values.push(value.to_owned());
        format!("${}", offset + values.len())
    });
    (sql, values)
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
        let id: String = row.try_get("id")?;
        let text = |column: &str| row.try_get::<String, _>(column);
        let items = text("items")?
            .split(',')
            .map(|code| ItemCode::parse(code).map_err(|e| damaged(&id, e.to_string())))
            .collect::<Result<Vec<_>, _>>()?;
        let inspector = Inspector::new(
            InspectorId::parse(&id).map_err(|e| damaged(&id, e.to_string()))?,
            Department::parse(&text("department")?).map_err(|e| damaged(&id, e.to_string()))?,
            Unit::parse(&text("unit")?).map_err(|e| damaged(&id, e.to_string()))?,
            Region::parse(&text("region")?).map_err(|e| damaged(&id, e.to_string()))?,
            items,
            Date::parse(&text("certificate_expires")?).map_err(|e| damaged(&id, e.to_string()))?,
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
    let (where_sql, values) = bound_filter_sql(filter, "t", departments.len(), cutoff);
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
        let inspector: String = row.try_get("inspector_id")?;
        let target: String = row.try_get("target_id")?;
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

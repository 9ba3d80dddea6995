//! Reading the directories for the staff console: the target directory
//! searched a page at a time, a department's recusals, and the values the
//! targets take (with how many targets take each) to filter by.

use std::collections::BTreeMap;

use sqlx::FromRow;

use super::StoreResult;
use super::directory::{TargetRow, target_row};

/// Which targets a search keeps; an absent criterion keeps every target.
#[derive(Debug, Clone, Default)]
pub struct TargetSearch<'a> {
    /// The start of the id, or a part of the name.
    pub text: Option<&'a str>,
    pub region: Option<&'a str>,
    pub industry: Option<&'a str>,
    pub risk_class: Option<&'a str>,
}

/// At most `limit` targets the search keeps with ids after `after`
/// (bytewise), in id order: paging follows the id index, however many
/// targets the directory holds.
pub async fn search_targets(
    pool: &sqlx::AnyPool,
    search: &TargetSearch<'_>,
    after: &str,
    limit: i64,
) -> StoreResult<Vec<TargetRow>> {
    let mut conditions = vec!["id > $1".to_owned()];
    let mut values: Vec<String> = vec![after.to_owned()];
    let next = |values: &mut Vec<String>, value: String| {
        values.push(value);
        format!("${}", values.len())
    };
    if let Some(text) = search.text {
        // `LIKE` with its wildcards escaped: the same on both databases.
        let prefix = next(&mut values, format!("{}%", like_escaped(text)));
        let part = next(&mut values, format!("%{}%", like_escaped(&text.to_lowercase())));
        conditions.push(format!("(id LIKE {prefix} ESCAPE '\\' OR lower(name) LIKE {part} ESCAPE '\\')"));
    }
    for (column, value) in
        [("region", search.region), ("industry", search.industry), ("risk_class", search.risk_class)]
    {
        if let Some(value) = value {
            let place = next(&mut values, value.to_owned());
            conditions.push(format!("{column} = {place}"));
        }
    }
    let sql = format!(
        "SELECT id, name, region, industry, risk_class, unit, flags, last_inspected, address FROM targets \
         WHERE {} ORDER BY id LIMIT ${}",
        conditions.join(" AND "),
        values.len() + 1
    );
    let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
    for value in values {
        query = query.bind(value);
    }
    let rows = query.bind(limit).fetch_all(pool).await?;
    rows.iter().map(target_row).collect()
}

fn like_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A declared recusal, with the names it joins.
#[derive(Debug, Clone, FromRow)]
pub struct RecusalRow {
    pub inspector_id: String,
    pub inspector_name: String,
    pub target_id: String,
    pub target_name: Option<String>,
    pub reason: String,
}

/// The recusals of a department's inspectors, by inspector and target.
pub async fn recusals_of(pool: &sqlx::AnyPool, department: &str) -> StoreResult<Vec<RecusalRow>> {
    Ok(sqlx::query_as(
        "SELECT r.inspector_id, i.name AS inspector_name, r.target_id, t.name AS target_name, r.reason \
         FROM recusals r JOIN inspectors i ON i.id = r.inspector_id \
         LEFT JOIN targets t ON t.id = r.target_id \
         WHERE i.department = $1 ORDER BY r.inspector_id, r.target_id",
    )
    .bind(department)
    .fetch_all(pool)
    .await?)
}

/// A value a column takes, and how many targets take it.
#[derive(Debug, Clone, FromRow)]
pub struct ValueCount {
    pub value: String,
    pub count: i64,
}

/// The values of a column of the targets, most frequent first, at most `limit`.
pub async fn value_counts(
    pool: &sqlx::AnyPool,
    column: FacetColumn,
    limit: i64,
) -> StoreResult<Vec<ValueCount>> {
    let column = column.as_str();
    let sql = format!(
        "SELECT {column} AS value, count(*) AS count FROM targets GROUP BY {column} \
         ORDER BY count(*) DESC, {column} LIMIT $1"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(limit).fetch_all(pool).await?)
}

/// The flags the targets carry, each with how many targets carry it, most
/// frequent first. The column holds a list per target; the lists are few
/// (counted by the database), the flags are counted from them.
pub async fn flag_counts(pool: &sqlx::AnyPool, limit: usize) -> StoreResult<Vec<ValueCount>> {
    let lists: Vec<ValueCount> = sqlx::query_as(
        "SELECT flags AS value, count(*) AS count FROM targets WHERE flags <> '' GROUP BY flags",
    )
    .fetch_all(pool)
    .await?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for list in lists {
        for flag in list.value.split([';', ',']).map(str::trim).filter(|flag| !flag.is_empty()) {
            *counts.entry(flag.to_owned()).or_default() += list.count;
        }
    }
    let mut counts: Vec<ValueCount> =
        counts.into_iter().map(|(value, count)| ValueCount { value, count }).collect();
    counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    counts.truncate(limit);
    Ok(counts)
}

/// The columns a search filters by whole value.
#[derive(Debug, Clone, Copy)]
pub enum FacetColumn {
    Region,
    Industry,
    RiskClass,
}

impl FacetColumn {
    fn as_str(self) -> &'static str {
        match self {
            FacetColumn::Region => "region",
            FacetColumn::Industry => "industry",
            FacetColumn::RiskClass => "risk_class",
        }
    }
}

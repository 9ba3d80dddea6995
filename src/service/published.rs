//! Published results, for anyone: the records of the national
//! credit-publicity format, filtered and paged, as JSON or CSV; and the
//! statistics the public site charts. Only published results (and the
//! originals they corrected) are ever read here; drafts, results under
//! review and internal notes never are.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::results::PublishedRecord;
use super::{Service, ServiceError, ServiceResult};
use crate::domain::calendar::{self, parse_day};
use crate::domain::inspection::{Outcome, ResultState};
use crate::domain::task::TaskState;
use crate::files::csv_output::SpreadsheetCsv;
use crate::storage::StoreError;
use crate::storage::results::{self, PublicFilter, ResultRow};
use crate::storage::tasks;

/// Query parameters of the published results.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ResultQuery {
    pub task: Option<i64>,
    /// An entity (target) id.
    pub target: Option<String>,
    pub region: Option<String>,
    /// An item code.
    pub item: Option<String>,
    /// An outcome code.
    pub outcome: Option<String>,
    /// Inspection dates from (inclusive), YYYY-MM-DD.
    pub from: Option<String>,
    /// Inspection dates to (inclusive), YYYY-MM-DD.
    pub to: Option<String>,
    /// Also the originals that were later corrected (default true).
    pub include_corrected: Option<bool>,
    #[serde(default)]
    #[param(minimum = 0)]
    pub offset: i64,
    /// 1 to 500; default 100. The JSON list only: the CSV export holds every
    /// matching result and refuses `offset` and `limit`.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// CSV headers in zh (default) or en.
    pub lang: Option<String>,
}

/// A published result: the published record, and where it stands now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicResult {
    #[serde(flatten)]
    pub record: PublishedRecord,
    /// current, or corrected (a later correction replaces it).
    pub status: String,
    /// The reference of the correction, when corrected.
    pub corrected_by: Option<String>,
    /// Published by its due date.
    pub on_time: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultPage {
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
    pub results: Vec<PublicResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeLabel {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Month {
    /// YYYY-MM.
    pub month: String,
    pub draws: u64,
    pub publications: u64,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct OnTime {
    pub on_time: u64,
    pub late: u64,
    /// Entered results past their deadline and still not published.
    pub overdue_unpublished: u64,
    /// on_time / (on_time + late + overdue_unpublished); none when all are 0.
    pub rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statistics {
    /// Current published results (corrected originals not counted).
    pub published: u64,
    pub by_outcome: Vec<Count>,
    pub by_region: Vec<Count>,
    pub by_risk_class: Vec<Count>,
    pub by_month: Vec<Month>,
    pub on_time: OnTime,
}

const MAX_PAGE: i64 = 500;
/// Rows a CSV export or the statistics read per query.
const BATCH: i64 = 2_000;

pub fn outcomes() -> Vec<OutcomeLabel> {
    Outcome::ALL
        .iter()
        .map(|outcome| OutcomeLabel {
            code: outcome.code().to_owned(),
            label_zh: outcome.label_zh().to_owned(),
            label_en: outcome.label_en().to_owned(),
        })
        .collect()
}

impl ResultQuery {
    fn filter(&self) -> ServiceResult<PublicFilter<'_>> {
        let invalid = |field: &str, message: String| {
            ServiceError::invalid("invalid_query", Some(field.into()), message)
        };
        if let Some(outcome) = self.outcome.as_deref()
            && Outcome::parse(outcome).is_none()
        {
            let known: Vec<&str> = Outcome::ALL.iter().map(|o| o.code()).collect();
            return Err(invalid("outcome", format!("'{outcome}' is not one of {}", known.join(", "))));
        }
        for (field, value) in [("from", &self.from), ("to", &self.to)] {
            if let Some(value) = value
                && parse_day(value).is_none()
            {
                return Err(invalid(field, format!("'{value}' is not a date YYYY-MM-DD")));
            }
        }
        if self.offset < 0 {
            return Err(invalid("offset", "must not be negative".into()));
        }
        if self.limit.is_some_and(|limit| !(1..=MAX_PAGE).contains(&limit)) {
            return Err(invalid("limit", format!("must be 1 to {MAX_PAGE}")));
        }
        if let Some(lang) = self.lang.as_deref()
            && !matches!(lang, "zh" | "en")
        {
            return Err(invalid("lang", format!("'{lang}' is neither zh nor en")));
        }
        Ok(PublicFilter {
            task: self.task,
            target: self.target.as_deref(),
            region: self.region.as_deref(),
            item: self.item.as_deref(),
            outcome: self.outcome.as_deref(),
            from: self.from.as_deref(),
            to: self.to.as_deref(),
            superseded: self.include_corrected.unwrap_or(true),
        })
    }
}

impl Service {
    pub async fn published_results(&self, query: &ResultQuery) -> ServiceResult<ResultPage> {
        let filter = query.filter()?;
        let limit = query.limit.unwrap_or(100);
        let pool = self.store().pool();
        let total = results::count_published(pool, &filter).await?;
        let rows = results::published(pool, &filter, query.offset, limit).await?;
        Ok(ResultPage { total, offset: query.offset, limit, results: self.public_results(rows).await? })
    }

    /// Every matching published result as CSV (UTF-8 with BOM).
    pub async fn published_results_csv(&self, query: &ResultQuery) -> ServiceResult<Vec<u8>> {
        let filter = query.filter()?;
        // The export holds every matching result; paging is the JSON list's.
        for (field, given) in [("offset", query.offset != 0), ("limit", query.limit.is_some())] {
            if given {
                return Err(ServiceError::invalid(
                    "invalid_query",
                    Some(field.into()),
                    format!(
                        "the CSV export holds every matching result; {field} applies to /api/public/results"
                    ),
                ));
            }
        }
        let english = query.lang.as_deref() == Some("en");
        let mut writer = SpreadsheetCsv::new();
        let headers: [&str; 21] = if english {
            [
                "plan id",
                "plan name",
                "task id",
                "task name",
                "inspection type",
                "inspecting authority",
                "entity id",
                "entity name",
                "region",
                "item code",
                "item name",
                "result",
                "result code",
                "result details",
                "summary",
                "completion date",
                "published at",
                "reference",
                "status",
                "corrects",
                "correction reason",
            ]
        } else {
            [
                "抽查计划编号",
                "抽查计划名称",
                "抽查任务编号",
                "抽查任务名称",
                "检查类型",
                "检查机关",
                "检查对象编号",
                "检查对象名称",
                "区域",
                "检查事项编号",
                "检查事项",
                "检查结果",
                "检查结果代码",
                "结果说明",
                "检查情况",
                "检查完成日期",
                "公示日期",
                "结果编号",
                "状态",
                "更正的结果编号",
                "更正原因",
            ]
        };
        writer.write_record(headers).map_err(csv_error)?;
        self.each_published(&filter, |result| {
            let record = &result.record;
            let label = if english { record.outcome.label_en() } else { record.outcome.label_zh() };
            let status = match (english, result.status.as_str()) {
                (false, "current") => "有效",
                (false, _) => "已更正",
                (true, status) => status,
            };
            writer
                .write_record([
                    record.plan_id.as_deref().unwrap_or_default(),
                    record.plan_name.as_deref().unwrap_or_default(),
                    &record.task.to_string(),
                    &record.task_name,
                    &record.inspection_type,
                    &record.authority,
                    &record.target,
                    &record.target_name,
                    &record.region,
                    &record.item,
                    &record.item_name,
                    label,
                    record.outcome.code(),
                    &record.outcome_text,
                    &record.summary,
                    &record.inspection_date,
                    &record.published_at,
                    &record.reference,
                    status,
                    record.corrects.as_deref().unwrap_or_default(),
                    record.correction_reason.as_deref().unwrap_or_default(),
                ])
                .map_err(csv_error)
        })
        .await?;
        Ok(writer.into_bytes())
    }

    /// Calls `each` with every published result the filter matches, newest
    /// first, reading a batch at a time.
    async fn each_published(
        &self,
        filter: &PublicFilter<'_>,
        mut each: impl FnMut(PublicResult) -> ServiceResult<()>,
    ) -> ServiceResult<()> {
        let mut offset = 0;
        loop {
            let rows = results::published(self.store().pool(), filter, offset, BATCH).await?;
            let count = rows.len() as i64;
            for result in self.public_results(rows).await? {
                each(result)?;
            }
            if count < BATCH {
                return Ok(());
            }
            offset += count;
        }
    }

    /// The published results of rows read from the database.
    pub(super) async fn public_results(&self, rows: Vec<ResultRow>) -> ServiceResult<Vec<PublicResult>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let record: PublishedRecord = serde_json::from_str(row.record.as_deref().unwrap_or_default())
                .map_err(|error| StoreError::Damaged(format!("result {} record: {error}", row.id)))?;
            let corrected = row.state == ResultState::Superseded.as_str();
            let corrected_by =
                if corrected { results::corrected_by(self.store().pool(), row.id).await? } else { None };
            let on_time = on_time(&record);
            out.push(PublicResult {
                record,
                status: if corrected { "corrected" } else { "current" }.to_owned(),
                corrected_by,
                on_time,
            });
        }
        Ok(out)
    }

    /// What the statistics page charts.
    pub async fn statistics(&self) -> ServiceResult<Statistics> {
        let pool = self.store().pool();
        // Corrected originals too: timeliness is that of the first publication.
        let filter = PublicFilter { superseded: true, ..PublicFilter::default() };
        let mut by_outcome: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_region: BTreeMap<String, u64> = BTreeMap::new();
        let mut by_risk: BTreeMap<String, u64> = BTreeMap::new();
        let mut months: BTreeMap<String, (u64, u64)> = BTreeMap::new();
        let mut timing = OnTime::default();
        let mut published = 0;
        self.each_published(&filter, |result| {
            let record = result.record;
            if record.corrects.is_none() {
                if result.on_time { timing.on_time += 1 } else { timing.late += 1 }
            }
            if result.status != "current" {
                return Ok(());
            }
            published += 1;
            *by_outcome.entry(record.outcome.code().to_owned()).or_default() += 1;
            *by_region.entry(record.region).or_default() += 1;
            *by_risk.entry(record.risk_class).or_default() += 1;
            if let Some(day) = calendar::local_day(&record.published_at) {
                months.entry(day.format("%Y-%m").to_string()).or_default().1 += 1;
            }
            Ok(())
        })
        .await?;
        for id in tasks::ids_in(pool, &[TaskState::Drawn, TaskState::Revealed]).await? {
            let Some(task) = tasks::get(pool, id).await? else { continue };
            if let Some(day) = task.drawn_at.and_then(|at| calendar::local_day(&at.to_string())) {
                months.entry(day.format("%Y-%m").to_string()).or_default().0 += 1;
            }
        }
        let calendar = crate::storage::calendar::load(pool).await?;
        let today = self.today();
        for row in results::unpublished_with_dates(pool).await? {
            if let Some(day) = parse_day(&row)
                && calendar.publication_due(day) < today
            {
                timing.overdue_unpublished += 1;
            }
        }
        let judged = timing.on_time + timing.late + timing.overdue_unpublished;
        timing.rate = (judged > 0).then(|| timing.on_time as f64 / judged as f64);
        let counts = |map: BTreeMap<String, u64>| {
            let mut counts: Vec<Count> = map.into_iter().map(|(key, count)| Count { key, count }).collect();
            counts.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
            counts
        };
        Ok(Statistics {
            published,
            by_outcome: {
                // In the vocabulary's order, every outcome shown.
                Outcome::ALL
                    .iter()
                    .map(|o| Count {
                        key: o.code().to_owned(),
                        count: by_outcome.get(o.code()).copied().unwrap_or(0),
                    })
                    .collect()
            },
            by_region: counts(by_region),
            by_risk_class: by_risk.into_iter().map(|(key, count)| Count { key, count }).collect(),
            by_month: months
                .into_iter()
                .map(|(month, (draws, publications))| Month { month, draws, publications })
                .collect(),
            on_time: timing,
        })
    }
}

/// Whether a record was published by its due date (days where the service works).
fn on_time(record: &PublishedRecord) -> bool {
    match (calendar::local_day(&record.published_at), parse_day(&record.due_date)) {
        (Some(published), Some(due)) => published <= due,
        _ => false,
    }
}

fn csv_error(error: csv::Error) -> ServiceError {
    ServiceError::Store(StoreError::Damaged(format!("writing CSV: {error}")))
}

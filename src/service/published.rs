//! Published results, for anyone: the records of the national
//! credit-publicity format, filtered and paged (down an index, from the
//! last result of the page before), as JSON or as a CSV file streamed a
//! batch at a time. Only published results (and the originals they
//! corrected) are ever read here; drafts, results under review and
//! internal notes never are.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::csv_export::{self, csv_error};
use super::public_answers::{Download, Freshness, PublicAnswer};
use super::results::PublishedRecord;
use super::statistics::on_time;
use super::{Service, ServiceError, ServiceResult};
use crate::domain::calendar::parse_day;
use crate::domain::inspection::{Outcome, ResultState};
use crate::files::csv_output::SpreadsheetCsv;
use crate::storage::StoreError;
use crate::storage::results::{self, PublicFilter, PublishedKey, PublishedRow};

/// Query parameters of the published results.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
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
    /// The results after this one (the `next` of the page before): pages
    /// read this way cost the same however deep. Not with `offset`.
    pub after: Option<String>,
    /// Results to skip; kept for older clients (deep offsets read every
    /// skipped row: prefer `after`).
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
    /// Where the next page starts (`after=`); none on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeLabel {
    pub code: String,
    pub label_zh: String,
    pub label_en: String,
}

const MAX_PAGE: i64 = 500;
/// Rows a CSV export reads per query, and sends as one piece.
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
        if self.after.is_some() && self.offset != 0 {
            return Err(invalid(
                "after",
                "a page starts either after a result or at an offset, not both".into(),
            ));
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
            published_since: None,
            through: None,
        })
    }
}

impl PublicResult {
    /// A published result as read, with where it stands now.
    pub(super) fn of_row(row: PublishedRow) -> ServiceResult<Self> {
        let record: PublishedRecord = serde_json::from_str(&row.record)
            .map_err(|error| StoreError::Damaged(format!("result {} record: {error}", row.id)))?;
        let corrected = row.state == ResultState::Superseded.as_str();
        let on_time = on_time(&record);
        Ok(PublicResult {
            record,
            status: if corrected { "corrected" } else { "current" }.to_owned(),
            corrected_by: if corrected { row.corrected_by } else { None },
            on_time,
        })
    }
}

impl Service {
    /// A page of published results, ready to send.
    pub async fn published_results(&self, query: &ResultQuery) -> ServiceResult<PublicAnswer> {
        let filter = query.filter()?;
        let pool = self.store().read_pool();
        let stamp = self.public_stamp().await?;
        self.answer(format!("results/{query:?}"), stamp, None, async {
            let limit = query.limit.unwrap_or(100);
            let after = match query.after.as_deref() {
                Some(reference) => Some(self.published_key(reference).await?),
                None => None,
            };
            let total = count_matching(pool, &filter).await?;
            let rows = results::published(pool, &filter, after.as_ref(), query.offset, limit).await?;
            let full = rows.len() as i64 == limit;
            let results: Vec<PublicResult> =
                rows.into_iter().map(PublicResult::of_row).collect::<ServiceResult<_>>()?;
            let next = results.last().filter(|_| full).map(|last| last.record.reference.clone());
            let page = ResultPage { total, offset: query.offset, limit, results, next };
            Ok(PublicAnswer::json(&page, Freshness::Live))
        })
        .await
    }

    async fn published_key(&self, reference: &str) -> ServiceResult<PublishedKey> {
        results::published_key(self.store().read_pool(), reference).await?.ok_or_else(|| {
            ServiceError::invalid(
                "invalid_query",
                Some("after".into()),
                format!("'{reference}' is not the reference of a published result"),
            )
        })
    }

    /// Every matching published result as CSV (UTF-8 with BOM): kept in
    /// memory like a JSON answer while it is short; a long one is sent a
    /// batch at a time as it is read, so memory stays the same however many
    /// results match. Each batch continues down the index from the last
    /// result of the one before, so a result published meanwhile (newer
    /// than all) is not in the file and none is sent twice.
    pub async fn published_results_csv(&self, query: ResultQuery) -> ServiceResult<Download> {
        query.filter()?;
        // The export holds every matching result; paging is the JSON list's.
        let paging = [
            ("after", query.after.is_some()),
            ("offset", query.offset != 0),
            ("limit", query.limit.is_some()),
        ];
        for (field, given) in paging {
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
        let stamp = self.public_stamp().await?;
        let question = format!("results.csv/{query:?}");
        let rows = PublishedBatches { service: self.clone(), query, english };
        self.download(question, stamp, Freshness::Live, csv_export::export(&csv_headers(english), rows)?)
            .await
    }
}

/// How many published results the filter matches: from the kept counts
/// when it asks for all of them.
async fn count_matching(pool: &sqlx::AnyPool, filter: &PublicFilter<'_>) -> ServiceResult<i64> {
    let everything = PublicFilter { superseded: filter.superseded, ..PublicFilter::default() };
    if format!("{filter:?}") != format!("{everything:?}") {
        return Ok(results::count_published(pool, filter).await?);
    }
    let mut total = 0;
    for row in crate::storage::statistics::counts(pool).await? {
        if row.dimension == "published" || (filter.superseded && row.dimension == "corrected") {
            total += row.count;
        }
    }
    Ok(total)
}

/// Published results as the CSV export reads them.
struct PublishedBatches {
    service: Service,
    query: ResultQuery,
    english: bool,
}

impl csv_export::Batches for PublishedBatches {
    type Key = PublishedKey;

    async fn write_batch(
        &mut self,
        after: Option<&PublishedKey>,
        writer: &mut SpreadsheetCsv,
    ) -> ServiceResult<Option<(PublishedKey, bool)>> {
        let filter = self.query.filter()?;
        let pool = self.service.store().read_pool();
        let rows = results::published(pool, &filter, after, 0, BATCH).await?;
        let full = rows.len() as i64 == BATCH;
        let Some(last) =
            rows.last().map(|row| PublishedKey { published_at: row.published_at.clone(), id: row.id })
        else {
            return Ok(None);
        };
        for row in rows {
            write_result(writer, &PublicResult::of_row(row)?, self.english)?;
        }
        Ok(Some((last, full)))
    }
}

fn csv_headers(english: bool) -> [&'static str; 21] {
    if english {
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
    }
}

fn write_result(writer: &mut SpreadsheetCsv, result: &PublicResult, english: bool) -> ServiceResult<()> {
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
}

//! The statistics the public site charts: results by outcome, region and
//! risk class, draws and publications per month, the on-time rate. The
//! counts of published results are kept in the database and moved in the
//! transaction that publishes or corrects a result, so an answer reads a
//! few dozen counts, never every result.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer};
use super::results::PublishedRecord;
use super::{Service, ServiceResult, damaged};
use crate::domain::calendar::{self, parse_day};
use crate::domain::inspection::Outcome;
use crate::storage::results::ResultRow;
use crate::storage::{StoreResult, statistics};

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

/// How long an answer is kept at most: the overdue count moves with
/// results entered (not logged) and with the day.
const STATISTICS_MAX_AGE: Duration = Duration::from_secs(10);

/// Counts a publication, in its transaction: a result published for the
/// first time, or a correction (`replaced` is then the result it replaces,
/// which stops counting as current). Timeliness is that of the first
/// publication.
pub(super) async fn count_publication(
    conn: &mut AnyConnection,
    record: &PublishedRecord,
    replaced: Option<&ResultRow>,
) -> ServiceResult<()> {
    move_current(conn, record, 1).await?;
    match replaced {
        Some(row) => {
            let original: PublishedRecord =
                serde_json::from_str(row.record.as_deref().unwrap_or_default())
                    .map_err(|error| damaged(format!("result {} record: {error}", row.id)))?;
            move_current(conn, &original, -1).await?;
            statistics::add(conn, "corrected", "", 1).await?;
        }
        None => {
            let timing = if on_time(record) { "on_time" } else { "late" };
            statistics::add(conn, timing, "", 1).await?;
        }
    }
    Ok(())
}

/// Moves the counts a current result is in.
async fn move_current(conn: &mut AnyConnection, record: &PublishedRecord, by: i64) -> StoreResult<()> {
    statistics::add(conn, "published", "", by).await?;
    statistics::add(conn, "task", &record.task.to_string(), by).await?;
    statistics::add(conn, "outcome", record.outcome.code(), by).await?;
    statistics::add(conn, "region", &record.region, by).await?;
    statistics::add(conn, "risk_class", &record.risk_class, by).await?;
    if let Some(month) = local_month(&record.published_at) {
        statistics::add(conn, "month", &month, by).await?;
    }
    Ok(())
}

/// Whether a record was published by its due date (days where the service works).
pub(super) fn on_time(record: &PublishedRecord) -> bool {
    match (calendar::local_day(&record.published_at), parse_day(&record.due_date)) {
        (Some(published), Some(due)) => published <= due,
        _ => false,
    }
}

fn local_month(timestamp: &str) -> Option<String> {
    calendar::local_day(timestamp).map(|day| day.format("%Y-%m").to_string())
}

impl Service {
    /// What the statistics page charts, ready to send.
    pub async fn statistics(&self) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer("statistics".to_owned(), stamp, Some(STATISTICS_MAX_AGE), async {
            Ok(PublicAnswer::json(&self.statistics_view().await?, Freshness::Live))
        })
        .await
    }

    async fn statistics_view(&self) -> ServiceResult<Statistics> {
        let pool = self.store().read_pool();
        let mut by: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        for row in statistics::counts(pool).await? {
            by.entry(row.dimension).or_default().insert(row.key, row.count.max(0) as u64);
        }
        let mut take = |dimension: &str| by.remove(dimension).unwrap_or_default();
        let single = |counts: BTreeMap<String, u64>| counts.get("").copied().unwrap_or(0);
        let published = single(take("published"));
        let outcomes = take("outcome");
        let regions = take("region");
        let risk_classes = take("risk_class");
        let mut months: BTreeMap<String, (u64, u64)> =
            take("month").into_iter().map(|(month, count)| (month, (0, count))).collect();
        let mut timing =
            OnTime { on_time: single(take("on_time")), late: single(take("late")), ..OnTime::default() };
        for at in statistics::draw_times(pool).await? {
            if let Some(month) = local_month(&at) {
                months.entry(month).or_default().0 += 1;
            }
        }
        let calendar = crate::storage::calendar::load(pool).await?;
        let today = self.today();
        for open in statistics::open_by_inspection_date(pool).await? {
            if let Some(day) = parse_day(&open.inspection_date)
                && calendar.publication_due(day) < today
            {
                timing.overdue_unpublished += open.open.max(0) as u64;
            }
        }
        let judged = timing.on_time + timing.late + timing.overdue_unpublished;
        timing.rate = (judged > 0).then(|| timing.on_time as f64 / judged as f64);
        let mut by_region: Vec<Count> =
            regions.into_iter().map(|(key, count)| Count { key, count }).collect();
        by_region.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
        Ok(Statistics {
            published,
            // In the vocabulary's order, every outcome shown.
            by_outcome: Outcome::ALL
                .iter()
                .map(|o| Count {
                    key: o.code().to_owned(),
                    count: outcomes.get(o.code()).copied().unwrap_or(0),
                })
                .collect(),
            by_region,
            by_risk_class: risk_classes.into_iter().map(|(key, count)| Count { key, count }).collect(),
            by_month: months
                .into_iter()
                .map(|(month, (draws, publications))| Month { month, draws, publications })
                .collect(),
            on_time: timing,
        })
    }
}

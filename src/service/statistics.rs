//! The statistics the public site charts: results by outcome, region, risk
//! class, department, item and plan, draws and publications per month, the
//! on-time rate, and the coverage of the draws (drawn ÷ pool) by
//! department and plan; all of them, or those of one year. The counts of
//! published results are kept in the database and moved in the transaction
//! that publishes or corrects a result — each twice, once for all years
//! and once under its year of publication (`dimension@YYYY`) — so an answer
//! reads a few hundred counts, never every result. The coverage is summed
//! from the drawn tasks' rows (one per task, never per target).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use chrono::Datelike;
use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer};
use super::results::PublishedRecord;
use super::{Service, ServiceResult, damaged};
use crate::domain::calendar::{self, parse_day};
use crate::domain::inspection::Outcome;
use crate::domain::task_definition::TaskDefinition;
use crate::storage::results::ResultRow;
use crate::storage::statistics::DrawnTask;
use crate::storage::{StoreResult, statistics};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Count {
    pub key: String,
    /// What the key names, where it is not a name itself (an item's or a
    /// plan's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub count: u64,
}

/// How much of the pools the draws took: over the drawn tasks of a
/// department, a plan, or all.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Coverage {
    /// The department's code or the plan's id (none for all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    pub tasks: u64,
    /// Targets in their pools.
    pub pool: u64,
    /// Targets drawn.
    pub drawn: u64,
    /// drawn ÷ pool; none when the pools are empty.
    pub rate: Option<f64>,
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
    /// The year asked for (results by their year of publication, draws by
    /// theirs); none: all years.
    pub year: Option<i32>,
    /// The years that have draws or publications, oldest first.
    pub years: Vec<i32>,
    /// Current published results (corrected originals not counted).
    pub published: u64,
    pub by_outcome: Vec<Count>,
    pub by_region: Vec<Count>,
    pub by_risk_class: Vec<Count>,
    /// By the department responsible for the item.
    pub by_department: Vec<Count>,
    /// By item code, with the item's name.
    pub by_item: Vec<Count>,
    /// By plan id (`""` for tasks without a plan), with the plan's name.
    pub by_plan: Vec<Count>,
    pub by_month: Vec<Month>,
    pub on_time: OnTime,
    /// Drawn ÷ pool over every drawn task.
    pub coverage: Coverage,
    pub coverage_by_department: Vec<Coverage>,
    pub coverage_by_plan: Vec<Coverage>,
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
            if let Some(year) = local_year(&record.published_at) {
                statistics::add(conn, &in_year(timing, year), "", 1).await?;
            }
        }
    }
    Ok(())
}

/// Moves the counts a current result is in: for all years, and for its
/// year of publication.
async fn move_current(conn: &mut AnyConnection, record: &PublishedRecord, by: i64) -> StoreResult<()> {
    statistics::add(conn, "task", &record.task.to_string(), by).await?;
    let year = local_year(&record.published_at);
    let plan = record.plan_id.as_deref().unwrap_or_default();
    for (dimension, key) in [
        ("published", ""),
        ("outcome", record.outcome.code()),
        ("region", &record.region),
        ("risk_class", &record.risk_class),
        ("department", &record.department),
        ("item", &record.item),
        ("plan", plan),
    ] {
        statistics::add(conn, dimension, key, by).await?;
        if let Some(year) = year {
            statistics::add(conn, &in_year(dimension, year), key, by).await?;
        }
    }
    if let Some(month) = local_month(&record.published_at) {
        statistics::add(conn, "month", &month, by).await?;
    }
    Ok(())
}

/// The name of a dimension's counts of one year.
fn in_year(dimension: &str, year: i32) -> String {
    format!("{dimension}@{year}")
}

fn local_year(timestamp: &str) -> Option<i32> {
    calendar::local_day(timestamp).map(|day| day.year())
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
    /// What the statistics page charts, of one year or of all, ready to send.
    pub async fn statistics(&self, year: Option<i32>) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(format!("statistics/{year:?}"), stamp, Some(STATISTICS_MAX_AGE), async {
            Ok(PublicAnswer::json(&self.statistics_view(year).await?, Freshness::Live))
        })
        .await
    }

    async fn statistics_view(&self, year: Option<i32>) -> ServiceResult<Statistics> {
        let pool = self.store().read_pool();
        let mut by: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
        let mut years: BTreeSet<i32> = BTreeSet::new();
        for row in statistics::counts(pool).await? {
            let dimension = match row.dimension.split_once('@') {
                Some((dimension, of)) => {
                    let Ok(of) = of.parse::<i32>() else { continue };
                    years.insert(of);
                    if Some(of) != year {
                        continue;
                    }
                    dimension.to_owned()
                }
                None if year.is_some() && row.dimension != "month" => continue,
                None => row.dimension,
            };
            by.entry(dimension).or_default().insert(row.key, row.count.max(0) as u64);
        }
        let mut take = |dimension: &str| by.remove(dimension).unwrap_or_default();
        let single = |counts: BTreeMap<String, u64>| counts.get("").copied().unwrap_or(0);
        let published = single(take("published"));
        let outcomes = take("outcome");
        let in_the_year = |key: &str| year.is_none_or(|year| key.starts_with(&format!("{year:04}-")));
        let mut months: BTreeMap<String, (u64, u64)> = take("month")
            .into_iter()
            .filter(|(month, _)| in_the_year(month))
            .map(|(month, count)| (month, (0, count)))
            .collect();
        let mut timing =
            OnTime { on_time: single(take("on_time")), late: single(take("late")), ..OnTime::default() };
        let tasks = statistics::drawn_tasks(pool).await?;
        let mut coverage = CoverageSums::default();
        for task in &tasks {
            let Some(day) = calendar::local_day(&task.drawn_at) else { continue };
            years.insert(day.year());
            if year.is_some_and(|year| year != day.year()) {
                continue;
            }
            months.entry(day.format("%Y-%m").to_string()).or_default().0 += 1;
            coverage.add(task)?;
        }
        let calendar = crate::storage::calendar::load(pool).await?;
        let today = self.today();
        for open in statistics::open_by_inspection_date(pool).await? {
            if let Some(day) = parse_day(&open.inspection_date)
                && year.is_none_or(|year| year == day.year())
                && calendar.publication_due(day) < today
            {
                timing.overdue_unpublished += open.open.max(0) as u64;
            }
        }
        let judged = timing.on_time + timing.late + timing.overdue_unpublished;
        timing.rate = (judged > 0).then(|| timing.on_time as f64 / judged as f64);
        let items = statistics::item_names(pool).await?;
        Ok(Statistics {
            year,
            years: years.into_iter().collect(),
            published,
            // In the vocabulary's order, every outcome shown.
            by_outcome: Outcome::ALL
                .iter()
                .map(|o| Count {
                    key: o.code().to_owned(),
                    label: None,
                    count: outcomes.get(o.code()).copied().unwrap_or(0),
                })
                .collect(),
            by_region: most_first(take("region"), |_| None),
            by_risk_class: take("risk_class")
                .into_iter()
                .map(|(key, count)| Count { key, label: None, count })
                .collect(),
            by_department: most_first(take("department"), |_| None),
            by_item: most_first(take("item"), |code| items.get(code).cloned()),
            by_plan: most_first(take("plan"), |plan| coverage.plan_names.get(plan).cloned()),
            by_month: months
                .into_iter()
                .map(|(month, (draws, publications))| Month { month, draws, publications })
                .collect(),
            on_time: timing,
            coverage: coverage.all.view(None, None),
            coverage_by_department: coverage
                .by_department
                .iter()
                .map(|(key, sum)| sum.view(Some(key.clone()), None))
                .collect(),
            coverage_by_plan: coverage
                .by_plan
                .iter()
                .map(|(key, sum)| sum.view(Some(key.clone()), coverage.plan_names.get(key).cloned()))
                .collect(),
        })
    }
}

/// Counts with their labels, the largest first (then by key).
fn most_first(counts: BTreeMap<String, u64>, label: impl Fn(&str) -> Option<String>) -> Vec<Count> {
    let mut list: Vec<Count> =
        counts.into_iter().map(|(key, count)| Count { label: label(&key), key, count }).collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    list
}

/// Pools and draws summed over tasks.
#[derive(Debug, Clone, Copy, Default)]
struct CoverageSum {
    tasks: u64,
    pool: u64,
    drawn: u64,
}

impl CoverageSum {
    fn add(&mut self, task: &DrawnTask) {
        self.tasks += 1;
        self.pool += task.pool_size.unwrap_or(0).max(0) as u64;
        self.drawn += task.drawn_count.unwrap_or(0).max(0) as u64;
    }

    fn view(&self, key: Option<String>, label: Option<String>) -> Coverage {
        Coverage {
            key,
            label,
            tasks: self.tasks,
            pool: self.pool,
            drawn: self.drawn,
            rate: (self.pool > 0).then(|| self.drawn as f64 / self.pool as f64),
        }
    }
}

#[derive(Debug, Default)]
struct CoverageSums {
    all: CoverageSum,
    by_department: BTreeMap<String, CoverageSum>,
    by_plan: BTreeMap<String, CoverageSum>,
    /// Plan names as the tasks' definitions give them.
    plan_names: HashMap<String, String>,
}

impl CoverageSums {
    fn add(&mut self, task: &DrawnTask) -> ServiceResult<()> {
        let definition: TaskDefinition = serde_json::from_str(&task.definition)
            .map_err(|error| damaged(format!("task {} definition: {error}", task.id)))?;
        let plan = definition.plan_id.unwrap_or_default();
        if let Some(name) = definition.plan_name {
            self.plan_names.entry(plan.clone()).or_insert(name);
        }
        self.all.add(task);
        self.by_department.entry(task.department.clone()).or_default().add(task);
        self.by_plan.entry(plan).or_default().add(task);
        Ok(())
    }
}

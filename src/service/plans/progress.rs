//! What an approved plan's figures say: per item and risk class the
//! year's target, what the plan's tasks drew, the quotas of a batch
//! derived from what remains, and the warnings of a plan falling behind.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::checks::{invalid, ratio};
use super::{PlanBatch, PlanItem, batches_of, items_of, not_found};
use crate::domain::account::User;
use crate::domain::records::RISK_CLASSES;
use crate::domain::task::TaskState;
use crate::domain::task_definition::TaskDefinition;
use crate::protocol::BasisPoints;
use crate::service::tasks::definition_of;
use crate::service::{Service, ServiceResult, supervised_department};
use crate::storage::plans::{self, Categories, ClassCount, PlanRow};
use crate::storage::tasks;

/// How the quotas of one batch follow from the plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Derivation {
    pub batch: i64,
    /// The batches from this one to the last, which share what remains.
    pub remaining_batches: i64,
    pub items: Vec<DerivedItem>,
    /// A task definition fragment with these quotas, to complete into a new task.
    pub task: TaskFragment,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DerivedItem {
    pub item: String,
    /// One row per risk class with targets in the item's categories, or drawn.
    pub strata: Vec<DerivedStratum>,
}

/// One risk class of one item.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DerivedStratum {
    pub risk_class: String,
    /// The department's targets now in the item's categories with this class.
    pub pool: i64,
    /// The class's ratio: its own, or the item's.
    pub ratio: String,
    /// ceil(pool × ratio).
    pub annual_target: i64,
    /// Targets of this class drawn so far by the plan's tasks for this item
    /// (abandoned tasks not counted).
    pub drawn: i64,
    /// max(0, annual_target − drawn).
    pub remaining: i64,
    /// ceil(remaining / remaining_batches).
    pub quota: i64,
}

/// The parts of a new task's definition that follow from the plan.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TaskFragment {
    /// The plan's items: each drawn target is inspected for all of them.
    pub items: Vec<String>,
    /// The items' categories, when every item is narrowed to the same ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<FragmentFilter>,
    pub strata_by: Vec<String>,
    /// Per risk class, the largest quota any item needs in this batch.
    #[schema(value_type = Object, example = json!({"A": {"count": 3}, "D": {"count": 5}}))]
    pub quota_by_stratum: BTreeMap<String, CountQuota>,
    pub plan_id: String,
    pub plan_name: String,
    pub plan_batch: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FragmentFilter {
    pub regions: Vec<String>,
    pub industries: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CountQuota {
    pub count: i64,
}

/// An item of an approved plan of the current year that will miss its
/// annual target (`plan_behind`): what is drawn plus what the batches left
/// can still draw is below it (no batch left, or more remaining than
/// undrawn targets); or its frequency (`frequency_behind`): the batches
/// that drew it plus the batches left that have not are fewer than its
/// `draws_per_year`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanWarning {
    /// `plan_behind` or `frequency_behind`.
    pub kind: String,
    pub plan: String,
    pub plan_name: String,
    pub item: String,
    /// Over all risk classes of the item.
    pub annual_target: i64,
    pub drawn: i64,
    pub pool: i64,
    /// Batches not yet ended today.
    pub batches_left: i64,
    /// `frequency_behind` only: the item's frequency in the plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws_per_year: Option<i64>,
    /// `frequency_behind` only: the batches whose tasks drew the item so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batches_drawn: Option<i64>,
}

/// ceil(a / b) for a ≥ 0, b > 0.
fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

/// ceil(pool × ratio).
fn target_of(pool: i64, ratio: BasisPoints) -> i64 {
    ceil_div(pool * i64::from(ratio.get()), i64::from(BasisPoints::FULL))
}

/// A share as a percentage with at most two decimals, rounded down.
pub(super) fn percent_text(part: i64, whole: i64) -> String {
    if whole <= 0 {
        return "0%".to_owned();
    }
    let basis_points = part * 10_000 / whole;
    let (units, hundredths) = (basis_points / 100, basis_points % 100);
    match hundredths {
        0 => format!("{units}%"),
        h if h % 10 == 0 => format!("{units}.{}%", h / 10),
        h => format!("{units}.{h:02}%"),
    }
}

/// The ratio of a risk class of an item: its own, or the item's.
fn class_ratio(item: &PlanItem, class: &str) -> ServiceResult<BasisPoints> {
    let text = item.risk_ratios.get(class).unwrap_or(&item.ratio);
    ratio(text, "ratio")
}

/// One risk class of one item: its targets, ratio and draws, and what
/// follows from them.
pub(super) struct ClassFigures {
    class: &'static str,
    pool: i64,
    ratio: BasisPoints,
    /// ceil(pool × ratio).
    annual_target: i64,
    drawn: i64,
    /// max(0, annual_target − drawn).
    remaining: i64,
}

impl ClassFigures {
    fn new(class: &'static str, pool: i64, ratio: BasisPoints, drawn: i64) -> Self {
        let annual_target = target_of(pool, ratio);
        ClassFigures { class, pool, ratio, annual_target, drawn, remaining: (annual_target - drawn).max(0) }
    }
}

/// One item's figures per risk class, for the classes with targets or draws.
pub(super) struct ItemCounts {
    strata: Vec<ClassFigures>,
    /// The batches (by number) with a task past its draft that draws the item.
    pub(super) batches_drawn: BTreeSet<i64>,
}

impl ItemCounts {
    /// The item's figures summed over its classes: (pool, annual target, drawn).
    pub(super) fn totals(&self) -> (i64, i64, i64) {
        self.strata.iter().fold((0, 0, 0), |(pool, target, drawn), figures| {
            (pool + figures.pool, target + figures.annual_target, drawn + figures.drawn)
        })
    }
}

fn by_class(counts: Vec<ClassCount>) -> BTreeMap<String, i64> {
    counts.into_iter().map(|count| (count.risk_class, count.count)).collect()
}

impl Service {
    /// The department's tasks of a plan (by its code), with their
    /// definitions, read from `db` (the primary for staff, the read pool
    /// for the public).
    pub(super) async fn plan_tasks(
        db: &sqlx::AnyPool,
        department: &str,
        code: &str,
    ) -> ServiceResult<Vec<(tasks::TaskRow, TaskDefinition)>> {
        tasks::of_plan(db, department, code)
            .await?
            .into_iter()
            .map(|row| {
                let definition = definition_of(&row)?;
                Ok((row, definition))
            })
            .collect()
    }

    /// Each item's pool, ratio and drawn targets per risk class, read from
    /// `pool`, counting the draws of the tasks `counted` admits.
    pub(super) async fn item_counts(
        pool: &sqlx::AnyPool,
        row: &PlanRow,
        items: &[PlanItem],
        counted: impl Fn(&tasks::TaskRow) -> bool,
    ) -> ServiceResult<Vec<ItemCounts>> {
        let plan_tasks = Self::plan_tasks(pool, &row.department, &row.code).await?;
        let mut all = Vec::with_capacity(items.len());
        for item in items {
            let categories = Categories { regions: &item.regions, industries: &item.industries };
            let item_tasks: Vec<&(tasks::TaskRow, TaskDefinition)> = plan_tasks
                .iter()
                .filter(|(task, definition)| counted(task) && definition.items.contains(&item.item))
                .collect();
            let task_ids: Vec<i64> = item_tasks.iter().map(|(task, _)| task.id).collect();
            let batches_drawn = item_tasks
                .iter()
                .filter(|(task, _)| task.state != TaskState::Draft)
                .filter_map(|(_, definition)| definition.plan_batch.map(i64::from))
                .collect();
            let pooled = by_class(plans::pool_by_class(pool, &row.department, &categories).await?);
            let drawn = by_class(plans::drawn_by_class(pool, &task_ids, &categories).await?);
            let mut strata = Vec::new();
            for class in RISK_CLASSES {
                let (in_pool, drawn) =
                    (pooled.get(class).copied().unwrap_or(0), drawn.get(class).copied().unwrap_or(0));
                if in_pool > 0 || drawn > 0 {
                    strata.push(ClassFigures::new(class, in_pool, class_ratio(item, class)?, drawn));
                }
            }
            all.push(ItemCounts { strata, batches_drawn });
        }
        Ok(all)
    }

    /// How the quotas of batch `batch` follow from the plan: per item and
    /// risk class what the year needs, what is drawn, and the share of
    /// what remains that falls to this batch.
    pub async fn plan_derivation(&self, user: &User, code: &str, batch: i64) -> ServiceResult<Derivation> {
        let department = supervised_department(user)?;
        let row = plans::get(self.store().pool(), department, code).await?.ok_or_else(|| not_found(code))?;
        Self::derivation(self.store().pool(), &row, batch).await
    }

    /// The derivation of batch `batch` of the plan in `row`, counted in `pool`.
    pub(super) async fn derivation(
        pool: &sqlx::AnyPool,
        row: &PlanRow,
        batch: i64,
    ) -> ServiceResult<Derivation> {
        let code = &row.code;
        let items = items_of(row)?;
        let batches = batches_of(row)?;
        if !batches.iter().any(|b| b.number == batch) {
            return Err(invalid(
                "invalid_plan_batch",
                "batch",
                format!("plan {code} has batches 1 to {}, not {batch}", batches.len()),
            ));
        }
        let remaining_batches = batches.len() as i64 - batch + 1;
        let counts = Self::item_counts(pool, row, &items, |task| task.state != TaskState::Abandoned).await?;
        let mut quota_by_stratum: BTreeMap<String, CountQuota> =
            RISK_CLASSES.iter().map(|class| (class.to_string(), CountQuota { count: 0 })).collect();
        let mut derived = Vec::with_capacity(items.len());
        for (item, counts) in items.iter().zip(&counts) {
            let mut strata = Vec::new();
            for figures in &counts.strata {
                let quota = ceil_div(figures.remaining, remaining_batches);
                let entry =
                    quota_by_stratum.entry(figures.class.to_owned()).or_insert(CountQuota { count: 0 });
                entry.count = entry.count.max(quota);
                strata.push(DerivedStratum {
                    risk_class: figures.class.to_owned(),
                    pool: figures.pool,
                    ratio: figures.ratio.to_string(),
                    annual_target: figures.annual_target,
                    drawn: figures.drawn,
                    remaining: figures.remaining,
                    quota,
                });
            }
            derived.push(DerivedItem { item: item.item.clone(), strata });
        }
        let first = &items[0];
        let filter = items
            .iter()
            .all(|item| item.regions == first.regions && item.industries == first.industries)
            .then(|| FragmentFilter { regions: first.regions.clone(), industries: first.industries.clone() })
            .filter(|filter| !filter.regions.is_empty() || !filter.industries.is_empty());
        let task = TaskFragment {
            items: items.iter().map(|item| item.item.clone()).collect(),
            filter,
            strata_by: vec!["risk_class".to_owned()],
            quota_by_stratum,
            plan_id: row.code.clone(),
            plan_name: row.name.clone(),
            plan_batch: batch,
        };
        Ok(Derivation { batch, remaining_batches, items: derived, task })
    }

    /// The items of a plan that will miss their annual target, from counts.
    pub(super) fn warnings_of(
        &self,
        row: &PlanRow,
        items: &[PlanItem],
        batches: &[PlanBatch],
        counts: &[ItemCounts],
    ) -> Vec<PlanWarning> {
        let today = self.today().format("%Y-%m-%d").to_string();
        let batches_left = batches.iter().filter(|batch| batch.ends >= today).count() as i64;
        let mut warnings = Vec::new();
        for (item, counts) in items.iter().zip(counts) {
            let (pool, annual_target, drawn) = counts.totals();
            let warning = |kind: &str| PlanWarning {
                kind: kind.to_owned(),
                plan: row.code.clone(),
                plan_name: row.name.clone(),
                item: item.item.clone(),
                annual_target,
                drawn,
                pool,
                batches_left,
                draws_per_year: None,
                batches_drawn: None,
            };
            let behind = counts.strata.iter().any(|figures| {
                figures.remaining > 0
                    && (batches_left == 0 || figures.remaining > figures.pool - figures.drawn)
            });
            if behind {
                warnings.push(warning("plan_behind"));
            }
            if let Some(draws_per_year) = item.draws_per_year {
                let drawn_in = counts.batches_drawn.len() as i64;
                // A batch still open counts once, whether or not it drew the item yet.
                let open_undrawn = batches
                    .iter()
                    .filter(|batch| batch.ends >= today && !counts.batches_drawn.contains(&batch.number))
                    .count() as i64;
                if drawn_in + open_undrawn < draws_per_year {
                    warnings.push(PlanWarning {
                        draws_per_year: Some(draws_per_year),
                        batches_drawn: Some(drawn_in),
                        ..warning("frequency_behind")
                    });
                }
            }
        }
        warnings
    }

    /// The warnings of the department's approved plans of this year.
    pub(in crate::service) async fn plan_warnings(
        &self,
        department: &str,
    ) -> ServiceResult<Vec<PlanWarning>> {
        let year = i64::from(self.today().year());
        let mut warnings = Vec::new();
        for row in plans::of_department(self.store().pool(), department).await? {
            if row.state != "approved" || row.year != year {
                continue;
            }
            let (items, batches) = (items_of(&row)?, batches_of(&row)?);
            let counts = Self::item_counts(self.store().pool(), &row, &items, |task| {
                task.state != TaskState::Abandoned
            })
            .await?;
            warnings.extend(self.warnings_of(&row, &items, &batches, &counts));
        }
        Ok(warnings)
    }
}

//! An approved plan as the public reads it: the list, one plan with its
//! progress counted over revealed draws only, and the link from a task.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::progress::{PlanWarning, percent_text};
use super::{PlanAtCommit, batches_of, items_of};
use crate::domain::task::TaskState;
use crate::domain::task_definition::TaskDefinition;
use crate::service::public_answers::{Freshness, PublicAnswer};
use crate::service::{Service, ServiceError, ServiceResult};
use crate::storage::{plans, tasks};

/// An approved plan on the public list.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicPlanSummary {
    pub department: String,
    pub code: String,
    pub year: i64,
    pub name: String,
    pub approved_at: String,
    /// How many items it has.
    pub items: i64,
    /// How many batches it has.
    pub batches: i64,
}

/// An approved plan with its progress, counted over revealed tasks only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicPlan {
    pub department: String,
    pub code: String,
    pub year: i64,
    pub name: String,
    pub approved_at: String,
    pub sha256: String,
    pub items: Vec<PublicPlanItem>,
    pub batches: Vec<PublicPlanBatch>,
    pub warnings: Vec<PlanWarning>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PublicPlanItem {
    pub item: String,
    /// Its name on the item list.
    pub item_name: String,
    pub ratio: String,
    #[schema(value_type = Object)]
    pub risk_ratios: BTreeMap<String, String>,
    pub regions: Vec<String>,
    pub industries: Vec<String>,
    /// How many batches must draw the item in the year, when the plan sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draws_per_year: Option<i64>,
    pub progress: PlanProgress,
}

/// An item's progress over the year. Only revealed tasks count: a sealed
/// draw must not show through a count.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanProgress {
    /// The department's targets now in the item's categories.
    pub pool: i64,
    /// The sum over risk classes of ceil(pool × the class's ratio).
    pub annual_target: i64,
    /// Targets drawn by the plan's revealed tasks for this item.
    pub drawn: i64,
    /// drawn / pool as a percentage, e.g. `4.17%`.
    pub drawn_ratio: String,
    /// Results published for this item by the plan's revealed tasks.
    pub results_published: i64,
    /// The batches whose revealed tasks drew the item.
    pub batches_drawn: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicPlanBatch {
    pub number: i64,
    pub name: String,
    pub starts: String,
    pub ends: String,
    /// Its last day has passed.
    pub done: bool,
    /// The published tasks of this batch (drafts are not public).
    pub tasks: Vec<PlanTask>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanTask {
    pub id: i64,
    pub name: String,
    pub state: TaskState,
    /// Whether its committed quotas met the plan's for its batch, as its
    /// `task.committed` log entry records; absent when the entry records
    /// no comparison (strata other than the risk classes alone, or a task
    /// committed before the comparison was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kept: Option<bool>,
}

/// The plan a public task belongs to, when its `plan_id` names an
/// approved plan of its department.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanLink {
    pub department: String,
    pub code: String,
    pub name: String,
    pub batch: Option<i64>,
}

impl Service {
    /// Every department's approved plans.
    pub async fn public_plans(&self) -> ServiceResult<PublicAnswer> {
        let mut list = Vec::new();
        for row in plans::approved(self.store().read_pool(), None).await? {
            let (items, batches) = (items_of(&row)?, batches_of(&row)?);
            list.push(PublicPlanSummary {
                department: row.department,
                code: row.code,
                year: row.year,
                name: row.name,
                approved_at: row.approved_at.unwrap_or_default(),
                items: items.len() as i64,
                batches: batches.len() as i64,
            });
        }
        Ok(PublicAnswer::json(&list, Freshness::Live))
    }

    /// One approved plan with its progress; drafts are not public.
    pub async fn public_plan(&self, department: &str, code: &str) -> ServiceResult<PublicAnswer> {
        let row = plans::get(self.store().read_pool(), department, code)
            .await?
            .filter(|row| row.state == "approved")
            .ok_or_else(|| ServiceError::NotFound(format!("{department} has published no plan '{code}'")))?;
        let (items, batches) = (items_of(&row)?, batches_of(&row)?);
        let revealed = |task: &tasks::TaskRow| task.state == TaskState::Revealed;
        let counts = Self::item_counts(self.store().read_pool(), &row, &items, revealed).await?;
        let warnings = self.warnings_of(&row, &items, &batches, &counts);
        let plan_tasks = Self::plan_tasks(self.store().read_pool(), department, code).await?;
        let revealed_ids: Vec<(i64, &TaskDefinition)> =
            plan_tasks.iter().filter(|(task, _)| revealed(task)).map(|(task, d)| (task.id, d)).collect();
        let names = plans::department_items(self.store().read_pool(), department).await?;
        let mut public_items = Vec::with_capacity(items.len());
        for (item, counts) in items.into_iter().zip(&counts) {
            let ids: Vec<i64> = revealed_ids
                .iter()
                .filter(|(_, d)| d.items.contains(&item.item))
                .map(|(id, _)| *id)
                .collect();
            let results_published =
                plans::results_published(self.store().read_pool(), &ids, &item.item).await?;
            let (pool, annual_target, drawn) = counts.totals();
            let item_name =
                names.iter().find(|n| n.code == item.item).map(|n| n.name.clone()).unwrap_or_default();
            public_items.push(PublicPlanItem {
                item_name,
                ratio: item.ratio,
                risk_ratios: item.risk_ratios,
                regions: item.regions,
                industries: item.industries,
                draws_per_year: item.draws_per_year,
                progress: PlanProgress {
                    pool,
                    annual_target,
                    drawn,
                    drawn_ratio: percent_text(drawn, pool),
                    results_published,
                    batches_drawn: counts.batches_drawn.len() as i64,
                },
                item: item.item,
            });
        }
        let published: Vec<i64> = plan_tasks
            .iter()
            .filter(|(task, _)| task.state != TaskState::Draft)
            .map(|(task, _)| task.id)
            .collect();
        let kept = kept_by_task(self.store().read_pool(), &published).await?;
        let today = self.today().format("%Y-%m-%d").to_string();
        let public_batches = batches
            .into_iter()
            .map(|batch| PublicPlanBatch {
                tasks: plan_tasks
                    .iter()
                    .filter(|(task, d)| {
                        task.state != TaskState::Draft && d.plan_batch.map(i64::from) == Some(batch.number)
                    })
                    .map(|(task, _)| PlanTask {
                        id: task.id,
                        name: task.name.clone(),
                        state: task.state,
                        kept: kept.get(&task.id).copied(),
                    })
                    .collect(),
                done: batch.ends < today,
                number: batch.number,
                name: batch.name,
                starts: batch.starts,
                ends: batch.ends,
            })
            .collect();
        let plan = PublicPlan {
            department: row.department,
            code: row.code,
            year: row.year,
            name: row.name,
            approved_at: row.approved_at.unwrap_or_default(),
            sha256: row.sha256.unwrap_or_default(),
            items: public_items,
            batches: public_batches,
            warnings,
        };
        Ok(PublicAnswer::json(&plan, Freshness::Live))
    }
}

/// The approved plans' names, read once for a list of tasks, to link each
/// task to the plan it belongs to without a query per task.
pub(in crate::service) struct PlanNames(HashMap<(String, String), String>);

impl PlanNames {
    /// Every approved plan's name (a department has a few a year), read
    /// from a pool or inside a transaction.
    pub(in crate::service) async fn load<'c>(
        db: impl sqlx::Executor<'c, Database = sqlx::Any>,
    ) -> ServiceResult<Self> {
        let names = plans::approved_names(db).await?;
        Ok(PlanNames(names.into_iter().map(|(department, code, name)| ((department, code), name)).collect()))
    }

    /// The approved plan of the department a task names, if any; a
    /// `plan_id` naming none is free text and links nowhere.
    pub(in crate::service) fn link(&self, department: &str, definition: &TaskDefinition) -> Option<PlanLink> {
        let code = definition.plan_id.as_deref()?;
        let name = self.0.get(&(department.to_owned(), code.to_owned()))?;
        Some(PlanLink {
            department: department.to_owned(),
            code: code.to_owned(),
            name: name.clone(),
            batch: definition.plan_batch.map(i64::from),
        })
    }
}

/// Whether each of these tasks kept to its plan, as its commitment recorded.
async fn kept_by_task(pool: &sqlx::AnyPool, tasks: &[i64]) -> ServiceResult<BTreeMap<i64, bool>> {
    let mut kept = BTreeMap::new();
    for (task, payload) in plans::commitment_payloads(pool, tasks).await? {
        let recorded = serde_json::from_str::<serde_json::Value>(&payload)
            .ok()
            .and_then(|payload| serde_json::from_value::<PlanAtCommit>(payload.get("plan")?.clone()).ok())
            .and_then(|plan| plan.kept);
        if let Some(recorded) = recorded {
            kept.insert(task, recorded);
        }
    }
    Ok(kept)
}

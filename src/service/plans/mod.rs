//! The departments' annual spot-check plans (年度抽查工作计划). The
//! national practice counts a plan's sampling ratio over the whole year
//! (全年总体抽查比例), runs the draws in batches (分批次开展), and raises the
//! ratio for high-risk classes (加大抽查力度). A supervisor writes a draft
//! for their department and approves it once; approval is final and
//! public. From an approved plan follow the quotas of each batch (what
//! the year still needs, shared over the batches left), the tasks that
//! belong to it, its public progress and the dashboard's warnings.
//!
//! A plan changes nothing in the protocol: a task's committed parameters
//! are its own quotas, whatever plan they were derived from.

mod checks;
mod kept;
mod progress;
mod public;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::protocol::Digest;
use crate::storage::plans::{self, PlanFields, PlanRow};

pub(super) use checks::apply_plan;
use checks::{check_code, checked, invalid};
pub use kept::PlanAtCommit;
pub use progress::{
    CountQuota, Derivation, DerivedItem, DerivedStratum, FragmentFilter, PlanWarning, TaskFragment,
};
pub(super) use public::PlanNames;
pub use public::{
    PlanLink, PlanProgress, PlanTask, PublicPlan, PublicPlanBatch, PublicPlanItem, PublicPlanSummary,
};

/// The most items a plan may list (a department's item list is short).
const MAX_ITEMS: usize = 200;
/// The most batches in a year.
const MAX_BATCHES: usize = 24;
/// The longest name of a plan or a batch, in characters.
const MAX_NAME_CHARS: usize = 200;
/// The longest code, in bytes.
const MAX_CODE_BYTES: usize = 64;
/// The most regions or industries an item may be narrowed to.
const MAX_CATEGORIES: usize = 100;
/// The longest region or industry, in characters.
const MAX_CATEGORY_CHARS: usize = 100;
/// The years a plan may be for.
const YEARS: std::ops::RangeInclusive<i64> = 2000..=2100;

/// One item of a plan: its annual ratio, the raised ratios of some risk
/// classes, and optionally the target categories it is narrowed to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItem {
    /// An item code of the department's item list, at most once per plan.
    #[schema(example = "FOOD-01")]
    pub item: String,
    /// The share of the item's targets to inspect over the year, `0%` to
    /// `100%` with at most two decimals.
    #[schema(example = "5%")]
    pub ratio: String,
    /// Ratios of risk classes (A–D) that get their own, never below `ratio`;
    /// a class without one has `ratio`.
    #[serde(default)]
    #[schema(value_type = Object, example = json!({"D": "20%", "C": "10%"}))]
    pub risk_ratios: BTreeMap<String, String>,
    /// Regions the item's targets are narrowed to (as a task's pool filter); none: all.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Industries the item's targets are narrowed to; none: all.
    #[serde(default)]
    pub industries: Vec<String>,
    /// The item's frequency (抽查频次): how many of the plan's batches must
    /// draw it in the year, 1 to the number of batches; absent: none set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = 2)]
    pub draws_per_year: Option<i64>,
}

/// One batch of a plan's draws (分批次).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanBatch {
    /// 1, 2, 3, … in order.
    pub number: i64,
    #[schema(example = "第一批")]
    pub name: String,
    /// The first day, `YYYY-MM-DD`, in the plan's year.
    #[schema(example = "2026-03-01")]
    pub starts: String,
    /// The last day, `YYYY-MM-DD`, in the plan's year, after the previous batch's.
    #[schema(example = "2026-05-31")]
    pub ends: String,
}

/// A new plan of the caller's department.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub year: i64,
    /// Unique within the department: letters, digits, `-`, `_` and `.`, at most 64.
    #[schema(example = "2026-market")]
    pub code: String,
    #[schema(example = "2026年度双随机抽查工作计划")]
    pub name: String,
    pub items: Vec<PlanItem>,
    pub batches: Vec<PlanBatch>,
}

/// A draft's new fields (its code stays).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanEdit {
    pub year: i64,
    pub name: String,
    pub items: Vec<PlanItem>,
    pub batches: Vec<PlanBatch>,
}

/// A plan as its department's supervisors see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanView {
    pub department: String,
    pub code: String,
    pub year: i64,
    pub name: String,
    /// `draft` (editable, not public) or `approved` (final, public).
    pub state: String,
    pub items: Vec<PlanItem>,
    pub batches: Vec<PlanBatch>,
    pub created_by: String,
    pub created_at: String,
    pub updated_at: String,
    pub approved_by: Option<String>,
    pub approved_at: Option<String>,
    /// SHA-256 (lowercase hex) of the plan's canonical JSON as published,
    /// named by its `plan.approved` log entry; set at approval.
    pub sha256: Option<String>,
}

/// The plan as published: these fields, in this order, serialised as
/// compact JSON, are what `sha256` is the digest of.
#[derive(Serialize)]
struct Canonical<'a> {
    department: &'a str,
    code: &'a str,
    year: i64,
    name: &'a str,
    items: &'a [PlanItem],
    batches: &'a [PlanBatch],
}

fn damaged(row: &PlanRow, error: serde_json::Error) -> ServiceError {
    crate::storage::StoreError::Damaged(format!("plan {}/{}: {error}", row.department, row.code)).into()
}

fn items_of(row: &PlanRow) -> ServiceResult<Vec<PlanItem>> {
    serde_json::from_str(&row.items).map_err(|e| damaged(row, e))
}

fn batches_of(row: &PlanRow) -> ServiceResult<Vec<PlanBatch>> {
    serde_json::from_str(&row.batches).map_err(|e| damaged(row, e))
}

impl PlanView {
    fn from_row(row: PlanRow) -> ServiceResult<Self> {
        let items = items_of(&row)?;
        let batches = batches_of(&row)?;
        Ok(PlanView {
            department: row.department,
            code: row.code,
            year: row.year,
            name: row.name,
            state: row.state,
            items,
            batches,
            created_by: row.created_by,
            created_at: row.created_at,
            updated_at: row.updated_at,
            approved_by: row.approved_by,
            approved_at: row.approved_at,
            sha256: row.sha256,
        })
    }
}

/// The SHA-256 of a plan's canonical JSON.
fn digest_of(view: &PlanView) -> String {
    let canonical = Canonical {
        department: &view.department,
        code: &view.code,
        year: view.year,
        name: &view.name,
        items: &view.items,
        batches: &view.batches,
    };
    Digest::of_file(&serde_json::to_vec(&canonical).expect("plans serialise")).to_hex()
}

fn not_found(code: &str) -> ServiceError {
    ServiceError::NotFound(format!("your department has no plan '{code}'"))
}

fn approved_already(code: &str) -> ServiceError {
    ServiceError::conflict(
        "plan_approved",
        format!("plan {code} is approved, which is final; a correction is a new plan"),
    )
}

impl Service {
    /// The caller's department's items, for checking a plan's.
    async fn item_list(&self, department: &str) -> ServiceResult<Vec<plans::ItemName>> {
        Ok(plans::department_items(self.store().pool(), department).await?)
    }

    /// Writes a new draft plan of the supervisor's department.
    pub async fn create_plan(&self, user: &User, new: &NewPlan) -> ServiceResult<PlanView> {
        let department = supervised_department(user)?;
        check_code(&new.code)?;
        let item_list = self.item_list(department).await?;
        let (name, items, batches) = checked(new.year, &new.name, &new.items, &new.batches, &item_list)?;
        let items = serde_json::to_string(&items).expect("plans serialise");
        let batches = serde_json::to_string(&batches).expect("plans serialise");
        let fields = PlanFields { year: new.year, name: &name, items: &items, batches: &batches };
        let mut tx = self.store().write().await?;
        if !plans::insert(&mut tx, department, &new.code, &fields, &user.name, self.now()).await? {
            return Err(invalid(
                "duplicate_code",
                "code",
                format!("your department has a plan '{}' already; choose another code", new.code),
            ));
        }
        let row =
            plans::get_in(tx.conn(), department, &new.code).await?.ok_or_else(|| not_found(&new.code))?;
        tx.commit().await?;
        PlanView::from_row(row)
    }

    /// The plans of the supervisor's department, newest year first.
    pub async fn plans(&self, user: &User) -> ServiceResult<Vec<PlanView>> {
        let department = supervised_department(user)?;
        plans::of_department(self.store().pool(), department)
            .await?
            .into_iter()
            .map(PlanView::from_row)
            .collect()
    }

    /// One plan of the supervisor's department.
    pub async fn plan(&self, user: &User, code: &str) -> ServiceResult<PlanView> {
        let department = supervised_department(user)?;
        let row = plans::get(self.store().pool(), department, code).await?.ok_or_else(|| not_found(code))?;
        PlanView::from_row(row)
    }

    /// Replaces a draft's fields; an approved plan is final.
    pub async fn update_plan(&self, user: &User, code: &str, edit: &PlanEdit) -> ServiceResult<PlanView> {
        let department = supervised_department(user)?;
        let current =
            plans::get(self.store().pool(), department, code).await?.ok_or_else(|| not_found(code))?;
        if current.state != "draft" {
            return Err(approved_already(code));
        }
        let item_list = self.item_list(department).await?;
        let (name, items, batches) = checked(edit.year, &edit.name, &edit.items, &edit.batches, &item_list)?;
        let items = serde_json::to_string(&items).expect("plans serialise");
        let batches = serde_json::to_string(&batches).expect("plans serialise");
        let fields = PlanFields { year: edit.year, name: &name, items: &items, batches: &batches };
        let mut tx = self.store().write().await?;
        if !plans::update_draft(&mut tx, department, code, &fields, self.now()).await? {
            // Approved between the read above and this write.
            return Err(approved_already(code));
        }
        let row = plans::get_in(tx.conn(), department, code).await?.ok_or_else(|| not_found(code))?;
        tx.commit().await?;
        PlanView::from_row(row)
    }

    /// Approves a draft: from now on it is final and public, and its
    /// `plan.approved` entry is in the log, written in the same transaction.
    pub async fn approve_plan(&self, user: &User, code: &str) -> ServiceResult<PlanView> {
        let department = supervised_department(user)?;
        let mut tx = self.store().write().await?;
        let row = plans::get_in(tx.conn(), department, code).await?.ok_or_else(|| not_found(code))?;
        if row.state != "draft" {
            return Err(approved_already(code));
        }
        let sha256 = digest_of(&PlanView::from_row(row)?);
        if !plans::approve(&mut tx, department, code, &sha256, &user.name, self.now()).await? {
            return Err(approved_already(code));
        }
        let row = plans::get_in(tx.conn(), department, code).await?.ok_or_else(|| not_found(code))?;
        tx.commit().await?;
        tracing::info!(department, code, "approved an annual plan");
        PlanView::from_row(row)
    }
}

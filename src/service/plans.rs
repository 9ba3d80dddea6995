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

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer};
use super::tasks::definition_of;
use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::records::RISK_CLASSES;
use crate::domain::task::TaskState;
use crate::domain::task_definition::TaskDefinition;
use crate::protocol::field::check_visible;
use crate::protocol::{BasisPoints, Digest};
use crate::storage::plans::{self, Categories, ClassCount, PlanFields, PlanRow};
use crate::storage::{WriteTx, tasks};

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
/// annual target: what is drawn plus what the batches left can still draw
/// is below it (no batch left, or more remaining than undrawn targets).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PlanWarning {
    /// `plan_behind`.
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
}

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

fn invalid(code: &'static str, field: impl Into<String>, message: impl Into<String>) -> ServiceError {
    ServiceError::invalid(code, Some(field.into()), message)
}

/// A percentage, checked and written the one way (`5%`, `12.5%`, `0.25%`).
fn ratio(text: &str, field: &str) -> ServiceResult<BasisPoints> {
    BasisPoints::parse_percent(text.trim()).map_err(|reason| invalid("invalid_ratio", field, reason))
}

fn text_field(value: &str, field: &str, code: &'static str, most: usize) -> ServiceResult<String> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > most
        || value.chars().any(char::is_control)
        || check_visible(value).is_err()
    {
        return Err(invalid(
            code,
            field,
            format!("{field} has 1 to {most} characters, without control characters"),
        ));
    }
    Ok(value.to_owned())
}

fn day(text: &str, field: &str, year: i64) -> ServiceResult<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|day| day.format("%Y-%m-%d").to_string() == text)
        .ok_or_else(|| {
            invalid("invalid_batch_date", field, format!("'{text}' is not a day written YYYY-MM-DD"))
        })?;
    if i64::from(parsed.year()) != year {
        return Err(invalid("invalid_batch_date", field, format!("{text} is not in the plan's year {year}")));
    }
    Ok(parsed)
}

fn check_code(code: &str) -> ServiceResult<()> {
    let fine = !code.is_empty()
        && code.len() <= MAX_CODE_BYTES
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && code.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if !fine {
        return Err(invalid(
            "invalid_code",
            "code",
            format!(
                "a plan's code is 1 to {MAX_CODE_BYTES} letters, digits, '-', '_' or '.', starting with a letter or digit"
            ),
        ));
    }
    Ok(())
}

/// An item's regions or industries, each checked and trimmed.
fn categories(values: &[String], index: usize, name: &str) -> ServiceResult<Vec<String>> {
    if values.len() > MAX_CATEGORIES {
        return Err(invalid(
            "invalid_categories",
            format!("items[{index}].{name}"),
            format!("at most {MAX_CATEGORIES} {name}"),
        ));
    }
    values
        .iter()
        .enumerate()
        .map(|(position, value)| {
            text_field(
                value,
                &format!("items[{index}].{name}[{position}]"),
                "invalid_categories",
                MAX_CATEGORY_CHARS,
            )
        })
        .collect()
}

/// The plan's fields checked against the department's item list, written
/// the one way each (trimmed names, ratios as `BasisPoints` writes them).
fn checked(
    year: i64,
    name: &str,
    items: &[PlanItem],
    batches: &[PlanBatch],
    item_list: &[plans::ItemName],
) -> ServiceResult<(String, Vec<PlanItem>, Vec<PlanBatch>)> {
    if !YEARS.contains(&year) {
        return Err(invalid(
            "invalid_year",
            "year",
            format!("a plan's year is between {} and {}", YEARS.start(), YEARS.end()),
        ));
    }
    let name = text_field(name, "name", "invalid_name", MAX_NAME_CHARS)?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(invalid("invalid_items", "items", format!("a plan has 1 to {MAX_ITEMS} items")));
    }
    if batches.is_empty() || batches.len() > MAX_BATCHES {
        return Err(invalid("invalid_batches", "batches", format!("a plan has 1 to {MAX_BATCHES} batches")));
    }
    let mut checked_items: Vec<PlanItem> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{index}].{name}");
        let known = item_list.iter().find(|known| known.code == item.item);
        match known {
            None => {
                return Err(invalid(
                    "unknown_item",
                    field("item"),
                    format!("'{}' is not an item of the department's item list", item.item),
                ));
            }
            Some(known) if known.retired_on.is_some() => {
                return Err(invalid(
                    "item_retired",
                    field("item"),
                    format!("item {} was retired", item.item),
                ));
            }
            Some(_) => {}
        }
        if checked_items.iter().any(|other| other.item == item.item) {
            return Err(invalid(
                "duplicate_item",
                field("item"),
                format!("item {} is in the plan twice", item.item),
            ));
        }
        let item_ratio = ratio(&item.ratio, &field("ratio"))?;
        let mut risk_ratios = BTreeMap::new();
        for (class, text) in &item.risk_ratios {
            let class_field = format!("items[{index}].risk_ratios.{class}");
            if !RISK_CLASSES.contains(&class.as_str()) {
                return Err(invalid(
                    "invalid_risk_class",
                    class_field,
                    format!("'{class}' is not one of A, B, C, D"),
                ));
            }
            let class_ratio = ratio(text, &class_field)?;
            if class_ratio.get() < item_ratio.get() {
                return Err(invalid(
                    "risk_ratio_below_item",
                    class_field,
                    format!(
                        "risk class {class}'s ratio {class_ratio} is below the item's {item_ratio}: a class's own ratio raises it"
                    ),
                ));
            }
            risk_ratios.insert(class.clone(), class_ratio.to_string());
        }
        let regions = categories(&item.regions, index, "regions")?;
        let industries = categories(&item.industries, index, "industries")?;
        checked_items.push(PlanItem {
            item: item.item.clone(),
            ratio: item_ratio.to_string(),
            risk_ratios,
            regions,
            industries,
        });
    }
    let mut checked_batches: Vec<PlanBatch> = Vec::with_capacity(batches.len());
    let mut previous_end: Option<NaiveDate> = None;
    for (index, batch) in batches.iter().enumerate() {
        let field = |name: &str| format!("batches[{index}].{name}");
        if batch.number != index as i64 + 1 {
            return Err(invalid(
                "invalid_batch_number",
                field("number"),
                format!("batches are numbered 1, 2, 3, … in order; this one is {}", index + 1),
            ));
        }
        let name = text_field(&batch.name, &field("name"), "invalid_batch_name", MAX_NAME_CHARS)?;
        let starts = day(&batch.starts, &field("starts"), year)?;
        let ends = day(&batch.ends, &field("ends"), year)?;
        if ends < starts {
            return Err(invalid(
                "invalid_batch_date",
                field("ends"),
                format!("batch {} ends before it starts", batch.number),
            ));
        }
        if let Some(previous) = previous_end
            && starts <= previous
        {
            return Err(invalid(
                "overlapping_batches",
                field("starts"),
                format!(
                    "batch {} starts on or before the end of batch {} ({previous})",
                    batch.number,
                    batch.number - 1
                ),
            ));
        }
        previous_end = Some(ends);
        checked_batches.push(PlanBatch {
            number: batch.number,
            name,
            starts: batch.starts.clone(),
            ends: batch.ends.clone(),
        });
    }
    Ok((name, checked_items, checked_batches))
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

/// ceil(a / b) for a ≥ 0, b > 0.
fn ceil_div(a: i64, b: i64) -> i64 {
    (a + b - 1) / b
}

/// ceil(pool × ratio).
fn target_of(pool: i64, ratio: BasisPoints) -> i64 {
    ceil_div(pool * i64::from(ratio.get()), i64::from(BasisPoints::FULL))
}

/// A share as a percentage with at most two decimals, rounded down.
fn percent_text(part: i64, whole: i64) -> String {
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
struct ClassFigures {
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
struct ItemCounts {
    strata: Vec<ClassFigures>,
}

impl ItemCounts {
    /// The item's figures summed over its classes: (pool, annual target, drawn).
    fn totals(&self) -> (i64, i64, i64) {
        self.strata.iter().fold((0, 0, 0), |(pool, target, drawn), figures| {
            (pool + figures.pool, target + figures.annual_target, drawn + figures.drawn)
        })
    }
}

fn by_class(counts: Vec<ClassCount>) -> BTreeMap<String, i64> {
    counts.into_iter().map(|count| (count.risk_class, count.count)).collect()
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

    /// The department's tasks of a plan (by its code), with their
    /// definitions, read from `db` (the primary for staff, the read pool
    /// for the public).
    async fn plan_tasks(
        db: &sqlx::AnyPool,
        department: &str,
        code: &str,
    ) -> ServiceResult<Vec<(tasks::TaskRow, TaskDefinition)>> {
        let mut found = Vec::new();
        for row in tasks::list(db, Some(department)).await? {
            let definition = definition_of(&row)?;
            if definition.plan_id.as_deref() == Some(code) {
                found.push((row, definition));
            }
        }
        Ok(found)
    }

    /// Each item's pool, ratio and drawn targets per risk class, read from
    /// `pool`, counting the draws of the tasks `counted` admits.
    async fn item_counts(
        pool: &sqlx::AnyPool,
        row: &PlanRow,
        items: &[PlanItem],
        counted: impl Fn(&tasks::TaskRow) -> bool,
    ) -> ServiceResult<Vec<ItemCounts>> {
        let plan_tasks = Self::plan_tasks(pool, &row.department, &row.code).await?;
        let mut all = Vec::with_capacity(items.len());
        for item in items {
            let categories = Categories { regions: &item.regions, industries: &item.industries };
            let task_ids: Vec<i64> = plan_tasks
                .iter()
                .filter(|(task, definition)| counted(task) && definition.items.contains(&item.item))
                .map(|(task, _)| task.id)
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
            all.push(ItemCounts { strata });
        }
        Ok(all)
    }

    /// How the quotas of batch `batch` follow from the plan: per item and
    /// risk class what the year needs, what is drawn, and the share of
    /// what remains that falls to this batch.
    pub async fn plan_derivation(&self, user: &User, code: &str, batch: i64) -> ServiceResult<Derivation> {
        let department = supervised_department(user)?;
        let row = plans::get(self.store().pool(), department, code).await?.ok_or_else(|| not_found(code))?;
        let items = items_of(&row)?;
        let batches = batches_of(&row)?;
        if !batches.iter().any(|b| b.number == batch) {
            return Err(invalid(
                "invalid_plan_batch",
                "batch",
                format!("plan {code} has batches 1 to {}, not {batch}", batches.len()),
            ));
        }
        let remaining_batches = batches.len() as i64 - batch + 1;
        let counts =
            Self::item_counts(self.store().pool(), &row, &items, |task| task.state != TaskState::Abandoned)
                .await?;
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
    fn warnings_of(
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
            let behind = counts.strata.iter().any(|figures| {
                figures.remaining > 0
                    && (batches_left == 0 || figures.remaining > figures.pool - figures.drawn)
            });
            if behind {
                let (pool, annual_target, drawn) = counts.totals();
                warnings.push(PlanWarning {
                    kind: "plan_behind".to_owned(),
                    plan: row.code.clone(),
                    plan_name: row.name.clone(),
                    item: item.item.clone(),
                    annual_target,
                    drawn,
                    pool,
                    batches_left,
                });
            }
        }
        warnings
    }

    /// The warnings of the department's approved plans of this year.
    pub(super) async fn plan_warnings(&self, department: &str) -> ServiceResult<Vec<PlanWarning>> {
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
                progress: PlanProgress {
                    pool,
                    annual_target,
                    drawn,
                    drawn_ratio: percent_text(drawn, pool),
                    results_published,
                },
                item: item.item,
            });
        }
        let today = self.today().format("%Y-%m-%d").to_string();
        let public_batches = batches
            .into_iter()
            .map(|batch| PublicPlanBatch {
                tasks: plan_tasks
                    .iter()
                    .filter(|(task, d)| {
                        task.state != TaskState::Draft && d.plan_batch.map(i64::from) == Some(batch.number)
                    })
                    .map(|(task, _)| PlanTask { id: task.id, name: task.name.clone(), state: task.state })
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

    /// The approved plan of the department a task names, if any.
    pub(super) async fn plan_link(
        &self,
        department: &str,
        definition: &TaskDefinition,
    ) -> ServiceResult<Option<PlanLink>> {
        let Some(code) = definition.plan_id.as_deref() else { return Ok(None) };
        let row = plans::get(self.store().read_pool(), department, code).await?;
        Ok(row.filter(|row| row.state == "approved").map(|row| PlanLink {
            department: row.department,
            code: row.code,
            name: row.name,
            batch: definition.plan_batch.map(i64::from),
        }))
    }
}

/// Checks a task's plan, when its `plan_id` names a plan of its department:
/// the plan is approved, `plan_batch` is one of its batches and the task's
/// items are among the plan's; the task then takes the plan's name. A
/// `plan_id` naming no plan of the department stays free text.
pub(super) async fn apply_plan(
    tx: &mut WriteTx,
    definition: &mut TaskDefinition,
    department: &str,
) -> ServiceResult<()> {
    let Some(code) = definition.plan_id.clone() else {
        if definition.plan_batch.is_some() {
            return Err(invalid(
                "invalid_plan_batch",
                "plan_batch",
                "a plan_batch needs a plan_id naming an approved plan",
            ));
        }
        return Ok(());
    };
    let Some(row) = plans::get_in(tx.conn(), department, &code).await? else {
        if definition.plan_batch.is_some() {
            return Err(invalid(
                "invalid_plan_batch",
                "plan_batch",
                format!("your department has no plan '{code}' whose batches plan_batch could number"),
            ));
        }
        return Ok(());
    };
    if row.state != "approved" {
        return Err(invalid(
            "plan_not_approved",
            "plan_id",
            format!("plan {code} is a draft; a task belongs to an approved plan only"),
        ));
    }
    let batches = batches_of(&row)?;
    let batch = definition.plan_batch.map(i64::from);
    if !batches.iter().any(|b| Some(b.number) == batch) {
        return Err(invalid(
            "invalid_plan_batch",
            "plan_batch",
            format!("plan {code} has batches 1 to {}; plan_batch names one of them", batches.len()),
        ));
    }
    let items = items_of(&row)?;
    if let Some((index, item)) = definition
        .items
        .iter()
        .enumerate()
        .find(|(_, code)| !items.iter().any(|planned| &planned.item == *code))
    {
        return Err(invalid(
            "item_not_in_plan",
            format!("items[{index}]"),
            format!("item {item} is not in plan {code}"),
        ));
    }
    definition.plan_name = Some(row.name);
    Ok(())
}

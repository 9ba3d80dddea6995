//! The ledger of what is open (台账): for a supervisor's department, every
//! drawn target and item whose result is not yet published, with the days
//! left until the 20-working-day deadline or the days it is overdue, most
//! urgent first; summed per task and per unit; exportable as CSV.

mod counts;
mod export;

use std::collections::{BTreeMap, HashMap, HashSet};

use base64::Engine as _;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::results::{DeadlineView, ViewContext};
use super::tasks::{definition_of, takes_part};
use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::calendar::{Calendar, Deadline};
use crate::storage::ledger::{self, LineKey, LineRow, Lines, Scope};

pub use counts::KeptCounts;

/// Which lines a ledger shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerFilter {
    pub task: Option<i64>,
    /// The target's supervising unit.
    pub unit: Option<String>,
    /// Only lines past their deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Only lines of targets this inspector (an id of the inspector
    /// directory) is assigned to for the department.
    pub inspector: Option<String>,
}

/// The sums of every line the filter selects, and one page of them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ledger {
    /// The day the ledger was computed for.
    pub today: String,
    /// Years the calendar has holidays for; deadlines in other years count
    /// weekends only.
    pub calendar_years: Vec<i32>,
    /// All the lines the filter selects, not only this page's.
    pub total: LedgerTotal,
    pub by_task: Vec<LedgerSum>,
    pub by_unit: Vec<LedgerSum>,
    /// Per inspector of the department assigned to the lines' targets (key:
    /// the inspector's id; a line with two inspectors counts for each);
    /// with the `inspector` filter, that inspector alone.
    pub by_inspector: Vec<LedgerSum>,
    /// This page of lines, most urgent first.
    pub lines: Vec<LedgerLine>,
    /// Pass as `after` for the next page; none on the last page.
    pub next: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LedgerLine {
    pub task: i64,
    pub task_name: String,
    /// drawn (sealed) or revealed.
    pub task_state: String,
    pub target: String,
    pub target_name: Option<String>,
    pub unit: Option<String>,
    pub region: Option<String>,
    pub item: String,
    pub item_name: Option<String>,
    /// The department's inspectors assigned to the target, by name.
    pub inspectors: Vec<String>,
    /// not_entered, draft, submitted, returned or approved.
    pub state: String,
    /// The result's id, once one is saved.
    pub result: Option<i64>,
    pub inspection_date: Option<String>,
    /// None until the inspection date is known.
    pub deadline: Option<DeadlineView>,
}

/// Open lines of one task, unit or inspector.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct LedgerSum {
    pub key: String,
    pub name: Option<String>,
    pub open: u64,
    pub not_entered: u64,
    /// Due within five working days, not yet overdue.
    pub due_soon: u64,
    pub overdue: u64,
}

/// Open lines in all.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct LedgerTotal {
    pub open: u64,
    pub not_entered: u64,
    /// Due within five working days, not yet overdue.
    pub due_soon: u64,
    pub overdue: u64,
}

const DUE_SOON: i64 = 5;

/// The longest inspector id the `inspector` filter takes.
const MAX_ID_CHARS: usize = 64;

/// A drawn or revealed task the department follows, with its items.
#[derive(Debug, Clone)]
struct FollowedTask {
    name: String,
    state: String,
    /// Every item of the task, the department's or not: the kept counts
    /// serve every department's ledger.
    items: Vec<String>,
}

/// Open lines counted for the dashboard.
pub(super) struct OpenLineCounts {
    pub overdue: u64,
    /// Entered and submitted: awaiting review.
    pub submitted: u64,
}

/// What every page of one ledger request needs, read once.
struct Prepared {
    /// Empty for the sums of every department's lines (no page is read).
    department: String,
    context: ViewContext,
    tasks: HashMap<i64, FollowedTask>,
    scope: Scope,
    unit: Option<String>,
    inspector: Option<String>,
    /// With `overdue`: only lines inspected before this day.
    overdue_only: bool,
    /// Lines inspected before this day are overdue.
    overdue_before: String,
    /// Lines inspected before this day are due within `DUE_SOON` working days.
    soon_before: String,
    /// Every task with open lines, whoever follows them, when the ledger
    /// was not asked for one task: the counts of any other can be forgotten.
    open_tasks: Option<HashSet<i64>>,
}

impl Prepared {
    fn lines(&self) -> Lines<'_> {
        Lines {
            unit: self.unit.as_deref(),
            inspected_before: self.overdue_only.then_some(self.overdue_before.as_str()),
            inspector: self
                .inspector
                .as_deref()
                .map(|id| ledger::Inspector { department: self.department.as_str(), id }),
        }
    }
}

impl Service {
    /// The sums of the caller's department's open lines and one page of
    /// them: at most `limit` after the line `after` names.
    pub async fn ledger(
        &self,
        user: &User,
        filter: &LedgerFilter,
        after: Option<&str>,
        limit: i64,
    ) -> ServiceResult<Ledger> {
        let prepared = self.prepare_ledger(user, filter).await?;
        let after = after.map(decode_after).transpose()?;
        let (store, lines) = (self.store(), prepared.lines());
        // The kept counts and the page are read side by side. One line more
        // than the page tells whether another page follows.
        let (counts, mut rows) = tokio::try_join!(self.kept_counts(&prepared), async {
            Ok(ledger::page(store, &prepared.scope, &lines, after.as_ref(), limit + 1).await?)
        })?;
        let sums = counts::add_up(&prepared, &counts);
        let next = if rows.len() as i64 > limit {
            rows.truncate(limit as usize);
            rows.last().map(|row| encode_after(&row.key()))
        } else {
            None
        };
        let lines = self.ledger_lines(&prepared, rows).await?;
        Ok(Ledger {
            today: prepared.context.today.to_string(),
            calendar_years: prepared.context.calendar.years(),
            total: sums.total,
            by_task: most_urgent_first(sums.by_task),
            by_unit: most_urgent_first(sums.by_unit),
            by_inspector: most_urgent_first(sums.by_inspector),
            lines,
            next,
        })
    }

    /// Authorises the request and finds what the ledger covers: the tasks
    /// the department takes part in with lines open, and its items in each.
    async fn prepare_ledger(&self, user: &User, filter: &LedgerFilter) -> ServiceResult<Prepared> {
        let department = supervised_department(user)?.to_owned();
        if let Some(task) = filter.task {
            self.reviewed_task(user, task).await?;
        }
        if let Some(inspector) = &filter.inspector
            && (inspector.is_empty() || inspector.chars().count() > MAX_ID_CHARS)
        {
            return Err(ServiceError::invalid(
                "invalid_query",
                Some("inspector".into()),
                format!("must be an inspector's id, 1 to {MAX_ID_CHARS} characters"),
            ));
        }
        self.ledger_scope(Some(department), filter).await
    }

    /// What a ledger of `department` covers, or with `None` every
    /// department's lines (sums only: such a ledger has no page of lines).
    async fn ledger_scope(
        &self,
        department: Option<String>,
        filter: &LedgerFilter,
    ) -> ServiceResult<Prepared> {
        let context = ViewContext::load(self).await?;
        let mut tasks = HashMap::new();
        let mut pairs = Vec::new();
        let candidates = ledger::candidate_tasks(self.store(), filter.task).await?;
        let open_tasks = candidates.iter().map(|task| task.id).collect();
        for task in candidates {
            // A department follows its items only in the tasks it takes part in.
            if let Some(department) = &department
                && !takes_part(&task, department)?
            {
                continue;
            }
            let items = definition_of(&task)?.items;
            let mine: Vec<String> = items
                .iter()
                .filter(|item| {
                    department
                        .as_deref()
                        .is_none_or(|department| context.names.department_of(item) == Some(department))
                })
                .cloned()
                .collect();
            if mine.is_empty() {
                continue;
            }
            pairs.extend(mine.into_iter().map(|item| (task.id, item)));
            tasks.insert(task.id, FollowedTask { name: task.name, state: task.state.to_string(), items });
        }
        let overdue_before = urgent_before(&context.calendar, context.today, |deadline| deadline.overdue);
        let soon_before = urgent_before(&context.calendar, context.today, |deadline| {
            deadline.working_days_left <= DUE_SOON
        });
        Ok(Prepared {
            department: department.unwrap_or_default(),
            tasks,
            scope: Scope::new(pairs),
            unit: filter.unit.clone(),
            inspector: filter.inspector.clone(),
            overdue_only: filter.overdue,
            overdue_before: overdue_before.to_string(),
            soon_before: soon_before.to_string(),
            open_tasks: filter.task.is_none().then_some(open_tasks),
            context,
        })
    }

    /// The open lines of a department (or of all, with `None`) past their
    /// deadline, and those whose result awaits review: the ledger's sums.
    pub(super) async fn open_line_counts(&self, department: Option<&str>) -> ServiceResult<OpenLineCounts> {
        let prepared = self.ledger_scope(department.map(str::to_owned), &LedgerFilter::default()).await?;
        let sums = counts::add_up(&prepared, &self.kept_counts(&prepared).await?);
        Ok(OpenLineCounts { overdue: sums.total.overdue, submitted: sums.submitted })
    }

    /// The open lines of a department's inspectors (with `inspector`, of
    /// that one only) that are due within five working days or overdue,
    /// per inspector: the dashboard's reminders.
    pub(super) async fn reminder_sums(
        &self,
        department: &str,
        inspector: Option<&str>,
    ) -> ServiceResult<Vec<LedgerSum>> {
        let filter = LedgerFilter { inspector: inspector.map(str::to_owned), ..LedgerFilter::default() };
        let prepared = self.ledger_scope(Some(department.to_owned()), &filter).await?;
        let sums = counts::add_up(&prepared, &self.kept_counts(&prepared).await?);
        Ok(most_urgent_first(sums.by_inspector)
            .into_iter()
            .filter(|sum| sum.due_soon > 0 || sum.overdue > 0)
            .collect())
    }

    /// The page's rows as lines: names, the department's inspectors, and
    /// the deadline, computed for these lines only.
    async fn ledger_lines(&self, prepared: &Prepared, rows: Vec<LineRow>) -> ServiceResult<Vec<LedgerLine>> {
        let mut targets: Vec<(i64, String)> = rows.iter().map(|row| (row.task, row.target.clone())).collect();
        targets.sort();
        targets.dedup();
        let mut team: HashMap<(i64, String), Vec<String>> = HashMap::new();
        for (task, target, inspector, name) in
            ledger::teams(self.store(), &prepared.department, &targets).await?
        {
            team.entry((task, target)).or_default().push(name.unwrap_or(inspector));
        }
        let context = &prepared.context;
        rows.into_iter()
            .map(|row| {
                let task = prepared.tasks.get(&row.task).ok_or_else(|| {
                    ServiceError::from(crate::storage::StoreError::Damaged(format!(
                        "a ledger line of task {} outside the ledger's tasks",
                        row.task
                    )))
                })?;
                let deadline =
                    DeadlineView::of(&context.calendar, row.inspection_date.as_deref(), context.today);
                Ok(LedgerLine {
                    task: row.task,
                    task_name: task.name.clone(),
                    task_state: task.state.clone(),
                    inspectors: team.get(&(row.task, row.target.clone())).cloned().unwrap_or_default(),
                    target: row.target,
                    target_name: row.target_name,
                    unit: row.unit.filter(|unit| !unit.is_empty()),
                    region: row.region,
                    item_name: context.names.item_name(&row.item),
                    item: row.item,
                    state: row.state.unwrap_or_else(|| "not_entered".to_owned()),
                    result: row.result,
                    inspection_date: row.inspection_date,
                    deadline,
                })
            })
            .collect()
    }
}

/// The day after the latest inspection day, up to today, whose deadline
/// is `urgent`: the deadline grows with the inspection day, so the lines
/// inspected before it are exactly the urgent ones, and the database can
/// count and select them by date.
fn urgent_before(calendar: &Calendar, today: NaiveDate, urgent: impl Fn(&Deadline) -> bool) -> NaiveDate {
    // Twenty working days are about a month; ten years back is far beyond
    // any calendar's holidays.
    let mut day = today;
    for _ in 0..3660 {
        if urgent(&calendar.deadline(day, today)) {
            return day.succ_opt().unwrap_or(day);
        }
        match day.pred_opt() {
            Some(before) => day = before,
            None => break,
        }
    }
    day
}

fn most_urgent_first(sums: BTreeMap<String, LedgerSum>) -> Vec<LedgerSum> {
    let mut sums: Vec<LedgerSum> = sums.into_values().collect();
    sums.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.due_soon.cmp(&a.due_soon)).then(a.key.cmp(&b.key)));
    sums
}

/// `after` as the answer's `next` gives it: the last line's key, as
/// base64url JSON, opaque to clients.
fn encode_after(key: &LineKey) -> String {
    let json = serde_json::to_vec(key).expect("keys serialise");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

fn decode_after(text: &str) -> ServiceResult<LineKey> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .ok()
        .and_then(|json| serde_json::from_slice(&json).ok())
        .ok_or_else(|| {
            ServiceError::invalid(
                "invalid_query",
                Some("after".into()),
                "must be the `next` of a ledger answer, or absent for the first page",
            )
        })
}

//! The ledger of what is open (台账): for a supervisor's department, every
//! drawn target and item whose result is not yet published, with the days
//! left until the 20-working-day deadline or the days it is overdue, most
//! urgent first; summed per task and per unit; exportable as CSV.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::results::{DeadlineView, ViewContext};
use super::tasks::{definition_of, takes_part};
use super::{Service, ServiceResult, supervised_department};
use crate::domain::inspection::ResultState;
use crate::domain::task::TaskState;
use crate::files::csv_output::SpreadsheetCsv;
use crate::storage::tasks;
use crate::storage::users::User;
use crate::storage::{results, statistics};

/// Which lines a ledger shows.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct LedgerFilter {
    pub task: Option<i64>,
    /// The target's supervising unit.
    pub unit: Option<String>,
    /// Only lines past their deadline.
    #[serde(default)]
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ledger {
    /// The day the ledger was computed for.
    pub today: String,
    /// Years the calendar has holidays for; deadlines in other years count
    /// weekends only.
    pub calendar_years: Vec<i32>,
    pub lines: Vec<LedgerLine>,
    pub by_task: Vec<LedgerSum>,
    pub by_unit: Vec<LedgerSum>,
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
    /// The department's inspectors assigned to the target.
    pub inspectors: Vec<String>,
    /// not_entered, draft, submitted, returned or approved.
    pub state: String,
    /// The result's id, once one is saved.
    pub result: Option<i64>,
    pub inspection_date: Option<String>,
    /// None until the inspection date is known.
    pub deadline: Option<DeadlineView>,
}

/// Open lines of one task or unit.
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

const DUE_SOON: i64 = 5;

impl Service {
    pub async fn ledger(&self, user: &User, filter: &LedgerFilter) -> ServiceResult<Ledger> {
        let department = supervised_department(user)?.to_owned();
        if let Some(task) = filter.task {
            self.reviewed_task(user, task).await?;
        }
        let pool = self.store().pool();
        let context = ViewContext::load(self).await?;
        // Tasks whose every line is published have nothing open: the kept
        // counts tell without reading their results.
        let published = statistics::published_per_task(pool, filter.task).await?;
        let mut lines = Vec::new();
        for task in tasks::list(pool, None).await? {
            let id = task.id;
            if !matches!(task.state, TaskState::Drawn | TaskState::Revealed)
                || filter.task.is_some_and(|wanted| wanted != id)
            {
                continue;
            }
            // A department follows its items only in the tasks it takes part in.
            if !takes_part(&task, &department)? {
                continue;
            }
            let all_items = definition_of(&task)?.items;
            let lines_in_task = task.drawn_count.unwrap_or(0) * all_items.len() as i64;
            if published.get(&id).is_some_and(|&count| count >= lines_in_task) {
                continue;
            }
            let items: Vec<String> = all_items
                .into_iter()
                .filter(|item| context.names.department_of(item) == Some(department.as_str()))
                .collect();
            if items.is_empty() {
                continue;
            }
            let mut team: HashMap<String, Vec<String>> = HashMap::new();
            for (target, inspector, name) in tasks::department_team(pool, id, &department).await? {
                team.entry(target).or_default().push(name.unwrap_or(inspector));
            }
            let current: HashMap<(String, String), results::ResultRow> = results::of_tasks(pool, &[id])
                .await?
                .into_iter()
                .map(|row| ((row.target.clone(), row.item.clone()), row))
                .collect();
            for target in tasks::drawn_targets(pool, id).await? {
                if filter.unit.as_deref().is_some_and(|unit| target.unit.as_deref() != Some(unit)) {
                    continue;
                }
                for item in &items {
                    let result = current.get(&(target.target.clone(), item.clone()));
                    let result_state = result.and_then(|r| ResultState::parse(&r.state));
                    if result_state.is_some_and(ResultState::public) {
                        continue;
                    }
                    let inspection_date = result.and_then(|r| r.inspection_date.clone());
                    let deadline =
                        DeadlineView::of(&context.calendar, inspection_date.as_deref(), context.today);
                    if filter.overdue && !deadline.as_ref().is_some_and(|d| d.overdue) {
                        continue;
                    }
                    lines.push(LedgerLine {
                        task: id,
                        task_name: task.name.clone(),
                        task_state: task.state.to_string(),
                        target: target.target.clone(),
                        target_name: target.name.clone(),
                        unit: target.unit.clone().filter(|unit| !unit.is_empty()),
                        region: target.region.clone(),
                        item: item.clone(),
                        item_name: context.names.item_name(item),
                        inspectors: team.get(&target.target).cloned().unwrap_or_default(),
                        state: result_state.map_or("not_entered", ResultState::as_str).to_owned(),
                        result: result.map(|r| r.id),
                        inspection_date,
                        deadline,
                    });
                }
            }
        }
        lines.sort_by(by_urgency);
        let by_task = sums(&lines, |line| (line.task.to_string(), Some(line.task_name.clone())));
        let by_unit = sums(&lines, |line| (line.unit.clone().unwrap_or_default(), None));
        Ok(Ledger {
            today: context.today.to_string(),
            calendar_years: context.calendar.years(),
            lines,
            by_task,
            by_unit,
        })
    }
}

/// Most urgent first: the most overdue, then the fewest working days
/// left; lines without an inspection date last, by task and target.
fn by_urgency(a: &LedgerLine, b: &LedgerLine) -> Ordering {
    let deadlines = match (&a.deadline, &b.deadline) {
        (Some(x), Some(y)) => {
            x.working_days_left.cmp(&y.working_days_left).then_with(|| x.due_date.cmp(&y.due_date))
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    deadlines.then_with(|| (a.task, &a.target, &a.item).cmp(&(b.task, &b.target, &b.item)))
}

fn sums(lines: &[LedgerLine], key: impl Fn(&LedgerLine) -> (String, Option<String>)) -> Vec<LedgerSum> {
    let mut sums: BTreeMap<String, LedgerSum> = BTreeMap::new();
    for line in lines {
        let (key, name) = key(line);
        let sum = sums.entry(key.clone()).or_insert_with(|| LedgerSum { key, name, ..LedgerSum::default() });
        sum.open += 1;
        match &line.deadline {
            None => sum.not_entered += u64::from(line.state == "not_entered"),
            Some(deadline) if deadline.overdue => sum.overdue += 1,
            Some(deadline) if deadline.working_days_left <= DUE_SOON => sum.due_soon += 1,
            Some(_) => {}
        }
    }
    let mut sums: Vec<LedgerSum> = sums.into_values().collect();
    sums.sort_by(|a, b| b.overdue.cmp(&a.overdue).then(b.due_soon.cmp(&a.due_soon)).then(a.key.cmp(&b.key)));
    sums
}

impl Ledger {
    /// The lines as CSV: UTF-8 with a byte-order mark, so that Excel reads
    /// the Chinese text right; headers in Chinese, or English with `english`.
    pub fn to_csv(&self, english: bool) -> Vec<u8> {
        let headers: [&str; 15] = if english {
            [
                "task",
                "task name",
                "task state",
                "unit",
                "region",
                "target",
                "target name",
                "item",
                "item name",
                "inspectors",
                "state",
                "inspection date",
                "due date",
                "working days left",
                "overdue",
            ]
        } else {
            [
                "任务编号",
                "任务名称",
                "任务状态",
                "监管单位",
                "区域",
                "检查对象编号",
                "检查对象名称",
                "检查事项编号",
                "检查事项",
                "检查人员",
                "结果状态",
                "检查完成日期",
                "公示截止日期",
                "剩余工作日",
                "是否逾期",
            ]
        };
        let mut writer = SpreadsheetCsv::new();
        writer.write_record(headers).expect("writes to memory");
        for line in &self.lines {
            let (due, left) = match &line.deadline {
                Some(deadline) => (deadline.due_date.clone(), deadline.working_days_left.to_string()),
                None => (String::new(), String::new()),
            };
            let overdue = match (&line.deadline, english) {
                (Some(deadline), false) if deadline.overdue => "逾期",
                (Some(deadline), true) if deadline.overdue => "overdue",
                _ => "",
            };
            writer
                .write_record([
                    line.task.to_string(),
                    line.task_name.clone(),
                    line.task_state.clone(),
                    line.unit.clone().unwrap_or_default(),
                    line.region.clone().unwrap_or_default(),
                    line.target.clone(),
                    line.target_name.clone().unwrap_or_default(),
                    line.item.clone(),
                    line.item_name.clone().unwrap_or_default(),
                    line.inspectors.join(if english { ", " } else { "、" }),
                    line.state.clone(),
                    line.inspection_date.clone().unwrap_or_default(),
                    due,
                    left,
                    overdue.to_owned(),
                ])
                .expect("writes to memory");
        }
        writer.into_bytes()
    }
}

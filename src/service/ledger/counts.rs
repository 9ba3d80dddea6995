//! The ledger's sums from counts kept per task. A task's open lines are
//! counted by unit, item, inspection date and state (and the same per
//! inspector assigned to their targets); the counts are kept in memory and
//! made again only when the task's revision or the directories' revision
//! (migration 0014: moved by the database on every change of a result or
//! an assignment, and by every import) is no longer the one they were made
//! at. A ledger request adds up the kept rows (a few per unit, day and
//! state) instead of reading every line, and after a change only the
//! changed task is counted again.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

use super::{LedgerSum, LedgerTotal, Prepared};
use crate::service::{Service, ServiceResult};
use crate::storage::ledger::{self, CountRow, InspectorCountRow};

/// The counts of every task a ledger has read, by task.
#[derive(Default)]
pub struct KeptCounts {
    tasks: Mutex<HashMap<i64, Arc<TaskCounts>>>,
}

/// One task's open lines, counted at a revision.
pub(super) struct TaskCounts {
    revision: i64,
    directories: i64,
    lines: Vec<CountRow>,
    inspectors: Vec<InspectorCountRow>,
}

/// A ledger's sums: in all, per task, per unit and per inspector of the
/// department.
#[derive(Debug, Default)]
pub(super) struct Sums {
    pub total: LedgerTotal,
    /// Results submitted, awaiting review.
    pub submitted: u64,
    pub by_task: BTreeMap<String, LedgerSum>,
    pub by_unit: BTreeMap<String, LedgerSum>,
    pub by_inspector: BTreeMap<String, LedgerSum>,
}

impl Service {
    /// The counts of the ledger's tasks, made again for those changed since
    /// they were last made.
    pub(super) async fn kept_counts(
        &self,
        prepared: &Prepared,
    ) -> ServiceResult<HashMap<i64, Arc<TaskCounts>>> {
        let store = self.store();
        let ids: Vec<i64> = prepared.tasks.keys().copied().collect();
        // Revisions are read before the counts: a change made in between
        // leaves counts newer than their revision, made again next time.
        let revisions: HashMap<i64, i64> = ledger::revisions(store, &ids).await?.into_iter().collect();
        let directories = revisions.get(&ledger::DIRECTORIES).copied().unwrap_or_default();
        let kept: HashMap<i64, Arc<TaskCounts>> = {
            let tasks = self.ledger_counts.tasks.lock().expect("the counts' lock is never poisoned");
            ids.iter().filter_map(|id| tasks.get(id).map(|counts| (*id, counts.clone()))).collect()
        };
        let mut counts = HashMap::with_capacity(ids.len());
        for (id, task) in &prepared.tasks {
            let revision = revisions.get(id).copied().unwrap_or_default();
            match kept.get(id) {
                Some(known) if known.revision == revision && known.directories == directories => {
                    counts.insert(*id, known.clone());
                }
                _ => {
                    let (lines, inspectors) = tokio::try_join!(
                        ledger::task_counts(store, *id, &task.items),
                        ledger::task_inspector_counts(store, *id, &task.items),
                    )?;
                    counts.insert(*id, Arc::new(TaskCounts { revision, directories, lines, inspectors }));
                }
            }
        }
        let mut tasks = self.ledger_counts.tasks.lock().expect("the counts' lock is never poisoned");
        if let Some(open) = &prepared.open_tasks {
            // Tasks no longer open (settled or abandoned) are forgotten.
            tasks.retain(|id, _| open.contains(id));
        }
        for (id, task) in &counts {
            tasks.insert(*id, task.clone());
        }
        Ok(counts)
    }
}

/// Adds up the kept counts of the lines the ledger selects.
pub(super) fn add_up(prepared: &Prepared, counts: &HashMap<i64, Arc<TaskCounts>>) -> Sums {
    let scope: HashSet<(i64, &str)> =
        prepared.scope.pairs().iter().map(|(task, item)| (*task, item.as_str())).collect();
    let selected = |task: i64, item: &str, unit: Option<&str>, date: Option<&str>| {
        scope.contains(&(task, item))
            && prepared.unit.as_deref().is_none_or(|wanted| unit == Some(wanted))
            && (!prepared.overdue_only || date.is_some_and(|date| date < prepared.overdue_before.as_str()))
    };
    let department = prepared.department.as_str();
    let ours = |row: &InspectorCountRow| {
        !department.is_empty()
            && row.department == department
            && prepared.inspector.as_deref().is_none_or(|id| row.inspector == id)
    };
    let mut sums = Sums::default();
    let mut add = |task: i64, unit: Option<&str>, state: Option<&str>, date: Option<&str>, lines: i64| {
        let counts = classify(prepared, state, date, lines);
        sums.total.add(counts);
        if state == Some("submitted") {
            sums.submitted += counts.open;
        }
        let name = prepared.tasks.get(&task).map(|task| task.name.clone());
        sum_into(&mut sums.by_task, task.to_string(), name, counts);
        sum_into(&mut sums.by_unit, unit.unwrap_or_default().to_owned(), None, counts);
    };
    for (task, kept) in counts {
        if prepared.inspector.is_some() {
            // The lines of the inspector's targets, each once.
            for row in kept.inspectors.iter().filter(|row| ours(row)) {
                let (unit, date) = (row.unit.as_deref(), row.inspection_date.as_deref());
                if selected(*task, &row.item, unit, date) {
                    add(*task, unit, row.state.as_deref(), date, row.lines);
                }
            }
        } else {
            for row in &kept.lines {
                let (unit, date) = (row.unit.as_deref(), row.inspection_date.as_deref());
                if selected(*task, &row.item, unit, date) {
                    add(*task, unit, row.state.as_deref(), date, row.lines);
                }
            }
        }
    }
    for (task, kept) in counts {
        for row in kept.inspectors.iter().filter(|row| ours(row)) {
            let (unit, date) = (row.unit.as_deref(), row.inspection_date.as_deref());
            if selected(*task, &row.item, unit, date) {
                let counts = classify(prepared, row.state.as_deref(), date, row.lines);
                sum_into(&mut sums.by_inspector, row.inspector.clone(), row.name.clone(), counts);
            }
        }
    }
    sums
}

/// `lines` open lines in one state, inspected on one day: how a ledger
/// counts them, with overdue and due soon as ranges of inspection days.
fn classify(prepared: &Prepared, state: Option<&str>, date: Option<&str>, lines: i64) -> LedgerTotal {
    let lines = u64::try_from(lines).unwrap_or_default();
    let overdue = date.is_some_and(|date| date < prepared.overdue_before.as_str());
    let due_soon = !overdue && date.is_some_and(|date| date < prepared.soon_before.as_str());
    LedgerTotal {
        open: lines,
        not_entered: if state.is_none() { lines } else { 0 },
        due_soon: if due_soon { lines } else { 0 },
        overdue: if overdue { lines } else { 0 },
    }
}

fn sum_into(sums: &mut BTreeMap<String, LedgerSum>, key: String, name: Option<String>, counts: LedgerTotal) {
    let sum = sums.entry(key.clone()).or_insert_with(|| LedgerSum { key, name, ..LedgerSum::default() });
    sum.open += counts.open;
    sum.not_entered += counts.not_entered;
    sum.due_soon += counts.due_soon;
    sum.overdue += counts.overdue;
}

impl LedgerTotal {
    fn add(&mut self, counts: LedgerTotal) {
        self.open += counts.open;
        self.not_entered += counts.not_entered;
        self.due_soon += counts.due_soon;
        self.overdue += counts.overdue;
    }
}

//! What anyone may read, without an account: published tasks (all but
//! drafts), their committed files, and — only after the reveal, or once a
//! drawn task is abandoned — the secret, the result, the selection and the
//! bundle. Nothing sealed is in
//! any of these views before the reveal.

use std::collections::HashMap;
use std::sync::RwLock;

use bytes::Bytes;
use serde::Serialize;
use utoipa::ToSchema;

use super::published::PublicResult;
use super::tasks::{definition_of, no_task};
use super::{Service, ServiceError, ServiceResult};
use crate::domain::task_definition::TaskDefinition;
use crate::files::bundle;
use crate::protocol::commitment::{COMMITMENT_FILE, REVEAL_FILE};
use crate::protocol::log::LogEntry;
use crate::protocol::manifest::{INSPECTORS_FILE, RECUSALS_FILE, TARGETS_FILE};
use crate::protocol::parameters::PARAMETERS_FILE;
use crate::protocol::replace::REPLACEMENTS_FILE;
use crate::protocol::result::RESULT_FILE;
use crate::storage::replacements::{self, ReplacementRow};
use crate::storage::tasks::{self, TaskRow, state};
use crate::storage::{directory, files, log, results};

/// Published from the commitment on.
pub const COMMITTED_FILES: [&str; 5] =
    [PARAMETERS_FILE, TARGETS_FILE, INSPECTORS_FILE, RECUSALS_FILE, COMMITMENT_FILE];
/// Published at the reveal.
pub const REVEALED_FILES: [&str; 2] = [REVEAL_FILE, RESULT_FILE];

/// Views of published tasks, ready to send. A view holds while the task's
/// last log entry is the one it was built at: every change to what the view
/// shows (a transition, a replacement, a result published or corrected)
/// appends an entry for the task in the same transaction, whichever server
/// made it, so one indexed read per request tells whether the view is
/// current.
#[derive(Default)]
pub struct PublicCache {
    tasks: RwLock<HashMap<i64, CachedTask>>,
}

struct CachedTask {
    /// The sequence number of the task's last log entry when it was built.
    last_entry: u64,
    json: Bytes,
}

/// A published task as anyone may see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTask {
    pub id: i64,
    pub name: String,
    pub department: String,
    /// committed, drawn (sealed), revealed or abandoned.
    pub state: String,
    pub definition: TaskDefinition,
    pub pool_size: Option<i64>,
    pub drawn_count: Option<i64>,
    pub created_at: String,
    pub committed_at: Option<String>,
    pub drawn_at: Option<String>,
    pub revealed_at: Option<String>,
    pub abandoned_at: Option<String>,
    pub abandon_reason: Option<String>,
    pub commitment_digest: Option<String>,
    /// Logged at the draw; the result itself is sealed until the reveal.
    pub result_digest: Option<String>,
    /// The public entropy, as supplied at the draw.
    pub entropy: Option<String>,
    /// Only after the reveal.
    pub secret: Option<String>,
    /// Only after the reveal.
    pub seed: Option<String>,
    /// Only after the reveal: complete, or failed.
    pub result_status: Option<String>,
    /// Whether the secret, the result and the bundle are published: after
    /// the reveal, and at once when a drawn task is abandoned.
    pub draw_published: bool,
    /// Files that can be downloaded now, under `/api/public/tasks/{id}/files/{name}`.
    pub files: Vec<String>,
    /// The task's entries in the public log.
    #[schema(value_type = Vec<Object>)]
    pub timeline: Vec<LogEntry>,
    /// Published results (current ones), under `/api/public/results?task={id}`.
    pub results_published: i64,
}

/// A drawn target with its inspectors (after the reveal).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelectedTarget {
    pub position: i64,
    pub target: String,
    pub name: Option<String>,
    pub stratum: String,
    pub inspectors: Vec<SelectedInspector>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SelectedInspector {
    pub department: String,
    pub id: String,
    pub name: Option<String>,
}

/// Where an entity was: the committed pools that held it, and where it was
/// drawn (revealed tasks only).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntityView {
    pub id: String,
    pub name: Option<String>,
    pub pools: Vec<EntityPool>,
    /// Its published results, corrected originals included.
    pub results: Vec<PublicResult>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntityPool {
    pub task: i64,
    pub task_name: String,
    pub state: String,
    /// The entity's draw position; only for revealed tasks, and only when drawn.
    pub drawn_position: Option<i64>,
    /// Whether it was selected: only for revealed tasks (none while sealed).
    pub selected: Option<bool>,
}

pub(super) fn is_published(task: &TaskRow) -> bool {
    task.state != state::DRAFT
}

/// Whether the task's draw is public: at the reveal, or when a drawn task
/// is abandoned (a discarded result is published like a revealed one).
pub(super) fn is_revealed(task: &TaskRow) -> bool {
    task.state == state::REVEALED || (task.state == state::ABANDONED && task.result_digest.is_some())
}

/// Whether the task's secret is public without its draw: an abandoned task
/// that was committed but not drawn publishes it (PROTOCOL.md §4).
fn secret_published(task: &TaskRow) -> bool {
    task.state == state::ABANDONED && task.committed_at.is_some()
}

impl Service {
    /// Published tasks, newest first.
    pub async fn public_tasks(&self) -> ServiceResult<Vec<PublicTask>> {
        let rows = tasks::list(self.store().pool(), None).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(self.public_view(row, false).await?);
        }
        Ok(out)
    }

    /// A published task as JSON, from memory while nothing about it has
    /// been logged since.
    pub async fn public_task_json(&self, id: i64) -> ServiceResult<Bytes> {
        // Read before the view is built: a change logged meanwhile makes the
        // next request build it again, never keeps a stale one.
        let last_entry = log::last_of_task(self.store().pool(), id).await?;
        if let Some(cached) = self.public.tasks.read().expect("cache lock").get(&id)
            && cached.last_entry == last_entry
        {
            return Ok(cached.json.clone());
        }
        let row =
            tasks::get(self.store().pool(), id).await?.filter(is_published).ok_or_else(|| no_task(id))?;
        let view = self.public_view(row, true).await?;
        let json = Bytes::from(serde_json::to_vec(&view).expect("views serialise"));
        let mut cache = self.public.tasks.write().expect("cache lock");
        if cache.get(&id).is_none_or(|cached| cached.last_entry <= last_entry) {
            cache.insert(id, CachedTask { last_entry, json: json.clone() });
        }
        Ok(json)
    }

    async fn public_view(&self, row: TaskRow, with_timeline: bool) -> ServiceResult<PublicTask> {
        let definition = definition_of(&row)?;
        let revealed = is_revealed(&row);
        let secret_public = revealed || secret_published(&row);
        let committed = row.committed_at.is_some();
        let mut files: Vec<String> = Vec::new();
        if committed {
            files.extend(COMMITTED_FILES.iter().map(|f| f.to_string()));
        }
        if revealed {
            files.extend(REVEALED_FILES.iter().map(|f| f.to_string()));
            if !replacements::of_task(self.store().pool(), row.id).await?.is_empty() {
                files.push(REPLACEMENTS_FILE.to_owned());
            }
            files.push(bundle::BUNDLE_FILE.to_owned());
        }
        let filter = results::PublicFilter { task: Some(row.id), ..results::PublicFilter::default() };
        let results_published = results::count_published(self.store().pool(), &filter).await?;
        let timeline =
            if with_timeline { log::of_task(self.store().pool(), row.id).await? } else { Vec::new() };
        Ok(PublicTask {
            id: row.id,
            name: row.name,
            department: row.department,
            state: row.state,
            definition,
            pool_size: row.pool_size,
            drawn_count: row.drawn_count,
            created_at: row.created_at,
            committed_at: row.committed_at,
            drawn_at: row.drawn_at,
            revealed_at: row.revealed_at,
            abandoned_at: row.abandoned_at,
            abandon_reason: row.abandon_reason,
            commitment_digest: row.commitment_digest,
            result_digest: row.result_digest,
            entropy: row.entropy,
            secret: if secret_public { row.secret } else { None },
            seed: if revealed { row.seed } else { None },
            result_status: if revealed { row.result_status } else { None },
            draw_published: revealed,
            files,
            timeline,
            results_published,
        })
    }

    /// One published file of a task.
    pub async fn public_file(&self, id: i64, name: &str) -> ServiceResult<Vec<u8>> {
        let row =
            tasks::get(self.store().pool(), id).await?.filter(is_published).ok_or_else(|| no_task(id))?;
        let allowed = if COMMITTED_FILES.contains(&name) {
            row.committed_at.is_some()
        } else if REVEALED_FILES.contains(&name) || name == REPLACEMENTS_FILE {
            is_revealed(&row)
        } else {
            return Err(ServiceError::NotFound(format!("a task has no file named {name}")));
        };
        if !allowed {
            return Err(ServiceError::NotFound(format!(
                "{name} of task {id} is not published ({})",
                row.state
            )));
        }
        files::load(self.store().pool(), id, name)
            .await?
            .ok_or_else(|| ServiceError::NotFound(format!("task {id} has no {name}")))
    }

    /// The drawn targets and their inspectors, after the reveal.
    pub async fn public_selection(&self, id: i64) -> ServiceResult<Vec<SelectedTarget>> {
        let row =
            tasks::get(self.store().pool(), id).await?.filter(is_published).ok_or_else(|| no_task(id))?;
        if !is_revealed(&row) {
            return Err(ServiceError::NotFound(format!(
                "the selection of task {id} is not published ({})",
                row.state
            )));
        }
        let mut out: Vec<SelectedTarget> = Vec::new();
        for line in tasks::selection(self.store().pool(), id).await? {
            if out.last().is_none_or(|last| last.position != line.position) {
                out.push(SelectedTarget {
                    position: line.position,
                    target: line.target,
                    name: line.target_name,
                    stratum: line.stratum,
                    inspectors: Vec::new(),
                });
            }
            if let (Some(department), Some(inspector)) = (line.department, line.inspector) {
                let name = line.inspector_name;
                out.last_mut().expect("pushed above").inspectors.push(SelectedInspector {
                    department,
                    id: inspector,
                    name,
                });
            }
        }
        // Departments draw in bytewise order (PROTOCOL.md §8.1); within one,
        // the inspectors stay in the order drawn (the sort is stable).
        for target in &mut out {
            target.inspectors.sort_by(|a, b| a.department.as_bytes().cmp(b.department.as_bytes()));
        }
        Ok(out)
    }

    /// In which committed pools an entity was, and where it was drawn.
    pub async fn entity(&self, id: &str) -> ServiceResult<EntityView> {
        let pool = self.store().pool();
        let drawn = tasks::drawn_in(pool, id).await?;
        let mut pools = Vec::new();
        let states = [state::COMMITTED, state::DRAWN, state::REVEALED, state::ABANDONED];
        for task in tasks::ids_in(pool, &states).await? {
            let Some(piece) = files::piece_for(pool, task, TARGETS_FILE, id).await? else { continue };
            if !files::has_line_for(&piece, id) {
                continue;
            }
            let row = tasks::get(pool, task).await?.ok_or_else(|| no_task(task))?;
            let drawn_position = drawn.iter().find(|(t, _)| *t == task).map(|(_, position)| *position);
            let selected = is_revealed(&row).then_some(drawn_position.is_some());
            pools.push(EntityPool { task, task_name: row.name, state: row.state, drawn_position, selected });
        }
        let name = directory::target_name(pool, id).await?;
        if name.is_none() && pools.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "no entity {id} is in the directory or any committed pool"
            )));
        }
        let filter =
            results::PublicFilter { target: Some(id), superseded: true, ..results::PublicFilter::default() };
        let rows = results::published(pool, &filter, 0, 500).await?;
        let results = self.public_results(rows).await?;
        Ok(EntityView { id: id.to_owned(), name, pools, results })
    }

    /// A revealed task's replacements (PROTOCOL.md §16).
    pub async fn public_replacements(&self, id: i64) -> ServiceResult<Vec<ReplacementRow>> {
        let row =
            tasks::get(self.store().pool(), id).await?.filter(is_published).ok_or_else(|| no_task(id))?;
        if !is_revealed(&row) {
            return Err(ServiceError::NotFound(format!(
                "the replacements of task {id} are published at its reveal ({})",
                row.state
            )));
        }
        Ok(replacements::of_task(self.store().pool(), id).await?)
    }
}

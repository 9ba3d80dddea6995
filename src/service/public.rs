//! What anyone may read, without an account: published tasks (all but
//! drafts), their committed files, and — only after the reveal, or once a
//! drawn task is abandoned — the secret, the result, the selection and the
//! bundle. Nothing sealed is in
//! any of these views before the reveal.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use bytes::Bytes;
use futures_util::stream::BoxStream;
use serde::Serialize;
use utoipa::ToSchema;

use super::plans::PlanNames;
use super::public_answers::{Freshness, PublicAnswer};
use super::published::PublicResult;
use super::replacements::ReplacementView;
use super::tasks::{definition_of, no_task};
use super::{Service, ServiceError, ServiceResult};
use crate::domain::task::TaskState;
use crate::domain::task_definition::TaskDefinition;
use crate::files::bundle;
use crate::protocol::commitment::{COMMITMENT_FILE, REVEAL_FILE};
use crate::protocol::log::LogEntry;
use crate::protocol::manifest::{INSPECTORS_FILE, RECUSALS_FILE, TARGETS_FILE};
use crate::protocol::parameters::PARAMETERS_FILE;
use crate::protocol::replace::REPLACEMENTS_FILE;
use crate::protocol::result::RESULT_FILE;
use crate::storage::replacements;
use crate::storage::tasks::{self, TaskRow};
use crate::storage::{StoreError, StoreResult, directory, files, log, pool_targets, results, statistics};

/// Published from the commitment on.
pub const COMMITTED_FILES: [&str; 5] =
    [PARAMETERS_FILE, TARGETS_FILE, INSPECTORS_FILE, RECUSALS_FILE, COMMITMENT_FILE];
/// Published at the reveal.
pub const REVEALED_FILES: [&str; 2] = [REVEAL_FILE, RESULT_FILE];

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
    /// The approved annual plan the task belongs to, when its `plan_id`
    /// names one of its department's (`GET /api/public/plans/{department}/{code}`).
    pub plan: Option<super::plans::PlanLink>,
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

/// How long an entity's answer is kept at most: it shows directory names,
/// which an import changes without a log entry.
pub(super) const ENTITY_MAX_AGE: Duration = Duration::from_secs(10);

/// What a view of a task shows beside the task's own row: read once for
/// every task of a list.
struct TaskExtras {
    results_published: HashMap<i64, i64>,
    with_replacements: HashSet<i64>,
    plans: PlanNames,
}

pub(super) fn is_published(task: &TaskRow) -> bool {
    task.state != TaskState::Draft
}

/// Whether the task's draw is public: at the reveal, or when a drawn task
/// is abandoned (a discarded result is published like a revealed one).
pub(super) fn is_revealed(task: &TaskRow) -> bool {
    task.state == TaskState::Revealed || (task.state == TaskState::Abandoned && task.result_digest.is_some())
}

/// Whether the task's secret is public without its draw: an abandoned task
/// that was committed but not drawn publishes it (PROTOCOL.md §4).
fn secret_published(task: &TaskRow) -> bool {
    task.state == TaskState::Abandoned && task.committed_at.is_some()
}

impl Service {
    /// Published tasks, newest first, without their timelines: all of
    /// them, or `limit` of them with ids below `before`.
    pub async fn public_tasks(&self, before: Option<i64>, limit: Option<i64>) -> ServiceResult<PublicAnswer> {
        let pool = self.store().read_pool();
        let stamp = self.public_stamp().await?;
        self.answer(format!("tasks/{before:?}/{limit:?}"), stamp, None, async {
            let rows = tasks::published_page(pool, before, limit).await?;
            let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
            let extras = TaskExtras::load(pool, &ids).await?;
            let mut views = Vec::with_capacity(rows.len());
            for row in rows {
                views.push(self.public_view(row, &extras, false).await?);
            }
            Ok(PublicAnswer::json(&views, Freshness::Live))
        })
        .await
    }

    /// A published task with its timeline. Until the reveal it may change
    /// at any moment; once revealed, only by what is added after (results,
    /// replacements), which a minute's delay does not mislead about.
    pub async fn public_task(&self, id: i64) -> ServiceResult<PublicAnswer> {
        let pool = self.store().read_pool();
        // Read before the view is built: a change logged meanwhile makes the
        // next request build it again, never keeps a stale one.
        let stamp = self.public_stamp().await?;
        self.answer(format!("task/{id}"), stamp, None, async {
            let row = published_task(pool, id).await?;
            let freshness = if is_revealed(&row) { Freshness::Settled } else { Freshness::Live };
            let extras = TaskExtras::load(pool, &[id]).await?;
            let view = self.public_view(row, &extras, true).await?;
            Ok(PublicAnswer::json(&view, freshness))
        })
        .await
    }

    async fn public_view(
        &self,
        row: TaskRow,
        extras: &TaskExtras,
        with_timeline: bool,
    ) -> ServiceResult<PublicTask> {
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
            if extras.with_replacements.contains(&row.id) {
                files.push(REPLACEMENTS_FILE.to_owned());
            }
            files.push(bundle::BUNDLE_FILE.to_owned());
        }
        let results_published = extras.results_published.get(&row.id).copied().unwrap_or(0);
        let timeline =
            if with_timeline { log::of_task(self.store().read_pool(), row.id).await? } else { Vec::new() };
        let plan = extras.plans.link(&row.department, &definition);
        Ok(PublicTask {
            id: row.id,
            name: row.name,
            department: row.department,
            state: row.state.to_string(),
            definition,
            pool_size: row.pool_size,
            drawn_count: row.drawn_count,
            created_at: row.created_at.to_string(),
            committed_at: row.committed_at.map(|at| at.to_string()),
            drawn_at: row.drawn_at.map(|at| at.to_string()),
            revealed_at: row.revealed_at.map(|at| at.to_string()),
            abandoned_at: row.abandoned_at.map(|at| at.to_string()),
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
            plan,
        })
    }

    /// One published file of a task, ready to send: a settled file of at
    /// most [`KEPT_FILE_MAX`] bytes is kept in memory like the JSON answers;
    /// a larger one is sent from its stored pieces as they are read, so
    /// memory does not grow with the file; a file that still changes (the
    /// replacements) is read for each request.
    pub async fn public_file(&self, id: i64, name: &str) -> ServiceResult<FileDownload> {
        let stamp = self.public_stamp().await?;
        let question = format!("file/{id}/{name}");
        if let Some(kept) = self.kept_answer(&question, stamp, None) {
            return Ok(FileDownload::whole(kept));
        }
        let file = self.published_file(id, name).await?;
        let pool = self.store().read_pool();
        let missing = || ServiceError::NotFound(format!("task {id} has no {name}"));
        let Some(etag) = file.etag else {
            // Read whole: its length is that of what is sent, however the
            // file changed meanwhile.
            let body = files::load(pool, id, file.name).await?.ok_or_else(missing)?;
            return Ok(FileDownload {
                etag: None,
                freshness: file.freshness,
                length: body.len() as u64,
                body: FileBody::Whole(body.into()),
            });
        };
        let length = files::size(pool, id, file.name).await?.ok_or_else(missing)?;
        if length > KEPT_FILE_MAX {
            let pieces = files::pieces(pool.clone(), id, file.name);
            let body = FileBody::Pieces(Box::pin(pieces));
            return Ok(FileDownload { etag: Some(etag), freshness: file.freshness, length, body });
        }
        let answer = self
            .answer(question, stamp, None, async {
                let body = files::load(pool, id, file.name).await?.ok_or_else(missing)?;
                Ok(PublicAnswer::new(body.into(), etag, file.freshness))
            })
            .await?;
        Ok(FileDownload::whole(answer))
    }

    /// Whether the file is published, and how long a shared cache may keep
    /// it: the committed files and the revealed ones never change again;
    /// the replacements grow. Its entity tag names the task's commitment or
    /// result digest, so it is known without reading the file.
    async fn published_file(&self, id: i64, name: &str) -> ServiceResult<PublicFile> {
        let pool = self.store().read_pool();
        let row = published_task(pool, id).await?;
        let committed = COMMITTED_FILES.iter().find(|file| **file == name);
        let revealed = REVEALED_FILES.iter().find(|file| **file == name);
        let (name, allowed, settled_by) = if let Some(file) = committed {
            (*file, row.committed_at.is_some(), row.commitment_digest.as_deref())
        } else if let Some(file) = revealed {
            (*file, is_revealed(&row), row.result_digest.as_deref())
        } else if name == REPLACEMENTS_FILE {
            (REPLACEMENTS_FILE, is_revealed(&row), None)
        } else if name == crate::protocol::beacon::BEACON_FILE {
            (crate::protocol::beacon::BEACON_FILE, is_revealed(&row), row.result_digest.as_deref())
        } else {
            return Err(ServiceError::NotFound(format!("a task has no file named {name}")));
        };
        if !allowed {
            return Err(ServiceError::NotFound(format!(
                "{name} of task {id} is not published ({})",
                row.state
            )));
        }
        let (etag, freshness) = match settled_by {
            Some(digest) => (Some(format!("\"{id}-{name}-{digest}\"")), Freshness::Immutable),
            None => (None, Freshness::Live),
        };
        Ok(PublicFile { name, etag, freshness })
    }

    /// The drawn targets and their inspectors, after the reveal, ready to send.
    pub async fn public_selection_answer(&self, id: i64) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(format!("selection/{id}"), stamp, None, async {
            Ok(PublicAnswer::json(&self.public_selection(id).await?, Freshness::Settled))
        })
        .await
    }
    /// The drawn targets and their inspectors, after the reveal.
    pub async fn public_selection(&self, id: i64) -> ServiceResult<Vec<SelectedTarget>> {
        let pool = self.store().read_pool();
        let row = published_task(pool, id).await?;
        if !is_revealed(&row) {
            return Err(ServiceError::NotFound(format!(
                "the selection of task {id} is not published ({})",
                row.state
            )));
        }
        let grouped = super::selection::grouped(tasks::selection(pool, id).await?);
        Ok(grouped
            .into_iter()
            .map(|target| SelectedTarget {
                position: target.row.position,
                target: target.row.target,
                name: target.row.target_name,
                stratum: target.row.stratum,
                inspectors: target
                    .inspectors
                    .into_iter()
                    .map(|inspector| SelectedInspector {
                        department: inspector.department,
                        id: inspector.id,
                        name: inspector.name,
                    })
                    .collect(),
            })
            .collect())
    }

    /// In which committed pools an entity was, and where it was drawn.
    pub async fn entity(&self, id: &str) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(format!("entity/{id}"), stamp, Some(ENTITY_MAX_AGE), async {
            Ok(PublicAnswer::json(&self.entity_view(id).await?, Freshness::Live))
        })
        .await
    }

    async fn entity_view(&self, id: &str) -> ServiceResult<EntityView> {
        let pool = self.store().read_pool();
        let drawn = tasks::drawn_in(pool, id).await?;
        let pools = self
            .pools_holding(id)
            .await?
            .into_iter()
            .map(|row| {
                let drawn_position = drawn.iter().find(|(t, _)| *t == row.id).map(|(_, position)| *position);
                let selected = is_revealed(&row).then_some(drawn_position.is_some());
                EntityPool {
                    task: row.id,
                    task_name: row.name,
                    state: row.state.to_string(),
                    drawn_position,
                    selected,
                }
            })
            .collect::<Vec<_>>();
        let name = directory::target_name(pool, id).await?;
        if name.is_none() && pools.is_empty() {
            return Err(ServiceError::NotFound(format!(
                "no entity {id} is in the directory or any committed pool"
            )));
        }
        let filter =
            results::PublicFilter { target: Some(id), superseded: true, ..results::PublicFilter::default() };
        let rows = results::published(pool, &filter, None, 0, 500).await?;
        let results = rows.into_iter().map(PublicResult::of_row).collect::<ServiceResult<_>>()?;
        Ok(EntityView { id: id.to_owned(), name, pools, results })
    }

    /// Writes the pool of every committed task not yet in the entity index
    /// into it, a task at a time, oldest first; one run at a time in this
    /// process (another server doing the same at once only repeats writes
    /// that change nothing).
    pub async fn index_pools(&self) -> ServiceResult<()> {
        let _running = self.indexing.lock().await;
        let states = [TaskState::Committed, TaskState::Drawn, TaskState::Revealed, TaskState::Abandoned];
        for task in pool_targets::not_indexed(self.store().pool(), &states).await? {
            let started = std::time::Instant::now();
            pool_targets::index(self.store(), task).await?;
            tracing::info!(task, took = ?started.elapsed(), "pool indexed");
        }
        Ok(())
    }

    /// [`Service::index_pools`] in the background: after a commit, and when
    /// a server starts (to finish what a stopped one left).
    pub fn index_pools_later(&self) {
        let service = self.clone();
        tokio::spawn(async move {
            match service.index_pools().await {
                Ok(()) => {}
                // The server is stopping; the next one finishes the index.
                Err(ServiceError::Store(StoreError::Database(sqlx::Error::PoolClosed))) => {}
                Err(error) => tracing::warn!(
                    %error,
                    "the entity index was not brought up to date; entities are found from the manifests meanwhile"
                ),
            }
        });
    }

    /// The committed tasks whose pools held the entity, oldest first: from
    /// the index written after each commit, and for tasks not in it yet,
    /// from the piece of their manifest where the entity would be.
    pub(super) async fn pools_holding(&self, id: &str) -> ServiceResult<Vec<TaskRow>> {
        let pool = self.store().read_pool();
        let states = [TaskState::Committed, TaskState::Drawn, TaskState::Revealed, TaskState::Abandoned];
        let mut rows = pool_targets::tasks_holding(pool, id, &states).await?;
        for task in pool_targets::not_indexed(pool, &states).await? {
            let Some(piece) = files::piece_for(pool, task, TARGETS_FILE, id).await? else { continue };
            if files::has_line_for(&piece, id) {
                rows.push(tasks::get(pool, task).await?.ok_or_else(|| no_task(task))?);
            }
        }
        rows.sort_by_key(|row| row.id);
        Ok(rows)
    }

    /// A revealed task's replacements (PROTOCOL.md §16), ready to send.
    pub async fn public_replacements(&self, id: i64) -> ServiceResult<PublicAnswer> {
        let pool = self.store().read_pool();
        let stamp = self.public_stamp().await?;
        self.answer(format!("replacements/{id}"), stamp, None, async {
            let row = published_task(pool, id).await?;
            if !is_revealed(&row) {
                return Err(ServiceError::NotFound(format!(
                    "the replacements of task {id} are published at its reveal ({})",
                    row.state
                )));
            }
            let view: Vec<ReplacementView> =
                replacements::of_task(pool, id).await?.into_iter().map(ReplacementView::from).collect();
            Ok(PublicAnswer::json(&view, Freshness::Settled))
        })
        .await
    }
}

/// A published file a request may have: which, its entity tag when it is
/// settled, and how long a shared cache may keep it.
struct PublicFile {
    name: &'static str,
    etag: Option<String>,
    freshness: Freshness,
}

/// Published files at most this large are kept in memory once read.
pub const KEPT_FILE_MAX: u64 = 1 << 20;

/// A published file to send.
pub struct FileDownload {
    /// Known for a settled file.
    pub etag: Option<String>,
    pub freshness: Freshness,
    pub length: u64,
    pub body: FileBody,
}

pub enum FileBody {
    /// Settled and kept in memory: sent as a public answer.
    Kept(PublicAnswer),
    /// Read whole for this request (it still changes).
    Whole(Bytes),
    /// Its stored pieces, in order, read a few at a time as they are sent.
    Pieces(BoxStream<'static, StoreResult<Vec<u8>>>),
}

impl FileDownload {
    fn whole(answer: PublicAnswer) -> Self {
        FileDownload {
            etag: Some(answer.etag.clone()),
            freshness: answer.freshness,
            length: answer.body.len() as u64,
            body: FileBody::Kept(answer),
        }
    }
}

/// A task anyone may see (all but drafts), or not found.
async fn published_task(pool: &sqlx::AnyPool, id: i64) -> ServiceResult<TaskRow> {
    tasks::get(pool, id).await?.filter(is_published).ok_or_else(|| no_task(id))
}

impl TaskExtras {
    /// For these tasks, asked for a thousand at a time (a whole list may
    /// name more tasks than a statement may bind values).
    async fn load(pool: &sqlx::AnyPool, tasks: &[i64]) -> ServiceResult<Self> {
        let mut extras = TaskExtras {
            results_published: HashMap::new(),
            with_replacements: HashSet::new(),
            plans: PlanNames::load(pool).await?,
        };
        for some in tasks.chunks(1000) {
            extras.results_published.extend(statistics::published_of_tasks(pool, some).await?);
            extras.with_replacements.extend(statistics::with_replacements_among(pool, some).await?);
        }
        Ok(extras)
    }
}

//! Evidence attached to results: photos and PDF scans, added by the team
//! while its result is editable, kept once it has been submitted (a
//! returned result adds files, never removes them), read by the team and
//! the result's reviewers only, never by the public — who see, once the
//! result is published, each file's SHA-256, so that a later dispute can
//! prove which file was the record.
//!
//! The bytes are kept in the database, or (`serve --attachments-dir`) as
//! files named by their digest, written and synced before the row that
//! names them commits.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::views::ViewContext;
use super::{ResultKey, state_of};
use crate::domain::account::User;
use crate::domain::evidence::{MAX_ATTACHMENTS, MediaType, check_attachment_name};
use crate::domain::inspection::ResultState;
use crate::service::{Service, ServiceError, ServiceResult};
use crate::storage::attachments::{self, AttachmentRow, NewAttachment};
use crate::storage::results::{self, ResultRow};

/// An attachment's description (its bytes are read on their own route).
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = Attachment)]
pub struct AttachmentView {
    pub id: i64,
    /// The name it was uploaded with.
    pub name: String,
    pub media_type: String,
    /// In bytes.
    pub size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub uploaded_by: String,
    pub uploaded_at: String,
}

impl From<AttachmentRow> for AttachmentView {
    fn from(row: AttachmentRow) -> Self {
        AttachmentView {
            id: row.id,
            name: row.name,
            media_type: row.media_type,
            size: row.size,
            sha256: row.sha256,
            uploaded_by: row.uploaded_by,
            uploaded_at: row.uploaded_at.to_string(),
        }
    }
}

/// An attachment with its bytes, to send.
pub struct AttachmentFile {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// Where the bytes go when they are not kept in the database: a directory
/// of files named by their digest. Writes and removals of this process
/// take turns, so that a file is never removed while an upload of the same
/// bytes is about to name it.
pub struct AttachmentDir {
    dir: PathBuf,
    turns: tokio::sync::Mutex<()>,
}

impl AttachmentDir {
    pub fn new(dir: PathBuf) -> Self {
        AttachmentDir { dir, turns: tokio::sync::Mutex::new(()) }
    }

    fn path(&self, sha256: &str) -> PathBuf {
        self.dir.join(sha256)
    }
}

impl Service {
    /// This service keeping attachments' bytes as files in `dir`.
    pub fn with_attachments_dir(mut self, dir: PathBuf) -> Self {
        self.attachment_dir = Some(Arc::new(AttachmentDir::new(dir)));
        self
    }

    /// Attaches a file to the result of the caller's team, while it is
    /// editable.
    pub async fn attach(
        &self,
        user: &User,
        key: ResultKey<'_>,
        name: &str,
        media_type: MediaType,
        bytes: &[u8],
    ) -> ServiceResult<AttachmentView> {
        let context = ViewContext::load(self).await?;
        self.team_member(user, key, &context).await?;
        let row = self.editable_result(key).await?;
        check_attachment_name(name).map_err(|why| {
            ServiceError::invalid("invalid_attachment_name", Some("name".into()), format!("the name {why}"))
        })?;
        if !media_type.matches(bytes) {
            return Err(ServiceError::invalid(
                "attachment_type_mismatch",
                Some("Content-Type".into()),
                format!(
                    "the file does not begin as a {} file does; send it with its own type",
                    media_type.as_str()
                ),
            ));
        }
        let sha256 = hex::encode(Sha256::digest(bytes));
        // Held until the row commits: a removal of the same bytes waits.
        let _turn = match &self.attachment_dir {
            Some(dir) => Some(dir.turns.lock().await),
            None => None,
        };
        let mut tx = self.store().write().await?;
        // The same file under the same name from the same account is a
        // repeat (a phone sends again when the answer to its upload was
        // lost with the connection): the file already attached answers it.
        let repeated = attachments::of_result(tx.conn(), row.id)
            .await?
            .into_iter()
            .find(|kept| kept.sha256 == sha256 && kept.name == name && kept.uploaded_by == user.name);
        if let Some(kept) = repeated {
            return Ok(AttachmentView::from(kept));
        }
        if attachments::count(tx.conn(), row.id).await? >= MAX_ATTACHMENTS {
            return Err(ServiceError::conflict(
                "too_many_attachments",
                format!("the result has {MAX_ATTACHMENTS} attachments, as many as a result may have"),
            ));
        }
        let editable = [ResultState::Draft, ResultState::Returned];
        if !results::touch(tx.conn(), row.id, &editable, &user.name).await? {
            return Err(not_editable(&row));
        }
        let content = match &self.attachment_dir {
            Some(dir) => {
                write_synced(&dir.path(&sha256), bytes).await?;
                None
            }
            None => Some(bytes),
        };
        let new = NewAttachment {
            result: row.id,
            name,
            media_type: media_type.as_str(),
            sha256: &sha256,
            size: bytes.len() as i64,
            content,
            by: &user.name,
        };
        let id = attachments::insert(tx.conn(), &new).await?;
        results::add_step(tx.conn(), row.id, &user.name, "attached", &format!("sha256:{sha256} {name}"))
            .await?;
        let stored = attachments::get(tx.conn(), row.id, id).await?;
        tx.commit().await?;
        stored.map(AttachmentView::from).ok_or_else(|| crate::service::damaged("an attachment vanished"))
    }

    /// Removes a file from a draft never submitted; once submitted, the
    /// files are kept.
    pub async fn detach(&self, user: &User, key: ResultKey<'_>, id: i64) -> ServiceResult<()> {
        let context = ViewContext::load(self).await?;
        self.team_member(user, key, &context).await?;
        let row = self.recorded_result(key).await?;
        let attachment =
            attachments::get(self.store().pool(), row.id, id).await?.ok_or_else(|| no_attachment(id))?;
        if state_of(&row)? != ResultState::Draft || row.submitted_at.is_some() {
            return Err(kept(&row));
        }
        let _turn = match &self.attachment_dir {
            Some(dir) => Some(dir.turns.lock().await),
            None => None,
        };
        let mut tx = self.store().write().await?;
        if !results::touch(tx.conn(), row.id, &[ResultState::Draft], &user.name).await? {
            return Err(kept(&row));
        }
        if !attachments::delete(tx.conn(), row.id, id).await? {
            return Err(no_attachment(id));
        }
        let reason = format!("sha256:{} {}", attachment.sha256, attachment.name);
        results::add_step(tx.conn(), row.id, &user.name, "detached", &reason).await?;
        let in_use = attachments::digest_in_use(tx.conn(), &attachment.sha256).await?;
        tx.commit().await?;
        if let Some(dir) = &self.attachment_dir
            && !in_use
            && let Err(error) = tokio::fs::remove_file(dir.path(&attachment.sha256)).await
        {
            tracing::warn!(%error, sha256 = attachment.sha256, "a detached file could not be removed");
        }
        Ok(())
    }

    /// A file of the result of the caller's team.
    pub async fn my_attachment(
        &self,
        user: &User,
        key: ResultKey<'_>,
        id: i64,
    ) -> ServiceResult<AttachmentFile> {
        let context = ViewContext::load(self).await?;
        self.team_member(user, key, &context).await?;
        let row = self.recorded_result(key).await?;
        self.attachment_file(&row, id).await
    }

    /// A file of a result the caller reviews.
    pub async fn result_attachment(
        &self,
        user: &User,
        result: i64,
        id: i64,
    ) -> ServiceResult<AttachmentFile> {
        let (row, _) = self.reviewed_result(user, result).await?;
        self.attachment_file(&row, id).await
    }

    /// The attachments of a result, in upload order.
    pub(super) async fn attachment_views(&self, result: i64) -> ServiceResult<Vec<AttachmentView>> {
        let rows = attachments::of_result(self.store().pool(), result).await?;
        Ok(rows.into_iter().map(AttachmentView::from).collect())
    }

    async fn attachment_file(&self, row: &ResultRow, id: i64) -> ServiceResult<AttachmentFile> {
        let pool = self.store().pool();
        let attachment = attachments::get(pool, row.id, id).await?.ok_or_else(|| no_attachment(id))?;
        let bytes = match attachments::content(pool, id).await? {
            Some(bytes) => bytes,
            None => self.read_file(&attachment.sha256).await?,
        };
        Ok(AttachmentFile { name: attachment.name, media_type: attachment.media_type, bytes })
    }

    async fn read_file(&self, sha256: &str) -> ServiceResult<Vec<u8>> {
        let dir = self.attachment_dir.as_ref().ok_or_else(|| {
            crate::service::damaged(format!(
                "attachment {sha256} is kept on disk, and the server was started without --attachments-dir"
            ))
        })?;
        let bytes = tokio::fs::read(dir.path(sha256))
            .await
            .map_err(|error| crate::service::damaged(format!("attachment file {sha256}: {error}")))?;
        if hex::encode(Sha256::digest(&bytes)) != sha256 {
            return Err(crate::service::damaged(format!(
                "attachment file {sha256} no longer has that digest"
            )));
        }
        Ok(bytes)
    }

    /// The current result of `key`, which must have been saved.
    async fn recorded_result(&self, key: ResultKey<'_>) -> ServiceResult<ResultRow> {
        results::current(self.store().pool(), key.task, key.target, key.item).await?.ok_or_else(|| {
            ServiceError::conflict(
                "result_not_recorded",
                format!(
                    "nothing has been recorded for target {} and item {} yet; save it first",
                    key.target, key.item
                ),
            )
        })
    }

    /// The current result of `key`, saved and still editable.
    async fn editable_result(&self, key: ResultKey<'_>) -> ServiceResult<ResultRow> {
        let row = self.recorded_result(key).await?;
        if !state_of(&row)?.editable() {
            return Err(not_editable(&row));
        }
        Ok(row)
    }
}

/// Writes `bytes` to `path` and syncs them, unless the file is there
/// already (the same name is the same bytes): to a temporary file first,
/// renamed into place, so that a crash never leaves half a file under a
/// digest's name.
async fn write_synced(path: &Path, bytes: &[u8]) -> ServiceResult<()> {
    if tokio::fs::try_exists(path).await.unwrap_or(false) {
        return Ok(());
    }
    let path = path.to_owned();
    let bytes = bytes.to_vec();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        use std::io::Write;
        let dir = path.parent().unwrap_or(Path::new("."));
        let mut file = tempfile::NamedTempFile::new_in(dir)?;
        file.write_all(&bytes)?;
        file.as_file().sync_all()?;
        file.persist(&path).map_err(|error| error.error)?;
        std::fs::File::open(dir)?.sync_all()
    })
    .await
    .expect("the writer does not panic")
    .map_err(|error| crate::service::damaged(format!("the attachment could not be written: {error}")))
}

fn no_attachment(id: i64) -> ServiceError {
    ServiceError::NotFound(format!("the result has no attachment {id}"))
}

fn not_editable(row: &ResultRow) -> ServiceError {
    ServiceError::conflict(
        "result_not_editable",
        format!(
            "the result for target {} and item {} is {}; files are added while it is a draft or returned",
            row.target, row.item, row.state
        ),
    )
}

fn kept(row: &ResultRow) -> ServiceError {
    ServiceError::conflict(
        "attachment_kept",
        format!(
            "the result for target {} and item {} has been submitted ({}); its files are kept (a returned result adds files, never removes them)",
            row.target, row.item, row.state
        ),
    )
}

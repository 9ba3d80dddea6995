//! The verification bundle of a revealed task, sent as it is read. Its
//! length is known from the stored files' sizes before a byte is read; the
//! files then follow from storage a few pieces at a time, so sending the
//! bundle of a ten-million-target pool holds no more memory than sending
//! one of ten targets.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};

use super::public::{is_published, is_revealed};
use super::tasks::no_task;
use super::{Service, ServiceError, ServiceResult};
use crate::files::bundle;
use crate::protocol::replace::REPLACEMENTS_FILE;
use crate::protocol::verify::BundleFiles;
use crate::storage::{files, tasks};

/// A bundle on its way out: its length, and its bytes in order.
pub struct BundleDownload {
    pub length: u64,
    pub bytes: BoxStream<'static, ServiceResult<Bytes>>,
}

/// One member of the bundle and where its contents come from.
struct Member {
    name: &'static str,
    size: u64,
    contents: Contents,
}

enum Contents {
    /// A file written once and never changed: read piece by piece as the
    /// download goes.
    Stored,
    /// replacements.tsv, which grows after the reveal: read whole at the
    /// start, so that the length announced is the length sent. It has a
    /// line per replaced inspector, a few kilobytes.
    Read(Bytes),
}

impl Service {
    /// The verification bundle of a revealed task (or of a drawn task that
    /// was abandoned), byte for byte what [`bundle::to_tar`] packs.
    pub async fn public_bundle(&self, id: i64) -> ServiceResult<BundleDownload> {
        let pool = self.store().pool();
        let row = tasks::get(pool, id).await?.filter(is_published).ok_or_else(|| no_task(id))?;
        if !is_revealed(&row) {
            return Err(ServiceError::NotFound(format!(
                "the bundle of task {id} is published at its reveal ({})",
                row.state
            )));
        }
        let sizes: HashMap<String, u64> = files::sizes(pool, id).await?.into_iter().collect();
        let mut members = Vec::new();
        for (name, _) in BundleFiles::default().members() {
            let size =
                *sizes.get(name).ok_or_else(|| ServiceError::NotFound(format!("task {id} has no {name}")))?;
            members.push(Member { name, size, contents: Contents::Stored });
        }
        if let Some(replacements) = files::load(pool, id, REPLACEMENTS_FILE).await? {
            let size = replacements.len() as u64;
            members.push(Member {
                name: REPLACEMENTS_FILE,
                size,
                contents: Contents::Read(replacements.into()),
            });
        }
        let length = bundle::tar_length(members.iter().map(|member| member.size));
        let pool = pool.clone();
        let bytes = stream::iter(members)
            .flat_map(move |member| member.bytes(pool.clone(), id))
            .chain(stream::once(async { Ok(Bytes::from_static(&bundle::END)) }))
            .boxed();
        Ok(BundleDownload { length, bytes })
    }
}

impl Member {
    /// The member's header, contents and padding.
    fn bytes(self, pool: sqlx::AnyPool, task: i64) -> BoxStream<'static, ServiceResult<Bytes>> {
        let header = Bytes::copy_from_slice(&bundle::member_header(self.name, self.size));
        let padding = Bytes::from_static(bundle::padding(self.size));
        let contents = match self.contents {
            Contents::Stored => files::pieces(pool, task, self.name).map_ok(Bytes::from).err_into().boxed(),
            Contents::Read(bytes) => stream::once(async { Ok(bytes) }).boxed(),
        };
        stream::once(async { Ok(header) }).chain(contents).chain(stream::once(async { Ok(padding) })).boxed()
    }
}

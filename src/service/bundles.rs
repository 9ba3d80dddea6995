//! The verification bundle of a revealed task, sent as it is read. Its
//! length is known from the stored files' sizes before a byte is read; the
//! files then follow from storage a few pieces at a time, so sending the
//! bundle of a ten-million-target pool holds no more memory than sending
//! one of ten targets. A small bundle is kept in memory like the other
//! public answers, so that a crowd reading a published draw costs no
//! reads; every bundle carries an entity tag naming what its bytes are
//! made of, for the caches in front of the servers.

use std::collections::HashMap;

use bytes::Bytes;
use futures_util::stream::{self, BoxStream, StreamExt, TryStreamExt};

use sha2::{Digest as _, Sha256};

use super::public::{KEPT_FILE_MAX, is_published, is_revealed};
use super::public_answers::{Freshness, PublicAnswer};
use super::tasks::no_task;
use super::{Service, ServiceError, ServiceResult};
use crate::files::bundle;
use crate::protocol::beacon::BEACON_FILE;
use crate::protocol::log_proof::LOG_PROOF_FILE;
use crate::protocol::replace::REPLACEMENTS_FILE;
use crate::protocol::verify::BundleFiles;
use crate::storage::{files, tasks};

/// A bundle on its way out: its length, its entity tag, and its bytes.
pub struct BundleDownload {
    pub length: u64,
    /// Quoted, as sent in `ETag`: it names the commitment, the result and
    /// the replacements, which make the bundle's bytes.
    pub etag: String,
    pub body: BundleBody,
}

pub enum BundleBody {
    /// A small bundle, kept in memory: sent as a public answer.
    Whole(PublicAnswer),
    /// Read from storage as it is sent.
    Stream(BoxStream<'static, ServiceResult<Bytes>>),
}

/// How long a cache may keep a bundle: replacements made after the reveal
/// join it, so it is settled rather than immutable.
pub const BUNDLE_FRESHNESS: Freshness = Freshness::Settled;

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
        let stamp = self.public_stamp().await?;
        let question = format!("bundle/{id}");
        if let Some(kept) = self.kept_answer(&question, stamp, None) {
            return Ok(BundleDownload::whole(kept));
        }
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
        if let Some(size) = sizes.get(BEACON_FILE) {
            members.push(Member { name: BEACON_FILE, size: *size, contents: Contents::Stored });
        }
        let mut replaced = String::from("none");
        if let Some(replacements) = files::load(pool, id, REPLACEMENTS_FILE).await? {
            replaced = hex::encode(Sha256::digest(&replacements));
            let size = replacements.len() as u64;
            members.push(Member {
                name: REPLACEMENTS_FILE,
                size,
                contents: Contents::Read(replacements.into()),
            });
        }
        let mut log_tag = String::from("nolog");
        if let Some((log_proof, tag)) = self.log_proof_of(id).await? {
            log_tag = tag;
            let size = log_proof.len() as u64;
            members.push(Member { name: LOG_PROOF_FILE, size, contents: Contents::Read(log_proof.into()) });
        }
        let digest = |digest: Option<&str>| digest.unwrap_or_default().to_owned();
        let etag = format!(
            "\"{id}-bundle-{}-{}-{replaced}-{log_tag}\"",
            digest(row.commitment_digest.as_deref()),
            digest(row.result_digest.as_deref())
        );
        let length = bundle::tar_length(members.iter().map(|member| member.size));
        let pool = pool.clone();
        let bytes = stream::iter(members)
            .flat_map(move |member| member.bytes(pool.clone(), id))
            .chain(stream::once(async { Ok(Bytes::from_static(&bundle::END)) }))
            .boxed();
        if length > KEPT_FILE_MAX {
            return Ok(BundleDownload { length, etag, body: BundleBody::Stream(bytes) });
        }
        let answer = self
            .answer(question, stamp, None, async {
                let chunks: Vec<Bytes> = bytes.try_collect().await?;
                Ok(PublicAnswer::new(chunks.concat().into(), etag, BUNDLE_FRESHNESS))
            })
            .await?;
        Ok(BundleDownload::whole(answer))
    }
}

impl BundleDownload {
    fn whole(answer: PublicAnswer) -> Self {
        BundleDownload {
            length: answer.body.len() as u64,
            etag: answer.etag.clone(),
            body: BundleBody::Whole(answer),
        }
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

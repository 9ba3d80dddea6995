//! The directories in public, as far as the practice publishes them: the
//! inspector directory (执法检查人员名录库) — each active inspector's name,
//! department, unit, certificate number and the items they are qualified
//! for — and the sizes of the target directory (检查对象名录库) and of the
//! inspector directory.
//!
//! What is published is the admin's choice, field by field (the
//! publication settings); whatever is personal beyond the fields the
//! practice publishes is off until an admin turns it on, and contact data,
//! certificate expiry and accounts are never published at all. The
//! settings are kept with the site's settings: a change bumps the site's
//! revision in its own transaction and the cached answers are keyed by that
//! revision, so a field turned off leaves every server's answer at once.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::Action;
use super::public_answers::{Freshness, PublicAnswer};
use super::{Service, ServiceError, ServiceResult, require};
use crate::domain::account::{Role, User};
use crate::storage::public_directories::{self as store, CountRow, PublicInspectorRow};
use crate::storage::site;

/// How long an answer may be served from memory: an import of targets or
/// inspectors enters no public log entry, so the log head alone cannot tell.
const DIRECTORIES_MAX_AGE: Duration = Duration::from_secs(10);

/// The prefix of the publication settings' names among the site's settings.
const SETTING_PREFIX: &str = "publication.";

/// What the public site publishes of the directories; each switch on or off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicationSettings {
    /// Inspectors' names (on by default).
    pub inspector_names: bool,
    /// Inspectors' certificate numbers (on by default).
    pub inspector_certificates: bool,
    /// Inspectors' units (on by default).
    pub inspector_units: bool,
    /// The item codes each inspector is qualified for (on by default).
    pub inspector_items: bool,
    /// Inspectors' regions (off by default: beyond what the practice publishes).
    pub inspector_regions: bool,
    /// The directories' sizes (on by default).
    pub directory_sizes: bool,
}

impl Default for PublicationSettings {
    fn default() -> Self {
        PublicationSettings {
            inspector_names: true,
            inspector_certificates: true,
            inspector_units: true,
            inspector_items: true,
            inspector_regions: false,
            directory_sizes: true,
        }
    }
}

impl PublicationSettings {
    fn fields(&self) -> [(&'static str, bool); 6] {
        [
            ("inspector_names", self.inspector_names),
            ("inspector_certificates", self.inspector_certificates),
            ("inspector_units", self.inspector_units),
            ("inspector_items", self.inspector_items),
            ("inspector_regions", self.inspector_regions),
            ("directory_sizes", self.directory_sizes),
        ]
    }

    fn set(&mut self, name: &str, on: bool) {
        match name {
            "inspector_names" => self.inspector_names = on,
            "inspector_certificates" => self.inspector_certificates = on,
            "inspector_units" => self.inspector_units = on,
            "inspector_items" => self.inspector_items = on,
            "inspector_regions" => self.inspector_regions = on,
            "directory_sizes" => self.directory_sizes = on,
            _ => {}
        }
    }

    /// The switches as the audit trail records them, e.g. `inspector_names=on …`.
    fn summary(&self) -> String {
        let words: Vec<String> = self
            .fields()
            .iter()
            .map(|(name, on)| format!("{name}={}", if *on { "on" } else { "off" }))
            .collect();
        words.join(" ")
    }
}

/// An active inspector as published: the department always, each other
/// field only while its switch is on (absent otherwise).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicInspector {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The department's code; its display names are in `GET /api/public/site`.
    pub department: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// The certificate number (执法证号); empty when the directory has none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate_no: Option<String>,
    /// The codes of the items the inspector is qualified for, in order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// A page of the inspector list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicInspectorPage {
    pub inspectors: Vec<PublicInspector>,
    /// Pass as `after` for the next page; none on the last page.
    pub next: Option<String>,
}

/// How many rows share one value (a department, a region, a risk class).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DirectoryCount {
    pub value: String,
    pub count: i64,
}

/// The directories' sizes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DirectorySizes {
    /// Every target of the target directory.
    pub targets_total: i64,
    /// Targets by the department keeping them (targets kept by none are
    /// counted in the total only).
    pub targets_by_department: Vec<DirectoryCount>,
    pub targets_by_region: Vec<DirectoryCount>,
    pub targets_by_risk_class: Vec<DirectoryCount>,
    /// Active inspectors by department.
    pub inspectors_by_department: Vec<DirectoryCount>,
}

fn counts(rows: Vec<CountRow>) -> Vec<DirectoryCount> {
    rows.into_iter().map(|row| DirectoryCount { value: row.value, count: row.total }).collect()
}

fn public_inspector(row: PublicInspectorRow, settings: &PublicationSettings) -> PublicInspector {
    let items = || {
        let mut codes: Vec<String> = row
            .items
            .split([',', ';'])
            .map(str::trim)
            .filter(|code| !code.is_empty())
            .map(String::from)
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    };
    PublicInspector {
        name: settings.inspector_names.then(|| row.name.clone()),
        department: row.department.clone(),
        unit: settings.inspector_units.then(|| row.unit.clone()),
        certificate_no: settings.inspector_certificates.then(|| row.certificate_no.clone()),
        items: settings.inspector_items.then(items),
        region: settings.inspector_regions.then(|| row.region.clone()),
    }
}

impl Service {
    /// The publication settings (admins).
    pub async fn publication(&self, user: &User) -> ServiceResult<PublicationSettings> {
        require(user, Role::Admin)?;
        self.stored_publication().await
    }

    /// Replaces the publication settings (admins): in effect on every
    /// server at once, and recorded in the audit trail.
    pub async fn set_publication(
        &self,
        user: &User,
        settings: &PublicationSettings,
    ) -> ServiceResult<PublicationSettings> {
        require(user, Role::Admin)?;
        let mut tx = self.store().write().await?;
        for (name, on) in settings.fields() {
            let value = if on { "true" } else { "false" };
            site::set_setting(tx.conn(), &format!("{SETTING_PREFIX}{name}"), value).await?;
        }
        site::bump_revision(tx.conn()).await?;
        self.audit(tx.conn(), Some(user), Action::PublicationChanged, None, Some(&settings.summary()))
            .await?;
        tx.commit().await?;
        Ok(*settings)
    }

    async fn stored_publication(&self) -> ServiceResult<PublicationSettings> {
        let mut settings = PublicationSettings::default();
        for row in site::settings(self.store().read_pool()).await? {
            if let Some(name) = row.name.strip_prefix(SETTING_PREFIX) {
                settings.set(name, row.value == "true");
            }
        }
        Ok(settings)
    }

    /// A page of active inspectors, of one department or all, after the
    /// inspector `after` (a `next` of the page before), ready to send.
    pub async fn public_inspectors(
        &self,
        department: Option<&str>,
        after: Option<&str>,
        limit: i64,
    ) -> ServiceResult<PublicAnswer> {
        // Keyed by the settings' revision (one small read), the settings
        // themselves read only to build: read after the revision, they are
        // never older than it.
        let revision = site::revision(self.store().read_pool()).await?;
        let stamp = self.public_stamp().await?;
        let after = after.unwrap_or("");
        let question = format!("inspectors/{revision}/{}/{limit}/{after}", department.unwrap_or(""));
        self.answer(question, stamp, Some(DIRECTORIES_MAX_AGE), async {
            let settings = self.stored_publication().await?;
            let pool = self.store().read_pool();
            let mut rows = store::active_inspectors(pool, department, after, limit + 1).await?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let next = if more { rows.last().map(|row| row.id.clone()) } else { None };
            let inspectors = rows.into_iter().map(|row| public_inspector(row, &settings)).collect();
            Ok(PublicAnswer::json(&PublicInspectorPage { inspectors, next }, Freshness::Live))
        })
        .await
    }

    /// The directories' sizes, ready to send; not found while an admin
    /// publishes none.
    pub async fn public_directory_sizes(&self) -> ServiceResult<PublicAnswer> {
        let revision = site::revision(self.store().read_pool()).await?;
        let stamp = self.public_stamp().await?;
        self.answer(format!("directory-sizes/{revision}"), stamp, Some(DIRECTORIES_MAX_AGE), async {
            // A refusal is not kept: each request while they are off reads the settings.
            if !self.stored_publication().await?.directory_sizes {
                return Err(ServiceError::NotFound("the directories' sizes are not published".into()));
            }
            let pool = self.store().read_pool();
            let sizes = DirectorySizes {
                targets_total: store::targets_total(pool).await?,
                targets_by_department: counts(store::targets_by_department(pool).await?),
                targets_by_region: counts(store::targets_by_region(pool).await?),
                targets_by_risk_class: counts(store::targets_by_risk_class(pool).await?),
                inspectors_by_department: counts(store::inspectors_by_department(pool).await?),
            };
            Ok(PublicAnswer::json(&sizes, Freshness::Live))
        })
        .await
    }
}

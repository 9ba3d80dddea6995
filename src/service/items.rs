//! The public list of inspection items (随机抽查事项清单): what may be
//! inspected, by which department, on what legal basis, how, at what ratio
//! and how often, with each item's checklist and the history of its
//! versions; and the retirement of an item by its department.
//!
//! Versions are written where items change (`storage::items`): by an
//! import of items, or a retirement here, each with its public log entry.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer};
use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::storage::import::ImportTx;
use crate::storage::items::{self, Publication, VersionRow};

/// How long a list may be answered from memory: a checklist imported
/// since changes no log entry, so the log head alone cannot tell.
const ITEMS_MAX_AGE: Duration = Duration::from_secs(10);

/// The longest reason for a retirement, in characters.
const MAX_REASON_CHARS: usize = 500;

/// An item on the public list: its latest version's fields, its checklist
/// and every version it had.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicItem {
    pub code: String,
    pub name: String,
    /// The department's code; its display names are in `GET /api/public/site`.
    pub department: String,
    /// 法律依据.
    pub legal_basis: String,
    /// Who may be inspected (检查对象).
    pub target_category: String,
    /// How it is inspected (检查方式), e.g. 现场检查, 书面检查; may be empty.
    pub method: String,
    /// The annual sampling ratio in basis points (500 = 5%), when set.
    pub sampling_ratio_bp: Option<i64>,
    /// How often (抽查频次), in the department's words.
    pub frequency: String,
    /// The day (+08:00) it was retired; none while it is in force.
    pub retired_on: Option<String>,
    /// The points of its checklist (检查表), in order; empty when it has none.
    pub checklist: Vec<PublicChecklistPoint>,
    /// Every version, oldest first; the last is the one shown above.
    pub history: Vec<ItemVersion>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicChecklistPoint {
    pub number: i64,
    pub point: String,
    pub legal_basis: String,
    pub method: String,
}

/// One version of an item's public fields, in effect from one day to the
/// day it ended (both +08:00, `YYYY-MM-DD`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ItemVersion {
    pub version: i64,
    pub name: String,
    pub department: String,
    pub legal_basis: String,
    pub target_category: String,
    pub method: String,
    pub sampling_ratio_bp: Option<i64>,
    pub frequency: String,
    pub effective_from: String,
    /// None while in force.
    pub effective_until: Option<String>,
    /// `changed` (a later import changed it) or `retired`, once it ended.
    pub ended: Option<String>,
    /// Why it was retired.
    pub reason: Option<String>,
}

/// The item list, by code.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicItemList {
    pub items: Vec<PublicItem>,
}

/// Why a department retires an item.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Retirement {
    /// 1 to 500 characters, no control characters.
    pub reason: String,
}

impl From<VersionRow> for ItemVersion {
    fn from(row: VersionRow) -> Self {
        let reason = (row.ended.as_deref() == Some("retired")).then_some(row.end_reason);
        let fields = row.fields;
        ItemVersion {
            version: row.version,
            name: fields.name,
            department: fields.department,
            legal_basis: fields.legal_basis,
            target_category: fields.target_category,
            method: fields.method,
            sampling_ratio_bp: fields.sampling_ratio_bp,
            frequency: fields.frequency,
            effective_from: row.effective_from,
            effective_until: row.effective_until,
            ended: row.ended,
            reason,
        }
    }
}

/// An item from its versions (oldest first, at least one) and checklist.
fn public_item(code: String, versions: Vec<VersionRow>, checklist: Vec<PublicChecklistPoint>) -> PublicItem {
    let history: Vec<ItemVersion> = versions.into_iter().map(ItemVersion::from).collect();
    let last = history.last().expect("an item has a version");
    let retired_on = match last.ended.as_deref() {
        Some("retired") => last.effective_until.clone(),
        _ => None,
    };
    PublicItem {
        code,
        name: last.name.clone(),
        department: last.department.clone(),
        legal_basis: last.legal_basis.clone(),
        target_category: last.target_category.clone(),
        method: last.method.clone(),
        sampling_ratio_bp: last.sampling_ratio_bp,
        frequency: last.frequency.clone(),
        retired_on,
        checklist,
        history,
    }
}

fn checklist_of(points: Vec<crate::storage::checklists::PointRow>) -> Vec<PublicChecklistPoint> {
    points
        .into_iter()
        .map(|point| PublicChecklistPoint {
            number: point.number,
            point: point.point,
            legal_basis: point.legal_basis,
            method: point.method,
        })
        .collect()
}

impl Service {
    /// The public item list, of one department or all, ready to send.
    pub async fn public_items(&self, department: Option<&str>) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        let question = format!("items/{}", department.unwrap_or(""));
        self.answer(question, stamp, Some(ITEMS_MAX_AGE), async {
            let pool = self.store().read_pool();
            let mut by_code: BTreeMap<String, Vec<VersionRow>> = BTreeMap::new();
            for row in items::versions(pool, department).await? {
                by_code.entry(row.fields.code.clone()).or_default().push(row);
            }
            let mut points = items::checklist_points(pool).await?;
            let items = by_code
                .into_iter()
                .map(|(code, versions)| {
                    let checklist = checklist_of(points.remove(&code).unwrap_or_default());
                    public_item(code, versions, checklist)
                })
                .collect();
            Ok(PublicAnswer::json(&PublicItemList { items }, Freshness::Live))
        })
        .await
    }

    /// One item of the public list, retired or not, ready to send.
    pub async fn public_item(&self, code: &str) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer(format!("item/{code}"), stamp, Some(ITEMS_MAX_AGE), async {
            let pool = self.store().read_pool();
            let versions = items::versions_of(pool, code).await?;
            if versions.is_empty() {
                return Err(ServiceError::NotFound(format!("there is no item '{code}' on the item list")));
            }
            let checklist = checklist_of(crate::storage::checklists::points(pool, code).await?);
            Ok(PublicAnswer::json(&public_item(code.to_owned(), versions, checklist), Freshness::Live))
        })
        .await
    }

    /// Retires an item of the supervisor's department: its current version
    /// ends today, it is offered for no new task, and the retirement enters
    /// the public log in the same transaction.
    pub async fn retire_item(
        &self,
        user: &User,
        code: &str,
        retirement: &Retirement,
    ) -> ServiceResult<PublicItem> {
        let department = supervised_department(user)?.to_owned();
        let reason = retirement.reason.trim();
        if reason.is_empty()
            || reason.chars().count() > MAX_REASON_CHARS
            || reason.chars().any(char::is_control)
        {
            return Err(ServiceError::invalid(
                "invalid_reason",
                Some("reason".to_owned()),
                format!(
                    "a retirement gives its reason in 1 to {MAX_REASON_CHARS} characters, without control characters"
                ),
            ));
        }
        let mut tx = ImportTx::begin(self.store()).await?;
        let Some(standing) = items::standing_in(&mut tx, code).await? else {
            return Err(ServiceError::NotFound(format!("there is no item '{code}' in the item directory")));
        };
        if standing.department != department {
            return Err(ServiceError::Forbidden(format!(
                "item {code} is kept by {}; {department} may add rows and change its own only",
                standing.department
            )));
        }
        if let Some(day) = standing.retired_on {
            return Err(ServiceError::conflict("item_retired", format!("item {code} was retired on {day}")));
        }
        let Some(current) = items::current_in(&mut tx, code).await? else {
            return Err(
                crate::storage::StoreError::Damaged(format!("item {code} has no current version")).into()
            );
        };
        let publication = Publication { at: self.now(), today: self.today(), actor: &user.name };
        items::retire(&mut tx, &current, reason, &publication).await?;
        tx.commit().await?;
        tracing::info!(item = code, "retired an item");
        let versions = items::versions_of(self.store().pool(), code).await?;
        let checklist = checklist_of(crate::storage::checklists::points(self.store().pool(), code).await?);
        Ok(public_item(code.to_owned(), versions, checklist))
    }
}

//! The directories as supervisors browse them: the item list, the target
//! directory a page at a time, and their own department's inspectors.
//! (Imports are in `imports`.)

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, require, supervised_department};
use crate::domain::account::{Role, User};
use crate::storage::directory::{self, InspectorRow, ItemRow, TargetRow};
use crate::storage::directory_reads::{self, TargetSearch};

/// The longest search term or filter value taken, in bytes.
const MAX_SEARCH: usize = 200;

/// A search of the target directory as asked; empty values ask for nothing.
#[derive(Debug, Clone, Default)]
pub struct TargetQuery {
    /// The start of an id, or a part of a name.
    pub q: Option<String>,
    pub region: Option<String>,
    pub industry: Option<String>,
    pub risk_class: Option<String>,
}

impl TargetQuery {
    fn parse(&self) -> ServiceResult<TargetSearch<'_>> {
        Ok(TargetSearch {
            text: search_value("q", self.q.as_deref())?,
            region: search_value("region", self.region.as_deref())?,
            industry: search_value("industry", self.industry.as_deref())?,
            risk_class: search_value("risk_class", self.risk_class.as_deref())?,
        })
    }
}

/// A search value: absent when empty, refused when too long or holding a
/// control character.
fn search_value<'a>(field: &str, value: Option<&'a str>) -> ServiceResult<Option<&'a str>> {
    let Some(value) = value.map(str::trim).filter(|value| !value.is_empty()) else { return Ok(None) };
    if value.len() > MAX_SEARCH {
        let message = format!("{field} is {} bytes long; at most {MAX_SEARCH} are taken", value.len());
        return Err(ServiceError::invalid("invalid_query", Some(field.to_owned()), message));
    }
    if value.chars().any(char::is_control) {
        let message = format!("{field} holds a control character");
        return Err(ServiceError::invalid("invalid_query", Some(field.to_owned()), message));
    }
    Ok(Some(value))
}

/// An inspection item of the list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub department: String,
    pub target_category: String,
    /// The sampling ratio in basis points (1/100 of a percent).
    pub sampling_ratio_bp: Option<i64>,
    pub frequency: String,
    /// How it is inspected (检查方式); may be empty.
    pub method: String,
    /// The day (+08:00) its department retired it; none while in force.
    pub retired_on: Option<String>,
    /// At most this many draws of one target for the item in a calendar
    /// year, applied to the pools of the department's tasks; none: no cap.
    pub frequency_cap: Option<i64>,
}

/// A target of the directory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetView {
    pub id: String,
    pub name: String,
    pub region: String,
    pub industry: String,
    pub risk_class: String,
    pub unit: String,
    pub flags: String,
    pub last_inspected: Option<String>,
    pub address: String,
}

/// An inspector of the directory.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InspectorView {
    pub id: String,
    pub name: String,
    pub department: String,
    pub unit: String,
    pub region: String,
    pub certificate_no: String,
    pub certificate_expires: String,
    /// The item codes the inspector is qualified for.
    pub items: String,
    pub active: bool,
}

impl Service {
    /// The whole item list.
    pub async fn items(&self, user: &User) -> ServiceResult<Vec<ItemView>> {
        require(user, Role::Supervisor)?;
        let rows = directory::items(self.store().pool()).await?;
        Ok(rows.into_iter().map(ItemView::from).collect())
    }

    /// At most `limit` targets the search keeps with ids after `after`
    /// (bytewise), in id order.
    pub async fn targets(
        &self,
        user: &User,
        search: &TargetQuery,
        after: &str,
        limit: i64,
    ) -> ServiceResult<Vec<TargetView>> {
        require(user, Role::Supervisor)?;
        let search = search.parse()?;
        let rows = directory_reads::search_targets(self.store().pool(), &search, after, limit).await?;
        Ok(rows.into_iter().map(TargetView::from).collect())
    }

    /// The inspectors of the caller's department.
    pub async fn inspectors(&self, user: &User) -> ServiceResult<Vec<InspectorView>> {
        let department = supervised_department(user)?;
        let rows = directory::inspectors(self.store().pool(), Some(department)).await?;
        Ok(rows.into_iter().map(InspectorView::from).collect())
    }
}

impl From<ItemRow> for ItemView {
    fn from(row: ItemRow) -> Self {
        ItemView {
            code: row.code,
            name: row.name,
            legal_basis: row.legal_basis,
            department: row.department,
            target_category: row.target_category,
            sampling_ratio_bp: row.sampling_ratio_bp,
            frequency: row.frequency,
            method: row.method,
            retired_on: row.retired_on,
            frequency_cap: row.frequency_cap,
        }
    }
}

impl From<TargetRow> for TargetView {
    fn from(row: TargetRow) -> Self {
        TargetView {
            id: row.id,
            name: row.name,
            region: row.region,
            industry: row.industry,
            risk_class: row.risk_class,
            unit: row.unit,
            flags: row.flags,
            last_inspected: row.last_inspected,
            address: row.address,
        }
    }
}

impl From<InspectorRow> for InspectorView {
    fn from(row: InspectorRow) -> Self {
        InspectorView {
            id: row.id,
            name: row.name,
            department: row.department,
            unit: row.unit,
            region: row.region,
            certificate_no: row.certificate_no,
            certificate_expires: row.certificate_expires,
            items: row.items,
            active: row.active,
        }
    }
}

//! The directories as supervisors browse them: the item list, the target
//! directory a page at a time, and their own department's inspectors.
//! (Imports are in `imports`.)

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceResult, require, supervised_department};
use crate::domain::account::{Role, User};
use crate::storage::directory::{self, InspectorRow, ItemRow, TargetRow};

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

    /// At most `limit` targets with ids after `after` (bytewise), in id order.
    pub async fn targets(&self, user: &User, after: &str, limit: i64) -> ServiceResult<Vec<TargetView>> {
        require(user, Role::Supervisor)?;
        let rows = directory::targets(self.store().pool(), after, limit).await?;
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

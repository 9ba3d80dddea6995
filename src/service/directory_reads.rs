//! What the staff console reads of the directories beside the listings:
//! a department's declared recusals, and the values targets take (with
//! how many targets take each) to offer as filters.

use serde::Serialize;
use utoipa::ToSchema;

use super::{Service, ServiceError, ServiceResult, require, supervised_department};
use crate::domain::account::{Role, User};
use crate::domain::csv_templates;
use crate::storage::directory_reads::{self, FacetColumn, RecusalRow, ValueCount};

/// Values of a facet listed, at most: the most frequent.
const FACET_VALUES: i64 = 500;

/// A recusal declared for an inspector of the caller's department.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecusalView {
    pub inspector_id: String,
    pub inspector_name: String,
    pub target_id: String,
    /// Null when the target is no longer in the directory.
    pub target_name: Option<String>,
    pub reason: String,
}

/// The values the targets of the directory take, most frequent first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DirectoryFacets {
    pub regions: Vec<FacetValue>,
    pub industries: Vec<FacetValue>,
    pub risk_classes: Vec<FacetValue>,
    pub flags: Vec<FacetValue>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    /// Targets taking the value.
    pub count: i64,
}

impl Service {
    /// The recusals of the caller's department's inspectors.
    pub async fn recusals(&self, user: &User) -> ServiceResult<Vec<RecusalView>> {
        let department = supervised_department(user)?;
        let rows = directory_reads::recusals_of(self.store().pool(), department).await?;
        Ok(rows.into_iter().map(RecusalView::from).collect())
    }

    /// The CSV template named `file` (`items.csv`, ...): what the import of
    /// that kind reads, with an example row for the caller's department.
    pub fn import_template(&self, user: &User, file: &str) -> ServiceResult<String> {
        let kind = file.strip_suffix(".csv").unwrap_or_default();
        let department = user.department.as_deref().unwrap_or("market");
        csv_templates::template(kind, department).ok_or_else(|| {
            ServiceError::NotFound(format!(
                "there is no template {file}; there are {}",
                csv_templates::KINDS.map(|kind| format!("{kind}.csv")).join(", ")
            ))
        })
    }

    /// The values of the target directory's columns a search filters by.
    pub async fn directory_facets(&self, user: &User) -> ServiceResult<DirectoryFacets> {
        require(user, Role::Supervisor)?;
        let pool = self.store().pool();
        let values = |rows: Vec<ValueCount>| rows.into_iter().map(FacetValue::from).collect();
        Ok(DirectoryFacets {
            regions: values(directory_reads::value_counts(pool, FacetColumn::Region, FACET_VALUES).await?),
            industries: values(
                directory_reads::value_counts(pool, FacetColumn::Industry, FACET_VALUES).await?,
            ),
            risk_classes: values(
                directory_reads::value_counts(pool, FacetColumn::RiskClass, FACET_VALUES).await?,
            ),
            flags: values(directory_reads::flag_counts(pool, FACET_VALUES as usize).await?),
        })
    }
}

impl From<RecusalRow> for RecusalView {
    fn from(row: RecusalRow) -> Self {
        RecusalView {
            inspector_id: row.inspector_id,
            inspector_name: row.inspector_name,
            target_id: row.target_id,
            target_name: row.target_name,
            reason: row.reason,
        }
    }
}

impl From<ValueCount> for FacetValue {
    fn from(row: ValueCount) -> Self {
        FacetValue { value: row.value, count: row.count }
    }
}

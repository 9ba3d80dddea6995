//! Exchange with other systems: published results in the record of the
//! national enterprise credit publicity system's spot-check results
//! (国家企业信用信息公示系统 抽查检查结果), for a province's platform to take
//! without scraping the site. Two ways: a full export (CSV or JSON,
//! streamed a batch at a time) and an event per publication pushed to
//! webhooks through an outbox (`outbox`). Both carry the same record, whose
//! schema is versioned and documented field by field in docs/EXCHANGE.md.

pub mod export;
pub mod outbox;
pub mod signature;

use serde::Serialize;
use utoipa::ToSchema;

use super::published::PublicResult;
use super::results::PublishedRecord;
use crate::domain::task_definition::TaskDefinition;

/// The version of the exchange record's schema. A field is only ever
/// added within a version; a field renamed, removed or given another
/// meaning makes a new version.
pub const SCHEMA_VERSION: &str = "1";

/// A published result as other systems receive it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ExchangeRecord {
    /// Always [`SCHEMA_VERSION`] in this release.
    pub schema_version: &'static str,
    /// The result's reference, unique and never reused.
    pub record_id: String,
    /// `original` (a first publication) or `correction` (replaces `corrects`).
    pub record_kind: &'static str,
    /// `current`, or `corrected` once a correction replaced it.
    pub status: &'static str,
    /// The `record_id` this correction replaces.
    pub corrects: Option<String>,
    /// The `record_id` of the correction that replaced this record.
    pub corrected_by: Option<String>,
    pub correction_reason: Option<String>,
    pub plan_id: Option<String>,
    pub plan_name: Option<String>,
    pub task_id: i64,
    pub task_name: String,
    /// 定向 (the pool was restricted by region, industry or risk class) or 不定向.
    pub inspection_type: &'static str,
    /// The task's own name for its inspection type.
    pub inspection_type_name: String,
    pub authority: String,
    /// YYYY-MM-DD.
    pub completion_date: String,
    /// The entity's id in the target directory: its unified social credit
    /// code where the directory holds one.
    pub entity_code: String,
    pub entity_name: String,
    pub item_code: String,
    pub item_name: String,
    /// The national record's wording of the result.
    pub result: String,
    pub result_code: String,
    /// RFC 3339, UTC.
    pub published_at: String,
}

/// 定向 or 不定向: the task's own inspection type when it says which, else
/// whether the pool was restricted by the entities' attributes.
pub fn inspection_direction(definition: &TaskDefinition) -> &'static str {
    let named = definition.inspection_type.as_deref().unwrap_or_default();
    if named.contains("不定向") {
        return "不定向";
    }
    if named.contains("定向") {
        return "定向";
    }
    let filter = &definition.filter;
    let restricted =
        !(filter.regions.is_empty() && filter.industries.is_empty() && filter.risk_classes.is_empty());
    if restricted { "定向" } else { "不定向" }
}

impl ExchangeRecord {
    /// The exchange record of a published record of a task whose
    /// inspection is `direction`; `corrected_by` once corrected.
    pub fn of(record: &PublishedRecord, direction: &'static str, corrected_by: Option<String>) -> Self {
        ExchangeRecord {
            schema_version: SCHEMA_VERSION,
            record_id: record.reference.clone(),
            record_kind: if record.corrects.is_some() { "correction" } else { "original" },
            status: if corrected_by.is_some() { "corrected" } else { "current" },
            corrects: record.corrects.clone(),
            corrected_by,
            correction_reason: record.correction_reason.clone(),
            plan_id: record.plan_id.clone(),
            plan_name: record.plan_name.clone(),
            task_id: record.task,
            task_name: record.task_name.clone(),
            inspection_type: direction,
            inspection_type_name: record.inspection_type.clone(),
            authority: record.authority.clone(),
            completion_date: record.inspection_date.clone(),
            entity_code: record.target.clone(),
            entity_name: record.target_name.clone(),
            item_code: record.item.clone(),
            item_name: record.item_name.clone(),
            result: record.outcome.label_zh().to_owned(),
            result_code: record.outcome.code().to_owned(),
            published_at: record.published_at.clone(),
        }
    }

    fn of_public(result: PublicResult, direction: &'static str) -> Self {
        let corrected_by = if result.status == "corrected" { result.corrected_by } else { None };
        ExchangeRecord::of(&result.record, direction, corrected_by)
    }

    /// The CSV header: the field names, in this order.
    pub const FIELDS: [&'static str; 22] = [
        "schema_version",
        "record_id",
        "record_kind",
        "status",
        "corrects",
        "corrected_by",
        "correction_reason",
        "plan_id",
        "plan_name",
        "task_id",
        "task_name",
        "inspection_type",
        "inspection_type_name",
        "authority",
        "completion_date",
        "entity_code",
        "entity_name",
        "item_code",
        "item_name",
        "result",
        "result_code",
        "published_at",
    ];

    /// The CSV row: the values in the order of [`ExchangeRecord::FIELDS`].
    fn csv_row(&self) -> [String; 22] {
        let text = |value: &Option<String>| value.clone().unwrap_or_default();
        [
            self.schema_version.to_owned(),
            self.record_id.clone(),
            self.record_kind.to_owned(),
            self.status.to_owned(),
            text(&self.corrects),
            text(&self.corrected_by),
            text(&self.correction_reason),
            text(&self.plan_id),
            text(&self.plan_name),
            self.task_id.to_string(),
            self.task_name.clone(),
            self.inspection_type.to_owned(),
            self.inspection_type_name.clone(),
            self.authority.clone(),
            self.completion_date.clone(),
            self.entity_code.clone(),
            self.entity_name.clone(),
            self.item_code.clone(),
            self.item_name.clone(),
            self.result.clone(),
            self.result_code.clone(),
            self.published_at.clone(),
        ]
    }
}

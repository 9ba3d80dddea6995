//! What a supervisor writes to define an inspection task: items, pool
//! filter, strata and quotas, inspector rules, entropy plan, embargo.
//! Checked once, here; it becomes the protocol's [`Parameters`] at commit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::rules::{QuotaRule, RuleError, Rules};
use crate::protocol::field::{Department, EntropySource, TaskId, check_visible};
use crate::protocol::{Date, EntropyFormat, EventTime, Parameters};

/// A task definition, as sent to `POST /api/tasks` and stored with the task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskDefinition {
    /// The task's name, e.g. "2026 Q4 food business spot checks".
    pub name: String,
    /// Inspection item codes; every assigned inspector must be qualified for all.
    pub items: Vec<String>,
    /// Departments drawing inspectors; the lead department when empty. Several
    /// make a joint inspection: each draws its own inspectors for every target.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Which targets of the directory are in the pool.
    #[serde(default)]
    pub filter: PoolFilter,
    /// Target attributes whose values, joined by `/`, form the stratum key;
    /// any of `region`, `industry`, `risk_class`, `unit`. None: one stratum.
    #[serde(default)]
    pub strata_by: Vec<StrataColumn>,
    /// The quota of every stratum without its own: `{"ratio": "3%"}` or `{"count": 10}`.
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub quota: Option<QuotaRule>,
    /// Quotas of particular strata, by stratum key.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub quota_by_stratum: BTreeMap<String, QuotaRule>,
    #[serde(default = "two")]
    pub inspectors_per_target: u32,
    /// `region`, `unit`: what an inspector must not share with the target.
    #[serde(default)]
    pub cross: Vec<String>,
    #[serde(default = "yes")]
    pub balance: bool,
    /// The day certificates must be valid on (YYYY-MM-DD).
    pub certificate_date: String,
    /// Where the public entropy will come from, fixed at commitment.
    pub entropy: EntropyPlan,
    /// The result stays sealed until this day (YYYY-MM-DD); none: until revealed.
    #[serde(default)]
    pub embargo_until: Option<String>,
    /// The annual spot-check plan the task belongs to (抽查计划): its id and
    /// name, published with every result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_name: Option<String>,
    /// The inspection type of the published record; "双随机抽查" when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inspection_type: Option<String>,
    /// The inspecting authority's name (检查机关) in published results; the
    /// lead department's code when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
}

/// The inspection type of a task without one.
pub const DEFAULT_INSPECTION_TYPE: &str = "双随机抽查";

fn two() -> u32 {
    2
}

fn yes() -> bool {
    true
}

/// The pool filter; every given list restricts the pool.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolFilter {
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub industries: Vec<String>,
    #[serde(default)]
    pub risk_classes: Vec<String>,
    /// Leave out targets with any of these flags.
    #[serde(default)]
    pub exclude_flags: Vec<String>,
    /// Leave out targets inspected within this many days of the commit.
    #[serde(default)]
    pub exclude_inspected_within_days: Option<u32>,
}

/// A target attribute a stratum key can be made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StrataColumn {
    Region,
    Industry,
    RiskClass,
    Unit,
}

impl StrataColumn {
    /// The column of the targets table.
    pub fn column(self) -> &'static str {
        match self {
            StrataColumn::Region => "region",
            StrataColumn::Industry => "industry",
            StrataColumn::RiskClass => "risk_class",
            StrataColumn::Unit => "unit",
        }
    }
}

/// Where the public entropy will come from and how it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntropyPlan {
    /// `dice` (digits 1–6), `digits` (0–9) or `hex`.
    pub format: String,
    /// E.g. "dice rolled at the public draw meeting of 2026-12-15".
    pub source: String,
    /// The fewest characters the entropy may have (20 dice give 51 bits).
    #[serde(default = "twenty")]
    pub min_length: u32,
    /// When the entropy comes into being — the dice roll, the lottery
    /// drawing, the beacon round — as `YYYY-MM-DDTHH:MM:SS+08:00`. Required:
    /// it must be later than the commitment, and the draw waits for it.
    // An `Option` only so that a plan without it gets an answer naming the
    // field; drafts stored before it was required may lack it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = String, required = true)]
    pub event_at: Option<String>,
}

/// Why a task's entropy plan must name its event time, and how it is written.
const EVENT_TIME_NEEDED: &str = "name when the entropy comes into being (the dice roll, the lottery \
     drawing, the beacon round) as YYYY-MM-DDTHH:MM:SS+08:00, a time after the commitment; without it \
     nobody can show that the entropy was unknown when the task was committed";

fn twenty() -> u32 {
    20
}

/// The least entropy a task may ask for, in characters.
pub const MIN_ENTROPY_LENGTH: u32 = 10;

/// A definition, checked.
#[derive(Debug, Clone)]
pub struct CheckedDefinition {
    pub departments: Vec<Department>,
    pub entropy_format: EntropyFormat,
    pub entropy_source: EntropySource,
    pub entropy_event: EventTime,
    pub embargo_until: Option<Date>,
}

impl TaskDefinition {
    /// Checks everything that can be checked before the commit. The lead
    /// department draws the targets and takes part when no departments are
    /// named.
    pub fn check(&self, lead: &str) -> Result<CheckedDefinition, RuleError> {
        let error = |field: &str, reason: String| RuleError { field: field.into(), reason };
        if self.name.trim().is_empty() {
            return Err(error("name", "is empty".into()));
        }
        check_visible(&self.name).map_err(|e| error("name", e.to_string()))?;
        self.parameters(0, lead)?;
        let entropy_format =
            EntropyFormat::parse(&self.entropy.format).map_err(|e| error("entropy.format", e))?;
        let entropy_source =
            EntropySource::parse(&self.entropy.source).map_err(|e| error("entropy.source", e.to_string()))?;
        if self.entropy.min_length < MIN_ENTROPY_LENGTH {
            let reason =
                format!("{} is below the least allowed, {MIN_ENTROPY_LENGTH}", self.entropy.min_length);
            return Err(error("entropy.min_length", reason));
        }
        // Optional in the protocol (older and offline records have none), but
        // without it nobody can show that the entropy came after the commitment.
        let entropy_event = EventTime::parse(
            self.entropy
                .event_at
                .as_deref()
                .ok_or_else(|| error("entropy.event_at", format!("is missing: {EVENT_TIME_NEEDED}")))?,
        )
        .map_err(|e| error("entropy.event_at", e.to_string()))?;
        let embargo_until = self
            .embargo_until
            .as_deref()
            .map(Date::parse)
            .transpose()
            .map_err(|e| error("embargo_until", e.to_string()))?;
        for (field, values) in [
            ("filter.regions", &self.filter.regions),
            ("filter.industries", &self.filter.industries),
            ("filter.risk_classes", &self.filter.risk_classes),
            ("filter.exclude_flags", &self.filter.exclude_flags),
        ] {
            if let Some((index, _)) =
                values.iter().enumerate().find(|(_, v)| v.trim().is_empty() || v.len() > 128)
            {
                return Err(error(&format!("{field}[{index}]"), "must be 1 to 128 bytes of text".into()));
            }
            for (index, value) in values.iter().enumerate() {
                check_visible(value).map_err(|e| error(&format!("{field}[{index}]"), e.to_string()))?;
            }
        }
        for (field, value) in [
            ("plan_id", &self.plan_id),
            ("plan_name", &self.plan_name),
            ("inspection_type", &self.inspection_type),
            ("authority", &self.authority),
        ] {
            if let Some(value) = value
                && (value.trim().is_empty() || value.len() > 256 || value.chars().any(char::is_control))
            {
                return Err(error(field, "must be 1 to 256 bytes of text without control characters".into()));
            }
            if let Some(value) = value {
                check_visible(value).map_err(|e| error(field, e.to_string()))?;
            }
        }
        if let Some(class) = self
            .filter
            .risk_classes
            .iter()
            .find(|c| !crate::domain::records::RISK_CLASSES.contains(&c.as_str()))
        {
            return Err(error("filter.risk_classes", format!("'{class}' is not one of A, B, C, D")));
        }
        let departments = self.departments(lead).map_err(|e| error("departments", e))?;
        Ok(CheckedDefinition { departments, entropy_format, entropy_source, entropy_event, embargo_until })
    }

    fn departments(&self, lead: &str) -> Result<Vec<Department>, String> {
        let names: Vec<&str> = if self.departments.is_empty() {
            vec![lead]
        } else {
            self.departments.iter().map(String::as_str).collect()
        };
        names.into_iter().map(|name| Department::parse(name).map_err(|e| format!("'{name}' {e}"))).collect()
    }

    /// The protocol parameters of this definition for task `id`.
    pub fn parameters(&self, id: i64, lead: &str) -> Result<Parameters, RuleError> {
        TaskId::parse(&id.to_string()).expect("task ids are numbers");
        let rules = Rules {
            task: id.to_string(),
            items: self.items.clone(),
            strata_by: self.strata_by.iter().map(|c| c.column().to_owned()).collect(),
            quota: self.quota.clone(),
            quota_by_stratum: self.quota_by_stratum.clone(),
            inspectors_per_target: self.inspectors_per_target,
            cross: self.cross.clone(),
            balance: self.balance,
            departments: self
                .departments(lead)
                .map_err(|reason| RuleError { field: "departments".into(), reason })?
                .iter()
                .map(ToString::to_string)
                .collect(),
            certificate_date: self.certificate_date.clone(),
        };
        rules.to_parameters()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn definition(json: &str) -> TaskDefinition {
        serde_json::from_str(json).unwrap()
    }

    const BASE: &str = r#""name": "Q4", "items": ["FOOD-01"], "quota": {"ratio": "3%"}, "certificate_date": "2026-12-15",
        "entropy": {"format": "dice", "source": "dice rolled at the public meeting", "event_at": "2026-12-15T09:30:00+08:00"}"#;

    #[test]
    fn a_complete_definition_checks_and_defaults_to_the_lead_department() {
        let checked = definition(&format!("{{{BASE}}}")).check("market").unwrap();
        assert_eq!(checked.departments.iter().map(|d| d.to_string()).collect::<Vec<_>>(), ["market"]);
        assert_eq!(checked.entropy_format, EntropyFormat::Dice);
    }

    #[test]
    fn errors_name_the_field() {
        let error =
            definition(&format!(r#"{{{BASE}, "embargo_until": "2026-02-30"}}"#)).check("m").unwrap_err();
        assert_eq!(error.field, "embargo_until");
        let json = format!(r#"{{{}}}"#, BASE.replace(r#""format": "dice""#, r#""format": "decimal""#));
        assert_eq!(definition(&json).check("m").unwrap_err().field, "entropy.format");
        let json = format!(r#"{{{}, "filter": {{"risk_classes": ["E"]}}}}"#, BASE);
        assert_eq!(definition(&json).check("m").unwrap_err().field, "filter.risk_classes");
        let json = format!(r#"{{{}, "plan_name": " "}}"#, BASE);
        assert_eq!(definition(&json).check("m").unwrap_err().field, "plan_name");
        let json = format!(r#"{{{}, "inspectors_per_target": 1}}"#, BASE);
        assert_eq!(definition(&json).check("m").unwrap_err().field, "inspectors_per_target");
        let json = BASE.replace("2026-12-15T09:30:00+08:00", "2026-12-15 09:30");
        assert_eq!(definition(&format!("{{{json}}}")).check("m").unwrap_err().field, "entropy.event_at");
    }

    #[test]
    fn an_entropy_plan_without_its_event_time_is_refused() {
        let json = BASE.replace(r#", "event_at": "2026-12-15T09:30:00+08:00""#, "");
        let error = definition(&format!("{{{json}}}")).check("m").unwrap_err();
        assert_eq!(error.field, "entropy.event_at");
        assert!(error.reason.contains("YYYY-MM-DDTHH:MM:SS+08:00"), "{}", error.reason);
    }
}

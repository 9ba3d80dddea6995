//! What a supervisor writes to define an inspection task: items, pool
//! filter, strata and quotas, inspector rules, entropy plan, embargo.
//! Checked once, here; it becomes the protocol's [`Parameters`] at commit.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::records::TargetRecord;
use crate::domain::rules::{QuotaRule, RuleError};
use crate::protocol::beacon;
use crate::protocol::field::{Department, EntropySource, check_visible};
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
    /// The batch (1, 2, 3, …) of the annual plan the task draws for, when
    /// `plan_id` names an approved plan of the department; the plan's
    /// name then replaces `plan_name`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan_batch: Option<u32>,
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

impl PoolFilter {
    /// Whether a target of the directory is in the pool; `cutoff` leaves out
    /// targets inspected on or after it. The storage layer asks the same of
    /// its tables in SQL; this is the filter over records read from a file.
    pub fn admits(&self, target: &TargetRecord, cutoff: Option<Date>) -> bool {
        let among = |wanted: &[String], value: &str| wanted.is_empty() || wanted.iter().any(|w| w == value);
        among(&self.regions, target.region.as_str())
            && among(&self.industries, &target.industry)
            && among(&self.risk_classes, &target.risk_class)
            && !target.flags.iter().any(|flag| self.exclude_flags.contains(flag))
            && match (cutoff, target.last_inspected) {
                (Some(cutoff), Some(inspected)) => inspected < cutoff,
                _ => true,
            }
    }

    /// The first day whose inspections keep a target out of the pool, for a
    /// pool frozen on `today`.
    pub fn inspected_cutoff(&self, today: chrono::NaiveDate) -> Option<Date> {
        let days = self.exclude_inspected_within_days?;
        let day =
            today.checked_sub_days(chrono::Days::new(u64::from(days))).map(|day| day.format("%Y-%m-%d"));
        // A window reaching before the first day a date can name leaves out
        // every target ever inspected.
        let earliest = || Date::parse("1000-01-01").expect("the first day a date can name");
        Some(day.and_then(|day| Date::parse(&day.to_string()).ok()).unwrap_or_else(earliest))
    }
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

    /// A target's value in this column; a target without a unit has "".
    pub fn value_of(self, target: &TargetRecord) -> &str {
        match self {
            StrataColumn::Region => target.region.as_str(),
            StrataColumn::Industry => &target.industry,
            StrataColumn::RiskClass => &target.risk_class,
            StrataColumn::Unit => target.unit.as_ref().map_or("", |unit| unit.as_str()),
        }
    }
}

/// Where the public entropy will come from and how it is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntropyPlan {
    /// `dice` (digits 1–6), `digits` (0–9), `hex`, or `drand`: the
    /// randomness of a League of Entropy quicknet round that the commitment
    /// fixes (PROTOCOL.md §3.6).
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
    /// Only with format `drand`: the least time, in seconds, between the
    /// commitment and the committed round (60 to 2592000; 600 when left
    /// out). The round's time is the entropy event; leave `event_at` out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub margin_seconds: Option<u32>,
}

/// When a service task's entropy comes into being.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntropyTiming {
    /// At the time the plan names.
    At(EventTime),
    /// At the first drand round whose time is at least this many seconds
    /// after the commitment, fixed when the task is committed.
    DrandRound { margin_seconds: u32 },
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

/// A definition, checked. The service's definitions always name when their
/// entropy comes into being; an offline draw's may leave it open.
#[derive(Debug, Clone)]
pub struct CheckedDefinition<Event = EntropyTiming> {
    pub departments: Vec<Department>,
    pub entropy_format: EntropyFormat,
    pub entropy_source: EntropySource,
    pub entropy_event: Event,
    pub embargo_until: Option<Date>,
}

impl TaskDefinition {
    /// Checks everything that can be checked before the commit. The lead
    /// department draws the targets and takes part when no departments are
    /// named.
    pub fn check(&self, lead: &str) -> Result<CheckedDefinition, RuleError> {
        let checked = self.check_with_open_event(lead)?;
        let entropy_event = if checked.entropy_format == EntropyFormat::Drand {
            if self.entropy.event_at.is_some() {
                let reason =
                    "is fixed by the drand round the commitment names (its time); leave it out".into();
                return Err(RuleError { field: "entropy.event_at".into(), reason });
            }
            let margin_seconds = self.entropy.margin_seconds.unwrap_or(beacon::DEFAULT_MARGIN_SECONDS);
            if !(beacon::MIN_MARGIN_SECONDS..=beacon::MAX_MARGIN_SECONDS).contains(&margin_seconds) {
                let reason = format!(
                    "{margin_seconds} is outside {} to {} seconds",
                    beacon::MIN_MARGIN_SECONDS,
                    beacon::MAX_MARGIN_SECONDS
                );
                return Err(RuleError { field: "entropy.margin_seconds".into(), reason });
            }
            if self.entropy.min_length > 64 {
                let reason = format!(
                    "{} is more than the 64 characters of a drand round's randomness",
                    self.entropy.min_length
                );
                return Err(RuleError { field: "entropy.min_length".into(), reason });
            }
            EntropyTiming::DrandRound { margin_seconds }
        } else {
            // Optional in the protocol (older and offline records have none), but
            // without it nobody can show that the entropy came after the commitment.
            let Some(entropy_event) = checked.entropy_event else {
                let reason = format!("is missing: {EVENT_TIME_NEEDED}");
                return Err(RuleError { field: "entropy.event_at".into(), reason });
            };
            EntropyTiming::At(entropy_event)
        };
        let CheckedDefinition { departments, entropy_format, entropy_source, embargo_until, .. } = checked;
        Ok(CheckedDefinition { departments, entropy_format, entropy_source, entropy_event, embargo_until })
    }

    /// Checks a definition for `opendraw draw`, which has no lead department
    /// to fall back on, so the definition must name the departments drawing
    /// inspectors. The event time is committed when given; offline there is
    /// no commitment time the service could hold it against.
    pub fn check_offline(&self) -> Result<CheckedDefinition<Option<EventTime>>, RuleError> {
        let Some(lead) = self.departments.first() else {
            let reason = "is empty: an offline draw has no lead department to fall back on; name the departments drawing inspectors".into();
            return Err(RuleError { field: "departments".into(), reason });
        };
        let checked = self.check_with_open_event(lead)?;
        if checked.entropy_format == EntropyFormat::Drand {
            let reason = "'drand' is committed by the service, which fixes the round at commitment; an offline draw takes dice, digits or hex".into();
            return Err(RuleError { field: "entropy.format".into(), reason });
        }
        Ok(checked)
    }

    fn check_with_open_event(&self, lead: &str) -> Result<CheckedDefinition<Option<EventTime>>, RuleError> {
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
        if self.entropy.margin_seconds.is_some() && entropy_format != EntropyFormat::Drand {
            let reason = "belongs only to the entropy format 'drand'".into();
            return Err(error("entropy.margin_seconds", reason));
        }
        if self.entropy.min_length < MIN_ENTROPY_LENGTH {
            let reason =
                format!("{} is below the least allowed, {MIN_ENTROPY_LENGTH}", self.entropy.min_length);
            return Err(error("entropy.min_length", reason));
        }
        let entropy_event = self
            .entropy
            .event_at
            .as_deref()
            .map(EventTime::parse)
            .transpose()
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
        // A directory's flags are split at these, so no flag holds one: an
        // excluded flag that did would exclude nothing.
        if let Some((index, _)) =
            self.filter.exclude_flags.iter().enumerate().find(|(_, flag)| flag.contains([',', ';']))
        {
            return Err(error(
                &format!("filter.exclude_flags[{index}]"),
                "a flag cannot contain ',' or ';' (they separate a target's flags)".into(),
            ));
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
        let departments = self.drawing_departments(lead).map_err(|e| error("departments", e))?;
        Ok(CheckedDefinition { departments, entropy_format, entropy_source, entropy_event, embargo_until })
    }

    /// The departments drawing inspectors: those named, or else the lead.
    pub fn drawing_departments(&self, lead: &str) -> Result<Vec<Department>, String> {
        let names: Vec<&str> = if self.departments.is_empty() {
            vec![lead]
        } else {
            self.departments.iter().map(String::as_str).collect()
        };
        names.into_iter().map(|name| Department::parse(name).map_err(|e| format!("'{name}' {e}"))).collect()
    }

    /// The protocol parameters of this definition for task `id`.
    pub fn parameters(&self, id: i64, lead: &str) -> Result<Parameters, RuleError> {
        self.parameters_for(&id.to_string(), lead)
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

    #[test]
    fn offline_the_departments_must_be_named_and_the_event_may_stay_open() {
        let json = BASE.replace(r#", "event_at": "2026-12-15T09:30:00+08:00""#, "");
        let error = definition(&format!("{{{json}}}")).check_offline().unwrap_err();
        assert_eq!(error.field, "departments");
        let checked =
            definition(&format!(r#"{{{json}, "departments": ["health"]}}"#)).check_offline().unwrap();
        assert_eq!(checked.departments[0].to_string(), "health");
        assert_eq!(checked.entropy_event, None);
        let checked =
            definition(&format!(r#"{{{BASE}, "departments": ["health"]}}"#)).check_offline().unwrap();
        assert_eq!(checked.entropy_event.unwrap().as_str(), "2026-12-15T09:30:00+08:00");
    }

    #[test]
    fn the_inspection_window_reaches_back_from_today() {
        let mut filter = PoolFilter { exclude_inspected_within_days: Some(30), ..PoolFilter::default() };
        let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 31).unwrap();
        assert_eq!(filter.inspected_cutoff(today), Some(Date::parse("2026-12-01").unwrap()));
        filter.exclude_inspected_within_days = Some(u32::MAX);
        assert_eq!(filter.inspected_cutoff(today), Some(Date::parse("1000-01-01").unwrap()));
    }
}

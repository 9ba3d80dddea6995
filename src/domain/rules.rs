//! The draw rules of a task definition — items, departments, strata,
//! quotas, inspectors per target, the cross rule, balancing, the
//! certificate date — turned into the protocol's canonical [`Parameters`].
//! The service and `opendraw draw` both read rules only through this
//! conversion. Every error names the field it is about.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::domain::task_definition::TaskDefinition;
use crate::protocol::field::{ItemCode, StratumKey, TaskId};
use crate::protocol::{BasisPoints, CrossRule, Date, InspectorsPerTarget, Parameters, Quota};

/// `{"ratio": "3%"}` or `{"count": 12}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct QuotaRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
}

/// The stratum key of a task with no `strata_by`.
pub const SINGLE_STRATUM: &str = "all";

/// What joins a target's values of several `strata_by` columns into its
/// stratum key (PROTOCOL.md §2.2).
pub const STRATUM_SEPARATOR: char = '/';

/// A target whose value in one of several `strata_by` columns holds the
/// separator: its key could equal that of another combination of values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "its {column} '{value}' contains '/', which separates the values of the strata_by columns ({columns}) in a stratum key: two different combinations of values would become one stratum and share its quota"
)]
pub struct StratumValueError {
    pub column: String,
    pub value: String,
    pub columns: String,
}

/// Writes into `key` the stratum key of a target whose values in the
/// `strata_by` columns are `values`, in the columns' order: the value itself
/// for one column, the values joined by `/` for several, which then may not
/// contain `/` — so distinct combinations always give distinct keys.
pub fn stratum_key<'a, C: AsRef<str>>(
    key: &mut String,
    columns: &[C],
    values: impl IntoIterator<Item = &'a str>,
) -> Result<(), StratumValueError> {
    key.clear();
    let several = columns.len() > 1;
    for (position, (column, value)) in columns.iter().zip(values).enumerate() {
        if several && value.contains(STRATUM_SEPARATOR) {
            let names: Vec<&str> = columns.iter().map(AsRef::as_ref).collect();
            return Err(StratumValueError {
                column: column.as_ref().to_owned(),
                value: value.to_owned(),
                columns: names.join(", "),
            });
        }
        if position > 0 {
            key.push(STRATUM_SEPARATOR);
        }
        key.push_str(value);
    }
    if columns.is_empty() {
        key.push_str(SINGLE_STRATUM);
    }
    Ok(())
}

/// A rule that does not hold, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field {field}: {reason}")]
pub struct RuleError {
    pub field: String,
    pub reason: String,
}

fn error(field: impl Into<String>, reason: impl ToString) -> RuleError {
    RuleError { field: field.into(), reason: reason.to_string() }
}

impl QuotaRule {
    fn to_quota(&self, field: &str) -> Result<Quota, RuleError> {
        match (&self.ratio, self.count) {
            (Some(ratio), None) => BasisPoints::parse_percent(ratio)
                .map(Quota::Ratio)
                .map_err(|reason| error(format!("{field}.ratio"), reason)),
            (None, Some(count)) => Ok(Quota::Count(count)),
            _ => Err(error(field, "give either a ratio such as \"3%\" or a count, not both")),
        }
    }
}

impl TaskDefinition {
    /// The protocol parameters of this definition for the task `task`; the
    /// `lead` department draws the inspectors when the definition names none.
    pub fn parameters_for(&self, task: &str, lead: &str) -> Result<Parameters, RuleError> {
        let task = TaskId::parse(task).map_err(|e| error("task", e))?;
        let items = list("items", &self.items, ItemCode::parse)?;
        let departments = self.drawing_departments(lead).map_err(|reason| error("departments", reason))?;
        let certificate_date =
            Date::parse(&self.certificate_date).map_err(|e| error("certificate_date", e))?;
        let inspectors_per_target = InspectorsPerTarget::new(self.inspectors_per_target)
            .map_err(|e| error("inspectors_per_target", e))?;
        let mut cross = CrossRule::default();
        for (index, attribute) in self.cross.iter().enumerate() {
            match attribute.as_str() {
                "region" => cross.region = true,
                "unit" => cross.unit = true,
                other => {
                    return Err(error(
                        format!("cross[{index}]"),
                        format!("'{other}' is neither \"region\" nor \"unit\""),
                    ));
                }
            }
        }
        let default_quota = self.quota.as_ref().map(|rule| rule.to_quota("quota")).transpose()?;
        let mut stratum_quotas = BTreeMap::new();
        for (key, rule) in &self.quota_by_stratum {
            let field = format!("quota_by_stratum.{key}");
            let stratum = StratumKey::parse(key).map_err(|e| error(&field, format!("stratum key {e}")))?;
            stratum_quotas.insert(stratum, rule.to_quota(&field)?);
        }
        if default_quota.is_none() && stratum_quotas.is_empty() {
            return Err(error("quota", "no quota is given: add \"quota\" or \"quota_by_stratum\""));
        }
        Parameters::new(
            task,
            items,
            certificate_date,
            inspectors_per_target,
            cross,
            self.balance,
            departments,
            default_quota,
            stratum_quotas,
        )
        .map_err(|reason| error("items", reason))
    }
}

fn list<T, E: ToString>(
    field: &str,
    values: &[String],
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Vec<T>, RuleError> {
    if values.is_empty() {
        return Err(error(field, "the list is empty"));
    }
    values
        .iter()
        .enumerate()
        .map(|(index, value)| parse(value).map_err(|e| error(format!("{field}[{index}]"), e)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(json: &str) -> Result<Parameters, RuleError> {
        serde_json::from_str::<TaskDefinition>(json).unwrap().parameters_for("T1", "market")
    }

    const BASE: &str = r#""name": "T", "items": ["A"], "certificate_date": "2026-12-01",
        "entropy": {"format": "digits", "source": "a public lottery draw"}"#;

    #[test]
    fn a_ratio_over_100_percent_names_its_field() {
        let error =
            rules(&format!(r#"{{{BASE}, "quota_by_stratum": {{"D": {{"ratio": "120%"}}}}}}"#)).unwrap_err();
        assert_eq!(error.field, "quota_by_stratum.D.ratio");
        assert!(error.reason.contains("more than 100 %"), "{error}");
    }

    #[test]
    fn fewer_than_two_inspectors_per_target_is_refused() {
        let error = rules(&format!(r#"{{{BASE}, "quota": {{"count": 3}}, "inspectors_per_target": 1}}"#))
            .unwrap_err();
        assert_eq!(error.field, "inspectors_per_target");
    }

    #[test]
    fn a_quota_needs_exactly_one_of_ratio_and_count() {
        let error = rules(&format!(r#"{{{BASE}, "quota": {{"count": 3, "ratio": "3%"}}}}"#)).unwrap_err();
        assert_eq!(error.field, "quota");
        let error = rules(&format!(r#"{{{BASE}, "quota": {{}}}}"#)).unwrap_err();
        assert_eq!(error.field, "quota");
    }

    #[test]
    fn distinct_combinations_of_strata_values_give_distinct_keys() {
        let columns = ["industry", "unit"];
        let mut key = String::new();
        stratum_key(&mut key, &columns, ["A", "C"]).unwrap();
        assert_eq!(key, "A/C");
        let error = stratum_key(&mut key, &columns, ["A/B", "C"]).unwrap_err();
        assert_eq!((error.column.as_str(), error.value.as_str()), ("industry", "A/B"));
        let error = stratum_key(&mut key, &columns, ["A", "B/C"]).unwrap_err();
        assert_eq!((error.column.as_str(), error.value.as_str()), ("unit", "B/C"));
        assert!(error.to_string().starts_with("its unit 'B/C' contains '/'"), "{error}");
    }

    #[test]
    fn one_column_keeps_its_values_as_they_are_and_none_gives_all() {
        let mut key = String::new();
        stratum_key(&mut key, &["industry"], ["A/B"]).unwrap();
        assert_eq!(key, "A/B");
        stratum_key::<&str>(&mut key, &[], []).unwrap();
        assert_eq!(key, SINGLE_STRATUM);
    }

    #[test]
    fn the_lead_department_draws_when_none_is_named() {
        let parameters = rules(&format!(r#"{{{BASE}, "quota": {{"count": 3}}}}"#)).unwrap();
        assert_eq!(parameters.departments().iter().map(ToString::to_string).collect::<Vec<_>>(), ["market"]);
        let named = rules(&format!(r#"{{{BASE}, "quota": {{"count": 3}}, "departments": ["health"]}}"#));
        assert_eq!(named.unwrap().departments()[0].to_string(), "health");
    }

    #[test]
    fn defaults_are_two_inspectors_and_balance() {
        let parameters = rules(&format!(r#"{{{BASE}, "quota": {{"ratio": "3%"}}}}"#)).unwrap();
        assert_eq!(parameters.inspectors_per_target.get(), 2);
        assert!(parameters.balance);
    }
}

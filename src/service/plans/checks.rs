//! Checking a plan's fields, and a task's reference to a plan, before
//! anything is written: each refusal names the field and says what to do.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};

use super::{
    MAX_BATCHES, MAX_CATEGORIES, MAX_CATEGORY_CHARS, MAX_CODE_BYTES, MAX_ITEMS, MAX_NAME_CHARS, PlanBatch,
    PlanItem, YEARS, batches_of, items_of,
};
use crate::domain::records::RISK_CLASSES;
use crate::domain::task_definition::TaskDefinition;
use crate::protocol::BasisPoints;
use crate::protocol::field::check_visible;
use crate::service::{ServiceError, ServiceResult};
use crate::storage::{WriteTx, plans};

pub(super) fn invalid(
    code: &'static str,
    field: impl Into<String>,
    message: impl Into<String>,
) -> ServiceError {
    ServiceError::invalid(code, Some(field.into()), message)
}

/// A percentage, checked and written the one way (`5%`, `12.5%`, `0.25%`).
pub(super) fn ratio(text: &str, field: &str) -> ServiceResult<BasisPoints> {
    BasisPoints::parse_percent(text.trim()).map_err(|reason| invalid("invalid_ratio", field, reason))
}

fn text_field(value: &str, field: &str, code: &'static str, most: usize) -> ServiceResult<String> {
    let value = value.trim();
    if value.is_empty()
        || value.chars().count() > most
        || value.chars().any(char::is_control)
        || check_visible(value).is_err()
    {
        return Err(invalid(
            code,
            field,
            format!("{field} has 1 to {most} characters, without control characters"),
        ));
    }
    Ok(value.to_owned())
}

fn day(text: &str, field: &str, year: i64) -> ServiceResult<NaiveDate> {
    let parsed = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .filter(|day| day.format("%Y-%m-%d").to_string() == text)
        .ok_or_else(|| {
            invalid("invalid_batch_date", field, format!("'{text}' is not a day written YYYY-MM-DD"))
        })?;
    if i64::from(parsed.year()) != year {
        return Err(invalid("invalid_batch_date", field, format!("{text} is not in the plan's year {year}")));
    }
    Ok(parsed)
}

pub(super) fn check_code(code: &str) -> ServiceResult<()> {
    let fine = !code.is_empty()
        && code.len() <= MAX_CODE_BYTES
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && code.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric());
    if !fine {
        return Err(invalid(
            "invalid_code",
            "code",
            format!(
                "a plan's code is 1 to {MAX_CODE_BYTES} letters, digits, '-', '_' or '.', starting with a letter or digit"
            ),
        ));
    }
    Ok(())
}

/// An item's regions or industries, each checked and trimmed.
fn categories(values: &[String], index: usize, name: &str) -> ServiceResult<Vec<String>> {
    if values.len() > MAX_CATEGORIES {
        return Err(invalid(
            "invalid_categories",
            format!("items[{index}].{name}"),
            format!("at most {MAX_CATEGORIES} {name}"),
        ));
    }
    values
        .iter()
        .enumerate()
        .map(|(position, value)| {
            text_field(
                value,
                &format!("items[{index}].{name}[{position}]"),
                "invalid_categories",
                MAX_CATEGORY_CHARS,
            )
        })
        .collect()
}

/// The plan's fields checked against the department's item list, written
/// the one way each (trimmed names, ratios as `BasisPoints` writes them).
pub(super) fn checked(
    year: i64,
    name: &str,
    items: &[PlanItem],
    batches: &[PlanBatch],
    item_list: &[plans::ItemName],
) -> ServiceResult<(String, Vec<PlanItem>, Vec<PlanBatch>)> {
    if !YEARS.contains(&year) {
        return Err(invalid(
            "invalid_year",
            "year",
            format!("a plan's year is between {} and {}", YEARS.start(), YEARS.end()),
        ));
    }
    let name = text_field(name, "name", "invalid_name", MAX_NAME_CHARS)?;
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(invalid("invalid_items", "items", format!("a plan has 1 to {MAX_ITEMS} items")));
    }
    if batches.is_empty() || batches.len() > MAX_BATCHES {
        return Err(invalid("invalid_batches", "batches", format!("a plan has 1 to {MAX_BATCHES} batches")));
    }
    let mut checked_items: Vec<PlanItem> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let field = |name: &str| format!("items[{index}].{name}");
        let known = item_list.iter().find(|known| known.code == item.item);
        match known {
            None => {
                return Err(invalid(
                    "unknown_item",
                    field("item"),
                    format!("'{}' is not an item of the department's item list", item.item),
                ));
            }
            Some(known) if known.retired_on.is_some() => {
                return Err(invalid(
                    "item_retired",
                    field("item"),
                    format!("item {} was retired", item.item),
                ));
            }
            Some(_) => {}
        }
        if checked_items.iter().any(|other| other.item == item.item) {
            return Err(invalid(
                "duplicate_item",
                field("item"),
                format!("item {} is in the plan twice", item.item),
            ));
        }
        let item_ratio = ratio(&item.ratio, &field("ratio"))?;
        let mut risk_ratios = BTreeMap::new();
        for (class, text) in &item.risk_ratios {
            let class_field = format!("items[{index}].risk_ratios.{class}");
            if !RISK_CLASSES.contains(&class.as_str()) {
                return Err(invalid(
                    "invalid_risk_class",
                    class_field,
                    format!("'{class}' is not one of A, B, C, D"),
                ));
            }
            let class_ratio = ratio(text, &class_field)?;
            if class_ratio.get() < item_ratio.get() {
                return Err(invalid(
                    "risk_ratio_below_item",
                    class_field,
                    format!(
                        "risk class {class}'s ratio {class_ratio} is below the item's {item_ratio}: a class's own ratio raises it"
                    ),
                ));
            }
            risk_ratios.insert(class.clone(), class_ratio.to_string());
        }
        let regions = categories(&item.regions, index, "regions")?;
        let industries = categories(&item.industries, index, "industries")?;
        if let Some(draws) = item.draws_per_year
            && !(1..=batches.len() as i64).contains(&draws)
        {
            return Err(invalid(
                "invalid_frequency",
                field("draws_per_year"),
                format!(
                    "an item is drawn in 1 to {} batches a year (the plan's batches), not {draws}",
                    batches.len()
                ),
            ));
        }
        checked_items.push(PlanItem {
            item: item.item.clone(),
            ratio: item_ratio.to_string(),
            risk_ratios,
            regions,
            industries,
            draws_per_year: item.draws_per_year,
        });
    }
    let mut checked_batches: Vec<PlanBatch> = Vec::with_capacity(batches.len());
    let mut previous_end: Option<NaiveDate> = None;
    for (index, batch) in batches.iter().enumerate() {
        let field = |name: &str| format!("batches[{index}].{name}");
        if batch.number != index as i64 + 1 {
            return Err(invalid(
                "invalid_batch_number",
                field("number"),
                format!("batches are numbered 1, 2, 3, … in order; this one is {}", index + 1),
            ));
        }
        let name = text_field(&batch.name, &field("name"), "invalid_batch_name", MAX_NAME_CHARS)?;
        let starts = day(&batch.starts, &field("starts"), year)?;
        let ends = day(&batch.ends, &field("ends"), year)?;
        if ends < starts {
            return Err(invalid(
                "invalid_batch_date",
                field("ends"),
                format!("batch {} ends before it starts", batch.number),
            ));
        }
        if let Some(previous) = previous_end
            && starts <= previous
        {
            return Err(invalid(
                "overlapping_batches",
                field("starts"),
                format!(
                    "batch {} starts on or before the end of batch {} ({previous})",
                    batch.number,
                    batch.number - 1
                ),
            ));
        }
        previous_end = Some(ends);
        checked_batches.push(PlanBatch {
            number: batch.number,
            name,
            starts: batch.starts.clone(),
            ends: batch.ends.clone(),
        });
    }
    Ok((name, checked_items, checked_batches))
}

/// Checks a task's plan, when its `plan_id` names a plan of its department:
/// the plan is approved, `plan_batch` is one of its batches and the task's
/// items are among the plan's; the task then takes the plan's name. A
/// `plan_id` naming no plan of the department stays free text.
pub(in crate::service) async fn apply_plan(
    tx: &mut WriteTx,
    definition: &mut TaskDefinition,
    department: &str,
) -> ServiceResult<()> {
    let Some(code) = definition.plan_id.clone() else {
        if definition.plan_batch.is_some() {
            return Err(invalid(
                "invalid_plan_batch",
                "plan_batch",
                "a plan_batch needs a plan_id naming an approved plan",
            ));
        }
        return Ok(());
    };
    let Some(row) = plans::get_in(tx.conn(), department, &code).await? else {
        if definition.plan_batch.is_some() {
            return Err(invalid(
                "invalid_plan_batch",
                "plan_batch",
                format!("your department has no plan '{code}' whose batches plan_batch could number"),
            ));
        }
        return Ok(());
    };
    if row.state != "approved" {
        return Err(invalid(
            "plan_not_approved",
            "plan_id",
            format!("plan {code} is a draft; a task belongs to an approved plan only"),
        ));
    }
    let batches = batches_of(&row)?;
    let batch = definition.plan_batch.map(i64::from);
    if !batches.iter().any(|b| Some(b.number) == batch) {
        return Err(invalid(
            "invalid_plan_batch",
            "plan_batch",
            format!("plan {code} has batches 1 to {}; plan_batch names one of them", batches.len()),
        ));
    }
    let items = items_of(&row)?;
    if let Some((index, item)) = definition
        .items
        .iter()
        .enumerate()
        .find(|(_, code)| !items.iter().any(|planned| &planned.item == *code))
    {
        return Err(invalid(
            "item_not_in_plan",
            format!("items[{index}]"),
            format!("item {item} is not in plan {code}"),
        ));
    }
    definition.plan_name = Some(row.name);
    Ok(())
}

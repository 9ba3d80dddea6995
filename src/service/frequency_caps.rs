//! Frequency caps (PROTOCOL.md §17): a department caps how often one target
//! may be drawn for one of its items in a calendar year, and a commit keeps
//! out of the pool the targets that reached a cap of the task's items,
//! recording the caps in the task's parameters.

use std::collections::BTreeMap;

use chrono::Datelike;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::Action;
use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::domain::calendar::local_day;
use crate::domain::task_definition::TaskDefinition;
use crate::protocol::FrequencyCap;
use crate::protocol::field::ItemCode;
use crate::storage::WriteTx;
use crate::storage::directory::{self, Directory};
use crate::storage::frequency_caps::{self, CapExclusion};

/// An item's cap as set: `{"frequency_cap": 1}`, or `null` for none.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FrequencyCapSetting {
    /// At most this many draws of one target for the item in a calendar
    /// year (1 to 250); null: no cap. Required, so that a body without it
    /// is refused rather than read as "no cap".
    #[schema(minimum = 1, maximum = 250, required = true)]
    #[serde(deserialize_with = "present")]
    pub frequency_cap: Option<i64>,
}

/// An `Option` that must be given, as a value or `null`.
fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Option::deserialize(deserializer)
}

/// An item's cap after a change.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemFrequencyCap {
    pub code: String,
    pub frequency_cap: Option<i64>,
}

/// The caps a commit applies: what its parameters record, and which
/// earlier draws keep targets out of its pool.
pub(super) struct AppliedCaps {
    pub caps: BTreeMap<ItemCode, FrequencyCap>,
    pub exclusions: Vec<CapExclusion>,
}

impl Service {
    /// Sets or clears the cap of an item the caller's department keeps.
    pub async fn set_frequency_cap(
        &self,
        user: &User,
        code: &str,
        setting: FrequencyCapSetting,
    ) -> ServiceResult<ItemFrequencyCap> {
        let department = supervised_department(user)?;
        let cap = setting
            .frequency_cap
            .map(|times| {
                let times = u32::try_from(times).unwrap_or(u32::MAX);
                FrequencyCap::check_times(times).map(i64::from)
            })
            .transpose()
            .map_err(|reason| {
                ServiceError::invalid("invalid_frequency_cap", Some("frequency_cap".into()), reason)
            })?;
        let mut tx = self.store().write().await?;
        let keepers = directory::keepers(&mut tx, Directory::Items, &[code]).await?;
        match keepers.get(code) {
            None => return Err(ServiceError::NotFound(format!("there is no item {code}"))),
            Some(keeper) if keeper != department => {
                return Err(ServiceError::Forbidden(format!(
                    "item {code} is kept by {keeper}; only its own department caps it"
                )));
            }
            Some(_) => {}
        }
        frequency_caps::set(tx.conn(), code, cap).await?;
        let detail = cap.map_or_else(|| "no cap".to_owned(), |times| format!("{times} a year"));
        self.audit(tx.conn(), Some(user), Action::FrequencyCapChanged, Some(code), Some(&detail)).await?;
        tx.commit().await?;
        Ok(ItemFrequencyCap { code: code.to_owned(), frequency_cap: cap })
    }

    /// The caps of the task's items that its department keeps, for the year
    /// of today, and the earlier draws that count against them: those of
    /// the department's revealed tasks for the item drawn in that year.
    ///
    /// A task abandoned after its draw does not count. The cap limits how
    /// often an entity is inspected, and an abandoned task inspects nobody;
    /// counting it would also let whoever commits shield chosen entities
    /// for the rest of the year by drawing a task and abandoning it. A task
    /// still sealed does not count either: see `revealed_tasks`.
    pub(super) async fn frequency_caps(
        &self,
        tx: &mut WriteTx,
        department: &str,
        definition: &TaskDefinition,
    ) -> ServiceResult<AppliedCaps> {
        let codes: Vec<&str> = definition.items.iter().map(String::as_str).collect();
        let capped = frequency_caps::item_caps(tx.conn(), department, &codes).await?;
        let mut applied = AppliedCaps { caps: BTreeMap::new(), exclusions: Vec::new() };
        if capped.is_empty() {
            return Ok(applied);
        }
        let year = self.today().year();
        let mut counted: Vec<(i64, Vec<String>)> = Vec::new();
        for task in frequency_caps::revealed_tasks(tx.conn(), department).await? {
            let drawn_in = local_day(&task.drawn_at.to_string()).map(|day| day.year());
            if drawn_in != Some(year) {
                continue;
            }
            let items = serde_json::from_str::<TaskDefinition>(&task.definition)
                .map_err(|error| damaged_store(format!("task {}'s definition: {error}", task.id)))?
                .items;
            counted.push((task.id, items));
        }
        for item in capped {
            let damaged = |reason: String| damaged_store(format!("item {}'s cap: {reason}", item.code));
            let times = u32::try_from(item.frequency_cap).map_err(|error| damaged(error.to_string()))?;
            let cap = FrequencyCap::new(times, year.unsigned_abs()).map_err(damaged)?;
            let code = ItemCode::parse(&item.code).map_err(|error| damaged(error.to_string()))?;
            let tasks = counted.iter().filter(|(_, items)| items.contains(&item.code)).map(|(id, _)| *id);
            applied.exclusions.push(CapExclusion { times, tasks: tasks.collect() });
            applied.caps.insert(code, cap);
        }
        Ok(applied)
    }
}

fn damaged_store(reason: String) -> ServiceError {
    ServiceError::Store(crate::storage::StoreError::Damaged(reason))
}

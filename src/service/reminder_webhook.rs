//! The daily reminder summary by webhook, off unless `serve
//! --reminder-webhook URL` turns it on: once a day, from a configured hour
//! where the service works, one JSON POST with every department's
//! reminders (per inspector, the open lines due within five working days
//! and overdue, as the dashboard shows them). A day with nothing to remind
//! sends nothing; a failed POST is tried again at the next look, so a
//! receiver that was down still gets the day's summary.

use std::time::Duration;

use chrono::{NaiveDate, Timelike};
use serde::Serialize;

use super::dashboard::Reminder;
use super::{Service, ServiceResult};
use crate::storage::dashboard;

/// What the webhook receives.
#[derive(Debug, Clone, Serialize)]
pub struct ReminderSummary {
    /// The day the summary is for, where the service works.
    pub date: String,
    /// The departments with anything to remind, by code.
    pub departments: Vec<DepartmentReminders>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DepartmentReminders {
    pub department: String,
    pub reminders: Vec<Reminder>,
}

/// Where and when the summary goes.
#[derive(Debug, Clone)]
pub struct ReminderWebhook {
    url: String,
    hour: u32,
    client: reqwest::Client,
}

/// How long a POST may take before it counts as failed.
const POST_TIMEOUT: Duration = Duration::from_secs(30);

impl Service {
    /// Every department's reminders today, the departments without any left out.
    pub async fn reminder_summary(&self) -> ServiceResult<ReminderSummary> {
        let mut departments = Vec::new();
        for department in dashboard::inspector_departments(self.store().pool()).await? {
            let reminders = self.reminders_of(&department).await?;
            if !reminders.is_empty() {
                departments.push(DepartmentReminders { department, reminders });
            }
        }
        Ok(ReminderSummary { date: self.today().to_string(), departments })
    }
}

impl ReminderWebhook {
    /// A webhook to `url` (plain `http://`: the server's HTTP client has no
    /// TLS; send through a local relay for HTTPS) from `hour` (0–23) on.
    pub fn new(url: &str, hour: u32) -> Result<Self, String> {
        if !url.starts_with("http://") {
            return Err(format!(
                "the reminder webhook '{url}' must be an http:// address (the server sends no TLS of its own)"
            ));
        }
        if hour > 23 {
            return Err(format!("the reminder hour {hour} is not an hour of the day (0 to 23)"));
        }
        let client = reqwest::Client::builder().timeout(POST_TIMEOUT).build().map_err(|e| e.to_string())?;
        Ok(ReminderWebhook { url: url.to_owned(), hour, client })
    }

    /// Sends today's summary when the hour has come and `last` (the last
    /// day sent) is not today; returns the last day sent after this look.
    pub async fn send_if_due(&self, service: &Service, last: Option<NaiveDate>) -> Option<NaiveDate> {
        let today = service.today();
        let offset = crate::domain::calendar::configure_offset().ok()?;
        let hour = service.now().with_timezone(&offset).hour();
        if last == Some(today) || hour < self.hour {
            return last;
        }
        let summary = match service.reminder_summary().await {
            Ok(summary) => summary,
            Err(error) => {
                tracing::warn!(%error, "the reminder summary could not be read; trying again later");
                return last;
            }
        };
        if summary.departments.is_empty() {
            return Some(today);
        }
        match self.client.post(&self.url).json(&summary).send().await.and_then(|r| r.error_for_status()) {
            Ok(_) => {
                tracing::info!(date = %summary.date, departments = summary.departments.len(), "reminder summary sent");
                Some(today)
            }
            Err(error) => {
                tracing::warn!(%error, url = %self.url, "the reminder summary was not delivered; trying again later");
                last
            }
        }
    }

    /// Looks every `every` whether the day's summary is due, for ever.
    pub async fn run(self, service: Service, every: Duration) {
        let mut last = None;
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            last = self.send_if_due(&service, last).await;
        }
    }
}

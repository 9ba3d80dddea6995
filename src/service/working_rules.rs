//! The departments' working rules for random inspections (抽查工作细则):
//! a supervisor publishes a new version of their department's rules, and
//! anyone reads every department's current version, its history and any
//! version's Markdown source. A version is never changed or removed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer};
use super::{Service, ServiceError, ServiceResult, supervised_department};
use crate::domain::account::User;
use crate::protocol::Digest;
use crate::storage::working_rules::{self, NewVersion, VersionRow};

/// The longest Markdown text of a version, in bytes (UTF-8): a long
/// department's rules run to some tens of thousands of characters.
pub const MAX_TEXT_BYTES: usize = 200 * 1000;

/// The longest title, in characters.
const MAX_TITLE_CHARS: usize = 200;

/// A new version of the caller's department's working rules.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesPublication {
    /// 1 to 200 characters, no control characters.
    #[schema(example = "市场监管局随机抽查工作细则")]
    pub title: String,
    /// The day it takes effect, `YYYY-MM-DD`.
    #[schema(example = "2027-01-01")]
    pub effective_on: String,
    /// The rules in Markdown, at most 200 000 bytes.
    pub text: String,
}

/// One version of a department's working rules, without its text.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RulesVersion {
    /// The department's code; its display names are in `GET /api/public/site`.
    pub department: String,
    /// 1, 2, 3, … per department.
    pub version: i64,
    pub title: String,
    /// The day it takes effect, as the department set it (`YYYY-MM-DD`).
    pub effective_on: String,
    /// When it was published (UTC, RFC 3339).
    pub published_at: String,
    /// SHA-256 of the Markdown text (lowercase hex), as its log entry names it.
    pub text_sha256: String,
}

/// One version with its Markdown source.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct RulesText {
    #[serde(flatten)]
    pub version: RulesVersion,
    /// The Markdown source as published. Render it as untrusted text.
    pub text: String,
}

/// A department's working rules: its current version and the earlier ones.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DepartmentRules {
    pub department: String,
    /// The latest version published.
    pub current: RulesVersion,
    /// The versions before it, newest first.
    pub earlier: Vec<RulesVersion>,
}

/// Every department that has published working rules, by code.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PublicRulesList {
    pub departments: Vec<DepartmentRules>,
}

impl From<VersionRow> for RulesVersion {
    fn from(row: VersionRow) -> Self {
        RulesVersion {
            department: row.department,
            version: row.version,
            title: row.title,
            effective_on: row.effective_on,
            published_at: row.published_at,
            text_sha256: row.text_sha256,
        }
    }
}

/// The departments' rules from their versions, sorted by department and version.
fn by_department(rows: Vec<VersionRow>) -> Vec<DepartmentRules> {
    let mut departments: Vec<DepartmentRules> = Vec::new();
    for row in rows.into_iter().rev() {
        let version = RulesVersion::from(row);
        match departments.last_mut() {
            Some(rules) if rules.department == version.department => rules.earlier.push(version),
            _ => departments.push(DepartmentRules {
                department: version.department.clone(),
                current: version,
                earlier: Vec::new(),
            }),
        }
    }
    departments.reverse();
    departments
}

/// The publication's fields, checked: its title and effective day.
fn checked(publication: &RulesPublication) -> ServiceResult<(&str, NaiveDate)> {
    let title = publication.title.trim();
    if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS || title.chars().any(char::is_control) {
        return Err(ServiceError::invalid(
            "invalid_title",
            Some("title".to_owned()),
            format!("the title has 1 to {MAX_TITLE_CHARS} characters, without control characters"),
        ));
    }
    let effective_on = NaiveDate::parse_from_str(&publication.effective_on, "%Y-%m-%d")
        .ok()
        .filter(|day| day.format("%Y-%m-%d").to_string() == publication.effective_on)
        .ok_or_else(|| {
            ServiceError::invalid(
                "invalid_effective_on",
                Some("effective_on".to_owned()),
                format!("effective_on is a day written YYYY-MM-DD, not '{}'", publication.effective_on),
            )
        })?;
    if publication.text.trim().is_empty() {
        return Err(ServiceError::invalid(
            "empty_text",
            Some("text".to_owned()),
            "the rules' Markdown text is empty",
        ));
    }
    if publication.text.len() > MAX_TEXT_BYTES {
        return Err(ServiceError::invalid(
            "text_too_long",
            Some("text".to_owned()),
            format!(
                "the rules' text has {} bytes; at most {MAX_TEXT_BYTES} are accepted",
                publication.text.len()
            ),
        ));
    }
    if publication.text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(ServiceError::invalid(
            "invalid_text",
            Some("text".to_owned()),
            "the rules' text has a control character other than a line break or tab",
        ));
    }
    Ok((title, effective_on))
}

impl Service {
    /// Publishes a new version of the caller's department's working rules,
    /// with its `rules.published` log entry in the same transaction.
    pub async fn publish_rules(
        &self,
        user: &User,
        publication: &RulesPublication,
    ) -> ServiceResult<RulesVersion> {
        let department = supervised_department(user)?;
        let (title, effective_on) = checked(publication)?;
        let effective_on = effective_on.to_string();
        let text_sha256 = Digest::of_file(publication.text.as_bytes()).to_hex();
        let new = NewVersion {
            department,
            title,
            effective_on: &effective_on,
            text: &publication.text,
            text_sha256: &text_sha256,
            published_at: self.now(),
            published_by: &user.name,
        };
        let mut tx = self.store().write().await?;
        let version = working_rules::publish(&mut tx, &new).await?;
        tx.commit().await?;
        tracing::info!(department, version, "published working rules");
        let row =
            working_rules::version(self.store().pool(), department, version).await?.ok_or_else(|| {
                ServiceError::NotFound(format!("{department}'s rules version {version} vanished"))
            })?;
        Ok(row.version.into())
    }

    /// Every department's working rules, current and earlier, ready to send.
    pub async fn public_rules(&self) -> ServiceResult<PublicAnswer> {
        let stamp = self.public_stamp().await?;
        self.answer("rules".to_owned(), stamp, None, async {
            let rows = working_rules::versions(self.store().read_pool(), None).await?;
            let list = PublicRulesList { departments: by_department(rows) };
            Ok(PublicAnswer::json(&list, Freshness::Live))
        })
        .await
    }

    /// One version of a department's working rules with its Markdown
    /// source; a version never changes once published.
    pub async fn public_rules_version(&self, department: &str, version: i64) -> ServiceResult<PublicAnswer> {
        let Some(row) = working_rules::version(self.store().read_pool(), department, version).await? else {
            return Err(ServiceError::NotFound(format!(
                "{department} has published no version {version} of its working rules"
            )));
        };
        let text = RulesText { version: row.version.into(), text: row.text };
        Ok(PublicAnswer::json(&text, Freshness::Immutable))
    }
}

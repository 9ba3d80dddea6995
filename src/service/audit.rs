//! The internal audit trail (DESIGN: "staff actions that are not public"):
//! who did what, when, from which address. Each entry is written in the
//! transaction of the change it records; a failed sign-in, which changes
//! nothing, in its own. No entry ever holds a password, a token or a
//! session id: the callers pass names, kinds and counts only.

use bytes::Bytes;
use futures_util::Stream;
use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::csv_export::{self, csv_error};
use super::{Service, ServiceResult, require};
use crate::domain::account::{Role, User};
use crate::domain::time::Timestamp;
use crate::files::csv_output::SpreadsheetCsv;
use crate::storage::audit::{self, AuditRow, NewEntry};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    SignIn,
    SignInFailed,
    SignOut,
    PasswordChanged,
    PasswordReset,
    AccountCreated,
    AccountChanged,
    TokenRotated,
    Import,
    DepartmentChanged,
    BrandingChanged,
    FrequencyCapChanged,
    PublicationChanged,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::SignIn => "sign_in",
            Action::SignInFailed => "sign_in_failed",
            Action::SignOut => "sign_out",
            Action::PasswordChanged => "password_changed",
            Action::PasswordReset => "password_reset",
            Action::AccountCreated => "account_created",
            Action::AccountChanged => "account_changed",
            Action::TokenRotated => "token_rotated",
            Action::Import => "import",
            Action::DepartmentChanged => "department_changed",
            Action::BrandingChanged => "branding_changed",
            Action::FrequencyCapChanged => "frequency_cap_changed",
            Action::PublicationChanged => "publication_changed",
        }
    }
}

/// One entry of the trail.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339, UTC.
    #[schema(value_type = String)]
    pub at: Timestamp,
    /// The account that acted; none for the command line or a failed sign-in.
    pub actor: Option<String>,
    /// The client's IP address, when the action came over HTTP.
    pub address: Option<String>,
    /// sign_in, sign_in_failed, sign_out, password_changed, password_reset,
    /// account_created, account_changed, token_rotated, import,
    /// department_changed or branding_changed.
    pub action: String,
    /// What the action was about: an account's name, a directory's kind.
    pub subject: Option<String>,
    /// A short description: what changed, how many rows.
    pub detail: Option<String>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        AuditEntry {
            id: row.id,
            at: row.at,
            actor: row.actor,
            address: row.address,
            action: row.action,
            subject: row.subject,
            detail: row.detail,
        }
    }
}

/// A page of the trail, newest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `after` for the next (older) page; none on the last page.
    pub next: Option<i64>,
}

/// Rows of the CSV export read at once.
const CSV_BATCH: i64 = 1000;

impl Service {
    /// Writes an entry in the transaction `conn` belongs to, with this
    /// request's address and the service's clock.
    pub(crate) async fn audit(
        &self,
        conn: &mut AnyConnection,
        actor: Option<&User>,
        action: Action,
        subject: Option<&str>,
        detail: Option<&str>,
    ) -> ServiceResult<()> {
        let entry = NewEntry {
            at: Timestamp::from(self.now()),
            actor: actor.map(|user| user.name.as_str()),
            address: self.address.map(|address| address.to_string()),
            action: action.as_str(),
            subject,
            detail,
        };
        Ok(audit::record(conn, &entry).await?)
    }

    /// A page of the trail before entry `after` (admins only).
    pub async fn audit_page(&self, by: &User, after: Option<i64>, limit: i64) -> ServiceResult<AuditPage> {
        require(by, Role::Admin)?;
        let rows = audit::newest_first(self.store().pool(), after, limit).await?;
        let next = (rows.len() as i64 == limit).then(|| rows.last().map(|row| row.id)).flatten();
        Ok(AuditPage { entries: rows.into_iter().map(AuditEntry::from).collect(), next })
    }

    /// The whole trail as CSV, newest first, sent a batch at a time
    /// (admins only).
    pub fn audit_csv(
        &self,
        by: &User,
    ) -> ServiceResult<impl Stream<Item = ServiceResult<Bytes>> + Send + use<>> {
        require(by, Role::Admin)?;
        let headers = ["id", "at", "actor", "address", "action", "subject", "detail"];
        csv_export::export(&headers, AuditBatches { service: self.clone() })
    }
}

struct AuditBatches {
    service: Service,
}

impl csv_export::Batches for AuditBatches {
    type Key = i64;

    async fn write_batch(
        &mut self,
        after: Option<&i64>,
        writer: &mut SpreadsheetCsv,
    ) -> ServiceResult<Option<(i64, bool)>> {
        let rows = audit::newest_first(self.service.store().pool(), after.copied(), CSV_BATCH).await?;
        let full = rows.len() as i64 == CSV_BATCH;
        let Some(last) = rows.last().map(|row| row.id) else { return Ok(None) };
        for row in rows {
            let id = row.id.to_string();
            let at = row.at.to_string();
            let cells = [
                id.as_str(),
                at.as_str(),
                row.actor.as_deref().unwrap_or(""),
                row.address.as_deref().unwrap_or(""),
                row.action.as_str(),
                row.subject.as_deref().unwrap_or(""),
                row.detail.as_deref().unwrap_or(""),
            ];
            writer.write_record(cells).map_err(csv_error)?;
        }
        Ok(Some((last, full)))
    }
}

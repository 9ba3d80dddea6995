//! The site's own settings, kept by admins: departments' display names and
//! the branding (the issuing authority, the contact and objection channels,
//! the ICP filing number); and the public answer that shows them.
//!
//! Every change bumps the settings' revision in its own transaction; the
//! public answer is kept by that revision, so a change shows at once on
//! every server without going into the public log.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::audit::Action;
use super::public_answers::{Freshness, PublicAnswer};
use super::{Service, ServiceError, ServiceResult, require};
use crate::domain::account::{Role, User};
use crate::protocol::field::Department;
use crate::storage::site::{self, DepartmentRow};

/// The longest name or setting taken, in characters.
const MAX_SETTING: usize = 200;

/// A department with its display names (empty when none were given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DepartmentView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A department's display names as an admin sets them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DepartmentNames {
    /// 1 to 200 characters, no control characters.
    pub name_zh: String,
    /// At most 200 characters, no control characters; may be empty.
    pub name_en: String,
}

/// The site's branding; each setting at most 200 characters, no control
/// characters, and may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// The issuing authority, as the site's header names it.
    pub authority_zh: String,
    pub authority_en: String,
    /// How to reach the authority (a telephone number, an address).
    pub contact: String,
    /// Where to object to a draw or a published result.
    pub objection_channel: String,
    /// The ICP filing number shown in the footer.
    pub icp_filing: String,
}

/// What the public site shows of the settings.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicSite {
    pub branding: Branding,
    pub departments: Vec<DepartmentView>,
}

impl Branding {
    /// The settings in order, with their names (the stored settings' names).
    fn fields(&self) -> [(&'static str, &str); 5] {
        [
            ("authority_zh", &self.authority_zh),
            ("authority_en", &self.authority_en),
            ("contact", &self.contact),
            ("objection_channel", &self.objection_channel),
            ("icp_filing", &self.icp_filing),
        ]
    }

    fn set(&mut self, name: &str, value: String) {
        match name {
            "authority_zh" => self.authority_zh = value,
            "authority_en" => self.authority_en = value,
            "contact" => self.contact = value,
            "objection_channel" => self.objection_channel = value,
            "icp_filing" => self.icp_filing = value,
            _ => {}
        }
    }
}

impl Service {
    /// Every known department, with its names.
    pub async fn departments(&self, _user: &User) -> ServiceResult<Vec<DepartmentView>> {
        let rows = site::departments(self.store().pool()).await?;
        Ok(rows.into_iter().map(DepartmentView::from).collect())
    }

    /// Gives a known department its display names (admins).
    pub async fn set_department_names(
        &self,
        user: &User,
        code: &str,
        names: &DepartmentNames,
    ) -> ServiceResult<DepartmentView> {
        require(user, Role::Admin)?;
        let unknown = || ServiceError::NotFound(format!("there is no department {code}"));
        Department::parse(code).map_err(|_| unknown())?;
        check_setting("name_zh", &names.name_zh, true)?;
        check_setting("name_en", &names.name_en, false)?;
        let mut tx = self.store().write().await?;
        if !site::department_known(tx.conn(), code).await? {
            return Err(unknown());
        }
        site::set_department_names(tx.conn(), code, &names.name_zh, &names.name_en).await?;
        site::bump_revision(tx.conn()).await?;
        let detail = format!("{} / {}", names.name_zh, names.name_en);
        self.audit(tx.conn(), Some(user), Action::DepartmentChanged, Some(code), Some(&detail)).await?;
        tx.commit().await?;
        Ok(DepartmentView {
            code: code.to_owned(),
            name_zh: names.name_zh.clone(),
            name_en: names.name_en.clone(),
        })
    }

    /// The branding settings (admins).
    pub async fn branding(&self, user: &User) -> ServiceResult<Branding> {
        require(user, Role::Admin)?;
        self.stored_branding().await
    }

    /// Replaces the branding settings (admins); a bad one changes nothing.
    pub async fn set_branding(&self, user: &User, branding: &Branding) -> ServiceResult<Branding> {
        require(user, Role::Admin)?;
        for (name, value) in branding.fields() {
            check_setting(name, value, false)?;
        }
        let mut tx = self.store().write().await?;
        for (name, value) in branding.fields() {
            site::set_setting(tx.conn(), name, value).await?;
        }
        site::bump_revision(tx.conn()).await?;
        self.audit(tx.conn(), Some(user), Action::BrandingChanged, None, Some(&branding.authority_zh))
            .await?;
        tx.commit().await?;
        Ok(branding.clone())
    }

    /// The branding and the departments' names, for anyone, ready to send.
    pub async fn public_site(&self) -> ServiceResult<PublicAnswer> {
        let pool = self.store().read_pool();
        let revision = site::revision(pool).await?;
        self.answer("site".into(), revision as u64, None, async {
            let departments = site::departments(pool).await?.into_iter().map(DepartmentView::from).collect();
            let site = PublicSite { branding: self.stored_branding().await?, departments };
            Ok(PublicAnswer::json(&site, Freshness::Live))
        })
        .await
    }

    async fn stored_branding(&self) -> ServiceResult<Branding> {
        let mut branding = Branding::default();
        for row in site::settings(self.store().read_pool()).await? {
            branding.set(&row.name, row.value);
        }
        Ok(branding)
    }
}

/// A name or setting: bounded, without control characters, and not empty
/// when `required`.
fn check_setting(field: &str, value: &str, required: bool) -> ServiceResult<()> {
    let refuse = |reason: String| ServiceError::invalid("invalid_setting", Some(field.to_owned()), reason);
    if required && value.trim().is_empty() {
        return Err(refuse(format!("{field} is empty; give 1 to {MAX_SETTING} characters")));
    }
    let length = value.chars().count();
    if length > MAX_SETTING {
        return Err(refuse(format!("{field} has {length} characters; at most {MAX_SETTING} are taken")));
    }
    if let Some(position) = value.chars().position(char::is_control) {
        return Err(refuse(format!("{field} holds a control character at character {}", position + 1)));
    }
    Ok(())
}

impl From<DepartmentRow> for DepartmentView {
    fn from(row: DepartmentRow) -> Self {
        DepartmentView {
            code: row.code,
            name_zh: row.name_zh.unwrap_or_default(),
            name_en: row.name_en.unwrap_or_default(),
        }
    }
}

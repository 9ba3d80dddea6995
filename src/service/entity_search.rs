//! The public entity search: entities found by the start of their code or
//! by part of their name, so that someone who knows only a company's name
//! reaches its entity page. It finds exactly the entities the page answers
//! for by id — those in the target directory, and (by their whole code
//! only: the pools' index holds no names) those a committed pool held —
//! and shows of each only its code and name: never whether it was drawn.

use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::public_answers::{Freshness, PublicAnswer};
use super::{Service, ServiceResult};
use crate::storage::entity_search::{self, FoundEntity};

/// The most characters a search may have.
pub const SEARCH_MAX_CHARS: usize = 100;
/// The most entities an answer may list.
pub const SEARCH_MAX_LIMIT: i64 = 50;

/// What was typed: 1 to 100 characters once the spaces around it are
/// removed, without control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(String);

impl SearchText {
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars == 0 || chars > SEARCH_MAX_CHARS {
            return Err(format!("must be 1 to {SEARCH_MAX_CHARS} characters besides spaces, not {chars}"));
        }
        if text.chars().any(char::is_control) {
            return Err("must not hold control characters".into());
        }
        Ok(SearchText(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for SearchText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        SearchText::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// An entity found by a search; its page is `/api/public/entities/{id}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EntityMatch {
    pub id: String,
    /// Its name in the directory; none for an entity only a pool still holds.
    pub name: Option<String>,
    /// How it matched: `code` (its code starts with the search), `name`
    /// (its name holds it).
    pub matched: String,
}

impl EntityMatch {
    fn of(found: FoundEntity, matched: &str) -> Self {
        EntityMatch { id: found.id, name: Some(found.name), matched: matched.to_owned() }
    }
}

impl Service {
    /// Entities whose code starts with `text`, then those whose name holds
    /// it (names that start with it first): at most `limit`, ready to send.
    pub async fn search_entities(&self, text: &SearchText, limit: i64) -> ServiceResult<PublicAnswer> {
        let limit = limit.clamp(1, SEARCH_MAX_LIMIT);
        let stamp = self.public_stamp().await?;
        let question = format!("entities/{limit}/{}", text.as_str());
        self.answer(question, stamp, Some(super::public::ENTITY_MAX_AGE), async {
            Ok(PublicAnswer::json(&self.entity_matches(text.as_str(), limit).await?, Freshness::Live))
        })
        .await
    }

    async fn entity_matches(&self, text: &str, limit: i64) -> ServiceResult<Vec<EntityMatch>> {
        let pool = self.store().read_pool();
        let backend = self.store().backend();
        let mut matches: Vec<EntityMatch> = entity_search::by_code_prefix(pool, backend, text, limit)
            .await?
            .into_iter()
            .map(|found| EntityMatch::of(found, "code"))
            .collect();
        if !matches.iter().any(|known| known.id == text) && !self.pools_holding(text).await?.is_empty() {
            // Gone from the directory, but its page still answers for it.
            matches.insert(0, EntityMatch { id: text.to_owned(), name: None, matched: "code".into() });
            matches.truncate(limit as usize);
        }
        if (matches.len() as i64) < limit {
            for found in entity_search::by_name(pool, backend, text, limit).await? {
                if matches.len() as i64 == limit {
                    break;
                }
                if !matches.iter().any(|known| known.id == found.id) {
                    matches.push(EntityMatch::of(found, "name"));
                }
            }
        }
        Ok(matches)
    }
}

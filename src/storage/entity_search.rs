//! Finding entities by the start of their code or by part of their name,
//! for the public entity search. It reads only what the entity page shows
//! for an id anyone may ask about: the target directory. Nothing drawn is
//! read here, so a sealed selection cannot shape an answer.
//!
//! What each kind of match costs:
//! - a code prefix is a range of the primary key: a few index pages;
//! - a name (prefix or part, `%q%`) is one scan of the directory's names
//!   (measured: about 0.14 s for 1 M names on SQLite, 0.25 s on
//!   PostgreSQL with its parallel scan). An index would answer at once,
//!   but kept up while the directory is imported it makes that import
//!   several times slower (measured on 1 M targets: a B-tree on names,
//!   SQLite 2.5 s → 13.5 s, PostgreSQL 4.0 s → 11.4 s with one on ids; a
//!   trigram index, SQLite FTS5 `trigram` 1.4 s → 11 s in memory,
//!   PostgreSQL `pg_trgm` GIN 10.6 s → 49.8 s; `CREATE EXTENSION pg_trgm`
//!   works on the PostgreSQL the tests use), and the import's time is the
//!   one promised. (Measured once on this machine's kind: 1 M random
//!   ten-character Chinese names with 18-character codes, inserted in one
//!   transaction through Python's sqlite3 and by `INSERT … SELECT` on
//!   PostgreSQL 15, with and without the index; the scans with `LIKE
//!   '%…%'` over the same rows.) Answers are kept like the other public
//!   answers, so a question asked again is not scanned again.

use sqlx::FromRow;

use super::{Backend, StoreResult};

/// An entity found: its id and its name in the directory.
#[derive(Debug, Clone, FromRow)]
pub struct FoundEntity {
    pub id: String,
    pub name: String,
}

/// `text` with `LIKE`'s wildcards and the escape character escaped.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Directory entities whose id starts with `prefix`, by id. The range
/// `[prefix, prefix + U+10FFFF)` is what starts with the prefix in code
/// point order (SQLite's, and PostgreSQL's under the C collations); the
/// second test keeps the answer exact under any other collation.
pub async fn by_code_prefix(
    pool: &sqlx::AnyPool,
    backend: Backend,
    prefix: &str,
    limit: i64,
) -> StoreResult<Vec<FoundEntity>> {
    let starts = match backend {
        Backend::Sqlite => "substr(id, 1, length($1)) = $1",
        Backend::Postgres => "starts_with(id, $1)",
    };
    let sql =
        format!("SELECT id, name FROM targets WHERE id >= $1 AND id < $2 AND {starts} ORDER BY id LIMIT $3");
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(prefix.to_owned())
        .bind(format!("{prefix}\u{10FFFF}"))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows)
}

/// Directory entities whose name holds `part` (ASCII letters in any
/// case): those whose name starts with it first, then by name and id.
pub async fn by_name(
    pool: &sqlx::AnyPool,
    backend: Backend,
    part: &str,
    limit: i64,
) -> StoreResult<Vec<FoundEntity>> {
    // SQLite's LIKE already ignores the case of ASCII letters.
    let like = match backend {
        Backend::Sqlite => "LIKE",
        Backend::Postgres => "ILIKE",
    };
    let sql = format!(
        "SELECT id, name FROM targets WHERE name {like} $1 ESCAPE '\\' \
         ORDER BY CASE WHEN name {like} $2 ESCAPE '\\' THEN 0 ELSE 1 END, name, id LIMIT $3"
    );
    let escaped = like_escaped(part);
    let rows = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(format!("%{escaped}%"))
        .bind(format!("{escaped}%"))
        .bind(limit)
        .fetch_all(pool)
        .await?;
    Ok(rows)
}

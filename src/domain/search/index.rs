//! The search index's SQL, one dialect per engine: SQLite's FTS5 table `search_fts` and
//! PostgreSQL's `tsvector` column with `pg_trgm` on the vocabulary (see the migration
//! `m20261125_000002_search_index`, whose triggers keep both current).

use std::collections::HashMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{ConnectionTrait, DbBackend, QueryResult, Statement, Value};
use uuid::Uuid;

use super::Kind;
use super::query::{TextQuery, WordMatch};
use super::text::{correctable, is_typo_of, typos_forgiven};
use crate::db::page::Window;
use crate::error::ApiResult;

/// Most corrections one misspelt word is matched by.
const MAX_CORRECTIONS: usize = 10;

/// Base forms looked up per word.
const BASE_CANDIDATES: usize = 4;

/// Resolves normalised query words against the vocabulary: a word whose stem some indexed
/// word starts with is matched by prefix, the shortest such words ranking higher; a word
/// that is not is matched by the indexed words within its typo distance. `None` when a word
/// has neither, so nothing can match. Two statements at most: one probe for all words, one
/// look-up of corrections.
pub async fn resolve<C: ConnectionTrait>(db: &C, words: &[String]) -> ApiResult<Option<TextQuery>> {
    let mut matches: Vec<WordMatch> = words.iter().map(|w| WordMatch::prefix(w)).collect();
    let probed: Vec<usize> = (0..words.len())
        .filter(|&i| correctable(&words[i]))
        .collect();
    if probed.is_empty() {
        return Ok(Some(TextQuery { words: matches }));
    }
    let mut unknown = Vec::new();
    let mut bases = with_stem(db, &probed, &matches).await?;
    for i in probed {
        match bases.remove(&i) {
            Some(terms) => {
                if let WordMatch::Prefix { base, .. } = &mut matches[i] {
                    *base = base_forms(&words[i], terms);
                }
            }
            None => unknown.push(i),
        }
    }
    if unknown.is_empty() {
        return Ok(Some(TextQuery { words: matches }));
    }
    let unknown_words: Vec<&str> = unknown.iter().map(|&i| words[i].as_str()).collect();
    let vocabulary = near_terms(db, &unknown_words).await?;
    for (i, word) in unknown.into_iter().zip(unknown_words) {
        let mut corrections: Vec<(usize, &String)> = vocabulary
            .iter()
            .filter(|term| is_typo_of(word, term))
            .map(|term| (strsim::damerau_levenshtein(word, term), term))
            .collect();
        if corrections.is_empty() {
            return Ok(None);
        }
        corrections.sort();
        corrections.truncate(MAX_CORRECTIONS);
        matches[i] =
            WordMatch::Corrected(corrections.into_iter().map(|(_, t)| t.clone()).collect());
    }
    Ok(Some(TextQuery { words: matches }))
}

/// The likely base forms of `word` among the shortest indexed `terms` with its stem: the
/// shortest, and of those the nearest to the word.
fn base_forms(word: &str, terms: Vec<String>) -> Vec<String> {
    let shortest = terms.iter().map(|t| t.chars().count()).min().unwrap_or(0);
    let distance = |t: &String| strsim::damerau_levenshtein(word, t);
    let short: Vec<String> = terms
        .into_iter()
        .filter(|t| t.chars().count() == shortest)
        .collect();
    let nearest = short.iter().map(distance).min().unwrap_or(0);
    short
        .into_iter()
        .filter(|t| distance(t) == nearest)
        .collect()
}

/// For each of the `probed` words whose stem some indexed word starts with, the shortest
/// such words (at most [`BASE_CANDIDATES`]).
async fn with_stem<C: ConnectionTrait>(
    db: &C,
    probed: &[usize],
    matches: &[WordMatch],
) -> ApiResult<HashMap<usize, Vec<String>>> {
    let backend = db.get_database_backend();
    let mut parts = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    for &i in probed {
        let WordMatch::Prefix { stem, .. } = &matches[i] else {
            continue;
        };
        let condition = match backend {
            DbBackend::Postgres => {
                values.push(format!("{stem}%").into());
                format!("term LIKE ${}", values.len())
            }
            _ => {
                values.push(stem.clone().into());
                values.push(format!("{stem}\u{10FFFF}").into());
                "term >= ? AND term < ?".to_owned()
            }
        };
        parts.push(format!(
            "SELECT {i} AS w, term FROM (SELECT term FROM search_term WHERE {condition} \
             ORDER BY len, term LIMIT {BASE_CANDIDATES}) AS p{i}"
        ));
    }
    let sql = parts.join(" UNION ALL ");
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let mut found: HashMap<usize, Vec<String>> = HashMap::new();
    for row in rows {
        let word = row.try_get::<i32>("", "w")? as usize;
        found
            .entry(word)
            .or_default()
            .push(row.try_get("", "term")?);
    }
    Ok(found)
}

/// The indexed words that may be corrections of `words`: those of a near length (SQLite,
/// checked in full here), or trigram-similar ones found through the `pg_trgm` index.
async fn near_terms<C: ConnectionTrait>(db: &C, words: &[&str]) -> ApiResult<Vec<String>> {
    let backend = db.get_database_backend();
    let statement = match backend {
        DbBackend::Postgres => {
            let tests: Vec<String> = (1..=words.len()).map(|n| format!("term % ${n}")).collect();
            let sql = format!("SELECT term FROM search_term WHERE {}", tests.join(" OR "));
            let values: Vec<Value> = words.iter().map(|w| (*w).into()).collect();
            Statement::from_sql_and_values(backend, sql, values)
        }
        _ => {
            let lens = words.iter().map(|w| w.chars().count());
            let low = lens
                .clone()
                .map(|l| l - typos_forgiven(l))
                .min()
                .unwrap_or(0);
            let high = lens.map(|l| l + typos_forgiven(l)).max().unwrap_or(0);
            Statement::from_sql_and_values(
                backend,
                "SELECT term FROM search_term WHERE len BETWEEN ? AND ?",
                [(low as i64).into(), (high as i64).into()],
            )
        }
    };
    let rows = db.query_all_raw(statement).await?;
    rows.iter()
        .map(|row| Ok(row.try_get::<String>("", "term")?))
        .collect()
}

/// The ids of the rows of `kind` that `query` matches, as a subquery for list filters.
pub fn matching_ids(backend: DbBackend, kind: Kind, query: &TextQuery) -> SelectStatement {
    let matched = match backend {
        // sea-query numbers a PostgreSQL expression's own values `$1`, `$2`, …
        DbBackend::Postgres => Expr::cust_with_values(
            "search_document.vector @@ to_tsquery('simple', $1)",
            [query.tsquery()],
        ),
        _ => Expr::cust_with_values(
            "search_document.doc IN (SELECT rowid FROM search_fts WHERE search_fts MATCH ?)",
            [query.fts5()],
        ),
    };
    Query::select()
        .column(("search_document", "id"))
        .from("search_document")
        .and_where(Expr::col(("search_document", "kind")).eq(kind.table()))
        .and_where(matched)
        .to_owned()
}

/// One window of the rows `query` matches, best first (FTS5's `bm25`, PostgreSQL's
/// `ts_rank` normalised by the document's length; then by text and key), and how many match.
pub async fn ranked<C: ConnectionTrait>(
    db: &C,
    query: &TextQuery,
    window: Window,
) -> ApiResult<(Vec<(Kind, Uuid)>, u64)> {
    let backend = db.get_database_backend();
    let (limit, offset) = (window.limit as i64, window.offset as i64);
    let page = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT d.kind, d.id, COUNT(*) OVER () AS total \
             FROM search_document d, to_tsquery('simple', $1) AS q WHERE d.vector @@ q \
             ORDER BY ts_rank(d.vector, q, 1) DESC, d.text, d.id LIMIT $2 OFFSET $3",
            [query.tsquery().into(), limit.into(), offset.into()],
        ),
        _ => Statement::from_sql_and_values(
            backend,
            "SELECT d.kind, d.id, COUNT(*) OVER () AS total \
             FROM (SELECT rowid AS doc, bm25(search_fts) AS score, text FROM search_fts \
                   WHERE search_fts MATCH ?) AS m \
             JOIN search_document d ON d.doc = m.doc \
             ORDER BY m.score, m.text, d.doc LIMIT ? OFFSET ?",
            [query.fts5().into(), limit.into(), offset.into()],
        ),
    };
    let rows = if window.limit == 0 {
        Vec::new()
    } else {
        db.query_all_raw(page).await?
    };
    let total = match rows.first() {
        Some(row) => row.try_get::<i64>("", "total")? as u64,
        None => count(db, query).await?,
    };
    let found = rows.iter().map(found).collect::<ApiResult<Vec<_>>>()?;
    Ok((found.into_iter().flatten().collect(), total))
}

/// The kind and id of a ranked row; `None` for a kind this build does not know.
fn found(row: &QueryResult) -> ApiResult<Option<(Kind, Uuid)>> {
    let kind: String = row.try_get("", "kind")?;
    let id: Uuid = row.try_get("", "id")?;
    Ok(Kind::from_table(&kind).map(|kind| (kind, id)))
}

/// How many rows `query` matches.
async fn count<C: ConnectionTrait>(db: &C, query: &TextQuery) -> ApiResult<u64> {
    let backend = db.get_database_backend();
    let statement = match backend {
        DbBackend::Postgres => Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) AS total FROM search_document \
             WHERE vector @@ to_tsquery('simple', $1)",
            [query.tsquery().into()],
        ),
        _ => Statement::from_sql_and_values(
            backend,
            "SELECT COUNT(*) AS total FROM search_fts WHERE search_fts MATCH ?",
            [query.fts5().into()],
        ),
    };
    let row = db.query_one_raw(statement).await?;
    Ok(match row {
        Some(row) => row.try_get::<i64>("", "total")? as u64,
        None => 0,
    })
}

//! The word index behind free-text search. Every searchable row keeps its normalised words
//! (see [`crate::text`]) in `search_token`; a query word matches rows having a word that
//! starts with its stem, found by a range scan on `(kind, token)`.

use std::collections::BTreeSet;

use entity::search_token;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use crate::text;

/// Longest word kept; longer ones are cut (prefix matching still finds them).
const MAX_TOKEN: usize = 64;
/// Rows per insert statement.
const CHUNK: usize = 500;

/// Which table a token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Organisation,
    Person,
    Network,
    Action,
}

impl Kind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Person => "person",
            Kind::Network => "network",
            Kind::Action => "action",
        }
    }
}

/// The distinct tokens of a stored search column (`" kuopio 297 "`).
pub fn tokens(search_text: &str) -> BTreeSet<String> {
    search_text
        .split_whitespace()
        .map(|w| w.chars().take(MAX_TOKEN).collect())
        .collect()
}

/// Token rows for a row with `search_text`.
pub fn rows(kind: Kind, id: Uuid, search_text: &str) -> Vec<search_token::ActiveModel> {
    tokens(search_text)
        .into_iter()
        .map(|token| {
            search_token::Model {
                kind: kind.as_str().to_owned(),
                token,
                entity_id: id,
            }
            .into_active_model()
        })
        .collect()
}

/// Inserts token rows in chunks.
pub async fn insert<C: ConnectionTrait>(
    db: &C,
    rows: Vec<search_token::ActiveModel>,
) -> Result<(), DbErr> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        search_token::Entity::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Replaces the tokens of a row.
pub async fn replace<C: ConnectionTrait>(
    db: &C,
    kind: Kind,
    id: Uuid,
    search_text: &str,
) -> Result<(), DbErr> {
    remove(db, kind, id).await?;
    insert(db, rows(kind, id, search_text)).await
}

/// Removes the tokens of a deleted row.
pub async fn remove<C: ConnectionTrait>(db: &C, kind: Kind, id: Uuid) -> Result<(), DbErr> {
    search_token::Entity::delete_many()
        .filter(search_token::Column::Kind.eq(kind.as_str()))
        .filter(search_token::Column::EntityId.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Rows of `kind` (whose id is `id_column`) with, for every word of `query`, a word starting
/// with its stem. A query without words matches everything.
pub fn matching<C: ColumnTrait>(kind: Kind, id_column: C, query: &str) -> Condition {
    text::words(query)
        .iter()
        .map(|word| text::stem(word))
        .fold(Condition::all(), |cond, stem| {
            let upper = format!("{stem}{}", char::MAX);
            cond.add(
                id_column.in_subquery(
                    Query::select()
                        .column(search_token::Column::EntityId)
                        .from(search_token::Entity)
                        .and_where(search_token::Column::Kind.eq(kind.as_str()))
                        .and_where(search_token::Column::Token.gte(stem))
                        .and_where(search_token::Column::Token.lt(upper))
                        .to_owned(),
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_distinct_words() {
        let t = tokens(" pohjois savon hyvinvointialue savon ");
        assert_eq!(
            t.into_iter().collect::<Vec<_>>(),
            vec!["hyvinvointialue", "pohjois", "savon"]
        );
        assert_eq!(
            tokens(&format!(" {} ", "a".repeat(100)))
                .into_iter()
                .next()
                .map(|t| t.len()),
            Some(64)
        );
    }

    #[test]
    fn the_range_covers_every_continuation() {
        let stem = "kuop";
        let upper = format!("{stem}{}", char::MAX);
        for word in ["kuop", "kuopio", "kuopion", "kuopiö"] {
            assert!(word >= stem && word < upper.as_str(), "{word}");
        }
        assert!("kuoq" >= upper.as_str());
        assert!("kuo" < stem);
    }
}

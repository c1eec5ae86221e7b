//! Free-text search across organisations, persons, networks and actions, ranked, and the
//! text condition every list filter with a `text` argument uses; both through the search
//! index (see [`super::index`]).

use std::collections::HashMap;

use entity::{action, network, organisation, person};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::Kind;
use super::index::{matching_ids, ranked, resolve};
use super::query::TextQuery;
use super::text::words;
use crate::db::page::Window;
use crate::error::{ApiResult, bad_input};

/// Longest search text.
pub const MAX_TEXT: usize = 200;
/// Most words in a search text.
pub const MAX_WORDS: usize = 10;

/// The normalised words of `text`, checked: at most [`MAX_TEXT`] characters and
/// [`MAX_WORDS`] words. An empty list when it has no letter or digit.
fn checked_words(field: &str, text: &str) -> ApiResult<Vec<String>> {
    if text.chars().count() > MAX_TEXT {
        return Err(bad_input(
            field,
            format!("text may be at most {MAX_TEXT} characters"),
        ));
    }
    let words = words(text);
    if words.len() > MAX_WORDS {
        return Err(bad_input(
            field,
            format!("text may have at most {MAX_WORDS} words"),
        ));
    }
    Ok(words)
}

/// Keeps the rows of `kind` whose `id` column the index matches with `text` (prefixes,
/// typos and all, as [`search`] does); no condition when `text` has no words.
pub async fn text_condition<C: ConnectionTrait, Col: ColumnTrait>(
    db: &C,
    kind: Kind,
    id: Col,
    text: &str,
) -> ApiResult<Condition> {
    let words = checked_words("filter.text", text)?;
    if words.is_empty() {
        return Ok(Condition::all());
    }
    Ok(Condition::all().add(match resolve(db, &words).await? {
        Some(query) => id.in_subquery(matching_ids(db.get_database_backend(), kind, &query)),
        None => id.is_in(Vec::<Uuid>::new()),
    }))
}

/// One row search found.
pub enum Found {
    Organisation(organisation::Model),
    Person(person::Model),
    Network(network::Model),
    Action(action::Model),
}

/// One window of the rows whose search text matches every word of `text`, best match
/// first across all four kinds, and how many match. Case and accents are ignored, Finnish
/// endings tolerated (a word matches indexed words starting with its stem) and typos
/// forgiven (a word no indexed word starts with matches those within one edit, two in
/// words of eight letters or more).
pub async fn search<C: ConnectionTrait>(
    db: &C,
    text: &str,
    window: Window,
) -> ApiResult<(Vec<Found>, u64)> {
    let words = checked_words("text", text)?;
    if words.is_empty() {
        return Err(bad_input("text", "text must contain a letter or a digit"));
    }
    let Some(query) = resolve(db, &words).await? else {
        return Ok((Vec::new(), 0));
    };
    page(db, &query, window).await
}

/// The rows of one ranked window, read by kind and put back in rank order.
async fn page<C: ConnectionTrait>(
    db: &C,
    query: &TextQuery,
    window: Window,
) -> ApiResult<(Vec<Found>, u64)> {
    let (hits, total) = ranked(db, query, window).await?;
    let ids = |kind: Kind| -> Vec<Uuid> {
        hits.iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, id)| *id)
            .collect()
    };
    let mut rows: HashMap<Uuid, Found> = HashMap::with_capacity(hits.len());
    macro_rules! load {
        ($kind:ident, $module:ident) => {
            let wanted = ids(Kind::$kind);
            if !wanted.is_empty() {
                let found = $module::Entity::find()
                    .filter($module::Column::Id.is_in(wanted))
                    .all(db)
                    .await?;
                rows.extend(found.into_iter().map(|row| (row.id, Found::$kind(row))));
            }
        };
    }
    load!(Organisation, organisation);
    load!(Person, person);
    load!(Network, network);
    load!(Action, action);
    let found = hits.iter().filter_map(|(_, id)| rows.remove(id)).collect();
    Ok((found, total))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::organisation::fixtures::seeded;

    fn first(n: u64) -> Window {
        Window {
            offset: 0,
            limit: n,
        }
    }

    fn names(found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|f| match f {
                Found::Organisation(o) => o.name_fi.clone(),
                Found::Person(p) => p.name.clone(),
                Found::Network(n) => n.name_fi.clone(),
                Found::Action(a) => a.title.clone(),
            })
            .collect()
    }

    #[tokio::test]
    async fn search_forgives_endings_typos_and_swedish() {
        let db = seeded().await;
        for (text, expected) in [
            ("kuopion", "Kuopio"),
            ("kupio", "Kuopio"),
            ("Helsingfors", "Helsinki"),
            ("borga", "Porvoo"),
            ("Vasa", "Vaasa"),
            (
                "Norra Savolax välfärdsområde",
                "Pohjois-Savon hyvinvointialue",
            ),
        ] {
            let (found, total) = search(&db, text, first(5)).await.unwrap();
            assert_eq!(
                names(&found).first().map(String::as_str),
                Some(expected),
                "{text}"
            );
            assert!(found.len() <= 5 && total >= found.len() as u64, "{text}");
        }
    }

    #[tokio::test]
    async fn search_checks_its_text() {
        let db = seeded().await;
        for text in [" - ", &"kuopio ".repeat(11), &"k".repeat(201)] {
            let err = search(&db, text, first(5)).await.err().unwrap();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{text}");
        }
        let (found, total) = search(&db, "xqzwv", first(5)).await.unwrap();
        assert!(found.is_empty());
        assert_eq!(total, 0);
    }

    #[tokio::test]
    async fn an_existing_database_is_indexed_when_it_migrates() {
        use migration::{Migrator, MigratorTrait};
        let db = crate::db::connect("sqlite::memory:").await.unwrap();
        // Seeded with today's schema, then taken back to before the search index (the
        // later migrations reverted too), and migrated again.
        Migrator::up(&db, None).await.unwrap();
        crate::seed::load(&db).await.unwrap();
        let later = Migrator::get_migration_files().len() as u32 - 1;
        Migrator::down(&db, Some(later)).await.unwrap();
        Migrator::up(&db, None).await.unwrap();
        let (found, _) = search(&db, "kuopion", first(3)).await.unwrap();
        assert_eq!(names(&found).first().map(String::as_str), Some("Kuopio"));
        let (found, _) = search(&db, "kupio", first(3)).await.unwrap();
        assert_eq!(names(&found).first().map(String::as_str), Some("Kuopio"));
    }
}

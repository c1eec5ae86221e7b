//! Free-text search across organisations, persons, networks and actions, and the text
//! condition every list filter with a `text` argument uses.

use entity::{action, network, organisation, person};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::text::like_patterns;
use crate::error::{ApiResult, bad_input};

/// Results when the caller names no number.
pub const DEFAULT_RESULTS: u64 = 20;
/// Most results one search may return.
pub const MAX_RESULTS: u64 = 50;
/// Longest search text.
pub const MAX_TEXT: usize = 200;

/// Requires all words of `text` in the search column `column`.
pub fn text_condition<C: ColumnTrait>(column: C, text: &str) -> Condition {
    like_patterns(text)
        .into_iter()
        .fold(Condition::all(), |cond, pattern| {
            cond.add(column.like(pattern))
        })
}

/// One row search found.
pub enum Found {
    Organisation(organisation::Model),
    Person(person::Model),
    Network(network::Model),
    Action(action::Model),
}

/// Rows whose search column holds every word of `text`: organisations first, then persons,
/// networks and actions, each by name; at most `first` (1–50, default 20) in all. Case and
/// accents are ignored and Finnish endings tolerated.
pub async fn search<C: ConnectionTrait>(
    db: &C,
    text: &str,
    first: Option<i32>,
) -> ApiResult<Vec<Found>> {
    let limit = match first {
        None => DEFAULT_RESULTS,
        Some(n) if (1..=MAX_RESULTS as i32).contains(&n) => n as u64,
        Some(_) => return Err(bad_input("first", "first must be between 1 and 50")),
    };
    if like_patterns(text).is_empty() {
        return Err(bad_input("text", "text must contain a letter or a digit"));
    }
    if text.chars().count() > MAX_TEXT {
        return Err(bad_input("text", "text may be at most 200 characters"));
    }
    let mut out: Vec<Found> = Vec::new();
    let orgs = organisation::Entity::find()
        .filter(text_condition(organisation::Column::SearchText, text))
        .order_by_asc(organisation::Column::NameFi)
        .order_by_asc(organisation::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    out.extend(orgs.into_iter().map(Found::Organisation));
    let persons = person::Entity::find()
        .filter(text_condition(person::Column::SearchText, text))
        .order_by_asc(person::Column::Name)
        .order_by_asc(person::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    out.extend(persons.into_iter().map(Found::Person));
    let networks = network::Entity::find()
        .filter(text_condition(network::Column::SearchText, text))
        .order_by_asc(network::Column::NameFi)
        .order_by_asc(network::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    out.extend(networks.into_iter().map(Found::Network));
    let actions = action::Entity::find()
        .filter(text_condition(action::Column::SearchText, text))
        .order_by_asc(action::Column::SortOrder)
        .order_by_asc(action::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    out.extend(actions.into_iter().map(Found::Action));
    out.truncate(limit as usize);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::organisation::fixtures::seeded;

    #[tokio::test]
    async fn search_finds_inflected_names_and_checks_its_arguments() {
        let db = seeded().await;
        let found = search(&db, "kuopion", Some(5)).await.unwrap();
        assert!(matches!(found.first(), Some(Found::Organisation(o)) if o.name_fi == "Kuopio"));
        assert!(found.len() <= 5);
        assert_eq!(
            search(&db, "kuopio", Some(51)).await.err().unwrap().code(),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            search(&db, " - ", None).await.err().unwrap().code(),
            "BAD_USER_INPUT"
        );
    }
}

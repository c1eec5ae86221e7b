//! The GraphQL face of free-text search: the `SearchResult` union and the `search` field.

use async_graphql::{Context, Object, Union};

use super::action::Action;
use super::context::db;
use super::network::Network;
use super::organisation::Organisation;
use super::person::Person;
use crate::domain::search::service::{self, Found};
use crate::error::ApiResult;

/// SearchResult: anything free-text search finds.
#[derive(Union, Clone)]
pub enum SearchResult {
    /// An organisation.
    Organisation(Organisation),
    /// A person.
    Person(Person),
    /// A network.
    Network(Network),
    /// An action.
    Action(Action),
}

impl From<Found> for SearchResult {
    fn from(found: Found) -> Self {
        match found {
            Found::Organisation(o) => SearchResult::Organisation(Organisation(o.into())),
            Found::Person(p) => SearchResult::Person(Person(p.into())),
            Found::Network(n) => SearchResult::Network(Network(n.into())),
            Found::Action(a) => SearchResult::Action(Action(a.into())),
        }
    }
}

/// The search root field.
#[derive(Default)]
pub struct SearchQuery;

#[Object]
impl SearchQuery {
    /// Free-text search over organisations, persons, networks and actions. Case and
    /// accents are ignored (ä = a, ö = o) and Finnish endings tolerated ("kuopion" finds
    /// Kuopio). Organisations come first, then persons, networks and actions, each by name.
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        first: Option<i32>,
    ) -> ApiResult<Vec<SearchResult>> {
        let found = service::search(db(ctx), &text, first).await?;
        Ok(found.into_iter().map(SearchResult::from).collect())
    }
}

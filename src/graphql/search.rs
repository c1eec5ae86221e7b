//! The GraphQL face of free-text search: the `SearchResult` union and the `search` field.

use async_graphql::{Context, Object, Union};

use super::action::Action;
use super::context::db;
use super::network::Network;
use super::organisation::Organisation;
use super::paging::{List, Page};
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
    /// Free-text search over organisations, persons, networks and actions, best match first
    /// across all four (`first` default 20, at most 100). Case and accents are ignored
    /// (ä = a, ö = o, å = a), Finnish endings tolerated ("kuopion" finds Kuopio), typos
    /// forgiven ("kupio" finds Kuopio: one wrong, missing, extra or swapped letter, two in
    /// words of eight letters or more), and Swedish names found ("Helsingfors" finds
    /// Helsinki). Every word must match. `BAD_USER_INPUT` when `text` has no letter or
    /// digit, more than 200 characters or more than 10 words.
    async fn search(
        &self,
        ctx: &Context<'_>,
        text: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<SearchResult>> {
        let page = Page::new(first, after)?;
        let (found, total) = service::search(db(ctx), &text, page.window()).await?;
        Ok(page.connection(found.into_iter().map(SearchResult::from).collect(), total))
    }
}

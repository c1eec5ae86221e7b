//! Free-text search: text normalisation, the derived search column of every searchable
//! entity (computed here and nowhere else), and the search index over it (`index`, kept
//! current by triggers of the migration `m20261125_000002_search_index`).

mod index;
pub mod query;
pub mod service;
pub mod text;

pub use service::text_condition;

use entity::{action, network, organisation, person};

use text::search_column;

/// What search finds: the tables with a search column, named as in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Organisation,
    Person,
    Network,
    Action,
}

impl Kind {
    /// The table, which is also the index document's `kind`.
    pub fn table(self) -> &'static str {
        match self {
            Kind::Organisation => "organisation",
            Kind::Person => "person",
            Kind::Network => "network",
            Kind::Action => "action",
        }
    }

    /// The kind of a table name.
    pub fn from_table(table: &str) -> Option<Kind> {
        [
            Kind::Organisation,
            Kind::Person,
            Kind::Network,
            Kind::Action,
        ]
        .into_iter()
        .find(|kind| kind.table() == table)
    }
}

/// A row with a derived, normalised search column.
pub trait Searchable {
    /// The search column as derived from the row's own fields.
    fn derived_search_text(&self) -> String;

    /// Recomputes the stored search column; call it before every insert or update.
    fn refresh_search_text(&mut self);

    /// The row with its search column derived, for building rows in one expression.
    fn with_search_text(mut self) -> Self
    where
        Self: Sized,
    {
        self.refresh_search_text();
        self
    }
}

impl Searchable for organisation::Model {
    fn derived_search_text(&self) -> String {
        search_column([
            Some(self.name_fi.as_str()),
            self.name_sv.as_deref(),
            self.name_en.as_deref(),
            self.short_name.as_deref(),
            self.municipality_code.as_deref(),
        ])
    }

    fn refresh_search_text(&mut self) {
        self.search_text = self.derived_search_text();
    }
}

impl Searchable for person::Model {
    fn derived_search_text(&self) -> String {
        search_column([Some(self.name.as_str()), self.title.as_deref()])
    }

    fn refresh_search_text(&mut self) {
        self.search_text = self.derived_search_text();
    }
}

impl Searchable for network::Model {
    fn derived_search_text(&self) -> String {
        search_column([
            Some(self.name_fi.as_str()),
            self.name_sv.as_deref(),
            self.name_en.as_deref(),
        ])
    }

    fn refresh_search_text(&mut self) {
        self.search_text = self.derived_search_text();
    }
}

impl Searchable for action::Model {
    fn derived_search_text(&self) -> String {
        search_column([Some(self.title.as_str()), self.description.as_deref()])
    }

    fn refresh_search_text(&mut self) {
        self.search_text = self.derived_search_text();
    }
}

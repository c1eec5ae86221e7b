//! Free-text search: text normalisation and the derived search column of every searchable
//! entity, computed here and nowhere else.

pub mod service;
pub mod text;

pub use service::text_condition;

use entity::{action, network, organisation, person};

use text::search_column;

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

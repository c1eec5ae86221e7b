//! Persons: the people who represent organisations.

pub mod service;

use entity::enums::Visibility;
use uuid::Uuid;

use crate::domain::values::{Email, Phone};

crate::versioned!(person, "Person", "person", searchable);

/// A person to create, its fields checked.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub name: String,
    pub title: Option<String>,
    /// The organisation the person works for; it owns the person's data.
    pub organisation_id: Uuid,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
    pub visibility: Visibility,
}

/// Changes to a person at the version the caller read. `None` leaves a field as it is;
/// `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PersonPatch {
    pub id: Uuid,
    pub version: i32,
    pub name: Option<String>,
    pub title: Option<Option<String>>,
    /// Moves the person to another organisation.
    pub organisation_id: Option<Uuid>,
    pub email: Option<Option<Email>>,
    pub phone: Option<Option<Phone>>,
    pub visibility: Option<Visibility>,
}

#[cfg(test)]
mod tests;

//! Persons: the people who represent organisations.

crate::versioned!(person, "Person", "person", searchable);

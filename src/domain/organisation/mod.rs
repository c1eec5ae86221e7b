//! Organisations: counties, municipalities, their units and the other parties.

crate::versioned!(organisation, "Organisation", "organisation", searchable);

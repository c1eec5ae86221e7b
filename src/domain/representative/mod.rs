//! Representatives: a person's appointment for an organisation on a topic and level.

crate::versioned!(representative, "Representative", "representative");

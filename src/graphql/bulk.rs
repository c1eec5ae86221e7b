//! Moved: the representatives CSV is in `domain::representative::csv` with its GraphQL face
//! in `graphql::representative::csv`; the audit log in `db::audit` and `graphql::audit`.

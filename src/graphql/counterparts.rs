//! Moved: the counterpart logic is in `domain::counterpart`, its GraphQL face in
//! `graphql::counterpart`.

//! The documents the server is built with, registered as persisted queries at every start
//! ([`super::persisted::register_builtin`]): in safelist mode anonymous callers may run
//! them, and clients may send their hashes alone. For now the read operations GraphiQL
//! opens on (`assets/graphiql/examples/`).

/// The built-in documents, each exactly as its hash is taken.
pub const BUILTIN_DOCUMENTS: &[&str] = &[
    include_str!("../../assets/graphiql/examples/counterparts.graphql"),
    include_str!("../../assets/graphiql/examples/networks.graphql"),
    include_str!("../../assets/graphiql/examples/open-actions.graphql"),
];

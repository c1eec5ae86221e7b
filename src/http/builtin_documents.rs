//! The documents the server is built with, registered as persisted queries at every start
//! ([`super::persisted::register_builtin`]): in safelist mode anonymous callers may run
//! them, and clients may send their hashes alone: the documents of the embeddable component
//! (`assets/embed/`, [`super::embed::DOCUMENTS`]), which sends hashes alone, and the read
//! operations GraphiQL opens on (`assets/graphiql/examples/`).

/// The built-in documents, each exactly as its hash is taken.
pub const BUILTIN_DOCUMENTS: &[&str] = &[
    include_str!("../../assets/graphiql/examples/counterparts.graphql"),
    include_str!("../../assets/graphiql/examples/networks.graphql"),
    include_str!("../../assets/graphiql/examples/open-actions.graphql"),
    include_str!("../../assets/embed/counterparts.graphql"),
    include_str!("../../assets/embed/networks.graphql"),
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_embed_documents_are_built_in() {
        for document in super::super::embed::DOCUMENTS {
            assert!(super::BUILTIN_DOCUMENTS.contains(document));
        }
    }
}

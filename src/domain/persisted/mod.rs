//! Persisted queries: GraphQL documents named by the lowercase hex of their SHA-256, as
//! Apollo's automatic persisted queries name them. Registered ones (by the CLI or built into
//! the server) are stored in the database ([`service`]); the HTTP layer keeps the ones
//! anonymous clients register in bounded memory.

pub mod service;

use sha2::{Digest, Sha256};

use crate::error::{ApiError, bad_input};

/// A document's hash: 64 lowercase hex digits of its SHA-256.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct DocumentHash(String);

impl DocumentHash {
    /// The hash of `document`, byte for byte as sent.
    pub fn of(document: &str) -> Self {
        Self(hex::encode(Sha256::digest(document.as_bytes())))
    }

    /// A hash as a client sends it (hex, either case); `field` names it in the error.
    pub fn parse(field: &str, text: &str) -> Result<Self, ApiError> {
        if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(text.to_ascii_lowercase()))
        } else {
            Err(bad_input(
                field,
                "a persisted query's hash is the 64 hex digits of the document's SHA-256",
            ))
        }
    }

    /// The 64 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who registered a stored document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `yhdyspinta persisted add DIR`.
    Cli,
    /// A document the server is built with.
    Builtin,
}

impl Source {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cli => "cli",
            Self::Builtin => "builtin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::DocumentHash;

    #[test]
    fn a_hash_is_the_hex_sha256_of_the_exact_text() {
        assert_eq!(
            DocumentHash::of("{ __typename }").as_str(),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
        assert_ne!(
            DocumentHash::of("{__typename}"),
            DocumentHash::of("{ __typename }")
        );
    }

    #[test]
    fn a_hash_is_parsed_in_either_case_and_nothing_else_is() {
        let upper = "7F56E67DD21AB3F30D1FF8B7BED08893F0A0DB86449836189B361DD1E56DDB4B";
        assert_eq!(
            DocumentHash::parse("h", upper).unwrap(),
            DocumentHash::of("{ __typename }")
        );
        assert!(DocumentHash::parse("h", "abc").is_err());
        assert!(DocumentHash::parse("h", &"g".repeat(64)).is_err());
    }
}

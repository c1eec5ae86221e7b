//! The response cache: answers to anonymous `GET` queries, kept by node and served without
//! running the query again (no SQL at all).
//!
//! An entry is keyed by the data version it was read at ([`crate::db::version`]) and the
//! request: the normalised document ([`normalise`]: comments, commas and insignificant
//! whitespace dropped), the variables, the operation name and the media type. Every write
//! transaction raises the version, on this node at commit and on every other node of the same
//! PostgreSQL by `NOTIFY`, so no answer read before a write is served after it. While a node's
//! listener is disconnected, nothing is served from or put into the cache. With a read
//! replica, entries also expire after [`REPLICA_TTL`] (an answer read from a replica that had
//! not yet replayed a write must not outlive the replay by long).
//!
//! Each answer carries an `ETag` (the SHA-256 of its body and media type); a `GET` whose
//! `If-None-Match` names it is answered `304 Not Modified` without a body.

use std::time::Duration;

use axum::body::Bytes;
use moka::future::Cache;
use sha2::{Digest, Sha256};

/// How long an entry lives without a replica: the data version decides, this only frees
/// memory.
const TTL: Duration = Duration::from_secs(600);
/// How long an entry lives when anonymous queries read from a replica.
pub const REPLICA_TTL: Duration = Duration::from_secs(1);
/// Most bytes of answers one node keeps.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

/// One kept answer.
#[derive(Clone, Debug)]
pub struct Cached {
    pub body: Bytes,
    pub etag: String,
}

/// The answers of one node.
#[derive(Clone)]
pub struct ResponseCache {
    entries: Cache<[u8; 32], Cached>,
}

impl ResponseCache {
    /// An empty cache; `replica` shortens how long entries live (see [`REPLICA_TTL`]).
    pub fn new(replica: bool) -> Self {
        Self {
            entries: Cache::builder()
                .max_capacity(MAX_BYTES)
                .weigher(|_, cached: &Cached| {
                    u32::try_from(cached.body.len() + 64).unwrap_or(u32::MAX)
                })
                .time_to_live(if replica { REPLICA_TTL } else { TTL })
                .build(),
        }
    }

    /// The kept answer for `key`.
    pub async fn get(&self, key: &[u8; 32]) -> Option<Cached> {
        self.entries.get(key).await
    }

    /// Keeps `body` for `key` and returns the entry with its `ETag`.
    pub async fn put(&self, key: [u8; 32], body: Bytes, media: &str) -> Cached {
        let cached = Cached {
            etag: etag(&body, media),
            body,
        };
        self.entries.insert(key, cached.clone()).await;
        cached
    }
}

/// What an answer is kept by.
pub struct Key<'a> {
    pub version: u64,
    pub document: &'a str,
    pub variables: &'a serde_json::Value,
    pub operation: Option<&'a str>,
    pub media: &'a str,
}

impl Key<'_> {
    /// The key's SHA-256: each part length-prefixed, so no two requests share one.
    pub fn digest(&self) -> [u8; 32] {
        let mut hash = Sha256::new();
        let mut part = |bytes: &[u8]| {
            hash.update((bytes.len() as u64).to_le_bytes());
            hash.update(bytes);
        };
        part(&self.version.to_le_bytes());
        part(normalise(self.document).as_bytes());
        part(self.variables.to_string().as_bytes());
        part(self.operation.unwrap_or_default().as_bytes());
        part(self.media.as_bytes());
        hash.finalize().into()
    }
}

/// The strong `ETag` of an answer: its body and media type hashed, quoted.
pub fn etag(body: &[u8], media: &str) -> String {
    super::etag::of_parts(&[media.as_bytes(), body])
}

/// `document` with its comments, commas and whitespace between tokens dropped, one space
/// kept only where two names or numbers would otherwise run together; strings are kept as
/// written. Two texts that differ only in layout normalise alike.
pub fn normalise(document: &str) -> String {
    let mut out = String::with_capacity(document.len());
    let mut chars = document.chars().peekable();
    let mut gap = false;
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' | ',' | '\u{feff}' => gap = true,
            '#' => {
                while chars.next_if(|&c| c != '\n' && c != '\r').is_some() {}
                gap = true;
            }
            '"' => {
                out.push('"');
                copy_string(&mut chars, &mut out);
                gap = false;
            }
            _ => {
                let word = |c: char| c.is_alphanumeric() || c == '_';
                if gap && out.chars().last().is_some_and(word) && (word(c) || c == '-') {
                    out.push(' ');
                }
                out.push(c);
                gap = false;
            }
        }
    }
    out
}

/// Copies a string's rest (the opening quote already copied): a block string when it opens
/// with two more quotes, else up to the closing quote, escapes kept.
fn copy_string(chars: &mut std::iter::Peekable<std::str::Chars<'_>>, out: &mut String) {
    let mut quotes = 0;
    let mut escaped = false;
    let block = chars.next_if_eq(&'"').is_some() && {
        out.push('"');
        if chars.next_if_eq(&'"').is_some() {
            out.push('"');
            true
        } else {
            // `""`: the empty string, closed already.
            return;
        }
    };
    for c in chars.by_ref() {
        out.push(c);
        if block {
            quotes = if c == '"' && !escaped { quotes + 1 } else { 0 };
            escaped = c == '\\';
            if quotes == 3 {
                return;
            }
        } else if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' || c == '\n' {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::etag::names as matches;
    use super::*;

    #[test]
    fn layout_comments_and_commas_do_not_change_the_key() {
        let a = "query Q($a: Int) {\n  organisations(first: $a, after: \"x, y\") { totalCount }\n}";
        let b = "query Q($a:Int){organisations(first:$a after:\"x, y\"){totalCount}} # note";
        assert_eq!(normalise(a), normalise(b));
        assert_eq!(
            normalise(b),
            "query Q($a:Int){organisations(first:$a after:\"x, y\"){totalCount}}"
        );
        assert_ne!(
            normalise("{ a(s: \"x  y\") }"),
            normalise("{ a(s: \"x y\") }")
        );
        assert_eq!(
            normalise("{ a(s: \"\"\"x \"\" y\"\"\") b }"),
            "{a(s:\"\"\"x \"\" y\"\"\")b}"
        );
        assert_eq!(normalise("{ a(s: \"\") b }"), "{a(s:\"\")b}");
    }

    #[test]
    fn keys_differ_by_every_part() {
        let vars = serde_json::json!({ "a": 1 });
        let key = |version, document, operation, media| {
            Key {
                version,
                document,
                variables: &vars,
                operation,
                media,
            }
            .digest()
        };
        let base = key(1, "{ a }", None, "application/json");
        assert_eq!(base, key(1, "{a}", None, "application/json"));
        assert_ne!(base, key(2, "{ a }", None, "application/json"));
        assert_ne!(base, key(1, "{ b }", None, "application/json"));
        assert_ne!(base, key(1, "{ a }", Some("A"), "application/json"));
        assert_ne!(
            base,
            key(1, "{ a }", None, "application/graphql-response+json")
        );
    }

    #[test]
    fn if_none_match_lists_and_weak_tags_match() {
        let tag = etag(b"{}", "application/json");
        assert!(matches(&tag, &tag));
        assert!(matches(&format!("\"other\", W/{tag}"), &tag));
        assert!(matches("*", &tag));
        assert!(!matches("\"other\"", &tag));
        assert_ne!(tag, etag(b"{}", "application/graphql-response+json"));
    }
}

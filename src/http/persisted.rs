//! Persisted queries over HTTP: Apollo's automatic persisted queries (APQ) and the safelist.
//!
//! APQ: a client sends `extensions.persistedQuery = { version: 1, sha256Hash }`, the hash
//! being the lowercase hex SHA-256 of the document, first without the query (`GET` or
//! `POST`). A known hash runs its document; an unknown one is answered with one error,
//! message `PersistedQueryNotFound` and code `PERSISTED_QUERY_NOT_FOUND`, on which Apollo
//! Client sends the hash with the query. A hash with a query whose SHA-256 differs is
//! refused (`PERSISTED_QUERY_HASH_MISMATCH`); a matching pair runs, and once the query has
//! been priced like any other, its document is kept for the next hash-only request.
//!
//! What clients register this way is hostile input: it is kept only in this node's memory,
//! in a cache bounded by bytes ([`AUTOMATIC_BYTES`]) that forgets the least used documents,
//! and only after the document passed the cost model. The database holds only documents
//! registered by `yhdyspinta persisted add DIR` and the server's built-in documents
//! ([`register_builtin`]); in safelist mode (`--safelist`) those are the only documents an
//! anonymous caller may run, and anonymous APQ registrations are not kept at all.

use std::collections::HashMap;
use std::sync::Arc;

use axum::http::StatusCode;
use axum::response::Response;
use moka::future::Cache;
use sea_orm::DatabaseConnection;
use serde_json::{Map, Value};

use super::negotiate::MediaType;
use super::params::Params;
use super::{AppState, request_error};
use crate::domain::persisted::{DocumentHash, Source, service};
use crate::error::{ApiError, ApiResult, bad_input};
use crate::graphql::Viewer;

/// Most bytes of documents clients registered by APQ that one node keeps.
pub const AUTOMATIC_BYTES: u64 = 16 * 1024 * 1024;
/// Most stored documents one node keeps in memory after reading them from the database.
const STORED_ENTRIES: u64 = 10_000;

/// The persisted documents one node knows.
#[derive(Clone)]
pub struct PersistedQueries {
    builtin: Arc<HashMap<String, Arc<str>>>,
    stored: Cache<String, Arc<str>>,
    automatic: Cache<String, Arc<str>>,
    safelist: bool,
}

impl PersistedQueries {
    /// The built-in `documents` and, from the database as they are asked for, the stored
    /// ones; `safelist` limits anonymous callers to those.
    pub fn new(builtin: &[&str], safelist: bool) -> Self {
        let builtin = builtin
            .iter()
            .map(|text| (DocumentHash::of(text).as_str().to_owned(), Arc::from(*text)))
            .collect();
        Self {
            builtin: Arc::new(builtin),
            stored: Cache::builder().max_capacity(STORED_ENTRIES).build(),
            automatic: Cache::builder()
                .max_capacity(AUTOMATIC_BYTES)
                .weigher(|hash: &String, text: &Arc<str>| {
                    u32::try_from(hash.len() + text.len()).unwrap_or(u32::MAX)
                })
                .build(),
            safelist,
        }
    }

    /// Whether anonymous callers may run only registered documents.
    pub fn safelist(&self) -> bool {
        self.safelist
    }

    /// The registered (built-in or stored) document with `hash`.
    pub async fn registered(
        &self,
        db: &DatabaseConnection,
        hash: &DocumentHash,
    ) -> ApiResult<Option<Arc<str>>> {
        if let Some(text) = self.builtin.get(hash.as_str()) {
            return Ok(Some(text.clone()));
        }
        if let Some(text) = self.stored.get(hash.as_str()).await {
            return Ok(Some(text));
        }
        let Some(text) = service::find(db, hash).await? else {
            return Ok(None);
        };
        let text: Arc<str> = Arc::from(text);
        self.stored
            .insert(hash.as_str().to_owned(), text.clone())
            .await;
        Ok(Some(text))
    }

    /// The document with `hash` that an anonymous caller may run: a registered one, and
    /// outside safelist mode also one a client registered by APQ.
    pub async fn find(
        &self,
        db: &DatabaseConnection,
        hash: &DocumentHash,
    ) -> ApiResult<Option<Arc<str>>> {
        if let Some(text) = self.automatic.get(hash.as_str()).await {
            return Ok(Some(text));
        }
        self.registered(db, hash).await
    }

    /// Keeps `text`, which a client sent with its `hash` and which passed the cost model.
    pub async fn remember(&self, hash: &DocumentHash, text: &str) {
        if !self.builtin.contains_key(hash.as_str()) {
            self.automatic
                .insert(hash.as_str().to_owned(), Arc::from(text))
                .await;
        }
    }
}

/// The hash a request's `extensions.persistedQuery` names, if it names one.
pub fn requested(extensions: &Map<String, Value>) -> ApiResult<Option<DocumentHash>> {
    let Some(persisted) = extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let field = "extensions.persistedQuery";
    let Some(persisted) = persisted.as_object() else {
        return Err(bad_input(field, "persistedQuery is an object"));
    };
    if persisted.get("version").and_then(Value::as_i64) != Some(1) {
        return Err(bad_input(
            format!("{field}.version"),
            "only version 1 of persisted queries is supported",
        ));
    }
    let hash = persisted
        .get("sha256Hash")
        .and_then(Value::as_str)
        .ok_or_else(|| bad_input(format!("{field}.sha256Hash"), "sha256Hash is missing"))?;
    DocumentHash::parse(&format!("{field}.sha256Hash"), hash).map(Some)
}

/// Registers the server's built-in `documents` in the database at start (those stored
/// before are kept), so that every node and every tool reading the database knows them.
/// Returns how many were new.
pub async fn register_builtin(db: &DatabaseConnection, documents: &[&str]) -> ApiResult<usize> {
    for document in documents {
        if let Err(err) = async_graphql::parser::parse_query(document) {
            return Err(ApiError::internal(format!(
                "a built-in document does not parse: {err}"
            )));
        }
    }
    service::register(db, documents, Source::Builtin).await
}

/// The query text a request runs — its own, or the persisted document its hash names — and
/// the hash to remember it by once it has been priced (an APQ registration). A request with
/// neither is refused `400`.
pub(super) async fn document_of(
    state: &AppState,
    params: &mut Params,
    media: MediaType,
) -> Result<(String, Option<DocumentHash>), Box<Response>> {
    let extensions = params.extensions.take().unwrap_or_default();
    let bad =
        |code: &str, message: &str| Box::new(request_error(StatusCode::BAD_REQUEST, code, message));
    let hash = requested(&extensions).map_err(|err| bad("BAD_REQUEST", err.message()))?;
    match (params.query.take(), hash) {
        (Some(query), Some(hash)) => {
            let actual = DocumentHash::of(&query);
            if actual != hash {
                return Err(bad(
                    "PERSISTED_QUERY_HASH_MISMATCH",
                    &format!(
                        "the query's SHA-256 is {}, not the sha256Hash sent ({})",
                        actual.as_str(),
                        hash.as_str()
                    ),
                ));
            }
            Ok((query, Some(hash)))
        }
        (Some(query), None) => Ok((query, None)),
        (None, Some(hash)) => match state
            .inner
            .persisted
            .find(&state.inner.db.primary, &hash)
            .await
        {
            Ok(Some(text)) => Ok((text.to_string(), None)),
            Ok(None) => Err(Box::new(request_error(
                media.document_error_status(),
                "PERSISTED_QUERY_NOT_FOUND",
                "PersistedQueryNotFound",
            ))),
            Err(err) => Err(Box::new(super::answer::api_error(&err))),
        },
        (None, None) => Err(bad(
            "BAD_REQUEST",
            "the request has no query: send `query`, or `extensions.persistedQuery` with a known hash",
        )),
    }
}

/// In safelist mode, refuses an anonymous caller's document unless it is registered.
pub(super) async fn check_safelist(
    state: &AppState,
    viewer: &Viewer,
    text: &str,
) -> Result<(), Box<Response>> {
    let persisted = &state.inner.persisted;
    if !persisted.safelist() || viewer.authenticated() {
        return Ok(());
    }
    let hash = DocumentHash::of(text);
    match persisted.registered(&state.inner.db.primary, &hash).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => Err(Box::new(request_error(
            StatusCode::FORBIDDEN,
            "QUERY_NOT_IN_SAFELIST",
            "this server runs only registered documents for anonymous callers; send a registered document or its sha256Hash",
        ))),
        Err(err) => Err(Box::new(super::answer::api_error(&err))),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn extensions(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn the_hash_is_read_from_the_apollo_extension() {
        let hash = "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b";
        let found = requested(&extensions(
            json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } }),
        ));
        assert_eq!(found.unwrap().unwrap().as_str(), hash);
        assert!(requested(&extensions(json!({}))).unwrap().is_none());
        let bad = [
            json!({ "persistedQuery": "x" }),
            json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } }),
            json!({ "persistedQuery": { "version": 1 } }),
            json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
        ];
        for value in bad {
            let err = requested(&extensions(value.clone())).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{value}");
        }
    }

    #[tokio::test]
    async fn automatic_registrations_are_bounded_by_bytes() {
        let queries = PersistedQueries::new(&[], false);
        let big = "x".repeat(1024 * 1024);
        for i in 0..40 {
            let text = format!("{big}{i}");
            queries.remember(&DocumentHash::of(&text), &text).await;
        }
        queries.automatic.run_pending_tasks().await;
        assert!(queries.automatic.weighted_size() <= AUTOMATIC_BYTES);
        assert!(queries.automatic.entry_count() < 40);
    }
}

//! The GraphQL endpoint: `POST /graphql` and `GET /graphql` (queries only), one operation
//! per request, priced before it runs, on the connection its caller may use.

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::logging::{Operation, Outcome, RequestScope};
use super::metrics::is_operation_name;
use super::{AppState, RETRY_AFTER_SECS, request_error, unauthorized};
use crate::db::loaders::loaders as request_loaders;
use crate::error::finish_errors;
use crate::graphql::Viewer;

/// Who the request's `Authorization` header says the caller is, or why it was refused;
/// decided once by [`super::limit::admit`] and handed to the handler.
#[derive(Clone, Debug)]
pub struct Authentication(pub Result<Viewer, String>);

pub(super) async fn graphql_post(
    State(state): State<AppState>,
    Extension(auth): Extension<Authentication>,
    Extension(scope): Extension<RequestScope>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "the request body is too large",
            );
        }
        Err(rejection) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &rejection.body_text(),
            );
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(value) => value,
        Err(err) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("the body is not JSON: {err}"),
            );
        }
    };
    if value.is_array() {
        return request_error(
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_SUPPORTED",
            "batched requests are not supported; send one operation per request",
        );
    }
    let request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(err) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("the body is not a GraphQL request: {err}"),
            );
        }
    };
    execute(&state, auth, &scope, request, false).await
}

pub(super) async fn graphql_get(
    State(state): State<AppState>,
    Extension(auth): Extension<Authentication>,
    Extension(scope): Extension<RequestScope>,
    RawQuery(query): RawQuery,
) -> Response {
    let request =
        match async_graphql::http::parse_query_string(query.as_deref().unwrap_or_default()) {
            Ok(request) => request,
            Err(err) => {
                return request_error(
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    &format!("the query string is not a GraphQL request: {err}"),
                );
            }
        };
    execute(&state, auth, &scope, request, true).await
}

/// Whether the operation a request would run is a query.
fn only_queries(document: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    document.operations.iter().all(|(name, op)| {
        let selected = match (operation_name, name) {
            (Some(wanted), Some(name)) => wanted == name.as_str(),
            _ => true,
        };
        !selected || op.node.ty == OperationType::Query
    })
}

/// The caller a request's `Authorization` header names; an invalid token fails the
/// whole request rather than falling back to anonymous. The error is the reason.
pub(super) fn authenticate(state: &AppState, headers: &HeaderMap) -> Authentication {
    Authentication(viewer(state, headers))
}

fn viewer(state: &AppState, headers: &HeaderMap) -> Result<Viewer, String> {
    let header = match headers.get(header::AUTHORIZATION) {
        None => return Ok(Viewer(None)),
        Some(value) => value
            .to_str()
            .map_err(|_| "the Authorization header is not text".to_owned())?,
    };
    let Some(verifier) = &state.inner.verifier else {
        return Err("this server has no token key configured".into());
    };
    verifier
        .principal(Some(header))
        .map(Viewer)
        .map_err(|rejected| rejected.0)
}

/// Runs one request and labels its answer with the operation it ran, for the access log
/// and the metrics.
async fn execute(
    state: &AppState,
    auth: Authentication,
    scope: &RequestScope,
    request: async_graphql::Request,
    cacheable: bool,
) -> Response {
    let mut operation = Operation {
        name: request
            .operation_name
            .clone()
            .filter(|name| is_operation_name(name)),
        kind: "unknown",
    };
    let mut response = run(state, auth, scope, request, cacheable, &mut operation).await;
    response.extensions_mut().insert(operation);
    response
}

/// The operation a document runs: its name and kind, when the document names one
/// operation or the request selects one.
fn selected(
    document: &ExecutableDocument,
    wanted: Option<&str>,
) -> Option<(Option<String>, OperationType)> {
    document.operations.iter().find_map(|(name, op)| {
        let name = name.map(|n| n.to_string());
        let chosen = match wanted {
            Some(wanted) => name.as_deref() == Some(wanted),
            None => true,
        };
        chosen.then_some((name, op.node.ty))
    })
}

/// `request` with what its resolvers read from the context: the connection it runs on
/// (the replica for an anonymous query when there is one), which counts its statements for
/// the request's tally and the metrics, its loaders, the county-index cache of that pool
/// and the caller.
fn with_connection(
    state: &AppState,
    scope: &RequestScope,
    request: async_graphql::Request,
    viewer: Viewer,
    anonymous_query: bool,
) -> async_graphql::Request {
    let tally = scope.tally.clone();
    let metrics_state = state.clone();
    let db = state.inner.db.watched(anonymous_query, move |pool, info| {
        tally.add(info);
        metrics_state.inner.metrics.statement(pool, info);
    });
    let on_replica = anonymous_query && state.inner.db.replica.is_some();
    let index_cache = state.inner.index_caches[usize::from(on_replica)].clone();
    request
        .data(request_loaders(db.clone()))
        .data(db)
        .data(index_cache)
        .data(viewer)
}

async fn run(
    state: &AppState,
    auth: Authentication,
    scope: &RequestScope,
    request: async_graphql::Request,
    cacheable: bool,
    operation: &mut Operation,
) -> Response {
    let mut request = request;
    // Priced before anything else runs, async-graphql's parser and validation included:
    // its validation expands a fragment anew at every spread, and the price bounds that.
    if let Err(refused) = state.inner.pricing.check(&mut request) {
        return request_error(
            StatusCode::BAD_REQUEST,
            refused.code(),
            &refused.to_string(),
        );
    }
    let operation_name = request.operation_name.clone();
    if let Ok(document) = request.parsed_query()
        && let Some((name, ty)) = selected(document, operation_name.as_deref())
    {
        operation.name = name.filter(|name| is_operation_name(name));
        operation.kind = match ty {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
    }
    // Only GET requests are cacheable, and they may only run queries.
    if cacheable
        && let Ok(document) = request.parsed_query()
        && !only_queries(document, operation_name.as_deref())
    {
        return request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "BAD_REQUEST",
            "GET requests may only run queries; send mutations with POST",
        );
    }
    let viewer = match auth.0 {
        Ok(viewer) => viewer,
        Err(reason) => return unauthorized(&reason, r#", error="invalid_token""#),
    };
    // A mutation without a token is refused like a bad token, before it runs.
    if !viewer.authenticated()
        && let Ok(document) = request.parsed_query()
        && !only_queries(document, operation_name.as_deref())
    {
        return unauthorized("mutations need an Authorization: Bearer token", "");
    }
    // An anonymous query may read from the replica; a writer's request, reads included,
    // and every mutation run on the primary. The request's connection and loaders are
    // chosen here, once; resolvers take them from the context (`graphql::context::db`).
    // The connection tells the request's tally and the metrics of every statement.
    let anonymous_query = !viewer.authenticated()
        && request
            .parsed_query()
            .is_ok_and(|document| only_queries(document, operation_name.as_deref()));
    let cacheable = cacheable && !viewer.authenticated();
    let request = with_connection(state, scope, request, viewer, anonymous_query);
    // A turn first, inside the timeout: past the limit, requests wait rather than all
    // holding their memory at once. The semaphore is never closed.
    let run = async {
        let _turn = state.inner.turns.take().await;
        state.inner.schema.execute(request).await
    };
    let mut response = match tokio::time::timeout(state.inner.request_timeout, run).await {
        Ok(response) => response,
        Err(_) => {
            return request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "TIMEOUT",
                "the request took too long and was cancelled",
            );
        }
    };
    finish_errors(&mut response);
    answer(response, cacheable, state.inner.max_response_bytes)
}

/// The HTTP answer to an executed request: serialised once, refused past the size cap,
/// cacheable only when anonymous and free of errors, `503` with `Retry-After` when the
/// database could not be reached.
fn answer(response: async_graphql::Response, cacheable: bool, limit: usize) -> Response {
    let unavailable = response.errors.iter().any(|error| {
        error.extensions.as_ref().and_then(|ext| ext.get("code"))
            == Some(&async_graphql::Value::String("SERVICE_UNAVAILABLE".into()))
    });
    let outcome = Outcome(response.errors.first().map_or("ok".to_owned(), |error| {
        match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => "INTERNAL".to_owned(),
        }
    }));
    let cache = if cacheable && response.errors.is_empty() {
        "public, max-age=60"
    } else {
        "no-store"
    };
    let body = match serde_json::to_vec(&response) {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "cannot serialise a response");
            return request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
        }
    };
    drop(response);
    // The cost model bounds an answer before it runs; this cap is the last line, so that no
    // answer beyond it leaves the server whatever the price estimated.
    if body.len() > limit {
        return request_error(
            StatusCode::BAD_REQUEST,
            "RESPONSE_TOO_LARGE",
            &format!(
                "the answer would be {} bytes; the limit is {limit}: ask for smaller pages or fewer fields",
                body.len()
            ),
        );
    }
    let headers = [
        (header::CONTENT_TYPE, "application/json"),
        (header::CACHE_CONTROL, cache),
    ];
    let mut response = if unavailable {
        let retry = [(header::RETRY_AFTER, RETRY_AFTER_SECS)];
        (StatusCode::SERVICE_UNAVAILABLE, retry, headers, body).into_response()
    } else {
        (headers, body).into_response()
    };
    response.extensions_mut().insert(outcome);
    response
}

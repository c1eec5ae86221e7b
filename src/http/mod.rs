//! The HTTP surface: `POST /graphql`, `GET /graphql` (queries only), GraphiQL at `/` and
//! `/graphiql` (`graphiql.rs`), `/healthz` (liveness) and `/readyz` (the databases answer);
//! with a body-size cap, a per-request timeout, no batching, CORS for embedding portals and
//! security headers (`headers.rs`), and request tracing.
//! A request whose database cannot be reached is answered `503` with `Retry-After`.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::auth::token::Verifier;
use crate::db::Databases;
use crate::db::loaders::loaders as request_loaders;
use crate::domain::counterpart::cache::IndexCache;
use crate::error::finish_errors;
use crate::graphql::cost::Pricing;
use crate::graphql::{ApiSchema, Viewer};

pub mod graphiql;
pub mod headers;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    schema: ApiSchema,
    db: Databases,
    verifier: Option<Verifier>,
    request_timeout: Duration,
    pricing: Pricing,
    max_response_bytes: usize,
    /// County indexes read from the primary, and from the replica: kept apart so a writer
    /// never reads the replica's lag through the cache.
    index_caches: [IndexCache; 2],
}

impl AppState {
    /// State serving `schema` over `db`.
    pub fn new(
        schema: ApiSchema,
        db: Databases,
        verifier: Option<Verifier>,
        request_timeout: Duration,
        pricing: Pricing,
        max_response_bytes: usize,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                schema,
                db,
                verifier,
                request_timeout,
                pricing,
                max_response_bytes,
                index_caches: [IndexCache::default(), IndexCache::default()],
            }),
        }
    }
}

/// The application's routes.
pub fn router(state: AppState, max_body_bytes: usize, cors_origins: &[String]) -> Router {
    let routes = Router::new()
        .merge(graphiql::routes())
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .layer(headers::cors(cors_origins));
    headers::secure(routes)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Liveness: the process serves HTTP. It asks no database, so a database outage does not
/// make an orchestrator restart healthy API nodes.
async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// How long each database may take to answer the readiness check; the answer comes within
/// this (the checks run side by side), well inside a load balancer's usual 2 s probe.
const READY_WITHIN: Duration = Duration::from_millis(1500);

/// Seconds a client is told to wait (`Retry-After`) when the database cannot be reached.
const RETRY_AFTER_SECS: &str = "5";

/// Readiness: the primary (and the replica, when configured) answers a statement. `200`
/// when all do, else `503`; either way a small JSON body names each database's state.
async fn readyz(State(state): State<AppState>) -> Response {
    let (primary, replica) = state.inner.db.readiness(READY_WITHIN).await;
    let word = |up: bool| if up { "ok" } else { "unavailable" };
    let ready = primary && replica.unwrap_or(true);
    let mut body = json!({
        "status": if ready { "ready" } else { "unavailable" },
        "primary": word(primary),
    });
    if let Some(replica) = replica {
        body["replica"] = json!(word(replica));
    }
    if ready {
        Json(body).into_response()
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, RETRY_AFTER_SECS)],
            Json(body),
        )
            .into_response()
    }
}

/// A response holding only errors, outside GraphQL execution.
fn request_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response()
}

/// `401 UNAUTHENTICATED` with the `WWW-Authenticate: Bearer` challenge (RFC 6750), `error`
/// naming an invalid token when there was one.
fn unauthorized(reason: &str, error: &str) -> Response {
    let mut response = request_error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", reason);
    let challenge = format!(r#"Bearer realm="yhdyspinta"{error}"#);
    if let Ok(value) = header::HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

async fn graphql_post(
    State(state): State<AppState>,
    headers: HeaderMap,
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
    execute(&state, &headers, request, false).await
}

async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
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
    execute(&state, &headers, request, true).await
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
fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Viewer, String> {
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

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    request: async_graphql::Request,
    cacheable: bool,
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
    // Only GET requests are cacheable, and they may only run queries.
    let operation_name = request.operation_name.clone();
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
    let viewer = match authenticate(state, headers) {
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
    let anonymous_query = !viewer.authenticated()
        && request
            .parsed_query()
            .is_ok_and(|document| only_queries(document, operation_name.as_deref()));
    let db = state.inner.db.for_request(anonymous_query).clone();
    let on_replica = anonymous_query && state.inner.db.replica.is_some();
    let index_cache = state.inner.index_caches[usize::from(on_replica)].clone();
    let cacheable = cacheable && !viewer.authenticated();
    let request = request
        .data(request_loaders(db.clone()))
        .data(db)
        .data(index_cache)
        .data(viewer);
    let run = state.inner.schema.execute(request);
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
    if unavailable {
        let retry = [(header::RETRY_AFTER, RETRY_AFTER_SECS)];
        return (StatusCode::SERVICE_UNAVAILABLE, retry, headers, body).into_response();
    }
    (headers, body).into_response()
}

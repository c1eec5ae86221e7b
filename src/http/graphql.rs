//! The GraphQL endpoint: `POST /graphql` and `GET /graphql` (queries only), one operation
//! per request, priced before it runs, on the connection its caller may use; answers in the
//! media type the caller accepts (`negotiate.rs`), persisted queries resolved first
//! (`persisted.rs`), anonymous `GET` answers kept and revalidated (`response_cache.rs`).

use async_graphql::parser::types::{ExecutableDocument, OperationType};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

use super::answer::{Answer, answer, cached_answer};
use super::logging::{Operation, RequestScope};
use super::metrics::is_operation_name;
use super::negotiate::{self, MediaType};
use super::params::Params;
use super::response_cache::Key;
use super::{AppState, persisted, request_error, unauthorized};
use crate::db::loaders::loaders as request_loaders;
use crate::error::finish_errors;
use crate::graphql::Viewer;
use crate::graphql::yields::{PollClock, clocked};

/// Who the request's `Authorization` header says the caller is, or why it was refused;
/// decided once by [`super::limit::admit`] and handed to the handler.
#[derive(Clone, Debug)]
pub struct Authentication(pub Result<Viewer, String>);

/// One request as its handler read it.
struct Call {
    params: Params,
    media: MediaType,
    /// `Some` for a `GET`: its `If-None-Match`, if any.
    get: Option<Option<String>>,
}

pub(super) async fn graphql_post(
    State(state): State<AppState>,
    Extension(auth): Extension<Authentication>,
    Extension(scope): Extension<RequestScope>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let media = MediaType::accepted(&headers);
    let params = match post_params(&headers, body) {
        Ok(params) => params,
        Err(refused) => return finish(*refused, media, None),
    };
    let call = Call {
        params,
        media,
        get: None,
    };
    execute(&state, auth, &scope, call).await
}

/// A `POST`'s parameters, or the answer refusing it: `415` unless its body is declared JSON.
fn post_params(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Params, Box<Response>> {
    if !negotiate::is_json_body(headers) {
        return Err(Box::new(request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as JSON: Content-Type: application/json",
        )));
    }
    let body = match body {
        Ok(body) => body,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(Box::new(request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "the request body is too large",
            )));
        }
        Err(rejection) => {
            let text = rejection.body_text();
            return Err(Box::new(request_error(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &text,
            )));
        }
    };
    let bad = |message: &str| {
        Box::new(request_error(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            message,
        ))
    };
    let value: serde_json::Value = serde_json::from_slice(&body)
        .map_err(|err| bad(&format!("the body is not JSON: {err}")))?;
    if value.is_array() {
        return Err(Box::new(request_error(
            StatusCode::BAD_REQUEST,
            "BATCH_NOT_SUPPORTED",
            "batched requests are not supported; send one operation per request",
        )));
    }
    Params::from_json(value).map_err(|message| bad(&message))
}

pub(super) async fn graphql_get(
    State(state): State<AppState>,
    Extension(auth): Extension<Authentication>,
    Extension(scope): Extension<RequestScope>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let media = MediaType::accepted(&headers);
    let params = match Params::from_query_string(query.as_deref().unwrap_or_default()) {
        Ok(params) => params,
        Err(message) => {
            let refused = request_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", &message);
            return finish(refused, media, None);
        }
    };
    let if_none_match = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let call = Call {
        params,
        media,
        get: Some(if_none_match),
    };
    execute(&state, auth, &scope, call).await
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
    call: Call,
) -> Response {
    let mut operation = Operation {
        name: call
            .params
            .operation_name
            .clone()
            .filter(|name| is_operation_name(name)),
        kind: "unknown",
    };
    let media = call.media;
    let response = run(state, auth, scope, call, &mut operation).await;
    finish(response, media, Some(operation))
}

/// The answer in the negotiated media type, with `Vary` naming what chose it (the CORS layer
/// adds `Origin` when it echoes origins).
fn finish(mut response: Response, media: MediaType, operation: Option<Operation>) -> Response {
    let headers = response.headers_mut();
    if headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v == negotiate::JSON)
    {
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(media.content_type()),
        );
    }
    headers.append(
        header::VARY,
        HeaderValue::from_static("Authorization, Accept"),
    );
    if let Some(operation) = operation {
        response.extensions_mut().insert(operation);
    }
    response
}

/// The refusal of a subscription sent over HTTP.
const OVER_WEBSOCKET: &str = "subscriptions run over a WebSocket: GET /graphql with Upgrade: websocket and Sec-WebSocket-Protocol: graphql-transport-ws";

fn kind_of(ty: OperationType) -> &'static str {
    match ty {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

/// The operation a document runs: its name and kind, when the document names one
/// operation or the request selects one.
pub(super) fn selected(
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
    mut call: Call,
    operation: &mut Operation,
) -> Response {
    let (text, register) = match persisted::document_of(state, &mut call.params, call.media).await {
        Ok(found) => found,
        Err(refused) => return *refused,
    };
    let variables = serde_json::Value::Object(call.params.variables.take().unwrap_or_default());
    let mut request = async_graphql::Request::new(text)
        .variables(async_graphql::Variables::from_json(variables.clone()));
    request.operation_name = call.params.operation_name.take();
    // Priced before anything else runs, async-graphql's parser and validation included:
    // its validation expands a fragment anew at every spread, and the price bounds that.
    if let Err(refused) = state.inner.pricing.check(&mut request) {
        let status = match refused.code() {
            "GRAPHQL_PARSE_FAILED" | "GRAPHQL_VALIDATION_FAILED" => {
                call.media.document_error_status()
            }
            _ => StatusCode::BAD_REQUEST,
        };
        return request_error(status, refused.code(), &refused.to_string());
    }
    let operation_name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return request_error(
            StatusCode::BAD_REQUEST,
            "GRAPHQL_PARSE_FAILED",
            "the query is not valid GraphQL",
        );
    };
    if let Some((name, ty)) = selected(document, operation_name.as_deref()) {
        operation.name = name.filter(|name| is_operation_name(name));
        operation.kind = kind_of(ty);
    }
    if operation.kind == "subscription" {
        return request_error(StatusCode::BAD_REQUEST, "BAD_REQUEST", OVER_WEBSOCKET);
    }
    let queries_only = only_queries(document, operation_name.as_deref());
    // Only GET requests are cacheable, and they may only run queries.
    if call.get.is_some() && !queries_only {
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
    if !viewer.authenticated() && !queries_only {
        return unauthorized("mutations need an Authorization: Bearer token", "");
    }
    if let Err(refused) = persisted::check_safelist(state, &viewer, &request.query).await {
        return *refused;
    }
    if let Some(hash) = register
        && (viewer.authenticated() || !state.inner.persisted.safelist())
    {
        state.inner.persisted.remember(&hash, &request.query).await;
    }
    let anonymous_query = !viewer.authenticated() && queries_only;
    let plan = Plan {
        media: call.media,
        get: call.get,
        variables,
        anonymous_query,
    };
    run_cached(state, scope, request, viewer, plan).await
}

/// How an admitted request is answered.
struct Plan {
    media: MediaType,
    get: Option<Option<String>>,
    variables: serde_json::Value,
    anonymous_query: bool,
}

/// Answers an admitted request: from the response cache when it is an anonymous `GET` query
/// whose answer is kept, else by running it (and keeping its answer when it may be kept).
async fn run_cached(
    state: &AppState,
    scope: &RequestScope,
    request: async_graphql::Request,
    viewer: Viewer,
    plan: Plan,
) -> Response {
    let version = &state.inner.version;
    // Read before the query runs: a write committed while it runs raises the version, and
    // the answer is kept under the old one, never served after the write.
    let at = version.current();
    let cacheable = plan.get.is_some() && plan.anonymous_query && version.in_sync();
    let key = cacheable.then(|| {
        Key {
            version: at,
            document: &request.query,
            variables: &plan.variables,
            operation: request.operation_name.as_deref(),
            media: plan.media.content_type(),
        }
        .digest()
    });
    let is_get = plan.get.is_some();
    let if_none_match = plan.get.flatten();
    let cache = &state.inner.response_cache;
    if let Some(key) = &key {
        if let Some(cached) = cache.get(key).await {
            state.inner.metrics.response_cache(true);
            return cached_answer(state, &cached, if_none_match.as_deref());
        }
        state.inner.metrics.response_cache(false);
    }
    let clock = PollClock::default();
    let request =
        with_connection(state, scope, request, viewer, plan.anonymous_query).data(clock.clone());
    // A turn first, inside the timeout: past `--max-concurrent-requests`, requests wait
    // rather than all holding their memory at once. Cache hits above need no turn. The
    // clock lets long computing yield (`graphql::yields`), so the timeout can cut it.
    let run = version.scope(clocked(clock, async {
        let _turn = state.inner.turns.take().await;
        state.inner.schema.execute(request).await
    }));
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
    let answered = match answer(response, plan.media, state.inner.max_response_bytes) {
        Answer::Ready(response) => return response,
        Answer::Keepable(body) => body,
    };
    // Kept only while the version is still the one it was read at and in sync.
    match key.filter(|_| version.current() == at && version.in_sync()) {
        Some(key) => {
            let cached = cache.put(key, answered, plan.media.content_type()).await;
            cached_answer(state, &cached, if_none_match.as_deref())
        }
        None if is_get && plan.anonymous_query => {
            let etag = super::response_cache::etag(&answered, plan.media.content_type());
            let cached = super::response_cache::Cached {
                body: answered,
                etag,
            };
            cached_answer(state, &cached, if_none_match.as_deref())
        }
        None => super::answer::plain(answered, "no-store"),
    }
}

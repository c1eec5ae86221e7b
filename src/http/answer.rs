//! Turning an executed request into its HTTP answer: serialised once, refused past the size
//! cap, with the status the GraphQL-over-HTTP spec gives it, `503` with `Retry-After` when the
//! database could not be reached; and answers from the response cache, `304` when the
//! client's `If-None-Match` names the kept `ETag`.

use axum::body::Bytes;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::etag::names;
use super::logging::Outcome;
use super::negotiate::{JSON, MediaType};
use super::response_cache::Cached;
use super::{AppState, RETRY_AFTER_SECS, request_error};
use crate::error::ApiError;

/// An executed request's answer: an error-free body that may be kept, or a finished answer.
pub enum Answer {
    Keepable(Bytes),
    Ready(Response),
}

/// The code of a GraphQL error, `INTERNAL` when it has none.
fn code_of(error: &async_graphql::ServerError) -> &str {
    match error.extensions.as_ref().and_then(|ext| ext.get("code")) {
        Some(async_graphql::Value::String(code)) => code,
        _ => "INTERNAL",
    }
}

/// The answer to an executed request (see the module text). A request that failed before
/// execution — no data, and errors that name no field: validation, variables that do not
/// coerce — gets the media type's document-error status.
pub fn answer(response: async_graphql::Response, media: MediaType, limit: usize) -> Answer {
    let unavailable = response
        .errors
        .iter()
        .any(|error| code_of(error) == "SERVICE_UNAVAILABLE");
    let outcome = Outcome(response.errors.first().map_or("ok", code_of).to_owned());
    let before_execution = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|error| error.path.is_empty());
    let clean = response.errors.is_empty();
    // A request that never ran has no `data` entry at all (GraphQL over HTTP).
    let body = if before_execution {
        serde_json::to_vec(&serde_json::json!({ "errors": response.errors }))
    } else {
        serde_json::to_vec(&response)
    };
    let body = match body {
        Ok(body) => body,
        Err(err) => {
            tracing::error!(error = %err, "cannot serialise a response");
            let refused = request_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
            );
            return Answer::Ready(refused);
        }
    };
    drop(response);
    // The cost model bounds an answer before it runs; this cap is the last line, so that no
    // answer beyond it leaves the server whatever the price estimated.
    if body.len() > limit {
        return Answer::Ready(request_error(
            StatusCode::BAD_REQUEST,
            "RESPONSE_TOO_LARGE",
            &format!(
                "the answer would be {} bytes; the limit is {limit}: ask for smaller pages or fewer fields",
                body.len()
            ),
        ));
    }
    if clean {
        return Answer::Keepable(Bytes::from(body));
    }
    let headers = [
        (header::CONTENT_TYPE, JSON),
        (header::CACHE_CONTROL, "no-store"),
    ];
    let mut response = if unavailable {
        let retry = [(header::RETRY_AFTER, RETRY_AFTER_SECS)];
        (StatusCode::SERVICE_UNAVAILABLE, retry, headers, body).into_response()
    } else if before_execution {
        (media.document_error_status(), headers, body).into_response()
    } else {
        (headers, body).into_response()
    };
    response.extensions_mut().insert(outcome);
    Answer::Ready(response)
}

/// An error-free answer that is not kept (a `POST`, a caller with a token).
pub fn plain(body: Bytes, cache_control: &'static str) -> Response {
    let headers = [
        (header::CONTENT_TYPE, JSON),
        (header::CACHE_CONTROL, cache_control),
    ];
    let mut response = (headers, body).into_response();
    response.extensions_mut().insert(Outcome("ok".to_owned()));
    response
}

/// A cacheable answer with its `ETag` and the configured `Cache-Control`: `304 Not Modified`
/// without a body when `if_none_match` names the tag.
pub fn cached_answer(state: &AppState, cached: &Cached, if_none_match: Option<&str>) -> Response {
    let etag = HeaderValue::from_str(&cached.etag).unwrap_or(HeaderValue::from_static("\"\""));
    let cache_control = state.inner.cache_control.clone();
    let mut response = if if_none_match.is_some_and(|tags| names(tags, &cached.etag)) {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        // The type the body would have had, so `finish` names the negotiated one.
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(JSON));
        response
    } else {
        ([(header::CONTENT_TYPE, JSON)], cached.body.clone()).into_response()
    };
    let headers = response.headers_mut();
    headers.insert(header::ETAG, etag);
    headers.insert(header::CACHE_CONTROL, cache_control);
    response.extensions_mut().insert(Outcome("ok".to_owned()));
    response
}

/// The answer to an [`ApiError`] met before execution (looking up a persisted query).
pub fn api_error(err: &ApiError) -> Response {
    match err {
        ApiError::Unavailable => {
            let mut response =
                request_error(StatusCode::SERVICE_UNAVAILABLE, err.code(), err.message());
            response.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from_static(RETRY_AFTER_SECS),
            );
            response
        }
        ApiError::Internal => {
            request_error(StatusCode::INTERNAL_SERVER_ERROR, err.code(), err.message())
        }
        _ => request_error(StatusCode::BAD_REQUEST, err.code(), err.message()),
    }
}

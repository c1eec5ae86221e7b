//! GraphQL over HTTP's media types: which one an answer is sent as (`Accept`), whether a
//! request body is JSON (`Content-Type`), and which status a request that fails before
//! execution gets under each.
//!
//! `application/graphql-response+json` is the spec's own type: under it a request that fails
//! before execution (a document that does not parse or validate, variables that do not
//! coerce, no query) is a `4xx`, and a client can tell a GraphQL answer from a proxy's error
//! page. `application/json` is the legacy type, answered `200` whenever GraphQL ran or refused
//! the document, as clients written before the spec expect; it is the default when `Accept` is
//! missing or names neither.

use axum::http::{HeaderMap, StatusCode, header};

/// The GraphQL-over-HTTP response media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// The legacy JSON media type.
pub const JSON: &str = "application/json";

/// The media type of one answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediaType {
    Json,
    GraphqlResponse,
}

impl MediaType {
    /// What `Accept` prefers: `application/graphql-response+json` when it is listed with a
    /// quality at least that of `application/json` (or of a wildcard standing for it), else
    /// `application/json`.
    pub fn accepted(headers: &HeaderMap) -> Self {
        let Some(accept) = headers
            .get(header::ACCEPT)
            .and_then(|value| value.to_str().ok())
        else {
            return Self::Json;
        };
        let (mut graphql, mut json) = (0.0_f32, 0.0_f32);
        for range in accept.split(',') {
            let mut parts = range.split(';');
            let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match essence.as_str() {
                GRAPHQL_RESPONSE_JSON => graphql = graphql.max(quality),
                JSON | "application/*" | "*/*" => json = json.max(quality),
                _ => {}
            }
        }
        if graphql > 0.0 && graphql >= json {
            Self::GraphqlResponse
        } else {
            Self::Json
        }
    }

    /// The `Content-Type` of an answer in this type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Json => JSON,
            Self::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
        }
    }

    /// The status of a request that failed before execution because of its document or its
    /// variables: `200` under `application/json`, `400` under the spec's own type.
    pub fn document_error_status(self) -> StatusCode {
        match self {
            Self::Json => StatusCode::OK,
            Self::GraphqlResponse => StatusCode::BAD_REQUEST,
        }
    }
}

/// Whether a POST body is declared JSON: `application/json`, with no charset or UTF-8.
pub fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    essence.eq_ignore_ascii_case(JSON)
        && parts.all(|param| {
            let (name, value) = param.split_once('=').unwrap_or((param, ""));
            !name.trim().eq_ignore_ascii_case("charset")
                || value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: header::HeaderName, value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_spec_type_is_chosen_only_when_preferred() {
        let accepted = |value| MediaType::accepted(&with(header::ACCEPT, value));
        assert_eq!(MediaType::accepted(&HeaderMap::new()), MediaType::Json);
        assert_eq!(accepted("*/*"), MediaType::Json);
        assert_eq!(accepted(GRAPHQL_RESPONSE_JSON), MediaType::GraphqlResponse);
        assert_eq!(
            accepted("application/graphql-response+json, application/json;q=0.9"),
            MediaType::GraphqlResponse
        );
        assert_eq!(
            accepted("application/graphql-response+json;q=0.5, application/json"),
            MediaType::Json
        );
        assert_eq!(
            accepted("application/graphql-response+json;q=0"),
            MediaType::Json
        );
        assert_eq!(accepted("text/html"), MediaType::Json);
    }

    #[test]
    fn only_json_bodies_in_utf_8_are_json() {
        let json = |value| is_json_body(&with(header::CONTENT_TYPE, value));
        assert!(json("application/json"));
        assert!(json("Application/JSON; charset=UTF-8"));
        assert!(!json("application/json; charset=latin1"));
        assert!(!json("text/plain"));
        assert!(!json("application/x-www-form-urlencoded"));
        assert!(!is_json_body(&HeaderMap::new()));
    }
}

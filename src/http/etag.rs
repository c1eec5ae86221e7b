//! Validators for answers that a browser or a CDN keeps: an `ETag` from the content's
//! SHA-256, and `304 Not Modified` when the client's `If-None-Match` names it.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// A strong entity tag for `bytes`: the first 32 hex digits of their SHA-256, quoted.
pub fn of(bytes: &[u8]) -> String {
    of_parts(&[bytes])
}

/// A strong entity tag for `parts` taken together (each followed by a zero byte, so that
/// parts cannot trade bytes): the first 32 hex digits of their SHA-256, quoted.
pub fn of_parts(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
        hash.update([0]);
    }
    format!("\"{}\"", hex::encode(&hash.finalize()[..16]))
}

/// Whether `If-None-Match` in `request` names `etag` (or is `*`).
pub fn matches(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .any(|value| names(value, etag))
}

/// Whether one `If-None-Match` value (a list of tags) names `etag` (or is `*`); compared
/// weakly, as RFC 9110 §13.1.2 asks for this header.
pub fn names(if_none_match: &str, etag: &str) -> bool {
    let wanted = etag.trim_start_matches("W/");
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == wanted)
}

/// `body` as `content_type` with its `ETag` and `cache_control`, or `304` with the same
/// validators when the client already has it.
pub fn answer(
    request: &HeaderMap,
    content_type: &'static str,
    cache_control: &'static str,
    body: impl Into<axum::body::Body>,
    etag: &str,
) -> Response {
    let etag = HeaderValue::from_str(etag).unwrap_or_else(|_| HeaderValue::from_static("\"\""));
    let validators = [
        (header::ETAG, etag),
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache_control),
        ),
    ];
    if matches(request, validators[0].1.to_str().unwrap_or_default()) {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    let kind = [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))];
    (validators, kind, body.into()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_none_match(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::IF_NONE_MATCH, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn a_tag_is_the_quoted_hash_of_the_content() {
        let tag = of(b"BEGIN:VCALENDAR");
        assert_eq!(tag.len(), 34);
        assert!(tag.starts_with('"') && tag.ends_with('"'));
        assert_eq!(tag, of(b"BEGIN:VCALENDAR"));
        assert_ne!(tag, of(b"BEGIN:VCALENDAR "));
    }

    #[test]
    fn if_none_match_is_compared_weakly_and_as_a_list() {
        let tag = "\"abc\"";
        assert!(matches(&if_none_match("\"abc\""), tag));
        assert!(matches(&if_none_match("W/\"abc\""), tag));
        assert!(matches(&if_none_match("\"x\", \"abc\""), tag));
        assert!(matches(&if_none_match("*"), tag));
        assert!(!matches(&if_none_match("\"abcd\""), tag));
        assert!(!matches(&HeaderMap::new(), tag));
    }

    #[test]
    fn a_matching_request_gets_304_with_the_validators() {
        let tag = of(b"body");
        let response = answer(&if_none_match(&tag), "text/plain", "no-cache", "body", &tag);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(response.headers()[header::ETAG], tag.as_str());
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
        let fresh = answer(&HeaderMap::new(), "text/plain", "no-cache", "body", &tag);
        assert_eq!(fresh.status(), StatusCode::OK);
        assert_eq!(fresh.headers()[header::CONTENT_TYPE], "text/plain");
    }
}

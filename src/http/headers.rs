//! CORS and the security headers every answer carries.
//!
//! CORS: with no `--cors-origin`, any origin may read anonymously (`Access-Control-Allow-Origin:
//! *`, no credentials) and a preflight never allows the `Authorization` header, so no
//! cross-origin page can send a token. With origins listed, only those get CORS headers,
//! `Authorization` included, with `Vary: Origin`. Credentials (cookies) are never allowed:
//! the API reads none.
//!
//! Security headers: a strict Content-Security-Policy unless the handler set its own (the
//! GraphiQL page does), `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`
//! and `X-Frame-Options: DENY` (with CSP's `frame-ancestors 'none'`).

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::response::Response;
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

/// The policy of every answer that sets none of its own (the JSON answers): nothing may be
/// loaded, framed, or submitted.
pub const STRICT_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// How long a browser may keep a preflight answer.
const PREFLIGHT_MAX_AGE: Duration = Duration::from_secs(3600);

/// The CORS layer for the listed origins (see the module text); `origins` come from
/// [`parse_origin`].
pub fn cors(origins: &[String]) -> CorsLayer {
    // Pages may read the answer's `ETag` (to revalidate with `If-None-Match`), its request
    // id and, when refused, when to retry.
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .expose_headers([
            header::ETAG,
            super::logging::REQUEST_ID.clone(),
            header::RETRY_AFTER,
        ])
        .max_age(PREFLIGHT_MAX_AGE);
    if origins.is_empty() {
        return layer.allow_origin(Any).allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::IF_NONE_MATCH,
        ]);
    }
    let origins = origins
        .iter()
        .filter_map(|origin| HeaderValue::from_str(origin).ok());
    layer
        .allow_origin(AllowOrigin::list(origins))
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::AUTHORIZATION,
            header::IF_NONE_MATCH,
        ])
}

/// `response` with its `Vary` values (the handler's and the CORS layer's) in one header, as
/// caches and clients reading only the first header expect.
async fn one_vary(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if headers.get_all(header::VARY).iter().count() > 1 {
        let joined = headers
            .get_all(header::VARY)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect::<Vec<_>>()
            .join(", ");
        if let Ok(value) = HeaderValue::from_str(&joined) {
            headers.insert(header::VARY, value);
        }
    }
    response
}

/// `router` with the security headers on every answer, its fallback's included.
pub fn secure<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let fixed = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::overriding(name, HeaderValue::from_static(value))
    };
    router
        .layer(axum::middleware::map_response(one_vary))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        ))
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
}

/// A `--cors-origin` value as the browser sends it in `Origin`: `http` or `https`, a host
/// and an optional port, lower case, no path (one trailing `/` is dropped).
pub fn parse_origin(text: &str) -> Result<String, String> {
    let bad = |why: &str| {
        Err(format!(
            "{text:?} is not an origin ({why}); write it as https://portal.example.org[:port]"
        ))
    };
    let trimmed = text.trim();
    let trimmed = trimmed.strip_suffix('/').unwrap_or(trimmed);
    let Some((scheme, authority)) = trimmed.split_once("://") else {
        return bad("no scheme");
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return bad("the scheme must be http or https");
    }
    if authority.is_empty() {
        return bad("no host");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '[' | ']');
    if !authority.chars().all(allowed) {
        return bad("only a host and a port may follow the scheme");
    }
    // The port is what follows the last colon outside an IPv6 literal's brackets.
    let host_end = authority.rfind(']').map_or(0, |i| i + 1);
    if let Some(colon) = authority[host_end..].rfind(':') {
        let (host, port) = authority.split_at(host_end + colon);
        if host.is_empty() || !matches!(port[1..].parse::<u16>(), Ok(p) if p > 0) {
            return bad("the port must be a number from 1 to 65535");
        }
    }
    Ok(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::parse_origin;

    #[test]
    fn origins_are_read_as_browsers_send_them() {
        assert_eq!(
            parse_origin("https://Portal.Example.org/").as_deref(),
            Ok("https://portal.example.org")
        );
        assert_eq!(
            parse_origin("HTTP://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(
            parse_origin("http://[::1]:8080").as_deref(),
            Ok("http://[::1]:8080")
        );
        for bad in [
            "portal.example.org",
            "ftp://portal.example.org",
            "https://",
            "https://portal.example.org/path",
            "https://portal.example.org:0",
            "https://portal.example.org:99999",
            "https://user@portal.example.org",
            "*",
        ] {
            let error = parse_origin(bad).expect_err(bad);
            assert!(error.contains("is not an origin"), "{bad}: {error}");
        }
    }
}

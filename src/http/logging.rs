//! The access log and the request metrics: every request gets an id (the caller's
//! `X-Request-Id` when it is sane, else a new UUID), returned in `X-Request-Id`, and one log
//! line when it is answered: id, route, operation name and kind, status, outcome code,
//! duration, SQL statements and the caller's `sub`. No variables, query text, client
//! addresses or contact details are logged.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use sea_orm::metric::Info;
use tracing::Instrument;

use super::AppState;
use super::metrics::RequestSample;

/// The request id header, read and returned.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest incoming request id kept; a longer one is replaced.
const MAX_REQUEST_ID: usize = 128;

/// Routes polled by load balancers and scrapers, logged at `debug` rather than `info` (as
/// are requests refused by the rate limit).
const PROBES: &[&str] = &["/healthz", "/readyz", "/metrics"];

/// What a request's handler knows about it, in the request's extensions.
#[derive(Clone)]
pub struct RequestScope {
    /// The SQL statements the request ran.
    pub tally: Arc<Tally>,
}

/// SQL statements one request ran and their total time.
#[derive(Default)]
pub struct Tally {
    statements: AtomicU64,
    nanos: AtomicU64,
}

impl Tally {
    /// Counts one statement.
    pub fn add(&self, info: &Info<'_>) {
        self.statements.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(info.elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// Statements counted so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Their total time.
    pub fn elapsed(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }
}

/// The GraphQL operation a response answered, in the response's extensions.
#[derive(Clone, Debug)]
pub struct Operation {
    /// Its name, when it has one that is a GraphQL name.
    pub name: Option<String>,
    /// `query`, `mutation`, `subscription`, or `unknown` when the document was not read.
    pub kind: &'static str,
}

/// The outcome code of a response: `ok` or the first error's `extensions.code`, in the
/// response's extensions.
#[derive(Clone, Debug)]
pub struct Outcome(pub String);

/// The `sub` of a caller with a valid token, in the response's extensions.
#[derive(Clone, Debug)]
pub struct Caller(pub String);

/// The caller's request id when it is 1–128 visible ASCII characters; else a new UUID.
pub fn request_id(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(&REQUEST_ID)
        .filter(|value| {
            let bytes = value.as_bytes();
            (1..=MAX_REQUEST_ID).contains(&bytes.len()) && bytes.iter().all(u8::is_ascii_graphic)
        })
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::try_from(uuid::Uuid::new_v4().to_string())
                .unwrap_or_else(|_| HeaderValue::from_static("-"))
        })
}

/// Gives the request its id and statement tally, runs it inside a span carrying the id
/// (so whatever it logs names the request), then writes its log line and metrics.
pub async fn track(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let id = request_id(request.headers());
    let tally = Arc::new(Tally::default());
    request.extensions_mut().insert(RequestScope {
        tally: tally.clone(),
    });
    // The route, never the URI: a GET's query string holds the query and its values.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", |path| path.as_str())
        .to_owned();
    let method = request.method().clone();
    let id_text = id.to_str().unwrap_or("-").to_owned();
    let mut unanswered = Unanswered {
        state: &state,
        route: &route,
        method: &method,
        id: &id_text,
        started,
        tally: &tally,
        armed: true,
    };
    let span = tracing::info_span!("request", request_id = %id_text);
    let mut response = next.run(request).instrument(span).await;
    unanswered.armed = false;
    let elapsed = started.elapsed();
    response.headers_mut().insert(REQUEST_ID.clone(), id);

    let operation = response.extensions().get::<Operation>();
    let name = operation.and_then(|op| op.name.as_deref());
    let kind = operation.map_or("unknown", |op| op.kind);
    let status = response.status();
    let code = response.extensions().get::<Outcome>().map_or(
        if status.is_success() {
            "ok"
        } else {
            "HTTP_ERROR"
        },
        |o| o.0.as_str(),
    );
    let sub = response.extensions().get::<Caller>().map(|c| c.0.as_str());
    let duration_ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0;
    let sql_ms = (tally.elapsed().as_secs_f64() * 10_000.0).round() / 10.0;
    macro_rules! line {
        ($level:expr) => {
            tracing::event!(
                $level,
                request_id = %id_text,
                method = %method,
                route = %route,
                operation = name,
                kind,
                status = status.as_u16(),
                code,
                duration_ms,
                statements = tally.statements(),
                sql_ms,
                sub,
                "request"
            )
        };
    }
    // Refusals of a flood are counted in the metrics; a line each would flood the log too.
    match PROBES.contains(&route.as_str()) || code == "RATE_LIMITED" {
        true => line!(tracing::Level::DEBUG),
        false => line!(tracing::Level::INFO),
    }
    if route == "/graphql" {
        state.inner.metrics.request(&RequestSample {
            operation: name,
            kind,
            code,
            elapsed,
            statements: tally.statements(),
        });
    }
    response
}

/// The outcome code of a request whose client went away before it was answered.
pub const CLIENT_GONE: &str = "CLIENT_GONE";

/// Logs and counts a request whose client closed the connection before the answer: hyper
/// drops the request's future then (the work stops at its next yield point, see
/// `graphql::yields`), so [`track`] never reaches its own line. Status 499, after nginx.
struct Unanswered<'a> {
    state: &'a AppState,
    route: &'a str,
    method: &'a axum::http::Method,
    id: &'a str,
    started: Instant,
    tally: &'a Tally,
    armed: bool,
}

impl Drop for Unanswered<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let elapsed = self.started.elapsed();
        tracing::info!(
            request_id = %self.id,
            method = %self.method,
            route = %self.route,
            kind = "unknown",
            status = 499,
            code = CLIENT_GONE,
            duration_ms = (elapsed.as_secs_f64() * 10_000.0).round() / 10.0,
            statements = self.tally.statements(),
            "request"
        );
        if self.route == "/graphql" {
            self.state.inner.metrics.request(&RequestSample {
                operation: None,
                kind: "unknown",
                code: CLIENT_GONE,
                elapsed,
                statements: self.tally.statements(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_id(value: &[u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(&REQUEST_ID, HeaderValue::from_bytes(value).unwrap());
        headers
    }

    #[test]
    fn a_sane_request_id_is_kept() {
        assert_eq!(request_id(&with_id(b"portal-7f3a.42")), "portal-7f3a.42");
        let longest = "x".repeat(128);
        assert_eq!(request_id(&with_id(longest.as_bytes())), longest.as_str());
    }

    #[test]
    fn an_odd_or_missing_request_id_is_replaced_with_a_uuid() {
        for odd in [
            &b"has space"[..],
            &[b'x'; 129][..],
            b"caf\xc3\xa9",
            b"tab\there",
        ] {
            let id = request_id(&with_id(odd));
            let text = id.to_str().unwrap();
            assert!(text.parse::<uuid::Uuid>().is_ok(), "{odd:?} gave {text}");
        }
        let id = request_id(&HeaderMap::new());
        assert!(id.to_str().unwrap().parse::<uuid::Uuid>().is_ok());
    }
}

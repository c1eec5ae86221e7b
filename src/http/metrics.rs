//! Prometheus metrics at `/metrics`: requests by operation, kind and outcome, their
//! latency, the SQL statements they ran, the pools' connections and rate-limited requests.
//!
//! Each application has a recorder of its own (not the `metrics` crate's global one), so
//! several applications in one process — the test suite runs dozens — count apart.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock, PoisonError};
use std::time::Duration;

use metrics::{
    Counter, Gauge, Histogram, Key, KeyName, Label, Level, Metadata, Recorder, SharedString, Unit,
};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use sea_orm::metric::Info;

use crate::db::{Databases, Pool, pool_use};

/// Requests answered on `/graphql`, by operation, kind and outcome code.
pub const REQUESTS: &str = "yhdyspinta_graphql_requests_total";
/// Seconds from a request's arrival to its answer, by operation and kind.
pub const REQUEST_SECONDS: &str = "yhdyspinta_graphql_request_duration_seconds";
/// SQL statements one request ran, by kind.
pub const STATEMENTS_PER_REQUEST: &str = "yhdyspinta_sql_statements_per_request";
/// Seconds one SQL statement took, by pool.
pub const STATEMENT_SECONDS: &str = "yhdyspinta_sql_statement_duration_seconds";
/// SQL statements that failed, by pool.
pub const STATEMENT_ERRORS: &str = "yhdyspinta_sql_statement_errors_total";
/// Connections of each pool, by state (`in_use`, `idle`).
pub const POOL_CONNECTIONS: &str = "yhdyspinta_db_pool_connections";
/// GraphQL requests by turn state (`executing`, `waiting` for a turn).
pub const TURNS: &str = "yhdyspinta_graphql_requests_in_flight";
/// Requests refused with `RATE_LIMITED`, by what they were counted against.
pub const RATE_LIMITED: &str = "yhdyspinta_rate_limited_total";
/// WebSocket connections open (subscriptions).
pub const WEBSOCKETS: &str = "yhdyspinta_websocket_connections";

/// Anonymous `GET` queries answered from the response cache.
pub const CACHE_HITS: &str = "yhdyspinta_response_cache_hits_total";
/// Anonymous `GET` queries the response cache did not hold, which ran.
pub const CACHE_MISSES: &str = "yhdyspinta_response_cache_misses_total";

/// Most distinct operation names kept as label values; later ones count as `other`.
pub const MAX_OPERATIONS: usize = 100;
/// Longest operation name kept as a label value.
const MAX_OPERATION_LEN: usize = 64;

const LATENCY_BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
const STATEMENT_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 2.5,
];
const COUNT_BUCKETS: &[f64] = &[0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

static METADATA: Metadata<'static> = Metadata::new(module_path!(), Level::INFO, None);

/// One application's metrics.
pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    operations: Mutex<HashSet<String>>,
    /// Per pool (primary, replica): statement durations and failures, registered at a
    /// pool's first statement (so a server without a replica shows none) and kept, as every
    /// statement records them.
    statement_seconds: [OnceLock<Histogram>; 2],
    statement_errors: [OnceLock<Counter>; 2],
    /// Response cache hits and misses, shown from the start.
    cache: [Counter; 2],
}

/// What one finished GraphQL request adds to the metrics.
pub struct RequestSample<'a> {
    pub operation: Option<&'a str>,
    pub kind: &'static str,
    pub code: &'a str,
    pub elapsed: Duration,
    pub statements: u64,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Empty metrics with their histogram buckets and descriptions.
    pub fn new() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(REQUEST_SECONDS.into()), LATENCY_BUCKETS)
            .and_then(|b| {
                b.set_buckets_for_metric(Matcher::Full(STATEMENT_SECONDS.into()), STATEMENT_BUCKETS)
            })
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full(STATEMENTS_PER_REQUEST.into()),
                    COUNT_BUCKETS,
                )
            })
            // The bucket lists above are constant and not empty, the only way this fails.
            .expect("histogram buckets")
            .build_recorder();
        describe(&recorder);
        let handle = recorder.handle();
        let cache = [CACHE_MISSES, CACHE_HITS]
            .map(|name| recorder.register_counter(&Key::from_name(name), &METADATA));
        Self {
            recorder,
            handle,
            operations: Mutex::new(HashSet::new()),
            statement_seconds: Default::default(),
            statement_errors: Default::default(),
            cache,
        }
    }

    /// The label for an operation name: the name itself for the first [`MAX_OPERATIONS`]
    /// names seen, `anonymous` for none, `other` past the cap or for an odd name.
    pub fn operation_label(&self, name: Option<&str>) -> String {
        let Some(name) = name else {
            return "anonymous".into();
        };
        if !is_operation_name(name) {
            return "other".into();
        }
        let mut known = self
            .operations
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if known.contains(name) {
            return name.to_owned();
        }
        if known.len() < MAX_OPERATIONS {
            known.insert(name.to_owned());
            return name.to_owned();
        }
        "other".into()
    }

    /// Counts a finished GraphQL request.
    pub fn request(&self, sample: &RequestSample<'_>) {
        let operation = self.operation_label(sample.operation);
        let code = if is_code(sample.code) {
            sample.code
        } else {
            "OTHER"
        };
        self.counter(
            REQUESTS,
            vec![
                Label::new("operation", operation.clone()),
                Label::new("kind", sample.kind),
                Label::new("code", code.to_owned()),
            ],
        )
        .increment(1);
        self.histogram(
            REQUEST_SECONDS,
            vec![
                Label::new("operation", operation),
                Label::new("kind", sample.kind),
            ],
        )
        .record(sample.elapsed.as_secs_f64());
        self.histogram(
            STATEMENTS_PER_REQUEST,
            vec![Label::new("kind", sample.kind)],
        )
        .record(sample.statements as f64);
    }

    /// Records one SQL statement run on `pool`.
    pub fn statement(&self, pool: Pool, info: &Info<'_>) {
        let at = pool as usize;
        let labels = || vec![Label::new("pool", pool.label())];
        self.statement_seconds[at]
            .get_or_init(|| self.histogram(STATEMENT_SECONDS, labels()))
            .record(info.elapsed.as_secs_f64());
        let errors =
            self.statement_errors[at].get_or_init(|| self.counter(STATEMENT_ERRORS, labels()));
        if info.failed {
            errors.increment(1);
        }
    }

    /// Counts a response cache lookup: a hit, or a miss.
    pub fn response_cache(&self, hit: bool) {
        self.cache[usize::from(hit)].increment(1);
    }

    /// Counts a request refused for its rate, counted against `key` (`address` or `sub`).
    pub fn rate_limited(&self, key: &'static str) {
        self.counter(RATE_LIMITED, vec![Label::new("key", key)])
            .increment(1);
    }

    /// The Prometheus text of every metric, the pools' connections and the requests
    /// executing and waiting for a turn read now.
    pub fn render(&self, db: &Databases, turns: Turns) -> String {
        for (state, count) in [("executing", turns.executing), ("waiting", turns.waiting)] {
            self.recorder
                .register_gauge(
                    &Key::from_parts(TURNS, vec![Label::new("state", state)]),
                    &METADATA,
                )
                .set(count as f64);
        }
        self.recorder
            .register_gauge(&Key::from_name(WEBSOCKETS), &METADATA)
            .set(turns.websockets as f64);
        let pools = [Some(&db.primary), db.replica.as_ref()];
        for (pool, conn) in [Pool::Primary, Pool::Replica].into_iter().zip(pools) {
            if let Some(usage) = conn.and_then(pool_use) {
                self.gauge(pool, "in_use").set(f64::from(usage.in_use));
                self.gauge(pool, "idle").set(f64::from(usage.idle));
            }
        }
        self.handle.render()
    }

    /// Folds recorded histogram samples into their buckets, so that samples do not pile
    /// up between scrapes (or when nothing scrapes).
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    fn counter(&self, name: &'static str, labels: Vec<Label>) -> Counter {
        self.recorder
            .register_counter(&Key::from_parts(name, labels), &METADATA)
    }

    fn histogram(&self, name: &'static str, labels: Vec<Label>) -> Histogram {
        self.recorder
            .register_histogram(&Key::from_parts(name, labels), &METADATA)
    }

    fn gauge(&self, pool: Pool, state: &'static str) -> Gauge {
        let labels = vec![Label::new("pool", pool.label()), Label::new("state", state)];
        self.recorder
            .register_gauge(&Key::from_parts(POOL_CONNECTIONS, labels), &METADATA)
    }
}

fn describe(recorder: &PrometheusRecorder) {
    let text = |s: &'static str| SharedString::const_str(s);
    let name = KeyName::from_const_str;
    recorder.describe_counter(
        name(REQUESTS),
        Some(Unit::Count),
        text("GraphQL requests answered, by operation name, kind (query, mutation) and outcome code (ok or the first error's extensions.code)"),
    );
    recorder.describe_histogram(
        name(REQUEST_SECONDS),
        Some(Unit::Seconds),
        text("Time from a GraphQL request's arrival to its answer"),
    );
    recorder.describe_histogram(
        name(STATEMENTS_PER_REQUEST),
        Some(Unit::Count),
        text("SQL statements one GraphQL request ran"),
    );
    recorder.describe_histogram(
        name(STATEMENT_SECONDS),
        Some(Unit::Seconds),
        text("Time one SQL statement of a request took, by pool (primary, replica)"),
    );
    recorder.describe_counter(
        name(STATEMENT_ERRORS),
        Some(Unit::Count),
        text("SQL statements of requests that failed, by pool"),
    );
    recorder.describe_gauge(
        name(POOL_CONNECTIONS),
        Some(Unit::Count),
        text("Open database connections by pool and state (in_use, idle), read at scrape time"),
    );
    recorder.describe_gauge(
        name(TURNS),
        Some(Unit::Count),
        text("GraphQL requests executing, and waiting for a turn (--max-concurrent-requests), read at scrape time"),
    );
    recorder.describe_gauge(
        name(WEBSOCKETS),
        Some(Unit::Count),
        text(
            "WebSocket connections open for subscriptions (--max-websockets), read at scrape time",
        ),
    );
    recorder.describe_counter(
        name(CACHE_HITS),
        Some(Unit::Count),
        text("Anonymous GET queries answered from the response cache, with no SQL"),
    );
    recorder.describe_counter(
        name(CACHE_MISSES),
        Some(Unit::Count),
        text("Anonymous GET queries the response cache did not hold"),
    );
    recorder.describe_counter(
        name(RATE_LIMITED),
        Some(Unit::Count),
        text("Requests refused with 429 RATE_LIMITED, by what they counted against (address, sub)"),
    );
}

/// GraphQL requests holding a turn to execute, and waiting for one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Turns {
    pub executing: usize,
    pub waiting: usize,
    /// WebSocket connections open.
    pub websockets: usize,
}

/// A GraphQL name (`[_A-Za-z][_0-9A-Za-z]*`) of at most 64 characters.
pub fn is_operation_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= MAX_OPERATION_LEN
        && chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

/// An outcome code: `ok`, or upper-case letters and underscores, at most 40 of them.
fn is_code(code: &str) -> bool {
    code == "ok"
        || (!code.is_empty()
            && code.len() <= 40
            && code.bytes().all(|b| b == b'_' || b.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_are_capped_and_odd_ones_collapse() {
        let metrics = Metrics::new();
        assert_eq!(metrics.operation_label(None), "anonymous");
        assert_eq!(metrics.operation_label(Some("Kunta")), "Kunta");
        assert_eq!(metrics.operation_label(Some("not a name")), "other");
        assert_eq!(metrics.operation_label(Some(&"a".repeat(65))), "other");
        for n in 1..MAX_OPERATIONS {
            assert_eq!(
                metrics.operation_label(Some(&format!("Op{n}"))),
                format!("Op{n}")
            );
        }
        assert_eq!(metrics.operation_label(Some("OneTooMany")), "other");
        assert_eq!(metrics.operation_label(Some("Kunta")), "Kunta");
    }

    #[test]
    fn outcome_codes_outside_the_code_alphabet_are_other() {
        assert!(is_code("ok"));
        assert!(is_code("BAD_USER_INPUT"));
        assert!(!is_code("bad"));
        assert!(!is_code(""));
        assert!(!is_code(&"X".repeat(41)));
    }

    #[test]
    fn a_request_is_rendered_with_its_labels() {
        let metrics = Metrics::new();
        metrics.request(&RequestSample {
            operation: Some("Kunta"),
            kind: "query",
            code: "ok",
            elapsed: Duration::from_millis(3),
            statements: 5,
        });
        metrics.rate_limited("address");
        let text = metrics.handle.render();
        assert!(
            text.contains(
                r#"yhdyspinta_graphql_requests_total{operation="Kunta",kind="query",code="ok"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"yhdyspinta_rate_limited_total{key="address"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"yhdyspinta_sql_statements_per_request_bucket{kind="query",le="4"} 0"#),
            "{text}"
        );
        assert!(
            text.contains(r#"yhdyspinta_sql_statements_per_request_bucket{kind="query",le="8"} 1"#),
            "{text}"
        );
    }
}

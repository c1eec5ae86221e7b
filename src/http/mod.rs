//! The HTTP surface: `POST /graphql`, `GET /graphql` (queries only; subscriptions over
//! WebSocket, `socket.rs`), GraphiQL at `/` and
//! `/graphiql` (`graphiql.rs`), the embeddable web component at `/embed/yhdyspinta.js`
//! (`embed.rs`), calendar feeds at `/calendar/…/{id}.ics` (`calendar.rs`), `/healthz`
//! (liveness), `/readyz` (the databases answer) and `/metrics` (Prometheus); with a body-size cap, a per-request timeout, no batching, CORS
//! for embedding portals and security headers (`headers.rs`), a request id and one log line
//! per request, and rate limits per client.
//! A request whose database cannot be reached is answered `503` with `Retry-After`.
//!
//! Layers, outermost first: [`logging::track`] (request id, access log, request metrics),
//! CORS, then on the GraphQL, GraphiQL, embed and calendar routes only [`limit::admit`] (authentication and
//! the rate limit); the probes and `/metrics` are never limited.

mod answer;
pub mod builtin_documents;
mod calendar;
pub mod embed;
mod etag;
mod graphql;
pub mod limit;
pub mod logging;
pub mod metrics;
pub mod negotiate;
mod params;
pub mod persisted;
pub mod response_cache;
mod socket;

use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router, middleware};
use ipnet::IpNet;
use serde_json::json;

use crate::auth::token::Verifier;
use crate::config::ServeArgs;
use crate::db::Databases;
use crate::db::version::DataVersion;
use crate::domain::counterpart::cache::IndexCache;
use crate::graphql::ApiSchema;
use crate::graphql::cost::Pricing;
use limit::RateLimits;
use logging::Outcome;
use metrics::Metrics;
use persisted::PersistedQueries;
use response_cache::ResponseCache;

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
    /// Turns to execute a GraphQL request (`--max-concurrent-requests`), and how many
    /// requests wait for one.
    turns: Turns,
    metrics: Metrics,
    /// `None` when rate limiting is off.
    limits: Option<RateLimits>,
    trusted_proxies: Vec<IpNet>,
    /// County indexes read from the primary, and from the replica: kept apart so a writer
    /// never reads the replica's lag through the cache.
    index_caches: [IndexCache; 2],
    /// This application's data version: raised by its own commits and, on PostgreSQL, by
    /// every other process's (see [`crate::db::listen`]).
    version: DataVersion,
    /// Answers to anonymous `GET` queries, by data version.
    response_cache: ResponseCache,
    /// `Cache-Control` of cacheable answers.
    cache_control: HeaderValue,
    /// Persisted queries: registered and automatic ones.
    persisted: PersistedQueries,
    /// Places for WebSocket connections (`--max-websockets`).
    sockets: Arc<tokio::sync::Semaphore>,
    /// The WebSocket endpoint's settings.
    sockets_args: crate::config::SocketArgs,
}

/// Turns to execute GraphQL requests: at most `limit` at once, the rest wait.
struct Turns {
    semaphore: tokio::sync::Semaphore,
    limit: usize,
    waiting: std::sync::atomic::AtomicUsize,
}

impl Turns {
    fn new(limit: usize) -> Self {
        Self {
            semaphore: tokio::sync::Semaphore::new(limit),
            limit,
            waiting: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// Waits for a turn, held until the permit is dropped (the semaphore is never closed,
    /// so the `Err` is unreachable and ignored by the callers).
    async fn take(&self) -> Result<tokio::sync::SemaphorePermit<'_>, tokio::sync::AcquireError> {
        /// Counts a waiting request out however its wait ends, cancellation included.
        struct Waiting<'a>(&'a std::sync::atomic::AtomicUsize);
        impl Drop for Waiting<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        self.waiting
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _waiting = Waiting(&self.waiting);
        self.semaphore.acquire().await
    }

    fn now(&self) -> metrics::Turns {
        metrics::Turns {
            executing: self.limit - self.semaphore.available_permits(),
            waiting: self.waiting.load(std::sync::atomic::Ordering::Relaxed),
            websockets: 0,
        }
    }
}

/// How often idle rate-limit state is dropped and histogram samples are folded in.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(10);

impl AppState {
    /// The databases this application serves.
    pub fn databases(&self) -> &Databases {
        &self.inner.db
    }

    /// This application's data version.
    pub fn version(&self) -> &DataVersion {
        &self.inner.version
    }

    /// State serving `schema` over `db` as `args` configure it. Inside a Tokio runtime it
    /// starts the housekeeping task, which ends when the last handle to the state is gone.
    pub fn new(
        schema: ApiSchema,
        db: Databases,
        verifier: Option<Verifier>,
        pricing: Pricing,
        args: &ServeArgs,
    ) -> Self {
        let postgres = db.primary.get_database_backend() == sea_orm::DbBackend::Postgres;
        // On PostgreSQL the version is in sync only once its listener hears other nodes.
        let version = DataVersion::new(!postgres);
        let replica = db.replica.is_some();
        crate::db::listen::spawn(
            &db.primary,
            &version,
            replica.then_some(response_cache::REPLICA_TTL),
        );
        let cache_control = HeaderValue::from_str(&args.cache_control)
            .unwrap_or(HeaderValue::from_static("no-cache"));
        let state = Self {
            inner: Arc::new(Inner {
                schema,
                db,
                verifier,
                request_timeout: args.request_timeout,
                pricing,
                max_response_bytes: args.max_response_bytes,
                turns: Turns::new(args.concurrent_requests()),
                metrics: Metrics::new(),
                limits: RateLimits::new(args.rate_limit, args.rate_burst),
                trusted_proxies: args.trusted_proxies.clone(),
                index_caches: [IndexCache::default(), IndexCache::default()],
                version,
                response_cache: ResponseCache::new(replica),
                cache_control,
                persisted: PersistedQueries::new(
                    builtin_documents::BUILTIN_DOCUMENTS,
                    args.safelist,
                ),
                sockets: Arc::new(tokio::sync::Semaphore::new(args.sockets.max_websockets)),
                sockets_args: args.sockets.clone(),
            }),
        };
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(housekeeping(Arc::downgrade(&state.inner)));
        }
        state
    }
}

/// Drops the rate-limit state of clients that are quiet again, and folds histogram samples
/// into their buckets, every [`HOUSEKEEPING_EVERY`]; drops county indexes past their age
/// every second (so a quiet server's memory comes back); for as long as the state lives.
async fn housekeeping(inner: Weak<Inner>) {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    let upkeep_every = HOUSEKEEPING_EVERY.as_secs().max(1);
    for tick in 1u64.. {
        every.tick().await;
        let Some(inner) = inner.upgrade() else { return };
        for cache in &inner.index_caches {
            cache.evict_expired().await;
        }
        if tick % upkeep_every != 0 {
            continue;
        }
        if let Some(limits) = &inner.limits {
            limits.forget_idle();
        }
        inner.metrics.upkeep();
    }
}

/// The application's routes; `/metrics` among them unless `args` serve it elsewhere
/// ([`metrics_router`]).
pub fn router(state: AppState, args: &ServeArgs) -> Router {
    let limited = Router::new()
        .merge(graphiql::routes())
        .merge(embed::routes())
        .merge(calendar::routes())
        .route("/graphql", get(socket::get).post(graphql::graphql_post))
        .route_layer(middleware::from_fn_with_state(state.clone(), limit::admit));
    let mut probes = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz));
    if args.metrics_listen.is_none() {
        probes = probes.route("/metrics", get(metrics));
    }
    let routes = limited
        .merge(probes)
        .layer(DefaultBodyLimit::max(args.max_body_bytes))
        .layer(headers::cors(&args.cors_origins));
    headers::secure(routes)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            logging::track,
        ))
        .with_state(state)
}

/// `/metrics` alone, for a listen address of its own (`--metrics-listen`).
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// Liveness: the process serves HTTP. It asks no database, so a database outage does not
/// make an orchestrator restart healthy API nodes.
async fn healthz() -> Response {
    Json(json!({ "status": "ok" })).into_response()
}

/// Every metric in the Prometheus text format.
async fn metrics(State(state): State<AppState>) -> Response {
    let mut turns = state.inner.turns.now();
    let inner = &state.inner;
    turns.websockets = inner.sockets_args.max_websockets - inner.sockets.available_permits();
    let text = inner.metrics.render(&inner.db, turns);
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        text,
    )
        .into_response()
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

/// A response holding only errors, outside GraphQL execution; its code is the outcome the
/// access log and the metrics record.
fn request_error(status: StatusCode, code: &str, message: &str) -> Response {
    let mut response = (
        status,
        Json(json!({ "errors": [{ "message": message, "extensions": { "code": code } }] })),
    )
        .into_response();
    response.extensions_mut().insert(Outcome(code.to_owned()));
    response
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

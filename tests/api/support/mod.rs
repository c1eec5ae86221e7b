//! The test harness: `spawn_app()` starts the real HTTP application on a free loopback
//! port over a fresh database of its own, seeded like a first start.

pub mod browser;
pub mod fixtures;
pub mod node;
pub mod postgres;
pub mod receiver;
pub mod subscriber;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};

/// The HS256 secret tests sign tokens with.
pub const SECRET: &[u8] = b"test-secret-test-secret-test-secret!";
/// Issuer and audience the test application expects.
pub const ISSUER: &str = "yhdyspinta";
pub const AUDIENCE: &str = "yhdyspinta-api";

/// The key the test application verifies tokens with, unless a test names another.
fn default_key() -> yhdyspinta::auth::token::Key {
    yhdyspinta::auth::token::Key::Hs256(SECRET.to_vec())
}

/// Claims valid for ten minutes.
pub fn claims(
    role: yhdyspinta::auth::policy::Role,
    orgs: &[uuid::Uuid],
) -> yhdyspinta::auth::token::Claims {
    yhdyspinta::auth::token::Claims {
        sub: "test-integrator".into(),
        name: Some("Testi Integraattori".into()),
        role,
        orgs: orgs.to_vec(),
        exp: chrono::Utc::now().timestamp() + 600,
        iat: None,
        nbf: None,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
    }
}

/// A signed token for `role` writing for `orgs`.
pub fn token(role: yhdyspinta::auth::policy::Role, orgs: &[uuid::Uuid]) -> String {
    yhdyspinta::auth::token::mint_hs256(SECRET, &claims(role, orgs)).expect("token")
}

/// Which database a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running application and a client for it.
pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    /// The application's own connection pool.
    pub db: DatabaseConnection,
    /// SQL statements the application has run since the counter was last reset (on the
    /// primary, when there is a replica).
    pub statements: Arc<AtomicUsize>,
    /// The application's read-replica pool, when it has one.
    pub replica: Option<DatabaseConnection>,
    /// SQL statements run on the replica since the counter was last reset.
    pub replica_statements: Arc<AtomicUsize>,
    /// The primary's URL (another node may serve the same database).
    pub database_url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs `f` on a runtime of its own in another thread, so its connections never outlive
/// the runtime that created them.
fn on_own_runtime<T: Send + 'static>(
    f: impl FnOnce() -> std::pin::Pin<Box<dyn Future<Output = T> + Send>> + Send + 'static,
) -> T {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime")
            .block_on(f())
    })
    .join()
    .expect("setup thread panicked")
}

/// A migrated and seeded SQLite file that test databases are copied from.
fn sqlite_template() -> &'static PathBuf {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    &TEMPLATE
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("template.db");
            let url = format!("sqlite://{}", path.display());
            on_own_runtime(move || {
                Box::pin(async move {
                    let db = yhdyspinta::db::connect(&url)
                        .await
                        .expect("connect template");
                    yhdyspinta::prepare(&db, true).await.expect("seed template");
                    db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE);")
                        .await
                        .expect("checkpoint");
                    db.close().await.expect("close template");
                })
            });
            (dir, path)
        })
        .1
}

/// Name of the seeded PostgreSQL template database.
fn postgres_template(cluster: &'static postgres::PgCluster) -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = "yhdyspinta_template".to_owned();
        let template = name.clone();
        on_own_runtime(move || {
            Box::pin(async move {
                let url = postgres::create_database(cluster, &template, None).await;
                let db = yhdyspinta::db::connect(&url)
                    .await
                    .expect("connect template");
                yhdyspinta::prepare(&db, true).await.expect("seed template");
                db.close().await.expect("close template");
            })
        });
        name
    })
}

/// Starts the application on a fresh seeded database of `backend`, or `None` when
/// PostgreSQL is asked for and not installed.
pub async fn spawn_app_on(backend: Backend) -> Option<TestApp> {
    spawn_app_full(backend, Default::default(), default_key()).await
}

/// Like [`spawn_app_on`] with server settings of its own.
pub async fn spawn_app_with_args(
    backend: Backend,
    args: yhdyspinta::config::ServeArgs,
) -> Option<TestApp> {
    spawn_app_full(backend, args, default_key()).await
}

/// Like [`spawn_app_on`], verifying tokens with `key`.
#[allow(dead_code)]
pub async fn spawn_app_with_key(
    backend: Backend,
    key: yhdyspinta::auth::token::Key,
) -> Option<TestApp> {
    spawn_app_full(backend, Default::default(), key).await
}

async fn spawn_app_full(
    backend: Backend,
    args: yhdyspinta::config::ServeArgs,
    key: yhdyspinta::auth::token::Key,
) -> Option<TestApp> {
    let (url, dir) = fresh_database(backend).await?;
    Some(serve(&url, None, args, key, dir).await)
}

/// The URL of a fresh migrated and seeded database of `backend` (with the directory that
/// holds an SQLite file), or `None` when PostgreSQL is asked for and not installed.
pub async fn fresh_database(backend: Backend) -> Option<(String, Option<tempfile::TempDir>)> {
    Some(match backend {
        Backend::Sqlite => {
            let template = sqlite_template();
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("test.db");
            std::fs::copy(template, &path).expect("copy template");
            (format!("sqlite://{}", path.display()), Some(dir))
        }
        Backend::Postgres => {
            let cluster = postgres::cluster()?;
            let template = postgres_template(cluster);
            let url = postgres::create_database(cluster, &unique("t"), Some(template)).await;
            (url, None)
        }
    })
}

/// Starts the application over the primary at `primary` (migrated, and seeded when empty)
/// and, when given, the read replica at `replica`, counting each pool's statements.
#[allow(dead_code)]
pub async fn spawn_app_at(
    primary: &str,
    replica: Option<&str>,
    args: yhdyspinta::config::ServeArgs,
) -> TestApp {
    serve(primary, replica, args, default_key(), None).await
}

/// A pool to `url` whose statements `counter` counts.
async fn counted_pool(url: &str, counter: Arc<AtomicUsize>) -> DatabaseConnection {
    let mut db = yhdyspinta::db::connect(url).await.expect("connect");
    db.set_metric_callback(move |info| {
        counter.fetch_add(1, Ordering::Relaxed);
        if print_sql() {
            eprintln!("SQL: {}", info.statement.sql);
        }
    });
    db
}

/// Whether `YHDYSPINTA_TEST_SQL` asks for every statement to be printed.
fn print_sql() -> bool {
    static PRINT: OnceLock<bool> = OnceLock::new();
    *PRINT.get_or_init(|| std::env::var_os("YHDYSPINTA_TEST_SQL").is_some())
}

async fn serve(
    url: &str,
    replica_url: Option<&str>,
    args: yhdyspinta::config::ServeArgs,
    key: yhdyspinta::auth::token::Key,
    dir: Option<tempfile::TempDir>,
) -> TestApp {
    if let Ok(filter) = std::env::var("YHDYSPINTA_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
    let statements = Arc::new(AtomicUsize::new(0));
    let db = counted_pool(url, statements.clone()).await;
    yhdyspinta::prepare(&db, true).await.expect("prepare");
    let replica_statements = Arc::new(AtomicUsize::new(0));
    let replica = match replica_url {
        Some(url) => Some(counted_pool(url, replica_statements.clone()).await),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let verifier =
        yhdyspinta::auth::token::Verifier::new(&key, ISSUER, AUDIENCE, 5).expect("verifier");
    // A request's statements run on a handle of its own that tells the observer, not the
    // pool's callback; both count into the same counters.
    let (primary_count, replica_count) = (statements.clone(), replica_statements.clone());
    let observer = yhdyspinta::db::StatementObserver(Arc::new(move |pool, info| {
        let counter = match pool {
            yhdyspinta::db::Pool::Primary => &primary_count,
            yhdyspinta::db::Pool::Replica => &replica_count,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        if print_sql() {
            eprintln!("SQL: {}", info.statement.sql);
        }
    }));
    let databases = yhdyspinta::db::Databases {
        primary: db.clone(),
        replica: replica.clone(),
        observer: Some(observer),
    };
    let app = yhdyspinta::app(databases, Some(verifier), &args);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .expect("serve");
    });
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .no_proxy()
        .build()
        .expect("client");
    TestApp {
        addr,
        client,
        db,
        statements,
        replica,
        replica_statements,
        database_url: url.to_owned(),
        _dir: dir,
    }
}

impl TestApp {
    /// `http://127.0.0.1:PORT/path`
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Posts a GraphQL request and returns the whole JSON response.
    pub async fn post(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        response.json().await.expect("JSON response")
    }

    /// Posts a GraphQL request with `Authorization: Bearer <token>`.
    pub async fn post_as(&self, token: &str, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("request");
        response.json().await.expect("JSON response")
    }

    /// Posts a request with `extensions` (and `query` when given), anonymously.
    pub async fn post_with_extensions(&self, query: Option<&str>, extensions: Value) -> Value {
        let mut body = json!({ "extensions": extensions });
        if let Some(query) = query {
            body["query"] = json!(query);
        }
        let response = self
            .client
            .post(self.url("/graphql"))
            .json(&body)
            .send()
            .await
            .expect("request");
        response.json().await.expect("JSON response")
    }

    /// Runs a query that must succeed and returns its `data`.
    pub async fn query(&self, query: &str, variables: Value) -> Value {
        let body = self.post(query, variables).await;
        assert!(
            body.get("errors").is_none(),
            "unexpected errors: {}",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        );
        body["data"].clone()
    }

    /// Runs a query that must fail and returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        let body = self.post(query, variables).await;
        body["errors"][0].clone()
    }

    /// Resets the SQL statement counters.
    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
        self.replica_statements.store(0, Ordering::SeqCst);
    }

    /// SQL statements run since the last reset.
    pub fn statement_count(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }
}

/// The `extensions.code` of an error.
pub fn code(error: &Value) -> &str {
    error["extensions"]["code"].as_str().unwrap_or("<none>")
}

/// Defines a test that runs on SQLite and, when PostgreSQL is installed, on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($(#[$meta:meta])* async fn $name:ident($app:ident: TestApp) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            $(#[$meta])*
            async fn run($app: $crate::support::TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::support::spawn_app_on($crate::support::Backend::Sqlite)
                    .await
                    .expect("SQLite app");
                run(app).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::support::spawn_app_on($crate::support::Backend::Postgres).await {
                    Some(app) => run(app).await,
                    None => eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run"),
                }
            }
        }
    };
}

/// Starts the application on a fresh seeded SQLite database.
#[allow(dead_code)]
pub async fn spawn_app() -> TestApp {
    spawn_app_on(Backend::Sqlite).await.expect("SQLite app")
}

/// Limits that let a CPU-heavy document through pricing (for tests of what stops it later:
/// the timeout, a turn, a client gone), with `request_timeout`.
pub fn unpriced(request_timeout: std::time::Duration) -> yhdyspinta::config::ServeArgs {
    yhdyspinta::config::ServeArgs {
        request_timeout,
        max_cost: u64::MAX,
        max_aliases: 10_000,
        max_document_bytes: 1 << 22,
        max_tokens: 1 << 22,
        max_response_bytes: 1 << 30,
        ..Default::default()
    }
}

/// A query of `n` aliased schema introspections: seconds of CPU, no database.
pub fn introspections(n: usize) -> String {
    let one = "__schema { types { name description fields(includeDeprecated: true) { name description \
               args { name description type { name kind ofType { name kind ofType { name } } } } \
               type { name kind ofType { name kind ofType { name } } } } } }";
    let aliases: Vec<String> = (0..n).map(|i| format!("s{i}: {one}")).collect();
    format!("{{ {} }}", aliases.join(" "))
}

//! Connecting to the database and bringing its schema up to date.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use migration::{Migrator, MigratorTrait};

pub mod audit;
pub mod batch;
pub mod changes;
pub mod children;
pub mod listen;
pub mod loaders;
pub mod page;
pub mod tx;
pub mod version;
use sea_orm::metric::Info;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend};

use crate::error::is_unavailable;

/// How long a request waits for a pooled connection (connecting included) before it is
/// answered `SERVICE_UNAVAILABLE`; short, so an outage is reported at once, not after 10 s.
pub const DEFAULT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(2);

/// How long opening a pool keeps trying a database that cannot be reached yet (one starting
/// beside the server, for example) before the start fails.
const STARTUP_PATIENCE: Duration = Duration::from_secs(10);

/// How long an SQLite write waits for the write lock held by another writer before it
/// fails with `database is locked`.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a connection pool to `url` (`sqlite://file.db` or `postgres://…`) with the default
/// acquire timeout. An SQLite file is created when missing; every SQLite connection is
/// opened with [`sqlite_options`].
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    connect_with(url, DEFAULT_ACQUIRE_TIMEOUT).await
}

/// Like [`connect`], waiting at most `acquire_timeout` for a connection afterwards. A
/// PostgreSQL server that cannot be reached at start is tried again for up to 10 s (an SQLite
/// file that cannot be opened will not become openable by waiting).
pub async fn connect_with(
    url: &str,
    acquire_timeout: Duration,
) -> anyhow::Result<DatabaseConnection> {
    let mut url = url.to_owned();
    if url.starts_with("sqlite:") && !url.contains("mode=") && !url.contains(":memory:") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("mode=rwc");
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
        .min_connections(1)
        // sqlx bounds connecting by the acquire timeout; SeaORM maps both settings to it.
        .connect_timeout(acquire_timeout)
        .acquire_timeout(acquire_timeout)
        // Statements are logged by sqlx at debug level (`RUST_LOG=sqlx=debug`).
        .sqlx_logging(true)
        .sqlx_logging_level(tracing::log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(sqlite_options);
    let started = Instant::now();
    let patient = !url.starts_with("sqlite:");
    let db = loop {
        match Database::connect(options.clone()).await {
            Ok(db) => break db,
            Err(err) if patient && is_unavailable(&err) && started.elapsed() < STARTUP_PATIENCE => {
                tracing::warn!(url = %redact(&url), error = %err, "the database cannot be reached yet; trying again");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(err) => {
                return Err(err).with_context(|| format!("connecting to {}", redact(&url)));
            }
        }
    };
    Ok(db)
}

/// The pools a server reads and writes through: the primary, and optionally a streaming
/// replica that anonymous queries read from.
#[derive(Clone, Debug)]
pub struct Databases {
    /// Takes every write, and the reads of a caller with a token.
    pub primary: DatabaseConnection,
    /// A read-only copy (a PostgreSQL hot standby) for anonymous queries.
    pub replica: Option<DatabaseConnection>,
    /// Told of every statement a request runs, beside the server's own accounting (the
    /// test suite and the benchmark count statements with it).
    pub observer: Option<StatementObserver>,
}

impl From<DatabaseConnection> for Databases {
    fn from(primary: DatabaseConnection) -> Self {
        Self {
            primary,
            replica: None,
            observer: None,
        }
    }
}

/// Which pool a statement ran on; the `pool` label of the SQL metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pool {
    Primary,
    Replica,
}

impl Pool {
    /// The label value: `primary` or `replica`.
    pub fn label(self) -> &'static str {
        match self {
            Pool::Primary => "primary",
            Pool::Replica => "replica",
        }
    }
}

/// What an observer is told: the pool and the statement (its SQL, time, failure).
pub type ObserveFn = dyn Fn(Pool, &Info<'_>) + Send + Sync;

/// A function told of each statement a request runs and the pool it ran on.
#[derive(Clone)]
pub struct StatementObserver(pub Arc<ObserveFn>);

impl std::fmt::Debug for StatementObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StatementObserver")
    }
}

/// Connections of one pool: open and in use, open and idle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PoolUse {
    pub in_use: u32,
    pub idle: u32,
}

/// How many connections of `db`'s pool are in use and idle.
pub fn pool_use(db: &DatabaseConnection) -> Option<PoolUse> {
    let (size, idle) = match db.get_database_backend() {
        DbBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        DbBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => return None,
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX).min(size);
    Some(PoolUse {
        in_use: size - idle,
        idle,
    })
}

impl Databases {
    /// The pool one request runs on. An anonymous query reads from the replica when there
    /// is one; a mutation, and any request of a caller with a token, runs on the primary,
    /// so a writer reads its own writes however far the replica lags.
    pub fn for_request(&self, anonymous_query: bool) -> &DatabaseConnection {
        match &self.replica {
            Some(replica) if anonymous_query => replica,
            _ => &self.primary,
        }
    }

    /// The connection one request runs on, as [`Self::for_request`] chooses it, telling
    /// `watch` (and the configured observer) of every statement it runs. The callback
    /// belongs to this request's handle alone; the pool is shared.
    pub fn watched(
        &self,
        anonymous_query: bool,
        watch: impl Fn(Pool, &Info<'_>) + Send + Sync + 'static,
    ) -> DatabaseConnection {
        let pool = match &self.replica {
            Some(_) if anonymous_query => Pool::Replica,
            _ => Pool::Primary,
        };
        let mut db = self.for_request(anonymous_query).clone();
        let observer = self.observer.clone();
        db.set_metric_callback(move |info| {
            watch(pool, info);
            if let Some(observer) = &observer {
                (observer.0)(pool, info);
            }
        });
        db
    }

    /// Whether each database answers a statement within `within`: the primary's state and,
    /// when configured, the replica's.
    pub async fn readiness(&self, within: Duration) -> (bool, Option<bool>) {
        let primary = answers(&self.primary, within);
        match &self.replica {
            Some(replica) => {
                let (primary, replica) = tokio::join!(primary, answers(replica, within));
                (primary, Some(replica))
            }
            None => (primary.await, None),
        }
    }
}

/// Whether `db` runs a statement that reads its catalogue within `within` (on SQLite this
/// reads the file, which a bare `SELECT 1` would not).
async fn answers(db: &DatabaseConnection, within: Duration) -> bool {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => "SELECT count(*) FROM sqlite_master",
        _ => "SELECT 1",
    };
    match tokio::time::timeout(within, db.execute_unprepared(sql)).await {
        Ok(Ok(_)) => true,
        Ok(Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            false
        }
        Err(_) => {
            tracing::warn!(?within, "readiness check timed out");
            false
        }
    }
}

/// The pragmas of every SQLite connection, set explicitly rather than left to sqlx's
/// defaults: WAL (readers never wait for the writer, and one writer at a time commits),
/// `synchronous = FULL` (an acknowledged write survives a power cut, not only a crashed
/// process; one fsync per commit, which the write rate of this API affords), a busy timeout
/// (a writer waits for the write lock instead of failing; write transactions take the lock
/// at `BEGIN IMMEDIATE`, see [`tx::begin`]) and enforced foreign keys.
fn sqlite_options(options: SqliteConnectOptions) -> SqliteConnectOptions {
    options
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("cache_size", SQLITE_CACHE_KIB)
        .statement_cache_capacity(SQLITE_STATEMENTS)
}

/// Page cache of each SQLite connection, in KiB (negative, as SQLite takes it): 1 MiB, half
/// SQLite's default. Eight connections each keep their own; the operating system's file
/// cache, shared by all, holds the rest of a hot database.
const SQLITE_CACHE_KIB: &str = "-1024";

/// Prepared statements each SQLite connection keeps (sqlx's default is 100). Each costs
/// memory in every connection; a request's statements differ mostly in the length of their
/// `IN (…)` lists, which this many covers.
const SQLITE_STATEMENTS: usize = 32;

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None).await.context("running migrations")
}

/// `url` without its password, for logs and error messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{SQLITE_BUSY_TIMEOUT, connect, redact};
    use sea_orm::{ConnectionTrait, Statement};

    #[tokio::test]
    async fn sqlite_connections_have_explicit_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let db = connect(&format!("sqlite://{}", dir.path().join("p.db").display()))
            .await
            .unwrap();
        let pragma = async |name: &str| {
            let sql = format!("PRAGMA {name}");
            let row = db
                .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
                .await
                .unwrap()
                .unwrap();
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .unwrap()
        };
        assert_eq!(pragma("journal_mode").await, "wal");
        assert_eq!(pragma("synchronous").await, "2", "FULL");
        assert_eq!(
            pragma("busy_timeout").await,
            SQLITE_BUSY_TIMEOUT.as_millis().to_string()
        );
        assert_eq!(pragma("foreign_keys").await, "1");
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact("postgres://app:secret@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact("postgres://app@db/x"), "postgres://app@db/x");
        assert_eq!(redact("sqlite://yhdyspinta.db"), "sqlite://yhdyspinta.db");
    }
}

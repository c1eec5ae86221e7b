//! Connecting to the database and bringing its schema up to date.

use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};

pub mod audit;
pub mod batch;
pub mod loaders;
pub mod page;
pub mod tx;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};

/// How long an SQLite write waits for the write lock held by another writer before it
/// fails with `database is locked`.
pub const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Opens a connection pool to `url` (`sqlite://file.db` or `postgres://…`). An SQLite file is
/// created when missing; every SQLite connection is opened with [`sqlite_options`].
pub async fn connect(url: &str) -> anyhow::Result<DatabaseConnection> {
    let mut url = url.to_owned();
    if url.starts_with("sqlite:") && !url.contains("mode=") && !url.contains(":memory:") {
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str("mode=rwc");
    }
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(if url.starts_with("sqlite:") { 8 } else { 20 })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(10))
        .acquire_timeout(Duration::from_secs(10))
        // Statements are logged by sqlx at debug level (`RUST_LOG=sqlx=debug`).
        .sqlx_logging(true)
        .sqlx_logging_level(tracing::log::LevelFilter::Debug)
        .map_sqlx_sqlite_opts(sqlite_options);
    let db = Database::connect(options)
        .await
        .with_context(|| format!("connecting to {}", redact(&url)))?;
    Ok(db)
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
}

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

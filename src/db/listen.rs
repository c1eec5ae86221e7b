//! Hearing other processes' writes: a task per application listens on PostgreSQL's
//! [`CHANNEL`] and raises the application's [`DataVersion`] on each notification. While its
//! connection is down the version is out of sync ([`DataVersion::in_sync`]), so nothing
//! kept may be served; when it is back, the version is raised once more (writes made in
//! between were not heard) and in sync again.

use std::time::Duration;

use sea_orm::sqlx::postgres::{PgListener, PgPool};
use sea_orm::{DatabaseConnection, DbBackend};

use super::version::{CHANNEL, DataVersion, WeakVersion};

/// How long the listener waits before connecting again after losing its connection.
const RECONNECT_AFTER: Duration = Duration::from_millis(500);
/// How often a waiting listener checks that its application still exists.
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// Starts listening for `version` on `db`, when it is PostgreSQL and a Tokio runtime runs;
/// `replica_lag` (when anonymous reads come from a replica) raises the version once more that
/// long after each write, so an answer read from a replica that had not yet replayed the
/// write is not kept past it. The task ends when the last handle to `version` is gone.
pub fn spawn(db: &DatabaseConnection, version: &DataVersion, replica_lag: Option<Duration>) {
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let pool = db.get_postgres_connection_pool().clone();
    let weak = version.downgrade();
    runtime.spawn(async move {
        loop {
            let Some(version) = weak.upgrade() else {
                return;
            };
            match listening(&pool).await {
                Ok(mut listener) => {
                    version.set_in_sync(true);
                    drop(version);
                    hear(&mut listener, &weak, replica_lag).await;
                }
                Err(err) => tracing::debug!(error = %err, "cannot listen for writes"),
            }
            match weak.upgrade() {
                Some(version) => version.set_in_sync(false),
                None => return,
            }
            tokio::time::sleep(RECONNECT_AFTER).await;
        }
    });
}

/// A listener on [`CHANNEL`] over a connection of `pool`.
async fn listening(pool: &PgPool) -> Result<PgListener, sea_orm::sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    // Told of a lost connection at once, not after trying to reconnect first (which waits
    // for the pool's acquire timeout while the database is down).
    listener.eager_reconnect(false);
    listener.listen(CHANNEL).await?;
    Ok(listener)
}

/// Raises the version on every notification until the connection is lost or the application
/// is gone.
async fn hear(listener: &mut PgListener, weak: &WeakVersion, replica_lag: Option<Duration>) {
    loop {
        let heard = tokio::time::timeout(CHECK_EVERY, listener.try_recv()).await;
        let Some(version) = weak.upgrade() else {
            return;
        };
        match heard {
            // Quiet: check the application still exists, and wait on.
            Err(_) => {}
            Ok(Ok(Some(_))) => {
                version.bump();
                if let Some(lag) = replica_lag {
                    let later = version.downgrade();
                    tokio::spawn(async move {
                        tokio::time::sleep(lag).await;
                        if let Some(version) = later.upgrade() {
                            version.bump();
                        }
                    });
                }
            }
            Ok(Ok(None)) => return,
            Ok(Err(err)) => {
                tracing::warn!(error = %err, "lost the connection that listens for writes");
                return;
            }
        }
    }
}

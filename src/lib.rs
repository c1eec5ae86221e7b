//! Yhdyspinta API: the cooperation agreements between Finnish municipalities and wellbeing
//! services counties as live GraphQL data.

pub mod clock;
pub mod config;
pub mod db;
pub mod graphql;
pub mod http;
pub mod policy;
pub mod seed;
pub mod text;
pub mod token;

use std::time::Duration;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use config::ServeArgs;

/// Migrates the database and, unless told not to, seeds it when empty.
pub async fn prepare(db: &DatabaseConnection, seed_when_empty: bool) -> anyhow::Result<()> {
    db::migrate(db).await?;
    if seed_when_empty && seed::is_empty(db).await? {
        let report = seed::load(db).await?;
        tracing::info!(
            rows = report.total(),
            "loaded the seed data into an empty database"
        );
    }
    Ok(())
}

/// The HTTP application over `db`.
pub fn app(
    db: DatabaseConnection,
    request_timeout: Duration,
    max_body_bytes: usize,
) -> axum::Router {
    let schema = graphql::schema(db.clone());
    http::router(
        http::AppState::new(schema, db, request_timeout),
        max_body_bytes,
    )
}

/// Serves the API on `listener` until ctrl-c or SIGTERM.
pub async fn serve(
    db: DatabaseConnection,
    args: &ServeArgs,
    listener: TcpListener,
) -> anyhow::Result<()> {
    let app = app(db, args.request_timeout, args.max_body_bytes);
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("serving HTTP")
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!(error = %err, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

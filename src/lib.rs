//! Yhdyspinta API: the cooperation agreements between Finnish municipalities and wellbeing
//! services counties as live GraphQL data.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod graphql;
pub mod http;

pub mod seed;

use std::net::SocketAddr;

use anyhow::Context;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use auth::token::{Key, Verifier};
use config::{AuthArgs, DatabaseArgs, PublicKeyAlgorithm, ServeArgs};
use db::Databases;

/// The HS256 secret: configured, read from the configured file, or (for an SQLite
/// database) kept beside the database file and generated on first use.
pub fn hs256_secret(database_url: &str, auth: &AuthArgs) -> anyhow::Result<Option<Vec<u8>>> {
    if let Some(secret) = &auth.jwt_secret {
        return Ok(Some(secret.as_bytes().to_vec()));
    }
    if let Some(path) = &auth.jwt_secret_file {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        return Ok(Some(text.trim().as_bytes().to_vec()));
    }
    if auth.jwt_public_key_file.is_some() {
        return Ok(None);
    }
    match config::secret_file_beside(database_url) {
        Some(path) => auth::token::load_or_create_secret(&path).map(Some),
        None => Ok(None),
    }
}

/// The token verifier the configuration asks for; `None` leaves writes disabled.
pub fn verifier(database_url: &str, auth: &AuthArgs) -> anyhow::Result<Option<Verifier>> {
    let key = if let Some(path) = &auth.jwt_public_key_file {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        match auth.jwt_algorithm {
            PublicKeyAlgorithm::Rs256 => Key::Rs256Pem(pem),
            PublicKeyAlgorithm::Es256 => Key::Es256Pem(pem),
        }
    } else {
        match hs256_secret(database_url, auth)? {
            Some(secret) => Key::Hs256(secret),
            None => {
                tracing::warn!("no JWT key configured: mutations are disabled");
                return Ok(None);
            }
        }
    };
    Verifier::new(
        &key,
        &auth.jwt_issuer,
        &auth.jwt_audience,
        auth.jwt_leeway_secs,
    )
    .map(|verifier| Some(verifier.with_max_ttl(auth.jwt_max_ttl)))
}

/// An organisation id from an id or a municipality code, for the `token` command.
pub async fn resolve_organisation(
    db: &DatabaseConnection,
    org: &str,
) -> anyhow::Result<uuid::Uuid> {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let found = if let Ok(id) = org.parse::<uuid::Uuid>() {
        entity::organisation::Entity::find_by_id(id).one(db).await?
    } else {
        entity::organisation::Entity::find()
            .filter(entity::organisation::Column::MunicipalityCode.eq(org))
            .one(db)
            .await?
    };
    found
        .map(|o| o.id)
        .with_context(|| format!("no organisation with id or municipality code {org:?}"))
}

/// The pools the configuration names: the primary, and the read replica when one is set.
/// A replica is only for a PostgreSQL primary (SQLite has no streaming replicas).
pub async fn databases(args: &DatabaseArgs) -> anyhow::Result<Databases> {
    let primary = db::connect_with(&args.database_url, args.db_acquire_timeout).await?;
    // An empty value (`DATABASE_READ_URL=` in a compose file) means no replica.
    let replica = match args
        .database_read_url
        .as_deref()
        .filter(|url| !url.is_empty())
    {
        None => None,
        Some(url) => {
            anyhow::ensure!(
                url.starts_with("postgres") && args.database_url.starts_with("postgres"),
                "--database-read-url needs PostgreSQL for both it and --database-url"
            );
            let replica = db::connect_with(url, args.db_acquire_timeout).await?;
            tracing::info!(replica = %db::redact(url), "anonymous queries read from the replica");
            Some(replica)
        }
    };
    Ok(Databases {
        primary,
        replica,
        observer: None,
    })
}

/// Registers every `.graphql` file of `dir` as a persisted query (`yhdyspinta persisted add
/// DIR`): each must parse and pass the cost model under `limits`, or nothing is registered
/// and the error names the file. Returns the files read and how many documents were new.
pub async fn register_persisted_dir(
    db: &DatabaseConnection,
    dir: &std::path::Path,
    limits: graphql::cost::Limits,
) -> anyhow::Result<(usize, usize)> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry?.path();
        if path.is_file() && path.extension().is_some_and(|ext| ext == "graphql") {
            paths.push(path);
        }
    }
    paths.sort();
    anyhow::ensure!(
        !paths.is_empty(),
        "{} holds no .graphql files",
        dir.display()
    );
    let model = graphql::cost::CostModel::new(&graphql::sdl())
        .map_err(|err| anyhow::anyhow!("the schema does not parse: {err:?}"))?;
    let mut documents = Vec::new();
    for path in &paths {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let mut request = async_graphql::Request::new(text.clone());
        model
            .check(&mut request, &limits)
            .with_context(|| format!("{} is refused", path.display()))?;
        documents.push(text);
    }
    let texts: Vec<&str> = documents.iter().map(String::as_str).collect();
    let added = domain::persisted::service::register(db, &texts, domain::persisted::Source::Cli)
        .await
        .map_err(|err| anyhow::anyhow!("storing the documents: {}", err.message()))?;
    Ok((paths.len(), added))
}

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

/// The HTTP application over `db` (a primary, or a primary and a read replica), verifying
/// tokens with `verifier` (none: no writes). `/metrics` is among its routes unless
/// `args.metrics_listen` names an address of its own (see [`serve`]).
///
/// Rate limits count clients by the peer address, which the router finds when served with
/// `into_make_service_with_connect_info::<SocketAddr>()` (as [`serve`] does); without it
/// every client shares one bucket.
pub fn app(db: impl Into<Databases>, verifier: Option<Verifier>, args: &ServeArgs) -> axum::Router {
    http::router(state(db, verifier, args), args)
}

fn state(db: impl Into<Databases>, verifier: Option<Verifier>, args: &ServeArgs) -> http::AppState {
    let db = db.into();
    let schema = graphql::schema_with(db.primary.clone(), args.review_period);
    let pricing = graphql::cost::Pricing::new(&schema, args.limits());
    http::AppState::new(schema, db, verifier, pricing, args)
}

/// Serves the API on `listener` (and `/metrics` on `args.metrics_listen`, when set), with
/// the webhook delivery worker unless `--no-webhook-worker`, until
/// ctrl-c or SIGTERM, then lets running requests finish for at most the drain timeout. The
/// deadline is kept by a thread of its own, so a runtime whose workers are all busy cannot
/// hold the process past it.
pub async fn serve(
    db: impl Into<Databases>,
    verifier: Option<Verifier>,
    args: &ServeArgs,
    listener: TcpListener,
) -> anyhow::Result<()> {
    let db: Databases = db.into();
    if !args.webhooks.no_webhook_worker {
        domain::webhook::worker::spawn(db.primary.clone(), args.webhooks.settings());
    }
    let state = state(db, verifier, args);
    let added = http::persisted::register_builtin(
        &state.databases().primary,
        http::builtin_documents::BUILTIN_DOCUMENTS,
    )
    .await
    .map_err(|err| anyhow::anyhow!("registering the built-in documents: {}", err.message()))?;
    tracing::debug!(added, "built-in documents registered");
    if let Some(addr) = args.metrics_listen {
        let metrics = TcpListener::bind(addr)
            .await
            .with_context(|| format!("listening on {addr} for /metrics"))?;
        tracing::info!(
            "serving metrics at http://{}/metrics",
            metrics.local_addr()?
        );
        let router = http::metrics_router(state.clone());
        tokio::spawn(async move {
            if let Err(err) = axum::serve(metrics, router).await {
                tracing::error!(error = %err, "the metrics listener stopped");
            }
        });
    }
    let app = http::router(state, args);
    let drain = args.drain_timeout;
    let shutdown = async move {
        shutdown_signal().await;
        std::thread::spawn(move || {
            std::thread::sleep(drain);
            tracing::warn!(
                ?drain,
                "requests still running after the drain timeout; exiting"
            );
            std::process::exit(0);
        });
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
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

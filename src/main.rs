//! The `yhdyspinta` command: serve the API, migrate, seed, or print the schema.

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;
use yhdyspinta::config::{Cli, Command, LogFormat, PersistedCommand};
use yhdyspinta::{db, graphql, seed};

/// mimalloc returns freed memory to the system and fragments less than glibc's malloc under
/// many threads allocating and freeing small rows, which kept the server's RSS at its peak.
/// With the crate's `override` feature it also serves C's `malloc` (SQLite's page cache and
/// statements), whose glibc arenas otherwise kept a burst's memory; `no_thp` keeps
/// transparent huge pages from rounding the resident size up 2 MiB at a time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Logs to stderr, filtered by `RUST_LOG` (default `info`): one JSON object a line, or text
/// coloured only when stderr is a terminal (never escape codes into a file or a pipe).
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => logs
            .json()
            .with_ansi(false)
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
    }
}

/// `yhdyspinta persisted add DIR`: registers DIR's documents in the database.
async fn persisted_add(
    database_url: &str,
    serve: &yhdyspinta::config::ServeArgs,
    dir: &std::path::Path,
) -> anyhow::Result<()> {
    let conn = db::connect(database_url).await?;
    db::migrate(&conn).await?;
    let (files, added) = yhdyspinta::register_persisted_dir(&conn, dir, serve.limits()).await?;
    println!(
        "registered {files} documents from {} ({added} new)",
        dir.display()
    );
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(LogFormat::or_default(cli.log_format));
    match cli.command.unwrap_or(Command::Serve) {
        Command::Schema => {
            print!("{}", graphql::sdl());
            Ok(())
        }
        Command::Token(args) => {
            let secret = yhdyspinta::hs256_secret(&cli.database.database_url, &cli.auth)?.context(
                "no HS256 secret: set YHDYSPINTA_JWT_SECRET or YHDYSPINTA_JWT_SECRET_FILE",
            )?;
            anyhow::ensure!(
                args.ttl <= cli.auth.jwt_max_ttl,
                "--ttl {} is longer than the {} a token may live (--jwt-max-ttl); the server would refuse it",
                humantime::format_duration(args.ttl),
                humantime::format_duration(cli.auth.jwt_max_ttl)
            );
            let mut orgs = Vec::new();
            if !args.orgs.is_empty() {
                let conn = db::connect(&cli.database.database_url).await?;
                yhdyspinta::prepare(&conn, !cli.serve.no_seed).await?;
                for org in &args.orgs {
                    orgs.push(yhdyspinta::resolve_organisation(&conn, org).await?);
                }
            }
            let now = chrono::Utc::now();
            let ttl = chrono::Duration::from_std(args.ttl).context("ttl is too long")?;
            let claims = yhdyspinta::auth::token::Claims {
                sub: args.sub,
                name: args.name,
                role: if args.role == "admin" {
                    yhdyspinta::auth::policy::Role::Admin
                } else {
                    yhdyspinta::auth::policy::Role::Editor
                },
                orgs,
                exp: (now + ttl).timestamp(),
                iat: Some(now.timestamp()),
                nbf: None,
                iss: cli.auth.jwt_issuer.clone(),
                aud: cli.auth.jwt_audience.clone().into(),
            };
            println!("{}", yhdyspinta::auth::token::mint_hs256(&secret, &claims)?);
            Ok(())
        }
        Command::Migrate => {
            let conn = db::connect(&cli.database.database_url).await?;
            db::migrate(&conn).await?;
            tracing::info!("migrations applied");
            Ok(())
        }
        Command::Seed => {
            let conn = db::connect(&cli.database.database_url).await?;
            db::migrate(&conn).await?;
            let report = seed::load(&conn).await?;
            tracing::info!(rows = report.total(), tables = ?report.inserted, "seed data loaded");
            println!("inserted {} rows", report.total());
            Ok(())
        }
        Command::Persisted(PersistedCommand::Add { dir }) => {
            persisted_add(&cli.database.database_url, &cli.serve, &dir).await
        }
        Command::Serve => {
            let conn = yhdyspinta::databases(&cli.database).await?;
            yhdyspinta::prepare(&conn.primary, !cli.serve.no_seed).await?;
            let verifier = yhdyspinta::verifier(&cli.database.database_url, &cli.auth)?;
            let listener = tokio::net::TcpListener::bind(cli.serve.listen)
                .await
                .with_context(|| format!("listening on {}", cli.serve.listen))?;
            tracing::info!(
                "serving GraphQL at http://{0}/graphql and GraphiQL at http://{0}/",
                listener.local_addr()?
            );
            yhdyspinta::serve(conn, verifier, &cli.serve, listener).await
        }
    }
}

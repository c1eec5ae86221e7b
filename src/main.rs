//! The `yhdyspinta` command: serve the API, migrate, seed, or print the schema.

use anyhow::Context;
use clap::Parser;
use tracing_subscriber::EnvFilter;
use yhdyspinta::config::{Cli, Command};
use yhdyspinta::{db, graphql, seed};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Schema => {
            print!("{}", graphql::sdl());
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
        Command::Serve => {
            let conn = db::connect(&cli.database.database_url).await?;
            yhdyspinta::prepare(&conn, !cli.serve.no_seed).await?;
            let listener = tokio::net::TcpListener::bind(cli.serve.listen)
                .await
                .with_context(|| format!("listening on {}", cli.serve.listen))?;
            tracing::info!(
                "serving GraphQL at http://{0}/graphql and GraphiQL at http://{0}/",
                listener.local_addr()?
            );
            yhdyspinta::serve(conn, &cli.serve, listener).await
        }
    }
}

//! Command line and environment configuration.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

/// Yhdyspinta API: who works with whom between Finnish municipalities and wellbeing
/// services counties, as GraphQL.
#[derive(Debug, Parser)]
#[command(name = "yhdyspinta", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Where the data lives.
#[derive(Debug, Args, Clone)]
pub struct DatabaseArgs {
    /// Database URL: `sqlite://FILE` (created when missing) or `postgres://USER:PASS@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://yhdyspinta.db",
        global = true
    )]
    pub database_url: String,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate, seed an empty database, and serve the API (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the reference and seed data rows that are missing (idempotent) and exit.
    Seed,
    /// Print the GraphQL schema (SDL) and exit.
    Schema,
}

/// HTTP server settings.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(
        long,
        env = "YHDYSPINTA_LISTEN",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub listen: SocketAddr,
    /// Longest time one request may run before it is cancelled (e.g. `10s`, `500ms`).
    #[arg(long, env = "YHDYSPINTA_REQUEST_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration, global = true)]
    pub request_timeout: Duration,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "YHDYSPINTA_MAX_BODY_BYTES", default_value_t = 256 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Do not load the seed data into an empty database.
    #[arg(long, env = "YHDYSPINTA_NO_SEED", global = true)]
    pub no_seed: bool,
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout: Duration::from_secs(10),
            max_body_bytes: 256 * 1024,
            no_seed: false,
        }
    }
}

/// Directory that holds an SQLite database file, for files kept beside it.
pub fn sqlite_dir(database_url: &str) -> Option<PathBuf> {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?;
    let path = path.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    let parent = PathBuf::from(path)
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default();
    Some(if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn defaults_to_serving_the_embedded_database() {
        let cli = Cli::try_parse_from(["yhdyspinta"]).unwrap();
        assert!(cli.command.is_none());
        let cli =
            Cli::try_parse_from(["yhdyspinta", "serve", "--listen", "127.0.0.1:9000"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Serve)));
        assert_eq!(cli.serve.listen.port(), 9000);
        let cli = Cli::try_parse_from(["yhdyspinta", "--listen", "127.0.0.1:9001"]).unwrap();
        assert_eq!(cli.serve.listen.port(), 9001);
    }

    #[test]
    fn finds_the_sqlite_directory() {
        assert_eq!(
            sqlite_dir("sqlite://yhdyspinta.db"),
            Some(PathBuf::from("."))
        );
        assert_eq!(
            sqlite_dir("sqlite:///var/lib/y/y.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/y"))
        );
        assert_eq!(sqlite_dir("postgres://x@y/z"), None);
    }
}

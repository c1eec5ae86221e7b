//! Command line and environment configuration.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

pub mod webhook;

pub use webhook::WebhookArgs;

use crate::domain::review::ReviewPeriod;
use crate::graphql::cost::Limits;

/// Yhdyspinta API: who works with whom between Finnish municipalities and wellbeing
/// services counties, as GraphQL.
#[derive(Debug, Parser)]
#[command(name = "yhdyspinta", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
    #[command(flatten)]
    pub auth: AuthArgs,
    /// Log lines as `json` (one object a line) or `text`; by default JSON unless stderr is
    /// a terminal.
    #[arg(long, env = "YHDYSPINTA_LOG_FORMAT", value_enum, global = true)]
    pub log_format: Option<LogFormat>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One JSON object a line, for a log collector.
    Json,
    /// Human-readable lines (coloured only on a terminal).
    Text,
}

impl LogFormat {
    /// The format asked for, or JSON when stderr is not a terminal and text when it is.
    pub fn or_default(format: Option<Self>) -> Self {
        use std::io::IsTerminal;
        format.unwrap_or(if std::io::stderr().is_terminal() {
            Self::Text
        } else {
            Self::Json
        })
    }
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
    /// Optional read replica (a PostgreSQL streaming standby) that anonymous queries read
    /// from; writes, and every request with a token, go to `--database-url`.
    #[arg(long, env = "DATABASE_READ_URL", global = true)]
    pub database_read_url: Option<String>,
    /// Longest wait for a database connection before a request is answered `503
    /// SERVICE_UNAVAILABLE` (e.g. `2s`, `500ms`).
    #[arg(long, env = "YHDYSPINTA_DB_ACQUIRE_TIMEOUT", default_value = "2s", value_parser = humantime::parse_duration, global = true)]
    pub db_acquire_timeout: Duration,
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
    /// Mint an HS256 token with the configured secret, for development and integrators.
    Token(TokenArgs),
}

/// How bearer tokens are verified. With none of the key options set and an SQLite
/// database, an HS256 secret is generated on first start and kept beside the database file
/// (`<database>.jwt-secret`, mode 0600).
#[derive(Debug, Args, Clone)]
pub struct AuthArgs {
    /// Required `iss` claim of tokens.
    #[arg(
        long,
        env = "YHDYSPINTA_JWT_ISSUER",
        default_value = "yhdyspinta",
        global = true
    )]
    pub jwt_issuer: String,
    /// Required `aud` claim of tokens.
    #[arg(
        long,
        env = "YHDYSPINTA_JWT_AUDIENCE",
        default_value = "yhdyspinta-api",
        global = true
    )]
    pub jwt_audience: String,
    /// HS256 shared secret (at least 32 bytes).
    #[arg(
        long,
        env = "YHDYSPINTA_JWT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub jwt_secret: Option<String>,
    /// File holding the HS256 shared secret.
    #[arg(long, env = "YHDYSPINTA_JWT_SECRET_FILE", global = true)]
    pub jwt_secret_file: Option<PathBuf>,
    /// PEM file with the RS256 or ES256 public key tokens are verified with (instead of HS256).
    #[arg(long, env = "YHDYSPINTA_JWT_PUBLIC_KEY_FILE", global = true)]
    pub jwt_public_key_file: Option<PathBuf>,
    /// Algorithm of the public key.
    #[arg(
        long,
        env = "YHDYSPINTA_JWT_ALGORITHM",
        value_enum,
        default_value = "rs256",
        global = true
    )]
    pub jwt_algorithm: PublicKeyAlgorithm,
    /// Clock skew tolerated when checking `exp` and `nbf`, in seconds.
    #[arg(
        long,
        env = "YHDYSPINTA_JWT_LEEWAY_SECS",
        default_value_t = 30,
        global = true
    )]
    pub jwt_leeway_secs: u64,
    /// Longest lifetime a token may have (`exp` − `iat`, or `exp` − now without `iat`);
    /// longer-lived tokens are refused, and the `token` command mints none longer.
    #[arg(long, env = "YHDYSPINTA_JWT_MAX_TTL", default_value = "24h", value_parser = humantime::parse_duration, global = true)]
    pub jwt_max_ttl: Duration,
}

/// Public-key algorithms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PublicKeyAlgorithm {
    /// RSA with SHA-256.
    Rs256,
    /// ECDSA P-256 with SHA-256.
    Es256,
}

/// What a minted token says.
#[derive(Debug, Args, Clone)]
pub struct TokenArgs {
    /// `editor` (writes its organisations' data) or `admin` (everything).
    #[arg(long, value_parser = ["editor", "admin"])]
    pub role: String,
    /// Organisation the editor writes for: an id or a municipality code; repeatable.
    #[arg(long = "org")]
    pub orgs: Vec<String>,
    /// How long the token is valid (`1h`, `30m`, `12h`); at most `--jwt-max-ttl`.
    #[arg(long, default_value = "1h", value_parser = humantime::parse_duration)]
    pub ttl: Duration,
    /// The `sub` claim.
    #[arg(long, default_value = "developer")]
    pub sub: String,
    /// The `name` claim.
    #[arg(long)]
    pub name: Option<String>,
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
    /// After SIGTERM or ctrl-c, how long running requests may finish before the process
    /// exits anyway (e.g. `10s`).
    #[arg(long, env = "YHDYSPINTA_DRAIN_TIMEOUT", default_value = "10s", value_parser = humantime::parse_duration, global = true)]
    pub drain_timeout: Duration,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "YHDYSPINTA_MAX_BODY_BYTES", default_value_t = 256 * 1024, global = true)]
    pub max_body_bytes: usize,
    /// Largest answer sent, in bytes; a larger one is refused with `RESPONSE_TOO_LARGE`.
    #[arg(long, env = "YHDYSPINTA_MAX_RESPONSE_BYTES", default_value_t = 8 * 1024 * 1024, global = true)]
    pub max_response_bytes: usize,
    /// Do not load the seed data into an empty database.
    #[arg(long, env = "YHDYSPINTA_NO_SEED", global = true)]
    pub no_seed: bool,
    /// Longest query text accepted, in bytes (variables not included).
    #[arg(long, env = "YHDYSPINTA_MAX_DOCUMENT_BYTES", default_value_t = Limits::DEFAULT.max_document_bytes, global = true)]
    pub max_document_bytes: usize,
    /// Most GraphQL tokens a query text may hold.
    #[arg(long, env = "YHDYSPINTA_MAX_TOKENS", default_value_t = Limits::DEFAULT.max_tokens, global = true)]
    pub max_tokens: usize,
    /// Deepest field nesting a query may have; brackets may nest twice as deep.
    #[arg(long, env = "YHDYSPINTA_MAX_DEPTH", default_value_t = Limits::DEFAULT.max_depth, global = true)]
    pub max_depth: usize,
    /// Most aliased fields a query may have, fragments expanded.
    #[arg(long, env = "YHDYSPINTA_MAX_ALIASES", default_value_t = Limits::DEFAULT.max_aliases, global = true)]
    pub max_aliases: u64,
    /// Highest cost a query may have: the nodes its answer can hold.
    #[arg(long, env = "YHDYSPINTA_MAX_COST", default_value_t = Limits::DEFAULT.max_cost, global = true)]
    pub max_cost: u64,
    /// Serve `/metrics` on this address instead of the main one (e.g. `127.0.0.1:9090`).
    #[arg(long, env = "YHDYSPINTA_METRICS_LISTEN", global = true)]
    pub metrics_listen: Option<SocketAddr>,
    /// Requests per second one client may send on average: per address, and per token
    /// `sub` for callers with a token; `off` (or `0`) turns rate limiting off.
    #[arg(long, env = "YHDYSPINTA_RATE_LIMIT", default_value_t = DEFAULT_RATE_LIMIT, value_parser = parse_rate, global = true)]
    pub rate_limit: u32,
    /// Requests one client may send at once beyond the average before it is limited.
    #[arg(long, env = "YHDYSPINTA_RATE_BURST", default_value_t = DEFAULT_RATE_BURST, value_parser = clap::value_parser!(u32).range(1..), global = true)]
    pub rate_burst: u32,
    /// Reverse proxies (addresses or CIDR ranges, repeatable or comma-separated) whose
    /// `X-Forwarded-For` names the client; from any other peer the header is ignored.
    #[arg(long = "trusted-proxy", env = "YHDYSPINTA_TRUSTED_PROXIES", value_delimiter = ',', value_parser = parse_network, global = true)]
    pub trusted_proxies: Vec<IpNet>,
    /// Origins (`https://portal.example.org`) whose pages may call the API from a browser,
    /// `Authorization` header included; repeat the option or separate them with commas.
    /// None: any origin may read anonymously, and no cross-origin page may send a token.
    #[arg(long = "cors-origin", env = "YHDYSPINTA_CORS_ORIGINS", value_delimiter = ',', value_parser = crate::http::headers::parse_origin, global = true)]
    pub cors_origins: Vec<String>,
    /// How long a confirmation keeps a row current: a row never confirmed, or confirmed
    /// longer ago, is stale (`12 months`, `6m`, `1 year`, `90 days`, `30d`).
    #[arg(
        long,
        env = "YHDYSPINTA_REVIEW_PERIOD",
        default_value = "12 months",
        global = true
    )]
    pub review_period: ReviewPeriod,
    /// The webhook delivery worker.
    #[command(flatten)]
    pub webhooks: WebhookArgs,
}

/// The default `--rate-limit`: far above what one portal or integrator needs, so only a
/// flood is refused (the benchmark's 16 clients stay below it).
pub const DEFAULT_RATE_LIMIT: u32 = 1000;
/// The default `--rate-burst`.
pub const DEFAULT_RATE_BURST: u32 = 2000;

/// A rate: `off`, or requests per second (`0` is off too).
fn parse_rate(text: &str) -> Result<u32, String> {
    if text.eq_ignore_ascii_case("off") {
        return Ok(0);
    }
    text.parse()
        .map_err(|_| format!("{text:?} is not a number of requests per second or `off`"))
}

/// An address (`10.0.0.5`, `::1`) or a network (`10.0.0.0/8`).
fn parse_network(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("{text:?} is neither an IP address nor a CIDR range"))
}

impl ServeArgs {
    /// The limits every request is priced against.
    pub fn limits(&self) -> Limits {
        Limits {
            max_document_bytes: self.max_document_bytes,
            max_tokens: self.max_tokens,
            max_depth: self.max_depth,
            max_aliases: self.max_aliases,
            max_cost: self.max_cost,
        }
    }
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
            max_body_bytes: 256 * 1024,
            max_response_bytes: 8 * 1024 * 1024,
            no_seed: false,
            max_document_bytes: Limits::DEFAULT.max_document_bytes,
            max_tokens: Limits::DEFAULT.max_tokens,
            max_depth: Limits::DEFAULT.max_depth,
            max_aliases: Limits::DEFAULT.max_aliases,
            max_cost: Limits::DEFAULT.max_cost,
            metrics_listen: None,
            rate_limit: DEFAULT_RATE_LIMIT,
            rate_burst: DEFAULT_RATE_BURST,
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            review_period: ReviewPeriod::default(),
            webhooks: WebhookArgs::default(),
        }
    }
}

/// The file an SQLite database keeps its generated JWT secret in.
pub fn secret_file_beside(database_url: &str) -> Option<PathBuf> {
    let path = database_url
        .strip_prefix("sqlite://")
        .or_else(|| database_url.strip_prefix("sqlite:"))?
        .split('?')
        .next()?;
    if path.is_empty() || path == ":memory:" {
        return None;
    }
    Some(PathBuf::from(format!("{path}.jwt-secret")))
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
    fn limits_default_to_production_values_and_can_be_set() {
        let cli = Cli::try_parse_from(["yhdyspinta"]).unwrap();
        assert_eq!(cli.serve.limits(), Limits::DEFAULT);
        assert_eq!(ServeArgs::default().limits(), Limits::DEFAULT);
        let cli =
            Cli::try_parse_from(["yhdyspinta", "--max-cost", "1000", "--max-depth", "8"]).unwrap();
        assert_eq!(cli.serve.limits().max_cost, 1000);
        assert_eq!(cli.serve.limits().max_depth, 8);
    }

    #[test]
    fn the_review_period_defaults_to_twelve_months_and_can_be_set() {
        let cli = Cli::try_parse_from(["yhdyspinta"]).unwrap();
        assert_eq!(cli.serve.review_period, ReviewPeriod::Months(12));
        let cli = Cli::try_parse_from(["yhdyspinta", "--review-period", "90 days"]).unwrap();
        assert_eq!(cli.serve.review_period, ReviewPeriod::Days(90));
        assert!(Cli::try_parse_from(["yhdyspinta", "--review-period", "0d"]).is_err());
        assert!(Cli::try_parse_from(["yhdyspinta", "--review-period", "soon"]).is_err());
    }

    #[test]
    fn a_read_replica_and_the_acquire_timeout_can_be_set() {
        let cli = Cli::try_parse_from(["yhdyspinta"]).unwrap();
        assert_eq!(cli.database.database_read_url, None);
        assert_eq!(cli.database.db_acquire_timeout, Duration::from_secs(2));
        let cli = Cli::try_parse_from([
            "yhdyspinta",
            "--database-read-url",
            "postgres://reader@replica/y",
            "--db-acquire-timeout",
            "500ms",
        ])
        .unwrap();
        assert_eq!(
            cli.database.database_read_url.as_deref(),
            Some("postgres://reader@replica/y")
        );
        assert_eq!(cli.database.db_acquire_timeout, Duration::from_millis(500));
    }

    #[test]
    fn rate_limits_and_trusted_proxies_can_be_set() {
        let cli = Cli::try_parse_from(["yhdyspinta"]).unwrap();
        assert_eq!(cli.serve.rate_limit, DEFAULT_RATE_LIMIT);
        assert_eq!(cli.serve.rate_burst, DEFAULT_RATE_BURST);
        assert_eq!(ServeArgs::default().rate_limit, DEFAULT_RATE_LIMIT);
        assert!(cli.serve.trusted_proxies.is_empty());
        let cli = Cli::try_parse_from([
            "yhdyspinta",
            "--rate-limit",
            "off",
            "--trusted-proxy",
            "10.0.0.0/8,192.0.2.7",
            "--trusted-proxy",
            "::1",
        ])
        .unwrap();
        assert_eq!(cli.serve.rate_limit, 0);
        let proxies: Vec<String> = cli
            .serve
            .trusted_proxies
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(proxies, ["10.0.0.0/8", "192.0.2.7/32", "::1/128"]);
        assert!(
            Cli::try_parse_from(["yhdyspinta", "--trusted-proxy", "proxy.example.org"]).is_err()
        );
        assert!(Cli::try_parse_from(["yhdyspinta", "--rate-burst", "0"]).is_err());
        assert!(Cli::try_parse_from(["yhdyspinta", "--rate-limit", "fast"]).is_err());
    }

    #[test]
    fn the_log_format_can_be_chosen() {
        let cli = Cli::try_parse_from(["yhdyspinta", "--log-format", "json"]).unwrap();
        assert_eq!(cli.log_format, Some(LogFormat::Json));
        assert_eq!(
            LogFormat::or_default(Some(LogFormat::Text)),
            LogFormat::Text
        );
        assert!(Cli::try_parse_from(["yhdyspinta", "--log-format", "xml"]).is_err());
    }

    #[test]
    fn cors_origins_repeat_or_split_on_commas_and_must_be_origins() {
        let cli = Cli::try_parse_from(["yhdyspinta"]).unwrap();
        assert!(cli.serve.cors_origins.is_empty());
        let cli = Cli::try_parse_from([
            "yhdyspinta",
            "--cors-origin",
            "https://Kuopio.example.org/,http://localhost:3000",
            "--cors-origin",
            "https://pshyvinvointialue.example.org",
        ])
        .unwrap();
        assert_eq!(
            cli.serve.cors_origins,
            [
                "https://kuopio.example.org",
                "http://localhost:3000",
                "https://pshyvinvointialue.example.org"
            ]
        );
        let error = Cli::try_parse_from(["yhdyspinta", "--cors-origin", "kuopio.example.org"])
            .unwrap_err()
            .to_string();
        assert!(error.contains("is not an origin"), "{error}");
    }

    #[test]
    fn token_arguments() {
        let cli = Cli::try_parse_from([
            "yhdyspinta",
            "token",
            "--role",
            "editor",
            "--org",
            "297",
            "--ttl",
            "2h",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Token(args)) => {
                assert_eq!(args.orgs, vec!["297"]);
                assert_eq!(args.ttl, Duration::from_secs(7200));
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(Cli::try_parse_from(["yhdyspinta", "token", "--role", "owner"]).is_err());
    }

    #[test]
    fn secret_lives_beside_the_sqlite_file() {
        assert_eq!(secret_file_beside("postgres://x@y/z"), None);
        assert_eq!(
            secret_file_beside("sqlite:///var/lib/y/y.db?mode=rwc"),
            Some(PathBuf::from("/var/lib/y/y.db.jwt-secret"))
        );
        assert_eq!(
            secret_file_beside("sqlite://yhdyspinta.db"),
            Some(PathBuf::from("yhdyspinta.db.jwt-secret"))
        );
        assert_eq!(secret_file_beside("sqlite::memory:"), None);
    }
}

//! Command line and environment configuration.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;

pub mod socket;
pub mod webhook;

pub use socket::SocketArgs;
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
    /// Manage persisted queries (stored in the database, seen by every node).
    #[command(subcommand)]
    Persisted(PersistedCommand),
}

/// What `yhdyspinta persisted` does.
#[derive(Debug, Subcommand, Clone)]
pub enum PersistedCommand {
    /// Register every `.graphql` file of DIR (each file one document, hashed exactly as
    /// written); documents registered before are kept.
    Add {
        /// The folder of `.graphql` files.
        dir: std::path::PathBuf,
    },
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
    /// Most GraphQL requests executed at once; more wait for a turn (the wait counts against
    /// `--request-timeout`). Requests on this server are mostly CPU work in the process, so a
    /// few per core keep every core busy, while the memory that requests in execution hold
    /// stays bounded. `0`: twice the cores.
    #[arg(
        long,
        env = "YHDYSPINTA_MAX_CONCURRENT_REQUESTS",
        default_value_t = 0,
        global = true
    )]
    pub max_concurrent_requests: usize,
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
    /// `Cache-Control` of anonymous `GET` answers (each also carries an `ETag`, and a
    /// request naming it in `If-None-Match` is answered `304`).
    #[arg(long, env = "YHDYSPINTA_CACHE_CONTROL", default_value = DEFAULT_CACHE_CONTROL, value_parser = parse_cache_control, global = true)]
    pub cache_control: String,
    /// Anonymous callers may run only registered persisted queries (`yhdyspinta persisted
    /// add DIR` and the built-in documents); callers with a token are not limited.
    #[arg(long, env = "YHDYSPINTA_SAFELIST", global = true)]
    pub safelist: bool,
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
    /// Subscriptions over WebSocket.
    #[command(flatten)]
    pub sockets: SocketArgs,
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

/// `Cache-Control` of anonymous `GET` answers unless configured.
pub const DEFAULT_CACHE_CONTROL: &str = "public, max-age=60";

/// A `Cache-Control` value: visible ASCII, as a header value must be.
fn parse_cache_control(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() || !text.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        return Err("a Cache-Control value is visible ASCII, e.g. `public, max-age=60`".into());
    }
    Ok(text.to_owned())
}

impl Default for ServeArgs {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            request_timeout: Duration::from_secs(10),
            drain_timeout: Duration::from_secs(10),
            max_body_bytes: 256 * 1024,
            max_response_bytes: 8 * 1024 * 1024,
            max_concurrent_requests: 0,
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
            cache_control: DEFAULT_CACHE_CONTROL.to_owned(),
            safelist: false,
            review_period: ReviewPeriod::default(),
            webhooks: WebhookArgs::default(),
            sockets: SocketArgs::default(),
        }
    }
}

impl ServeArgs {
    /// `--max-concurrent-requests`, with `0` resolved to twice the cores.
    pub fn concurrent_requests(&self) -> usize {
        match self.max_concurrent_requests {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()) * 2,
            n => n,
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
mod tests;

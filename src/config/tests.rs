//! Unit tests of the configuration: flags, environment variables and their parsers.

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
    let cli = Cli::try_parse_from(["yhdyspinta", "serve", "--listen", "127.0.0.1:9000"]).unwrap();
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
    assert!(Cli::try_parse_from(["yhdyspinta", "--trusted-proxy", "proxy.example.org"]).is_err());
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

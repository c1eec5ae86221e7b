//! Operations: `/metrics`, the request id, and rate limits per client address and per
//! token `sub`, with `X-Forwarded-For` honoured only from trusted proxies.

use std::collections::HashMap;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::{self, Backend, TestApp, code};

/// Every sample of a Prometheus text page: `name{labels}` → value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            Some((series.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn scrape(app: &TestApp) -> HashMap<String, f64> {
    let response = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(response.status(), StatusCode::OK);
    let content_type = response.headers()[reqwest::header::CONTENT_TYPE].clone();
    assert!(content_type.to_str().unwrap().starts_with("text/plain"));
    samples(&response.text().await.expect("metrics text"))
}

fn value(samples: &HashMap<String, f64>, series: &str) -> f64 {
    *samples
        .get(series)
        .unwrap_or_else(|| panic!("no {series} in {samples:#?}"))
}

both! {
    async fn metrics_count_requests_by_operation_and_outcome(app: TestApp) {
        let topics = "query Aiheet { topics { slug } }";
        app.query(topics, json!({})).await;
        app.query(topics, json!({})).await;
        app.query("{ agreements { id } }", json!({})).await;
        let error = app
            .error("query Huono { organisation(id: \"not-an-id\") { id } }", json!({}))
            .await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        let error = app
            .error(
                "mutation Poista($id: ID!) { deleteOrganisation(id: $id) { id } }",
                json!({ "id": uuid::Uuid::new_v4().to_string() }),
            )
            .await;
        let refused = code(&error).to_owned();
        let m = scrape(&app).await;

        let requests = |op: &str, kind: &str, code: &str| {
            format!(r#"yhdyspinta_graphql_requests_total{{operation="{op}",kind="{kind}",code="{code}"}}"#)
        };
        assert_eq!(value(&m, &requests("Aiheet", "query", "ok")), 2.0);
        assert_eq!(value(&m, &requests("anonymous", "query", "ok")), 1.0);
        assert_eq!(value(&m, &requests("Huono", "query", "BAD_USER_INPUT")), 1.0);
        assert_eq!(value(&m, &requests("Poista", "mutation", &refused)), 1.0);
        assert_eq!(
            value(&m, r#"yhdyspinta_graphql_request_duration_seconds_count{operation="Aiheet",kind="query"}"#),
            2.0
        );
        assert!(value(&m, r#"yhdyspinta_graphql_request_duration_seconds_sum{operation="Aiheet",kind="query"}"#) > 0.0);
        // The statements per request add up to the statements the pool ran for requests.
        let per_request = value(&m, r#"yhdyspinta_sql_statements_per_request_sum{kind="query"}"#)
            + m.get(r#"yhdyspinta_sql_statements_per_request_sum{kind="mutation"}"#).copied().unwrap_or(0.0);
        let timed = value(&m, r#"yhdyspinta_sql_statement_duration_seconds_count{pool="primary"}"#);
        assert!(per_request >= 3.0, "{per_request}");
        assert_eq!(per_request, timed);
        assert_eq!(
            value(&m, r#"yhdyspinta_sql_statements_per_request_count{kind="query"}"#),
            4.0
        );
        // The pool's connections, read at the scrape.
        let in_use = value(&m, r#"yhdyspinta_db_pool_connections{pool="primary",state="in_use"}"#);
        let idle = value(&m, r#"yhdyspinta_db_pool_connections{pool="primary",state="idle"}"#);
        assert!(in_use + idle >= 1.0 && in_use + idle <= 20.0, "{in_use} + {idle}");
        assert!(!m.contains_key(r#"yhdyspinta_db_pool_connections{pool="replica",state="idle"}"#));
        // Scrapes and probes are not GraphQL requests.
        let total: f64 = m
            .iter()
            .filter(|(k, _)| k.starts_with("yhdyspinta_graphql_requests_total{"))
            .map(|(_, v)| v)
            .sum();
        assert_eq!(total, 5.0);
    }
}

both! {
    async fn every_answer_carries_a_request_id(app: TestApp) {
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("x-request-id", "portal-7f3a.42")
            .json(&json!({ "query": "{ topics { slug } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.headers()["x-request-id"], "portal-7f3a.42");
        // A request id with a space in it is not taken; a fresh one is made.
        let response = app
            .client
            .get(app.url("/healthz"))
            .header("x-request-id", "two words")
            .send()
            .await
            .unwrap();
        let id = response.headers()["x-request-id"].to_str().unwrap();
        assert!(id.parse::<uuid::Uuid>().is_ok(), "{id}");
    }
}

/// Server settings with a small rate limit: 1 a second, bursts of `burst`.
fn limited(burst: u32, trusted: &[&str]) -> yhdyspinta::config::ServeArgs {
    yhdyspinta::config::ServeArgs {
        rate_limit: 1,
        rate_burst: burst,
        trusted_proxies: trusted
            .iter()
            .map(|t| t.parse::<std::net::IpAddr>().unwrap().into())
            .collect(),
        ..Default::default()
    }
}

/// Defines a test on a rate-limited app on SQLite and, when installed, PostgreSQL.
macro_rules! both_limited {
    ($name:ident, $args:expr, async fn run($app:ident: TestApp) $body:block) => {
        mod $name {
            use super::*;

            async fn run($app: TestApp) $body

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                run(support::spawn_app_with_args(Backend::Sqlite, $args).await.expect("app")).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match support::spawn_app_with_args(Backend::Postgres, $args).await {
                    Some(app) => run(app).await,
                    None => eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run"),
                }
            }
        }
    };
}

/// Sends `{ __typename }` with these headers; answers the status, `Retry-After` and body.
async fn typename(app: &TestApp, headers: &[(&str, &str)]) -> (StatusCode, Option<u64>, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": "{ __typename }" }));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    let retry = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().expect("Retry-After in seconds"));
    (status, retry, response.json().await.expect("JSON"))
}

/// Sends requests until one is refused, at most `most`; answers how many passed and the
/// refusal. Each refill (one a second) lets one more pass, so the count is at least the burst.
async fn until_limited(
    app: &TestApp,
    headers: &[(&str, &str)],
    most: usize,
) -> (usize, Option<u64>, Value) {
    for passed in 0..most {
        let (status, retry, body) = typename(app, headers).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            return (passed, retry, body);
        }
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    panic!("no request of {most} was limited");
}

both_limited!(
    a_burst_passes_then_429_with_retry_after,
    limited(3, &[]),
    async fn run(app: TestApp) {
        let (passed, retry, body) = until_limited(&app, &[], 10).await;
        assert!((3..=4).contains(&passed), "{passed} passed");
        assert_eq!(retry, Some(1));
        assert_eq!(code(&body["errors"][0]), "RATE_LIMITED");
        assert!(body.get("data").is_none());
        // Probes and the metrics are never limited.
        for path in ["/healthz", "/readyz", "/metrics"] {
            let status = app.client.get(app.url(path)).send().await.unwrap().status();
            assert_eq!(status, StatusCode::OK, "{path}");
        }
        let m = scrape(&app).await;
        assert_eq!(
            value(&m, r#"yhdyspinta_rate_limited_total{key="address"}"#),
            1.0
        );
        assert_eq!(
            value(
                &m,
                r#"yhdyspinta_graphql_requests_total{operation="anonymous",kind="unknown",code="RATE_LIMITED"}"#
            ),
            1.0
        );
    }
);

both_limited!(
    forwarded_for_from_an_untrusted_peer_is_ignored,
    limited(3, &[]),
    async fn run(app: TestApp) {
        for _ in 0..3 {
            let (status, _, _) = typename(&app, &[("x-forwarded-for", "198.51.100.1")]).await;
            assert_eq!(status, StatusCode::OK);
        }
        // Another forwarded address does not make another client: the peer is the client.
        let (status, _, body) = typename(&app, &[("x-forwarded-for", "198.51.100.2")]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    }
);

both_limited!(
    forwarded_for_from_a_trusted_proxy_names_the_client,
    limited(3, &["127.0.0.1"]),
    async fn run(app: TestApp) {
        // The client forged the first hop; the proxy appended the address it saw.
        let first = [("x-forwarded-for", "192.0.2.66, 198.51.100.1")];
        let (passed, retry, _) = until_limited(&app, &first, 10).await;
        assert!((3..=4).contains(&passed), "{passed} passed");
        assert_eq!(retry, Some(1));
        // Another client behind the proxy has a bucket of its own, whatever it forges.
        let second = [("x-forwarded-for", "198.51.100.1, 198.51.100.2")];
        for _ in 0..3 {
            let (status, _, body) = typename(&app, &second).await;
            assert_eq!(status, StatusCode::OK, "{body}");
        }
    }
);

both_limited!(
    a_writer_is_limited_by_its_sub,
    limited(3, &[]),
    async fn run(app: TestApp) {
        use yhdyspinta::auth::policy::Role;
        let writer = support::token(Role::Admin, &[]);
        let bearer = format!("Bearer {writer}");
        let (passed, retry, body) = until_limited(&app, &[("authorization", &bearer)], 10).await;
        assert!((3..=4).contains(&passed), "{passed} passed");
        assert_eq!(retry, Some(1));
        assert_eq!(code(&body["errors"][0]), "RATE_LIMITED");
        // The same address without the token, and another token's sub, are not limited.
        let (status, _, _) = typename(&app, &[]).await;
        assert_eq!(status, StatusCode::OK);
        let mut claims = support::claims(Role::Admin, &[]);
        claims.sub = "another-integrator".into();
        let other = yhdyspinta::auth::token::mint_hs256(support::SECRET, &claims).unwrap();
        let (status, _, _) = typename(&app, &[("authorization", &format!("Bearer {other}"))]).await;
        assert_eq!(status, StatusCode::OK);
        let m = scrape(&app).await;
        assert_eq!(
            value(&m, r#"yhdyspinta_rate_limited_total{key="sub"}"#),
            1.0
        );
        assert!(!m.contains_key(r#"yhdyspinta_rate_limited_total{key="address"}"#));
    }
);

/// The defaults leave the suite's traffic alone: a quick run of requests is not limited.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_limit_lets_a_busy_client_through() {
    let app = support::spawn_app().await;
    let started = std::time::Instant::now();
    for _ in 0..300 {
        let (status, _, body) = typename(&app, &[]).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A free loopback port.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server binary logs one JSON line per request into a pipe: with the request id it was
/// given (and returned), the operation, status, outcome, statements and the caller's `sub`,
/// and nothing of the variables; `--metrics-listen` moves `/metrics` to a port of its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_logs_each_request_as_json_and_serves_metrics_apart() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let (port, metrics_port) = (free_port(), free_port());
    let secret = "json-log-test-secret-json-log-test-secret";
    let mut child = Command::new(env!("CARGO_BIN_EXE_yhdyspinta"))
        .env_remove("YHDYSPINTA_LOG_FORMAT")
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "info")
        .env("YHDYSPINTA_JWT_SECRET", secret)
        .arg("--database-url")
        .arg(format!("sqlite://{}", dir.path().join("logs.db").display()))
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}")])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stderr = child.stderr.take().unwrap();
    let _child = Kill(child);
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });

    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    while client.get(format!("{base}/healthz")).send().await.is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let mut claims = support::claims(yhdyspinta::auth::policy::Role::Admin, &[]);
    claims.sub = "kuopio-hr".into();
    let token = yhdyspinta::auth::token::mint_hs256(secret.as_bytes(), &claims).unwrap();
    let email = "matti.meikalainen@example.org";
    let response = client
        .post(format!("{base}/graphql"))
        .bearer_auth(&token)
        .header("x-request-id", "portal-req-0042")
        .json(&json!({
            "query": "query Haku($text: String!) { search(text: $text, first: 3) { __typename } }",
            "variables": { "text": email },
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["x-request-id"], "portal-req-0042");
    let body: Value = response.json().await.unwrap();
    assert!(body.get("errors").is_none(), "{body}");

    // The line of that request, as JSON.
    let mut seen = Vec::new();
    let line = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no log line for the request among {seen:#?}"));
        seen.push(line.clone());
        let parsed: Value = serde_json::from_str(&line)
            .unwrap_or_else(|err| panic!("a log line that is not JSON ({err}): {line}"));
        if parsed["request_id"] == "portal-req-0042" {
            break parsed;
        }
    };
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["message"], "request");
    assert_eq!(line["route"], "/graphql");
    assert_eq!(line["method"], "POST");
    assert_eq!(line["operation"], "Haku");
    assert_eq!(line["kind"], "query");
    assert_eq!(line["status"], 200);
    assert_eq!(line["code"], "ok");
    assert_eq!(line["sub"], "kuopio-hr");
    assert!(line["statements"].as_u64().unwrap() >= 1, "{line}");
    assert!(line["duration_ms"].as_f64().unwrap() > 0.0, "{line}");
    assert!(line["sql_ms"].as_f64().is_some(), "{line}");

    // An anonymous request has no `sub`, and a generated id.
    let response = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": "{ topics { slug } }" }))
        .send()
        .await
        .unwrap();
    let id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(id.parse::<uuid::Uuid>().is_ok(), "{id}");
    let line = loop {
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a log line");
        seen.push(line.clone());
        let parsed: Value = serde_json::from_str(&line).expect("JSON");
        if parsed["request_id"] == id.as_str() {
            break parsed;
        }
    };
    assert_eq!(line["code"], "ok");
    assert!(line.get("sub").is_none(), "{line}");
    assert!(line.get("operation").is_none(), "{line}");

    // Nothing personal and no colour codes reached the log.
    for line in &seen {
        assert!(
            !line.contains(email) && !line.contains("meikalainen"),
            "{line}"
        );
        assert!(!line.contains('\u{1b}'), "an escape code in {line}");
    }

    // `/metrics` is on its own port, not the main one.
    let main = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(main.status(), StatusCode::NOT_FOUND);
    let text = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let m = samples(&text);
    assert_eq!(
        value(
            &m,
            r#"yhdyspinta_graphql_requests_total{operation="Haku",kind="query",code="ok"}"#
        ),
        1.0
    );
}

/// A request whose client closes the connection stops: hyper drops its future at the next
/// yield point, and the request is logged and counted as `CLIENT_GONE` long before it could
/// have finished (1 000 aliased schema introspections: minutes of CPU, under a one-minute
/// timeout). The bound is loose for a loaded CI machine: parsing and pricing the 300 KB
/// document come first and are not cut short.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_client_goes_away_stops() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let args = support::unpriced(Duration::from_secs(60));
    let app = support::spawn_app_with_args(Backend::Sqlite, args)
        .await
        .expect("SQLite app");
    let body = json!({ "query": support::introspections(1_000) }).to_string();
    let mut stream = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        app.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body.as_bytes()).await.expect("body");
    // The server is working on it: no answer within 300 ms.
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), stream.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "the request was answered at once: {early:?}"
    );
    drop(stream);

    let gone = r#"yhdyspinta_graphql_requests_total{operation="anonymous",kind="unknown",code="CLIENT_GONE"}"#;
    let closed = std::time::Instant::now();
    loop {
        let m = scrape(&app).await;
        if m.get(gone) == Some(&1.0) {
            break;
        }
        assert!(
            closed.elapsed() < Duration::from_secs(15),
            "the request went on after its client left: {m:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

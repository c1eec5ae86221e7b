//! Load benchmark: the portal's main reads at national and ten times national scale, on
//! SQLite and PostgreSQL.
//!
//! Builds a database with the shipped seed data plus synthetic, obviously fictional
//! (`example.org`) representatives and network seats, starts the server in a child process
//! (this example run again with `--serve`) on a free loopback port, and drives each
//! workload of [`WORKLOADS`] with 2 and 16 concurrent clients. Per workload and client
//! count it prints throughput, latency, SQL statements and server CPU per request, and the
//! database's own ceiling: the statements one request issues, replayed directly (no HTTP,
//! no GraphQL) against the same database with the same concurrency. At the end it prints
//! the server's resident memory, and when several engines or scales ran, the targets.
//!
//! ```sh
//! cargo run --release --example load                                  # SQLite, national scale
//! cargo run --release --example load -- --engine postgres             # a throwaway PostgreSQL cluster
//! cargo run --release --example load -- --engine all --scale all      # everything, one table each
//! cargo run --release --example load -- --only search --clients 1,4 --duration 2s --show-sql
//! DATABASE_URL=postgres://… cargo run --release --example load -- --engine postgres  # an empty database
//! ```
//!
//! Options: `--engine sqlite|postgres|all`, `--scale national|10x|all` (or `--reps N --seats N`),
//! `--clients 2,16`, `--duration 5s` and `--requests N` (per workload and client count,
//! whichever ends first), `--replay 3s` (0 skips the ceiling), `--only TEXT`,
//! `--show-sql`.

/// The server child uses the same allocator as the `yhdyspinta` binary.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::Utc;
use entity::enums::{Level, MembershipRole, NetworkKind, OrganisationKind, Visibility};
use entity::*;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Statement, TransactionTrait,
};
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::domain::search::Searchable;

#[path = "../tests/api/support/postgres.rs"]
mod postgres;

// ================================================================================
// WORKLOADS: the GraphQL documents the benchmark sends. Edit them here when the schema
// changes.
// ================================================================================

/// One kind of portal page.
struct Workload {
    name: &'static str,
    /// The variable that changes from request to request, and what it ranges over.
    vary: Vary,
    /// Whether the answer's size is bounded by a page size, whatever the scale (the 10×
    /// target applies to these only).
    page_sized: bool,
    query: &'static str,
}

enum Vary {
    Nothing,
    /// A municipality code, round the municipalities.
    Municipality(&'static str),
    /// A county id, round the wellbeing services counties.
    County(&'static str),
    /// A search text, round [`SEARCH_WORDS`].
    Word(&'static str),
}

const SEARCH_WORDS: &[&str] = &[
    "kuopion",
    "hyte",
    "siilinjarvi",
    "testi henkilo 42",
    "tyollisyys",
];

const WORKLOADS: &[Workload] = &[
    Workload {
        // Up to 100 people (a municipality has 91 at national scale), and its seats.
        name: "municipality page",
        vary: Vary::Municipality("c"),
        page_sized: true,
        query: r#"query($c: String!) { organisation(municipalityCode: $c) {
            name municipalityCode county { name }
            representatives(first: 100) { totalCount
              nodes { level role topic { slug name } person { name title email phone } } }
            memberships { totalCount nodes { role network { name } } } } }"#,
    },
    Workload {
        // A page of 20 representatives each, with their counts.
        name: "50 orgs × reps",
        vary: Vary::Nothing,
        page_sized: true,
        query: r#"{ organisations(first: 50, filter: { kind: [MUNICIPALITY] }) { totalCount
            nodes { name municipalityCode representatives(first: 20) { totalCount
              nodes { level topic { slug } person { name } } } } } }"#,
    },
    Workload {
        // The member count alone: no seat leaves the database.
        name: "50 networks",
        vary: Vary::County("k"),
        page_sized: true,
        query: r#"query($k: ID!) { networks(first: 50, filter: { countyId: $k }) { totalCount
            nodes { name level convener { name } memberships(first: 0) { totalCount } } } }"#,
    },
    Workload {
        name: "counterparts",
        vary: Vary::Municipality("c"),
        page_sized: false,
        query: r#"query($c: String!) { counterparts(municipalityCode: $c) {
            topic { slug } level complete
            municipalityRepresentatives { person { name email } }
            countyRepresentatives { person { name } } } }"#,
    },
    Workload {
        name: "coverage of a county",
        vary: Vary::County("k"),
        page_sized: false,
        query: r#"query($k: ID!) { coverage(countyId: $k) {
            expected covered ratio gaps { level missing municipality { name } topic { slug } } } }"#,
    },
    Workload {
        name: "search",
        vary: Vary::Word("t"),
        page_sized: true,
        query: r#"query($t: String!) { search(text: $t, first: 20) { totalCount nodes { __typename
            ... on Organisation { name } ... on Person { name } ... on Network { name } ... on Action { title } } } }"#,
    },
];

// ================================================================================
// Options
// ================================================================================

#[derive(Clone, Copy, PartialEq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres => "PostgreSQL",
        }
    }
}

#[derive(Clone, Copy)]
struct Scale {
    name: &'static str,
    reps: usize,
    seats: usize,
}

const NATIONAL: Scale = Scale {
    name: "national",
    reps: 30_000,
    seats: 20_000,
};
const TENFOLD: Scale = Scale {
    name: "10x",
    reps: 300_000,
    seats: 200_000,
};

struct Options {
    engines: Vec<Engine>,
    scales: Vec<Scale>,
    clients: Vec<usize>,
    duration: Duration,
    requests: usize,
    replay: Duration,
    only: Option<String>,
    show_sql: bool,
}

fn usage(problem: &str) -> ! {
    eprintln!("{problem}\nsee the comment at the top of examples/load.rs for the options");
    std::process::exit(2)
}

fn options(args: &[String]) -> Options {
    let mut o = Options {
        engines: vec![Engine::Sqlite],
        scales: vec![NATIONAL],
        clients: vec![2, 16],
        duration: Duration::from_secs(5),
        requests: 1_000_000,
        replay: Duration::from_secs(3),
        only: None,
        show_sql: false,
    };
    let (mut reps, mut seats) = (None, None);
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "--show-sql" {
            o.show_sql = true;
            i += 1;
            continue;
        }
        let Some(value) = args.get(i + 1) else {
            usage(&format!("{flag} needs a value"))
        };
        let number = || {
            value
                .parse::<usize>()
                .unwrap_or_else(|_| usage(&format!("{flag} needs a number")))
        };
        let duration = || {
            humantime::parse_duration(value)
                .or_else(|_| value.parse::<u64>().map(Duration::from_secs))
                .unwrap_or_else(|_| usage(&format!("{flag} needs a duration such as 5s")))
        };
        match flag {
            "--engine" => {
                o.engines = match value.as_str() {
                    "sqlite" => vec![Engine::Sqlite],
                    "postgres" | "postgresql" => vec![Engine::Postgres],
                    "all" | "both" => vec![Engine::Sqlite, Engine::Postgres],
                    _ => usage("--engine is sqlite, postgres or all"),
                }
            }
            "--scale" => {
                o.scales = match value.as_str() {
                    "national" => vec![NATIONAL],
                    "10x" => vec![TENFOLD],
                    "all" | "both" => vec![NATIONAL, TENFOLD],
                    _ => usage("--scale is national, 10x or all"),
                }
            }
            "--reps" => reps = Some(number()),
            "--seats" => seats = Some(number()),
            "--clients" => {
                o.clients = value
                    .split(',')
                    .map(|c| match c.trim().parse::<usize>() {
                        Ok(n) if n > 0 => n,
                        _ => usage("--clients takes counts such as 2,16"),
                    })
                    .collect()
            }
            "--duration" => o.duration = duration(),
            "--requests" => o.requests = number().max(1),
            "--replay" => o.replay = duration(),
            "--only" => o.only = Some(value.clone()),
            other => usage(&format!("unknown option {other}")),
        }
        i += 2;
    }
    if reps.is_some() || seats.is_some() {
        let reps = reps.unwrap_or(NATIONAL.reps);
        let seats = seats.unwrap_or(reps * 2 / 3);
        let name = match (reps, seats) {
            (30_000, 20_000) => "national",
            (300_000, 200_000) => "10x",
            _ => "custom",
        };
        o.scales = vec![Scale { name, reps, seats }];
    }
    o
}

// ================================================================================
// Synthetic data
// ================================================================================

async fn insert_chunked<A>(db: &DatabaseConnection, rows: Vec<A>)
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let tx = db.begin().await.expect("begin");
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(500).collect();
        A::Entity::insert_many(chunk)
            .exec_without_returning(&tx)
            .await
            .expect("insert");
    }
    tx.commit().await.expect("commit");
}

/// Fictional representatives and seats spread over every county and municipality, and 50
/// fictional networks per county.
async fn synthesise(db: &DatabaseConnection, scale: Scale) {
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Kind.is_in([
            OrganisationKind::Municipality,
            OrganisationKind::WellbeingCounty,
        ]))
        .all(db)
        .await
        .expect("organisations");
    let counties: Vec<&organisation::Model> = orgs
        .iter()
        .filter(|o| o.kind == OrganisationKind::WellbeingCounty)
        .collect();
    let topics: Vec<Uuid> = topic::Entity::find()
        .filter(topic::Column::ParentId.is_null())
        .all(db)
        .await
        .expect("topics")
        .into_iter()
        .map(|t| t.id)
        .collect();
    let now = Utc::now();
    let levels = [
        Level::Leadership,
        Level::Interface,
        Level::Everyday,
        Level::Participation,
    ];
    let mut persons = Vec::with_capacity(scale.reps);
    let mut reps = Vec::with_capacity(scale.reps);
    for i in 0..scale.reps {
        let org = &orgs[i % orgs.len()];
        let person = Uuid::new_v4();
        persons.push(
            person::Model {
                id: person,
                search_text: String::new(),
                name: format!("Testi Henkilö {i}"),
                title: Some("Kuvitteellinen yhdyshenkilö".into()),
                organisation_id: Some(org.id),
                email: Some(format!("testi.{i}@example.org")),
                phone: None,
                visibility: Visibility::Public,
                created_at: now,
                updated_at: now,
                version: 1,
                reviewed_at: None,
                reviewed_by: None,
            }
            .with_search_text()
            .into_active_model(),
        );
        reps.push(
            representative::Model {
                id: Uuid::new_v4(),
                person_id: person,
                organisation_id: org.id,
                topic_id: topics[(i / orgs.len()) % topics.len()],
                level: levels[(i / (orgs.len() * topics.len())) % levels.len()],
                role: None,
                deputy_id: None,
                valid_from: None,
                valid_to: None,
                created_at: now,
                updated_at: now,
                version: 1,
                reviewed_at: None,
                reviewed_by: None,
            }
            .into_active_model(),
        );
    }
    insert_chunked(db, persons).await;
    insert_chunked(db, reps).await;
    let mut networks = Vec::new();
    let mut network_ids = Vec::new();
    for county in &counties {
        for n in 0..50 {
            let id = Uuid::new_v4();
            network_ids.push(id);
            networks.push(
                network::Model {
                    id,
                    kind: NetworkKind::Network,
                    search_text: String::new(),
                    name_fi: format!("Testiverkosto {n} {}", county.name_fi),
                    name_sv: None,
                    name_en: None,
                    description: None,
                    level: Some(Level::Interface),
                    county_id: Some(county.id),
                    convener_id: Some(county.id),
                    convener_note: None,
                    responsible_person_id: None,
                    responsible_role: None,
                    parent_id: None,
                    area_id: None,
                    cadence: None,
                    meetings_per_year: Some(4),
                    legal_basis: None,
                    valid_from: None,
                    valid_to: None,
                    created_at: now,
                    updated_at: now,
                    version: 1,
                    reviewed_at: None,
                    reviewed_by: None,
                }
                .with_search_text()
                .into_active_model(),
            );
        }
    }
    insert_chunked(db, networks).await;
    let seats: Vec<_> = (0..scale.seats)
        .map(|i| {
            membership::Model {
                id: Uuid::new_v4(),
                network_id: network_ids[i % network_ids.len()],
                organisation_id: Some(orgs[(i / network_ids.len()) % orgs.len()].id),
                person_id: None,
                deputy_id: None,
                role: MembershipRole::Member,
                note: None,
                valid_from: None,
                valid_to: None,
                created_at: now,
                updated_at: now,
                version: 1,
            }
            .into_active_model()
        })
        .collect();
    insert_chunked(db, seats).await;
}

// ================================================================================
// The server, in a child process
// ================================================================================

/// What the child records about the SQL it runs.
#[derive(Default)]
struct SqlStats {
    /// Statements run since the start.
    statements: AtomicU64,
    capturing: AtomicBool,
    captured: Mutex<Vec<Statement>>,
    /// Captured statement lists by workload name, for the replay.
    saved: Mutex<HashMap<String, Arc<Vec<Statement>>>>,
}

#[derive(Clone)]
struct Bench {
    stats: Arc<SqlStats>,
    db: DatabaseConnection,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct Replay {
    name: String,
    clients: usize,
    millis: u64,
}

/// `load --serve URL`: serves the API over `URL` on a free loopback port,
/// prints the port on stdout and exits when stdin closes (so it never outlives the
/// benchmark). Next to `/graphql` it serves `/bench/*`, for the benchmark only.
async fn serve(url: &str) {
    let db = yhdyspinta::db::connect(url).await.expect("connect");
    let stats = Arc::new(SqlStats::default());
    let recorder = stats.clone();
    // Told of every statement the requests run (each request's connection handle tells it).
    let observer = yhdyspinta::db::StatementObserver(Arc::new(move |_pool, info| {
        recorder.statements.fetch_add(1, Ordering::Relaxed);
        if recorder.capturing.load(Ordering::Relaxed) {
            recorder
                .captured
                .lock()
                .expect("capture")
                .push(info.statement.clone());
        }
    }));
    // Every benchmark client comes from 127.0.0.1: the per-address rate limit (1 000
    // requests a second by default) would refuse the fast workloads, so it is off here.
    let args = yhdyspinta::config::ServeArgs {
        rate_limit: 0,
        ..Default::default()
    };
    let bench = axum::Router::new()
        .route("/bench/stats", get(bench_stats))
        .route("/bench/capture/start", post(capture_start))
        .route("/bench/capture/stop", post(capture_stop))
        .route("/bench/replay", post(replay))
        .with_state(Bench {
            stats,
            db: db.clone(),
        });
    let databases = yhdyspinta::db::Databases {
        primary: db,
        replica: None,
        observer: Some(observer),
    };
    let app = yhdyspinta::app(databases, None, &args).merge(bench);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    println!("{port}");
    std::io::stdout().flush().expect("stdout");
    std::thread::spawn(|| {
        let mut sink = String::new();
        while std::io::stdin().read_line(&mut sink).is_ok_and(|n| n > 0) {}
        std::process::exit(0);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .await
    .expect("serve");
}

async fn bench_stats(State(b): State<Bench>) -> Json<Value> {
    Json(json!({ "statements": b.stats.statements.load(Ordering::Relaxed) }))
}

async fn capture_start(State(b): State<Bench>) -> Json<Value> {
    b.stats.captured.lock().expect("capture").clear();
    b.stats.capturing.store(true, Ordering::SeqCst);
    Json(json!({}))
}

/// Stops capturing and keeps the statements under `name`; answers with their SQL.
async fn capture_stop(State(b): State<Bench>, Json(named): Json<Named>) -> Json<Value> {
    b.stats.capturing.store(false, Ordering::SeqCst);
    let captured = std::mem::take(&mut *b.stats.captured.lock().expect("capture"));
    let sql: Vec<String> = captured.iter().map(|s| s.sql.clone()).collect();
    b.stats
        .saved
        .lock()
        .expect("saved")
        .insert(named.name, Arc::new(captured));
    Json(json!({ "sql": sql }))
}

/// Runs the statements captured under `name`, in order, over and over, on `clients`
/// tasks sharing the server's connection pool, for `millis`: the database's own ceiling
/// for what one request asks of it (the same driver, pool and bound values, no HTTP or
/// GraphQL).
async fn replay(State(b): State<Bench>, Json(r): Json<Replay>) -> Json<Value> {
    let Some(statements) = b.stats.saved.lock().expect("saved").get(&r.name).cloned() else {
        return Json(json!({ "error": "nothing captured under that name" }));
    };
    let deadline = Instant::now() + Duration::from_millis(r.millis);
    let started = Instant::now();
    let workers: Vec<_> = (0..r.clients.max(1))
        .map(|_| {
            let db = b.db.clone();
            let statements = statements.clone();
            tokio::spawn(async move {
                let (mut done, mut errors) = (0u64, 0u64);
                while Instant::now() < deadline {
                    for statement in statements.iter() {
                        if db.query_all_raw(statement.clone()).await.is_err() {
                            errors += 1;
                        }
                        done += 1;
                    }
                    if statements.is_empty() {
                        break;
                    }
                }
                (done, errors)
            })
        })
        .collect();
    let (mut done, mut errors) = (0, 0);
    for worker in workers {
        let (d, e) = worker.await.expect("replay worker");
        done += d;
        errors += e;
    }
    Json(json!({
        "statements": done,
        "errors": errors,
        "secs": started.elapsed().as_secs_f64(),
    }))
}

/// The server child: killed when dropped (stdin closes, then a kill if need be).
struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    port: u16,
    clock_ticks: f64,
}

impl Server {
    fn start(url: &str) -> Server {
        let exe = std::env::current_exe().expect("current exe");
        let mut child = Command::new(exe)
            .args(["--serve", url])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the server child");
        let stdin = child.stdin.take();
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("child stdout"))
            .read_line(&mut line)
            .expect("read the port");
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("the server child did not start: {line:?}"));
        let clock_ticks = Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
            .unwrap_or(100.0);
        Server {
            child,
            stdin,
            port,
            clock_ticks,
        }
    }

    /// CPU time the server has used, user and system.
    fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.child.id()))
            .expect("server /proc stat");
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let fields: Vec<&str> = stat[stat.rfind(')').expect("stat") + 2..]
            .split(' ')
            .collect();
        let ticks: f64 =
            fields[11].parse::<f64>().expect("utime") + fields[12].parse::<f64>().expect("stime");
        Duration::from_secs_f64(ticks / self.clock_ticks)
    }

    /// `VmRSS` and `VmHWM` (the peak) of the server, in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("server /proc status");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
                .map_or(f64::NAN, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.stdin.take());
        for _ in 0..50 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ================================================================================
// Load
// ================================================================================

/// What one workload at one client count measured.
struct Row {
    workload: &'static str,
    page_sized: bool,
    clients: usize,
    requests: usize,
    errors: usize,
    req_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
    kib_per_response: f64,
    statements_per_request: f64,
    /// Statements per request of the captured requests, the ones the replay repeats.
    captured: f64,
    cpu_ms_per_request: f64,
    /// Requests a second the database manages when it only runs the statements.
    ceiling: Option<f64>,
}

struct Measured {
    times: Vec<Duration>,
    errors: usize,
    bytes: usize,
    elapsed: Duration,
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Sends `bodies` round-robin from `clients` tasks until `duration` or `max` requests.
async fn drive(
    client: &reqwest::Client,
    url: &str,
    bodies: &Arc<Vec<String>>,
    clients: usize,
    duration: Duration,
    max: usize,
) -> Measured {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (client, url, bodies, next) =
                (client.clone(), url.to_owned(), bodies.clone(), next.clone());
            tokio::spawn(async move {
                let mut m = Measured {
                    times: Vec::new(),
                    errors: 0,
                    bytes: 0,
                    elapsed: Duration::ZERO,
                };
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= max || started.elapsed() >= duration {
                        break;
                    }
                    let t = Instant::now();
                    let response = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(bodies[n % bodies.len()].clone())
                        .send()
                        .await
                        .expect("request");
                    let ok = response.status().is_success();
                    let body = response.bytes().await.expect("response body");
                    m.times.push(t.elapsed());
                    m.bytes += body.len();
                    if !ok || contains(&body, b"\"errors\":[") {
                        if m.errors == 0 {
                            eprintln!("  error: {}", String::from_utf8_lossy(&body));
                        }
                        m.errors += 1;
                    }
                }
                m
            })
        })
        .collect();
    let mut all = Measured {
        times: Vec::new(),
        errors: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
    };
    for worker in workers {
        let m = worker.await.expect("client");
        all.times.extend(m.times);
        all.errors += m.errors;
        all.bytes += m.bytes;
    }
    all.elapsed = started.elapsed();
    all.times.sort();
    all
}

async fn call(client: &reqwest::Client, url: &str, body: Value) -> Value {
    client
        .post(url)
        .json(&body)
        .send()
        .await
        .expect("bench request")
        .json()
        .await
        .expect("bench json")
}

/// Most distinct request bodies of a workload.
const MAX_BODIES: usize = 50;

/// The request bodies of a workload, one per value of its varying variable.
fn bodies(w: &Workload, codes: &[String], counties: &[String]) -> Vec<String> {
    let body = |name: &str, value: &str| {
        json!({ "query": w.query, "variables": { name: value } }).to_string()
    };
    // At most MAX_BODIES, spread evenly, so capturing each once stays quick.
    let spread = |values: &[String], v: &str| -> Vec<String> {
        let step = values.len().div_ceil(MAX_BODIES).max(1);
        values.iter().step_by(step).map(|x| body(v, x)).collect()
    };
    match w.vary {
        Vary::Nothing => vec![json!({ "query": w.query }).to_string()],
        Vary::Municipality(v) => spread(codes, v),
        Vary::County(v) => spread(counties, v),
        Vary::Word(v) => SEARCH_WORDS.iter().map(|t| body(v, t)).collect(),
    }
}

/// One engine at one scale: build the database, start the server, run every workload.
async fn bench(
    o: &Options,
    engine: Engine,
    scale: Scale,
    url: &str,
    results: &mut Vec<(Engine, &'static str, Row)>,
) {
    let started = Instant::now();
    let db = yhdyspinta::db::connect(url).await.expect("connect");
    yhdyspinta::prepare(&db, true)
        .await
        .expect("migrate and seed");
    synthesise(&db, scale).await;
    let backend = db.get_database_backend();
    let version_sql = match engine {
        Engine::Sqlite => "SELECT sqlite_version()",
        Engine::Postgres => "SHOW server_version",
    };
    let version: String = db
        .query_one_raw(Statement::from_string(backend, version_sql))
        .await
        .expect("version")
        .expect("a version row")
        .try_get_by_index(0)
        .expect("version text");
    if engine == Engine::Postgres {
        db.execute_unprepared("VACUUM ANALYZE")
            .await
            .expect("analyze");
    } else {
        db.execute_unprepared("ANALYZE").await.expect("analyze");
    }
    let codes: Vec<String> = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::Municipality))
        .filter(organisation::Column::CountyId.is_not_null())
        .all(&db)
        .await
        .expect("municipalities")
        .into_iter()
        .filter_map(|m| m.municipality_code)
        .collect();
    let counties: Vec<String> = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::WellbeingCounty))
        .all(&db)
        .await
        .expect("counties")
        .into_iter()
        .map(|c| c.id.to_string())
        .collect();
    db.close().await.expect("close");
    println!(
        "\n== {} {version}, {} scale: {} fictional representatives, {} seats (built in {:.0} s); \
         {} per workload and client count{}; load average {}",
        engine.name(),
        scale.name,
        scale.reps,
        scale.seats,
        started.elapsed().as_secs_f64(),
        humantime::format_duration(o.duration),
        if o.requests < 1_000_000 {
            format!(" or {} requests", o.requests)
        } else {
            String::new()
        },
        load_average(),
    );

    let server = Server::start(url);
    let base = format!("http://127.0.0.1:{}", server.port);
    let graphql = format!("{base}/graphql");
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let statements = |client: reqwest::Client, base: String| async move {
        let stats = client
            .get(format!("{base}/bench/stats"))
            .send()
            .await
            .expect("stats")
            .json::<Value>()
            .await
            .expect("stats json");
        stats["statements"].as_u64().expect("statements")
    };

    let mut rows = Vec::new();
    for w in WORKLOADS {
        if o.only.as_deref().is_some_and(|only| !w.name.contains(only)) {
            continue;
        }
        let bodies = Arc::new(bodies(w, &codes, &counties));
        // One request checked for errors.
        let first: Value = client
            .post(&graphql)
            .header("content-type", "application/json")
            .body(bodies[0].clone())
            .send()
            .await
            .expect("first request")
            .json()
            .await
            .expect("first response");
        if let Some(errors) = first.get("errors") {
            panic!("{}: {errors}", w.name);
        }
        // Warm up: caches, pool connections, prepared statements.
        drive(
            &client,
            &graphql,
            &bodies,
            *o.clients.iter().max().expect("clients"),
            Duration::from_millis(500),
            200,
        )
        .await;
        // Every body once, one at a time, with the statements captured for the replay:
        // the same mix of requests as the load, after the warm-up's one-off statements.
        call(&client, &format!("{base}/bench/capture/start"), json!({})).await;
        drive(&client, &graphql, &bodies, 1, Duration::MAX, bodies.len()).await;
        let captured = call(
            &client,
            &format!("{base}/bench/capture/stop"),
            json!({ "name": w.name }),
        )
        .await;
        let captured: Vec<&str> = captured["sql"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let captured_per_request = captured.len() as f64 / bodies.len() as f64;
        if o.show_sql {
            let mut distinct = std::collections::BTreeMap::new();
            for sql in &captured {
                *distinct.entry(*sql).or_insert(0usize) += 1;
            }
            println!("-- {} ({} requests):", w.name, bodies.len());
            for (sql, count) in distinct {
                println!("   {count:>5} × {sql}");
            }
        }
        for &clients in &o.clients {
            eprintln!("  {} with {clients} clients …", w.name);
            let (sql_before, cpu_before) =
                (statements(client.clone(), base.clone()).await, server.cpu());
            let m = drive(&client, &graphql, &bodies, clients, o.duration, o.requests).await;
            let (sql_after, cpu_after) =
                (statements(client.clone(), base.clone()).await, server.cpu());
            let n = m.times.len().max(1);
            let pct = |p: f64| m.times[((n as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3;
            rows.push(Row {
                workload: w.name,
                page_sized: w.page_sized,
                clients,
                requests: m.times.len(),
                errors: m.errors,
                req_per_s: m.times.len() as f64 / m.elapsed.as_secs_f64(),
                p50_ms: pct(0.50),
                p99_ms: pct(0.99),
                kib_per_response: m.bytes as f64 / n as f64 / 1024.0,
                statements_per_request: (sql_after - sql_before) as f64 / n as f64,
                captured: captured_per_request,
                cpu_ms_per_request: (cpu_after - cpu_before).as_secs_f64() * 1e3 / n as f64,
                ceiling: None,
            });
        }
    }
    // Memory that comes back: read once the server has been idle for two seconds (its
    // housekeeping drops cached county indexes past their age every second, and mimalloc
    // returns freed pages after a short delay).
    std::thread::sleep(Duration::from_secs(2));
    let (rss, peak) = server.memory();

    // The database's ceiling, after all HTTP load, so the replay's memory is not in the
    // server's figures above.
    if !o.replay.is_zero() {
        for row in &mut rows {
            eprintln!(
                "  replaying {} with {} clients …",
                row.workload, row.clients
            );
            let r = call(
                &client,
                &format!("{base}/bench/replay"),
                json!({ "name": row.workload, "clients": row.clients, "millis": o.replay.as_millis() as u64 }),
            )
            .await;
            let done = r["statements"].as_f64().unwrap_or(0.0);
            let secs = r["secs"].as_f64().unwrap_or(1.0);
            if r["errors"].as_u64().unwrap_or(1) > 0 {
                eprintln!("  replay of {}: {r}", row.workload);
            }
            row.ceiling = (row.captured > 0.0).then(|| done / secs / row.captured);
        }
    }
    drop(server);

    println!(
        "{:<22} {:>3} {:>6} {:>7} {:>7} {:>7} {:>6} {:>6} {:>7} {:>8} {:>6} {:>6}",
        "workload",
        "cli",
        "n",
        "req/s",
        "p50 ms",
        "p99 ms",
        "stmts",
        "KiB",
        "CPU ms",
        "DB req/s",
        "eff %",
        "errors"
    );
    for row in &rows {
        println!(
            "{:<22} {:>3} {:>6} {:>7.0} {:>7.1} {:>7.1} {:>6.1} {:>6.1} {:>7.2} {:>8} {:>6} {:>6}",
            row.workload,
            row.clients,
            row.requests,
            row.req_per_s,
            row.p50_ms,
            row.p99_ms,
            row.statements_per_request,
            row.kib_per_response,
            row.cpu_ms_per_request,
            row.ceiling.map_or("-".into(), |c| format!("{c:.0}")),
            row.ceiling
                .map_or("-".into(), |c| format!("{:.0}", 100.0 * row.req_per_s / c)),
            row.errors,
        );
    }
    println!(
        "server memory at the end: RSS {rss:.0} MiB (peak {peak:.0} MiB); load average {}",
        load_average()
    );
    results.extend(rows.into_iter().map(|r| (engine, scale.name, r)));
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split(' ').take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(String::new(), |kb| {
            format!(", {:.1} GiB", kb / 1024.0 / 1024.0)
        });
    format!("{cores} cores ({cpu}){memory}")
}

/// Checks the issue's targets against whatever ran.
fn targets(results: &[(Engine, &'static str, Row)], clients: &[usize]) {
    let low = *clients.iter().min().expect("clients");
    let high = *clients.iter().max().expect("clients");
    let find = |e: Engine, s: &str, w: &str, c: usize| {
        results
            .iter()
            .find(|(re, rs, r)| *re == e && *rs == s && r.workload == w && r.clients == c)
            .map(|(_, _, r)| r)
    };
    let mark = |ok: bool| if ok { "ok  " } else { "MISS" };
    println!("\n== targets");
    for (e, s, r) in results {
        if *s == "national" && r.clients == low {
            println!(
                "{} p99 {:.1} ms < 10 ms at national scale: {} {}",
                mark(r.p99_ms < 10.0),
                r.p99_ms,
                e.name(),
                r.workload
            );
        }
        if *s == "10x"
            && r.clients == low
            && r.page_sized
            && let Some(n) = find(*e, "national", r.workload, low)
        {
            println!(
                "{} 10× p50 {:.1} ms ≤ 1.5 × national {:.1} ms: {} {}",
                mark(r.p50_ms <= 1.5 * n.p50_ms),
                r.p50_ms,
                n.p50_ms,
                e.name(),
                r.workload
            );
        }
        if r.clients == high
            && let Some(c) = r.ceiling
        {
            println!(
                "{} efficiency {:.0} % ≥ 70 % at {high} clients: {} {s} {}",
                mark(r.req_per_s >= 0.7 * c),
                100.0 * r.req_per_s / c,
                e.name(),
                r.workload
            );
        }
        if *e == Engine::Sqlite
            && let Some(p) = find(Engine::Postgres, s, r.workload, r.clients)
        {
            println!(
                "{} SQLite {:.0} req/s ≥ PostgreSQL {:.0} req/s: {s} {} {} clients",
                mark(r.req_per_s >= p.req_per_s),
                r.req_per_s,
                p.req_per_s,
                r.workload,
                r.clients
            );
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    if let Ok(filter) = std::env::var("RUST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    if args.first().map(String::as_str) == Some("--serve") {
        let Some(url) = args.get(1) else {
            usage("--serve URL")
        };
        runtime.block_on(serve(url));
        return;
    }
    let o = options(&args);
    runtime.block_on(async {
        println!(
            "machine: {}; engines: {}; scales: {}; clients: {:?}",
            machine(),
            o.engines
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", "),
            o.scales
                .iter()
                .map(|s| s.name)
                .collect::<Vec<_>>()
                .join(", "),
            o.clients,
        );
        let mut results = Vec::new();
        let given = std::env::var("DATABASE_URL").ok();
        for scale in &o.scales {
            for &engine in &o.engines {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = match (engine, &given) {
                    (Engine::Postgres, Some(url)) if url.starts_with("postgres") => {
                        assert!(
                            o.scales.len() == 1,
                            "a given DATABASE_URL takes one scale only"
                        );
                        url.clone()
                    }
                    (Engine::Sqlite, Some(url)) if url.starts_with("sqlite") => {
                        assert!(
                            o.scales.len() == 1,
                            "a given DATABASE_URL takes one scale only"
                        );
                        url.clone()
                    }
                    (Engine::Sqlite, _) => {
                        format!("sqlite://{}", dir.path().join("load.db").display())
                    }
                    (Engine::Postgres, _) => {
                        let cluster = postgres::cluster().unwrap_or_else(|| {
                            usage(
                                "PostgreSQL binaries (initdb, pg_ctl) not found: install \
                                 PostgreSQL, set PG_BIN_DIR or give DATABASE_URL",
                            )
                        });
                        postgres::create_database(cluster, &format!("load_{}", scale.name), None)
                            .await
                    }
                };
                bench(&o, engine, *scale, &url, &mut results).await;
            }
        }
        if results.iter().any(|(_, s, _)| *s == "national") {
            targets(&results, &o.clients);
        }
    });
}

//! Load benchmark at ten times national scale.
//!
//! Builds a database with the shipped seed data plus synthetic, obviously fictional
//! representatives (default 300 000, ten times the ~30 000 expected nationally) and network
//! seats (default 200 000), starts the application on a free loopback port, and runs the
//! portal's main reads with bounded concurrency, printing latency percentiles and
//! throughput for each.
//!
//! ```sh
//! cargo run --release --example load                      # SQLite in a temp directory
//! cargo run --release --example load -- --reps 30000 --requests 500
//! cargo run --release --example load -- --only search --concurrency 1
//! DATABASE_URL=postgres://… cargo run --release --example load   # an empty PostgreSQL database
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use entity::enums::{Level, MembershipRole, NetworkKind, OrganisationKind, Visibility};
use entity::*;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, TransactionTrait,
};
use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::domain::search::Searchable;

struct Options {
    /// Run only the workloads whose name contains this.
    only: Option<String>,
    reps: usize,
    seats: usize,
    requests: usize,
    concurrency: usize,
}

fn options() -> Options {
    let mut o = Options {
        only: None,
        reps: 300_000,
        seats: 200_000,
        requests: 1_000,
        concurrency: 16,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < args.len() {
        if args[i] == "--only" {
            o.only = Some(args[i + 1].clone());
            i += 2;
            continue;
        }
        let n: usize = args[i + 1]
            .parse()
            .unwrap_or_else(|_| panic!("{} needs a number", args[i]));
        match args[i].as_str() {
            "--reps" => o.reps = n,
            "--seats" => o.seats = n,
            "--requests" => o.requests = n,
            "--concurrency" => o.concurrency = n.max(1),
            other => panic!("unknown option {other}"),
        }
        i += 2;
    }
    o
}

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

/// Fictional representatives and seats spread over every county and municipality.
async fn synthesise(db: &DatabaseConnection, o: &Options) {
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
    let mut persons = Vec::with_capacity(o.reps);
    let mut reps = Vec::with_capacity(o.reps);
    for i in 0..o.reps {
        let org = &orgs[i % orgs.len()];
        let person = Uuid::new_v4();
        let name = format!("Testi Henkilö {i}");
        persons.push(
            person::Model {
                id: person,
                search_text: String::new(),
                name,
                title: Some("Kuvitteellinen yhdyshenkilö".into()),
                organisation_id: Some(org.id),
                email: Some(format!("testi.{i}@example.org")),
                phone: None,
                visibility: Visibility::Public,
                created_at: now,
                updated_at: now,
                version: 1,
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
            let name = format!("Testiverkosto {n} {}", county.name_fi);
            networks.push(
                network::Model {
                    id,
                    kind: NetworkKind::Network,
                    search_text: String::new(),
                    name_fi: name,
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
                }
                .with_search_text()
                .into_active_model(),
            );
        }
    }
    insert_chunked(db, networks).await;
    let seats: Vec<_> = (0..o.seats)
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

async fn run(
    client: &reqwest::Client,
    url: &str,
    name: &str,
    o: &Options,
    make: impl Fn(usize) -> Value + Send + Sync + 'static,
) {
    if o.only.as_deref().is_some_and(|only| !name.contains(only)) {
        return;
    }
    let make = Arc::new(make);
    let started = Instant::now();
    let mut handles = Vec::new();
    let per_worker = o.requests.div_ceil(o.concurrency);
    for w in 0..o.concurrency {
        let client = client.clone();
        let url = url.to_owned();
        let make = make.clone();
        let total = o.requests;
        let name = name.to_owned();
        handles.push(tokio::spawn(async move {
            let mut times = Vec::new();
            let mut errors = 0usize;
            for k in 0..per_worker {
                let n = w * per_worker + k;
                if n >= total {
                    break;
                }
                let t = Instant::now();
                let body: Value = client
                    .post(&url)
                    .json(&make(n))
                    .send()
                    .await
                    .expect("request")
                    .json()
                    .await
                    .expect("json");
                if body.get("errors").is_some() {
                    if errors == 0 {
                        eprintln!("{name}: {}", body["errors"][0]);
                    }
                    errors += 1;
                }
                times.push(t.elapsed());
            }
            (times, errors)
        }));
    }
    let mut times: Vec<Duration> = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (t, e) = h.await.expect("worker");
        times.extend(t);
        errors += e;
    }
    let elapsed = started.elapsed();
    times.sort();
    let pct = |p: f64| times[((times.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1000.0;
    println!(
        "{name:<34} {:>6} req  p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms  {:>8.0} req/s  {errors} errors",
        times.len(),
        pct(0.50),
        pct(0.95),
        pct(0.99),
        times.len() as f64 / elapsed.as_secs_f64()
    );
}

#[tokio::main]
async fn main() {
    if let Ok(filter) = std::env::var("RUST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    let o = options();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("load.db").display()));
    let db = yhdyspinta::db::connect(&url).await.expect("connect");
    yhdyspinta::prepare(&db, true)
        .await
        .expect("migrate and seed");
    let t = Instant::now();
    synthesise(&db, &o).await;
    println!(
        "database: {} with {} fictional representatives and {} seats, written in {:.1} s",
        yhdyspinta::db::redact(&url),
        o.reps,
        o.seats,
        t.elapsed().as_secs_f64()
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let app = yhdyspinta::app(db.clone(), None, &yhdyspinta::config::ServeArgs::default());
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serve") });
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");
    let url = format!("http://{addr}/graphql");
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
    println!(
        "{} requests per workload, {} at a time, to {url}",
        o.requests, o.concurrency
    );
    let c = codes.clone();
    run(&client, &url, "counterparts (all topics × levels)", &o, move |n| {
        json!({ "query": "query($c: String!) { counterparts(municipalityCode: $c) { topic { slug } level complete municipalityRepresentatives { person { name email } } countyRepresentatives { person { name } } } }", "variables": { "c": c[n % c.len()] } })
    })
    .await;
    let c = codes.clone();
    run(&client, &url, "networks of a municipality", &o, move |n| {
        json!({ "query": "query($c: String!) { networks(filter: { municipalityCode: $c }, first: 50) { totalCount edges { node { name convener { name } } } } }", "variables": { "c": c[n % c.len()] } })
    })
    .await;
    let c = codes.clone();
    run(&client, &url, "a municipality with its people", &o, move |n| {
        json!({ "query": "query($c: String) { organisations(first: 1, filter: { municipalityCode: $c }) { edges { node { name county { name } representatives { level person { name email } topic { slug } } memberships { network { name } } } } } }", "variables": { "c": c[n % c.len()] } })
    })
    .await;
    let k = counties.clone();
    let coverage = Options {
        requests: (o.requests / 10).max(10),
        only: o.only.clone(),
        ..o
    };
    run(&client, &url, "coverage of a county", &coverage, move |n| {
        json!({ "query": "query($k: ID!) { coverage(countyId: $k) { expected covered gaps { level missing } } }", "variables": { "k": k[n % k.len()] } })
    })
    .await;
    run(&client, &url, "search", &o, |n| {
        let words = ["kuopion", "hyte", "siilinjarvi", "testi henkilo 42", "tyollisyys"];
        json!({ "query": "query($t: String!) { search(text: $t) { __typename } }", "variables": { "t": words[n % words.len()] } })
    })
    .await;
}

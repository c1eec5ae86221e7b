//! Outages: a database that cannot be reached answers `503 SERVICE_UNAVAILABLE` with
//! `Retry-After` within about the acquire timeout (2 s), `/healthz` stays `200` (liveness
//! only), `/readyz` says `503`, and everything recovers by itself when the database is back.
//! The test stops a PostgreSQL cluster of its own under the running server.

use std::time::{Duration, Instant};

use reqwest::Response;
use serde_json::{Value, json};
use yhdyspinta::auth::policy::Role;

use crate::support::{TestApp, code, postgres, spawn_app_at, token};

const QUERY: &str = "{ organisation(municipalityCode: \"297\") { name } }";

async fn post(app: &TestApp, bearer: Option<&str>, query: &str) -> Response {
    let mut request = app.client.post(app.url("/graphql"));
    if let Some(bearer) = bearer {
        request = request.bearer_auth(bearer);
    }
    request
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request")
}

/// Asserts `response` is a 503 `SERVICE_UNAVAILABLE` with `Retry-After`.
async fn assert_unavailable(response: Response) {
    assert_eq!(response.status(), 503);
    let retry = response.headers().get("retry-after").expect("Retry-After");
    assert!(retry.to_str().unwrap().parse::<u32>().unwrap() > 0);
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "SERVICE_UNAVAILABLE", "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopped_database_answers_503_and_the_server_recovers() {
    let Some(cluster) = postgres::own_cluster() else {
        eprintln!("PostgreSQL binaries not found: skipping the outage test");
        return;
    };
    let url = postgres::create_database(&cluster, "outage", None).await;
    let app = spawn_app_at(&url, None, Default::default()).await;
    let name = app.query(QUERY, json!({})).await["organisation"]["name"].clone();
    assert_eq!(name, "Kuopio");
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    tokio::task::block_in_place(|| cluster.stop_fast());

    // Reads and writes both give up after the acquire timeout, not the 10 s of old.
    let started = Instant::now();
    assert_unavailable(post(&app, None, QUERY).await).await;
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_millis(3500), "took {elapsed:?}");
    let admin = token(Role::Admin, &[]);
    let started = Instant::now();
    let mutation = "mutation { createPerson(input: { name: \"Katkos Testi\", organisationId: \"00000000-0000-0000-0000-000000000000\" }) { person { id } } }";
    assert_unavailable(post(&app, Some(&admin), mutation).await).await;
    assert!(
        started.elapsed() < Duration::from_millis(3500),
        "took {:?}",
        started.elapsed()
    );

    let started = Instant::now();
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "/healthz asked the database"
    );
    let started = Instant::now();
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(ready.status(), 503);
    assert!(ready.headers().contains_key("retry-after"));
    let body: Value = ready.json().await.unwrap();
    assert_eq!(
        body,
        json!({ "status": "unavailable", "primary": "unavailable" })
    );

    tokio::task::block_in_place(|| cluster.start_again());

    // The pool reconnects by itself.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let response = post(&app, None, QUERY).await;
        if response.status() == 200 {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["data"]["organisation"]["name"], name, "{body}");
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {}",
            response.status()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let ready = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    assert_eq!(
        ready.json::<Value>().await.unwrap(),
        json!({ "status": "ready", "primary": "ok" })
    );
}

//! Delivery to portals: GraphQL over HTTP's media types and status codes, and the response
//! cache of anonymous `GET` queries (ETag, 304, no SQL on a hit, invalidated by every write,
//! on this node and on another node of the same PostgreSQL).

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::both;
use crate::support::*;
use yhdyspinta::auth::policy::Role;

const KUOPIO: &str =
    r#"query Kuopio { organisation(municipalityCode: "297") { id version website } }"#;
const UPDATE: &str = "mutation($id: ID!, $v: Int!, $w: String) { updateOrganisation(input: { id: $id, version: $v, website: $w }) { organisation { version website } } }";
const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// A GET of `query` with `If-None-Match` when given.
async fn get(app: &TestApp, query: &str, if_none_match: Option<&str>) -> reqwest::Response {
    let mut request = app
        .client
        .get(app.url("/graphql"))
        .query(&[("query", query)]);
    if let Some(tag) = if_none_match {
        request = request.header("if-none-match", tag);
    }
    request.send().await.unwrap()
}

/// Posts `body` as JSON accepting `accept`.
async fn post(app: &TestApp, accept: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/graphql"))
        .header("accept", accept)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The first error's code.
fn code_of(body: &Value) -> String {
    code(&body["errors"][0]).to_owned()
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

/// A metric's value in `/metrics`.
async fn metric(app: &TestApp, name: &str) -> f64 {
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(&format!("{name} ")))
        .map_or(0.0, |value| value.trim().parse().unwrap())
}

/// Waits until the app hears other nodes (its listener is connected on PostgreSQL): a GET
/// asked twice is then a hit.
async fn until_cached(app: &TestApp, query: &str) {
    let started = Instant::now();
    loop {
        let hits = metric(app, "yhdyspinta_response_cache_hits_total").await;
        get(app, query, None).await;
        get(app, query, None).await;
        if metric(app, "yhdyspinta_response_cache_hits_total").await > hits {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "nothing was ever cached"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both! {
    async fn media_types_and_statuses_follow_graphql_over_http(app: TestApp) {
        // The spec's type: a request that fails before execution is a 400, without data.
        for (query, code) in [("{", "GRAPHQL_PARSE_FAILED"), ("{ nope }", "GRAPHQL_VALIDATION_FAILED")] {
            let response = post(&app, GRAPHQL_RESPONSE, json!({ "query": query })).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{query}");
            assert_eq!(header(&response, "content-type"), GRAPHQL_RESPONSE);
            let body: Value = response.json().await.unwrap();
            assert!(body.get("data").is_none(), "{body}");
            assert_eq!(code_of(&body), code);
            // The legacy type: 200.
            let response = post(&app, "application/json", json!({ "query": query })).await;
            assert_eq!(response.status(), StatusCode::OK, "{query}");
            assert_eq!(header(&response, "content-type"), "application/json");
        }
        let coercion = json!({ "query": "query($id: ID!) { __typename }", "variables": { "id": null } });
        assert_eq!(post(&app, GRAPHQL_RESPONSE, coercion.clone()).await.status(), StatusCode::BAD_REQUEST);
        assert_eq!(post(&app, "application/json", coercion).await.status(), StatusCode::OK);
        let ok = post(&app, GRAPHQL_RESPONSE, json!({ "query": "{ __typename }" })).await;
        assert_eq!(ok.status(), StatusCode::OK);
        assert_eq!(header(&ok, "content-type"), GRAPHQL_RESPONSE);
        // No query: 400 whatever is accepted; a body that is not declared JSON: 415.
        let missing = post(&app, "application/json", json!({ "variables": {} })).await;
        assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
        assert_eq!(code_of(&missing.json().await.unwrap()), "BAD_REQUEST");
        let form = app.client.post(app.url("/graphql"))
            .header("content-type", "text/plain").body(r#"{"query":"{ __typename }"}"#)
            .send().await.unwrap();
        assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(code_of(&form.json().await.unwrap()), "UNSUPPORTED_MEDIA_TYPE");
        // GET reads operationName and JSON variables.
        let named = app.client.get(app.url("/graphql"))
            .query(&[("query", "query A { __typename } query B($n: String!) { __type(name: $n) { name } }"),
                     ("operationName", "B"), ("variables", r#"{"n":"Query"}"#)])
            .send().await.unwrap().json::<Value>().await.unwrap();
        assert_eq!(named["data"]["__type"]["name"], "Query", "{named}");
    }
}

both! {
    async fn a_deep_document_gets_a_short_error_that_does_not_echo_it(app: TestApp) {
        let deep = format!("{}{}", "{a".repeat(5000), "}".repeat(5000));
        for accept in ["application/json", GRAPHQL_RESPONSE] {
            let response = post(&app, accept, json!({ "query": deep })).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
            let text = response.text().await.unwrap();
            assert!(text.len() < 200, "{} bytes: {text}", text.len());
            assert!(!text.contains("{a{a"), "{text}");
        }
        let broken = post(&app, "application/json", json!({ "query": "{ a(x: ) secret_text }" })).await;
        let body: Value = broken.json().await.unwrap();
        assert_eq!(code_of(&body), "GRAPHQL_PARSE_FAILED");
        assert!(!body.to_string().contains("secret_text"), "{body}");
    }
}

both! {
    async fn anonymous_gets_are_cached_revalidated_and_cost_no_sql(app: TestApp) {
        until_cached(&app, KUOPIO).await;
        let misses = metric(&app, "yhdyspinta_response_cache_misses_total").await;
        let hits = metric(&app, "yhdyspinta_response_cache_hits_total").await;
        app.reset_statements();
        let first = get(&app, KUOPIO, None).await;
        assert_eq!(first.status(), StatusCode::OK);
        assert_eq!(app.statement_count(), 0, "a cached answer ran SQL");
        let etag = header(&first, "etag").to_owned();
        assert!(etag.starts_with('"') && etag.len() > 10, "{etag}");
        assert_eq!(header(&first, "cache-control"), "public, max-age=60");
        let vary = first.headers().get_all("vary").iter()
            .map(|v| v.to_str().unwrap().to_ascii_lowercase()).collect::<Vec<_>>().join(", ");
        assert!(vary.contains("authorization") && vary.contains("accept"), "{vary}");
        let body: Value = first.json().await.unwrap();
        assert_eq!(metric(&app, "yhdyspinta_response_cache_hits_total").await, hits + 1.0);
        assert_eq!(metric(&app, "yhdyspinta_response_cache_misses_total").await, misses);

        // Revalidation: the same tag is 304 without a body; another tag the whole answer.
        let same = get(&app, KUOPIO, Some(&etag)).await;
        assert_eq!(same.status(), StatusCode::NOT_MODIFIED);
        assert_eq!(header(&same, "etag"), etag);
        assert!(same.bytes().await.unwrap().is_empty());
        assert_eq!(get(&app, KUOPIO, Some("\"other\"")).await.status(), StatusCode::OK);
        // Another layout of the same document is the same entry.
        app.reset_statements();
        let relaid = get(&app, "query Kuopio {organisation(municipalityCode:\"297\"){id,version,website}}", None).await;
        assert_eq!(header(&relaid, "etag"), etag);
        assert_eq!(app.statement_count(), 0);

        // A write makes the kept answer old at once.
        let kuopio = &body["data"]["organisation"];
        let admin = token(Role::Admin, &[]);
        let vars = json!({ "id": kuopio["id"], "v": kuopio["version"], "w": "https://kuopio.example.org" });
        let written = app.post_as(&admin, UPDATE, vars).await;
        assert!(written.get("errors").is_none(), "{written}");
        let after = get(&app, KUOPIO, Some(&etag)).await;
        assert_eq!(after.status(), StatusCode::OK);
        assert_ne!(header(&after, "etag"), etag);
        let after: Value = after.json().await.unwrap();
        assert_eq!(after["data"]["organisation"]["website"], "https://kuopio.example.org");

        // Callers with a token and POSTs are never served from the cache.
        let with_token = app.client.get(app.url("/graphql")).query(&[("query", KUOPIO)])
            .bearer_auth(&admin).send().await.unwrap();
        assert_eq!(header(&with_token, "cache-control"), "no-store");
        assert_eq!(header(&with_token, "etag"), "");
    }
}

/// The `Cache-Control` of cacheable answers is configuration.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cache_control_is_configurable() {
    let args = yhdyspinta::config::ServeArgs {
        cache_control: "public, max-age=5, stale-while-revalidate=30".into(),
        ..Default::default()
    };
    let app = spawn_app_with_args(Backend::Sqlite, args).await.unwrap();
    let response = get(&app, "{ __typename }", None).await;
    assert_eq!(
        header(&response, "cache-control"),
        "public, max-age=5, stale-while-revalidate=30"
    );
    let exposed = header(&response, "access-control-expose-headers").to_ascii_lowercase();
    assert!(exposed.contains("etag"), "{exposed}");
}

/// Two API nodes on one PostgreSQL: a write through one is seen by the other's cache within
/// a second (the other node is the built binary, a process of its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_nodes_write_invalidates_this_nodes_cache() {
    let Some(app) = spawn_app_on(Backend::Postgres).await else {
        return eprintln!("PostgreSQL binaries not found: skipping the two-node test");
    };
    let other = crate::support::node::Node::start(&app, &[]).await;
    let base = other.base.clone();
    until_cached(&app, KUOPIO).await;
    let before: Value = get(&app, KUOPIO, None).await.json().await.unwrap();
    let kuopio = &before["data"]["organisation"];
    let vars =
        json!({ "id": kuopio["id"], "v": kuopio["version"], "w": "https://node-b.example.org" });
    let written: Value = app
        .client
        .post(format!("{base}/graphql"))
        .bearer_auth(token(Role::Admin, &[]))
        .json(&json!({ "query": UPDATE, "variables": vars }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    drop(other);
    assert!(written.get("errors").is_none(), "{written}");
    let wrote = Instant::now();
    loop {
        let now: Value = get(&app, KUOPIO, None).await.json().await.unwrap();
        if now["data"]["organisation"]["website"] == "https://node-b.example.org" {
            break;
        }
        assert!(
            wrote.elapsed() < Duration::from_secs(1),
            "a stale answer outlived the write: {now}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// While a node cannot hear other nodes' writes (its database restarting), it serves nothing
/// from its cache; once it hears again, nothing kept before is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cache_is_not_used_while_the_listener_is_disconnected() {
    let Some(cluster) = crate::support::postgres::own_cluster() else {
        return eprintln!("PostgreSQL binaries not found: skipping the listener outage test");
    };
    let url = crate::support::postgres::create_database(&cluster, "listener", None).await;
    let app = spawn_app_at(&url, None, Default::default()).await;
    until_cached(&app, KUOPIO).await;

    tokio::task::block_in_place(|| cluster.stop_fast());
    let stopped = Instant::now();
    loop {
        let status = get(&app, KUOPIO, None).await.status();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(
            stopped.elapsed() < Duration::from_secs(3),
            "a kept answer was served with the database down"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    tokio::task::block_in_place(|| cluster.start_again());
    let misses = metric(&app, "yhdyspinta_response_cache_misses_total").await;
    let restarted = Instant::now();
    while get(&app, KUOPIO, None).await.status() != StatusCode::OK {
        assert!(
            restarted.elapsed() < Duration::from_secs(15),
            "the server did not recover"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Kept again once the listener is back, and read afresh first.
    until_cached(&app, KUOPIO).await;
    assert!(metric(&app, "yhdyspinta_response_cache_misses_total").await > misses);
}

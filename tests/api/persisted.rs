//! Persisted queries: Apollo's automatic persisted queries over GET and POST, and the
//! safelist of registered documents (built in, or `yhdyspinta persisted add DIR`).

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::both;
use crate::support::*;
use yhdyspinta::auth::policy::Role;

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn extension(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

/// A hash-only GET.
async fn get_hash(app: &TestApp, hash: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(app.url("/graphql"))
        .query(&[("extensions", extension(hash).to_string())])
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap())
}

both! {
    async fn automatic_persisted_queries_follow_apollos_protocol(app: TestApp) {
        let query = "query Topics { topics { slug } }";
        let hash = sha256(query);
        // Unknown hash: the error Apollo Client falls back on, over GET and POST.
        let (status, body) = get_hash(&app, &hash).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
        assert_eq!(code(&body["errors"][0]), "PERSISTED_QUERY_NOT_FOUND");
        let posted = app.post_with_extensions(None, extension(&hash)).await;
        assert_eq!(code(&posted["errors"][0]), "PERSISTED_QUERY_NOT_FOUND");
        // A hash with another document is refused and registers nothing.
        let wrong = app.post_with_extensions(Some("{ __typename }"), extension(&hash)).await;
        assert_eq!(code(&wrong["errors"][0]), "PERSISTED_QUERY_HASH_MISMATCH");
        assert!(wrong["errors"][0]["message"].as_str().unwrap().contains(&sha256("{ __typename }")));
        assert_eq!(code(&get_hash(&app, &hash).await.1["errors"][0]), "PERSISTED_QUERY_NOT_FOUND");
        // Hash and query: runs, and registers the document for hash-only requests.
        let registered = app.post_with_extensions(Some(query), extension(&hash)).await;
        assert!(registered["data"]["topics"].as_array().unwrap().len() > 5, "{registered}");
        let (status, body) = get_hash(&app, &hash).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["data"], registered["data"]);
        let posted = app.post_with_extensions(None, extension(&hash)).await;
        assert_eq!(posted["data"], registered["data"]);
        // A document the cost model refuses is never kept.
        let costly = r#"{ a: coverage(countyId: "x") { expected } b: coverage(countyId: "x") { expected } c: coverage(countyId: "x") { expected } }"#;
        let refused = app.post_with_extensions(Some(costly), extension(&sha256(costly))).await;
        assert_eq!(code(&refused["errors"][0]), "QUERY_TOO_COSTLY");
        assert_eq!(code(&get_hash(&app, &sha256(costly)).await.1["errors"][0]), "PERSISTED_QUERY_NOT_FOUND");
        // A malformed extension is a clear 400.
        let bad = app.post_with_extensions(Some(query), json!({ "persistedQuery": { "version": 2, "sha256Hash": hash } })).await;
        assert!(bad["errors"][0]["message"].as_str().unwrap().contains("version 1"), "{bad}");
    }
}

/// An app on SQLite in safelist mode.
async fn safelisted() -> TestApp {
    let args = yhdyspinta::config::ServeArgs {
        safelist: true,
        ..Default::default()
    };
    spawn_app_with_args(Backend::Sqlite, args).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_safelist_runs_only_registered_documents_for_anonymous_callers() {
    let app = safelisted().await;
    let builtin = yhdyspinta::http::builtin_documents::BUILTIN_DOCUMENTS[1];
    // A built-in document runs by its text and by its hash alone.
    let by_text = app.post(builtin, json!({})).await;
    assert!(by_text.get("errors").is_none(), "{by_text}");
    let (status, by_hash) = get_hash(&app, &sha256(builtin)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_hash["data"], by_text["data"]);
    // Anything else is refused, and an APQ registration does not get around it.
    let other = "{ topics { slug } }";
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": other }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "QUERY_NOT_IN_SAFELIST");
    let registering = app
        .post_with_extensions(Some(other), extension(&sha256(other)))
        .await;
    assert_eq!(code(&registering["errors"][0]), "QUERY_NOT_IN_SAFELIST");
    assert_eq!(
        code(&get_hash(&app, &sha256(other)).await.1["errors"][0]),
        "PERSISTED_QUERY_NOT_FOUND"
    );
    // A caller with a token is not limited.
    let admin = token(Role::Admin, &[]);
    let body = app.post_as(&admin, other, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
}

/// `yhdyspinta persisted add DIR` stores the folder's documents in the database, where a
/// server in safelist mode finds them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn documents_added_by_the_cli_are_safelisted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("persisted.db");
    let url = format!("sqlite://{}", db.display());
    let documents = dir.path().join("documents");
    std::fs::create_dir(&documents).unwrap();
    let topics = "query Topics {\n  topics { slug name }\n}\n";
    std::fs::write(documents.join("topics.graphql"), topics).unwrap();
    std::fs::write(documents.join("notes.txt"), "not a document").unwrap();
    let run = |dir: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_yhdyspinta"))
            .args(["persisted", "add"])
            .arg(dir)
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "error")
            .output()
            .unwrap()
    };
    let out = run(&documents);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "registered 1 documents from {} (1 new)",
            documents.display()
        )
    );
    let again = run(&documents);
    assert!(String::from_utf8_lossy(&again.stdout).contains("(0 new)"));
    // A document that does not parse stops the command and names the file.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::write(broken.join("bad.graphql"), "{ topics { slug }").unwrap();
    let out = run(&broken);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("bad.graphql"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let args = yhdyspinta::config::ServeArgs {
        safelist: true,
        ..Default::default()
    };
    let app = spawn_app_at(&url, None, args).await;
    let body = app.post(topics, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    let (_, by_hash) = get_hash(&app, &sha256(topics)).await;
    assert_eq!(by_hash["data"], body["data"]);
    let refused = app.post("{ topics { slug } }", json!({})).await;
    assert_eq!(code(&refused["errors"][0]), "QUERY_NOT_IN_SAFELIST");
}

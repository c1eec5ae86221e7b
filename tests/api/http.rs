//! Endpoints, methods and HTTP-level behaviour.

use serde_json::{Value, json};

use crate::both;
use crate::support::*;

both! {
    async fn health(app: TestApp) {
        // GraphiQL at `/` and `/graphiql`: tests/api/graphiql.rs.
        let health: Value = app.client.get(app.url("/healthz")).send().await.unwrap().json().await.unwrap();
        assert_eq!(health["status"], "ok");
    }
}

both! {
    async fn get_runs_queries_and_is_cacheable(app: TestApp) {
        let response = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", "{ organisation(municipalityCode: \"297\") { name } }")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["data"]["organisation"]["name"], "Kuopio");
    }
}

both! {
    async fn get_refuses_mutations(app: TestApp) {
        let response = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", "mutation { __typename }")])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405);
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body["errors"][0]), "BAD_REQUEST");
    }
}

both! {
    async fn batches_are_refused(app: TestApp) {
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&json!([{ "query": "{ topics { slug } }" }, { "query": "{ topics { slug } }" }]))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body["errors"][0]), "BATCH_NOT_SUPPORTED");
    }
}

both! {
    async fn oversized_and_malformed_bodies_are_refused(app: TestApp) {
        let huge = format!("{{ topics {{ slug }} }} # {}", "x".repeat(300 * 1024));
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": huge }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413);
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body["errors"][0]), "PAYLOAD_TOO_LARGE");

        let response = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", "application/json")
            .body("{ not json")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body["errors"][0]), "BAD_REQUEST");
    }
}

both! {
    async fn syntax_errors_have_a_code(app: TestApp) {
        let error = app.error("{ organisations { ", json!({})).await;
        assert_eq!(code(&error), "GRAPHQL_PARSE_FAILED");
        let error = app.error("{ noSuchField }", json!({})).await;
        assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");
    }
}

//! The limits a request is priced against before it runs, bad arguments, and the
//! visibility of contact details.

use entity::enums::Visibility;
use serde_json::{Value, json};

use crate::both;
use crate::support::*;

/// Posts `query`, which must be refused before it runs: status 400, no `data`, one error.
/// It accepts GraphQL over HTTP's own media type, under which a document that does not parse
/// is a 400 too (under the legacy `application/json` it is a 200).
async fn refused(app: &TestApp, query: &str) -> Value {
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.expect("JSON response");
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");
    body["errors"][0].clone()
}

fn message(error: &Value) -> &str {
    error["message"].as_str().unwrap_or_default()
}

both! {
    async fn depth_limit(app: TestApp) {
        // Organisation → parent → parent → … nests deeper than the limit of 15.
        let mut query = String::from("name");
        for _ in 0..16 {
            query = format!("parent {{ {query} }}");
        }
        let error = refused(&app, &format!("{{ organisation(municipalityCode: \"297\") {{ {query} }} }}")).await;
        assert_eq!(code(&error), "TOO_DEEP");
        assert_eq!(message(&error), "the query nests fields 18 deep; the limit is 15");
    }
}

both! {
    async fn nested_lists_are_priced_by_what_they_hold(app: TestApp) {
        // The issue's 218-byte query: a county's municipalities, their county, its
        // municipalities … five times over, about 24 million organisations.
        let data = app.query("{ organisation(municipalityCode: \"297\") { county { id } } }", json!({})).await;
        let county = data["organisation"]["county"]["id"].as_str().unwrap().to_owned();
        // As connections, four levels of it fit the depth limit (15); they cost 20^4 pages.
        let mut nested = String::from("name");
        for _ in 0..4 {
            nested = format!("municipalities {{ nodes {{ county {{ {nested} }} }} }}");
        }
        let query = format!("{{ organisation(id: \"{county}\") {{ {nested} }} }}");
        let error = refused(&app, &query).await;
        assert_eq!(code(&error), "QUERY_TOO_COSTLY");
        assert!(message(&error).starts_with("the query would cost "), "{error}");
        assert!(message(&error).ends_with(" nodes; the limit is 50 000"), "{error}");
        // One level of it is an ordinary question.
        let data = app
            .query(&format!("{{ organisation(id: \"{county}\") {{ municipalities(first: 100) {{ totalCount nodes {{ name county {{ name }} }} }} }} }}"), json!({}))
            .await;
        let municipalities = &data["organisation"]["municipalities"];
        assert_eq!(municipalities["totalCount"], 19, "{data}");
        assert_eq!(municipalities["nodes"].as_array().unwrap().len(), 19);
    }
}

both! {
    async fn the_doubling_fragment_document_is_refused(app: TestApp) {
        let mut doc = String::from("{ ...f30 }\nfragment f0 on Query { __typename }\n");
        for i in 1..=30 {
            doc.push_str(&format!("fragment f{i} on Query {{ ...f{} ...f{} }}\n", i - 1, i - 1));
        }
        let error = refused(&app, &doc).await;
        assert_eq!(code(&error), "QUERY_TOO_COSTLY");
        assert_eq!(message(&error), "the query would cost 1 073 741 824 nodes; the limit is 50 000");
    }
}

both! {
    async fn counts_are_priced(app: TestApp) {
        // The issue's 3 500 aliased empty pages are refused on their size alone …
        let page = |i: usize| format!("a{i}: representatives(first: 0) {{ totalCount }}");
        let many = format!("{{ {} }}", (0..3_500).map(page).collect::<Vec<_>>().join(" "));
        let error = refused(&app, &many).await;
        assert_eq!(code(&error), "DOCUMENT_TOO_LARGE");
        assert_eq!(
            message(&error),
            format!("the query is {} bytes long; the limit is 32 768", grouped(many.len()))
        );
        // … and a few dozen, within every other limit, on the counts they run.
        let some = format!("{{ {} }}", (0..60).map(page).collect::<Vec<_>>().join(" "));
        let error = refused(&app, &some).await;
        assert_eq!(code(&error), "QUERY_TOO_COSTLY");
        // Aliases have a limit of their own.
        let aliases = format!("{{ {} }}", (0..101).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" "));
        let error = refused(&app, &aliases).await;
        assert_eq!(code(&error), "TOO_MANY_ALIASES");
        assert_eq!(message(&error), "the query has 101 aliases; the limit is 100");
        // A handful of counts is fine.
        let few = format!("{{ {} }}", (0..5).map(page).collect::<Vec<_>>().join(" "));
        let data = app.query(&few, json!({})).await;
        assert!(data["a0"]["totalCount"].as_u64().is_some());
    }
}

both! {
    async fn deep_and_large_documents_are_refused_before_parsing(app: TestApp) {
        let deep = format!("{}{}", "{ a ".repeat(5_000), "}".repeat(5_000));
        let error = refused(&app, &deep).await;
        assert_eq!(code(&error), "TOO_DEEP");
        assert_eq!(message(&error), "the query nests brackets 5 000 deep; the limit is 30");

        let large = format!("{{ topics {{ slug }} }} # {}", "x".repeat(100 * 1024));
        let error = refused(&app, &large).await;
        assert_eq!(code(&error), "DOCUMENT_TOO_LARGE");

        let long = format!("{{ {} }}", "a ".repeat(5_100));
        let error = refused(&app, &long).await;
        assert_eq!(code(&error), "TOO_MANY_TOKENS");
        assert_eq!(message(&error), "the query has 5 102 tokens; the limit is 5 000");

        let error = refused(&app, "{ organisation(id: \"hidden-text\" { name } }").await;
        assert_eq!(code(&error), "GRAPHQL_PARSE_FAILED");
        assert!(!message(&error).contains("hidden-text"), "{error}");
    }
}

both! {
    async fn get_requests_are_priced_too(app: TestApp) {
        let deep = format!("{}{}", "{a".repeat(100), "}".repeat(100));
        let response = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", deep.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(code(&body["errors"][0]), "TOO_DEEP");
    }
}

both! {
    async fn portal_queries_and_introspection_still_answer(app: TestApp) {
        let data = app
            .query(
                "{ counterparts(municipalityCode: \"297\", topic: \"employment\", level: INTERFACE) {
                    municipality { name } topic { name(lang: EN) } level complete
                    municipalityRepresentatives { person { name title email phone } role }
                    countyRepresentatives { person { name title email } organisation { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["counterparts"].as_array().unwrap().len(), 1);
        let data = app
            .query(
                "{ networks(filter: { municipalityCode: \"844\" }, first: 50) { totalCount
                    edges { node { name kind convener { name } convenerNote cadence area { name } } } } }",
                json!({}),
            )
            .await;
        assert!(data["networks"]["totalCount"].as_u64().unwrap() > 0);
        let data = app.query("{ goals { id title } }", json!({})).await;
        let goal = data["goals"][0]["id"].as_str().unwrap().to_owned();
        let data = app
            .query(
                "query($g: ID) { actions(filter: { goalId: $g, open: true }, first: 20) {
                    totalCount pageInfo { hasNextPage endCursor }
                    edges { node { title responsibility responsibleOrganisations { name }
                    metrics { description kind } status } } } }",
                json!({ "g": goal }),
            )
            .await;
        assert!(data["actions"]["totalCount"].as_u64().is_some());
        let data = app
            .query("{ search(text: \"kuopion\") { nodes { __typename ... on Organisation { name } } } }", json!({}))
            .await;
        assert!(!data["search"]["nodes"].as_array().unwrap().is_empty());
        // Ten full pages of organisations with a dozen fields each: some 14 000 nodes.
        let page = "organisations(first: 100) { edges { node { name kind municipalityCode countyCode \
            businessId shortName email phone website address description } } }";
        let ten = format!(
            "{{ {} }}",
            (0..10).map(|i| format!("a{i}: {page}")).collect::<Vec<_>>().join(" ")
        );
        app.query(&ten, json!({})).await;
        // GraphiQL's introspection query.
        let data = app.query(include_str!("../fixtures/introspection.graphql"), json!({})).await;
        assert!(data["__schema"]["types"].as_array().unwrap().len() > 50);
    }
}

/// `1234567` as `1 234 567`.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

both! {
    async fn bad_arguments_name_the_field(app: TestApp) {
        let error = app.error("{ organisation(municipalityCode: \"29\") { name } }", json!({})).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "municipalityCode");

        let error = app.error("{ organisation { name } }", json!({})).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");

        let error = app.error("{ network(id: \"not-a-uuid\") { name } }", json!({})).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "id");

        let error = app
            .error("{ representatives(filter: { topic: \"no-such-topic\" }) { totalCount } }", json!({}))
            .await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "filter.topic");

        let error = app
            .error(
                "query($d: Date) { representatives(filter: { activeOn: $d }) { totalCount } }",
                json!({ "d": "2024-13-45" }),
            )
            .await;
        assert!(matches!(code(&error), "BAD_USER_INPUT" | "GRAPHQL_VALIDATION_FAILED"), "{error}");

        let error = app.error("{ counterparts(municipalityCode: \"999\") { complete } }", json!({})).await;
        assert_eq!(code(&error), "NOT_FOUND");

        let error = app.error("{ search(text: \"  ?? \") { totalCount } }", json!({})).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "text");
    }
}

both! {
    async fn internal_contact_details_are_hidden_from_anonymous_callers(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        fixtures::person(&app.db, "Sisäinen Testihenkilö", kuopio, Visibility::Internal).await;
        fixtures::person(&app.db, "Julkinen Testihenkilö", kuopio, Visibility::Public).await;
        let data = app
            .query(
                "{ search(text: \"testihenkilo\") { nodes { ... on Person { name email phone visibility } } } }",
                json!({}),
            )
            .await;
        let people = data["search"]["nodes"].as_array().unwrap();
        assert_eq!(people.len(), 2);
        for p in people {
            match p["visibility"].as_str().unwrap() {
                "INTERNAL" => {
                    assert!(p["email"].is_null());
                    assert!(p["phone"].is_null());
                }
                "PUBLIC" => {
                    assert_eq!(p["email"], "julkinen.testihenkilo@example.org");
                    assert_eq!(p["phone"], "+358401234567");
                }
                other => panic!("unexpected visibility {other}"),
            }
        }
        // An editor of Kuopio and an admin see the internal details; an editor of another
        // organisation does not (see tests/api/policy.rs).
        use yhdyspinta::auth::policy::Role;
        for (token, shown) in [(token(Role::Editor, &[kuopio]), true), (token(Role::Admin, &[]), true), (token(Role::Editor, &[]), false)] {
            let body = app
                .post_as(
                    &token,
                    "{ search(text: \"sisainen testihenkilo\") { nodes { ... on Person { email phone } } } }",
                    json!({}),
                )
                .await;
            if shown {
                assert_eq!(body["data"]["search"]["nodes"][0]["email"], "sisainen.testihenkilo@example.org");
                assert_eq!(body["data"]["search"]["nodes"][0]["phone"], "+358401234567");
            } else {
                assert!(body["data"]["search"]["nodes"][0]["email"].is_null(), "{body}");
                assert!(body["data"]["search"]["nodes"][0]["phone"].is_null(), "{body}");
            }
        }
    }
}

/// An answer larger than `--max-response-bytes` is refused with its size and the limit,
/// and one within it is served.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_beyond_the_response_cap_are_refused() {
    let args = yhdyspinta::config::ServeArgs {
        max_response_bytes: 2_000,
        ..Default::default()
    };
    let app = spawn_app_with_args(Backend::Sqlite, args)
        .await
        .expect("SQLite app");
    let error = refused(
        &app,
        "{ organisations(first: 100) { edges { node { name municipalityCode } } } }",
    )
    .await;
    assert_eq!(code(&error), "RESPONSE_TOO_LARGE");
    assert!(
        message(&error).ends_with("the limit is 2000: ask for smaller pages or fewer fields"),
        "{error}"
    );
    let small = app
        .post(
            "{ organisation(municipalityCode: \"297\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(small["data"]["organisation"]["name"], "Kuopio");
}

/// A request past `--request-timeout` is cancelled at its next yield point and answered
/// with `TIMEOUT` (503): here a whole county's coverage and a page of organisations with
/// their nested lists, against a timeout of one millisecond.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_their_timeout_are_cancelled() {
    let args = yhdyspinta::config::ServeArgs {
        request_timeout: std::time::Duration::from_millis(1),
        ..Default::default()
    };
    let app = spawn_app_with_args(Backend::Sqlite, args)
        .await
        .expect("SQLite app");
    let county = crate::support::fixtures::county(&app.db, "11").await;
    let query = format!(
        "{{ coverage(countyId: \"{county}\") {{ expected covered gaps {{ level missing }} }}
           organisations(first: 100) {{ edges {{ node {{ name county {{ name }} units {{ nodes {{ name }} }} }} }} }} }}"
    );
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.expect("JSON response");
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT", "{body}");
    assert!(body.get("data").is_none(), "{body}");
}

/// A request that never waits for the database (introspection, answered from memory) still
/// stops at its timeout: every field is a yield point.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cpu_bound_request_stops_at_its_timeout() {
    let args = unpriced(std::time::Duration::from_millis(5));
    let app = spawn_app_with_args(Backend::Sqlite, args)
        .await
        .expect("SQLite app");
    let query = introspections(200);
    let started = std::time::Instant::now();
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("request");
    let status = response.status();
    let body: Value = response.json().await.expect("JSON response");
    assert_eq!(
        status,
        503,
        "{}",
        &body.to_string()[..200.min(body.to_string().len())]
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
    // Stopped near the timeout, not after resolving 200 schemas.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

/// Past `--max-concurrent-requests`, a request waits for a turn: with the one turn taken by
/// a long CPU-bound request (cancelled at its 1.5 s timeout), a small query sent while it
/// executes is answered only once the long one has ended (or times out waiting), not at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_the_concurrency_limit_wait_for_a_turn() {
    let args = yhdyspinta::config::ServeArgs {
        max_concurrent_requests: 1,
        ..unpriced(std::time::Duration::from_millis(1_500))
    };
    let app = spawn_app_with_args(Backend::Sqlite, args)
        .await
        .expect("SQLite app");
    let long = json!({ "query": introspections(1_000) });
    let small = json!({ "query": "{ organisation(municipalityCode: \"297\") { name } }" });
    let started = std::time::Instant::now();
    let long_request = async {
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&long)
            .send()
            .await;
        (response, started.elapsed())
    };
    let small_request = async {
        // Sent once the long one holds the only turn (the gauge says so).
        let executing = r#"yhdyspinta_graphql_requests_in_flight{state="executing"} 1"#;
        loop {
            let metrics = app
                .client
                .get(app.url("/metrics"))
                .send()
                .await
                .expect("scrape");
            if metrics
                .text()
                .await
                .expect("text")
                .lines()
                .any(|l| l == executing)
            {
                break;
            }
            assert!(
                started.elapsed() < std::time::Duration::from_secs(5),
                "the long one never ran"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&small)
            .send()
            .await;
        (response, started.elapsed())
    };
    let ((long_response, long_ended), (small_response, small_ended)) =
        tokio::join!(long_request, small_request);
    assert_eq!(long_response.expect("long").status(), 503);
    // Answered after the long one ended, or cancelled at its own timeout while waiting:
    // either way not at once, as it would be with a free turn.
    let body: Value = small_response.expect("small").json().await.expect("JSON");
    let answered = body["data"]["organisation"]["name"] == "Kuopio";
    assert!(
        answered || body["errors"][0]["extensions"]["code"] == "TIMEOUT",
        "{body}"
    );
    assert!(
        small_ended >= long_ended || !answered,
        "the small query did not wait: answered at {small_ended:?}, the long one at {long_ended:?}"
    );
    let again = app
        .query(
            "{ organisation(municipalityCode: \"297\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(again["organisation"]["name"], "Kuopio");
}

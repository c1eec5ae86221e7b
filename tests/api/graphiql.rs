//! GraphiQL: the page and its assets are served by the binary, the example operations it
//! opens on run, and in headless Chromium the page renders, runs a query and shows the
//! answer, under its Content-Security-Policy, asking no other host for anything.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::both;
use crate::support::browser;
use crate::support::*;

/// The `src` and `href` values of `html`.
fn links(html: &str) -> Vec<&str> {
    let mut found = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            found.push(&rest[..rest.find('"').unwrap()]);
        }
    }
    found
}

both! {
    async fn the_page_and_its_assets_are_served_by_the_binary(app: TestApp) {
        for path in ["/", "/graphiql"] {
            let response = app.client.get(app.url(path)).send().await.unwrap();
            assert_eq!(response.status(), 200);
            assert_eq!(response.headers()["content-type"], "text/html; charset=utf-8");
            assert_eq!(response.headers()["cache-control"], "no-cache");
            let html = response.text().await.unwrap();
            let links = links(&html);
            // Two stylesheets, four scripts, the licence and the empty favicon.
            assert_eq!(links.len(), 8, "{links:?}");
            for link in links {
                assert!(link.starts_with("assets/graphiql/") || link == "data:,", "{path}: {link}");
            }
            assert!(!html.contains("<script>"), "no inline script");
            assert!(!html.contains(" style="), "no inline style");
        }
        let html = app.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        let mut scripts = 0;
        for link in links(&html).into_iter().filter(|l| l.ends_with(".js") || l.ends_with(".css")) {
            let response = app.client.get(app.url(&format!("/{link}"))).send().await.unwrap();
            assert_eq!(response.status(), 200, "{link}");
            let headers = response.headers().clone();
            let body = response.bytes().await.unwrap();
            let kind = if link.ends_with(".js") { "text/javascript" } else { "text/css" };
            assert_eq!(headers["content-type"], format!("{kind}; charset=utf-8"), "{link}");
            assert_eq!(headers["cache-control"], "public, max-age=31536000, immutable", "{link}");
            // The name carries the content's hash.
            let hash: String = Sha256::digest(&body)[..8].iter().map(|b| format!("{b:02x}")).collect();
            assert!(link.contains(&format!(".{hash}.")), "{link} is not named by its hash {hash}");
            scripts += usize::from(kind == "text/javascript");
        }
        assert_eq!(scripts, 4);
        // The vendored files are served as vendored.
        let vendored = std::fs::read(asset_dir().join("vendor/react.production.min.js")).unwrap();
        let link = links(&html).into_iter().find(|l| l.contains("/react.production.min.")).unwrap();
        let served = app.client.get(app.url(&format!("/{link}"))).send().await.unwrap().bytes().await.unwrap();
        assert_eq!(served.as_ref(), vendored.as_slice());
        let missing = app.client.get(app.url("/assets/graphiql/react.production.min.0000000000000000.js")).send().await.unwrap();
        assert_eq!(missing.status(), 404);
        let licences = app.client.get(app.url("/assets/graphiql/LICENSES.txt")).send().await.unwrap();
        assert_eq!(licences.headers()["content-type"], "text/plain; charset=utf-8");
        let licences = licences.text().await.unwrap();
        for needle in ["react@18.3.1", "graphiql@4.1.2", "Copyright (c) Facebook", "GraphQL Contributors", "codemirror"] {
            assert!(licences.contains(needle), "LICENSES.txt names {needle}");
        }
    }
}

fn asset_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/graphiql")
}

/// The operation names a document defines.
fn operations(document: &str) -> Vec<String> {
    document
        .lines()
        .filter_map(|line| {
            line.strip_prefix("query ")
                .or_else(|| line.strip_prefix("mutation "))
        })
        .map(|rest| rest.split(['(', ' ', '{']).next().unwrap().to_owned())
        .collect()
}

async fn operate(
    app: &TestApp,
    token: Option<&str>,
    document: &str,
    operation: &str,
    variables: Value,
) -> Value {
    let mut request = app.client.post(app.url("/graphql"));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let body = json!({ "query": document, "operationName": operation, "variables": variables });
    request
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

both! {
    async fn the_example_operations_run(app: TestApp) {
        let examples = yhdyspinta::http::graphiql::EXAMPLES;
        for (name, document) in &examples[..3] {
            for operation in operations(document) {
                let body = operate(&app, None, document, &operation, json!({})).await;
                assert!(body.get("errors").is_none(), "{name} {operation}: {body}");
                assert!(body["data"].as_object().is_some_and(|d| !d.is_empty()), "{name}: {body}");
            }
        }
        let counterparts = operate(&app, None, examples[0].1, "Counterparts", json!({})).await;
        assert_eq!(counterparts["data"]["counterparts"][0]["municipality"]["name"], "Kuopio");
        let networks = operate(&app, None, examples[1].1, "MunicipalityNetworks", json!({})).await;
        assert!(networks["data"]["networks"]["totalCount"].as_i64().unwrap() > 0, "{networks}");
        // The mutation tab: the query anonymously, the mutation with Kuopio's token.
        let (name, document) = examples[3];
        assert_eq!(name, "mutation");
        assert_eq!(operations(document), ["Kuopio", "UpdateWebsite"]);
        let kuopio = operate(&app, None, document, "Kuopio", json!({})).await;
        let kuopio = &kuopio["data"]["organisation"];
        let variables = json!({ "id": kuopio["id"], "version": kuopio["version"] });
        let refused = operate(&app, None, document, "UpdateWebsite", variables.clone()).await;
        assert_eq!(code(&refused["errors"][0]), "UNAUTHENTICATED");
        let id = kuopio["id"].as_str().unwrap().parse().unwrap();
        let token = token(yhdyspinta::auth::policy::Role::Editor, &[id]);
        let body = operate(&app, Some(&token), document, "UpdateWebsite", variables).await;
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(body["data"]["updateOrganisation"]["organisation"]["website"], "https://www.kuopio.fi");
    }
}

/// One engine is enough here: the page is the same and the query path is tested on both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiql_runs_a_query_in_headless_chromium() {
    let Some(browser::Tools {
        chromium,
        node,
        script,
    }) = browser::tools("graphiql.mjs")
    else {
        return;
    };
    let app = spawn_app().await;
    let url = app.url("/");
    let origin = app.url("");
    let mut command = Command::new(node);
    command.arg(script).arg(&url).arg(chromium);
    if let Some(shot) = std::env::var_os("YHDYSPINTA_SCREENSHOT") {
        command.arg(shot);
    }
    let stdout = tokio::task::spawn_blocking(move || {
        browser::output_within(command, Duration::from_secs(90))
    })
    .await
    .unwrap();
    let report: Value =
        serde_json::from_str(stdout.trim()).unwrap_or_else(|_| panic!("not a report: {stdout}"));
    assert!(report.get("error").is_none(), "{report:#}");
    assert_eq!(report["offHost"], json!([]), "requests off the host");
    for request in report["requests"].as_array().unwrap() {
        let target = request.as_str().unwrap().split_once(' ').unwrap().1;
        assert!(
            target.starts_with(&origin) || target.starts_with("data:"),
            "{target}"
        );
    }
    assert_eq!(report["violations"], json!([]), "CSP violations");
    assert_eq!(report["errors"], json!([]), "script errors");
    // The policy is in force: a script injected inline was refused.
    assert_eq!(report["inlineScriptRan"], false);
    let tabs: Vec<&str> = report["tabs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    let titles = [
        "Counterparts",
        "MunicipalityNetworks",
        "OpenActions",
        "Kuopio",
    ];
    assert_eq!(tabs.len(), titles.len(), "{tabs:?}");
    for (tab, title) in tabs.iter().zip(titles) {
        assert!(tab.starts_with(title), "{tabs:?}");
    }
    assert!(
        report["editor"]
            .as_str()
            .unwrap()
            .contains("counterparts(municipalityCode: \"297\"")
    );
    let shown: Value =
        serde_json::from_str(report["result"].as_str().unwrap()).expect("the answer shown is JSON");
    assert_eq!(
        shown["data"]["counterparts"][0]["municipality"]["name"], "Kuopio",
        "{shown}"
    );
    // No source names the topic in English, so `name(lang: EN)` is the Finnish name.
    assert_eq!(
        shown["data"]["counterparts"][0]["topic"]["name"],
        "Työllisyyden edistäminen"
    );
}

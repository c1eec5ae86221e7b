//! CORS (`--cors-origin`) and the security headers on every route.

use reqwest::header::HeaderMap;
use reqwest::{Method, Response};

use crate::both;
use crate::support::*;

const PORTAL: &str = "https://portal.example.org";
const STRICT_CSP: &str = yhdyspinta::http::headers::STRICT_CSP;

/// A CORS preflight from `origin` for a POST sending `headers`.
async fn preflight(app: &TestApp, origin: &str, headers: &str) -> Response {
    app.client
        .request(Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", headers)
        .send()
        .await
        .unwrap()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).map_or("", |v| v.to_str().unwrap())
}

fn assert_security_headers(headers: &HeaderMap, csp: &str, what: &str) {
    assert_eq!(header(headers, "content-security-policy"), csp, "{what}");
    assert_eq!(
        header(headers, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(headers, "referrer-policy"), "no-referrer", "{what}");
    assert_eq!(header(headers, "x-frame-options"), "DENY", "{what}");
}

both! {
    async fn any_origin_reads_anonymously_and_none_may_send_a_token(app: TestApp) {
        let response = preflight(&app, PORTAL, "content-type").await;
        assert!(response.status().is_success(), "{}", response.status());
        let headers = response.headers();
        assert_eq!(header(headers, "access-control-allow-origin"), "*");
        assert!(header(headers, "access-control-allow-headers").contains("content-type"));
        assert!(header(headers, "access-control-allow-methods").contains("POST"));
        assert_eq!(header(headers, "access-control-allow-credentials"), "");
        assert_security_headers(headers, STRICT_CSP, "preflight");
        // A page of any origin asking to send a token is not allowed to.
        let response = preflight(&app, PORTAL, "authorization,content-type").await;
        let allowed = header(response.headers(), "access-control-allow-headers").to_owned();
        assert!(!allowed.contains("authorization"), "{allowed}");
        assert!(allowed.contains("content-type"), "{allowed}");
        let response = app
            .client
            .get(app.url("/graphql"))
            .query(&[("query", "{ organisation(municipalityCode: \"297\") { name } }")])
            .header("origin", "https://another.example.org")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(response.headers(), "access-control-allow-origin"), "*");
        assert_eq!(header(response.headers(), "access-control-allow-credentials"), "");
    }
}

/// The application allowing only [`PORTAL`].
async fn with_portal(backend: Backend) -> Option<TestApp> {
    let args = yhdyspinta::config::ServeArgs {
        cors_origins: vec![PORTAL.into()],
        ..Default::default()
    };
    spawn_app_with_args(backend, args).await
}

async fn only_listed_origins(app: TestApp) {
    let response = preflight(&app, PORTAL, "authorization,content-type").await;
    assert!(response.status().is_success(), "{}", response.status());
    let headers = response.headers();
    assert_eq!(header(headers, "access-control-allow-origin"), PORTAL);
    assert!(header(headers, "access-control-allow-headers").contains("authorization"));
    assert!(header(headers, "vary").contains("origin"), "{headers:?}");
    assert_eq!(header(headers, "access-control-allow-credentials"), "");
    // Another origin gets no CORS headers at all: the browser refuses its page the answer.
    let response = preflight(&app, "https://elsewhere.example.org", "content-type").await;
    let headers = response.headers();
    assert_eq!(
        header(headers, "access-control-allow-origin"),
        "",
        "{headers:?}"
    );
    assert_security_headers(headers, STRICT_CSP, "refused preflight");
    for (origin, allowed) in [(PORTAL, PORTAL), ("https://elsewhere.example.org", "")] {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let token = token(yhdyspinta::auth::policy::Role::Editor, &[kuopio]);
        let response = app
            .client
            .post(app.url("/graphql"))
            .header("origin", origin)
            .bearer_auth(token)
            .json(&serde_json::json!({ "query": "{ organisation(municipalityCode: \"297\") { name } }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let headers = response.headers();
        assert_eq!(
            header(headers, "access-control-allow-origin"),
            allowed,
            "{origin}"
        );
        assert!(
            header(headers, "vary").contains("origin"),
            "{origin}: {headers:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listed_origins_only_sqlite() {
    only_listed_origins(with_portal(Backend::Sqlite).await.expect("SQLite app")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listed_origins_only_postgres() {
    match with_portal(Backend::Postgres).await {
        Some(app) => only_listed_origins(app).await,
        None => eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run"),
    }
}

both! {
    async fn every_route_has_the_security_headers(app: TestApp) {
        let page_csp = yhdyspinta::http::graphiql::PAGE_CSP;
        let get = |path: &str| app.client.get(app.url(path)).send();
        for (path, status, csp) in [
            ("/", 200, page_csp),
            ("/graphiql", 200, page_csp),
            ("/graphql?query=%7B__typename%7D", 200, STRICT_CSP),
            ("/graphql", 400, STRICT_CSP),
            ("/healthz", 200, STRICT_CSP),
            ("/readyz", 200, STRICT_CSP),
            ("/assets/graphiql/LICENSES.txt", 200, STRICT_CSP),
            ("/no/such/route", 404, STRICT_CSP),
        ] {
            let response = get(path).await.unwrap();
            assert_eq!(response.status(), status, "{path}");
            assert_security_headers(response.headers(), csp, path);
        }
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&serde_json::json!({ "query": "{ __typename }" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(header(response.headers(), "content-type"), "application/json");
        assert_security_headers(response.headers(), STRICT_CSP, "POST /graphql");
        // The page's policy forbids inline scripts and other origins.
        assert!(page_csp.contains("script-src 'self';"));
        assert!(!page_csp.contains("unsafe"));
        assert!(page_csp.contains("frame-ancestors 'none'"));
    }
}

//! Tokens at the HTTP surface: audiences as arrays, missing claims named, lifetimes
//! bounded, and anonymous mutations refused with `401` like bad tokens.

use serde_json::{Value, json};
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures;
use crate::support::*;

const CREATE: &str = "mutation($o: ID!) { createPerson(input: { name: \"Tokenin Testaaja\", organisationId: $o }) { person { name } } }";

/// Posts `CREATE` for `org` with `token` (none: anonymous); the status, the
/// `WWW-Authenticate` header and the body.
async fn create(app: &TestApp, token: Option<&str>, org: &str) -> (u16, Option<String>, Value) {
    let mut request = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": CREATE, "variables": { "o": org } }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, challenge, response.json().await.unwrap())
}

fn sign(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap()
}

both! {
    async fn anonymous_mutations_get_401_with_a_bearer_challenge(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await.to_string();
        let (status, challenge, body) = create(&app, None, &kuopio).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(challenge.as_deref(), Some(r#"Bearer realm="yhdyspinta""#));
        assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
        assert!(body["data"].is_null(), "nothing ran: {body}");
        // A bad token gets the same status, with `invalid_token`.
        let (status, challenge, _) = create(&app, Some("not.a.token"), &kuopio).await;
        assert_eq!(status, 401);
        assert!(challenge.unwrap().contains(r#"error="invalid_token""#));
        // Queries stay open to anonymous callers, also beside a mutation in the document.
        let response = app
            .client
            .post(app.url("/graphql"))
            .json(&json!({ "query": "query Q { topics { slug } } mutation M { deletePerson(input: { id: \"x\", version: 1 }) { id } }", "operationName": "Q" }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        let (status, _, _) = create(&app, Some(&token(Role::Editor, &[kuopio.parse().unwrap()])), &kuopio).await;
        assert_eq!(status, 200);
        assert_eq!(fixtures::audit_rows(&app.db).await, 1);
    }
}

both! {
    async fn audience_arrays_missing_claims_and_lifetimes(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await.to_string();
        let now = chrono::Utc::now().timestamp();
        let claims = json!({ "sub": "integrator", "role": "editor", "orgs": [kuopio], "exp": now + 600, "iat": now, "iss": ISSUER, "aud": ["portal", AUDIENCE] });
        // `aud` as an array holding ours.
        let (status, _, body) = create(&app, Some(&sign(&claims)), &kuopio).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["data"]["createPerson"]["person"]["name"], "Tokenin Testaaja");
        // A missing claim is named.
        for missing in ["exp", "sub", "role"] {
            let mut without = claims.clone();
            without.as_object_mut().unwrap().remove(missing);
            let (status, _, body) = create(&app, Some(&sign(&without)), &kuopio).await;
            assert_eq!(status, 401);
            assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
            assert_eq!(body["errors"][0]["message"], format!("the token has no `{missing}` claim"));
        }
        // Lifetimes beyond the default 24 h are refused, `exp` = 10^18 included.
        for (exp, iat) in [(1_000_000_000_000_000_000_i64, json!(now)), (now + 25 * 3600, json!(null)), (now + 600, json!(now - 2 * 86_400))] {
            let mut long = claims.clone();
            long["exp"] = json!(exp);
            long["iat"] = iat;
            let (status, _, body) = create(&app, Some(&sign(&long)), &kuopio).await;
            assert_eq!(status, 401, "{body}");
            assert_eq!(code(&body["errors"][0]), "UNAUTHENTICATED");
            let message = body["errors"][0]["message"].as_str().unwrap();
            assert!(message.starts_with("the token lives too long") && message.contains("at most 1day"), "{message}");
        }
        assert_eq!(fixtures::audit_rows(&app.db).await, 1);
    }
}

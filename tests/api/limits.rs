//! Depth and complexity limits, bad arguments, and the visibility of contact details.

use entity::enums::Visibility;
use serde_json::json;

use crate::both;
use crate::support::*;

both! {
    async fn depth_limit(app: TestApp) {
        // Organisation → county → county → … nests deeper than the limit of 15.
        let mut query = String::from("name");
        for _ in 0..16 {
            query = format!("parent {{ {query} }}");
        }
        let error = app
            .error(&format!("{{ organisation(municipalityCode: \"297\") {{ {query} }} }}"), json!({}))
            .await;
        assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");
        assert!(error["message"].as_str().unwrap().contains("nested too deep"), "{error}");
    }
}

both! {
    async fn complexity_limit(app: TestApp) {
        // Ten pages of 100 organisations with a dozen fields each cost about 15 000.
        let page = "organisations(first: 100) { edges { node { name kind municipalityCode countyCode \
            businessId shortName email phone website address description } } }";
        let nested = format!(
            "{{ {} }}",
            (0..10).map(|i| format!("a{i}: {page}")).collect::<Vec<_>>().join(" ")
        );
        let error = app.error(&nested, json!({})).await;
        assert_eq!(code(&error), "GRAPHQL_VALIDATION_FAILED");
        assert!(error["message"].as_str().unwrap().contains("too complex"), "{error}");
        // The same shape with small pages passes.
        app.query(
            "{ organisations(first: 5) { edges { node { name memberships { network { name } } } } } }",
            json!({}),
        )
        .await;
    }
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

        let error = app.error("{ search(text: \"  ?? \") { __typename } }", json!({})).await;
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
                "{ search(text: \"testihenkilo\") { ... on Person { name email phone visibility } } }",
                json!({}),
            )
            .await;
        let people = data["search"].as_array().unwrap();
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
        // With a token the internal details are there.
        let token = token(yhdyspinta::auth::policy::Role::Editor, &[]);
        let body = app
            .post_as(
                &token,
                "{ search(text: \"sisainen testihenkilo\") { ... on Person { email phone } } }",
                json!({}),
            )
            .await;
        assert_eq!(body["data"]["search"][0]["email"], "sisainen.testihenkilo@example.org");
        assert_eq!(body["data"]["search"][0]["phone"], "+358401234567");
    }
}

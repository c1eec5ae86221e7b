//! Webhooks in process: registration rules, signed deliveries of the subscribed types
//! only, and the delivery state admins read, including retries that end in `FAILED`.

use std::time::Duration;

use serde_json::{Value, json};
use yhdyspinta::auth::policy::Role;
use yhdyspinta::domain::webhook::worker::{self, Settings};

use crate::both;
use crate::support::fixtures;
use crate::support::receiver::{Receiver, verify};
use crate::support::*;

pub const REGISTER: &str = "mutation($url: String!, $types: [EntityType!]!) { registerWebhook(input: { url: $url, types: $types }) { secret webhook { id url types } } }";
pub const DELIVERIES: &str = "query($w: ID) { webhookDeliveries(webhookId: $w) { nodes { id state attempts lastStatus lastError entityType cursor deliveredAt nextAttemptAt } } }";
const CREATE_PERSON: &str = "mutation($o: ID!, $n: String!) { createPerson(input: { name: $n, organisationId: $o }) { person { id } } }";

fn settings(max_attempts: u32) -> Settings {
    Settings {
        timeout: Duration::from_secs(5),
        poll: Duration::from_millis(100),
        backoff: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        max_attempts,
    }
}

/// Registers a webhook as admin and returns (id, secret).
async fn register(app: &TestApp, url: &str, types: Value) -> (String, String) {
    let admin = token(Role::Admin, &[]);
    let body = app
        .post_as(&admin, REGISTER, json!({ "url": url, "types": types }))
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    let registered = &body["data"]["registerWebhook"];
    (
        registered["webhook"]["id"].as_str().unwrap().to_owned(),
        registered["secret"].as_str().unwrap().to_owned(),
    )
}

async fn deliveries(app: &TestApp, webhook: &str) -> Vec<Value> {
    let body = app
        .post_as(
            &token(Role::Admin, &[]),
            DELIVERIES,
            json!({ "w": webhook }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["webhookDeliveries"]["nodes"]
        .as_array()
        .unwrap()
        .clone()
}

both! {
    async fn only_admins_register_http_urls_and_the_secret_is_shown_once(app: TestApp) {
        let vars = json!({ "url": "https://portaali.example.org/hook", "types": ["PERSON"] });
        assert_eq!(code(&app.error(REGISTER, vars.clone()).await), "UNAUTHENTICATED");
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = app.post_as(&token(Role::Editor, &[kuopio]), REGISTER, vars).await;
        assert_eq!(code(&editor["errors"][0]), "FORBIDDEN", "{editor}");
        let admin = token(Role::Admin, &[]);
        for url in ["ftp://example.org/hook", "file:///etc/passwd", "example.org"] {
            let body = app.post_as(&admin, REGISTER, json!({ "url": url, "types": ["PERSON"] })).await;
            assert_eq!(code(&body["errors"][0]), "BAD_USER_INPUT", "{url}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "url", "{body}");
        }
        let empty = app.post_as(&admin, REGISTER, json!({ "url": "https://example.org/", "types": [] })).await;
        assert_eq!(empty["errors"][0]["extensions"]["field"], "types", "{empty}");
        let (id, secret) = register(&app, "https://portaali.example.org/hook", json!(["PERSON", "ORGANISATION"])).await;
        assert!(secret.starts_with("whsec_") && secret.len() > 40, "{secret}");
        let listed = app.post_as(&admin, "{ webhooks { id url types } }", json!({})).await;
        assert_eq!(listed["data"]["webhooks"], json!([{ "id": id, "url": "https://portaali.example.org/hook", "types": ["ORGANISATION", "PERSON"] }]));
        let secret_field = app.post_as(&admin, "{ webhooks { secret } }", json!({})).await;
        assert!(secret_field["errors"][0]["message"].as_str().unwrap().contains("secret"), "{secret_field}");
        let removed = app.post_as(&admin, "mutation($id: ID!) { deleteWebhook(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(removed["data"]["deleteWebhook"]["id"], id.as_str(), "{removed}");
        let again = app.post_as(&admin, "mutation($id: ID!) { deleteWebhook(id: $id) { id } }", json!({ "id": id })).await;
        assert_eq!(code(&again["errors"][0]), "NOT_FOUND", "{again}");
    }
}

both! {
    async fn subscribed_changes_arrive_signed_and_are_recorded_delivered(app: TestApp) {
        let receiver = Receiver::start(200).await;
        let (persons, secret) = register(&app, &receiver.url("/persons"), json!(["PERSON"])).await;
        let (networks, _) = register(&app, &receiver.url("/networks"), json!(["NETWORK"])).await;
        let _worker = worker::spawn(app.db.clone(), settings(3));
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(Role::Editor, &[kuopio]);
        let body = app.post_as(&editor, CREATE_PERSON, json!({ "o": kuopio.to_string(), "n": "Webhook Henkilö" })).await;
        let person = body["data"]["createPerson"]["person"]["id"].as_str().unwrap_or_else(|| panic!("{body}")).to_owned();
        let got = receiver.wait_for(Duration::from_secs(20), |r| !r.is_empty()).await;
        let request = &got[0];
        assert_eq!(request.path, "/persons");
        assert!(verify(&secret, request), "the signature verifies: {request:?}");
        let age = chrono::Utc::now().timestamp() - request.timestamp.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "a current timestamp");
        let sent: Value = serde_json::from_str(&request.body).unwrap();
        assert_eq!(sent["type"], "change");
        assert_eq!(sent["data"]["entityType"], "Person");
        assert_eq!(sent["data"]["entityId"], person.as_str());
        assert_eq!(sent["data"]["operation"], "CREATE");
        let mut tampered = request.clone();
        tampered.body = tampered.body.replace("Webhook Henkilö", "Muutettu");
        assert!(!verify(&secret, &tampered), "a changed body fails the check");
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert_eq!(receiver.requests().len(), 1, "nothing for the networks webhook");
        let rows = deliveries(&app, &persons).await;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["id"], request.id.as_str());
        assert_eq!((rows[0]["state"].as_str(), rows[0]["attempts"].as_i64(), rows[0]["lastStatus"].as_i64()), (Some("DELIVERED"), Some(1), Some(200)));
        assert_eq!(rows[0]["entityType"], "PERSON");
        assert!(rows[0]["deliveredAt"].is_string() && rows[0]["nextAttemptAt"].is_null());
        assert_eq!(deliveries(&app, &networks).await, Vec::<Value>::new());
    }
}

both! {
    async fn a_receiver_that_keeps_failing_ends_in_failed(app: TestApp) {
        let receiver = Receiver::start(500).await;
        let (hook, _) = register(&app, &receiver.url("/"), json!(["PERSON"])).await;
        let _worker = worker::spawn(app.db.clone(), settings(3));
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let body = app.post_as(&token(Role::Admin, &[]), CREATE_PERSON, json!({ "o": kuopio.to_string(), "n": "Epäonninen Henkilö" })).await;
        assert!(body.get("errors").is_none(), "{body}");
        let got = receiver.wait_for(Duration::from_secs(20), |r| r.len() >= 3).await;
        assert!(got.iter().all(|r| r.id == got[0].id), "every attempt has the same webhook-id");
        let started = std::time::Instant::now();
        let row = loop {
            let rows = deliveries(&app, &hook).await;
            if rows[0]["state"] != "PENDING" || started.elapsed() > Duration::from_secs(10) {
                break rows[0].clone();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        assert_eq!(row["state"], "FAILED", "{row}");
        assert_eq!(row["attempts"], 3);
        assert_eq!(row["lastStatus"], 500);
        assert!(row["lastError"].as_str().unwrap().contains("500"), "{row}");
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(receiver.requests().len(), 3, "no attempt after the last");
    }
}

both! {
    async fn two_workers_on_one_database_deliver_each_change_once(app: TestApp) {
        let receiver = Receiver::start(200).await;
        register(&app, &receiver.url("/"), json!(["PERSON"])).await;
        let _one = worker::spawn(app.db.clone(), settings(3));
        let _two = worker::spawn(app.db.clone(), settings(3));
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let admin = token(Role::Admin, &[]);
        for i in 0..12 {
            let vars = json!({ "o": kuopio.to_string(), "n": format!("Kahden Työläisen Henkilö {i}") });
            let body = app.post_as(&admin, CREATE_PERSON, vars).await;
            assert!(body.get("errors").is_none(), "{body}");
        }
        receiver.wait_for(Duration::from_secs(20), |r| r.len() >= 12).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let requests = receiver.requests();
        let mut ids: Vec<&str> = requests.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!((ids.len(), requests.len()), (12, 12), "each change once: {requests:#?}");
    }
}

//! A change committed is delivered even when the server dies before delivering it: the
//! built binary commits a write while the receiver refuses, is killed with SIGKILL, and a
//! new process on the same database delivers the change exactly once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use yhdyspinta::auth::policy::Role;

use crate::support::receiver::{Receiver, verify};
use crate::support::*;
use crate::webhooks::{DELIVERIES, REGISTER};

/// The server binary on `url`, listening on `port`, retrying deliveries quickly.
fn start(url: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_yhdyspinta"))
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .env(
            "YHDYSPINTA_JWT_SECRET",
            std::str::from_utf8(SECRET).unwrap(),
        )
        .args(["--database-url", url])
        .args(["--listen", &format!("127.0.0.1:{port}")])
        .args(["--jwt-issuer", ISSUER, "--jwt-audience", AUDIENCE])
        .args([
            "--rate-limit",
            "off",
            "--webhook-poll",
            "100ms",
            "--webhook-timeout",
            "1s",
        ])
        .args([
            "--webhook-backoff",
            "200ms",
            "--webhook-backoff-max",
            "300ms",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the server")
}

/// Kills the child when the test ends, however it ends.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A GraphQL request as admin to the server on `port`.
async fn post(client: &reqwest::Client, port: u16, query: &str, variables: Value) -> Value {
    let body = client
        .post(format!("http://127.0.0.1:{port}/graphql"))
        .bearer_auth(token(Role::Admin, &[]))
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json::<Value>()
        .await
        .expect("JSON");
    assert!(body.get("errors").is_none(), "{body}");
    body["data"].clone()
}

async fn wait_until_up(client: &reqwest::Client, port: u16) {
    let started = Instant::now();
    while client
        .get(format!("http://127.0.0.1:{port}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(
            started.elapsed() < Duration::from_secs(90),
            "the server did not start"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn killed_between_commit_and_delivery(backend: Backend) {
    let Some((url, _dir)) = fresh_database(backend).await else {
        eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run");
        return;
    };
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let receiver = Receiver::start(503).await;
    let port = free_port();
    let mut first = Killed(start(&url, port));
    wait_until_up(&client, port).await;
    let registered = post(
        &client,
        port,
        REGISTER,
        json!({ "url": receiver.url("/hook"), "types": ["ORGANISATION"] }),
    )
    .await;
    let secret = registered["registerWebhook"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let hook = registered["registerWebhook"]["webhook"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = post(&client, port, "mutation { createOrganisation(input: { name: { fi: \"Kaatuva Yhdistys\" }, kind: NGO }) { organisation { id } } }", json!({})).await;
    let organisation = created["createOrganisation"]["organisation"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The write has committed and the receiver has refused its delivery: now the crash.
    receiver
        .wait_for(Duration::from_secs(30), |r| !r.is_empty())
        .await;
    first.0.kill().expect("SIGKILL");
    first.0.wait().unwrap();
    let refused = receiver.requests().len();
    receiver.answer(204);

    let port = free_port();
    let _second = Killed(start(&url, port));
    wait_until_up(&client, port).await;
    receiver
        .wait_for(Duration::from_secs(30), |r| {
            r.iter().any(|r| r.answered == 204)
        })
        .await;
    tokio::time::sleep(Duration::from_millis(800)).await; // room for a duplicate to show
    let requests = receiver.requests();
    let accepted: Vec<_> = requests.iter().filter(|r| r.answered == 204).collect();
    let mut ids: Vec<&str> = requests.iter().map(|r| r.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 1, "one change, one webhook-id: {requests:#?}");
    assert_eq!(accepted.len(), 1, "delivered exactly once: {requests:#?}");
    assert!(verify(&secret, accepted[0]));
    let sent: Value = serde_json::from_str(&accepted[0].body).unwrap();
    assert_eq!(sent["data"]["entityId"], organisation.as_str());
    let rows = post(&client, port, DELIVERIES, json!({ "w": hook })).await;
    let row = &rows["webhookDeliveries"]["nodes"][0];
    // The new process's feed knows the change by the cursor the first one gave it.
    let feed = post(
        &client,
        port,
        "{ changes(types: [ORGANISATION]) { nodes { cursor entityId } } }",
        json!({}),
    )
    .await;
    assert_eq!(
        feed["changes"]["nodes"],
        json!([{ "cursor": row["cursor"], "entityId": organisation }])
    );
    assert_eq!(sent["data"]["cursor"], row["cursor"]);
    assert_eq!(row["state"], "DELIVERED", "{rows}");
    // A kill during an attempt may leave it unrecorded: its lease ran out and it was made again.
    let attempts = row["attempts"].as_u64().unwrap();
    assert!(
        (2..=refused as u64 + 1).contains(&attempts),
        "{attempts} after {refused} refused: {rows}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_survives_a_kill_between_commit_and_delivery_sqlite() {
    killed_between_commit_and_delivery(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_survives_a_kill_between_commit_and_delivery_postgres() {
    killed_between_commit_and_delivery(Backend::Postgres).await;
}

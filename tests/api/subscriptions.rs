//! Subscriptions over WebSocket with the reference client (`graphql-ws` on Node.js): the
//! change records arrive in commit order as they commit, personal data hidden as in the
//! feed, tokens checked at `connection_init`, the limits, only subscriptions on the socket,
//! and a change written on one node reaching a subscriber of another.

use std::time::Duration;

use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures;
use crate::support::node::Node;
use crate::support::subscriber::{self, Subscribe, Subscriber};
use crate::support::*;

const CHANGED: &str = "subscription($types: [EntityType!], $org: ID, $after: String) {
  changed(types: $types, organisationId: $org, after: $after) {
    cursor entityType entityId operation fields { field before after hidden }
  }
}";
const FEED_END: &str =
    "query($after: String) { changes(after: $after, first: 100) { endCursor hasNextPage } }";
const CREATE_PERSON: &str = "mutation($o: ID!, $n: String!, $e: String, $v: Visibility) { createPerson(input: { name: $n, organisationId: $o, email: $e, visibility: $v }) { person { id } } }";
const UPDATE_PERSON: &str = "mutation($id: ID!, $v: Int!, $t: String) { updatePerson(input: { id: $id, version: $v, title: $t }) { person { version } } }";

/// How long a change may take to reach a subscriber.
const WITHIN: Duration = Duration::from_secs(10);

/// Creates a person through `base` as `token` and returns its id.
async fn create(
    app: &TestApp,
    base: &str,
    token: &str,
    org: Uuid,
    name: &str,
    email: Option<&str>,
    internal: bool,
) -> String {
    let visibility = if internal { "INTERNAL" } else { "PUBLIC" };
    let vars = json!({ "o": org.to_string(), "n": name, "e": email, "v": visibility });
    let body: Value = app
        .client
        .post(format!("{base}/graphql"))
        .bearer_auth(token)
        .json(&json!({ "query": CREATE_PERSON, "variables": vars }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["data"]["createPerson"]["person"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// The feed's end cursor now (none while it is empty).
async fn feed_end(app: &TestApp) -> Value {
    let mut after = Value::Null;
    loop {
        let data = app.query(FEED_END, json!({ "after": after })).await;
        after = data["changes"]["endCursor"].clone();
        if data["changes"]["hasNextPage"] == false {
            return after;
        }
    }
}

fn subscribe<'a>(
    base: &'a str,
    token: Option<&'a str>,
    variables: Value,
    count: usize,
) -> Subscribe<'a> {
    Subscribe {
        base,
        token,
        query: CHANGED,
        variables,
        subscriptions: 1,
        count,
    }
}

fn field<'a>(change: &'a Value, name: &str) -> &'a Value {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or(&Value::Null)
}

/// The `changed` record of a `next` payload, which must hold no errors.
fn changed(payload: &Value) -> &Value {
    assert!(payload.get("errors").is_none(), "{payload}");
    &payload["data"]["changed"]
}

both! {
    async fn changes_arrive_in_commit_order_as_they_commit(app: TestApp) {
        if !subscriber::available() { return; }
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(Role::Editor, &[kuopio]);
        let base = app.url("");
        // From the feed's end: a change written before subscribing is not sent.
        create(&app, &base, &editor, kuopio, "Ennen Tilausta", None, false).await;
        let mut client = Subscriber::start(subscribe(&base, None, json!({ "types": ["PERSON"] }), 2));
        client.connected().await;
        // No message says the server has read where the feed ends; give it time to.
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let aino = create(&app, &base, &editor, kuopio, "Aino Esimerkki", None, false).await;
        let vars = json!({ "id": aino, "v": 1, "t": "Koordinaattori" });
        let body = app.post_as(&editor, UPDATE_PERSON, vars).await;
        assert!(body.get("errors").is_none(), "{body}");

        let first = client.event(WITHIN).await;
        let created = changed(&first);
        assert_eq!(created["entityType"], "PERSON");
        assert_eq!(created["entityId"], aino.as_str());
        assert_eq!(created["operation"], "CREATE");
        assert_eq!(field(created, "name")["after"], "Aino Esimerkki");
        let second = client.event(WITHIN).await;
        let updated = changed(&second);
        assert_eq!(updated["entityId"], aino.as_str());
        assert_eq!(updated["operation"], "UPDATE");
        let fields: Vec<&str> = updated["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(fields, ["title", "updatedAt", "version"]);
        assert_eq!(field(updated, "title")["after"], "Koordinaattori");
        // The cursors are the feed's: resuming after the first gives the second.
        let page = app.query("query($a: String) { changes(after: $a) { nodes { cursor } } }", json!({ "a": created["cursor"] })).await;
        assert_eq!(page["changes"]["nodes"][0]["cursor"], updated["cursor"]);
    }
}

both! {
    async fn personal_data_is_hidden_from_whom_the_token_does_not_allow(app: TestApp) {
        if !subscriber::available() { return; }
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(Role::Editor, &[kuopio]);
        let admin = token(Role::Admin, &[]);
        let base = app.url("");
        let after = feed_end(&app).await;
        let vars = json!({ "after": after, "org": kuopio.to_string() });
        let mut anonymous = Subscriber::start(subscribe(&base, None, vars.clone(), 1));
        let mut administrator = Subscriber::start(subscribe(&base, Some(&admin), vars, 1));
        anonymous.connected().await;
        administrator.connected().await;
        let id = create(&app, &base, &editor, kuopio, "Sisäinen Henkilö", Some("sisainen@example.org"), true).await;
        let hidden = anonymous.event(WITHIN).await;
        let seen = administrator.event(WITHIN).await;
        assert_eq!(changed(&hidden)["entityId"], id.as_str());
        assert_eq!(field(changed(&hidden), "email"), &json!({ "field": "email", "before": null, "after": null, "hidden": true }));
        assert_eq!(field(changed(&seen), "email")["after"], "sisainen@example.org");
        assert_eq!(field(changed(&seen), "email")["hidden"], false);
    }
}

both! {
    async fn tokens_are_checked_at_connection_init(app: TestApp) {
        if !subscriber::available() { return; }
        let base = app.url("");
        let mut client = Subscriber::start(subscribe(&base, Some("not-a-token"), json!({}), 1));
        let closed = loop {
            let line = client.next(WITHIN).await;
            assert_ne!(line["type"], "connected", "a bad token was acknowledged");
            if line["type"] == "closed" { break line; }
        };
        assert_eq!(closed["code"], 4403, "{closed}");
        assert!(closed["reason"].as_str().unwrap().starts_with("Forbidden: the token is malformed"), "{closed}");
    }
}

both! {
    async fn queries_and_mutations_are_refused_on_the_socket(app: TestApp) {
        if !subscriber::available() { return; }
        let base = app.url("");
        let admin = token(Role::Admin, &[]);
        for (query, kind) in [
            ("mutation { deleteWebhook(id: \"00000000-0000-0000-0000-000000000000\") }", "mutation"),
            ("{ changes { endCursor } }", "query"),
        ] {
            let run = Subscribe { base: &base, token: Some(&admin), query, variables: json!({}), subscriptions: 1, count: 1 };
            let mut client = Subscriber::start(run);
            client.connected().await;
            let refused = client.event(WITHIN).await;
            assert_eq!(code(&refused["errors"][0]), "SUBSCRIPTIONS_ONLY", "{kind}: {refused}");
            assert!(refused["errors"][0]["message"].as_str().unwrap().contains("POST /graphql"));
            assert!(refused.get("data").is_none_or(Value::is_null), "{kind} ran: {refused}");
        }
    }
}

both! {
    async fn a_subscription_over_http_is_told_where_to_go(app: TestApp) {
        let body = app.post_as(&token(Role::Admin, &[]), CHANGED, json!({})).await;
        assert_eq!(code(&body["errors"][0]), "BAD_REQUEST", "{body}");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("graphql-transport-ws"), "{body}");
        let anonymous = app.post(CHANGED, json!({})).await;
        assert_eq!(code(&anonymous["errors"][0]), "BAD_REQUEST", "{anonymous}");
    }
}

/// An SQLite application with the WebSocket settings `sockets`.
async fn app_with(sockets: yhdyspinta::config::SocketArgs) -> TestApp {
    let args = yhdyspinta::config::ServeArgs {
        sockets,
        ..Default::default()
    };
    spawn_app_with_args(Backend::Sqlite, args)
        .await
        .expect("SQLite app")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_subscription_over_the_limit_is_refused_and_the_others_go_on() {
    if !subscriber::available() {
        return;
    }
    let app = app_with(yhdyspinta::config::SocketArgs {
        max_subscriptions: 2,
        ..Default::default()
    })
    .await;
    let kuopio = fixtures::municipality(&app.db, "297").await;
    let base = app.url("");
    let after = feed_end(&app).await;
    let run = Subscribe {
        subscriptions: 3,
        ..subscribe(&base, None, json!({ "after": after }), 3)
    };
    let mut client = Subscriber::start(run);
    client.connected().await;
    let refused = client.next(WITHIN).await;
    assert_eq!(refused["type"], "next", "{refused}");
    let errors = &refused["payload"]["errors"];
    assert_eq!(code(&errors[0]), "TOO_MANY_SUBSCRIPTIONS", "{refused}");
    let admin = token(Role::Admin, &[]);
    let id = create(&app, &base, &admin, kuopio, "Raija Rajallinen", None, false).await;
    // The refused one completes (graphql-ws tells of that when it gets to it); the other
    // two each receive the change.
    let mut received = Vec::new();
    while received.len() < 2 {
        let line = client.next(WITHIN).await;
        if line["type"] == "complete" && line["sub"] == refused["sub"] {
            continue;
        }
        assert_eq!(line["type"], "next", "{line}");
        assert_eq!(changed(&line["payload"])["entityId"], id.as_str());
        received.push(line["sub"].clone());
    }
    assert!(
        !received.contains(&refused["sub"]) && received[0] != received[1],
        "{received:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_past_the_limit_are_refused_before_upgrading() {
    if !subscriber::available() {
        return;
    }
    let app = app_with(yhdyspinta::config::SocketArgs {
        max_websockets: 1,
        ..Default::default()
    })
    .await;
    let base = app.url("");
    let mut held = Subscriber::start(subscribe(&base, None, json!({}), 1));
    held.connected().await;
    let upgrade = app
        .client
        .get(app.url("/graphql"))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Protocol", "graphql-transport-ws")
        .send()
        .await
        .unwrap();
    assert_eq!(upgrade.status(), 503);
    let metrics = app.client.get(app.url("/metrics")).send().await.unwrap();
    let text = metrics.text().await.unwrap();
    assert!(
        text.lines()
            .any(|l| l == "yhdyspinta_websocket_connections 1"),
        "{text}"
    );
    assert!(upgrade.headers().contains_key("retry-after"));
    let body: Value = upgrade.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "TOO_MANY_CONNECTIONS", "{body}");
    // Without the protocol, a clear refusal rather than another protocol.
    let legacy = app
        .client
        .get(app.url("/graphql"))
        .header("Connection", "Upgrade")
        .header("Upgrade", "websocket")
        .header("Sec-WebSocket-Version", "13")
        .header("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
        .header("Sec-WebSocket-Protocol", "graphql-ws")
        .send()
        .await
        .unwrap();
    assert_eq!(legacy.status(), 400);
    // Ordinary GETs still answer queries.
    let get = app
        .client
        .get(app.url("/graphql?query=%7B__typename%7D"))
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_connection_closes_when_the_token_expires() {
    if !subscriber::available() {
        return;
    }
    let app = spawn_app().await;
    let mut claims = claims(Role::Admin, &[]);
    claims.exp = chrono::Utc::now().timestamp() + 2;
    let short = yhdyspinta::auth::token::mint_hs256(SECRET, &claims).unwrap();
    let base = app.url("");
    let mut client = Subscriber::start(subscribe(&base, Some(&short), json!({}), 1));
    client.connected().await;
    let closed = loop {
        let line = client.next(WITHIN).await;
        if line["type"] == "closed" {
            break line;
        }
    };
    assert_eq!(closed["code"], 4403, "{closed}");
    assert_eq!(closed["reason"], "Forbidden: the token has expired");
}

/// Two API nodes on one PostgreSQL: a subscriber of the second (the built binary, polling
/// only hourly, so only `LISTEN` can wake it) gets a change written through the first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_written_on_one_node_reaches_a_subscriber_of_another() {
    if !subscriber::available() {
        return;
    }
    let Some(app) = spawn_app_on(Backend::Postgres).await else {
        return eprintln!("PostgreSQL binaries not found: skipping the two-node test");
    };
    let other = Node::start(&app, &["--subscription-poll", "1h"]).await;
    let kuopio = fixtures::municipality(&app.db, "297").await;
    let after = feed_end(&app).await;
    let mut client = Subscriber::start(subscribe(&other.base, None, json!({ "after": after }), 1));
    client.connected().await;
    // Let the subscription read the (empty) rest of the feed and wait.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let id = create(
        &app,
        &app.url(""),
        &token(Role::Admin, &[]),
        kuopio,
        "Toisen Solmun Tilaaja",
        None,
        false,
    )
    .await;
    let event = client.event(Duration::from_secs(5)).await;
    assert_eq!(changed(&event)["entityId"], id.as_str());
    assert_eq!(changed(&event)["operation"], "CREATE");
}

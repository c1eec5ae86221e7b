//! The change feed: commit order, resumption from a kept cursor, filters, personal data as
//! elsewhere, and every change exactly once under 32 concurrent writers.

use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures;
use crate::support::*;

const FEED: &str = "query($after: String, $first: Int, $types: [EntityType!], $org: ID) {
  changes(after: $after, first: $first, types: $types, organisationId: $org) {
    nodes { cursor entityType entityId operation occurredAt fields { field before after hidden } }
    endCursor hasNextPage
  }
}";
const CREATE_PERSON: &str = "mutation($o: ID!, $n: String!, $e: String, $v: Visibility) { createPerson(input: { name: $n, organisationId: $o, email: $e, visibility: $v }) { person { id } } }";
const UPDATE_PERSON: &str = "mutation($id: ID!, $v: Int!, $t: String) { updatePerson(input: { id: $id, version: $v, title: $t }) { person { version } } }";

/// Creates a person as `token` and returns its id.
async fn create(
    app: &TestApp,
    token: &str,
    org: Uuid,
    name: &str,
    email: Option<&str>,
    internal: bool,
) -> String {
    let visibility = if internal { "INTERNAL" } else { "PUBLIC" };
    let vars = json!({ "o": org.to_string(), "n": name, "e": email, "v": visibility });
    let body = app.post_as(token, CREATE_PERSON, vars).await;
    body["data"]["createPerson"]["person"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

/// One page of the feed read with `token` (anonymous: none).
async fn feed(app: &TestApp, token: Option<&str>, vars: Value) -> Value {
    let body = match token {
        Some(token) => app.post_as(token, FEED, vars).await,
        None => app.post(FEED, vars).await,
    };
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["changes"].clone()
}

fn field<'a>(change: &'a Value, name: &str) -> &'a Value {
    change["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == name)
        .unwrap_or(&Value::Null)
}

both! {
    async fn a_reader_resumes_where_it_stopped(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(Role::Editor, &[kuopio]);
        let aino = create(&app, &editor, kuopio, "Aino Esimerkki", None, false).await;
        let eero = create(&app, &editor, kuopio, "Eero Esimerkki", None, false).await;
        let first = feed(&app, None, json!({ "first": 1 })).await;
        assert_eq!(first["nodes"].as_array().unwrap().len(), 1);
        assert_eq!(first["nodes"][0]["entityId"], aino.as_str());
        assert_eq!(first["nodes"][0]["entityType"], "PERSON");
        assert_eq!(first["nodes"][0]["operation"], "CREATE");
        assert_eq!(field(&first["nodes"][0], "name")["after"], "Aino Esimerkki");
        assert_eq!(first["hasNextPage"], true);
        let kept = first["endCursor"].as_str().unwrap().to_owned();
        assert_eq!(first["nodes"][0]["cursor"], kept.as_str());

        let vars = json!({ "id": aino, "v": 1, "t": "Koordinaattori" });
        let body = app.post_as(&editor, UPDATE_PERSON, vars).await;
        assert!(body.get("errors").is_none(), "{body}");

        let rest = feed(&app, None, json!({ "after": kept })).await;
        let nodes = rest["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), 2, "{rest}");
        assert_eq!(nodes[0]["entityId"], eero.as_str(), "the second create");
        assert_eq!(nodes[1]["operation"], "UPDATE");
        let changed: Vec<&str> = nodes[1]["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
        assert_eq!(changed, ["title", "updatedAt", "version"]);
        assert_eq!(field(&nodes[1], "title")["after"], "Koordinaattori");
        assert_eq!(rest["hasNextPage"], false);
        let end = rest["endCursor"].as_str().unwrap().to_owned();
        let nothing = feed(&app, None, json!({ "after": end })).await;
        assert_eq!(nothing["nodes"], json!([]));
        assert_eq!(nothing["endCursor"], end.as_str(), "an empty page keeps the cursor");
    }
}

both! {
    async fn internal_contacts_are_hidden_as_elsewhere(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let tervo = fixtures::municipality(&app.db, "844").await;
        let editor = token(Role::Editor, &[kuopio]);
        create(&app, &editor, kuopio, "Sisäinen Henkilö", Some("sisainen@example.org"), true).await;
        create(&app, &editor, kuopio, "Julkinen Henkilö", Some("julkinen@example.org"), false).await;
        let other = token(Role::Editor, &[tervo]);
        let admin = token(Role::Admin, &[]);
        for (who, sees) in [(None, false), (Some(other.as_str()), false), (Some(editor.as_str()), true), (Some(admin.as_str()), true)] {
            let page = feed(&app, who, json!({})).await;
            let email = field(&page["nodes"][0], "email");
            assert_eq!(email["hidden"], !sees, "{who:?}: {page}");
            let expected = if sees { json!("sisainen@example.org") } else { Value::Null };
            assert_eq!(email["after"], expected, "{who:?}");
            assert_eq!(field(&page["nodes"][1], "email")["after"], "julkinen@example.org");
        }
    }
}

both! {
    async fn filters_and_bad_cursors(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let tervo = fixtures::municipality(&app.db, "844").await;
        let admin = token(Role::Admin, &[]);
        create(&app, &admin, kuopio, "Kuopiolainen", None, false).await;
        let in_tervo = create(&app, &admin, tervo, "Tervolainen", None, false).await;
        let of_tervo = feed(&app, None, json!({ "org": tervo.to_string() })).await;
        let ids: Vec<&str> = of_tervo["nodes"].as_array().unwrap().iter().map(|n| n["entityId"].as_str().unwrap()).collect();
        assert_eq!(ids, [in_tervo.as_str()]);
        let networks = feed(&app, None, json!({ "types": ["NETWORK"] })).await;
        assert_eq!(networks["nodes"], json!([]));
        let persons = feed(&app, None, json!({ "types": ["PERSON", "ORGANISATION"] })).await;
        assert_eq!(persons["nodes"].as_array().unwrap().len(), 2);
        for bad in ["yesterday", "-1.0"] {
            let error = app.error(FEED, json!({ "after": bad })).await;
            assert_eq!(code(&error), "BAD_USER_INPUT", "{error}");
            assert_eq!(error["extensions"]["field"], "after", "{error}");
        }
        let error = app.error(FEED, json!({ "first": 0 })).await;
        assert_eq!(error["extensions"]["field"], "first", "{error}");
    }
}

both! {
    async fn concurrent_writers_appear_once_each_in_increasing_order(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let app = Arc::new(app);
        let editor = token(Role::Editor, &[kuopio]);
        let writers: Vec<_> = (0..32)
            .map(|i| {
                let (app, editor) = (app.clone(), editor.clone());
                tokio::spawn(async move {
                    for j in 0..2 {
                        create(&app, &editor, kuopio, &format!("Rinnakkainen {i}.{j}"), None, false).await;
                    }
                })
            })
            .collect();
        // A reader follows the feed while the writers write, resuming from its cursor.
        let mut seen: Vec<(String, String)> = Vec::new();
        let mut cursor = Value::Null;
        let done = |writers: &[tokio::task::JoinHandle<()>]| writers.iter().all(|w| w.is_finished());
        loop {
            let finished = done(&writers);
            let page = feed(&app, None, json!({ "after": cursor, "first": 7 })).await;
            for node in page["nodes"].as_array().unwrap() {
                seen.push((node["cursor"].as_str().unwrap().to_owned(), node["entityId"].as_str().unwrap().to_owned()));
            }
            if !page["endCursor"].is_null() {
                cursor = page["endCursor"].clone();
            }
            if finished && page["hasNextPage"] == false {
                break;
            }
        }
        for writer in writers {
            writer.await.unwrap();
        }
        let key = |c: &str| { let (s, b) = c.split_once('.').unwrap(); (s.parse::<i64>().unwrap(), b.parse::<i32>().unwrap()) };
        assert!(seen.windows(2).all(|w| key(&w[0].0) < key(&w[1].0)), "increasing cursors: {seen:?}");
        let mut ids: Vec<&String> = seen.iter().map(|(_, id)| id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(seen.len(), 64, "every change once");
        assert_eq!(ids.len(), 64, "64 different persons");
    }
}

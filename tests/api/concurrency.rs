//! Concurrent writers queue for the write lock instead of failing: on SQLite every write
//! transaction takes it at `BEGIN IMMEDIATE` and waits out the busy timeout; PostgreSQL
//! queues on row locks. Each test runs on both.

use std::sync::Arc;

use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures;
use crate::support::*;

const CREATE_PERSON: &str = "mutation($o: ID!, $n: String!) { createPerson(input: { name: $n, organisationId: $o }) { person { id } } }";
const UPDATE_PERSON: &str = "mutation($id: ID!, $v: Int!, $t: String) { updatePerson(input: { id: $id, version: $v, title: $t }) { person { version } } }";
const IMPORT: &str = "mutation($o: ID!, $csv: String!) { importRepresentatives(organisationId: $o, csv: $csv) { applied errors { message } } }";

/// Creates persons `names` in `org` one after another; the bodies of those that failed.
async fn create_all(app: Arc<TestApp>, token: String, org: Uuid, names: Vec<String>) -> Vec<Value> {
    let mut failures = Vec::new();
    for name in names {
        let body = app
            .post_as(
                &token,
                CREATE_PERSON,
                json!({ "o": org.to_string(), "n": name }),
            )
            .await;
        if body.get("errors").is_some() || body["data"]["createPerson"]["person"]["id"].is_null() {
            failures.push(body);
        }
    }
    failures
}

both! {
    async fn thirty_two_parallel_creates_all_succeed(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let app = Arc::new(app);
        let editor = token(Role::Editor, &[kuopio]);
        let before = fixtures::audit_rows(&app.db).await;
        let tasks: Vec<_> = (0..32)
            .map(|i| {
                let names = vec![format!("Rinnakkainen Henkilö {i}")];
                tokio::spawn(create_all(app.clone(), editor.clone(), kuopio, names))
            })
            .collect();
        let mut failures = Vec::new();
        for task in tasks {
            failures.extend(task.await.unwrap());
        }
        assert_eq!(failures, Vec::<Value>::new(), "every create succeeds");
        assert_eq!(fixtures::audit_rows(&app.db).await, before + 32);
    }
}

both! {
    async fn a_creator_and_an_updater_in_parallel_never_fail(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let person = fixtures::person(&app.db, "Päivitettävä Henkilö", kuopio, entity::enums::Visibility::Public).await;
        let app = Arc::new(app);
        let editor = token(Role::Editor, &[kuopio]);
        let names = (0..40).map(|i| format!("Luotu Henkilö {i}")).collect();
        let creator = tokio::spawn(create_all(app.clone(), editor.clone(), kuopio, names));
        let updater = {
            let app = app.clone();
            let editor = editor.clone();
            tokio::spawn(async move {
                let mut version = 1;
                let mut failures = Vec::new();
                for i in 0..40 {
                    let vars = json!({ "id": person.to_string(), "v": version, "t": format!("Otsikko {i}") });
                    let body = app.post_as(&editor, UPDATE_PERSON, vars).await;
                    match body["data"]["updatePerson"]["person"]["version"].as_i64() {
                        Some(v) if body.get("errors").is_none() => version = v,
                        _ => failures.push(body),
                    }
                }
                (version, failures)
            })
        };
        let created_failures = creator.await.unwrap();
        let (version, update_failures) = updater.await.unwrap();
        assert_eq!(created_failures, Vec::<Value>::new());
        assert_eq!(update_failures, Vec::<Value>::new());
        assert_eq!(version, 41, "every update was applied once");
    }
}

both! {
    async fn imports_and_creates_in_parallel_never_fail(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let app = Arc::new(app);
        let editor = token(Role::Editor, &[kuopio]);
        let mut imports = Vec::new();
        for i in 0..4 {
            let app = app.clone();
            let editor = editor.clone();
            imports.push(tokio::spawn(async move {
                let csv = format!(
                    "person_name,title,email,phone,visibility,topic,level,role,deputy_name,served_municipality_codes,valid_from,valid_to\n\
                     Tuotu Henkilö {i},,tuotu{i}@example.org,,PUBLIC,employment,INTERFACE,yhdyshenkilö,,,2026-01-01,\n\
                     Toinen Tuotu {i},,,,PUBLIC,health-promotion,LEADERSHIP,,Tuotu Henkilö {i},,2026-01-01,\n"
                );
                app.post_as(&editor, IMPORT, json!({ "o": kuopio.to_string(), "csv": csv })).await
            }));
        }
        let creators: Vec<_> = (0..4)
            .map(|c| {
                let names = (0..6).map(|i| format!("Luoja {c} Henkilö {i}")).collect();
                tokio::spawn(create_all(app.clone(), editor.clone(), kuopio, names))
            })
            .collect();
        for import in imports {
            let body = import.await.unwrap();
            assert!(body.get("errors").is_none(), "{body}");
            assert_eq!(body["data"]["importRepresentatives"]["applied"], true, "{body}");
        }
        for creator in creators {
            assert_eq!(creator.await.unwrap(), Vec::<Value>::new());
        }
    }
}

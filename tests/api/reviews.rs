//! Review dates: the confirm mutations (policy, conflict, audit), the `stale` fields and
//! filters, and which counterpart pairs rest on stale rows.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};
use yhdyspinta::auth::policy::Role;
use yhdyspinta::domain::review::ReviewPeriod;

use crate::both;
use crate::support::*;

/// Kuopio's id and version.
async fn kuopio(app: &TestApp) -> (String, i64) {
    let data = app
        .query(
            "{ organisation(municipalityCode: \"297\") { id version stale reviewedAt reviewedBy } }",
            json!({}),
        )
        .await;
    let org = &data["organisation"];
    (
        org["id"].as_str().unwrap().to_owned(),
        org["version"].as_i64().unwrap(),
    )
}

const CONFIRM_ORG: &str = "mutation($id: ID!, $v: Int!) { confirmOrganisation(input: { id: $id, version: $v }) { organisation { id version stale reviewedAt reviewedBy name } } }";

/// How many organisations the `stale` filter lets through.
async fn organisations_stale(app: &TestApp, stale: bool) -> u64 {
    let data = app
        .query(
            "query($s: Boolean) { organisations(filter: { stale: $s }) { totalCount } }",
            json!({ "s": stale }),
        )
        .await;
    data["organisations"]["totalCount"].as_u64().unwrap()
}

both! {
    async fn seeded_rows_are_stale_until_confirmed(app: TestApp) {
        let all = organisations_stale(&app, true).await;
        assert!(all > 300, "every seeded organisation is stale: {all}");
        assert_eq!(organisations_stale(&app, false).await, 0);
        let (id, version) = kuopio(&app).await;

        let admin = token(Role::Admin, &[]);
        let body = app.post_as(&admin, CONFIRM_ORG, json!({ "id": id, "v": version })).await;
        let org = &body["data"]["confirmOrganisation"]["organisation"];
        assert_eq!(org["stale"], false, "{body}");
        assert_eq!(org["reviewedBy"], "test-integrator");
        assert_eq!(org["name"], "Kuopio", "nothing else changes");
        assert_eq!(org["version"].as_i64().unwrap(), version + 1);
        let at: chrono::DateTime<Utc> = org["reviewedAt"].as_str().unwrap().parse().unwrap();
        assert!((Utc::now() - at).num_seconds().abs() < 60, "{at}");

        assert_eq!(organisations_stale(&app, false).await, 1);
        assert_eq!(organisations_stale(&app, true).await, all - 1);
        let current = app
            .query("{ organisations(filter: { stale: false }) { nodes { name stale } } }", json!({}))
            .await;
        assert_eq!(current["organisations"]["nodes"], json!([{ "name": "Kuopio", "stale": false }]));
    }
}

both! {
    async fn confirming_follows_the_update_policy_and_version(app: TestApp) {
        let (id, version) = kuopio(&app).await;
        let kuopio_id: uuid::Uuid = id.parse().unwrap();
        let tervo = fixtures::municipality(&app.db, "844").await;

        let anonymous = app.post(CONFIRM_ORG, json!({ "id": id, "v": version })).await;
        assert_eq!(code(&anonymous["errors"][0]), "UNAUTHENTICATED", "{anonymous}");
        let other = app
            .post_as(&token(Role::Editor, &[tervo]), CONFIRM_ORG, json!({ "id": id, "v": version }))
            .await;
        assert_eq!(code(&other["errors"][0]), "FORBIDDEN", "{other}");
        let stale_version = app
            .post_as(&token(Role::Editor, &[kuopio_id]), CONFIRM_ORG, json!({ "id": id, "v": version - 1 }))
            .await;
        assert_eq!(code(&stale_version["errors"][0]), "CONFLICT", "{stale_version}");
        let unknown = app
            .post_as(&token(Role::Admin, &[]), CONFIRM_ORG, json!({ "id": uuid::Uuid::new_v4(), "v": 1 }))
            .await;
        assert_eq!(code(&unknown["errors"][0]), "NOT_FOUND", "{unknown}");
        let bad = app
            .post_as(&token(Role::Admin, &[]), CONFIRM_ORG, json!({ "id": "x", "v": 1 }))
            .await;
        assert_eq!(bad["errors"][0]["extensions"]["field"], "input.id", "{bad}");

        let own = app
            .post_as(&token(Role::Editor, &[kuopio_id]), CONFIRM_ORG, json!({ "id": id, "v": version }))
            .await;
        assert_eq!(own["data"]["confirmOrganisation"]["organisation"]["stale"], false, "{own}");
        // The version the client saw is now old.
        let again = app
            .post_as(&token(Role::Editor, &[kuopio_id]), CONFIRM_ORG, json!({ "id": id, "v": version }))
            .await;
        assert_eq!(code(&again["errors"][0]), "CONFLICT", "{again}");
    }
}

both! {
    async fn a_confirmation_is_audited_as_confirm_with_only_the_stamp_changed(app: TestApp) {
        let (id, version) = kuopio(&app).await;
        let admin = token(Role::Admin, &[]);
        let body = app.post_as(&admin, CONFIRM_ORG, json!({ "id": id, "v": version })).await;
        assert!(body["errors"].is_null(), "{body}");
        let log = app
            .post_as(
                &admin,
                "query($e: ID) { auditLog(entityId: $e) { totalCount nodes { operation actorSub before after } } }",
                json!({ "e": id }),
            )
            .await;
        let entries = &log["data"]["auditLog"];
        assert_eq!(entries["totalCount"], 1, "{log}");
        let entry = &entries["nodes"][0];
        assert_eq!(entry["operation"], "CONFIRM");
        assert_eq!(entry["actorSub"], "test-integrator");
        let (before, after) = (entry["before"].as_object().unwrap(), entry["after"].as_object().unwrap());
        let mut changed: Vec<&str> = before
            .keys()
            .filter(|k| before[k.as_str()] != after[k.as_str()])
            .map(String::as_str)
            .collect();
        changed.sort();
        assert_eq!(changed, ["reviewed_at", "reviewed_by", "updated_at", "version"]);
        assert_eq!(before["reviewed_at"], Value::Null);
        assert_eq!(after["reviewed_by"], "test-integrator");
    }
}

both! {
    async fn every_kind_of_row_can_be_confirmed_and_filtered(app: TestApp) {
        let admin = token(Role::Admin, &[]);
        let data = app
            .query(
                "{ representatives(first: 1) { nodes { id version stale person { id version stale } } }
                   networks(first: 1, filter: { includeInactive: true }) { nodes { id version stale } }
                   actions(first: 1) { nodes { id version stale } } }",
                json!({}),
            )
            .await;
        let rep = &data["representatives"]["nodes"][0];
        let rows = [
            ("confirmRepresentative", "representative", rep.clone()),
            ("confirmPerson", "person", rep["person"].clone()),
            ("confirmNetwork", "network", data["networks"]["nodes"][0].clone()),
            ("confirmAction", "action", data["actions"]["nodes"][0].clone()),
        ];
        for (mutation, field, row) in rows {
            assert_eq!(row["stale"], true, "{field} seeded, never confirmed");
            let body = app
                .post_as(
                    &admin,
                    &format!("mutation($id: ID!, $v: Int!) {{ {mutation}(input: {{ id: $id, version: $v }}) {{ {field} {{ id stale reviewedBy }} }} }}"),
                    json!({ "id": row["id"], "v": row["version"] }),
                )
                .await;
            let confirmed = &body["data"][mutation][field];
            assert_eq!(confirmed["stale"], false, "{body}");
            assert_eq!(confirmed["reviewedBy"], "test-integrator");
        }
        let lists = app
            .query(
                "{ representatives(filter: { stale: false }) { totalCount }
                   networks(filter: { stale: false, includeInactive: true }) { totalCount }
                   actions(filter: { stale: false }) { totalCount }
                   staleActions: actions(filter: { stale: true }) { totalCount }
                   allActions: actions { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(lists["representatives"]["totalCount"], 1);
        assert_eq!(lists["networks"]["totalCount"], 1);
        assert_eq!(lists["actions"]["totalCount"], 1);
        assert_eq!(
            lists["staleActions"]["totalCount"].as_u64().unwrap() + 1,
            lists["allActions"]["totalCount"].as_u64().unwrap()
        );
    }
}

/// The HYTE pair of Kuopio at the interface level: the county's coordinator stands on it.
const PAIR: &str =
    "{ counterparts(municipalityCode: \"297\", topic: \"health-promotion\", level: INTERFACE) {
    stale countyRepresentatives { id version stale person { id version stale } } } }";

/// Sets `reviewed_at` of every row of `table` to `at`, as if confirmed then.
async fn reviewed_at(app: &TestApp, table: &str, at: chrono::DateTime<Utc>) {
    let backend = app.db.get_database_backend();
    let placeholder = match backend {
        sea_orm::DatabaseBackend::Postgres => "$1",
        _ => "?",
    };
    let sql = format!("UPDATE {table} SET reviewed_at = {placeholder}, reviewed_by = 'test'");
    app.db
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [sea_orm::Value::from(at)],
        ))
        .await
        .expect("set reviewed_at");
}

both! {
    async fn pairs_on_stale_rows_are_marked_and_counted(app: TestApp) {
        let pair = app.query(PAIR, json!({})).await;
        let pair = &pair["counterparts"][0];
        assert_eq!(pair["stale"], true, "{pair}");
        let rep = pair["countyRepresentatives"][0].clone();
        assert_eq!(rep["stale"], true);

        let county = app
            .query("{ organisation(municipalityCode: \"297\") { county { id } } }", json!({}))
            .await["organisation"]["county"]["id"]
            .clone();
        let coverage = "query($c: ID!) { coverage(countyId: $c) { stalePairs stale { municipality { name } topic { slug } level staleRepresentatives { id } } } }";
        let before = app.query(coverage, json!({ "c": county })).await;
        let stale_before = before["coverage"]["stalePairs"].as_i64().unwrap();
        // Each of the 19 municipalities rests on the coordinators at the interface level of
        // the HYTE topic (and others): stale until they are confirmed.
        assert!(stale_before >= 19, "{before}");
        assert_eq!(before["coverage"]["stale"].as_array().unwrap().len() as i64, stale_before);
        assert!(before["coverage"]["stale"].as_array().unwrap().iter().any(|p| {
            p["municipality"]["name"] == "Kuopio" && p["topic"]["slug"] == "health-promotion" && p["level"] == "INTERFACE"
        }));

        // Confirming the representative alone is not enough: its person is stale too.
        let admin = token(Role::Admin, &[]);
        let body = app
            .post_as(&admin, "mutation($id: ID!, $v: Int!) { confirmRepresentative(input: { id: $id, version: $v }) { representative { stale } } }", json!({ "id": rep["id"], "v": rep["version"] }))
            .await;
        assert_eq!(body["data"]["confirmRepresentative"]["representative"]["stale"], false, "{body}");
        let pair = app.query(PAIR, json!({})).await;
        assert_eq!(pair["counterparts"][0]["stale"], true, "the person is still stale");
        // The topic's sub-themes count too: every representative of the pair, and every
        // person, must be confirmed.
        let reps = pair["counterparts"][0]["countyRepresentatives"].as_array().unwrap().clone();
        let mut persons = std::collections::BTreeMap::new();
        for r in &reps {
            persons.insert(r["person"]["id"].as_str().unwrap().to_owned(), r["person"]["version"].clone());
            if r["stale"] == false {
                continue;
            }
            let body = app
                .post_as(&admin, "mutation($id: ID!, $v: Int!) { confirmRepresentative(input: { id: $id, version: $v }) { representative { stale } } }", json!({ "id": r["id"], "v": r["version"] }))
                .await;
            assert!(body["errors"].is_null(), "{body}");
        }
        for (id, version) in persons {
            let body = app
                .post_as(&admin, "mutation($id: ID!, $v: Int!) { confirmPerson(input: { id: $id, version: $v }) { person { stale } } }", json!({ "id": id, "v": version }))
                .await;
            assert_eq!(body["data"]["confirmPerson"]["person"]["stale"], false, "{body}");
        }
        // The confirmations committed through the write path: the cached index is read anew.
        let pair = app.query(PAIR, json!({})).await;
        assert_eq!(pair["counterparts"][0]["stale"], false, "{pair}");
        let after = app.query(coverage, json!({ "c": county })).await;
        assert!(after["coverage"]["stalePairs"].as_i64().unwrap() < stale_before, "{after}");
        assert!(!after["coverage"]["stale"].as_array().unwrap().iter().any(|p| {
            p["municipality"]["name"] == "Kuopio" && p["topic"]["slug"] == "health-promotion" && p["level"] == "INTERFACE"
        }));
    }
}

/// With a review period of a week, a confirmation ten days old is stale (with the default
/// twelve months it would be current) and one three days old is not: the period is the
/// configured one, and staleness is judged when asked, not when the index was cached.
async fn the_period_decides(backend: Backend) {
    let week = yhdyspinta::config::ServeArgs {
        review_period: ReviewPeriod::Days(7),
        ..Default::default()
    };
    let Some(app) = spawn_app_with_args(backend, week).await else {
        eprintln!("PostgreSQL binaries not found: skipping");
        return;
    };
    for table in ["representative", "person"] {
        reviewed_at(&app, table, Utc::now() - Duration::days(10)).await;
    }
    let pair = app.query(PAIR, json!({})).await;
    assert_eq!(pair["counterparts"][0]["stale"], true, "{pair}");
    assert_eq!(
        pair["counterparts"][0]["countyRepresentatives"][0]["stale"],
        true
    );
    let stale = "{ representatives(filter: { stale: true }) { totalCount } }";
    assert!(
        app.query(stale, json!({})).await["representatives"]["totalCount"]
            .as_u64()
            .unwrap()
            > 0
    );

    for table in ["representative", "person"] {
        reviewed_at(&app, table, Utc::now() - Duration::days(3)).await;
    }
    // Written behind the API's back: wait out the cache's age limit.
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    let pair = app.query(PAIR, json!({})).await;
    assert_eq!(pair["counterparts"][0]["stale"], false, "{pair}");
    assert_eq!(
        pair["counterparts"][0]["countyRepresentatives"][0]["stale"],
        false
    );
    assert_eq!(
        app.query(stale, json!({})).await["representatives"]["totalCount"],
        0
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_period_decides_sqlite() {
    the_period_decides(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_period_decides_postgres() {
    the_period_decides(Backend::Postgres).await;
}

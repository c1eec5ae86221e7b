//! Scale-out reads: with `DATABASE_READ_URL`, anonymous queries read from a PostgreSQL
//! streaming replica, while mutations and every request with a token run on the primary.
//! The tests make the replica themselves: a primary of their own and a hot standby cloned
//! from it with `pg_basebackup -R`, both on loopback.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde_json::{Value, json};
use yhdyspinta::auth::policy::Role;

use crate::support::{TestApp, code, postgres, spawn_app_at, token};

const KUOPIO: &str = "{ organisation(municipalityCode: \"297\") { id version website } }";

/// A value of the first row of `sql`.
async fn scalar<T: sea_orm::TryGetable>(db: &DatabaseConnection, sql: &str) -> T {
    let row = db
        .query_one_raw(sea_orm::Statement::from_string(
            db.get_database_backend(),
            sql,
        ))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .unwrap_or_else(|| panic!("{sql}: no row"));
    row.try_get_by_index(0).expect("a value")
}

/// An application over a seeded primary and a streaming standby of it, with the standby,
/// or `None` when PostgreSQL is not installed.
async fn replicated_app() -> Option<(TestApp, postgres::PgCluster, postgres::PgCluster)> {
    let Some(primary) = postgres::own_cluster() else {
        eprintln!("PostgreSQL binaries not found: skipping the replica test");
        return None;
    };
    let url = postgres::create_database(&primary, "replicated", None).await;
    // Seeded before the base backup, so the standby starts with the data.
    let db = yhdyspinta::db::connect(&url).await.expect("connect");
    yhdyspinta::prepare(&db, true).await.expect("seed");
    db.close().await.expect("close");
    let standby = tokio::task::block_in_place(|| primary.standby());
    let app = spawn_app_at(&url, Some(&standby.url("replicated")), Default::default()).await;
    Some((app, primary, standby))
}

/// Kuopio's row as an anonymous caller sees it.
async fn anonymous_view(app: &TestApp) -> Value {
    app.query(KUOPIO, json!({})).await["organisation"].clone()
}

/// Kuopio's row as a writer with `token` sees it.
async fn writer_view(app: &TestApp, token: &str) -> Value {
    let body = app.post_as(token, KUOPIO, json!({})).await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["organisation"].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anonymous_reads_come_from_the_replica_and_writers_read_their_writes() {
    let Some((app, _primary, _standby)) = replicated_app().await else {
        return;
    };
    let replica = app.replica.as_ref().expect("a replica pool");
    assert!(scalar::<bool>(replica, "SELECT pg_is_in_recovery()").await);
    assert!(!scalar::<bool>(&app.db, "SELECT pg_is_in_recovery()").await);
    let admin = token(Role::Admin, &[]);

    // Each request's statements run on one pool only, chosen by who asks.
    app.reset_statements();
    let before = anonymous_view(&app).await;
    assert_eq!(
        app.statement_count(),
        0,
        "an anonymous query ran on the primary"
    );
    assert!(
        app.replica_statements
            .load(std::sync::atomic::Ordering::SeqCst)
            > 0
    );
    app.reset_statements();
    assert_eq!(writer_view(&app, &admin).await, before);
    assert_eq!(
        app.replica_statements
            .load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a writer read from the replica"
    );
    assert!(app.statement_count() > 0);

    // With replay paused on the standby, a write reaches the primary only: the writer
    // reads it at once, an anonymous caller still reads the replica's older row.
    replica
        .execute_unprepared("SELECT pg_wal_replay_pause()")
        .await
        .expect("pause replay");
    let deadline = Instant::now() + Duration::from_secs(10);
    while scalar::<String>(replica, "SELECT pg_get_wal_replay_pause_state()").await != "paused" {
        assert!(
            Instant::now() < deadline,
            "the standby did not pause replay"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let website = "https://example.org/replica-test";
    let body = app
        .post_as(
            &admin,
            "mutation($id: ID!, $v: Int!, $w: String!) { updateOrganisation(input: { id: $id, version: $v, website: $w }) { organisation { website } } }",
            json!({ "id": before["id"], "v": before["version"], "w": website }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    assert_eq!(writer_view(&app, &admin).await["website"], website);
    let stale = anonymous_view(&app).await;
    assert_eq!(stale["website"], before["website"]);
    assert_eq!(stale["version"], before["version"]);

    // Replay resumed, the anonymous view catches up.
    replica
        .execute_unprepared("SELECT pg_wal_replay_resume()")
        .await
        .expect("resume replay");
    let deadline = Instant::now() + Duration::from_secs(10);
    while anonymous_view(&app).await["website"] != website {
        assert!(Instant::now() < deadline, "the replica did not catch up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutations_run_on_the_primary_and_readyz_checks_both() {
    let Some((app, _primary, standby)) = replicated_app().await else {
        return;
    };
    // An anonymous mutation is refused before any SQL, on neither pool.
    app.reset_statements();
    let error = app
        .error(
            "mutation($id: ID!) { updateOrganisation(input: { id: $id, version: 1, website: \"https://example.org/x\" }) { organisation { id } } }",
            json!({ "id": "00000000-0000-0000-0000-000000000000" }),
        )
        .await;
    assert_eq!(code(&error), "UNAUTHENTICATED", "{error}");
    assert_eq!(
        app.replica_statements
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );

    let ready: Value = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready,
        json!({ "status": "ready", "primary": "ok", "replica": "ok" })
    );

    let admin = token(Role::Admin, &[]);
    let kuopio = writer_view(&app, &admin).await;
    assert!(kuopio["id"].is_string(), "{kuopio}");

    // Without its replica a node is not ready (its anonymous reads would fail), and says
    // which database is missing.
    tokio::task::block_in_place(|| standby.stop_fast());
    let response = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(response.status(), 503);
    let ready: Value = response.json().await.unwrap();
    assert_eq!(
        ready,
        json!({ "status": "unavailable", "primary": "ok", "replica": "unavailable" })
    );
    let response = app
        .client
        .post(app.url("/graphql"))
        .json(&json!({ "query": KUOPIO }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(code(&body["errors"][0]), "SERVICE_UNAVAILABLE", "{body}");
    // A writer's reads run on the primary, which still answers.
    assert_eq!(writer_view(&app, &admin).await, kuopio);
}

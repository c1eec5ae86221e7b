//! The change-feed migration numbers the audit rows written before it, in the order they
//! occurred, and starts the counter after them; the next write takes the next number.

use chrono::{TimeZone, Utc};
use migration::{Migrator, MigratorTrait};
use sea_orm::sea_query::{Alias, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryOrder};
use uuid::Uuid;

use crate::support::{Backend, postgres, unique};

/// An empty database of `backend` (with the directory holding an SQLite file).
async fn empty(backend: Backend) -> Option<(DatabaseConnection, Option<tempfile::TempDir>)> {
    let (url, dir) = match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().unwrap();
            (
                format!("sqlite://{}", dir.path().join("old.db").display()),
                Some(dir),
            )
        }
        Backend::Postgres => {
            let cluster = postgres::cluster()?;
            (
                postgres::create_database(cluster, &unique("m"), None).await,
                None,
            )
        }
    };
    Some((yhdyspinta::db::connect(&url).await.unwrap(), dir))
}

async fn numbers_old_rows(backend: Backend) {
    let Some((db, _dir)) = empty(backend).await else {
        eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run");
        return;
    };
    Migrator::up(&db, Some(3)).await.unwrap();
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap();
    let rows = [
        (Uuid::new_v4(), day(3)),
        (Uuid::new_v4(), day(1)),
        (Uuid::new_v4(), day(2)),
    ];
    for (id, at) in rows {
        let insert = Query::insert()
            .into_table(Alias::new("audit_log"))
            .columns(
                [
                    "id",
                    "occurred_at",
                    "actor_sub",
                    "entity_type",
                    "entity_id",
                    "operation",
                ]
                .map(Alias::new),
            )
            .values_panic([
                id.into(),
                at.into(),
                "vanha".into(),
                "Person".into(),
                Uuid::new_v4().into(),
                "CREATE".into(),
            ])
            .to_owned();
        db.execute(&insert).await.unwrap();
    }
    Migrator::up(&db, None).await.unwrap();
    let numbered: Vec<(Uuid, Option<i64>, Option<i32>)> = entity::audit_log::Entity::find()
        .order_by_asc(entity::audit_log::Column::OccurredAt)
        .all(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.id, r.seq, r.sub))
        .collect();
    assert_eq!(
        numbered,
        vec![
            (rows[1].0, Some(1), Some(0)),
            (rows[2].0, Some(2), Some(0)),
            (rows[0].0, Some(3), Some(0))
        ]
    );
    let tx = yhdyspinta::db::tx::begin(&db).await.unwrap();
    let next = sea_orm::Statement::from_string(
        db.get_database_backend(),
        "UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq",
    );
    let row = tx.query_one_raw(next).await.unwrap().unwrap();
    assert_eq!(
        row.try_get::<i64>("", "seq").unwrap(),
        4,
        "the counter starts after the old rows"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_audit_rows_are_numbered_in_order_sqlite() {
    numbers_old_rows(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn old_audit_rows_are_numbered_in_order_postgres() {
    numbers_old_rows(Backend::Postgres).await;
}

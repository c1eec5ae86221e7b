//! Reading the CSV: valid rows, every problem reported with its line and column.

use std::collections::HashMap;

use entity::enums::Level;
use uuid::Uuid;

use super::{CSV_COLUMNS, parse_rows};

fn maps() -> (HashMap<String, Uuid>, HashMap<String, Uuid>) {
    let topics = HashMap::from([("employment".to_owned(), Uuid::from_u128(1))]);
    let munis = HashMap::from([
        ("297".to_owned(), Uuid::from_u128(2)),
        ("844".to_owned(), Uuid::from_u128(3)),
    ]);
    (topics, munis)
}

#[test]
fn parses_valid_rows() {
    let (t, m) = maps();
    let csv = format!(
        "{}\nAino Esimerkki,Koordinaattori,aino@example.org,044 1234567,PUBLIC,employment,INTERFACE,yhdyshenkilö,,297;844,2024-01-01,\n",
        CSV_COLUMNS.join(",")
    );
    let (rows, errors) = parse_rows(&csv, &t, &m);
    assert_eq!(errors, vec![]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].phone.as_deref(), Some("+358441234567"));
    assert_eq!(rows[0].served, vec![Uuid::from_u128(2), Uuid::from_u128(3)]);
    assert_eq!(rows[0].level, Level::Interface);
}

#[test]
fn reports_every_problem_with_line_and_column() {
    let (t, m) = maps();
    let csv = format!(
        "{}\n,x,not-an-email,abc,SECRET,nope,HIGH,,,999,2024-02-30,\nAino,,,,,employment,EVERYDAY,,,,2024-05-01,2024-01-01\n",
        CSV_COLUMNS.join(",")
    );
    let (rows, errors) = parse_rows(&csv, &t, &m);
    assert!(rows.is_empty());
    let at = |line: i32, column: &str| {
        errors
            .iter()
            .any(|e| e.line == line && e.column.as_deref() == Some(column))
    };
    for column in [
        "person_name",
        "email",
        "phone",
        "visibility",
        "topic",
        "level",
        "served_municipality_codes",
        "valid_from",
    ] {
        assert!(at(2, column), "line 2 {column}: {errors:?}");
    }
    assert!(at(3, "valid_to"));
}

#[test]
fn refuses_a_wrong_header() {
    let (t, m) = maps();
    let (rows, errors) = parse_rows("name,topic\nAino,employment\n", &t, &m);
    assert!(rows.is_empty());
    assert_eq!(errors[0].line, 1);
}

mod import {
    use entity::{organisation, person, representative};
    use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
    use uuid::Uuid;

    use super::super::{CSV_COLUMNS, import};
    use crate::domain::counterpart::service::tests::{admin, seeded};

    async fn counts(db: &DatabaseConnection, org: Uuid) -> (u64, u64) {
        let reps = representative::Entity::find()
            .filter(representative::Column::OrganisationId.eq(org))
            .count(db)
            .await
            .unwrap();
        let persons = person::Entity::find()
            .filter(person::Column::OrganisationId.eq(org))
            .count(db)
            .await
            .unwrap();
        (reps, persons)
    }

    /// Any invalid row and nothing is written; a dry run writes nothing either; a valid
    /// file is written whole, creating the persons it names.
    #[tokio::test]
    async fn an_import_is_all_or_nothing() {
        let (_dir, db) = seeded().await;
        let tervo = organisation::Entity::find()
            .filter(organisation::Column::MunicipalityCode.eq("844"))
            .one(&db)
            .await
            .unwrap()
            .unwrap()
            .id;
        let header = CSV_COLUMNS.join(",");
        let good = "Aino Testaaja,,,,PUBLIC,employment,INTERFACE,,Eero Varalla,,2025-01-01,";
        let bad = "Bertta Testaaja,,,,PUBLIC,no-such-topic,INTERFACE,,,,,";
        let before = counts(&db, tervo).await;

        let mixed = format!("{header}\n{good}\n{bad}\n");
        let done = import(&db, &admin(), tervo, &mixed, false).await.unwrap();
        assert!(!done.applied);
        assert_eq!(done.valid_rows, 1);
        assert_eq!(done.errors.len(), 1);
        assert_eq!(done.errors[0].line, 3);
        assert_eq!(done.errors[0].column.as_deref(), Some("topic"));
        assert_eq!(counts(&db, tervo).await, before);

        let valid = format!("{header}\n{good}\n");
        let done = import(&db, &admin(), tervo, &valid, true).await.unwrap();
        assert!(done.dry_run && !done.applied && done.errors.is_empty());
        assert_eq!(counts(&db, tervo).await, before);

        let done = import(&db, &admin(), tervo, &valid, false).await.unwrap();
        assert!(done.applied);
        assert_eq!(done.representatives.len(), 1);
        assert_eq!(done.persons_created, 2);
        assert_eq!(counts(&db, tervo).await, (before.0 + 1, before.1 + 2));
    }
}

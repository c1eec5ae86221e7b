//! Importing the representatives CSV again changes nothing: rows match existing
//! appointments by person, topic, level and `valid_from`, and update or leave them.

use serde_json::{Value, json};
use uuid::Uuid;
use yhdyspinta::auth::policy::Role;

use crate::both;
use crate::support::fixtures;
use crate::support::*;

const HEADER: &str = "person_name,title,email,phone,visibility,topic,level,role,deputy_name,served_municipality_codes,valid_from,valid_to";
const IMPORT: &str = "mutation($o: ID!, $csv: String!, $dry: Boolean) { importRepresentatives(organisationId: $o, csv: $csv, dryRun: $dry) {
    applied validRows personsCreated created updated unchanged errors { line column message } rows { line outcome representativeId } representatives { id }
} }";
const EXPORT: &str =
    "query($o: ID!) { representativesCsv(organisationId: $o, includeInactive: true) }";

async fn import(app: &TestApp, token: &str, org: Uuid, csv: &str, dry_run: bool) -> Value {
    let body = app
        .post_as(
            token,
            IMPORT,
            json!({ "o": org.to_string(), "csv": csv, "dry": dry_run }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
    body["data"]["importRepresentatives"].clone()
}

async fn export(app: &TestApp, token: &str, org: Uuid) -> String {
    let body = app
        .post_as(token, EXPORT, json!({ "o": org.to_string() }))
        .await;
    body["data"]["representativesCsv"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"))
        .to_owned()
}

async fn representatives(app: &TestApp) -> u64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    entity::representative::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

fn outcomes(result: &Value) -> Vec<(i64, String)> {
    result["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_i64().unwrap(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both! {
    async fn export_import_import_changes_nothing(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(Role::Editor, &[kuopio]);
        let csv = format!(
            "{HEADER}\n\
             Aino Esimerkki,Työllisyyskoordinaattori,aino@example.org,044 1234567,PUBLIC,employment,INTERFACE,yhdyshenkilö,Bertta Esimerkki,297;844,2026-01-01,\n\
             Bertta Esimerkki,,bertta@example.org,,INTERNAL,health-promotion,LEADERSHIP,,,,,\n\
             Aino Esimerkki,,,,PUBLIC,employment,EVERYDAY,vanha rooli,,,2024-01-01,2024-12-31\n"
        );
        let first = import(&app, &editor, kuopio, &csv, false).await;
        assert_eq!((first["created"].as_i64(), first["updated"].as_i64(), first["unchanged"].as_i64()), (Some(3), Some(0), Some(0)), "{first}");
        assert_eq!(first["personsCreated"], 2);
        let exported = export(&app, &editor, kuopio).await;
        let (reps, audits) = (representatives(&app).await, fixtures::audit_rows(&app.db).await);

        // Import the export twice: every row unchanged, nothing written, the same export.
        for _ in 0..2 {
            let again = import(&app, &editor, kuopio, &exported, false).await;
            assert_eq!(again["applied"], true);
            assert_eq!((again["created"].as_i64(), again["updated"].as_i64()), (Some(0), Some(0)), "{again}");
            assert_eq!(again["unchanged"].as_i64().unwrap(), exported.lines().count() as i64 - 1);
            assert_eq!(again["personsCreated"], 0);
            assert_eq!(again["representatives"], json!([]));
            assert_eq!(representatives(&app).await, reps);
            assert_eq!(fixtures::audit_rows(&app.db).await, audits);
            assert_eq!(export(&app, &editor, kuopio).await, exported);
        }

        // An edited row updates its appointment; the dry run says so first.
        let edited = exported.replace(",vanha rooli,", ",uusi rooli,");
        assert_ne!(edited, exported);
        let line = 1 + edited.lines().position(|l| l.contains("uusi rooli")).unwrap() as i64;
        let dry = import(&app, &editor, kuopio, &edited, true).await;
        assert_eq!(dry["applied"], false);
        let rows = outcomes(&dry);
        assert!(rows.contains(&(line, "UPDATED".into())), "{dry}");
        assert_eq!(rows.iter().filter(|(_, o)| o == "UNCHANGED").count(), rows.len() - 1, "{dry}");
        assert_eq!(fixtures::audit_rows(&app.db).await, audits, "a dry run writes nothing");
        let applied = import(&app, &editor, kuopio, &edited, false).await;
        assert_eq!((applied["created"].as_i64(), applied["updated"].as_i64()), (Some(0), Some(1)), "{applied}");
        assert_eq!(applied["representatives"].as_array().unwrap().len(), 1);
        assert_eq!(representatives(&app).await, reps);
        assert_eq!(fixtures::audit_rows(&app.db).await, audits + 1, "one update audited");
        assert_eq!(export(&app, &editor, kuopio).await, edited);
        // A new first day is a new appointment.
        let next = format!("{HEADER}\nBertta Esimerkki,,,,INTERNAL,health-promotion,LEADERSHIP,,,,2027-01-01,\n");
        let result = import(&app, &editor, kuopio, &next, false).await;
        assert_eq!(outcomes(&result), vec![(2, "CREATED".to_owned())]);
        assert_eq!(result["personsCreated"], 0);
    }
}

both! {
    async fn a_file_naming_one_appointment_twice_is_refused(app: TestApp) {
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let editor = token(Role::Editor, &[kuopio]);
        let csv = format!(
            "{HEADER}\nAino Esimerkki,,,,PUBLIC,employment,INTERFACE,a,,,2026-01-01,\naino esimerkki,,,,PUBLIC,employment,INTERFACE,b,,,2026-01-01,\n"
        );
        let result = import(&app, &editor, kuopio, &csv, false).await;
        assert_eq!(result["applied"], false);
        assert_eq!(result["errors"][0]["line"], 3, "{result}");
        assert!(result["errors"][0]["message"].as_str().unwrap().contains("line 2"), "{result}");
        assert_eq!(fixtures::audit_rows(&app.db).await, 0);
    }
}

both! {
    async fn the_seeded_representatives_survive_a_round_trip(app: TestApp) {
        let admin = token(Role::Admin, &[]);
        let county = fixtures::county(&app.db, "13").await;
        for org in [fixtures::municipality(&app.db, "297").await, county] {
            let exported = export(&app, &admin, org).await;
            let before = (representatives(&app).await, fixtures::audit_rows(&app.db).await);
            let result = import(&app, &admin, org, &exported, false).await;
            assert_eq!((result["created"].as_i64(), result["updated"].as_i64()), (Some(0), Some(0)), "{result}");
            assert_eq!((representatives(&app).await, fixtures::audit_rows(&app.db).await), before);
            assert_eq!(export(&app, &admin, org).await, exported);
        }
    }
}

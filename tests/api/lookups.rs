//! The counterpart lookup, coverage and representatives' history (search is in `search.rs`).

use chrono::Utc;
use entity::enums::{Level, Visibility};
use entity::topic;
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::both;
use crate::support::fixtures::{self, Rep, date};
use crate::support::*;

/// Ids of the fictional representatives of [`scenario`].
struct Scenario {
    kuopio_interface: Uuid,
    county_interface: Uuid,
    tervo_only_leadership: Uuid,
    kuopio_ended_leadership: Uuid,
    county_subtopic_everyday: Uuid,
}

/// Pohjois-Savo with a few fictional employment representatives:
/// Kuopio and the county at the interface level (the county one serving everyone), a
/// county leader serving only Tervo, a Kuopio leader whose term ended at the end of 2024,
/// and a county representative on a sub-theme of employment at the everyday level.
async fn scenario(app: &TestApp) -> Scenario {
    let db = &app.db;
    let kuopio = fixtures::municipality(db, "297").await;
    let tervo = fixtures::municipality(db, "844").await;
    let county = fixtures::county(db, "13").await;
    let employment = fixtures::topic(db, "employment").await;
    let now = Utc::now();
    let subtopic = Uuid::new_v4();
    topic::Model {
        id: subtopic,
        slug: "test-youth-guarantee".into(),
        kind: entity::enums::TopicKind::Interface,
        code: None,
        name_fi: "Nuorisotakuu (testi)".into(),
        name_sv: None,
        name_en: None,
        description: None,
        parent_id: Some(employment),
        sort_order: 99,
        created_at: now,
        updated_at: now,
        version: 1,
    }
    .into_active_model()
    .insert(db)
    .await
    .unwrap();
    let kaisa = fixtures::person(db, "Kaisa Kuntalainen", kuopio, Visibility::Public).await;
    let hanna = fixtures::person(db, "Hanna Hyvinvointialue", county, Visibility::Public).await;
    let ville = fixtures::person(db, "Ville Johtaja", county, Visibility::Public).await;
    let olli = fixtures::person(db, "Olli Entinen", kuopio, Visibility::Public).await;
    let nea = fixtures::person(db, "Nea Nuorisotakuu", county, Visibility::Public).await;
    let rep = |person, organisation, topic, level, serves, valid_to| Rep {
        person,
        organisation,
        topic,
        level,
        serves,
        valid_from: None,
        valid_to,
    };
    Scenario {
        kuopio_interface: fixtures::representative(
            db,
            rep(kaisa, kuopio, employment, Level::Interface, &[], None),
        )
        .await,
        county_interface: fixtures::representative(
            db,
            rep(hanna, county, employment, Level::Interface, &[], None),
        )
        .await,
        tervo_only_leadership: fixtures::representative(
            db,
            rep(ville, county, employment, Level::Leadership, &[tervo], None),
        )
        .await,
        kuopio_ended_leadership: fixtures::representative(
            db,
            rep(
                olli,
                kuopio,
                employment,
                Level::Leadership,
                &[],
                Some(date(2024, 12, 31)),
            ),
        )
        .await,
        county_subtopic_everyday: fixtures::representative(
            db,
            rep(nea, county, subtopic, Level::Everyday, &[], None),
        )
        .await,
    }
}

fn ids(list: &Value) -> Vec<String> {
    let mut ids: Vec<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[Uuid]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    ids.sort();
    ids
}

const COUNTERPARTS: &str = "query($code: String!, $topic: String, $level: Level, $on: Date) {
  counterparts(municipalityCode: $code, topic: $topic, level: $level, activeOn: $on) {
    municipality { name } topic { slug } level complete
    municipalityRepresentatives { id person { name } }
    countyRepresentatives { id person { name } }
  }
}";

both! {
    async fn counterpart_pairs(app: TestApp) {
        let s = scenario(&app).await;
        // Kuopio, employment, interface level: both sides named.
        let data = app
            .query(COUNTERPARTS, json!({ "code": "297", "topic": "employment", "level": "INTERFACE" }))
            .await;
        let pairs = data["counterparts"].as_array().unwrap();
        assert_eq!(pairs.len(), 1);
        let pair = &pairs[0];
        assert_eq!(pair["municipality"]["name"], "Kuopio");
        assert_eq!(pair["complete"], true);
        assert_eq!(ids(&pair["municipalityRepresentatives"]), sorted(&[s.kuopio_interface]));
        assert_eq!(ids(&pair["countyRepresentatives"]), sorted(&[s.county_interface]));
        assert_eq!(pair["countyRepresentatives"][0]["person"]["name"], "Hanna Hyvinvointialue");

        // Leadership: the county leader serves only Tervo; Kuopio's leader has left.
        let data = app
            .query(COUNTERPARTS, json!({ "code": "297", "topic": "employment", "level": "LEADERSHIP" }))
            .await;
        let pair = &data["counterparts"][0];
        assert_eq!(pair["complete"], false);
        assert_eq!(pair["municipalityRepresentatives"].as_array().unwrap().len(), 0);
        assert_eq!(pair["countyRepresentatives"].as_array().unwrap().len(), 0);
        let data = app
            .query(COUNTERPARTS, json!({ "code": "844", "topic": "employment", "level": "LEADERSHIP" }))
            .await;
        assert_eq!(ids(&data["counterparts"][0]["countyRepresentatives"]), sorted(&[s.tervo_only_leadership]));

        // History: in mid-2024 Kuopio's leader was in office.
        let data = app
            .query(
                COUNTERPARTS,
                json!({ "code": "297", "topic": "employment", "level": "LEADERSHIP", "on": "2024-06-01" }),
            )
            .await;
        assert_eq!(
            ids(&data["counterparts"][0]["municipalityRepresentatives"]),
            sorted(&[s.kuopio_ended_leadership])
        );

        // A sub-theme representative counts for its interface area.
        let data = app
            .query(COUNTERPARTS, json!({ "code": "297", "topic": "employment", "level": "EVERYDAY" }))
            .await;
        assert_eq!(
            ids(&data["counterparts"][0]["countyRepresentatives"]),
            sorted(&[s.county_subtopic_everyday])
        );

        // Without topic and level: every interface area a–e at every level.
        let data = app.query(COUNTERPARTS, json!({ "code": "297" })).await;
        let pairs = data["counterparts"].as_array().unwrap();
        assert_eq!(pairs.len(), 5 * 4);
        let complete: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|p| p["complete"] == true)
            .map(|p| (p["topic"]["slug"].as_str().unwrap(), p["level"].as_str().unwrap()))
            .collect();
        assert!(complete.contains(&("employment", "INTERFACE")));
        assert!(!complete.contains(&("employment", "LEADERSHIP")));
    }
}

both! {
    async fn representatives_know_their_counterparts(app: TestApp) {
        let s = scenario(&app).await;
        let query = "query($org: ID) { representatives(filter: { organisationId: $org, topic: \"employment\" }) {
            edges { node { id level person { name } counterparts { id } servedMunicipalities { municipalityCode } servesAllMunicipalities } }
        } }";
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let data = app.query(query, json!({ "org": kuopio.to_string() })).await;
        let edges = data["representatives"]["edges"].as_array().unwrap();
        // The ended leader is not listed today.
        assert_eq!(edges.len(), 1);
        let kaisa = &edges[0]["node"];
        assert_eq!(kaisa["id"], s.kuopio_interface.to_string());
        assert_eq!(ids(&kaisa["counterparts"]), sorted(&[s.county_interface]));
        assert_eq!(kaisa["servedMunicipalities"], json!([{ "municipalityCode": "297" }]));
        assert_eq!(kaisa["servesAllMunicipalities"], true);

        let county = fixtures::county(&app.db, "13").await;
        let data = app.query(query, json!({ "org": county.to_string() })).await;
        let edges = data["representatives"]["edges"].as_array().unwrap();
        let hanna = edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["id"] == s.county_interface.to_string())
            .expect("county representative listed");
        assert_eq!(ids(&hanna["counterparts"]), sorted(&[s.kuopio_interface]));
        assert_eq!(hanna["servedMunicipalities"].as_array().unwrap().len(), 19);
        let ville = edges
            .iter()
            .map(|e| &e["node"])
            .find(|n| n["id"] == s.tervo_only_leadership.to_string())
            .expect("Tervo's leader listed");
        assert_eq!(ville["servedMunicipalities"], json!([{ "municipalityCode": "844" }]));
        assert_eq!(ville["servesAllMunicipalities"], false);
    }
}

both! {
    async fn representative_filters(app: TestApp) {
        let s = scenario(&app).await;
        let query = "query($f: RepresentativeFilter) { representatives(filter: $f, first: 100) { totalCount edges { node { id } } } }";
        let list = |data: &Value| -> Vec<String> {
            let mut ids: Vec<String> = data["representatives"]["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            ids
        };
        // Serving Tervo: the county representatives serving everyone, and Tervo's leader.
        let data = app.query(query, json!({ "f": { "municipalityCode": "844", "topic": "employment" } })).await;
        assert_eq!(list(&data), sorted(&[s.county_interface, s.tervo_only_leadership, s.county_subtopic_everyday]));
        // Serving Kuopio: its own and the county's, not Tervo's leader.
        let data = app.query(query, json!({ "f": { "municipalityCode": "297", "topic": "employment" } })).await;
        assert_eq!(list(&data), sorted(&[s.kuopio_interface, s.county_interface, s.county_subtopic_everyday]));
        // Level.
        let data = app
            .query(query, json!({ "f": { "topic": "employment", "level": "LEADERSHIP" } }))
            .await;
        assert_eq!(list(&data), sorted(&[s.tervo_only_leadership]));
        // History by day, or all of it.
        let data = app
            .query(query, json!({ "f": { "topic": "employment", "level": "LEADERSHIP", "activeOn": "2024-06-01" } }))
            .await;
        assert_eq!(list(&data), sorted(&[s.tervo_only_leadership, s.kuopio_ended_leadership]));
        let data = app
            .query(query, json!({ "f": { "topic": "employment", "includeInactive": true } }))
            .await;
        assert_eq!(data["representatives"]["totalCount"], 5);
        // The sub-theme only.
        let data = app.query(query, json!({ "f": { "topic": "test-youth-guarantee" } })).await;
        assert_eq!(list(&data), sorted(&[s.county_subtopic_everyday]));
        // Free text on the person's name, with a Finnish ending.
        let data = app.query(query, json!({ "f": { "text": "Kaisan" } })).await;
        assert_eq!(list(&data), sorted(&[s.kuopio_interface]));
    }
}

both! {
    async fn coverage_lists_the_gaps(app: TestApp) {
        let county = fixtures::county(&app.db, "13").await;
        let query = "query($c: ID!) { coverage(countyId: $c) {
            county { name } expected covered ratio
            gaps { municipality { municipalityCode } topic { slug } level missing }
        } }";
        let before = app.query(query, json!({ "c": county.to_string() })).await;
        scenario(&app).await;
        let after = app.query(query, json!({ "c": county.to_string() })).await;
        let report = &after["coverage"];
        assert_eq!(report["county"]["name"], "Pohjois-Savon hyvinvointialue");
        assert_eq!(report["expected"], 19 * 5 * 4);
        assert_eq!(
            report["covered"].as_i64().unwrap(),
            before["coverage"]["covered"].as_i64().unwrap() + 1
        );
        let gaps = report["gaps"].as_array().unwrap();
        assert_eq!(gaps.len() as i64, 380 - report["covered"].as_i64().unwrap());
        let gap = |code: &str, slug: &str, level: &str| {
            gaps.iter()
                .find(|g| {
                    g["municipality"]["municipalityCode"] == code
                        && g["topic"]["slug"] == slug
                        && g["level"] == level
                })
                .map(|g| g["missing"].as_str().unwrap().to_owned())
        };
        assert_eq!(gap("297", "employment", "INTERFACE"), None);
        assert_eq!(gap("844", "employment", "LEADERSHIP").as_deref(), Some("MUNICIPALITY"));
        assert_eq!(gap("297", "employment", "LEADERSHIP").as_deref(), Some("BOTH"));
        assert_eq!(gap("140", "employment", "INTERFACE").as_deref(), Some("MUNICIPALITY"));
        let ratio = report["ratio"].as_f64().unwrap();
        assert!((ratio - report["covered"].as_f64().unwrap() / 380.0).abs() < 1e-9);

        // A municipality is not a county.
        let kuopio = fixtures::municipality(&app.db, "297").await;
        let error = app.error(query, json!({ "c": kuopio.to_string() })).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        let error = app.error(query, json!({ "c": Uuid::new_v4().to_string() })).await;
        assert_eq!(code(&error), "NOT_FOUND");
    }
}

both! {
    async fn helsinki_and_aland_counterparts(app: TestApp) {
        // Helsinki organises the services itself: it is its own county side.
        let helsinki = fixtures::municipality(&app.db, "091").await;
        let employment = fixtures::topic(&app.db, "employment").await;
        let person = fixtures::person(&app.db, "Helmi Helsinkiläinen", helsinki, Visibility::Public).await;
        fixtures::representative(&app.db, Rep {
            person,
            organisation: helsinki,
            topic: employment,
            level: Level::Interface,
            serves: &[],
            valid_from: None,
            valid_to: None,
        })
        .await;
        let data = app
            .query(
                "query($h: ID!) { coverage(countyId: $h) { expected covered county { name } }
                   counterparts(municipalityCode: \"091\", topic: \"employment\", level: INTERFACE) { complete } }",
                json!({ "h": helsinki.to_string() }),
            )
            .await;
        assert_eq!(data["coverage"]["county"]["name"], "Helsinki");
        assert_eq!(data["coverage"]["expected"], 5 * 4);
        assert_eq!(data["coverage"]["covered"], 1);
        assert_eq!(data["counterparts"][0]["complete"], true);
        // Åland's municipalities have no county side at all.
        let data = app
            .query("{ counterparts(municipalityCode: \"478\") { complete countyRepresentatives { id } } }", json!({}))
            .await;
        let pairs = data["counterparts"].as_array().unwrap();
        assert_eq!(pairs.len(), 20);
        assert!(pairs.iter().all(|p| p["complete"] == false && p["countyRepresentatives"] == json!([])));
    }
}

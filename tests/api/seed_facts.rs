//! The data that ships: reference codes and the facts of the source documents.

use serde_json::{Value, json};

use crate::both;
use crate::support::*;

/// The network whose Finnish name contains `text` (normalised search).
async fn network_named(app: &TestApp, text: &str, fields: &str) -> Value {
    let data = app
        .query(
            &format!(
                "query($t: String) {{ networks(first: 10, filter: {{ text: $t, includeInactive: true }}) {{ edges {{ node {{ name {fields} }} }} }} }}"
            ),
            json!({ "t": text }),
        )
        .await;
    let edges = data["networks"]["edges"].as_array().unwrap();
    assert!(!edges.is_empty(), "no network matching {text}");
    edges[0]["node"].clone()
}

both! {
    async fn reference_data(app: TestApp) {
        let data = app
            .query(
                "{ counties: organisations(filter: { kind: [WELLBEING_COUNTY] }) { totalCount }
                   municipalities: organisations(filter: { kind: [MUNICIPALITY] }) { totalCount }
                   kuopio: organisation(municipalityCode: \"297\") { name kind county { name countyCode } }
                   iisalmi: organisation(municipalityCode: \"140\") { name }
                   varkaus: organisation(municipalityCode: \"915\") { name } }",
                json!({}),
            )
            .await;
        assert_eq!(data["counties"]["totalCount"], 21);
        assert_eq!(data["municipalities"]["totalCount"], 309);
        assert_eq!(data["kuopio"]["name"], "Kuopio");
        assert_eq!(data["kuopio"]["kind"], "MUNICIPALITY");
        assert_eq!(data["kuopio"]["county"]["name"], "Pohjois-Savon hyvinvointialue");
        assert_eq!(data["kuopio"]["county"]["countyCode"], "13");
        assert_eq!(data["iisalmi"]["name"], "Iisalmi");
        assert_eq!(data["varkaus"]["name"], "Varkaus");
    }
}

both! {
    async fn the_agreement(app: TestApp) {
        let data = app
            .query(
                "{ agreements { title validFrom validTo legalBasis county { name }
                   parties { name kind municipalityCode }
                   goals { title sortOrder actions { id } } } }",
                json!({}),
            )
            .await;
        let agreement = data["agreements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["county"]["name"] == "Pohjois-Savon hyvinvointialue")
            .expect("the Pohjois-Savo agreement")
            .clone();
        assert_eq!(agreement["validFrom"], "2023-11-01");
        assert_eq!(agreement["validTo"], "2025-12-31");
        let parties = agreement["parties"].as_array().unwrap();
        assert_eq!(parties.len(), 21);
        assert_eq!(parties[0]["name"], "Pohjois-Savon hyvinvointialue");
        assert_eq!(parties.iter().filter(|p| p["kind"] == "MUNICIPALITY").count(), 19);
        assert!(parties.iter().any(|p| p["name"] == "Pohjois-Savon liitto" && p["kind"] == "REGIONAL_COUNCIL"));
        let legal = agreement["legalBasis"].as_str().unwrap();
        assert!(legal.contains("612/2021"), "{legal}");
        assert!(legal.contains("1552/2011"), "{legal}");
        let goals = agreement["goals"].as_array().unwrap();
        assert_eq!(goals.len(), 4);
        assert!(goals.iter().all(|g| !g["actions"].as_array().unwrap().is_empty()));
    }
}

both! {
    async fn topics_a_to_e(app: TestApp) {
        let data = app
            .query("{ topics(kind: INTERFACE) { slug code parent { slug } } common: topics(kind: COMMON_THEME) { slug } }", json!({}))
            .await;
        let roots: Vec<(String, String)> = data["topics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["parent"].is_null())
            .map(|t| (t["code"].as_str().unwrap().to_owned(), t["slug"].as_str().unwrap().to_owned()))
            .collect();
        assert_eq!(
            roots,
            vec![
                ("a".to_owned(), "health-promotion".to_owned()),
                ("b".to_owned(), "children-families".to_owned()),
                ("c".to_owned(), "employment".to_owned()),
                ("d".to_owned(), "immigration-integration".to_owned()),
                ("e".to_owned(), "safety-preparedness".to_owned()),
            ]
        );
        let common = data["common"].as_array().unwrap();
        assert!(common.iter().any(|t| t["slug"] == "housing"));
    }
}

both! {
    async fn kuntafoorumi(app: TestApp) {
        let forum = network_named(&app, "Kuntafoorumi", "kind convener { name } meetingsPerYear responsibleRole").await;
        assert_eq!(forum["kind"], "FORUM");
        assert_eq!(forum["convener"]["name"], "Pohjois-Savon hyvinvointialue");
        assert_eq!(forum["meetingsPerYear"], 2);
        assert!(forum["responsibleRole"].as_str().unwrap().contains("hyvinvointialuejohtaja"));
    }
}

both! {
    async fn typ_areas(app: TestApp) {
        let data = app
            .query("{ areas(kind: EMPLOYMENT) { name county { countyCode } municipalities { name } } }", json!({}))
            .await;
        let areas = data["areas"].as_array().unwrap();
        let members = |needle: &str| -> Vec<String> {
            areas
                .iter()
                .find(|a| a["name"].as_str().unwrap().contains(needle))
                .unwrap_or_else(|| panic!("no TYP area {needle}"))["municipalities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["name"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(members("Varkau"), vec!["Joroinen", "Leppävirta", "Varkaus"]);
        assert_eq!(members("Ylä-Savo").len(), 9);
        assert!(members("Ylä-Savo").contains(&"Tervo".to_owned()));
        assert_eq!(members("Kuopio").len(), 7);
    }
}

both! {
    async fn tervo_sits_in_networks(app: TestApp) {
        let data = app
            .query(
                "{ networks(first: 100, filter: { municipalityCode: \"844\" }) { totalCount edges { node { name } } } }",
                json!({}),
            )
            .await;
        let names: Vec<String> = data["networks"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["name"].as_str().unwrap().to_lowercase())
            .collect();
        assert!(names.iter().any(|n| n.contains("typ")), "Tervo is in the Ylä-Savo TYP group: {names:?}");
    }
}

both! {
    async fn hyte_coordinators(app: TestApp) {
        let data = app
            .query(
                "{ search(text: \"Rytkönen\") { nodes { ... on Person { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["search"]["nodes"][0]["name"], "Säde Rytkönen");
        let board = network_named(&app, "HYTE-neuvottelukunta", "subNetworks { nodes { name responsiblePerson { name } } }").await;
        let coordinators: Vec<&str> = board["subNetworks"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["responsiblePerson"]["name"].as_str())
            .collect();
        for name in ["Säde Rytkönen", "Marika Lätti", "Helena Törmi"] {
            assert!(coordinators.contains(&name), "{name} coordinates a theme network: {coordinators:?}");
        }
    }
}

both! {
    async fn open_actions_under_a_goal(app: TestApp) {
        let goals = app.query("{ goals { id title } }", json!({})).await;
        let goal = goals["goals"][0]["id"].clone();
        let data = app
            .query(
                "query($g: ID) { actions(first: 100, filter: { goalId: $g, open: true }) { totalCount edges { node { status goal { id } responsibility metrics { kind } } } } }",
                json!({ "g": goal }),
            )
            .await;
        let edges = data["actions"]["edges"].as_array().unwrap();
        assert!(!edges.is_empty());
        for edge in edges {
            assert!(matches!(edge["node"]["status"].as_str(), Some("PLANNED" | "IN_PROGRESS")));
            assert_eq!(edge["node"]["goal"]["id"], goal);
        }
        let unassigned = app
            .query(
                "{ actions(first: 100, filter: { unassigned: true }) { totalCount edges { node { responsibility responsibilityUnassigned responsibleOrganisations { name } } } } }",
                json!({}),
            )
            .await;
        let edges = unassigned["actions"]["edges"].as_array().unwrap();
        assert!(edges.iter().any(|e| e["node"]["responsibilityUnassigned"] == true));
        assert!(edges.iter().all(|e| e["node"]["responsibleOrganisations"] == json!([])));
    }
}

both! {
    async fn pohjois_karjala_municipal_cooperation_group(app: TestApp) {
        let group = network_named(
            &app,
            "kuntayhteistyöryhmä",
            "county { countyCode } memberships(includeInactive: true) { totalCount nodes { role organisation { kind } } } meetings { nodes { startsAt endsAt location } }",
        )
        .await;
        assert_eq!(group["county"]["countyCode"], "14");
        let seats = group["memberships"]["nodes"].as_array().unwrap();
        assert_eq!(group["memberships"]["totalCount"].as_u64(), Some(seats.len() as u64));
        let municipal_seats = seats
            .iter()
            .filter(|s| s["organisation"]["kind"] == "MUNICIPALITY")
            .count();
        assert_eq!(municipal_seats, 13);
        let meeting = &group["meetings"]["nodes"][0];
        assert_eq!(meeting["startsAt"], "2021-10-01T08:30:00+00:00");
        assert_eq!(meeting["endsAt"], "2021-10-01T10:00:00+00:00");
    }
}

both! {
    async fn seeding_twice_changes_nothing(app: TestApp) {
        let report = yhdyspinta::seed::load(&app.db).await.expect("seed again");
        assert_eq!(report.total(), 0, "{:?}", report.inserted);
    }
}

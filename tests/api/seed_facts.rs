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
            // The programme gives no status: not reported, and so open.
            assert_eq!(edge["node"]["status"], Value::Null);
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

both! {
    async fn actions_have_no_status_until_someone_reports_one(app: TestApp) {
        let data = app
            .query(
                "{ all: actions { totalCount }
                   notReported: actions(filter: { reported: false }) { totalCount }
                   reported: actions(filter: { reported: true }) { totalCount }
                   open: actions(filter: { open: true }) { totalCount }
                   closed: actions(filter: { open: false }) { totalCount }
                   planned: actions(filter: { status: [PLANNED] }) { totalCount }
                   first: actions(first: 1) { nodes { id version status } } }",
                json!({}),
            )
            .await;
        let all = data["all"]["totalCount"].as_u64().unwrap();
        assert_eq!(all, 42);
        assert_eq!(data["notReported"]["totalCount"], 42);
        assert_eq!(data["reported"]["totalCount"], 0);
        assert_eq!(data["open"]["totalCount"], 42, "not reported counts as open");
        assert_eq!(data["closed"]["totalCount"], 0);
        assert_eq!(data["planned"]["totalCount"], 0);

        // Reporting a status makes the action reported; a completed one is closed.
        let action = &data["first"]["nodes"][0];
        let body = app
            .post_as(
                &token(yhdyspinta::auth::policy::Role::Admin, &[]),
                "mutation($id: ID!, $v: Int!) { updateAction(input: { id: $id, version: $v, status: COMPLETED }) { action { status } } }",
                json!({ "id": action["id"], "v": action["version"] }),
            )
            .await;
        assert_eq!(body["data"]["updateAction"]["action"]["status"], "COMPLETED", "{body}");
        let data = app
            .query(
                "{ reported: actions(filter: { reported: true }) { totalCount }
                   open: actions(filter: { open: true }) { totalCount }
                   closed: actions(filter: { open: false }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(data["reported"]["totalCount"], 1);
        assert_eq!(data["open"]["totalCount"], 41);
        assert_eq!(data["closed"]["totalCount"], 1);
    }
}

both! {
    async fn the_agreement_was_signed_electronically_and_says_who_pays_for_meetings(app: TestApp) {
        let data = app
            .query("{ agreements { signing { signatures signedFrom signedTo } costRule } }", json!({}))
            .await;
        let agreement = &data["agreements"][0];
        assert_eq!(
            agreement["signing"],
            json!({ "signatures": 33, "signedFrom": "2024-10-21", "signedTo": "2024-12-04" })
        );
        let rule = agreement["costRule"].as_str().unwrap();
        assert!(rule.starts_with("Kokouksista ei makseta kokouskorvauksia ja kilometrikorvauksia"), "{rule}");
        assert!(rule.contains("kustantaa omien edustajiensa palkka-, palkkio ja matkakulut"), "{rule}");
        assert!(rule.contains("maksaa kokousten järjestämiskustannukset (tilavuokrat ja tarjoilut)"), "{rule}");
        assert!(rule.contains("6. kohta"), "{rule}");
    }
}

both! {
    async fn the_county_states_its_mission_and_five_priority_areas(app: TestApp) {
        let data = app
            .query(
                "{ organisation(municipalityCode: \"297\") { mission priorities county { name mission priorities } } }",
                json!({}),
            )
            .await;
        let county = &data["organisation"]["county"];
        assert_eq!(county["name"], "Pohjois-Savon hyvinvointialue");
        assert_eq!(county["mission"], "Hyvinvoiva ja kukoistava Pohjois-Savo");
        assert_eq!(
            county["priorities"],
            json!(["asukkaat", "palvelut", "työntekijät", "toimintaympäristö", "talous"])
        );
        // Kuopio's strategy is not in the sources.
        assert_eq!(data["organisation"]["mission"], Value::Null);
        assert_eq!(data["organisation"]["priorities"], json!([]));
    }
}

both! {
    async fn the_compass_survey_is_run_by_the_county_with_the_regional_council(app: TestApp) {
        let forum = network_named(&app, "kuntafoorumi", "description").await;
        let text = forum["description"].as_str().unwrap();
        assert!(text.contains("Kompassikyselyn tekemisestä vastaa hyvinvointialue"), "{text}");
        assert!(text.contains("tilannekuva tuotetaan hyvinvointialueen ja Pohjois-Savon liiton yhteistyössä"), "{text}");
        let council = app
            .query(
                "{ organisations(filter: { kind: [REGIONAL_COUNCIL], text: \"Pohjois-Savon liitto\" }) { nodes { name description } } }",
                json!({}),
            )
            .await;
        let council = &council["organisations"]["nodes"][0];
        assert_eq!(council["name"], "Pohjois-Savon liitto");
        let text = council["description"].as_str().unwrap();
        assert!(text.contains("terveysteknologia ja hyvinvointi"), "{text}");
        assert!(text.contains("kompassikyselyä varten yhteistyössä hyvinvointialueen kanssa"), "{text}");
    }
}

both! {
    async fn the_municipalities_sit_in_the_valmiustoimikunta(app: TestApp) {
        let committee = network_named(
            &app,
            "valmiustoimikunta",
            "memberships(first: 50) { totalCount nodes { role organisation { kind name } } }",
        )
        .await;
        let seats = committee["memberships"]["nodes"].as_array().unwrap();
        let municipal = seats.iter().filter(|s| s["organisation"]["kind"] == "MUNICIPALITY").count();
        assert_eq!(municipal, 19);
        assert!(seats.iter().any(|s| s["role"] == "CHAIR" && s["organisation"]["name"] == "Pohjois-Savon hyvinvointialue"));
        assert!(seats.iter().any(|s| s["role"] == "SECRETARY" && s["organisation"]["name"] == "Turvallisuuspalvelut"));
        assert_eq!(committee["memberships"]["totalCount"], 21);
    }
}

both! {
    async fn the_first_pohjois_karjala_meeting_is_to_be_held_not_held(app: TestApp) {
        let group = network_named(&app, "kuntayhteistyöryhmä", "description meetings { nodes { title } }").await;
        let text = group["description"].as_str().unwrap();
        assert!(text.contains("ensimmäinen kokous pidetään 1.10.2021"), "{text}");
        let title = group["meetings"]["nodes"][0]["title"].as_str().unwrap();
        assert!(title.contains("pidetään 1.10.2021"), "{title}");
        let council = app
            .query(
                "{ organisations(filter: { kind: [REGIONAL_COUNCIL], text: \"Pohjois-Karjalan maakuntaliitto\" }) { nodes { description } } }",
                json!({}),
            )
            .await;
        let text = council["organisations"]["nodes"][0]["description"].as_str().unwrap();
        assert!(text.contains("pidetään 1.10.2021"), "{text}");
        let held = app
            .query("{ search(text: \"pidettiin\") { totalCount } }", json!({}))
            .await;
        assert_eq!(held["search"]["totalCount"], 0);
    }
}

both! {
    async fn bodies_of_2021_belong_to_the_organisations_of_2021(app: TestApp) {
        let preparation = network_named(
            &app,
            "vapaaehtoinen alueellinen valmistelu",
            "county { name } convener { name } memberships { nodes { organisation { name kind parent { name } } } }",
        )
        .await;
        assert_eq!(preparation["county"], Value::Null, "the county did not exist in January 2021");
        let seats = preparation["memberships"]["nodes"].as_array().unwrap();
        let rescue = seats
            .iter()
            .find(|s| s["organisation"]["name"] == "Pohjois-Savon pelastuslaitos")
            .expect("the rescue department takes part");
        assert_eq!(rescue["organisation"]["parent"]["name"], "Kuopio", "a municipal department in 2021");
        assert!(seats.iter().any(|s| s["organisation"]["name"] == "Pohjois-Savon sairaanhoitopiiri"));
        assert!(seats.iter().all(|s| s["organisation"]["name"] != "Pohjois-Savon hyvinvointialue"));
        // The rescue department of the 2023 agreement is the county's.
        let now = network_named(
            &app,
            "varautumisverkosto",
            "memberships(first: 50) { nodes { organisation { name parent { name } } } }",
        )
        .await;
        let rescue = now["memberships"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["organisation"]["name"] == "Pohjois-Savon pelastuslaitos")
            .expect("the rescue department is in the network")
            .clone();
        assert_eq!(rescue["organisation"]["parent"]["name"], "Pohjois-Savon hyvinvointialue");
    }
}

both! {
    async fn no_translation_is_served_that_no_source_gives(app: TestApp) {
        let data = app
            .query(
                "{ topics { name en: name(lang: EN) sv: name(lang: SV) }
                   networks(first: 100, filter: { includeInactive: true }) { nodes { name en: name(lang: EN) sv: name(lang: SV) } }
                   goals { title en: title(lang: EN) }
                   county: organisation(municipalityCode: \"297\") { county { name sv: name(lang: SV) } } }",
                json!({}),
            )
            .await;
        for topic in data["topics"].as_array().unwrap() {
            assert_eq!(topic["en"], topic["name"], "{topic}");
            assert_eq!(topic["sv"], topic["name"], "{topic}");
        }
        for network in data["networks"]["nodes"].as_array().unwrap() {
            assert_eq!(network["en"], network["name"], "{network}");
            assert_eq!(network["sv"], network["name"], "{network}");
        }
        for goal in data["goals"].as_array().unwrap() {
            assert_eq!(goal["en"], goal["title"], "{goal}");
        }
        // The official Swedish name of the county (swedish_names.csv) is served.
        assert_eq!(data["county"]["county"]["sv"], "Norra Savolax välfärdsområde");
    }
}

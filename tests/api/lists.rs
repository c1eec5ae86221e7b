//! Connections, filters, ordering and the language fallback.

use serde_json::{Value, json};

use crate::both;
use crate::support::*;

const PAGE: &str =
    "query($first: Int, $after: String, $filter: OrganisationFilter, $order: OrganisationOrder) {
  organisations(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { name municipalityCode } }
  }
}";

fn names(data: &Value) -> Vec<String> {
    data["organisations"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

both! {
    async fn pages_follow_cursors(app: TestApp) {
        let filter = json!({ "kind": ["MUNICIPALITY"] });
        let all = app.query(PAGE, json!({ "first": 100, "filter": filter })).await;
        assert_eq!(all["organisations"]["totalCount"], 309);
        let first = app.query(PAGE, json!({ "first": 3, "filter": filter })).await;
        let info = &first["organisations"]["pageInfo"];
        assert_eq!(info["hasNextPage"], true);
        assert_eq!(info["hasPreviousPage"], false);
        let second = app
            .query(PAGE, json!({ "first": 3, "after": info["endCursor"], "filter": filter }))
            .await;
        assert_eq!(second["organisations"]["pageInfo"]["hasPreviousPage"], true);
        let mut joined = names(&first);
        joined.extend(names(&second));
        assert_eq!(joined, names(&all)[..6].to_vec());
        // Names come in order.
        let all_names = names(&all);
        let mut sorted = all_names.clone();
        sorted.sort();
        assert_eq!(all_names, sorted);
    }
}

both! {
    async fn connection_edge_cases(app: TestApp) {
        let filter = json!({ "kind": ["WELLBEING_COUNTY"] });
        // An empty page still counts.
        let zero = app.query(PAGE, json!({ "first": 0, "filter": filter })).await;
        assert_eq!(zero["organisations"]["totalCount"], 21);
        assert_eq!(zero["organisations"]["edges"].as_array().unwrap().len(), 0);
        assert_eq!(zero["organisations"]["pageInfo"]["hasNextPage"], true);
        assert!(zero["organisations"]["pageInfo"]["endCursor"].is_null());
        // The last page says so; a cursor past the end gives an empty page.
        let all = app.query(PAGE, json!({ "first": 21, "filter": filter })).await;
        assert_eq!(all["organisations"]["pageInfo"]["hasNextPage"], false);
        let end = all["organisations"]["pageInfo"]["endCursor"].clone();
        let past = app.query(PAGE, json!({ "first": 5, "after": end, "filter": filter })).await;
        assert_eq!(past["organisations"]["edges"].as_array().unwrap().len(), 0);
        assert_eq!(past["organisations"]["pageInfo"]["hasNextPage"], false);
        // Nothing matches.
        let none = app
            .query(PAGE, json!({ "filter": { "text": "eiolemassaolevakunta" } }))
            .await;
        assert_eq!(none["organisations"]["totalCount"], 0);
        assert_eq!(none["organisations"]["pageInfo"]["hasNextPage"], false);
        assert_eq!(none["organisations"]["pageInfo"]["hasPreviousPage"], false);
        // Bad sizes and cursors name the argument.
        for (vars, field) in [
            (json!({ "first": -1 }), "first"),
            (json!({ "first": 101 }), "first"),
            (json!({ "after": "bm9wZQ" }), "after"),
            (json!({ "after": "***" }), "after"),
        ] {
            let error = app.error(PAGE, vars).await;
            assert_eq!(code(&error), "BAD_USER_INPUT");
            assert_eq!(error["extensions"]["field"], field);
        }
    }
}

both! {
    async fn organisation_filters_and_order(app: TestApp) {
        let county = fixtures::county(&app.db, "13").await;
        let data = app
            .query(
                PAGE,
                json!({ "first": 50, "filter": { "countyId": county.to_string(), "kind": ["MUNICIPALITY"] }, "order": "MUNICIPALITY_CODE" }),
            )
            .await;
        assert_eq!(data["organisations"]["totalCount"], 19);
        let codes: Vec<&str> = data["organisations"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["municipalityCode"].as_str().unwrap())
            .collect();
        assert_eq!(codes.first(), Some(&"140"));
        assert_eq!(codes.last(), Some(&"925"));
        assert!(codes.contains(&"297"));
        assert!(codes.windows(2).all(|w| w[0] < w[1]));

        let data = app
            .query(PAGE, json!({ "filter": { "municipalityCode": "915" } }))
            .await;
        assert_eq!(names(&data), vec!["Varkaus"]);

        // Organisations without a code sort last.
        let data = app
            .query(PAGE, json!({ "first": 1, "order": "MUNICIPALITY_CODE" }))
            .await;
        assert_eq!(names(&data), vec!["Alajärvi"]);

        let data = app
            .query(PAGE, json!({ "filter": { "text": "siilinjarvi" } }))
            .await;
        assert_eq!(names(&data), vec!["Siilinjärvi"]);
    }
}

both! {
    async fn helsinki_and_aland(app: TestApp) {
        let data = app
            .query(
                "{ helsinki: organisation(municipalityCode: \"091\") { name countyCode county { name } }
                   mariehamn: organisation(municipalityCode: \"478\") { name county { name } }
                   county: organisation(municipalityCode: \"297\") { county { name countyCode county { name } municipalities { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(data["helsinki"]["countyCode"], "90");
        assert_eq!(data["helsinki"]["county"]["name"], "Helsinki");
        assert!(data["mariehamn"]["county"].is_null());
        let county = &data["county"]["county"];
        assert_eq!(county["name"], "Pohjois-Savon hyvinvointialue");
        assert_eq!(county["countyCode"], "13");
        assert!(county["county"].is_null());
        assert_eq!(county["municipalities"].as_array().unwrap().len(), 19);
    }
}

both! {
    async fn names_fall_back_to_finnish(app: TestApp) {
        let data = app
            .query(
                "{ topic(slug: \"employment\") { fi: name en: name(lang: EN) sv: name(lang: SV) default: name }
                   organisation(municipalityCode: \"297\") { sv: name(lang: SV) en: name(lang: EN) } }",
                json!({}),
            )
            .await;
        let topic = &data["topic"];
        assert_eq!(topic["fi"], topic["default"]);
        assert!(topic["fi"].as_str().unwrap().to_lowercase().contains("työllisyy"));
        assert_ne!(topic["en"], topic["fi"], "the employment topic has an English name");
        assert!(topic["en"].as_str().unwrap().to_lowercase().contains("employment"));
        // Kuopio has no Swedish or English name: Finnish is used.
        assert_eq!(data["organisation"]["sv"], "Kuopio");
        assert_eq!(data["organisation"]["en"], "Kuopio");
    }
}

/// The number of statements follows the query's shape, not the number of rows, at any
/// concurrency and with no batch window.
/// A cost limit that lets a hundred organisations with every
/// nested relation through: the query is priced at about 720 000 nodes, far more than an
/// anonymous caller may ask for (at ten times national scale one such organisation takes a
/// second), but these tests are about batching, not pricing.
fn wide_query_args() -> yhdyspinta::config::ServeArgs {
    yhdyspinta::config::ServeArgs {
        max_cost: 1_000_000,
        ..Default::default()
    }
}

async fn statement_count(app: TestApp) {
    let query = "query($first: Int) { organisations(first: $first, filter: { kind: [MUNICIPALITY] }) {
        totalCount
        edges { node {
          name
          county { name municipalities { name } }
          representatives(includeInactive: true) { person { name organisation { name } } topic { name } servedMunicipalities { name } }
          areas { name municipalities { name } }
          memberships(includeInactive: true) { role network { name convener { name } topics { slug } } }
        } }
    } }";
    // Akaa comes first by name; give it a representative, an area and a seat so every
    // nested relation has rows for the single organisation too.
    let akaa = fixtures::municipality(&app.db, "020").await;
    let county = fixtures::county(&app.db, "08").await;
    let employment = fixtures::topic(&app.db, "employment").await;
    let person = fixtures::person(
        &app.db,
        "Aino Esimerkki",
        akaa,
        entity::enums::Visibility::Public,
    )
    .await;
    fixtures::representative(
        &app.db,
        fixtures::Rep {
            person,
            organisation: akaa,
            topic: employment,
            level: entity::enums::Level::Interface,
            serves: &[],
            valid_from: None,
            valid_to: None,
        },
    )
    .await;
    fixtures::area(&app.db, "Testialue", county, &[akaa]).await;
    fixtures::network(&app.db, "Testiverkosto", county, employment, &[akaa]).await;

    app.reset_statements();
    let one = app.query(query, json!({ "first": 1 })).await;
    let for_one = app.statement_count();
    app.reset_statements();
    let hundred = app.query(query, json!({ "first": 100 })).await;
    let for_hundred = app.statement_count();
    assert_eq!(one["organisations"]["edges"][0]["node"]["name"], "Akaa");
    assert_eq!(
        one["organisations"]["edges"][0]["node"]["representatives"][0]["person"]["name"],
        "Aino Esimerkki"
    );
    assert_eq!(
        hundred["organisations"]["edges"].as_array().unwrap().len(),
        100
    );
    assert!(for_one > 0);
    // One statement per relation and level. A key that is already cached or in flight
    // lets part of a level resolve early, which can split that level's batch in two, so a
    // relation costs at most two statements; without batching, 100 organisations would
    // take well over 500.
    assert!(
        for_hundred <= 2 * for_one,
        "1 organisation took {for_one} statements, 100 took {for_hundred}"
    );
    assert!(
        for_one <= 16,
        "the shape needs at most 16 statements, took {for_one}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_count_depends_on_shape_not_size_sqlite() {
    let app = spawn_app_with_args(Backend::Sqlite, wide_query_args())
        .await
        .expect("SQLite app");
    statement_count(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statement_count_depends_on_shape_not_size_postgres() {
    match spawn_app_with_args(Backend::Postgres, wide_query_args()).await {
        Some(app) => statement_count(app).await,
        None => eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run"),
    }
}

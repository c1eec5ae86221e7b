//! Connections, filters, ordering and the language fallback.

use serde_json::{Value, json};
use uuid::Uuid;

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
                   county: organisation(municipalityCode: \"297\") { county { name countyCode county { name } municipalities { totalCount nodes { name } } } } }",
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
        assert_eq!(county["municipalities"]["totalCount"], 19);
        // A page of 20 holds them all, so the count needs no statement of its own.
        assert_eq!(county["municipalities"]["nodes"].as_array().unwrap().len(), 19);
    }
}

both! {
    async fn names_fall_back_to_finnish(app: TestApp) {
        let data = app
            .query(
                "{ topic(slug: \"employment\") { fi: name en: name(lang: EN) sv: name(lang: SV) default: name }
                   organisation(municipalityCode: \"297\") { sv: name(lang: SV) en: name(lang: EN) }
                   porvoo: organisation(municipalityCode: \"638\") { fi: name sv: name(lang: SV) en: name(lang: EN) } }",
                json!({}),
            )
            .await;
        let topic = &data["topic"];
        assert_eq!(topic["fi"], topic["default"]);
        assert!(topic["fi"].as_str().unwrap().to_lowercase().contains("työllisyy"));
        // No source gives the topic a Swedish or English name, so none is served.
        assert_eq!(topic["en"], topic["fi"]);
        assert_eq!(topic["sv"], topic["fi"]);
        // Porvoo's official Swedish name is served; it has no English one.
        assert_eq!(data["porvoo"]["fi"], "Porvoo");
        assert_eq!(data["porvoo"]["sv"], "Borgå");
        assert_eq!(data["porvoo"]["en"], "Porvoo");
        // Kuopio has no Swedish or English name: Finnish is used.
        assert_eq!(data["organisation"]["sv"], "Kuopio");
        assert_eq!(data["organisation"]["en"], "Kuopio");
    }
}

both! {
    async fn names_say_when_they_fell_back(app: TestApp) {
        let county = fixtures::county(&app.db, "13").await;
        let topic = fixtures::topic(&app.db, "employment").await;
        let network = fixtures::network(&app.db, "Nimikokeiluverkosto", county, topic, &[]).await;
        let data = app
            .query(
                "query($network: ID!) { porvoo: organisation(municipalityCode: \"638\") {
                     sv: name(lang: SV) svIn: nameLanguage(lang: SV) enIn: nameLanguage(lang: EN)
                     fiIn: nameLanguage names { fi sv en } }
                   network(id: $network) {
                     sv: name(lang: SV) svIn: nameLanguage(lang: SV) names { fi sv en } }
                   topic(slug: \"employment\") { enIn: nameLanguage(lang: EN) names { fi en } }
                   goals { titleLanguage(lang: EN) titles { fi en } title(lang: EN) } }",
                json!({ "network": network }),
            )
            .await;
        let porvoo = &data["porvoo"];
        assert_eq!(porvoo["sv"], "Borgå");
        assert_eq!(porvoo["svIn"], "SV");
        assert_eq!(porvoo["fiIn"], "FI");
        // No English name is stored for Porvoo: `name(lang: EN)` is the Finnish one.
        assert_eq!(porvoo["enIn"], "FI");
        assert_eq!(porvoo["names"], json!({ "fi": "Porvoo", "sv": "Borgå", "en": null }));
        // The network has no Swedish name: the answer is Finnish, and says so.
        let network = &data["network"];
        assert_eq!(network["sv"], "Nimikokeiluverkosto");
        assert_eq!(network["svIn"], "FI");
        assert_eq!(network["names"], json!({ "fi": "Nimikokeiluverkosto", "sv": null, "en": null }));
        // No source gives the topic an English name, so none is stored and none is claimed.
        assert_eq!(data["topic"]["enIn"], "FI");
        assert!(data["topic"]["names"]["en"].is_null());
        let goals = data["goals"].as_array().unwrap();
        assert!(!goals.is_empty());
        for goal in goals {
            // The language said is the one whose text was given.
            let said = if goal["titleLanguage"] == "EN" { "en" } else { "fi" };
            assert_eq!(goal["title"], goal["titles"][said], "{goal}");
            assert_eq!(goal["titleLanguage"] == "EN", !goal["titles"]["en"].is_null(), "{goal}");
        }
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
          county { name municipalities { totalCount nodes { name } } }
          representatives(includeInactive: true) { totalCount nodes { person { name organisation { name } } topic { name } servedMunicipalities { name } } }
          areas { name municipalities { name } }
          memberships(includeInactive: true) { totalCount nodes { role network { name convener { name } topics { slug } } } }
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
        one["organisations"]["edges"][0]["node"]["representatives"]["nodes"][0]["person"]["name"],
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
    // The shape needs 16 statements; on PostgreSQL one relation now and then runs as two
    // batches (a sibling whose keys were cached runs ahead into the next level), hence 17.
    assert!(
        for_one <= 17,
        "the shape needs at most 16 statements (17 with one split batch), took {for_one}"
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

/// `Organisation.representatives` for Akaa after `n` fictional appointments.
async fn akaa_with_representatives(app: &TestApp, n: usize) -> Uuid {
    let akaa = fixtures::municipality(&app.db, "020").await;
    let employment = fixtures::topic(&app.db, "employment").await;
    for i in 0..n {
        let person = fixtures::person(
            &app.db,
            &format!("Testi Henkilö {i:02}"),
            akaa,
            entity::enums::Visibility::Public,
        )
        .await;
        let rep = fixtures::Rep {
            person,
            organisation: akaa,
            topic: employment,
            level: entity::enums::Level::Interface,
            serves: &[],
            valid_from: None,
            valid_to: None,
        };
        fixtures::representative(&app.db, rep).await;
    }
    akaa
}

const NESTED_PAGE: &str = "query($id: ID!, $first: Int, $after: String) { organisation(id: $id) {
    representatives(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor }
      edges { cursor node { person { name } } } nodes { person { name } } } } }";

both! {
    async fn nested_lists_are_pages_with_cursors_and_counts(app: TestApp) {
        let akaa = akaa_with_representatives(&app, 25).await;
        let first = app.query(NESTED_PAGE, json!({ "id": akaa })).await;
        let reps = &first["organisation"]["representatives"];
        assert_eq!(reps["totalCount"], 25, "{first}");
        assert_eq!(reps["nodes"].as_array().unwrap().len(), 20);
        assert_eq!(reps["edges"].as_array().unwrap().len(), 20);
        assert_eq!(reps["edges"][3]["node"], reps["nodes"][3]);
        assert_eq!(reps["pageInfo"]["hasNextPage"], true);
        assert_eq!(reps["pageInfo"]["hasPreviousPage"], false);
        let after = reps["pageInfo"]["endCursor"].clone();
        let second = app.query(NESTED_PAGE, json!({ "id": akaa, "after": after })).await;
        let rest = &second["organisation"]["representatives"];
        assert_eq!(rest["totalCount"], 25);
        assert_eq!(rest["nodes"].as_array().unwrap().len(), 5);
        assert_eq!(rest["pageInfo"]["hasNextPage"], false);
        assert_eq!(rest["pageInfo"]["hasPreviousPage"], true);
        // The two pages hold every appointment once.
        let mut names: Vec<String> = [reps, rest]
            .iter()
            .flat_map(|r| r["nodes"].as_array().unwrap().clone())
            .map(|n| n["person"]["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), 25);
        // A count without rows.
        let empty = app.query(NESTED_PAGE, json!({ "id": akaa, "first": 0 })).await;
        assert_eq!(empty["organisation"]["representatives"]["totalCount"], 25);
        assert_eq!(empty["organisation"]["representatives"]["pageInfo"]["hasNextPage"], true);
        assert!(empty["organisation"]["representatives"]["nodes"].as_array().unwrap().is_empty());
    }
}

both! {
    async fn nested_pages_are_bounded(app: TestApp) {
        let akaa = akaa_with_representatives(&app, 1).await;
        let error = app.error(NESTED_PAGE, json!({ "id": akaa, "first": 101 })).await;
        assert_eq!(code(&error), "BAD_USER_INPUT");
        assert_eq!(error["extensions"]["field"], "first");
        let error = app.error(NESTED_PAGE, json!({ "id": akaa, "after": "nonsense" })).await;
        assert_eq!(error["extensions"]["field"], "after");
    }
}

/// A page of children for many parents is one statement, and a count one more, only when
/// a page cannot tell the total.
async fn nested_page_statements(app: TestApp) {
    akaa_with_representatives(&app, 25).await;
    let query =
        "query($first: Int) { organisations(first: $first, filter: { kind: [MUNICIPALITY] }) {
        nodes { name representatives(first: 20) { totalCount nodes { id } } } } }";
    app.reset_statements();
    let one = app.query(query, json!({ "first": 1 })).await;
    let for_one = app.statement_count();
    app.reset_statements();
    let hundred = app.query(query, json!({ "first": 100 })).await;
    let for_hundred = app.statement_count();
    let akaa = &one["organisations"]["nodes"][0];
    assert_eq!(akaa["name"], "Akaa");
    assert_eq!(akaa["representatives"]["totalCount"], 25);
    assert_eq!(
        hundred["organisations"]["nodes"][0]["representatives"]["totalCount"],
        25
    );
    assert_eq!(
        hundred["organisations"]["nodes"][1]["representatives"]["totalCount"],
        0
    );
    // The list and its count; the page of children; their count.
    assert_eq!(for_one, 4, "one organisation");
    assert_eq!(for_hundred, 4, "a hundred organisations");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_page_statements_sqlite() {
    let app = spawn_app_with_args(Backend::Sqlite, wide_query_args())
        .await
        .expect("SQLite app");
    nested_page_statements(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_page_statements_postgres() {
    match spawn_app_with_args(Backend::Postgres, wide_query_args()).await {
        Some(app) => nested_page_statements(app).await,
        None => eprintln!("PostgreSQL binaries not found: skipping the PostgreSQL run"),
    }
}
